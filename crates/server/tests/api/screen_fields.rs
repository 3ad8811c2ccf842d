//! Every free text of a payment is screened against the real UN list (issue 10): ultimate
//! parties, initiating party, agents, address lines and remittance information, over JSON and
//! over ISO 20022. A listed name in any of them holds the payment and the hit names the field;
//! the same fields with ordinary names pass, are kept and are forwarded. Four eyes compares
//! credentials, and look-alike officer names are one officer.

use iso20022::model::TxStatus;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, config, credential, payment_json};
use crate::iso20022::{A_BIC, B_BIC, Transfer, assert_xsd_valid, get_text, pacs002, statuses};

/// A listed entity of the real UN list and its reference.
const ENTITY: &str = "KOREA MINING DEVELOPMENT TRADING CORPORATION";
const ENTITY_REF: &str = "KPe.001";
/// A listed individual, as free text would carry it among other words.
const PERSON_REF: &str = "QDi.290";
const PERSON_IN_TEXT: &str = "for Doku Umarov";

fn real_un_list() -> screening::ImportedList {
    let path = format!(
        "{}/../../../shared/data/sanctions/un_sc_consolidated_2026-02-27.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    server::screen::import_file(std::path::Path::new(&path)).expect("real UN list imports")
}

/// The test scheme on a hub that screens against the real UN list only.
async fn scheme() -> Scheme {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), false);
    config.lists = vec![real_un_list()];
    Scheme::on(TestHub::start_config(dir, config).await).await
}

/// (what to change in a clean payment, the field the hit must name, the reference it hits)
type Case = (fn(&mut Value), &'static str, &'static str);

fn json_cases() -> Vec<Case> {
    vec![
        (
            |p| p["ultimate_debtor"] = json!({ "name": ENTITY }),
            "ultimate_debtor.name",
            ENTITY_REF,
        ),
        (
            |p| p["ultimate_creditor"] = json!({ "name": ENTITY, "country": "KP" }),
            "ultimate_creditor.name",
            ENTITY_REF,
        ),
        (
            |p| p["initiating_party"] = json!({ "name": ENTITY }),
            "initiating_party.name",
            ENTITY_REF,
        ),
        (
            |p| p["debtor_agent"] = json!({ "name": ENTITY, "bic": A_BIC }),
            "debtor_agent.name",
            ENTITY_REF,
        ),
        (
            |p| p["creditor_agent"] = json!({ "name": ENTITY }),
            "creditor_agent.name",
            ENTITY_REF,
        ),
        (
            |p| {
                p["intermediary_agents"] =
                    json!([{ "name": "Kenya Commercial Bank" }, { "name": ENTITY }])
            },
            "intermediary_agents[2].name",
            ENTITY_REF,
        ),
        (
            |p| p["debtor"]["address"] = json!([format!("c/o {PERSON_IN_TEXT}"), "Nairobi"]),
            "debtor.address",
            PERSON_REF,
        ),
        (
            |p| p["creditor"]["address"] = json!([PERSON_IN_TEXT]),
            "creditor.address",
            PERSON_REF,
        ),
        (
            |p| {
                p["ultimate_creditor"] =
                    json!({ "name": "Wanjiru Kamau", "address": [PERSON_IN_TEXT] })
            },
            "ultimate_creditor.address",
            PERSON_REF,
        ),
        (
            |p| p["remittance_info"] = json!(format!("Payment {PERSON_IN_TEXT}, invoice 7")),
            "remittance_information",
            PERSON_REF,
        ),
        (
            |p| p["remittance_structured"] = json!(["RF18539007547034", PERSON_IN_TEXT]),
            "remittance_information",
            PERSON_REF,
        ),
        // Free text that travels to the creditor, and names split across fields (red team).
        (
            |p| p["creditor"]["account"] = json!("SAADI QADHAFI"),
            "creditor.account",
            "LYi.015",
        ),
        (
            |p| p["end_to_end_id"] = json!("SAADI QADHAFI"),
            "end_to_end_id",
            "LYi.015",
        ),
        (
            |p| {
                p["creditor"]["name"] = json!("Doku");
                p["creditor"]["address"] = json!(["Umarov", "Nairobi"]);
            },
            "creditor.address",
            PERSON_REF,
        ),
        (
            |p| {
                p["remittance_info"] = json!("SAADI");
                p["remittance_structured"] = json!(["QADHAFI"]);
            },
            "remittance_information",
            "LYi.015",
        ),
    ]
}

