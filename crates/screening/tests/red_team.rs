//! What a red-team exercise got past the UN list (each was a payment reserved instead of held):
//! look-alike letters of scripts other than Cyrillic and Greek, digits inside words,
//! parenthesised letters — each must find its entry again, as a party's name and in free text —
//! and short or common listed names written out whole in free text ("Donation to AL-QAIDA"),
//! while ordinary remittance and address text stays clear.

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

/// (disguised name, the plain name it must match as)
const DISGUISES: &[(&str, &str)] = &[
    ("S\u{13AA}ADI QADHAFI", "SAADI QADHAFI"),
    ("KORYO B\u{13AA}NK", "KORYO BANK"),
    ("\u{13DA}EKA BALUKU", "SEKA BALUKU"),
    ("BOSCO NT\u{15C5}GANDA", "BOSCO NTAGANDA"),
    ("K\u{2D54}RY\u{2D54} BANK", "KORYO BANK"),
    ("SA7ADI QAD7HAFI", "SAADI QADHAFI"),
    ("SAADI1QADHAFI", "SAADI QADHAFI"),
    ("SAAD1 QADHAF1", "SAADI QADHAFI"),
    ("K0RY0 BANK", "KORYO BANK"),
    (
        "\u{24AE}\u{249C}\u{249C}\u{249F}\u{24A4} \u{24AC}\u{249C}\u{249F}\u{24A3}\u{249C}\u{24A1}\u{24A4}",
        "SAADI QADHAFI",
    ),
];

fn references(query: &Query, text: bool) -> Vec<String> {
    let lists = un().snapshot();
    let result = if text {
        lists.screen_text(query, DEFAULT_THRESHOLD)
    } else {
        lists.screen(query, DEFAULT_THRESHOLD)
    };
    result.hits.into_iter().map(|h| h.reference).collect()
}

#[test]
fn red_team_disguises_find_their_entry() {
    let mut missed = Vec::new();
    for (disguised, plain) in DISGUISES {
        let expected = references(&Query::name(*plain), false);
        assert!(!expected.is_empty(), "{plain} is listed");
        for text in [false, true] {
            let query = if text {
                Query::name(format!("payment to {disguised} as agreed"))
            } else {
                Query::name(*disguised)
            };
            let found = references(&query, text);
            if !expected.iter().any(|r| found.contains(r)) {
                missed.push(format!(
                    "{disguised:?} (text: {text}) found {found:?}, not {expected:?}"
                ));
            }
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

fn text_references(text: &str) -> Vec<String> {
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
        let found = text_references(text);
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
        assert_eq!(text_references(text), Vec::<String>::new(), "{text:?}");
    }
}
