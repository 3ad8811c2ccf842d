//! ISO 20022 messages as journalled units: a used MsgId is refused (`DU01`, nothing applied)
//! also after a restart; a creditor's pacs.002 with only a group status decides every payment
//! of the original message; a pacs.008 naming an FX quote makes a cross-currency payment.

use iso20022::Message;
use iso20022::model::TxStatus;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, credential};
use crate::iso20022::{
    A_BIC, B_BIC, C_BIC, Transfer, decision, get_text, not_created, original, pacs002, payment,
    rejected_whole, statuses,
};

/// A pacs.004.001.09 from B returning the whole of A's payment `u` (message `orig_msg`).
fn payment_return(msg_id: &str, orig_msg: &str, u: Uuid, amount: &str) -> String {
    format!(
        r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09"><PmtRtr>
<GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-11-26T09:10:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<TxInf><RtrId>R-1</RtrId>{orig}<RtrdIntrBkSttlmAmt Ccy="KES">{amount}</RtrdIntrBkSttlmAmt>
<InstgAgt><FinInstnId><BICFI>{B_BIC}</BICFI></FinInstnId></InstgAgt>
<RtrRsnInf><Rsn><Cd>AC04</Cd></Rsn></RtrRsnInf></TxInf></PmtRtr></Document>"#,
        orig = original(orig_msg, Some(u), "TX-1"),
    )
}

/// Each restart replays the journal (these few records are far from a snapshot); the hub's
/// own tests cover MsgIds through a snapshot.
#[tokio::test]
async fn msg_ids_stay_used_across_restarts() {
    let mut s = Scheme::new().await;
    let u = Uuid::new_v4();
    let first = Transfer::kes("A-RST-1", Some(u), "10.00");
    let answer = pacs002(&s.hub, &s.a_token, first.xml()).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSP]);
    s.hub.restart().await;

    // New content under the used MsgId, and the identical resend: refused whole.
    let u2 = Uuid::new_v4();
    let changed = Transfer::kes("A-RST-1", Some(u2), "11.00");
    rejected_whole(&pacs002(&s.hub, &s.a_token, changed.xml()).await, "DU01");
    not_created(&s, u2).await;
    rejected_whole(&pacs002(&s.hub, &s.a_token, first.xml()).await, "DU01");
    // Another sender's MsgId space is its own.
    let mut by_c = Transfer::kes("A-RST-1", Some(Uuid::new_v4()), "1.00");
    by_c.instg = C_BIC;
    let answer = pacs002(&s.hub, &s.c_token, by_c.xml()).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSP]);

    // B's acceptance, resent after a restart, is refused and changes nothing.
    let orig = original("A-RST-1", Some(u), "TX-1");
    let accept = decision("B-RST-ACK", &orig, "ACSC", None, B_BIC);
    let answer = pacs002(&s.hub, &s.b_token, accept.clone()).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSC]);
    s.hub.restart().await;
    rejected_whole(&pacs002(&s.hub, &s.b_token, accept).await, "DU01");

    // A return, resent after a restart: one return only.
    let ret = payment_return("B-RST-RET", "A-RST-1", u, "10.00");
    let answer = pacs002(&s.hub, &s.b_token, ret.clone()).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSC]);
    assert_eq!(s.balance(s.a, "KES").await["position"], "0.00");
    s.hub.restart().await;
    rejected_whole(&pacs002(&s.hub, &s.b_token, ret).await, "DU01");
    assert_eq!(s.balance(s.a, "KES").await["position"], "0.00");
    assert_eq!(payment(&s, u).await["status"], "returned");
    s.hub.shutdown().await;
}

