//! Compliance holds against the UN list (issue 4): a listed name is held in any of several
//! spellings and scripts (as creditor and as debtor) before funds are reserved; a hold keeps the
//! list version that caused it after a reload removed the entry; and no endpoint, role or
//! configuration lets a payment through without a UN list (the hub's own refusal of a verdict
//! without a UN version is tested in the hub crate).

use screening::{ImportedList, ListStore, RawList};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, config, payment_json};

/// Spellings of entries of the demo UN list (crates/screening/fixtures/demo_un.xml) and the
/// reference each must hit: reordered, punctuated, other romanisations, aliases, and the
/// original Cyrillic and Arabic scripts.
const LISTED: &[(&str, &str)] = &[
    ("Doku Umarov", "QDi.290"),
    ("UMAROV, Doku Khamatovich", "QDi.290"),
    ("Umarov Doku Hamatovich", "QDi.290"),
    ("Dokka Umarov", "QDi.290"),
    ("Умаров Доку Хаматович", "QDi.290"),
    ("Доку Умаров", "QDi.290"),
    ("حمزة أسامة محمد بن لادن", "QDi.421"),
    ("Hamza Usama Muhammad bin Laden", "QDi.421"),
    ("BIN LADEN, Hamza Usama", "QDi.421"),
    ("Hamza bin Ladin", "QDi.421"),
    ("Muammar Mohammed Abu Minyar Qadhafi", "LYi.013"),
    ("Kim Tong-My'ong", "KPi.023"),
    ("Allied Democratic Forces", "CDe.001"),
];

/// A name on no list.
const CLEAN: &str = "Juma Mwangi";

/// Starts a server with exactly `lists` in memory and the given screening threshold.
async fn start_with(lists: Vec<ImportedList>, threshold: Option<f64>) -> TestHub {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), false);
    config.lists = lists;
    if let Some(threshold) = threshold {
        config.screening_threshold = threshold;
    }
    TestHub::start_config(dir, config).await
}

fn demo_ofac() -> ImportedList {
    screening::import(
        &screening::fixtures::demo_ofac_raw(),
        Some(screening::fixtures::DEMO_LABEL),
        &mut screening::no_progress,
    )
    .expect("demo OFAC parses")
}

/// A KES payment A → B with `name` as the `side` party's name.
fn payment_naming(s: &Scheme, side: &str, name: &str) -> Value {
    let mut pay = payment_json(Uuid::new_v4(), s.a, s.b, "10.00", CLEAN);
    pay[side]["name"] = json!(name);
    pay
}

/// The active UN list version as `/v1/health` reports it.
async fn active_un_version(hub: &TestHub) -> Option<String> {
    let health = hub.get("/v1/health", OPERATOR_TOKEN).await;
    assert_eq!(health.status, 200, "{:?}", health.body);
    un_version(&health.body["lists"])
}

/// The UN version in a list of `ListVersionView`s.
fn un_version(lists: &Value) -> Option<String> {
    lists
        .as_array()?
        .iter()
        .find(|l| l["source"] == "un")
        .and_then(|l| l["version"].as_str())
        .map(str::to_owned)
}

/// The held-payments entry for `id`, if it is held.
async fn held_entry(s: &Scheme, id: &str) -> Option<Value> {
    let held = s.hub.get("/v1/compliance/held", &s.officer1).await;
    assert_eq!(held.status, 200, "{:?}", held.body);
    held.body
        .as_array()
        .expect("held list")
        .iter()
        .find(|e| e["payment"]["payment_id"] == id)
        .cloned()
}

/// Both participants' KES balances, to show nothing moved.
async fn balances(s: &Scheme) -> (Value, Value) {
    (s.balance(s.a, "KES").await, s.balance(s.b, "KES").await)
}

