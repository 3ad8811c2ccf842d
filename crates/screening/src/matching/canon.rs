//! One canonical form for every screened string, queries and listed names alike, applied before
//! transliteration, and the disguises it reveals.
//!
//! * Unicode NFKC (full-width and mathematical letters, ligatures, compatibility forms).
//! * Characters the UTS #39 skeleton ignores (Default_Ignorable_Code_Point: zero-width spaces and
//!   joiners, BOM, variation selectors, combining grapheme joiner, Hangul fillers, bidi controls,
//!   soft hyphen, …) and every other format character (general category Cf) are removed.
//! * A word that mixes Latin with Cyrillic or Greek letters is a disguise: its Cyrillic and Greek
//!   letters are folded to their Latin prototype from Unicode's confusables data (UTS #39, via
//!   `unicode-security`). A word written wholly in Cyrillic or Greek stays as it is (it is
//!   transliterated later); when every letter of it has a Latin look-alike ("КІМ", "ΗΑΜΑΣ") a
//!   second reading folds it too, and the better reading wins.
//! * Letters separated by dots or single spaces ("K.I.M", "K I M") are re-joined in a second
//!   reading; the first keeps them as initials ("J. R. Smith").
//! * Text inside a right-to-left override (U+202E) is shown reversed: a second reading takes it in
//!   display order.
//!
//! Bidi controls, invisible characters between letters and mixed-script words are reported as
//! [`Suspicion`]s: an ordinary name has none of them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_script::{Script, UnicodeScript};

/// At most this many readings of one string are screened.
const READINGS_MAX: usize = 6;

/// Why a screened string is suspicious in itself, whatever it matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspicionCode {
    /// Bidirectional formatting controls (U+202A–U+202E, U+2066–U+2069): they reorder what is
    /// displayed, so the text read is not the text seen.
    BidiControl,
    /// Invisible characters (zero-width spaces and joiners, BOM, variation selectors, …) between
    /// letters of a Latin, Cyrillic or Greek word.
    InvisibleCharacter,
    /// One word mixing Latin letters with Cyrillic or Greek look-alikes.
    MixedScriptWord,
}

impl SuspicionCode {
    /// The machine-readable code, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SuspicionCode::BidiControl => "bidi_control",
            SuspicionCode::InvisibleCharacter => "invisible_character",
            SuspicionCode::MixedScriptWord => "mixed_script_word",
        }
    }
}

/// A property of the screened string that suggests a deliberate disguise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspicion {
    /// Machine-readable code.
    pub code: SuspicionCode,
    /// What was found, for the officer.
    pub explanation: String,
}

/// One way of reading a screened string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    /// The canonical text.
    pub text: String,
    /// How this reading differs from the plain one (`None` for the plain reading).
    pub how: Option<&'static str>,
}

/// The readings of a string (the plain one first) and its suspicions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Canonical {
    pub readings: Vec<Reading>,
    pub suspicions: Vec<Suspicion>,
}

/// The plain canonical form of a string (the first reading).
pub(crate) fn canonical_form(input: &str) -> String {
    let mut suspicions = Vec::new();
    clean(&input.nfkc().collect::<String>(), &mut suspicions)
}