/// Eight copies of one new message sent at once (different UETRs, same MsgId): exactly one is
/// applied; the others are DU01 and created nothing.
#[tokio::test]
async fn concurrent_sends_of_one_msg_id_apply_once() {
    let s = Scheme::new().await;
    let ids: Vec<Uuid> = (0..8).map(|_| Uuid::new_v4()).collect();
    let mut sends = tokio::task::JoinSet::new();
    for u in &ids {
        let xml = Transfer::kes("A-RACE-1", Some(*u), "1.00").xml();
        let request = s
            .hub
            .client
            .post(format!("{}/v1/iso20022", s.hub.base))
            .header("content-type", "application/xml")
            .bearer_auth(&s.a_token)
            .body(xml);
        sends.spawn(async move { request.send().await?.text().await });
    }
    let mut answers = Vec::new();
    while let Some(sent) = sends.join_next().await {
        let body = sent.expect("task").expect("answer");
        match iso20022::parse(body.as_bytes()).map(|p| p.message) {
            Ok(Some(Message::StatusReport(report))) => answers.push(report),
            other => panic!("not a pacs.002: {other:?}\n{body}"),
        }
    }
    let accepted = answers
        .iter()
        .filter(|a| statuses(a).2 == vec![TxStatus::ACSP])
        .count();
    let refused = answers
        .iter()
        .filter(|a| statuses(a).0 == Some(TxStatus::RJCT) && statuses(a).1 == vec!["DU01"])
        .count();
    assert_eq!((accepted, refused), (1, 7));
    let mut created = 0;
    for u in &ids {
        let reply = s.hub.get(&format!("/v1/payments/{u}"), &s.a_token).await;
        created += usize::from(reply.status == 200);
    }
    assert_eq!(created, 1, "one payment for the one applied message");
    s.hub.shutdown().await;
}

/// A pacs.008 from `instg` with one transaction per (TxId, UETR), all to B, KES 10.00 each.
fn transfers(msg_id: &str, instg: &'static str, txs: &[(&str, Uuid)]) -> String {
    let blocks: Vec<String> = txs
        .iter()
        .map(|(tx_id, u)| {
            let mut t = Transfer::kes(msg_id, Some(*u), "10.00");
            t.tx_id = tx_id;
            t.instg = instg;
            let xml = t.xml();
            let start = xml.find("<CdtTrfTxInf>").expect("transaction");
            let end = xml.find("</FIToFICstmrCdtTrf>").expect("end");
            xml[start..end].to_owned()
        })
        .collect();
    let mut t = Transfer::kes(msg_id, None, "10.00");
    t.instg = instg;
    let xml = t.xml();
    let start = xml.find("<CdtTrfTxInf>").expect("transaction");
    let end = xml.find("</FIToFICstmrCdtTrf>").expect("end");
    let xml = format!("{}{}{}", &xml[..start], blocks.concat(), &xml[end..]);
    xml.replace(
        "<NbOfTxs>1</NbOfTxs>",
        &format!("<NbOfTxs>{}</NbOfTxs>", txs.len()),
    )
}

/// A pacs.002.001.10 with only `OrgnlGrpInfAndSts` (no transaction statuses).
fn group_status(
    msg_id: &str,
    orig_msg: &str,
    status: Option<&str>,
    reason: Option<&str>,
) -> String {
    let status = status
        .map(|s| format!("<GrpSts>{s}</GrpSts>"))
        .unwrap_or_default();
    let reason = reason
        .map(|r| format!("<StsRsnInf><Rsn><Cd>{r}</Cd></Rsn></StsRsnInf>"))
        .unwrap_or_default();
    format!(
        r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
<GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-11-26T09:05:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{orig_msg}</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>{status}{reason}</OrgnlGrpInfAndSts>
</FIToFIPmtStsRpt></Document>"#
    )
}

