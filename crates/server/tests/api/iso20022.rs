//! ISO 20022 over HTTP, end to end on a real hub: pacs.008 → reserved payment, the creditor's
//! pacs.002 commits or voids it, camt.053/camt.054 and the forwarded pacs.008 show it
//! (XSD-valid), pacs.028 reports it, pacs.004 returns it, camt.056 cancels a reserved payment
//! or asks the creditor to return a settled one (camt.029 CNCL / PDCR / RJCR); the
//! refusals (wrong instructing agent, duplicate MsgId, too many decimals, unknown BIC, inbound
//! statements, unreadable XML).

use std::process::Command;

use iso20022::Message;
use iso20022::model::{StatusReport, TxStatus};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub};

pub(crate) const A_BIC: &str = "ALPHKENA";
pub(crate) const B_BIC: &str = "BETAKENA";
pub(crate) const C_BIC: &str = "GAMMKENA";

pub(crate) fn data(path: &str) -> String {
    format!(
        "{}/../../../shared/data/iso20022/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Posts XML; returns the status and the body text.
pub(crate) async fn post_xml(hub: &TestHub, token: Option<&str>, xml: String) -> (u16, String) {
    let mut request = hub
        .client
        .post(format!("{}/v1/iso20022", hub.base))
        .header("content-type", "application/xml")
        .body(xml);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

pub(crate) async fn get_text(hub: &TestHub, token: &str, path: &str) -> (u16, String) {
    let response = hub
        .client
        .get(format!("{}{path}", hub.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Posts XML and reads the answer as a pacs.002 (with the hub's own reader).
pub(crate) async fn pacs002(hub: &TestHub, token: &str, xml: String) -> StatusReport {
    let (status, body) = post_xml(hub, Some(token), xml).await;
    assert_eq!(status, 200, "{body}");
    match iso20022::parse(body.as_bytes()) {
        Ok(parsed) => match parsed.message {
            Some(Message::StatusReport(report)) => report,
            other => panic!("not a pacs.002: {other:?}\n{body}"),
        },
        Err(rejection) => panic!("the hub's pacs.002 does not read back: {rejection:?}\n{body}"),
    }
}

/// Group status and reason codes, then each transaction's.
pub(crate) fn statuses(report: &StatusReport) -> (Option<TxStatus>, Vec<String>, Vec<TxStatus>) {
    let group = report.groups.first().expect("group");
    let codes = group
        .reasons
        .iter()
        .chain(report.transactions.iter().flat_map(|t| t.reasons.iter()))
        .filter_map(|r| r.code.clone())
        .collect();
    let txs = report
        .transactions
        .iter()
        .filter_map(|t| t.status)
        .collect();
    (group.status, codes, txs)
}

pub(crate) fn agent(name: &str, bic: &str) -> String {
    format!("<{name}><FinInstnId><BICFI>{bic}</BICFI></FinInstnId></{name}>")
}

/// A one-transaction pacs.008.001.08 from `instg` to `instd`.
pub(crate) struct Transfer<'a> {
    pub(crate) msg_id: &'a str,
    pub(crate) uetr: Option<Uuid>,
    pub(crate) tx_id: &'a str,
    pub(crate) amount: &'a str,
    pub(crate) currency: &'a str,
    pub(crate) instg: &'a str,
    pub(crate) instd: &'a str,
    pub(crate) creditor: &'a str,
}

impl<'a> Transfer<'a> {
    pub(crate) fn kes(msg_id: &'a str, uetr: Option<Uuid>, amount: &'a str) -> Self {
        Transfer {
            msg_id,
            uetr,
            tx_id: "TX-1",
            amount,
            currency: "KES",
            instg: A_BIC,
            instd: B_BIC,
            creditor: "Juma Mwangi",
        }
    }

    pub(crate) fn xml(&self) -> String {
        let uetr = self
            .uetr
            .map(|u| format!("<UETR>{u}</UETR>"))
            .unwrap_or_default();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>{msg}</MsgId><CreDtTm>2026-11-26T09:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><InstrId>I-{tx}</InstrId><EndToEndId>E2E-{tx}</EndToEndId><TxId>{tx}</TxId>{uetr}</PmtId>
<IntrBkSttlmAmt Ccy="{ccy}">{amount}</IntrBkSttlmAmt><ChrgBr>SLEV</ChrgBr>
{instg}{instd}
<Dbtr><Nm>Amina Odhiambo</Nm><PstlAdr><StrtNm>Moi Avenue</StrtNm><TwnNm>Nairobi</TwnNm><Ctry>KE</Ctry></PstlAdr></Dbtr>
<DbtrAcct><Id><Othr><Id>0011223344</Id></Othr></Id></DbtrAcct>
{dbtr_agt}{cdtr_agt}
<Cdtr><Nm>{creditor}</Nm><PstlAdr><Ctry>KE</Ctry></PstlAdr></Cdtr>
<CdtrAcct><Id><Othr><Id>5566778899</Id></Othr></Id></CdtrAcct>
<RmtInf><Ustrd>invoice 42</Ustrd></RmtInf></CdtTrfTxInf>
</FIToFICstmrCdtTrf></Document>"#,
            msg = self.msg_id,
            tx = self.tx_id,
            ccy = self.currency,
            amount = self.amount,
            instg = agent("InstgAgt", self.instg),
            instd = agent("InstdAgt", self.instd),
            dbtr_agt = agent("DbtrAgt", self.instg),
            cdtr_agt = agent("CdtrAgt", self.instd),
            creditor = self.creditor,
        )
    }
}

/// The transaction references of an original pacs.008 (`Orgnl...` elements).
pub(crate) fn original(msg_id: &str, uetr: Option<Uuid>, tx_id: &str) -> String {
    let uetr = uetr
        .map(|u| format!("<OrgnlUETR>{u}</OrgnlUETR>"))
        .unwrap_or_default();
    format!(
        "<OrgnlGrpInf><OrgnlMsgId>{msg_id}</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>\
         </OrgnlGrpInf><OrgnlEndToEndId>E2E-{tx_id}</OrgnlEndToEndId><OrgnlTxId>{tx_id}</OrgnlTxId>{uetr}"
    )
}

/// A creditor's pacs.002.001.10 with one transaction status.
pub(crate) fn decision(
    msg_id: &str,
    orig: &str,
    status: &str,
    reason: Option<&str>,
    instg: &str,
) -> String {
    let reason = reason
        .map(|r| format!("<StsRsnInf><Rsn><Cd>{r}</Cd></Rsn></StsRsnInf>"))
        .unwrap_or_default();
    format!(
        r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
<GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-11-26T09:05:00Z</CreDtTm></GrpHdr>
<TxInfAndSts>{orig}<TxSts>{status}</TxSts>{reason}{instg}</TxInfAndSts>
</FIToFIPmtStsRpt></Document>"#,
        instg = agent("InstgAgt", instg),
    )
}

/// A pacs.028.001.03 asking about one transaction.
pub(crate) fn status_request(msg_id: &str, orig: &str, instg: &str) -> String {
    format!(
        r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.028.001.03"><FIToFIPmtStsReq>
<GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-11-26T09:06:00Z</CreDtTm></GrpHdr>
<TxInf>{orig}{instg}</TxInf></FIToFIPmtStsReq></Document>"#,
        instg = agent("InstgAgt", instg),
    )
}

pub(crate) async fn payment(s: &Scheme, id: Uuid) -> Value {
    let reply = s.hub.get(&format!("/v1/payments/{id}"), &s.a_token).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// The XML without the emitter's indentation, for substring checks.
pub(crate) fn compact(xml: &str) -> String {
    xml.lines().map(str::trim).collect()
}

/// xmllint against an official schema; a missing xmllint fails the test.
pub(crate) fn assert_xsd_valid(xml: &str, xsd: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("message.xml");
    std::fs::write(&file, xml).expect("write");
    let output = Command::new("xmllint")
        .args(["--noout", "--schema", &data(&format!("xsd/{xsd}"))])
        .arg(&file)
        .output()
        .expect("xmllint is required (apt-get install -y libxml2-utils)");
    assert!(
        output.status.success(),
        "{xsd}: {}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn pacs008_reserves_pacs002_commits_and_camt053_shows_it() {
    let s = Scheme::new().await;
    let u1 = Uuid::new_v4();
    let sent = Transfer::kes("A-MSG-1", Some(u1), "150.00");
    let answer = pacs002(&s.hub, &s.a_token, sent.xml()).await;
    assert_eq!(
        statuses(&answer),
        (Some(TxStatus::ACSP), vec![], vec![TxStatus::ACSP])
    );
    assert_eq!(answer.groups[0].original_msg_id, "A-MSG-1");
    let p = payment(&s, u1).await;
    assert_eq!(
        (
            p["status"].as_str(),
            p["amount"].as_str(),
            p["end_to_end_id"].as_str()
        ),
        (Some("reserved"), Some("150.00"), Some("E2E-TX-1"))
    );

    let accept = decision(
        "B-STS-1",
        &original("A-MSG-1", Some(u1), "TX-1"),
        "ACSC",
        None,
        B_BIC,
    );
    let answer = pacs002(&s.hub, &s.b_token, accept).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSC]);
    assert_eq!(payment(&s, u1).await["status"], "committed");
    assert_eq!(s.balance(s.a, "KES").await["position"], "-150.00");

    // A second payment without UETR (id derived from MsgId + TxId), voided by the creditor.
    let sent = Transfer::kes("A-MSG-2", None, "20.00");
    assert_eq!(
        statuses(&pacs002(&s.hub, &s.a_token, sent.xml()).await).2,
        vec![TxStatus::ACSP]
    );
    let reject = decision(
        "B-STS-2",
        &original("A-MSG-2", None, "TX-1"),
        "RJCT",
        Some("AC04"),
        B_BIC,
    );
    let answer = pacs002(&s.hub, &s.b_token, reject).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::RJCT]);
    assert_eq!(statuses(&answer).1, vec!["AC04".to_owned()]);
    assert_eq!(s.balance(s.a, "KES").await["position"], "-150.00");
    let ask = status_request("A-REQ-2", &original("A-MSG-2", None, "TX-1"), A_BIC);
    let answer = pacs002(&s.hub, &s.a_token, ask).await;
    assert_eq!(
        (statuses(&answer).1, statuses(&answer).2),
        (vec!["AC04".to_owned()], vec![TxStatus::RJCT])
    );

    // The payment as forwarded to the creditor: schema-valid, and it reads back.
    let (status, forwarded) =
        get_text(&s.hub, &s.b_token, &format!("/v1/iso20022/pacs.008/{u1}")).await;
    assert_eq!(status, 200, "{forwarded}");
    assert_xsd_valid(&forwarded, "pacs.008.001.08.xsd");
    match iso20022::parse(forwarded.as_bytes()).map(|p| p.message) {
        Ok(Some(Message::CreditTransfer(ct))) => {
            let tx = &ct.transactions[0];
            assert_eq!(tx.uetr, Some(u1.to_string()));
            assert_eq!(tx.amount.to_decimal_string(), "150.00");
            assert_eq!(tx.creditor.name.as_deref(), Some("Juma Mwangi"));
        }
        other => panic!("{other:?}\n{forwarded}"),
    }

    // A third payment stays reserved: notified as pending, not in the statement.
    let u3 = Uuid::new_v4();
    let sent = Transfer::kes("A-MSG-3", Some(u3), "5.00");
    pacs002(&s.hub, &s.a_token, sent.xml()).await;
    let (status, pending) =
        get_text(&s.hub, &s.a_token, &format!("/v1/iso20022/camt.054/{u3}")).await;
    assert_eq!(status, 200, "{pending}");
    assert!(
        compact(&pending).contains("<Sts><Cd>PDNG</Cd></Sts>"),
        "{pending}"
    );

    // The day's statements: A debited, B credited, one booked entry each (the voided and the
    // reserved ones are not booked); schema-valid and readable by the hub's own reader.
    let path = |p: u64| {
        format!("/v1/iso20022/camt.053?participant={p}&currency=KES&from=2000-01-01&to=2100-01-01")
    };
    let (status, a_stmt) = get_text(&s.hub, &s.a_token, &path(s.a)).await;
    assert_eq!(status, 200, "{a_stmt}");
    assert_xsd_valid(&a_stmt, "camt.053.001.12.xsd");
    assert!(iso20022::check(a_stmt.as_bytes()).is_valid(), "{a_stmt}");
    assert_eq!(a_stmt.matches("<Ntry>").count(), 1, "{a_stmt}");
    assert!(a_stmt.contains(&u1.to_string()), "{a_stmt}");
    let debit = r#"<Amt Ccy="KES">150.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>"#;
    assert!(compact(&a_stmt).contains(debit), "{a_stmt}");
    let (_, b_stmt) = get_text(&s.hub, &s.b_token, &path(s.b)).await;
    let credit = r#"<Amt Ccy="KES">150.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"#;
    assert!(compact(&b_stmt).contains(credit), "{b_stmt}");
    let (status, _) = get_text(&s.hub, &s.c_token, &path(s.a)).await;
    assert_eq!(status, 403, "another participant's statement");
    let beyond = format!(
        "/v1/iso20022/camt.053?participant={}&currency=KES&from=2000-01-01&to=9999-12-31",
        s.a
    );
    let (status, body) = get_text(&s.hub, &s.a_token, &beyond).await;
    assert_eq!(status, 422, "a day past the calendar is refused: {body}");
    assert!(body.contains("invalid_datetime"), "{body}");

    let (status, notification) =
        get_text(&s.hub, &s.b_token, &format!("/v1/iso20022/camt.054/{u1}")).await;
    assert_eq!(status, 200, "{notification}");
    assert_xsd_valid(&notification, "camt.054.001.12.xsd");
    assert!(notification.contains("CRDT"), "{notification}");
    s.hub.shutdown().await;
}

pub(crate) async fn not_created(s: &Scheme, id: Uuid) {
    let reply = s.hub.get(&format!("/v1/payments/{id}"), &s.a_token).await;
    assert_eq!(reply.status, 404, "nothing applied: {:?}", reply.body);
}

/// The whole message was refused (group RJCT, no transaction statuses) with `code` first.
pub(crate) fn rejected_whole(report: &StatusReport, code: &str) {
    let (group, codes, txs) = statuses(report);
    assert_eq!(group, Some(TxStatus::RJCT));
    assert!(txs.is_empty(), "whole message refused");
    assert_eq!(codes.first().map(String::as_str), Some(code), "{codes:?}");
}

#[tokio::test]
async fn refusals_wrong_agent_duplicate_decimals_unknown_bic() {
    let s = Scheme::new().await;
    // A sends a message whose instructing agent is C.
    let u = Uuid::new_v4();
    let mut sent = Transfer::kes("A-AG-1", Some(u), "10.00");
    sent.instg = C_BIC;
    rejected_whole(&pacs002(&s.hub, &s.a_token, sent.xml()).await, "AG01");
    not_created(&s, u).await;

    // Duplicate MsgId, with new content and as an identical resend.
    let first = Transfer::kes("A-DUP-1", Some(Uuid::new_v4()), "10.00");
    assert_eq!(
        statuses(&pacs002(&s.hub, &s.a_token, first.xml()).await).0,
        Some(TxStatus::ACSP)
    );
    let u = Uuid::new_v4();
    let again = Transfer::kes("A-DUP-1", Some(u), "11.00");
    rejected_whole(&pacs002(&s.hub, &s.a_token, again.xml()).await, "DU01");
    not_created(&s, u).await;
    rejected_whole(&pacs002(&s.hub, &s.a_token, first.xml()).await, "DU01");

    // More decimals than the currency has (KES 2, JPY 0).
    for (amount, currency) in [("1.234", "KES"), ("100.5", "JPY")] {
        let u = Uuid::new_v4();
        let mut sent = Transfer::kes("A-DEC-1", Some(u), amount);
        sent.currency = currency;
        rejected_whole(&pacs002(&s.hub, &s.a_token, sent.xml()).await, "AM12");
        not_created(&s, u).await;
    }

    // An instructed agent that is not a participant; then the MsgId is free again.
    let u = Uuid::new_v4();
    let mut sent = Transfer::kes("A-BIC-1", Some(u), "10.00");
    sent.instd = "ZZZZKENA";
    rejected_whole(&pacs002(&s.hub, &s.a_token, sent.xml()).await, "RC04");
    not_created(&s, u).await;
    sent.instd = B_BIC;
    assert_eq!(
        statuses(&pacs002(&s.hub, &s.a_token, sent.xml()).await).0,
        Some(TxStatus::ACSP)
    );

    // Over the net debit cap (1000.00): the hub's AM04 on the transaction.
    let big = Transfer::kes("A-CAP-1", Some(Uuid::new_v4()), "5000.00");
    let answer = pacs002(&s.hub, &s.a_token, big.xml()).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::RJCT]);
    assert_eq!(statuses(&answer).1, vec!["AM04".to_owned()]);

    // A screening hit: held for compliance (PDNG), and so reported to a status request.
    let u = Uuid::new_v4();
    let mut sent = Transfer::kes("A-HIT-1", Some(u), "50.00");
    sent.creditor = "Doku Umarov";
    let answer = pacs002(&s.hub, &s.a_token, sent.xml()).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::PDNG]);
    assert_eq!(payment(&s, u).await["status"], "held");
    let ask = status_request("A-REQ-H", &original("A-HIT-1", Some(u), "TX-1"), A_BIC);
    assert_eq!(
        statuses(&pacs002(&s.hub, &s.a_token, ask).await).2,
        vec![TxStatus::PDNG]
    );

    // A participant admitted after the ISO routes cached the directory is found.
    crate::harness::admit(&s.hub, "Delta Bank", "DELTKENA").await;
    let mut sent = Transfer::kes("A-NEW-1", Some(Uuid::new_v4()), "2.00");
    sent.instd = "DELTKENAXXX";
    let answer = pacs002(&s.hub, &s.a_token, sent.xml()).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSP]);

    // Only the creditor may decide: A "accepting" its own payment is refused (AG01).
    let u = Uuid::new_v4();
    let sent = Transfer::kes("A-OWN-1", Some(u), "1.00");
    pacs002(&s.hub, &s.a_token, sent.xml()).await;
    let accept = decision(
        "A-STS-1",
        &original("A-OWN-1", Some(u), "TX-1"),
        "ACSC",
        None,
        A_BIC,
    );
    let answer = pacs002(&s.hub, &s.a_token, accept).await;
    assert_eq!(statuses(&answer).1, vec!["AG01".to_owned()]);
    assert_eq!(payment(&s, u).await["status"], "reserved");
    s.hub.shutdown().await;
}