#[tokio::test]
async fn listed_names_are_held_in_any_spelling_and_script() {
    let s = Scheme::new().await;
    let un = active_un_version(&s.hub).await.expect("UN list active");
    let before = balances(&s).await;
    let mut held = Vec::new();
    for &(name, reference) in LISTED {
        for side in ["creditor", "debtor"] {
            let pay = payment_naming(&s, side, name);
            let id = pay["payment_id"].as_str().unwrap().to_owned();
            let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
            assert_eq!(created["status"], "held", "{side} {name:?}: {created}");
            held.push((id, side, name, reference));
        }
    }
    assert_eq!(balances(&s).await, before, "a hold must not reserve funds");

    for (id, side, name, reference) in &held {
        let entry = held_entry(&s, id)
            .await
            .unwrap_or_else(|| panic!("{side} {name:?} not in /v1/compliance/held"));
        let hits = entry["hits"].as_array().expect("hits");
        assert!(
            hits.iter()
                .any(|h| h["reference"] == *reference && h["party"] == *side && h["list"] == "un"),
            "{side} {name:?} should hit {reference}: {hits:?}"
        );
        assert_eq!(
            un_version(&entry["lists"]).as_deref(),
            Some(un.as_str()),
            "{side} {name:?}: {entry}"
        );
    }

    let clean = payment_naming(&s, "creditor", CLEAN);
    let id = clean["payment_id"].as_str().unwrap().to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, clean, 201).await;
    assert_eq!(created["status"], "reserved");
    assert!(held_entry(&s, &id).await.is_none());
    assert_eq!(s.balance(s.a, "KES").await["pending_debits"], "10.00");
    s.hub.shutdown().await;
}

/// The demo UN XML without the entry `reference` (its whole `<INDIVIDUAL>` element).
fn demo_un_without(reference: &str) -> RawList {
    let RawList::Un { xml } = screening::fixtures::demo_un_raw() else {
        panic!("the demo UN list is UN XML");
    };
    let xml = String::from_utf8(xml).expect("UTF-8");
    let at = xml
        .find(&format!("<REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>"))
        .expect("reference in the fixture");
    let start = xml[..at].rfind("<INDIVIDUAL>").expect("element start");
    let end = at + xml[at..].find("</INDIVIDUAL>").expect("element end") + "</INDIVIDUAL>".len();
    let trimmed = format!("{}{}", &xml[..start], &xml[end..]);
    assert!(!trimmed.contains(reference));
    RawList::Un {
        xml: trimmed.into_bytes(),
    }
}

#[tokio::test]
async fn hold_keeps_the_list_version_after_a_reload_removed_the_entry() {
    // The demo list is far smaller than the published one: putting a changed copy in force
    // from DATA/lists takes the operator's override (journalled; see `screen_lists`).
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), true);
    config.accept_unverified_un_list = true;
    let s = Scheme::on(TestHub::start_config(dir, config).await).await;
    let old = active_un_version(&s.hub).await.expect("UN list active");
    let pay = payment_naming(&s, "creditor", "Doku Umarov");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(created["status"], "held");

    // What `kliring lists import` does with a newer list that delisted QDi.290.
    let raw = demo_un_without("QDi.290");
    let list = screening::import(
        &raw,
        Some("demo data, QDi.290 removed"),
        &mut screening::no_progress,
    )
    .expect("trimmed list parses");
    assert!(list.entries.iter().all(|e| e.reference != "QDi.290"));
    ListStore::new(s.hub.dir.path().join("lists"))
        .save(&raw, &list.version)
        .expect("stored");
    let reloaded = s
        .hub
        .expect("/v1/lists/reload", OPERATOR_TOKEN, json!({}), 200)
        .await;
    let new = list.version.content_hash.clone();
    assert_ne!(new, old);
    assert_eq!(
        un_version(&reloaded["lists"]).as_deref(),
        Some(new.as_str())
    );
    assert_eq!(
        active_un_version(&s.hub).await.as_deref(),
        Some(new.as_str())
    );
    assert_eq!(reloaded["list_overrides"][0]["version"], new.as_str());
    assert!(
        reloaded["alarms"]
            .as_array()
            .expect("alarms")
            .iter()
            .any(|a| a["code"] == "un_list_override"),
        "{reloaded}"
    );

    // The hold still names the version that caused it, and what it matched.
    let entry = held_entry(&s, &id).await.expect("still held");
    assert_eq!(un_version(&entry["lists"]).as_deref(), Some(old.as_str()));
    assert_eq!(entry["hits"][0]["reference"], "QDi.290");
    let payment = s.hub.get(&format!("/v1/payments/{id}"), &s.a_token).await;
    assert_eq!(payment.body["status"], "held");

    // The same payment made now screens against the new list: not held.
    let again = payment_naming(&s, "creditor", "Doku Umarov");
    let again_id = again["payment_id"].as_str().unwrap().to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, again, 201).await;
    assert_eq!(created["status"], "reserved");
    assert!(held_entry(&s, &again_id).await.is_none());
    // Other entries of the new list still hold.
    let other = payment_naming(&s, "creditor", "Hamza bin Laden");
    let created = s.hub.expect("/v1/payments", &s.a_token, other, 201).await;
    assert_eq!(created["status"], "held");
    s.hub.shutdown().await;
}