#[tokio::test]
async fn a_group_status_decides_every_payment_of_the_original_message() {
    let s = Scheme::new().await;
    let (u1, u2, u3) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let sent = transfers("A-GRP-1", A_BIC, &[("TX-1", u1), ("TX-2", u2)]);
    let answer = pacs002(&s.hub, &s.a_token, sent).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSP, TxStatus::ACSP]);
    let sent = transfers("A-GRP-2", A_BIC, &[("TX-1", u3)]);
    pacs002(&s.hub, &s.a_token, sent).await;

    // GrpSts ACSC naming A's MsgId commits both of its payments, and only those.
    let ack = group_status("B-GRP-ACK", "A-GRP-1", Some("ACSC"), None);
    let answer = pacs002(&s.hub, &s.b_token, ack).await;
    assert_eq!(
        statuses(&answer),
        (
            Some(TxStatus::ACSC),
            vec![],
            vec![TxStatus::ACSC, TxStatus::ACSC]
        )
    );
    for u in [u1, u2] {
        assert_eq!(payment(&s, u).await["status"], "committed");
    }
    assert_eq!(payment(&s, u3).await["status"], "reserved");
    assert_eq!(s.balance(s.a, "KES").await["position"], "-20.00");

    // The creditor may name the MsgId of the pacs.008 the hub forwarded to it.
    let (status, forwarded) =
        get_text(&s.hub, &s.b_token, &format!("/v1/iso20022/pacs.008/{u3}")).await;
    assert_eq!(status, 200, "{forwarded}");
    let forwarded_id = match iso20022::parse(forwarded.as_bytes()).map(|p| p.message) {
        Ok(Some(Message::CreditTransfer(ct))) => ct.group.msg_id,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        forwarded_id,
        format!("KLR{}", u3.simple()),
        "stable per payment"
    );
    let reject = group_status("B-GRP-RJ", &forwarded_id, Some("RJCT"), Some("AC04"));
    let answer = pacs002(&s.hub, &s.b_token, reject).await;
    assert_eq!(
        (statuses(&answer).1, statuses(&answer).2),
        (vec!["AC04".to_owned()], vec![TxStatus::RJCT])
    );
    let p = payment(&s, u3).await;
    assert_eq!(
        (&p["status"], &p["reason_code"]),
        (&json!("rejected"), &json!("closed_account_number"))
    );

    // A status for payments already decided reports where they stand and changes nothing.
    let late = group_status("B-GRP-LATE", "A-GRP-1", Some("RJCT"), Some("AC04"));
    let answer = pacs002(&s.hub, &s.b_token, late).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSC, TxStatus::ACSC]);
    assert_eq!(payment(&s, u1).await["status"], "committed");

    // Refusals: no GrpSts, no payment of the caller in that message (C is not its creditor),
    // an unknown MsgId.
    let none = group_status("B-GRP-NS", "A-GRP-1", None, None);
    rejected_whole(&pacs002(&s.hub, &s.b_token, none).await, "FF02");
    let group = "<OrgnlGrpInfAndSts><OrgnlMsgId>A-GRP-2</OrgnlMsgId>\
        <OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId><GrpSts>ACSC</GrpSts></OrgnlGrpInfAndSts>";
    let twice = group_status("B-GRP-2X", "A-GRP-2", Some("ACSC"), None).replace(
        "</OrgnlGrpInfAndSts>",
        &format!("</OrgnlGrpInfAndSts>{group}"),
    );
    rejected_whole(&pacs002(&s.hub, &s.b_token, twice).await, "FF02");
    let by_c = group_status("C-GRP-1", "A-GRP-1", Some("RJCT"), Some("AC04"));
    rejected_whole(&pacs002(&s.hub, &s.c_token, by_c).await, "NARR");
    let unknown = group_status("B-GRP-UNK", "NO-SUCH-MSG", Some("ACSC"), None);
    rejected_whole(&pacs002(&s.hub, &s.b_token, unknown).await, "NARR");

    // MsgIds are unique per sender only: A and C both used SAME-1 for payments to B, so a
    // group status naming SAME-1 is ambiguous and refused; each transaction can still be named.
    let (ua, uc) = (Uuid::new_v4(), Uuid::new_v4());
    pacs002(
        &s.hub,
        &s.a_token,
        transfers("SAME-1", A_BIC, &[("TX-1", ua)]),
    )
    .await;
    pacs002(
        &s.hub,
        &s.c_token,
        transfers("SAME-1", C_BIC, &[("TX-1", uc)]),
    )
    .await;
    let ambiguous = group_status("B-GRP-AMB", "SAME-1", Some("ACSC"), None);
    rejected_whole(&pacs002(&s.hub, &s.b_token, ambiguous).await, "NARR");
    assert_eq!(payment(&s, ua).await["status"], "reserved");
    // One payment named by two TxInfAndSts of one pacs.002: refused whole, nothing decided.
    let accept = decision(
        "B-TWICE",
        &original("SAME-1", Some(ua), "TX-1"),
        "ACSC",
        None,
        B_BIC,
    );
    let (start, end) = (
        accept.find("<TxInfAndSts>").expect("tx"),
        accept.find("</TxInfAndSts>").expect("tx end") + "</TxInfAndSts>".len(),
    );
    let twice = format!(
        "{}{}{}",
        &accept[..end],
        &accept[start..end],
        &accept[end..]
    );
    rejected_whole(&pacs002(&s.hub, &s.b_token, twice).await, "FF02");
    assert_eq!(payment(&s, ua).await["status"], "reserved");
    s.hub.shutdown().await;
}

