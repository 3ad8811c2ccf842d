//! Transliteration of non-Latin scripts to lower-case ASCII.
//!
//! Hangul and Arabic are romanised by hand here; everything else goes through `deunicode`.
//! Why by hand:
//! * Hangul: `deunicode` runs syllables together ("gimjeongeun") in Revised Romanisation, while
//!   sanctions lists write DPRK names in McCune–Reischauer without diacritics, one syllable per
//!   token ("Kim Jong Un", "Ri", "Pak", "Choe", "Ryong"). We decompose each syllable (Unicode
//!   arithmetic) and romanise it McCune–Reischauer style, one token per syllable; remaining
//!   romanisation differences (jong/chong/jung, un/eun) are absorbed by phonetic keys.
//! * Arabic: `deunicode` maps the ayn and hamza to quote marks and keeps the article joined
//!   ("ltkryty"). We map letters to their usual Latin consonants, write long vowels (alif, waw,
//!   ya) as vowels, drop short-vowel marks, and split off the article "al-", so the output is a
//!   consonant skeleton that phonetic keys can compare with a Latin spelling.

use unicode_normalization::UnicodeNormalization;

/// Prefixed to words transliterated from Arabic script: short vowels are unwritten there, so
/// such a word is a consonant skeleton and compares by consonants only.
pub(crate) const SKELETON_MARK: char = '\u{1}';
use unicode_normalization::char::is_combining_mark;

/// Appends the ASCII transliteration of `input` to `out`, lower-case, with token boundaries as
/// spaces. Punctuation becomes a space except apostrophes, which are dropped ("MY’ONG" → "myong").
pub(crate) fn transliterate(input: &str, out: &mut String) {
    let mut hangul_word_start = true;
    let mut arabic_word: Vec<char> = Vec::new();
    for c in input.nfc() {
        if is_arabic(c) {
            arabic_word.push(c);
            continue;
        }
        if !arabic_word.is_empty() {
            arabic_to_latin(&arabic_word, out);
            arabic_word.clear();
        }
        if let Some(syllable) = hangul_syllable(c) {
            out.push(' ');
            romanise_hangul(syllable, hangul_word_start, out);
            out.push(' ');
            hangul_word_start = false;
            continue;
        }
        hangul_word_start = true;
        push_other(c, out);
    }
    if !arabic_word.is_empty() {
        arabic_to_latin(&arabic_word, out);
    }
}

/// Latin and other scripts: NFKD, drop combining marks, then ASCII via `deunicode`.
fn push_other(c: char, out: &mut String) {
    if c.is_ascii() {
        push_ascii(c, out);
        return;
    }
    if is_apostrophe(c) {
        return;
    }
    for d in std::iter::once(c).nfkd() {
        if is_combining_mark(d) {
            continue;
        }
        if d.is_ascii() {
            push_ascii(d, out);
        } else if let Some(s) = deunicode::deunicode_char(d) {
            // deunicode pads Han characters with a trailing space: one token per character.
            for a in s.chars() {
                push_ascii(a, out);
            }
        } else {
            out.push(' ');
        }
    }
}

fn push_ascii(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
    } else if c == '\'' || c == '`' {
        // Apostrophes mark a glottal stop or MR aspiration inside one name: keep the word whole.
    } else {
        out.push(' ');
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '\u{00B4}' | '\u{02BF}' | '\u{02BE}'
    )
}

fn hangul_syllable(c: char) -> Option<u32> {
    let code = u32::from(c);
    (0xAC00..=0xD7A3).contains(&code).then(|| code - 0xAC00)
}

const HANGUL_INITIALS: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t",
    "p", "h",
];
const HANGUL_MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "u", "ui", "i",
];
const HANGUL_FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// McCune–Reischauer without diacritics, syllable by syllable (no sound-change rules across
/// syllables: names are listed syllable by syllable). The surname 이 is written "Ri" as in DPRK
/// usage on the lists.
fn romanise_hangul(index: u32, word_start: bool, out: &mut String) {
    let at = |table: &[&'static str], i: u32| -> &'static str {
        usize::try_from(i)
            .ok()
            .and_then(|i| table.get(i).copied())
            .unwrap_or("")
    };
    let initial = index / (21 * 28);
    let medial = (index % (21 * 28)) / 28;
    let last = index % 28;
    // 이 (initial ㅇ=11, medial ㅣ=20, no final) as a surname.
    if word_start && initial == 11 && medial == 20 && last == 0 {
        out.push_str("ri");
        return;
    }
    out.push_str(at(&HANGUL_INITIALS, initial));
    out.push_str(at(&HANGUL_MEDIALS, medial));
    out.push_str(at(&HANGUL_FINALS, last));
}

/// Arabic-script letters, plus the zero-width (non-)joiners Persian writes inside words.
fn is_arabic(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF | 0x200C | 0x200D
    )
}

