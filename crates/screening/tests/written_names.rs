//! Listed names written out whole in free text are found however short or common they are
//! (the red-team found "Donation to AL-QAIDA" reserved), in any canonical reading, while
//! ordinary remittance and address text stays clear.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::sync::OnceLock;

use screening::{DEFAULT_THRESHOLD, ListSet, Query, RawList, import, no_progress};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/sanctions/"
);

fn un() -> &'static ListSet {
    static LISTS: OnceLock<ListSet> = OnceLock::new();
    LISTS.get_or_init(|| {
        let xml = std::fs::read(format!("{DATA}un_sc_consolidated_2026-02-27.xml"))
            .expect("real UN list present in shared/data");
        ListSet::from_lists(vec![
            import(&RawList::Un { xml }, None, &mut no_progress).unwrap(),
        ])
    })
}

fn references(text: &str) -> Vec<String> {
    un().snapshot()
        .screen_text(&Query::name(text), DEFAULT_THRESHOLD)
        .hits
        .into_iter()
        .map(|h| h.reference)
        .collect()
}

#[test]
fn short_and_common_listed_names_are_found_in_text() {
    for (text, reference) in [
        ("Donation to AL-QAIDA", "QDe.004"),
        ("AL QAIDA", "QDe.004"),
        ("support al-qaeda brothers", "QDe.004"),
        ("payment for JUND AL AQSA services", "QDe.156"),
        ("school fees KIM KYU", "KPi.022"),
        ("transfer to Amir Rahimi, Tehran", "IRi.030"),
        // Disguised as well as short: invisible characters, look-alike letters.
        ("Donation to AL-QA\u{200B}IDA", "QDe.004"),
        ("Donation to AL-QАIDA", "QDe.004"),
        // Far down a long text, past any token limit.
        (
            "invoice 2026 0042 for goods shipped from Mombasa to Kampala by road freight \
             under contract 77 with the usual terms, balance to be paid to AL-QAIDA",
            "QDe.004",
        ),
    ] {
        let found = references(text);
        assert!(
            found.iter().any(|r| r == reference),
            "{text:?}: {reference} not among {found:?}"
        );
    }
}

#[test]
fn ordinary_free_text_stays_clear() {
    for text in [
        "invoice 42 for consulting services",
        "salary March 2026",
        "school fees term 2",
        "12 Moi Avenue, Nairobi",
        "rent for flat 4B, Kilimani",
        "payment for fertiliser and seeds",
        "Mwangi and Sons Ltd, Industrial Area",
        "Amir Khan restaurant supplies",
    ] {
        assert_eq!(references(text), Vec::<String>::new(), "{text:?}");
    }
}