/// A one-transaction pacs.008.001.08 from Alpha Bank to Beta Bank paying `creditor`.
fn pacs008(msg_id: &str, creditor: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-11-26T09:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><InstrId>I-{msg_id}</InstrId><EndToEndId>E2E-{msg_id}</EndToEndId><TxId>TX-{msg_id}</TxId><UETR>{uetr}</UETR></PmtId>
<IntrBkSttlmAmt Ccy="KES">10.00</IntrBkSttlmAmt><ChrgBr>SLEV</ChrgBr>
<InstgAgt><FinInstnId><BICFI>ALPHKENA</BICFI></FinInstnId></InstgAgt>
<InstdAgt><FinInstnId><BICFI>BETAKENA</BICFI></FinInstnId></InstdAgt>
<Dbtr><Nm>Amina Odhiambo</Nm><PstlAdr><TwnNm>Nairobi</TwnNm><Ctry>KE</Ctry></PstlAdr></Dbtr>
<DbtrAcct><Id><Othr><Id>0011223344</Id></Othr></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BICFI>ALPHKENA</BICFI></FinInstnId></DbtrAgt>
<CdtrAgt><FinInstnId><BICFI>BETAKENA</BICFI></FinInstnId></CdtrAgt>
<Cdtr><Nm>{creditor}</Nm><PstlAdr><Ctry>KE</Ctry></PstlAdr></Cdtr>
<CdtrAcct><Id><Othr><Id>5566778899</Id></Othr></Id></CdtrAcct>
</CdtTrfTxInf></FIToFICstmrCdtTrf></Document>"#,
        uetr = Uuid::new_v4(),
    )
}