/// Canonicalises `input` into its readings and suspicions.
pub(crate) fn canonicalize(input: &str) -> Canonical {
    let mut suspicions = Vec::new();
    let (logical, display) = bidi_readings(input, &mut suspicions);
    let mut readings = vec![Reading {
        text: clean(&logical.nfkc().collect::<String>(), &mut suspicions),
        how: None,
    }];
    if let Some(display) = display {
        let mut ignored = Vec::new();
        readings.push(Reading {
            text: clean(&display.nfkc().collect::<String>(), &mut ignored),
            how: Some("right-to-left override read in display order"),
        });
    }
    for i in 0..readings.len() {
        let base = readings[i].clone();
        let folded = fold_lookalike_words(&base.text);
        let joined = join_letters(&base.text);
        let both = folded.as_deref().and_then(join_letters);
        let (without_digits, digits_as_letters) = digit_readings(&base.text).unzip();
        let alternatives = [
            (folded, "look-alike letters read as Latin"),
            (joined, "separated letters joined"),
            (
                both,
                "look-alike letters read as Latin, separated letters joined",
            ),
            (without_digits, "digits inside words removed"),
            (digits_as_letters, "digits inside words read as letters"),
        ];
        for (text, how) in alternatives {
            if let Some(text) = text {
                let how = match base.how {
                    // The display-order reading's alternatives keep that origin in their label.
                    Some(_) => "right-to-left override read in display order, then normalised",
                    None => how,
                };
                readings.push(Reading {
                    text,
                    how: Some(how),
                });
            }
        }
    }
    let mut unique: Vec<Reading> = Vec::with_capacity(readings.len());
    for reading in readings {
        if !unique.iter().any(|r| r.text == reading.text) {
            unique.push(reading);
        }
    }
    unique.truncate(READINGS_MAX);
    suspicions.sort_by_key(|s| s.code);
    suspicions.dedup_by(|a, b| a.code == b.code);
    Canonical {
        readings: unique,
        suspicions,
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(u32::from(c), 0x202A..=0x202E | 0x2066..=0x2069)
}

/// The text without bidi controls in logical (stored) order, and in display order when a
/// right-to-left override reverses part of it.
fn bidi_readings(input: &str, suspicions: &mut Vec<Suspicion>) -> (String, Option<String>) {
    if !input.chars().any(is_bidi_control) {
        return (input.to_owned(), None);
    }
    suspicions.push(Suspicion {
        code: SuspicionCode::BidiControl,
        explanation: "contains bidirectional formatting controls (U+202A–U+202E, U+2066–U+2069): \
                      the order displayed differs from the order stored"
            .into(),
    });
    let logical: String = input.chars().filter(|c| !is_bidi_control(*c)).collect();
    // Each open embedding/override/isolate, and where an override's reversed run starts.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut display: Vec<char> = Vec::with_capacity(input.len());
    let mut reversed = false;
    let mut close = |open: &mut Vec<Option<usize>>, display: &mut Vec<char>| {
        if let Some(Some(start)) = open.pop() {
            display[start..].reverse();
            reversed = true;
        }
    };
    for c in input.chars() {
        match c {
            '\u{202E}' => open.push(Some(display.len())),
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{2066}'..='\u{2068}' => open.push(None),
            '\u{202C}' | '\u{2069}' => close(&mut open, &mut display),
            '\n' | '\r' => {
                while !open.is_empty() {
                    close(&mut open, &mut display);
                }
                display.push(c);
            }
            _ => display.push(c),
        }
    }
    while !open.is_empty() {
        close(&mut open, &mut display);
    }
    let display: String = display.into_iter().collect();
    let display = (reversed && display != logical).then_some(display);
    (logical, display)
}

/// True for characters that carry nothing visible: UTS #39 ignorables and format characters.
fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut buf = [0u8; 4];
    // The skeleton drops exactly the Default_Ignorable_Code_Points.
    unicode_security::skeleton(c.encode_utf8(&mut buf))
        .next()
        .is_none()
        || c.general_category() == GeneralCategory::Format
}

/// Latin, Cyrillic or Greek: the scripts whose letters pass for each other.
fn is_lookalike_script(c: char) -> bool {
    matches!(c.script(), Script::Latin | Script::Cyrillic | Script::Greek)
}

/// A letter of a script other than Latin that may pass for a Latin letter: Cyrillic and Greek,
/// but also Cherokee ("Ꭺ"), Canadian syllabics ("ᗅ"), Armenian ("Տ"), Tifinagh ("ⴰ"), Lisu,
/// Coptic, Old Italic and the rest — whether it does is the UTS #39 skeleton's to say
/// ([`latin_lookalike`]). Latin letters with strokes or hooks are Latin and stay as they are
/// (transliteration reads them).
fn is_foreign_letter(c: char) -> bool {
    c.is_alphabetic()
        && !matches!(
            c.script(),
            Script::Latin | Script::Common | Script::Inherited
        )
}