/// A clean payment naming every related party, agent and text with ordinary names.
fn with_everything(mut pay: Value) -> Value {
    pay["ultimate_debtor"] =
        json!({ "name": "Wanjiru Kamau", "address": ["12 Kenyatta Avenue"], "country": "KE" });
    pay["ultimate_creditor"] = json!({ "name": "Otieno Ochieng", "country": "KE" });
    pay["initiating_party"] = json!({ "name": "Amina Odhiambo" });
    pay["debtor_agent"] = json!({ "name": "Alpha Bank", "bic": A_BIC });
    pay["creditor_agent"] = json!({ "name": "Beta Bank", "bic": B_BIC });
    pay["intermediary_agents"] = json!([{ "name": "Kenya Commercial Bank" }]);
    pay["remittance_structured"] = json!(["RF18539007547034"]);
    pay
}

/// The `/v1/compliance/held` entry of payment `id`.
async fn held_entry(s: &Scheme, id: &str) -> Option<Value> {
    let held = s.hub.get("/v1/compliance/held", &s.officer1).await;
    assert_eq!(held.status, 200, "{:?}", held.body);
    held.body
        .as_array()?
        .iter()
        .find(|e| e["payment"]["payment_id"] == id)
        .cloned()
}

/// Payment `id` is held and a UN hit names `field` and `reference`.
async fn assert_held_on(s: &Scheme, id: &str, field: &str, reference: &str) {
    let entry = held_entry(s, id)
        .await
        .unwrap_or_else(|| panic!("{field}: payment {id} is not held"));
    let hits = entry["hits"].as_array().expect("hits");
    assert!(
        hits.iter()
            .any(|h| h["field"] == field && h["reference"] == reference && h["list"] == "un"),
        "{field} should hit {reference}: {hits:?}"
    );
    let fields = entry["payment"]["screening_hit_fields"]
        .as_array()
        .expect("hit fields");
    assert!(fields.iter().any(|f| f == field), "{field}: {fields:?}");
}

#[tokio::test]
async fn a_listed_name_in_any_json_field_holds_the_payment_and_names_the_field() {
    let s = scheme().await;
    for (change, field, reference) in json_cases() {
        let mut pay = s.payment("10.00");
        change(&mut pay);
        let id = pay["payment_id"].as_str().unwrap().to_owned();
        let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
        assert_eq!(created["status"], "held", "{field}: {created}");
        assert_held_on(&s, &id, field, reference).await;
    }
    // The same fields with ordinary names: reserved, kept and shown.
    let pay = with_everything(s.payment("10.00"));
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    let created = s
        .hub
        .expect("/v1/payments", &s.a_token, pay.clone(), 201)
        .await;
    assert_eq!(created["status"], "reserved", "{created}");
    let view = s.hub.get(&format!("/v1/payments/{id}"), &s.b_token).await;
    assert_eq!(view.status, 200);
    for key in [
        "ultimate_debtor",
        "ultimate_creditor",
        "initiating_party",
        "debtor_agent",
        "creditor_agent",
        "intermediary_agents",
        "remittance_structured",
    ] {
        assert_eq!(view.body[key], pay[key], "{key}: {}", view.body);
    }
    // A resubmission with other related parties is other content.
    let mut changed = pay;
    changed["ultimate_creditor"]["name"] = json!("Someone Else");
    let again = s.hub.post("/v1/payments", &s.a_token, changed).await;
    assert_eq!(
        (again.status, again.code()),
        (409, "duplicate_payment_id_different_content"),
        "{:?}",
        again.body
    );
}

/// A pacs.008 from A to B with `extra` inserted: `before_dbtr` just before `<Dbtr>` (ultimate
/// debtor, initiating party, intermediary agents), `after_cdtr_acct` after `CdtrAcct`
/// (ultimate creditor), `remittance` replacing the `RmtInf` content, `agent_name` as the
/// debtor agent's `Nm`.
struct Extra<'a> {
    before_dbtr: &'a str,
    after_cdtr_acct: &'a str,
    remittance: &'a str,
    debtor_agent_name: Option<&'a str>,
}

fn pacs008_with(msg_id: &str, uetr: Uuid, extra: &Extra<'_>) -> String {
    let xml = Transfer::kes(msg_id, Some(uetr), "10.00").xml();
    let xml = xml.replacen("<Dbtr>", &format!("{}<Dbtr>", extra.before_dbtr), 1);
    let cdtr_acct_end = "</CdtrAcct>";
    let xml = xml.replacen(
        cdtr_acct_end,
        &format!("{cdtr_acct_end}{}", extra.after_cdtr_acct),
        1,
    );
    let xml = xml.replacen("<Ustrd>invoice 42</Ustrd>", extra.remittance, 1);
    match extra.debtor_agent_name {
        Some(name) => xml.replacen(
            &format!("<DbtrAgt><FinInstnId><BICFI>{A_BIC}</BICFI>"),
            &format!("<DbtrAgt><FinInstnId><BICFI>{A_BIC}</BICFI><Nm>{name}</Nm>"),
            1,
        ),
        None => xml,
    }
}