/// Posts a one-transaction camt.056.001.08 (reason DUPL) from the caller's bank for `orig`;
/// checks the HTTP status and that the camt.029 answer is XSD-valid.
async fn cancel(s: &Scheme, token: &str, id: &str, orig: &str, expected: u16) -> String {
    let assigner = if token == s.a_token { A_BIC } else { B_BIC };
    let xml = format!(
        r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.056.001.08"><FIToFIPmtCxlReq>
<Assgnmt><Id>{id}</Id><Assgnr><Agt><FinInstnId><BICFI>{assigner}</BICFI></FinInstnId></Agt></Assgnr>
<Assgne><Agt><FinInstnId><BICFI>{B_BIC}</BICFI></FinInstnId></Agt></Assgne><CreDtTm>2026-11-26T09:07:00Z</CreDtTm></Assgnmt>
<Undrlyg><TxInf>{orig}<CxlRsnInf><Rsn><Cd>DUPL</Cd></Rsn></CxlRsnInf></TxInf></Undrlyg>
</FIToFIPmtCxlReq></Document>"#
    );
    let (status, resolution) = post_xml(&s.hub, Some(token), xml).await;
    assert_eq!(status, expected, "{resolution}");
    assert_xsd_valid(&resolution, "camt.029.001.09.xsd");
    resolution
}

