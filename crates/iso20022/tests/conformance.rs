//! Conformance over every message in ../shared/data/iso20022/: positive messages are valid and
//! (for types the hub consumes) map into their model; every negative/ file gets the verdict its
//! README entry names, or — for another scheme's rule — kliring's own verdict with the reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use iso20022::model::{AccountId, Message, TransferKind, TxStatus};
use iso20022::{Inbound, ReasonCode, Wrapper};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/iso20022");

fn corpus_files(folder_filter: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(CORPUS).expect("corpus folder exists") {
        let dir = dir.expect("dir entry").path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !dir.is_dir() || name == "xsd" || !folder_filter(name) {
            continue;
        }
        for f in std::fs::read_dir(&dir).expect("folder readable") {
            let f = f.expect("file entry").path();
            if f.extension().is_some_and(|e| e == "xml") {
                files.push(f);
            }
        }
    }
    files.sort();
    files
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(CORPUS).join(rel)).expect("corpus file")
}

fn model_name(m: &Message) -> &'static str {
    match m {
        Message::CreditTransfer(_) => "CreditTransfer",
        Message::PaymentReturn(_) => "PaymentReturn",
        Message::CancellationRequest(_) => "CancellationRequest",
        Message::StatusRequest(_) => "StatusRequest",
        Message::StatusReport(_) => "StatusReport",
    }
}

#[test]
fn every_positive_message_is_valid_and_maps_or_is_answered() {
    let files = corpus_files(|folder| folder != "negative");
    assert_eq!(files.len(), 49, "the README counts 49 positive messages");
    for file in files {
        let bytes = std::fs::read(&file).expect("readable");
        let folder = file
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .expect("folder name");
        let parsed = match iso20022::parse(&bytes) {
            Ok(p) => p,
            Err(r) => panic!("{} rejected: {:#?}", file.display(), r.violations),
        };
        let info = &parsed.info;
        assert_eq!(info.message_type, Some(folder), "{}", file.display());
        let version = info.version.as_deref().expect("version");
        assert!(version.starts_with(folder), "{version} in {folder}");
        assert!(info.msg_id.is_some(), "{}: message id", file.display());
        match (&info.inbound, &parsed.message) {
            (Some(Inbound::Consumed { model }), Some(m)) => {
                assert_eq!(model_name(m), *model, "{}", file.display())
            }
            (Some(Inbound::NotConsumed { reason }), None) => {
                assert!(
                    matches!(
                        folder,
                        "pain.001" | "pain.002" | "camt.029" | "camt.052" | "camt.053" | "camt.054"
                    ),
                    "{folder} must be consumed"
                );
                assert!(!reason.is_empty());
            }
            other => panic!("{}: inconsistent {other:?}", file.display()),
        }
    }
}

/// (file, expected verdict): `Ok(())` = kliring accepts it, `Err(code, rule)` = rejected so.
type Expectation = (
    &'static str,
    Result<(), (ReasonCode, &'static str)>,
    &'static str,
);

const NEGATIVES: &[Expectation] = &[
    (
        "pm4ml__pacs.008.outgoing.invalid.xml",
        Err((ReasonCode::FF02, "xsd.maxLength")),
        "MsgId longer than Max35Text",
    ),
    (
        "svapnil__abn_amro_example_camt.xml",
        Err((ReasonCode::FF02, "xsd.maxLength")),
        "decision: inbound statements are NOT parsed leniently; Ustrd 204 > Max140Text is \
         reported like any schema violation (the hub never acts on inbound camt.053 anyway)",
    ),
    (
        "svapnil__goldman_sachs_pain_001_v3_sepa.xml",
        Err((ReasonCode::DT01, "xsd.date")),
        "placeholder ReqdExctnDt YYYY-MM-DD",
    ),
    (
        "fednowoss__pacs008_non-usd.xml",
        Ok(()),
        "FedNow's USD-only rule (fednow.ccy.usd) belongs to FedNow; kliring is multi-currency, \
         so an EUR pacs.008 is valid here (whether EUR is in the scheme is the hub's AM03 check)",
    ),
    (
        "fednowoss__pacs002_reject-without-reason.xml",
        Ok(()),
        "fednow.rjct.reason is a FedNow rule; kliring accepts a RJCT without reason so the \
         reserved funds are released at once (a positive corpus file, pm4ml's RJCT, has none \
         either); a reason can be supplied when relaying",
    ),
    (
        "fednowoss__pacs028_missing-original.xml",
        Err((ReasonCode::FF02, "kliring.sts_req.original_group")),
        "kliring adopts the rule: its pacs.002 answer must name the original group",
    ),
    (
        "fednowoss__camt056_missing-cancellation-reason.xml",
        Err((ReasonCode::FF02, "kliring.cxl.reason")),
        "kliring adopts the rule: the creditor participant needs the cancellation reason",
    ),
    (
        "fednowoss__envelope_msgdefidr-mismatch.xml",
        Err((ReasonCode::FF01, "bah.msgdefidr")),
        "BAH says pacs.002, Document is pacs.008",
    ),
    (
        "phoughton__pacs008_credit_transfer_sample_violates_pacs.008-R41_commodity_currency_XAU.xml",
        Err((ReasonCode::AM03, "currency.known")),
        "commodity currency XAU is not a settlement currency",
    ),
    (
        "phoughton__pacs002_status_report_sample_violates_pacs.002-R5_msgdefidr_mismatch.xml",
        Err((ReasonCode::FF01, "bah.msgdefidr")),
        "MsgDefIdr WRONG.000.00",
    ),
];

#[test]
fn every_negative_file_gets_its_documented_verdict() {
    let files = corpus_files(|folder| folder == "negative");
    assert_eq!(
        files.len(),
        NEGATIVES.len(),
        "every negative file has an expectation"
    );
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let (_, expected, why) = NEGATIVES
            .iter()
            .find(|(f, _, _)| *f == name)
            .unwrap_or_else(|| panic!("no expectation for negative/{name}"));
        let report = iso20022::check(&std::fs::read(&file).expect("readable"));
        match expected {
            Ok(()) => assert!(
                report.is_valid(),
                "{name} ({why}): {:#?}",
                report.violations()
            ),
            Err((code, rule)) => {
                assert!(
                    report
                        .violations()
                        .iter()
                        .any(|v| v.code == *code && v.rule == *rule),
                    "{name} ({why}) expected {code} {rule}, got {:#?}",
                    report.violations()
                );
            }
        }
    }
}

