//! The adversarial set: every disguise a payer might use to slip a listed name past screening,
//! applied by code to the listed names of a real list (deterministic: no randomness, so a run is
//! repeatable and a regression is a regression). Recall is reported per disguise.

use std::time::Instant;

use serde::Serialize;

use super::{RateRow, percentile_ms};
use crate::listset::Lists;
use crate::matching::Query;
use crate::model::{Entry, ListSource};

/// One way of disguising a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disguise {
    /// A zero-width character (U+200B, U+200C, U+200D or U+FEFF, in turn) after every second
    /// letter.
    Invisible,
    /// The name reversed inside a right-to-left override (U+202E … U+202C): it displays as
    /// written.
    RtlOverride,
    /// Letters separated by dots: "K.I.M J.O.N.G U.N".
    DottedLetters,
    /// Every letter separated by a space: "K I M J O N G U N".
    SpacedLetters,
    /// All words joined: "KIMJONGUN".
    JoinedWords,
    /// The second letter of every word doubled: "KIIM JOONG UNN".
    DoubledLetters,
    /// One letter dropped from the middle of the longest word (words of 5+ letters only).
    DroppedLetter,
    /// Every Latin letter with a Cyrillic look-alike replaced by it.
    CyrillicLookalikes,
    /// Every Latin letter with a Greek look-alike replaced by it.
    GreekLookalikes,
    /// " Jr" appended.
    SuffixJr,
    /// " Trading LLC" appended.
    SuffixTradingLlc,
    /// " Pyongyang Branch" appended.
    SuffixPyongyangBranch,
    /// Sixteen filler words before the name (past the old 16-token cut).
    FillerBefore,
    /// The name inside a remittance sentence, screened as free text.
    RemittanceSentence,
}

impl Disguise {
    /// Every disguise, in report order.
    pub const ALL: [Disguise; 14] = [
        Self::Invisible,
        Self::RtlOverride,
        Self::DottedLetters,
        Self::SpacedLetters,
        Self::JoinedWords,
        Self::DoubledLetters,
        Self::DroppedLetter,
        Self::CyrillicLookalikes,
        Self::GreekLookalikes,
        Self::SuffixJr,
        Self::SuffixTradingLlc,
        Self::SuffixPyongyangBranch,
        Self::FillerBefore,
        Self::RemittanceSentence,
    ];