const NO_EXTRA: Extra<'static> = Extra {
    before_dbtr: "",
    after_cdtr_acct: "",
    remittance: "<Ustrd>invoice 42</Ustrd>",
    debtor_agent_name: None,
};

#[tokio::test]
async fn a_listed_name_in_any_iso20022_field_holds_the_payment_and_names_the_field() {
    let s = scheme().await;
    let entity_party = |element: &str| format!("<{element}><Nm>{ENTITY}</Nm></{element}>");
    let ultimate_debtor = entity_party("UltmtDbtr");
    let initiating_party = entity_party("InitgPty");
    let ultimate_creditor = entity_party("UltmtCdtr");
    let intermediary = format!(
        "<IntrmyAgt1><FinInstnId><BICFI>GAMMKENA</BICFI></FinInstnId></IntrmyAgt1>\
         <IntrmyAgt2><FinInstnId><Nm>{ENTITY}</Nm></FinInstnId></IntrmyAgt2>"
    );
    let address = format!(
        "<UltmtDbtr><Nm>Wanjiru Kamau</Nm><PstlAdr><AdrLine>{PERSON_IN_TEXT}</AdrLine></PstlAdr></UltmtDbtr>"
    );
    let ustrd = format!("<Ustrd>Payment {PERSON_IN_TEXT}</Ustrd>");
    let strd =
        "<Strd><Invcee><Nm>Doku Umarov</Nm></Invcee><AddtlRmtInf>spare parts</AddtlRmtInf></Strd>";
    let cases: Vec<(Extra<'_>, &str, &str)> = vec![
        (
            Extra {
                before_dbtr: &ultimate_debtor,
                ..NO_EXTRA
            },
            "ultimate_debtor.name",
            ENTITY_REF,
        ),
        (
            Extra {
                before_dbtr: &initiating_party,
                ..NO_EXTRA
            },
            "initiating_party.name",
            ENTITY_REF,
        ),
        (
            Extra {
                after_cdtr_acct: &ultimate_creditor,
                ..NO_EXTRA
            },
            "ultimate_creditor.name",
            ENTITY_REF,
        ),
        (
            Extra {
                before_dbtr: &intermediary,
                ..NO_EXTRA
            },
            "intermediary_agents[2].name",
            ENTITY_REF,
        ),
        (
            Extra {
                debtor_agent_name: Some(ENTITY),
                ..NO_EXTRA
            },
            "debtor_agent.name",
            ENTITY_REF,
        ),
        (
            Extra {
                before_dbtr: &address,
                ..NO_EXTRA
            },
            "ultimate_debtor.address",
            PERSON_REF,
        ),
        (
            Extra {
                remittance: &ustrd,
                ..NO_EXTRA
            },
            "remittance_information",
            PERSON_REF,
        ),
        (
            Extra {
                remittance: strd,
                ..NO_EXTRA
            },
            "remittance_information",
            PERSON_REF,
        ),
    ];
    for (n, (extra, field, reference)) in cases.iter().enumerate() {
        let uetr = Uuid::new_v4();
        let xml = pacs008_with(&format!("SF-{n}"), uetr, extra);
        let answer = pacs002(&s.hub, &s.a_token, xml).await;
        assert_eq!(
            statuses(&answer),
            (Some(TxStatus::PDNG), vec![], vec![TxStatus::PDNG]),
            "{field}"
        );
        assert_held_on(&s, &uetr.to_string(), field, reference).await;
    }

    // Ordinary names in the same places: accepted, kept and forwarded (XSD-valid).
    let uetr = Uuid::new_v4();
    let clean = Extra {
        before_dbtr: "<IntrmyAgt1><FinInstnId><Nm>Kenya Commercial Bank</Nm></FinInstnId></IntrmyAgt1>\
                      <UltmtDbtr><Nm>Wanjiru Kamau</Nm></UltmtDbtr><InitgPty><Nm>Amina Odhiambo</Nm></InitgPty>",
        after_cdtr_acct: "<UltmtCdtr><Nm>Otieno Ochieng</Nm><PstlAdr><Ctry>KE</Ctry></PstlAdr></UltmtCdtr>",
        remittance: "<Ustrd>invoice 42</Ustrd><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd>",
        debtor_agent_name: Some("Alpha Bank"),
    };
    let answer = pacs002(&s.hub, &s.a_token, pacs008_with("SF-CLEAN", uetr, &clean)).await;
    assert_eq!(statuses(&answer).0, Some(TxStatus::ACSP));
    let view = s.hub.get(&format!("/v1/payments/{uetr}"), &s.b_token).await;
    assert_eq!(view.body["ultimate_creditor"]["name"], "Otieno Ochieng");
    assert_eq!(view.body["ultimate_creditor"]["country"], "KE");
    assert_eq!(view.body["initiating_party"]["name"], "Amina Odhiambo");
    assert_eq!(view.body["debtor_agent"]["name"], "Alpha Bank");
    assert_eq!(
        view.body["intermediary_agents"],
        json!([{ "name": "Kenya Commercial Bank" }])
    );
    assert_eq!(
        view.body["remittance_structured"],
        json!(["RF18539007547034"])
    );
    let (status, forwarded) =
        get_text(&s.hub, &s.b_token, &format!("/v1/iso20022/pacs.008/{uetr}")).await;
    assert_eq!(status, 200, "{forwarded}");
    for part in [
        "<UltmtDbtr><Nm>Wanjiru Kamau</Nm>",
        "<InitgPty><Nm>Amina Odhiambo</Nm>",
        "<UltmtCdtr><Nm>Otieno Ochieng</Nm>",
        "<IntrmyAgt1><FinInstnId><Nm>Kenya Commercial Bank</Nm>",
        "<AddtlRmtInf>RF18539007547034</AddtlRmtInf>",
    ] {
        assert!(
            crate::iso20022::compact(&forwarded).contains(part),
            "{part}: {forwarded}"
        );
    }
    assert_xsd_valid(&forwarded, "pacs.008.001.08.xsd");
}