#[test]
fn camt056_header_version_skew_is_accepted_with_a_note() {
    let report = iso20022::check(&read(
        "camt.056/ballerina__cbprplus_c.29.1.1_camt.056-AtoB.xml",
    ));
    assert!(report.is_valid(), "{:#?}", report.violations());
    assert_eq!(report.version.as_deref(), Some("camt.056.001.11"));
    assert_eq!(report.wrapper, Some(Wrapper::Envelope));
    assert_eq!(report.business_header.as_deref(), Some("head.001.001.04"));
    assert_eq!(report.notes.len(), 1);
    assert!(
        report.notes[0].contains("camt.056.001.08"),
        "{}",
        report.notes[0]
    );
}

#[test]
fn wrappers_are_recognised() {
    let cases = [
        (
            "pacs.008/fednow__sample-participant-to-fednow-message.xml",
            Wrapper::FedNowIncoming,
        ),
        (
            "pacs.002/fednow__fednow-sample-message-outgoing-pacs002.xml",
            Wrapper::FedNowOutgoing,
        ),
        ("pacs.008/phoughton__pacs.008.max.xml", Wrapper::Envelope),
        (
            "pacs.008/pm4ml__pacs.008.outgoing.valid.xml",
            Wrapper::Document,
        ),
    ];
    for (file, wrapper) in cases {
        assert_eq!(
            iso20022::check(&read(file)).wrapper,
            Some(wrapper),
            "{file}"
        );
    }
}

fn credit_transfer(rel: &str) -> iso20022::model::CreditTransfer {
    match iso20022::parse(&read(rel)).map(|p| p.message) {
        Ok(Some(Message::CreditTransfer(ct))) => ct,
        other => panic!("{rel}: {other:?}"),
    }
}

#[test]
fn pacs008_versions_map_to_the_same_model() {
    let v12 = credit_transfer("pacs.008/ballerina__hvps_c.29.1.1_pacs.008_BtoC_MI.xml");
    let tx = &v12.transactions[0];
    assert_eq!(v12.kind, TransferKind::Customer);
    assert_eq!(tx.amount.currency.as_str(), "RON");
    assert_eq!(
        tx.amount.minor_units, 59_163_600,
        "bare '591636' RON is 591636.00"
    );
    assert!(tx.uetr.is_some());

    let fednow = credit_transfer("pacs.008/fednow__sample-participant-to-fednow-message.xml");
    let tx = &fednow.transactions[0];
    assert_eq!(tx.amount.minor_units, 5_174);
    assert_eq!(tx.end_to_end_id, "Scenario01EtoEId001");
    assert_eq!(
        tx.uetr.as_deref(),
        Some("8a562c67-ca16-48ba-b074-65581be6f011")
    );
    let member = tx
        .instructing_agent
        .as_ref()
        .and_then(|a| a.member.as_ref())
        .expect("FedNow agents are ABA members");
    assert_eq!(member.member_id, "111111111");
    assert_eq!(fednow.group.settlement.method, "CLRG");
    assert_eq!(
        fednow.group.settlement.clearing_system.as_deref(),
        Some("FDN")
    );
}