    /// Stable name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invisible => "invisible",
            Self::RtlOverride => "rtl_override",
            Self::DottedLetters => "dotted_letters",
            Self::SpacedLetters => "spaced_letters",
            Self::JoinedWords => "joined_words",
            Self::DoubledLetters => "doubled_letters",
            Self::DroppedLetter => "dropped_letter",
            Self::CyrillicLookalikes => "cyrillic_lookalikes",
            Self::GreekLookalikes => "greek_lookalikes",
            Self::SuffixJr => "suffix_jr",
            Self::SuffixTradingLlc => "suffix_trading_llc",
            Self::SuffixPyongyangBranch => "suffix_pyongyang_branch",
            Self::FillerBefore => "filler_before",
            Self::RemittanceSentence => "remittance_sentence",
        }
    }

    /// The disguised form of `name`, or `None` when the disguise does not apply to it (a
    /// one-word name cannot be joined; a dropped letter needs a word of five letters or more).
    /// `salt` varies the choices from name to name.
    pub fn apply(self, name: &str, salt: usize) -> Option<String> {
        let words: Vec<&str> = name.split_whitespace().collect();
        let letters_of = |w: &str| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        };
        match self {
            Self::Invisible => {
                let invisible = INVISIBLES[salt % INVISIBLES.len()];
                let mut out = String::new();
                for w in &words {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    for (i, c) in w.chars().enumerate() {
                        out.push(c);
                        if i % 2 == 0 && i + 1 < w.chars().count() {
                            out.push(invisible);
                        }
                    }
                }
                Some(out)
            }
            Self::RtlOverride => Some(format!(
                "\u{202E}{}\u{202C}",
                name.chars().rev().collect::<String>()
            )),
            Self::DottedLetters => Some(
                words
                    .iter()
                    .map(|w| {
                        letters_of(w)
                            .chars()
                            .map(String::from)
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Self::SpacedLetters => {
                let letters: Vec<String> = words
                    .iter()
                    .flat_map(|w| letters_of(w).chars().collect::<Vec<_>>())
                    .map(String::from)
                    .collect();
                Some(letters.join(" "))
            }
            Self::JoinedWords => {
                (words.len() >= 2).then(|| words.iter().map(|w| letters_of(w)).collect())
            }
            Self::DoubledLetters => Some(
                words
                    .iter()
                    .map(|w| {
                        w.chars()
                            .enumerate()
                            .flat_map(|(i, c)| {
                                if i == 1 && c.is_alphabetic() {
                                    vec![c, c]
                                } else {
                                    vec![c]
                                }
                            })
                            .collect::<String>()
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Self::DroppedLetter => {
                let (at, longest) = words
                    .iter()
                    .enumerate()
                    .max_by_key(|(i, w)| (w.chars().count(), usize::MAX - i))?;
                let chars: Vec<char> = longest.chars().collect();
                if chars.len() < 5 || !chars.iter().all(|c| c.is_alphabetic()) {
                    return None;
                }
                let drop = chars.len() / 2;
                let shorter: String = chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != drop)
                    .map(|(_, c)| c)
                    .collect();
                let mut out: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
                out[at] = shorter;
                Some(out.join(" "))
            }
            Self::CyrillicLookalikes => lookalikes(name, CYRILLIC),
            Self::GreekLookalikes => lookalikes(name, GREEK),
            Self::SuffixJr => Some(format!("{name} Jr")),
            Self::SuffixTradingLlc => Some(format!("{name} Trading LLC")),
            Self::SuffixPyongyangBranch => Some(format!("{name} Pyongyang Branch")),
            Self::FillerBefore => Some(format!("{FILLER} {name}")),
            Self::RemittanceSentence => Some(format!(
                "Invoice 2026-{:04} consulting services March, beneficiary {name}, 12 Harbour Road, Port Louis; ref {} thank you",
                salt % 10_000,
                88_000 + salt
            )),
        }
    }

    /// True when the disguised string is free text (screened with `Lists::screen_text`).
    pub fn is_text(self) -> bool {
        self == Self::RemittanceSentence
    }
}

const INVISIBLES: [char; 4] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}'];

/// Sixteen words that say nothing about the party.
const FILLER: &str = "for the attention of the accounts department regarding the settlement of the invoice and payable to";

/// The attacker's table: Latin letters and the Cyrillic letters that look like them.
const CYRILLIC: &[(char, char)] = &[
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('i', 'і'),
    ('j', 'ј'),
    ('o', 'о'),
    ('p', 'р'),
    ('s', 'ѕ'),
    ('x', 'х'),
    ('y', 'у'),
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('I', 'І'),
    ('J', 'Ј'),
    ('K', 'К'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('S', 'Ѕ'),
    ('T', 'Т'),
    ('X', 'Х'),
    ('Y', 'Ү'),
];

/// The attacker's table: Latin letters and the Greek letters that look like them.
const GREEK: &[(char, char)] = &[
    ('o', 'ο'),
    ('v', 'ν'),
    ('A', 'Α'),
    ('B', 'Β'),
    ('E', 'Ε'),
    ('H', 'Η'),
    ('I', 'Ι'),
    ('K', 'Κ'),
    ('M', 'Μ'),
    ('N', 'Ν'),
    ('O', 'Ο'),
    ('P', 'Ρ'),
    ('T', 'Τ'),
    ('X', 'Χ'),
    ('Y', 'Υ'),
    ('Z', 'Ζ'),
];

/// Every letter that has a look-alike in `table` replaced; `None` when none has.
fn lookalikes(name: &str, table: &[(char, char)]) -> Option<String> {
    let mut changed = false;
    let out = name
        .chars()
        .map(|c| match table.iter().find(|(latin, _)| *latin == c) {
            Some((_, other)) => {
                changed = true;
                *other
            }
            None => c,
        })
        .collect();
    changed.then_some(out)
}

/// One disguised listed name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackCase {
    /// How it is disguised.
    pub disguise: Disguise,
    /// The disguised string.
    pub query: String,
    /// The entry it must still find.
    pub list: ListSource,
    /// The entry's reference.
    pub reference: String,
}

/// Every applicable disguise of the primary name of every individual and entity in `entries`,
/// keeping every `stride`-th entry (1 for all).
pub fn cases(entries: &[Entry], stride: usize) -> Vec<AttackCase> {
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate().step_by(stride.max(1)) {
        let name = entry.primary_name.trim();
        if name.is_empty() {
            continue;
        }
        for disguise in Disguise::ALL {
            if let Some(query) = disguise.apply(name, i) {
                out.push(AttackCase {
                    disguise,
                    query,
                    list: entry.list,
                    reference: entry.reference.clone(),
                });
            }
        }
    }
    out
}

/// Recall under attack, overall and per disguise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdversarialReport {
    /// Hit threshold.
    pub threshold: f64,
    /// All disguises together (`hits` = cases where the entry was found).
    pub overall: RateRow,
    /// One row per disguise, in [`Disguise::ALL`] order.
    pub per_disguise: Vec<RateRow>,
    /// Cases whose screening raised a suspicion (bidi control, invisible character, mixed
    /// script), found or not.
    pub suspicious: usize,
    /// Up to 40 missed cases, for diagnosis.
    pub misses: Vec<AttackCase>,
    /// Median latency per disguised string, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency per disguised string, milliseconds.
    pub p99_ms: f64,
}

/// Screens every case and reports recall per disguise.
pub fn run(lists: &Lists, cases: &[AttackCase], threshold: f64) -> AdversarialReport {
    let mut per: Vec<(usize, usize)> = vec![(0, 0); Disguise::ALL.len()];
    let mut misses = Vec::new();
    let mut suspicious = 0;
    let mut latencies = Vec::with_capacity(cases.len());
    for case in cases {
        let query = Query::name(case.query.clone());
        let t0 = Instant::now();
        let result = if case.disguise.is_text() {
            lists.screen_text(&query, threshold)
        } else {
            lists.screen(&query, threshold)
        };
        latencies.push(t0.elapsed().as_nanos());
        let found = result
            .hits
            .iter()
            .any(|h| h.list == case.list && h.reference == case.reference);
        if !result.suspicions.is_empty() {
            suspicious += 1;
        }
        let slot = Disguise::ALL
            .iter()
            .position(|d| *d == case.disguise)
            .and_then(|i| per.get_mut(i));
        if let Some((n, hit)) = slot {
            *n += 1;
            *hit += usize::from(found);
        }
        if !found && misses.len() < 40 {
            misses.push(case.clone());
        }
    }
    latencies.sort_unstable();
    let per_disguise: Vec<RateRow> = Disguise::ALL
        .iter()
        .zip(&per)
        .map(|(d, &(n, hit))| RateRow::new(d.as_str(), n, hit))
        .collect();
    let total = per.iter().map(|p| p.0).sum();
    let found = per.iter().map(|p| p.1).sum();
    AdversarialReport {
        threshold,
        overall: RateRow::new("all", total, found),
        per_disguise,
        suspicious,
        misses,
        p50_ms: percentile_ms(&latencies, 50),
        p99_ms: percentile_ms(&latencies, 99),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disguises_are_deterministic_and_what_they_say() {
        let name = "KIM Jong Un";
        assert_eq!(
            Disguise::DottedLetters.apply(name, 0).unwrap(),
            "K.I.M J.o.n.g U.n"
        );
        assert_eq!(
            Disguise::SpacedLetters.apply(name, 0).unwrap(),
            "K I M J o n g U n"
        );
        assert_eq!(Disguise::JoinedWords.apply(name, 0).unwrap(), "KIMJongUn");
        assert_eq!(
            Disguise::DoubledLetters.apply(name, 0).unwrap(),
            "KIIM Joong Unn"
        );
        assert_eq!(
            Disguise::DroppedLetter.apply("Saddam Hussein", 0).unwrap(),
            "Saddam Husein"
        );
        assert_eq!(Disguise::DroppedLetter.apply(name, 0), None);
        assert_eq!(Disguise::JoinedWords.apply("HAMAS", 0), None);
        assert_eq!(
            Disguise::RtlOverride.apply(name, 0).unwrap(),
            "\u{202E}nU gnoJ MIK\u{202C}"
        );
        let invisible = Disguise::Invisible.apply(name, 1).unwrap();
        assert_eq!(invisible.replace('\u{200C}', ""), name);
        let cyrillic = Disguise::CyrillicLookalikes.apply(name, 0).unwrap();
        assert_eq!(cyrillic, "КІМ Јоng Un");
        assert_eq!(
            Disguise::FillerBefore
                .apply(name, 0)
                .unwrap()
                .split(' ')
                .count(),
            19
        );
        for d in Disguise::ALL {
            assert_eq!(d.apply(name, 3), d.apply(name, 3));
        }
    }
}