#[tokio::test]
async fn pacs004_returns_camt056_cancels_or_asks_back_and_pacs028_reports() {
    let s = Scheme::new().await;
    let u = Uuid::new_v4();
    pacs002(
        &s.hub,
        &s.a_token,
        Transfer::kes("A-RET-1", Some(u), "40.00").xml(),
    )
    .await;

    // A cancellation of another reserved payment voids it: camt.029 CNCL, A's position restored.
    let v = Uuid::new_v4();
    let before = s.balance(s.a, "KES").await;
    pacs002(
        &s.hub,
        &s.a_token,
        Transfer::kes("A-CXL-0", Some(v), "25.00").xml(),
    )
    .await;
    assert_ne!(s.balance(s.a, "KES").await, before, "reserved");
    let orig_v = original("A-CXL-0", Some(v), "TX-1");
    let resolution = cancel(&s, &s.a_token, "A-CXL-1", &orig_v, 200).await;
    assert!(resolution.contains("<Conf>CNCL</Conf>"), "{resolution}");
    assert!(
        resolution.contains("<TxCxlSts>ACCR</TxCxlSts>"),
        "{resolution}"
    );
    let voided = payment(&s, v).await;
    assert_eq!(
        (
            &voided["status"],
            &voided["reason_code"],
            &voided["iso_reason"]
        ),
        (
            &json!("rejected"),
            &json!("cancelled_by_debtor"),
            &json!("DS02")
        )
    );
    assert_eq!(s.balance(s.a, "KES").await, before, "voided");
    // Resent: the same answer (the hub replays the cancel); B may not cancel A's payment.
    let again = cancel(&s, &s.a_token, "A-CXL-1", &orig_v, 200).await;
    assert!(again.contains("<Conf>CNCL</Conf>"), "{again}");
    let by_b = cancel(&s, &s.b_token, "B-CXL-1", &orig_v, 200).await;
    assert!(by_b.contains("<Conf>RJCR</Conf>"), "{by_b}");
    let unknown = original("A-NONE-1", Some(Uuid::new_v4()), "TX-1");
    let none = cancel(&s, &s.a_token, "A-CXL-2", &unknown, 200).await;
    assert!(none.contains("<Cd>NOOR</Cd>"), "{none}");

    let accept = decision(
        "B-STS-9",
        &original("A-RET-1", Some(u), "TX-1"),
        "ACSC",
        None,
        B_BIC,
    );
    pacs002(&s.hub, &s.b_token, accept).await;
    assert_eq!(s.balance(s.a, "KES").await["position"], "-40.00");

    // Settled: the cancellation becomes a return request to B (PDCR); nothing moves.
    let orig_u = original("A-RET-1", Some(u), "TX-1");
    let pending = cancel(&s, &s.a_token, "A-CXL-3", &orig_u, 200).await;
    assert!(pending.contains("<Conf>PDCR</Conf>"), "{pending}");
    assert_eq!(payment(&s, u).await["status"], "committed");
    let inbox = s.hub.get("/v1/inbox", &s.b_token).await;
    let last = inbox.body["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned();
    let last = last.expect("an event");
    assert_eq!(
        (&last["kind"], &last["payment_id"], &last["reason_code"]),
        (
            &json!("return_requested"),
            &json!(u),
            &json!("duplicate_payment")
        )
    );

    let ret = |msg: &str, amount: &str| {
        format!(
            r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09"><PmtRtr>
<GrpHdr><MsgId>{msg}</MsgId><CreDtTm>2026-11-26T09:10:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<TxInf><RtrId>R-1</RtrId>{orig}<RtrdIntrBkSttlmAmt Ccy="KES">{amount}</RtrdIntrBkSttlmAmt>{instg}
<RtrRsnInf><Rsn><Cd>AC04</Cd></Rsn></RtrRsnInf></TxInf></PmtRtr></Document>"#,
            orig = original("A-RET-1", Some(u), "TX-1"),
            instg = agent("InstgAgt", B_BIC),
        )
    };
    let partial = pacs002(&s.hub, &s.b_token, ret("B-RET-0", "10.00")).await;
    assert_eq!(
        (statuses(&partial).1, statuses(&partial).2),
        (vec!["AM09".to_owned()], vec![TxStatus::RJCT])
    );
    let answer = pacs002(&s.hub, &s.b_token, ret("B-RET-1", "40.00")).await;
    assert_eq!(statuses(&answer).2, vec![TxStatus::ACSC]);
    assert_eq!(payment(&s, u).await["status"], "returned");
    assert_eq!(s.balance(s.a, "KES").await["position"], "0.00");
    let late = cancel(&s, &s.a_token, "A-CXL-4", &orig_u, 200).await;
    assert!(late.contains("<Cd>ARDT</Cd>"), "{late}");

    // The debtor asks: settled, then returned (narrative names the return).
    let ask = status_request("A-REQ-9", &original("A-RET-1", Some(u), "TX-1"), A_BIC);
    let answer = pacs002(&s.hub, &s.a_token, ask).await;
    assert_eq!(
        (statuses(&answer).1, statuses(&answer).2),
        (vec!["NARR".to_owned()], vec![TxStatus::ACSC])
    );
    // C is not party to it: not found.
    let ask = status_request("C-REQ-1", &original("A-RET-1", Some(u), "TX-1"), C_BIC);
    assert_eq!(
        statuses(&pacs002(&s.hub, &s.c_token, ask).await).2,
        vec![TxStatus::RJCT]
    );
    s.hub.shutdown().await;
}

#[tokio::test]
async fn inbound_statements_unreadable_xml_and_callers() {
    let s = Scheme::new().await;
    let statement = std::fs::read_to_string(data("camt.053/svapnil__ing_example_camt.xml"))
        .expect("corpus camt.053");
    let (status, body) = post_xml(&s.hub, Some(&s.a_token), statement).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("iso20022_not_consumed"), "{body}");

    let (status, body) = post_xml(&s.hub, Some(&s.a_token), "not xml at all".into()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("iso20022_unreadable"), "{body}");

    // Invalid but identifiable (no debtor): pacs.002 RJCT naming the rule, nothing applied.
    let u = Uuid::new_v4();
    let xml = Transfer::kes("A-BAD-1", Some(u), "1.00")
        .xml()
        .replace("<Dbtr><Nm>Amina Odhiambo</Nm>", "<Dbtr>");
    let (group, codes, _) = statuses(&pacs002(&s.hub, &s.a_token, xml).await);
    assert_eq!(group, Some(TxStatus::RJCT));
    assert!(!codes.is_empty(), "a reason per violation");

    let xml = Transfer::kes("A-AUTH-1", Some(u), "1.00").xml();
    assert_eq!(post_xml(&s.hub, None, xml.clone()).await.0, 401);
    assert_eq!(post_xml(&s.hub, Some(OPERATOR_TOKEN), xml).await.0, 403);
    let reply = s.hub.get(&format!("/v1/payments/{u}"), &s.a_token).await;
    assert_eq!(reply.status, 404);

    let openapi = s.hub.get("/v1/openapi.json", &s.a_token).await;
    for path in [
        "/v1/iso20022",
        "/v1/iso20022/camt.053",
        "/v1/iso20022/camt.054/{id}",
        "/v1/iso20022/pacs.008/{id}",
    ] {
        assert!(openapi.body["paths"].get(path).is_some(), "{path}");
    }
    s.hub.shutdown().await;
}