/// The scheme plus UGX (no minor units, deferred net) and an FX provider publishing KES/UGX.
async fn with_fx(s: &Scheme) -> String {
    let body = json!({ "code": "UGX", "exponent": 0, "settlement_model": "deferred_net" });
    s.hub
        .expect("/v1/currencies", OPERATOR_TOKEN, body, 201)
        .await;
    let body = json!({ "name": "FX House", "bic": "FXHOKENA", "country": "KE",
        "roles": ["participant", "fx_provider"] });
    let provider = s
        .hub
        .expect("/v1/participants", OPERATOR_TOKEN, body, 201)
        .await["id"]
        .as_u64()
        .expect("id");
    let token = credential(
        &s.hub,
        json!({ "role": "participant", "participant_id": provider }),
    )
    .await;
    for (currency, cap) in [("KES", "1000000.00"), ("UGX", "100000000")] {
        let path = format!("/v1/participants/{provider}/net-debit-cap");
        let body = json!({ "currency": currency, "cap": cap });
        let reply = s
            .hub
            .call(Method::PUT, &path, Some(OPERATOR_TOKEN), Some(body))
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }
    let rate = json!({ "base": "KES", "quote": "UGX", "rate": "28.5", "spread_bp": 50 });
    s.hub.expect("/v1/fx/rates", &token, rate, 201).await;
    provider.to_string()
}

async fn quote(s: &Scheme, provider: &str, amount: &str) -> Value {
    let body = json!({ "provider": provider.parse::<u64>().expect("id"),
        "source_currency": "KES", "target_currency": "UGX", "source_amount": amount });
    s.hub.expect("/v1/fx/quotes", &s.a_token, body, 201).await
}