async fn post_xml(hub: &TestHub, token: &str, xml: String) -> (u16, String) {
    let response = hub
        .client
        .post(format!("{}/v1/iso20022", hub.base))
        .header("content-type", "application/xml")
        .bearer_auth(token)
        .body(xml)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The group status and every reason code of a pacs.002 answer.
fn pacs002_outcome(body: &str) -> (Option<iso20022::model::TxStatus>, Vec<String>) {
    let parsed = iso20022::parse(body.as_bytes())
        .unwrap_or_else(|rejection| panic!("unreadable answer {rejection:?}: {body}"));
    let Some(iso20022::Message::StatusReport(report)) = parsed.message else {
        panic!("not a pacs.002: {body}");
    };
    let group = report.groups.first().expect("group");
    let codes = group
        .reasons
        .iter()
        .chain(report.transactions.iter().flat_map(|t| t.reasons.iter()))
        .filter_map(|r| r.code.clone())
        .collect();
    (group.status, codes)
}

#[tokio::test]
async fn without_a_un_list_no_path_or_role_creates_a_payment() {
    let s = Scheme::on(start_with(vec![demo_ofac()], None).await).await;
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await;
    assert_eq!(health.body["un_list_loaded"], false);
    assert_eq!(health.body["lists"][0]["source"], "ofac-sdn");
    let before = balances(&s).await;
    // A clean name, a UN-listed one and an OFAC-listed one: OFAC alone screens none of them in.
    let names = [CLEAN, "Doku Umarov", "Kim Jong Un"];

    for name in names {
        let reply = s
            .hub
            .post(
                "/v1/payments",
                &s.a_token,
                payment_naming(&s, "creditor", name),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "no_un_list_loaded"),
            "{name}"
        );
    }
    let items: Vec<Value> = names
        .iter()
        .map(|name| payment_naming(&s, "creditor", name))
        .collect();
    let bulk = s
        .hub
        .expect(
            "/v1/payments/bulk",
            &s.a_token,
            json!({ "payments": items }),
            200,
        )
        .await;
    for result in bulk["results"].as_array().expect("results") {
        assert_eq!(
            (result["status"].as_u64(), result["error"]["code"].as_str()),
            (Some(422), Some("no_un_list_loaded")),
            "{result}"
        );
    }
    assert_eq!(
        (bulk["succeeded"].as_u64(), bulk["failed"].as_u64()),
        (Some(0), Some(3))
    );
    let (status, body) = post_xml(&s.hub, &s.a_token, pacs008("NOUN-1", CLEAN)).await;
    assert_eq!(status, 200, "{body}");
    let (group, codes) = pacs002_outcome(&body);
    assert_eq!(group, Some(iso20022::model::TxStatus::RJCT), "{body}");
    assert!(codes.iter().any(|c| c == "RR04"), "{codes:?}: {body}");

    // Every other role is refused on every payment-creating path too.
    let others = [
        OPERATOR_TOKEN,
        &s.officer1,
        &s.auditor,
        &s.b_token,
        &s.c_token,
    ];
    for token in others {
        let reply = s
            .hub
            .post("/v1/payments", token, payment_naming(&s, "creditor", CLEAN))
            .await;
        assert_eq!(reply.status, 403, "{:?}", reply.body);
        let items = json!({ "payments": [payment_naming(&s, "creditor", CLEAN)] });
        let reply = s.hub.post("/v1/payments/bulk", token, items).await;
        let refused = reply.status == 403
            || reply.body["results"][0]["status"] == 403 && reply.body["succeeded"] == 0;
        assert!(refused, "{:?}", reply.body);
        let (status, body) = post_xml(&s.hub, token, pacs008("NOUN-2", CLEAN)).await;
        let refused = status == 403
            || status == 200 && pacs002_outcome(&body).0 == Some(iso20022::model::TxStatus::RJCT);
        assert!(refused, "{status}: {body}");
    }

    // A reload that finds no UN list in DATA/lists changes nothing.
    let reloaded = s
        .hub
        .expect("/v1/lists/reload", OPERATOR_TOKEN, json!({}), 200)
        .await;
    assert_eq!(reloaded["un_list_loaded"], false);
    let reply = s
        .hub
        .post(
            "/v1/payments",
            &s.a_token,
            payment_naming(&s, "creditor", CLEAN),
        )
        .await;
    assert_eq!(reply.code(), "no_un_list_loaded");

    assert_eq!(balances(&s).await, before);
    let page = s.hub.get("/v1/payments", OPERATOR_TOKEN).await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    assert_eq!(page.body["payments"], json!([]));
    s.hub.shutdown().await;
}

/// Starts a server with the demo lists at `threshold` and pays verbatim listed names (Latin
/// and original script) from a Kenyan account: each must be held.
async fn exact_names_held_at(threshold: f64) {
    let lists = screening::fixtures::demo_lists().expect("demo lists");
    let s = Scheme::on(start_with(lists, Some(threshold)).await).await;
    for name in ["DOKU KHAMATOVICH UMAROV", "Умаров Доку Хаматович"] {
        let pay = payment_naming(&s, "creditor", name);
        let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
        assert_eq!(created["status"], "held", "threshold {threshold}: {name}");
    }
    s.hub.shutdown().await;
}

#[tokio::test]
async fn exact_names_are_held_at_the_highest_threshold_allowed() {
    exact_names_held_at(server::config::SCREENING_THRESHOLD_MAX).await;
}

/// A threshold that would let a verbatim listed name through (out-of-range values, NaN) is
/// refused at start: no setting switches UN screening off.
#[tokio::test]
async fn thresholds_that_would_weaken_screening_are_refused_at_start() {
    for threshold in [f64::NAN, f64::INFINITY, 1.5, 1.0, 0.95, 0.0, -1.0] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = config(dir.path(), true);
        config.screening_threshold = threshold;
        match server::start(config).await {
            Err(server::ServerError::Config(message)) => {
                assert!(message.contains("screening threshold"), "{message}")
            }
            Err(other) => panic!("threshold {threshold}: unexpected error {other}"),
            Ok(running) => {
                running.shutdown().await.expect("shutdown");
                panic!("threshold {threshold} was accepted");
            }
        }
    }
}