/// A held payment on the scheme (the debtor's name is listed).
async fn held_payment(s: &Scheme) -> String {
    let pay = payment_json(Uuid::new_v4(), s.a, s.b, "5.00", ENTITY);
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(created["status"], "held");
    id
}

#[tokio::test]
async fn four_eyes_needs_two_credentials_and_two_officers_that_look_different() {
    let s = scheme().await;
    let officer = |name: &str| json!({ "role": "compliance_officer", "officer": name });
    let one = credential(&s.hub, officer("Officer One")).await;
    // Look-alikes of an existing officer are refused at issue.
    for alike in ["Officer One ", "officer  one", "Оfficer One"] {
        let reply = s
            .hub
            .post("/v1/credentials", OPERATOR_TOKEN, officer(alike))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (409, "officer_name_confusable"),
            "{alike:?}: {:?}",
            reply.body
        );
    }
    // The exact name again is the same person's second token: still one officer.
    let one_again = credential(&s.hub, officer("Officer One")).await;
    let two = credential(&s.hub, officer("Officer Two")).await;
    let act = |id: &str, what: &str| format!("/v1/compliance/held/{id}/{what}");

    let id = held_payment(&s).await;
    let reviewed = s.hub.post(&act(&id, "review"), &one, json!({})).await;
    assert_eq!(reviewed.status, 200, "{:?}", reviewed.body);
    for (token, what) in [(&one, "release"), (&one, "reject"), (&one_again, "release")] {
        let reply = s.hub.post(&act(&id, what), token, json!({})).await;
        assert_eq!(
            (reply.status, reply.code()),
            (409, "four_eyes_same_officer"),
            "{what}: {:?}",
            reply.body
        );
    }
    let released = s.hub.post(&act(&id, "release"), &two, json!({})).await;
    assert_eq!(released.status, 200, "{:?}", released.body);
    assert_eq!(released.body["status"], "reserved");
}