/// Every message of the conformance corpus, posted by a participant whose BIC none of them
/// names: an ISO answer (pacs.002, or camt.029 for camt.056) that reads back valid, or the
/// documented 400/422; never a server error, and nothing applied.
#[tokio::test]
async fn every_corpus_message_is_answered_without_a_server_error() {
    let s = Scheme::new().await;
    let consumed = [
        "pacs.008", "pacs.009", "pacs.002", "pacs.004", "pacs.028", "camt.056",
    ];
    let folders = [
        "pacs.008", "pacs.009", "pacs.002", "pacs.004", "pacs.028", "camt.056", "camt.029",
        "camt.052", "camt.053", "camt.054", "pain.001", "pain.002", "negative",
    ];
    for folder in folders {
        let mut files: Vec<_> = std::fs::read_dir(data(folder))
            .expect("corpus folder")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for file in files {
            let xml = std::fs::read_to_string(&file).expect("corpus file");
            let (status, body) = post_xml(&s.hub, Some(&s.a_token), xml).await;
            let name = file.display();
            if consumed.contains(&folder) {
                assert_eq!(
                    status, 200,
                    "{name}: a consumed type is answered in ISO form: {body}"
                );
            }
            match status {
                200 => {
                    let report = iso20022::check(body.as_bytes());
                    assert!(report.is_valid(), "{name}: {report:?}\n{body}");
                    let kind = report.message_type.as_deref();
                    assert!(
                        matches!(kind, Some("pacs.002" | "camt.029")),
                        "{name}: {kind:?}"
                    );
                }
                422 => {
                    assert!(body.contains("iso20022_not_consumed"), "{name}: {body}");
                    assert!(!consumed.contains(&folder), "{name}: consumed type refused");
                }
                400 => assert!(body.contains("iso20022_unreadable"), "{name}: {body}"),
                other => panic!("{name}: HTTP {other}: {body}"),
            }
        }
    }
    let listed = s.hub.get("/v1/payments", &s.a_token).await;
    assert_eq!(
        listed.body["payments"].as_array().map(Vec::len),
        Some(0),
        "{:?}",
        listed.body
    );
    s.hub.shutdown().await;
}
