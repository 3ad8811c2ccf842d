//! Golden files: corpus message → version-neutral model → emitted XML, compared byte for byte
//! with tests/golden/. Regenerate deliberately with `UPDATE_GOLDEN=1 cargo test -p iso20022
//! --test golden` and review the diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use iso20022::model::Message;
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden"))
}

#[test]
fn emitted_messages_match_their_goldens() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for e in common::all_emitted() {
        let namespace = format!("urn:iso:std:iso:20022:tech:xsd:{}", e.schema);
        assert!(
            String::from_utf8_lossy(&e.xml).contains(&namespace),
            "{} is not a {} document",
            e.golden,
            e.schema
        );
        let path = golden_dir().join(e.golden);
        if update {
            std::fs::create_dir_all(golden_dir()).expect("golden dir");
            std::fs::write(&path, &e.xml).expect("write golden");
            continue;
        }
        let expected = std::fs::read(&path)
            .unwrap_or_else(|_| panic!("{} missing; run with UPDATE_GOLDEN=1", path.display()));
        if expected != e.xml {
            mismatches.push(format!(
                "{}:\n--- golden\n{}\n--- emitted\n{}",
                e.golden,
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&e.xml)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

#[test]
fn forwarded_pacs008_reads_back_into_the_same_transactions() {
    for (_, rel) in common::PACS008_SOURCES {
        let original = std::fs::read(PathBuf::from(common::CORPUS).join(rel)).expect("corpus");
        let Ok(Some(Message::CreditTransfer(before))) =
            iso20022::parse(&original).map(|p| p.message)
        else {
            panic!("{rel} does not map");
        };
        let emitted = common::forwarded_pacs008(rel);
        let after = match iso20022::parse(&emitted) {
            Ok(p) => p.message,
            Err(r) => panic!("{rel}: emitted pacs.008 rejected: {:#?}", r.violations),
        };
        let Some(Message::CreditTransfer(after)) = after else {
            panic!("{rel}: emitted message is not a credit transfer");
        };
        assert_eq!(after.transactions, before.transactions, "{rel}");
        assert_eq!(after.group.msg_id, before.group.msg_id);
        assert_eq!(after.group.settlement, before.group.settlement);
    }
}