#[tokio::test]
async fn a_listed_bank_is_not_admitted() {
    let s = scheme().await;
    let body = json!({ "name": "Korea Kwangson Banking Corp", "bic": "KKBCKPPY", "country": "KP" });
    let reply = s.hub.post("/v1/participants", OPERATOR_TOKEN, body).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "participant_sanctioned"),
        "{:?}",
        reply.body
    );
    let message = reply.body["message"].as_str().expect("message");
    assert!(message.contains("KPe.025"), "{message}");
    let listed = s.hub.get("/v1/participants", OPERATOR_TOKEN).await;
    assert!(
        !listed.body.to_string().contains("KKBCKPPY"),
        "{:?}",
        listed.body
    );
    // An ordinary bank is admitted as before.
    let body = json!({ "name": "Delta Savings Bank", "bic": "DELTKENA", "country": "KE" });
    assert_eq!(
        s.hub
            .post("/v1/participants", OPERATOR_TOKEN, body)
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn names_of_invisible_characters_alone_are_refused() {
    let s = scheme().await;
    for (side, name) in [
        ("creditor", "\u{200B}\u{200B}\u{200B}"),
        ("debtor", "\u{3164}"),
        ("creditor", "\u{00AD}"),
        ("creditor", "-."),
    ] {
        let mut pay = s.payment("1.00");
        pay[side]["name"] = json!(name);
        let reply = s.hub.post("/v1/payments", &s.a_token, pay).await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "name_unreadable"),
            "{name:?}: {:?}",
            reply.body
        );
        assert_eq!(reply.body["field"], format!("{side}.name"));
    }
    let mut pay = s.payment("1.00");
    pay["ultimate_creditor"] = json!({ "name": "\u{2800}" });
    let reply = s.hub.post("/v1/payments", &s.a_token, pay).await;
    assert_eq!(reply.code(), "name_unreadable", "{:?}", reply.body);
}

#[tokio::test]
async fn participants_see_a_hold_but_not_what_hit() {
    let s = scheme().await;
    let mut pay = s.payment("1.00");
    pay["creditor"]["account"] = json!("SAADI QADHAFI");
    let id = pay["payment_id"].as_str().expect("id").to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(created["status"], "held");
    let path = format!("/v1/payments/{id}");
    let seen = s.hub.get(&path, &s.a_token).await.body;
    assert_eq!(seen["status"], "held", "{seen}");
    assert_eq!(seen["screening_hits"], 0, "{seen}");
    assert!(seen.get("screening_hit_fields").is_none(), "{seen}");
    // The creditor does not learn of a held payment at all (see `security`).
    assert_eq!(s.hub.get(&path, &s.b_token).await.status, 404);
    for token in [&s.a_token, &s.b_token] {
        let listed = s.hub.get("/v1/payments", token).await.body;
        assert!(!listed.to_string().contains("creditor.account"), "{listed}");
    }
    let seen = s.hub.get(&path, OPERATOR_TOKEN).await.body;
    assert_eq!(
        seen["screening_hit_fields"][0], "creditor.account",
        "{seen}"
    );
}

/// A pacs.009.001.08 cover payment from A to B whose underlying customer transfer names a
/// listed person and a listed entity.
fn cover_payment(msg_id: &str) -> String {
    let agent = crate::iso20022::agent;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.009.001.08"><FICdtTrf>
<GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-11-26T09:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><InstrId>I-1</InstrId><EndToEndId>E2E-COV-1</EndToEndId><TxId>COV-1</TxId></PmtId>
<IntrBkSttlmAmt Ccy="KES">10.00</IntrBkSttlmAmt>
{instg}{instd}
<Dbtr><FinInstnId><BICFI>{A_BIC}</BICFI></FinInstnId></Dbtr>
<Cdtr><FinInstnId><BICFI>{B_BIC}</BICFI></FinInstnId></Cdtr>
<UndrlygCstmrCdtTrf>
<Dbtr><Nm>SAADI QADHAFI</Nm></Dbtr>{dbtr_agt}{cdtr_agt}
<Cdtr><Nm>{ENTITY}</Nm></Cdtr>
<RmtInf><Ustrd>ARMED ISLAMIC GROUP</Ustrd></RmtInf>
</UndrlygCstmrCdtTrf>
</CdtTrfTxInf></FICdtTrf></Document>"#,
        instg = agent("InstgAgt", A_BIC),
        instd = agent("InstdAgt", B_BIC),
        dbtr_agt = agent("DbtrAgt", A_BIC),
        cdtr_agt = agent("CdtrAgt", B_BIC),
    )
}

#[tokio::test]
async fn a_cover_payment_whose_customers_cannot_be_screened_is_refused() {
    let s = scheme().await;
    let report = pacs002(&s.hub, &s.a_token, cover_payment("COV-MSG-1")).await;
    let (group, codes, _) = statuses(&report);
    assert_eq!(group, Some(TxStatus::RJCT), "{report:?}");
    assert!(codes.iter().any(|c| c == "NARR"), "{codes:?}");
    let listed = s.hub.get("/v1/payments", OPERATOR_TOKEN).await.body;
    assert_eq!(
        listed["payments"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
}
