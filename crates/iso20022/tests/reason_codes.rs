//! Each validation rule, table-style: one edit to a valid pacs.008 → the reason code and rule
//! kliring answers with, and the element path it names.

use iso20022::ReasonCode::{self, *};
const PACS008_SAMPLE: &str = include_str!("samples/pacs008_cbpr.xml");

/// (what, replace this, with this, expected code, expected rule, path suffix)
const CASES: &[(&str, &str, &str, ReasonCode, &str, &str)] = &[
    (
        "malformed XML",
        "</Document>",
        "</Documnt>",
        FF01,
        "xml.wellformed",
        "/",
    ),
    (
        "unknown message",
        "xsd:pacs.008.001.08\">",
        "xsd:pacs.099.001.01\">",
        FF01,
        "catalog.message",
        "/Document",
    ),
    (
        "unsupported version",
        "xsd:pacs.008.001.08\">",
        "xsd:pacs.008.001.02\">",
        FF01,
        "catalog.version",
        "/Document",
    ),
    (
        "header names another message",
        "<MsgDefIdr>pacs.008.001.08</MsgDefIdr>",
        "<MsgDefIdr>pacs.009.001.08</MsgDefIdr>",
        FF01,
        "bah.msgdefidr",
        "/AppHdr/MsgDefIdr",
    ),
    (
        "MsgId longer than 35",
        "<MsgId>KLR-20261126-000001</MsgId>",
        "<MsgId>KLR-20261126-000001-0123456789-0123456789</MsgId>",
        FF02,
        "xsd.maxLength",
        "/GrpHdr/MsgId",
    ),
    (
        "required EndToEndId missing",
        "<EndToEndId>E2E-INV-2026-0042</EndToEndId>",
        "",
        FF02,
        "xsd.required",
        "/PmtId/EndToEndId",
    ),
    (
        "UETR not UUIDv4",
        "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b",
        "3F1C2B4A-5D6E-4F70-8A9B-0C1D2E3F4A5B",
        FF02,
        "xsd.pattern.uetr",
        "/PmtId/UETR",
    ),
    (
        "unknown charge bearer",
        "<ChrgBr>SHAR</ChrgBr>",
        "<ChrgBr>HALF</ChrgBr>",
        FF02,
        "xsd.enumeration",
        "/ChrgBr",
    ),
    (
        "unknown settlement method",
        "<SttlmMtd>CLRG</SttlmMtd>",
        "<SttlmMtd>CASH</SttlmMtd>",
        FF02,
        "xsd.enumeration",
        "/SttlmInf/SttlmMtd",
    ),
    (
        "bad BIC",
        "<DbtrAgt><FinInstnId><BICFI>BANKDEFFXXX</BICFI>",
        "<DbtrAgt><FinInstnId><BICFI>BANK-DE</BICFI>",
        RC01,
        "xsd.pattern.bic",
        "/DbtrAgt/FinInstnId/BICFI",
    ),
    (
        "IBAN checksum",
        "DE89370400440532013000",
        "DE89370400440532013001",
        AC01,
        "iban.checksum",
        "/DbtrAcct/Id/IBAN",
    ),
    (
        "unknown currency",
        "Ccy=\"EUR\">12500.50",
        "Ccy=\"ABC\">12500.50",
        AM03,
        "currency.known",
        "/IntrBkSttlmAmt",
    ),
    (
        "decimals beyond the currency",
        "Ccy=\"EUR\">12500.50",
        "Ccy=\"EUR\">12500.505",
        AM12,
        "amount.decimals",
        "/IntrBkSttlmAmt",
    ),
    (
        "JPY with decimals",
        "Ccy=\"EUR\">12500.50</IntrBkSttlmAmt>",
        "Ccy=\"JPY\">12500.5</IntrBkSttlmAmt>",
        AM12,
        "amount.decimals",
        "/IntrBkSttlmAmt",
    ),
    (
        "negative amount",
        "Ccy=\"EUR\">12500.50",
        "Ccy=\"EUR\">-12500.50",
        AM12,
        "amount.decimals",
        "/IntrBkSttlmAmt",
    ),
    (
        "control sum mismatch",
        "<CtrlSum>12500.50</CtrlSum>",
        "<CtrlSum>12500.51</CtrlSum>",
        AM10,
        "group.ctrl_sum",
        "/GrpHdr/CtrlSum",
    ),
    (
        "NbOfTxs mismatch",
        "<NbOfTxs>1</NbOfTxs>",
        "<NbOfTxs>2</NbOfTxs>",
        AM18,
        "group.nb_of_txs",
        "/GrpHdr/NbOfTxs",
    ),
    (
        "impossible date",
        "<IntrBkSttlmDt>2026-11-26</IntrBkSttlmDt>",
        "<IntrBkSttlmDt>2026-02-30</IntrBkSttlmDt>",
        DT01,
        "xsd.date",
        "/IntrBkSttlmDt",
    ),
    (
        "instructed in another currency without XchgRate",
        "<ChrgBr>SHAR</ChrgBr>",
        "<InstdAmt Ccy=\"USD\">13600.00</InstdAmt><ChrgBr>SHAR</ChrgBr>",
        FF02,
        "InstructedAmountAndExchangeRate1Rule",
        "/CdtTrfTxInf",
    ),
    (
        "XchgRate not a decimal",
        "<ChrgBr>SHAR</ChrgBr>",
        "<InstdAmt Ccy=\"USD\">13600.00</InstdAmt><XchgRate>1,08</XchgRate><ChrgBr>SHAR</ChrgBr>",
        FF02,
        "xsd.decimal",
        "/XchgRate",
    ),
    (
        "no Document at all",
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">",
        "<Document xmlns=\"urn:example:not-iso\">",
        FF01,
        "envelope.document",
        "/Envelope",
    ),
];

#[test]
fn each_rule_answers_with_its_reason_code() {
    assert!(iso20022::check(PACS008_SAMPLE.as_bytes()).is_valid());
    for (what, from, to, code, rule, path) in CASES {
        assert!(PACS008_SAMPLE.contains(from), "{what}: sample lacks {from}");
        let xml = PACS008_SAMPLE.replacen(from, to, 1);
        let report = iso20022::check(xml.as_bytes());
        let hit = report
            .violations()
            .iter()
            .find(|v| v.code == *code && v.rule == *rule);
        match hit {
            Some(v) => assert!(v.path.ends_with(path), "{what}: path {} !~ {path}", v.path),
            None => panic!(
                "{what}: expected {code} {rule}, got {:#?}",
                report.violations()
            ),
        }
    }
}

#[test]
fn control_sum_accepts_equal_values_in_other_scales() {
    let xml = PACS008_SAMPLE.replacen(
        "<CtrlSum>12500.50</CtrlSum>",
        "<CtrlSum>12500.5</CtrlSum>",
        1,
    );
    assert!(iso20022::check(xml.as_bytes()).is_valid());
}

#[test]
fn several_violations_are_all_reported() {
    let xml = PACS008_SAMPLE
        .replacen("<NbOfTxs>1</NbOfTxs>", "<NbOfTxs>3</NbOfTxs>", 1)
        .replacen("DE89370400440532013000", "DE00370400440532013000", 1);
    let codes: Vec<_> = iso20022::check(xml.as_bytes())
        .violations()
        .iter()
        .map(|v| v.code)
        .collect();
    assert!(codes.contains(&AM18) && codes.contains(&AC01), "{codes:?}");
}