/// Removes invisible characters (reporting those between Latin/Cyrillic/Greek letters) and folds
/// mixed-script words; `input` is NFKC already.
fn clean(input: &str, suspicions: &mut Vec<Suspicion>) -> String {
    let chars: Vec<char> = input.chars().collect();
    let mut visible = String::with_capacity(input.len());
    let mut flagged = false;
    for (i, &c) in chars.iter().enumerate() {
        if !is_invisible(c) {
            visible.push(c);
            continue;
        }
        if is_bidi_control(c) || flagged {
            continue;
        }
        let before = chars[..i].iter().rev().find(|c| !is_invisible(**c));
        let after = chars[i + 1..].iter().find(|c| !is_invisible(**c));
        if let (Some(&b), Some(&a)) = (before, after)
            && b.is_alphabetic()
            && a.is_alphabetic()
            && (is_lookalike_script(b) || is_lookalike_script(a))
        {
            flagged = true;
            suspicions.push(Suspicion {
                code: SuspicionCode::InvisibleCharacter,
                explanation: format!(
                    "invisible character U+{:04X} between the letters {b} and {a}",
                    u32::from(c)
                ),
            });
        }
    }
    let mut out = String::with_capacity(visible.len());
    for (i, word) in visible.split(char::is_whitespace).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Latin letters beside look-alikes of another script inside one word: no name is
        // written so; the look-alikes are read as the Latin letters they imitate.
        let (latin, foreign) = word.chars().fold((false, false), |(l, f), c| {
            (
                l || (c.is_alphabetic() && c.script() == Script::Latin),
                f || latin_lookalike(c).is_some(),
            )
        });
        if latin && foreign {
            let odd: Vec<String> = word
                .chars()
                .filter(|c| latin_lookalike(*c).is_some())
                .map(|c| format!("{c} U+{:04X} ({:?})", u32::from(c), c.script()))
                .collect();
            suspicions.push(Suspicion {
                code: SuspicionCode::MixedScriptWord,
                explanation: format!(
                    "the word {word:?} mixes Latin with look-alike letters of another script ({})",
                    odd.join(", ")
                ),
            });
            out.extend(word.chars().map(|c| latin_lookalike(c).unwrap_or(c)));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// The ASCII letter a Cyrillic or Greek letter is confusable with: the one with the same UTS #39
/// skeleton, of the same case when there is a choice (the skeleton itself folds I, l and 1 to
/// "l", so it cannot serve as the answer).
fn latin_lookalike(c: char) -> Option<char> {
    static BY_SKELETON: OnceLock<HashMap<String, Vec<char>>> = OnceLock::new();
    if !is_foreign_letter(c) {
        return None;
    }
    let table = BY_SKELETON.get_or_init(|| {
        let mut table: HashMap<String, Vec<char>> = HashMap::new();
        for letter in ('a'..='z').chain('A'..='Z') {
            let mut buf = [0u8; 4];
            let skeleton = unicode_security::skeleton(letter.encode_utf8(&mut buf)).collect();
            table.entry(skeleton).or_default().push(letter);
        }
        table
    });
    let mut buf = [0u8; 4];
    let skeleton: String = unicode_security::skeleton(c.encode_utf8(&mut buf)).collect();
    let candidates = table.get(&skeleton)?;
    candidates
        .iter()
        .find(|l| l.is_uppercase() == c.is_uppercase())
        .or(candidates.first())
        .copied()
}

/// A second reading where each word written wholly in Cyrillic or Greek look-alikes of Latin
/// letters is folded to Latin ("КІМ" → "KIM"); `None` when there is no such word.
fn fold_lookalike_words(text: &str) -> Option<String> {
    let mut changed = false;
    let words: Vec<String> = text
        .split(' ')
        .map(|word| {
            let letters = word.chars().filter(|c| c.is_alphabetic());
            let foreign = word.chars().any(is_foreign_letter);
            let folded: Option<String> =
                (foreign && letters.clone().all(|c| latin_lookalike(c).is_some())).then(|| {
                    word.chars()
                        .map(|c| latin_lookalike(c).unwrap_or(c))
                        .collect()
                });
            match folded {
                Some(f) => {
                    changed = true;
                    f
                }
                None => word.to_owned(),
            }
        })
        .collect();
    changed.then(|| words.join(" "))
}

/// Separators written between single letters ("K.I.M", "K-I-M", "K·I·M").
fn is_letter_separator(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | '·' | '•' | '*' | '/' | ',' | '‧')
}

/// A word made of single letters with separators between them ("K.I.M", "J.R."), or of
/// parenthesised letters ("(k)(i)(m)", what NFKC makes of "⒦⒤⒨"), joined.
fn dotted_letters(word: &str) -> Option<String> {
    if let Some(letters) = parenthesised_letters(word) {
        return Some(letters);
    }
    let chars: Vec<char> = word.chars().collect();
    let mut letters = String::new();
    let mut expect_letter = true;
    for &c in &chars {
        if expect_letter && c.is_alphabetic() {
            letters.push(c);
            expect_letter = false;
        } else if !expect_letter && is_letter_separator(c) {
            expect_letter = true;
        } else {
            return None;
        }
    }
    (letters.chars().count() >= 2).then_some(letters)
}

/// "(k)(i)(m)" → "kim": at least two groups, each one letter in parentheses.
fn parenthesised_letters(word: &str) -> Option<String> {
    let mut letters = String::new();
    let mut rest = word;
    while !rest.is_empty() {
        let inner = rest.strip_prefix('(')?;
        let mut chars = inner.chars();
        let letter = chars.next().filter(|c| c.is_alphabetic())?;
        rest = chars.as_str().strip_prefix(')')?;
        letters.push(letter);
    }
    (letters.chars().count() >= 2).then_some(letters)
}

/// The digit a disguise writes for a letter ("K0RY0", "SAAD1").
fn letter_for_digit(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        _ => return None,
    })
}

