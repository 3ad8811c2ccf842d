//! Every emitted message validates against the official ISO 20022 XSD with libxml2's xmllint
//! (installed by scripts/test). A missing xmllint fails the test rather than skipping it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use iso20022::emit::{self, StatusReportOut};
use std::path::Path;
use std::process::Command;

fn validate(schema: &str, xml: &[u8], label: &str) {
    let xsd = Path::new(common::CORPUS)
        .join("xsd")
        .join(format!("{schema}.xsd"));
    assert!(xsd.exists(), "schema {} missing", xsd.display());
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(label);
    std::fs::write(&file, xml).expect("write emitted XML");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint is required (apt-get install -y libxml2-utils; scripts/test installs it): {e}")
        });
    assert!(
        output.status.success(),
        "{label} is not valid against {schema}:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(xml)
    );
}

#[test]
fn every_emitted_message_is_schema_valid() {
    let emitted = common::all_emitted();
    assert!(emitted.len() >= 11);
    for e in emitted {
        validate(e.schema, &e.xml, e.golden);
    }
}

#[test]
fn rejections_of_the_negative_corpus_are_schema_valid_pacs002() {
    let dir = Path::new(common::CORPUS).join("negative");
    let mut answered = Vec::new();
    let mut unanswerable = Vec::new();
    for entry in std::fs::read_dir(dir).expect("negative folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let Err(rejection) = iso20022::parse(&std::fs::read(&path).expect("readable")) else {
            continue;
        };
        let out = StatusReportOut::rejecting(
            &rejection,
            "KLR-RJCT-000001".into(),
            "2026-11-26T10:00:00Z".into(),
        );
        match out {
            Some(report) => {
                assert_eq!(
                    report.group_reasons[0].code,
                    rejection.violations[0].code.as_str()
                );
                let xml = emit::pacs002(&report).expect("emits");
                validate(emit::PACS002_VERSION, &xml, &name);
                answered.push(name);
            }
            None => unanswerable.push(name),
        }
    }
    // Only pm4ml's pacs.008 is unanswerable in ISO form: its MsgId (36 chars) cannot be echoed.
    assert_eq!(unanswerable, ["pm4ml__pacs.008.outgoing.invalid.xml"]);
    assert_eq!(answered.len(), 7, "{answered:?}");
}

#[test]
fn an_invalid_document_is_caught_by_the_validator() {
    // Guards the guard: a schema-invalid pacs.002 (TxSts with 5 letters) must fail xmllint.
    let bad = br#"<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
<GrpHdr><MsgId>X</MsgId><CreDtTm>2026-01-01T00:00:00Z</CreDtTm></GrpHdr>
<TxInfAndSts><TxSts>TOOLONG</TxSts></TxInfAndSts></FIToFIPmtStsRpt></Document>"#;
    let xsd = Path::new(common::CORPUS).join("xsd/pacs.002.001.10.xsd");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.xml");
    std::fs::write(&file, bad).expect("write");
    let status = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .expect("xmllint is required")
        .status;
    assert!(!status.success());
}