/// A pacs.008 A → B paying `target` UGX for `source` KES (with an `XchgRate`); `quote` as
/// InstrForNxtAgt.
fn fx_transfer(
    msg_id: &str,
    u: Uuid,
    source: Option<&str>,
    target: &str,
    quote: Option<&str>,
) -> String {
    let mut t = Transfer::kes(msg_id, Some(u), target);
    t.currency = "UGX";
    let mut xml = t.xml();
    if let Some(source) = source {
        let instructed =
            format!(r#"<InstdAmt Ccy="KES">{source}</InstdAmt><XchgRate>28.36</XchgRate><ChrgBr>"#);
        xml = xml.replacen("<ChrgBr>", &instructed, 1);
    }
    if let Some(quote) = quote {
        let instruction = format!(
            "<InstrForNxtAgt><InstrInf>/FXQUOTE/{quote}</InstrInf></InstrForNxtAgt><RmtInf>"
        );
        xml = xml.replacen("<RmtInf>", &instruction, 1);
    }
    xml
}

#[tokio::test]
async fn a_pacs008_naming_an_fx_quote_pays_across_currencies() {
    let s = Scheme::new().await;
    let provider = with_fx(&s).await;
    let q = quote(&s, &provider, "100.00").await;
    let quote_id = q["quote_id"].as_str().expect("quote id").to_owned();
    let target = q["target_amount"].as_str().expect("target").to_owned();
    let wrong_target = (target.parse::<u64>().expect("UGX amount") + 1).to_string();

    // The settlement amount must be the quote's target; the quote stays usable.
    let u = Uuid::new_v4();
    let wrong = fx_transfer("A-FX-0", u, Some("100.00"), &wrong_target, Some(&quote_id));
    rejected_whole(&pacs002(&s.hub, &s.a_token, wrong).await, "AM09");
    not_created(&s, u).await;
    // Two currencies without a quote; a quote without the debtor's amount.
    let no_quote = fx_transfer("A-FX-1", u, Some("100.00"), &target, None);
    rejected_whole(&pacs002(&s.hub, &s.a_token, no_quote).await, "CURR");
    let no_source = fx_transfer("A-FX-2", u, None, &target, Some(&quote_id));
    rejected_whole(&pacs002(&s.hub, &s.a_token, no_source).await, "FF02");
    let bad_id = fx_transfer("A-FX-3", u, Some("100.00"), &target, Some("not-a-uuid"));
    rejected_whole(&pacs002(&s.hub, &s.a_token, bad_id).await, "FF02");
    // ISO's InstructedAmountAndExchangeRate1Rule: two currencies need an XchgRate.
    let no_rate = fx_transfer("A-FX-6", u, Some("100.00"), &target, Some(&quote_id))
        .replace("<XchgRate>28.36</XchgRate>", "");
    rejected_whole(&pacs002(&s.hub, &s.a_token, no_rate).await, "FF02");
    // The quote pays UGX: a settlement amount in KES is the wrong currency.
    let mut in_kes = Transfer::kes("A-FX-7", Some(u), "100.00");
    in_kes.currency = "KES";
    let in_kes = in_kes.xml().replacen(
        "<RmtInf>",
        &format!(
            "<InstrForNxtAgt><InstrInf>/FXQUOTE/{quote_id}</InstrInf></InstrForNxtAgt><RmtInf>"
        ),
        1,
    );
    let in_kes = in_kes.replacen(
        "<ChrgBr>",
        r#"<InstdAmt Ccy="KES">100.00</InstdAmt><ChrgBr>"#,
        1,
    );
    rejected_whole(&pacs002(&s.hub, &s.a_token, in_kes).await, "CURR");
    not_created(&s, u).await;
    // Another participant's quote is as unknown to A as a made-up id.
    let c_quote = {
        let body = json!({ "provider": provider.parse::<u64>().expect("id"),
            "source_currency": "KES", "target_currency": "UGX", "source_amount": "100.00" });
        s.hub.expect("/v1/fx/quotes", &s.c_token, body, 201).await
    };
    let c_quote_id = c_quote["quote_id"].as_str().expect("quote id");
    for (msg, id) in [
        ("A-FX-8", c_quote_id.to_owned()),
        ("A-FX-9", Uuid::new_v4().to_string()),
    ] {
        let sent = fx_transfer(msg, Uuid::new_v4(), Some("100.00"), &target, Some(&id));
        let answer = pacs002(&s.hub, &s.a_token, sent).await;
        assert_eq!(statuses(&answer).2, vec![TxStatus::RJCT]);
        let info = answer.transactions[0].reasons[0].additional_info.concat();
        assert!(info.contains("quote_not_found"), "{info}");
    }

    let sent = fx_transfer("A-FX-4", u, Some("100.00"), &target, Some(&quote_id));
    let answer = pacs002(&s.hub, &s.a_token, sent).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSP]);
    let p = payment(&s, u).await;
    assert_eq!(
        (
            &p["amount"],
            &p["currency"],
            &p["fx"]["target_amount"],
            &p["fx"]["target_currency"]
        ),
        (
            &json!("100.00"),
            &json!("KES"),
            &json!(target),
            &json!("UGX")
        )
    );
    let orig = original("A-FX-4", Some(u), "TX-1");
    let accept = decision("B-FX-ACK", &orig, "ACSC", None, B_BIC);
    assert_eq!(
        statuses(&pacs002(&s.hub, &s.b_token, accept).await).2,
        vec![TxStatus::ACSC]
    );
    assert_eq!(s.balance(s.a, "KES").await["position"], "-100.00");
    assert_eq!(s.balance(s.b, "UGX").await["position"], json!(target));

    // The creditor's copy says what it received and what the debtor sent.
    let (status, forwarded) =
        get_text(&s.hub, &s.b_token, &format!("/v1/iso20022/pacs.008/{u}")).await;
    assert_eq!(status, 200, "{forwarded}");
    assert!(forwarded.contains(&format!(
        r#"<IntrBkSttlmAmt Ccy="UGX">{target}</IntrBkSttlmAmt>"#
    )));
    assert!(forwarded.contains(r#"<InstdAmt Ccy="KES">100.00</InstdAmt>"#));
    // The rate applied: UGX per KES, exactly target / 100.00.
    let units: u64 = target.parse().expect("UGX amount");
    let rate = format!("<XchgRate>{}.{:02}", units / 100, units % 100);
    assert!(forwarded.contains(&rate), "{forwarded}");

    // A quote is used once.
    let again = fx_transfer(
        "A-FX-5",
        Uuid::new_v4(),
        Some("100.00"),
        &target,
        Some(&quote_id),
    );
    let answer = pacs002(&s.hub, &s.a_token, again).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::RJCT]);
    let info = answer.transactions[0].reasons[0].additional_info.concat();
    assert!(info.contains("quote_already_used"), "{info}");
    s.hub.shutdown().await;
}