/// Two readings of words mixing letters and digits ("SA7ADI", "SAADI1QADHAFI", "K0RY0"): the
/// digits removed, and the digits read as the letters they imitate. Words of digits alone, or
/// with a single letter ("4B", "A1"), are left as they are. `None` when no word mixes them.
fn digit_readings(text: &str) -> Option<(String, String)> {
    let mixed = |w: &str| {
        w.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && w.chars().any(|c| c.is_ascii_digit())
    };
    if !text.split(' ').any(mixed) {
        return None;
    }
    let read = |map: &dyn Fn(char) -> Option<char>| -> String {
        text.split(' ')
            .map(|w| {
                if mixed(w) {
                    w.chars()
                        .filter_map(|c| if c.is_ascii_digit() { map(c) } else { Some(c) })
                        .collect()
                } else {
                    w.to_owned()
                }
            })
            .collect::<Vec<String>>()
            .join(" ")
    };
    Some((read(&|_| None), read(&letter_for_digit)))
}

/// A word that is one letter, possibly followed by a separator ("K", "K.").
fn single_letter(word: &str) -> Option<char> {
    let mut chars = word.chars();
    let first = chars.next().filter(|c| c.is_alphabetic())?;
    match (chars.next(), chars.next()) {
        (None, _) => Some(first),
        (Some(sep), None) if is_letter_separator(sep) => Some(first),
        _ => None,
    }
}

