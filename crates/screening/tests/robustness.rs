//! Property tests: arbitrary names and arbitrary list bytes never panic, scores stay in [0, 1],
//! and screening is deterministic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::sync::OnceLock;

use proptest::prelude::*;
use screening::fixtures::{demo_eu_raw, demo_lists, demo_uk_raw};
use screening::{ListSet, Query, RawList, import, no_progress, screen};

fn lists() -> &'static ListSet {
    static LISTS: OnceLock<ListSet> = OnceLock::new();
    LISTS.get_or_init(|| ListSet::from_lists(demo_lists().unwrap()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_name_screens_without_panic(name in "\\PC{0,80}", threshold in 0.0f64..1.0) {
        let query = Query::name(name.clone());
        let a = screen(lists(), &query, threshold);
        let b = screen(lists(), &query, threshold);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.lists.len(), 2);
        for hit in &a.hits {
            prop_assert!((0.0..=1.0).contains(&hit.score));
            prop_assert!(hit.score >= threshold);
        }
        prop_assert!(a.hits.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn mixed_script_names_screen_without_panic(
        parts in prop::collection::vec(
            prop_oneof![
                "[a-zA-Z'’-]{1,12}",
                "[\u{AC00}-\u{D7A3}]{1,4}",
                "[\u{0621}-\u{064A}\u{064B}-\u{0652}]{1,8}",
                "[\u{0410}-\u{044F}]{1,10}",
                "[\u{4E00}-\u{9FFF}]{1,3}",
            ],
            0..8,
        )
    ) {
        let name = parts.join(" ");
        let result = screen(lists(), &Query::name(name), 0.5);
        prop_assert!(result.hits.len() <= screening::HITS_MAX);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_importers(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = import(&RawList::Un { xml: bytes.clone() }, None, &mut no_progress);
        let _ = import(&RawList::Eu { xml: bytes.clone() }, None, &mut no_progress);
        let _ = import(&RawList::Uk { xml: bytes.clone() }, None, &mut no_progress);
        let _ = import(
            &RawList::OfacSdn { sdn: bytes.clone(), alt: Some(bytes), add: None },
            None,
            &mut no_progress,
        );
    }

    /// All-or-nothing: an EU or UK file cut anywhere before its root closes is refused, never
    /// read as a shorter list.
    #[test]
    fn truncated_eu_and_uk_files_are_refused(at in any::<usize>()) {
        for raw in [demo_eu_raw(), demo_uk_raw()] {
            let (RawList::Eu { xml } | RawList::Uk { xml }) = raw else {
                unreachable!("XML fixtures")
            };
            let end = xml.iter().rposition(|&b| b == b'<').unwrap_or(0);
            // Cut strictly before the root's closing tag.
            let cut = xml[..at % end.max(1)].to_vec();
            let result = import(&RawList::Eu { xml: cut.clone() }, None, &mut no_progress);
            prop_assert!(result.is_err());
            let result = import(&RawList::Uk { xml: cut }, None, &mut no_progress);
            prop_assert!(result.is_err());
        }
    }
}

#[test]
fn huge_input_is_bounded() {
    let name = "Kim ".repeat(10_000);
    let result = screen(lists(), &Query::name(name), 0.5);
    assert!(result.hits.len() <= screening::HITS_MAX);
    let query = Query {
        name: "Kim Tong Myong".into(),
        birth_year: Some(1962),
        country: Some("KP".into()),
        ..Query::default()
    };
    let result = screen(lists(), &query, f64::NAN);
    assert!(result.hits[0].explanation.contains("born 1962 agrees"));
    assert!(result.hits[0].explanation.contains("country KP agrees"));
}

/// Latin names of 1–4 words of 2–10 letters.
fn latin_name() -> impl Strategy<Value = String> {
    proptest::collection::vec("[A-Z][a-z]{1,9}", 1..5).prop_map(|w| w.join(" "))
}

/// Invisible characters a payer might slip between letters.
const INVISIBLE: [char; 8] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}', '\u{2060}', '\u{00AD}', '\u{FE0F}', '\u{034F}',
];

/// Latin letters and Cyrillic/Greek letters drawn the same.
const LOOKALIKES: [(char, char); 12] = [
    ('a', 'а'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('c', 'с'),
    ('x', 'х'),
    ('K', 'К'),
    ('M', 'М'),
    ('T', 'Т'),
    ('H', 'Η'),
    ('N', 'Ν'),
    ('o', 'ο'),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn canonical_form_is_idempotent(name in "\\PC{0,40}") {
        let once = screening::canonical_form(&name);
        prop_assert_eq!(screening::canonical_form(&once), once);
    }

    #[test]
    fn invisible_characters_do_not_change_a_latin_name(
        name in latin_name(),
        inserts in proptest::collection::vec((0usize..64, 0usize..INVISIBLE.len()), 1..6),
    ) {
        let mut chars: Vec<char> = name.chars().collect();
        for (at, which) in inserts {
            let at = at % (chars.len() + 1);
            chars.insert(at, INVISIBLE[which]);
        }
        let disguised: String = chars.into_iter().collect();
        prop_assert_eq!(screening::canonical_form(&disguised), screening::canonical_form(&name));
    }

    #[test]
    fn lookalike_letters_in_a_latin_word_do_not_change_it(
        name in latin_name(),
        picks in proptest::collection::vec(0usize..LOOKALIKES.len(), 1..4),
    ) {
        // Replace one occurrence per pick, keeping at least one Latin letter in that word (a
        // wholly Cyrillic word is a Cyrillic word, read by the second reading instead).
        let mut disguised = name.clone();
        for pick in picks {
            let (latin, other) = LOOKALIKES[pick];
            let word_ok = |s: &str, at: usize| {
                let start = s[..at].rfind(' ').map_or(0, |i| i + 1);
                let end = s[at..].find(' ').map_or(s.len(), |i| at + i);
                s[start..end].chars().filter(|c| c.is_ascii_alphabetic()).count() > 1
            };
            if let Some(at) = disguised.find(latin).filter(|&at| word_ok(&disguised, at)) {
                disguised.replace_range(at..at + latin.len_utf8(), &other.to_string());
            }
        }
        prop_assert_eq!(screening::canonical_form(&disguised), screening::canonical_form(&name));
    }
}