/// One Arabic-script word (no spaces inside) to Latin letters.
fn arabic_to_latin(word: &[char], out: &mut String) {
    // Presentation forms (FB50..FEFF) fold to the base letters under NFKC.
    let letters: Vec<char> = word
        .iter()
        .collect::<String>()
        .nfkc()
        .filter(|c| !is_arabic_mark(*c))
        .collect();
    let mut start = 0;
    // The divine name is written as one word but always romanised "allah".
    if letters == ['ا', 'ل', 'ل', 'ه'] {
        out.push_str(" allah ");
        return;
    }
    // Article "al-" joined to the word: split it off so "الدوري" meets "AL-DOURI"/"DOURI".
    if letters.len() > 3 && letters.first() == Some(&'ا') && letters.get(1) == Some(&'ل') {
        start = 2;
    }
    out.push(' ');
    out.push(SKELETON_MARK);
    for (i, &c) in letters.iter().enumerate().skip(start) {
        let first = i == start;
        let s = match c {
            'ا' | 'أ' | 'آ' | 'ٱ' | 'ى' | 'ة' => "a",
            'إ' => "i",
            'ع' => {
                if first {
                    "a"
                } else {
                    ""
                }
            }
            'ء' | 'ؤ' | 'ئ' => "",
            'ب' => "b",
            'ت' | 'ط' => "t",
            'ث' => "th",
            'ج' => "j",
            'ح' | 'ه' => "h",
            'خ' => "kh",
            'د' | 'ض' => "d",
            'ذ' => "dh",
            'ر' => "r",
            'ز' | 'ظ' => "z",
            'س' | 'ص' => "s",
            'ش' => "sh",
            'غ' => "gh",
            'ف' => "f",
            'ق' => "q",
            'ك' | 'ک' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' => "n",
            'و' => {
                if first {
                    "w"
                } else {
                    "u"
                }
            }
            'ي' | 'ی' => {
                if first {
                    "y"
                } else {
                    "i"
                }
            }
            'پ' => "p",
            'چ' => "ch",
            'ژ' => "zh",
            'گ' => "g",
            '٠'..='٩' | '\u{200C}' | '\u{200D}' => "",
            _ => " ",
        };
        out.push_str(s);
    }
    out.push(' ');
}

/// Short-vowel marks, shadda, sukun and tatweel carry no consonant.
fn is_arabic_mark(c: char) -> bool {
    matches!(u32::from(c), 0x064B..=0x065F | 0x0670 | 0x0640 | 0x06D6..=0x06ED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        let mut out = String::new();
        transliterate(s, &mut out);
        out.replace(SKELETON_MARK, "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn hangul_is_romanised_per_syllable() {
        assert_eq!(t("김정은"), "kim chong un");
        assert_eq!(t("리영호"), "ri yong ho");
        assert_eq!(t("이 영호"), "ri yong ho");
        assert_eq!(t("박명철"), "pak myong chol");
    }

    #[test]
    fn arabic_article_is_split_and_letters_mapped() {
        assert_eq!(t("صدام حسين التكريتي"), "sdam hsin tkriti");
        assert_eq!(t("عبد الله"), "abd allah");
        assert_eq!(t("أسامة"), "asama");
    }

    #[test]
    fn latin_marks_and_apostrophes() {
        assert_eq!(t("KIM TONG MY’ONG"), "kim tong myong");
        assert_eq!(t("Jong-un"), "jong un");
        assert_eq!(t("Müller Ñandú Øresund"), "muller nandu oresund");
    }

    #[test]
    fn cyrillic_and_han_through_deunicode() {
        assert_eq!(t("Умаров Доку Хаматович"), "umarov doku khamatovich");
        assert_eq!(t("李方伟"), "li fang wei");
    }
}