/// A second reading with letter-by-letter spellings re-joined: dotted words ("K.I.M" → "KIM") and
/// runs of two or more single-letter words ("K I M" → "KIM"); `None` when there are none.
fn join_letters(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut changed = false;
    let mut i = 0;
    while i < words.len() {
        let run = words[i..]
            .iter()
            .take_while(|w| single_letter(w).is_some())
            .count();
        if run >= 2 {
            out.push(
                words[i..i + run]
                    .iter()
                    .filter_map(|w| single_letter(w))
                    .collect(),
            );
            changed = true;
            i += run;
            continue;
        }
        match dotted_letters(words[i]) {
            Some(joined) => {
                out.push(joined);
                changed = true;
            }
            None => out.push(words[i].to_owned()),
        }
        i += 1;
    }
    changed.then(|| out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        canonicalize(s)
            .readings
            .into_iter()
            .map(|r| r.text)
            .collect()
    }

    fn codes(s: &str) -> Vec<SuspicionCode> {
        canonicalize(s)
            .suspicions
            .into_iter()
            .map(|s| s.code)
            .collect()
    }

    #[test]
    fn invisible_characters_are_removed_and_reported() {
        for c in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}', '\u{2060}', '\u{FE0F}',
        ] {
            let name = format!("Ki{c}m Jo{c}ng Un");
            assert_eq!(texts(&name)[0], "Kim Jong Un", "U+{:04X}", u32::from(c));
            assert_eq!(codes(&name), [SuspicionCode::InvisibleCharacter]);
        }
        assert!(codes("\u{FEFF}Kim Jong Un").is_empty());
        // Persian writes ZWNJ inside words: not a disguise there.
        assert!(codes("می\u{200C}خواهم").is_empty());
    }

    #[test]
    fn right_to_left_override_is_read_in_display_order() {
        let t = texts("\u{202E}nU gnoJ miK\u{202C}");
        assert_eq!(t[0], "nU gnoJ miK");
        assert!(t.contains(&"Kim Jong Un".to_owned()), "{t:?}");
        assert_eq!(codes("\u{202E}nU gnoJ miK"), [SuspicionCode::BidiControl]);
    }

    #[test]
    fn mixed_script_words_fold_but_cyrillic_names_stay() {
        // Cyrillic а and о inside Latin words.
        assert_eq!(texts("Kim J\u{043E}ng Un")[0], "Kim Jong Un");
        assert_eq!(
            codes("Kim J\u{043E}ng Un"),
            [SuspicionCode::MixedScriptWord]
        );
        assert_eq!(texts("Доку Умаров"), ["Доку Умаров"]);
        assert!(codes("Доку Умаров").is_empty());
        // Wholly look-alike Cyrillic words get a Latin reading as well.
        let t = texts("\u{041A}\u{0406}\u{041C} Jong Un");
        assert_eq!(t[0], "\u{041A}\u{0406}\u{041C} Jong Un");
        assert!(t.contains(&"KIM Jong Un".to_owned()), "{t:?}");
    }

    #[test]
    fn separated_letters_are_joined_in_a_second_reading() {
        let t = texts("K.I.M J.O.N.G U.N");
        assert!(t.contains(&"KIM JONG UN".to_owned()), "{t:?}");
        let t = texts("K I M J O N G U N");
        assert!(t.contains(&"KIMJONGUN".to_owned()), "{t:?}");
        assert_eq!(texts("J. Smith"), ["J. Smith"]);
    }

    #[test]
    fn lookalikes_of_any_script_are_read_as_latin() {
        // Cherokee, Canadian syllabics, Tifinagh, Armenian: all one script, or mixed with Latin.
        for disguised in [
            "S\u{13AA}ADI QADHAFI",
            "KORYO B\u{13AA}NK",
            "BOSCO NT\u{15C5}GANDA",
        ] {
            let readings = texts(disguised);
            assert!(
                readings.iter().any(|r| r.is_ascii()),
                "{disguised}: {readings:?}"
            );
            assert!(
                !canonicalize(disguised).suspicions.is_empty(),
                "{disguised}"
            );
        }
        let cherokee = "\u{13DA}\u{13AC}\u{13E6}";
        assert!(texts(cherokee).len() >= 2, "{:?}", texts(cherokee));
        // A genuine Armenian name keeps its own reading too.
        let armenian = "\u{0531}\u{0580}\u{0574}\u{0565}\u{0576}";
        assert_eq!(texts(armenian)[0], armenian);
    }

    #[test]
    fn digits_inside_words_are_read_away() {
        let readings = texts("SA7ADI QAD7HAFI");
        assert!(
            readings.contains(&"SAADI QADHAFI".to_owned()),
            "{readings:?}"
        );
        let readings = texts("K0RY0 BANK SAAD1");
        assert!(
            readings.contains(&"KoRYo BANK SAADi".to_owned()),
            "{readings:?}"
        );
        let readings = texts("SAADI1QADHAFI");
        assert!(
            readings.contains(&"SAADIQADHAFI".to_owned()),
            "{readings:?}"
        );
        // Ordinary codes keep a single reading.
        assert_eq!(texts("Plot 4B, A1 Road").len(), 1);
    }

    #[test]
    fn parenthesised_letters_are_joined() {
        let readings = texts("\u{24AE}\u{249C}\u{249C}\u{249F}\u{24A4}");
        assert!(readings.contains(&"saadi".to_owned()), "{readings:?}");
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        assert_eq!(texts("ＫＩＭ 𝐉𝐨𝐧𝐠")[0], "KIM Jong");
    }
}
