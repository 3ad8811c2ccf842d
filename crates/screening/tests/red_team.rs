//! Disguises a red-team exercise got past the UN list (each was a payment reserved instead of
//! held): look-alike letters of scripts other than Cyrillic and Greek, digits inside words,
//! parenthesised letters. Each must find its entry again, as a party's name and in free text.

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