#[test]
fn pacs008_max_maps_parties_and_accounts() {
    let ct = credit_transfer("pacs.008/phoughton__pacs.008.max.xml");
    let tx = &ct.transactions[0];
    assert_eq!(tx.debtor.name.as_deref(), Some("EXNm"));
    let addr = tx.debtor.address.as_ref().expect("address");
    assert_eq!(addr.country.as_deref(), Some("GB"));
    assert_eq!(addr.lines, vec!["EXAdrLine".to_owned()]);
    assert_eq!(
        tx.debtor_account,
        Some(AccountId::Other {
            id: "EXId".into(),
            scheme: Some("EXCd".into())
        })
    );
    assert_eq!(
        tx.debtor_agent.as_ref().and_then(|a| a.bic.as_deref()),
        Some("ABCDGBEFXXX")
    );
    assert_eq!(
        tx.creditor_agent.as_ref().and_then(|a| a.bic.as_deref()),
        Some("PQRSUSNOXXX")
    );
}

#[test]
fn pacs009_maps_institution_parties() {
    let ct = credit_transfer("pacs.009/ballerina__cbprplus_c.106.2.1.a_pacs.009_BtoC.xml");
    assert_eq!(ct.kind, TransferKind::Institution);
    assert!(ct.transactions[0].debtor.bic.is_some());
}

#[test]
fn status_reports_carry_status_and_reason() {
    let parsed = iso20022::parse(&read(
        "pacs.002/ballerina__cbprplus_p.2.1.2_pacs.002-DtoC.xml",
    ))
    .expect("valid");
    let Some(Message::StatusReport(sr)) = parsed.message else {
        panic!("status report expected");
    };
    let tx = &sr.transactions[0];
    assert_eq!(tx.status, Some(TxStatus::RJCT));
    assert_eq!(tx.reasons[0].code.as_deref(), Some("AC04"));
    assert_eq!(
        tx.original.uetr.as_deref(),
        Some("174c245f-2682-4291-ad67-2a41e530cd27")
    );
}

#[test]
fn returns_cancellations_and_status_requests_map() {
    let ret = iso20022::parse(&read("pacs.004/fednowoss__pacs004_valid.xml")).expect("valid");
    let Some(Message::PaymentReturn(r)) = ret.message else {
        panic!("return expected");
    };
    assert_eq!(r.transactions[0].returned_amount.minor_units, 125_000);
    assert_eq!(
        r.transactions[0].return_id.as_deref(),
        Some("RTR-20260703-0001")
    );
    let reason = r.transactions[0].reason.as_ref().expect("reason");
    assert_eq!(reason.code.as_deref(), Some("AC04"));

    let cxl = iso20022::parse(&read("camt.056/fednowoss__camt056_valid.xml")).expect("valid");
    let Some(Message::CancellationRequest(c)) = cxl.message else {
        panic!("cancellation expected");
    };
    assert!(c.case_id.is_some(), ".08 carries Case at message level");
    assert!(c.transactions[0].reason.code.is_some());

    let cxl11 = iso20022::parse(&read(
        "camt.056/ballerina__cbprplus_c.29.1.1_camt.056-AtoB.xml",
    ))
    .expect("valid");
    let Some(Message::CancellationRequest(c)) = cxl11.message else {
        panic!("cancellation expected");
    };
    assert_eq!(
        c.transactions[0].case_id.as_deref(),
        Some("MYMBGB2LXXXCSE-1")
    );
    assert_eq!(c.transactions[0].reason.code.as_deref(), Some("DUPL"));

    let req = iso20022::parse(&read("pacs.028/fednowoss__pacs028_valid.xml")).expect("valid");
    let Some(Message::StatusRequest(s)) = req.message else {
        panic!("status request expected");
    };
    assert_eq!(
        s.transactions[0].original.msg_name_id.as_deref(),
        Some("pacs.008.001.08")
    );
}

#[test]
fn check_report_serialises_for_the_cli() {
    let report = iso20022::check(&read(
        "negative/phoughton__pacs008_credit_transfer_sample_violates_pacs.008-R41_commodity_currency_XAU.xml",
    ));
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["message_type"], "pacs.008");
    assert_eq!(json["version"], "pacs.008.001.08");
    assert_eq!(json["wrapper"], "envelope");
    assert_eq!(json["verdict"]["status"], "rejected");
    assert_eq!(json["verdict"]["violations"][0]["code"], "AM03");
    assert!(
        json["verdict"]["violations"][0]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("IntrBkSttlmAmt"))
    );
}
