//! Readings of names written in Han characters: Chinese (Mandarin pinyin) and Korean (Hanja read
//! as Hangul, then romanised McCune–Reischauer by `script.rs`), chosen by script mix and the
//! party's country, each character tried in each of its plausible readings.
//!
//! Data, not hand-made tables:
//! * Mandarin: the `pinyin` crate (MIT), built from the pinyin-data project, itself derived from
//!   the Unicode Han Database (Unihan kHanyuPinyin, kMandarin, kXHC1983, …), every reading of a
//!   character (heteronyms: 单 dan/shan, 曾 zeng/ceng).
//! * Korean: the `hanja` crate (MIT), which ships libhangul's Hanja dictionary (BSD-3-Clause):
//!   every Hangul syllable with the Hanja read that way, most used first. Reversed here into
//!   Hanja → readings, ordered by how commonly the character is read each way (李 → 리, 이).
//!
//! Japanese (kanji → Hepburn) is not read here: no maintained kanji reading dataset with a
//! licence the project accepts is packaged for Rust; kana are romanised by `deunicode`.

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::ToPinyinMulti;
use unicode_script::{Script, UnicodeScript};

use super::canon::Reading;

/// Readings of one language kept per name: the most common reading of every character, then
/// alternatives that change one character to another of its readings.
const READINGS_PER_LANGUAGE: usize = 4;
/// Readings tried per character.
const READINGS_PER_CHAR: usize = 3;

/// Countries whose parties write Han characters as Chinese.
const CHINESE_COUNTRIES: &[&str] = &["CN", "TW", "HK", "MO", "SG"];
/// Countries whose parties write Han characters as Korean Hanja.
const KOREAN_COUNTRIES: &[&str] = &["KR", "KP"];
/// Countries whose parties write Han characters as Japanese kanji.
const JAPANESE_COUNTRIES: &[&str] = &["JP"];

/// How a string with Han characters is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HanLanguages {
    /// Read as Chinese: the plain reading (`deunicode`, Mandarin) and pinyin alternatives.
    pub chinese: bool,
    /// Read as Korean Hanja.
    pub korean: bool,
    /// The script mix or the country says which language it is. When they do not, languages
    /// are guessed, and guessing also among readings would only meet more other people: then
    /// Chinese is the plain reading only and Korean tries other readings of the family name
    /// (first character: 金 김/금, 李 리/이) only.
    pub confirmed: bool,
}

impl HanLanguages {
    /// Whether the plain reading (Han characters as Mandarin) is screened: not for a party
    /// known to write Korean, whose Hanja read as Chinese would meet other people's names.
    pub(crate) fn keeps_plain(self) -> bool {
        self.chinese || !self.korean
    }
}

pub(crate) fn is_han(c: char) -> bool {
    c.script() == Script::Han
}

/// The languages a string's Han characters are read in, or `None` when it has none. Kana in the
/// string make it Japanese, Hangul Korean; otherwise the country decides, and an unknown or
/// other country tries each.
pub(crate) fn languages(text: &str, country: Option<&str>) -> Option<HanLanguages> {
    if !text.chars().any(is_han) {
        return None;
    }
    let has = |script: Script| text.chars().any(|c| c.script() == script);
    let in_any = |codes: &[&str]| {
        country.is_some_and(|country| {
            let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
            crate::countries::any_matches(country, &codes)
        })
    };
    Some(if has(Script::Hangul) || in_any(KOREAN_COUNTRIES) {
        HanLanguages {
            chinese: false,
            korean: true,
            confirmed: true,
        }
    } else if has(Script::Hiragana) || has(Script::Katakana) || in_any(JAPANESE_COUNTRIES) {
        // Kanji have no reading here (see the module documentation): only the plain reading
        // stays; Chinese or Korean readings of Japanese kanji would only meet other people.
        HanLanguages {
            chinese: false,
            korean: false,
            confirmed: true,
        }
    } else if in_any(CHINESE_COUNTRIES) {
        HanLanguages {
            chinese: true,
            korean: false,
            confirmed: true,
        }
    } else {
        HanLanguages {
            chinese: true,
            korean: true,
            confirmed: false,
        }
    })
}

/// Hanja → Hangul syllables, most common reading first.
fn hanja_readings() -> &'static HashMap<char, Vec<char>> {
    static TABLE: OnceLock<HashMap<char, Vec<char>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut ranked: HashMap<char, Vec<(usize, char)>> = HashMap::new();
        for syllable in ('\u{AC00}'..='\u{D7A3}').filter_map(|c| hanja::get(c).map(|h| (c, h))) {
            let (hangul, entries) = syllable;
            for (rank, (hanja, _)) in entries.iter().enumerate() {
                ranked.entry(*hanja).or_default().push((rank, hangul));
            }
        }
        ranked
            .into_iter()
            .map(|(hanja, mut readings)| {
                readings.sort_unstable();
                (hanja, readings.into_iter().map(|(_, h)| h).collect())
            })
            .collect()
    })
}

/// Each character of `text` as its options: Han characters as their readings (each followed by
/// a space, one token per syllable), everything else as itself.
fn options(text: &str, read: impl Fn(char) -> Vec<String>) -> Vec<Vec<String>> {
    text.chars()
        .map(|c| {
            let readings = if is_han(c) { read(c) } else { Vec::new() };
            if readings.is_empty() {
                vec![c.to_string()]
            } else {
                readings
                    .into_iter()
                    .take(READINGS_PER_CHAR)
                    .map(|r| format!(" {r} "))
                    .collect()
            }
        })
        .collect()
}

/// The first option of every character, then each character in turn with one of its other
/// options, up to [`READINGS_PER_LANGUAGE`] texts.
fn combine(options: &[Vec<String>]) -> Vec<String> {
    let first: Vec<&str> = options
        .iter()
        .map(|o| o.first().map_or("", String::as_str))
        .collect();
    let mut out = vec![first.concat()];
    'outer: for (i, alternatives) in options.iter().enumerate() {
        for alternative in alternatives.iter().skip(1) {
            if out.len() >= READINGS_PER_LANGUAGE {
                break 'outer;
            }
            let mut parts = first.clone();
            parts[i] = alternative;
            let text = parts.concat();
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

/// The Korean and Chinese readings of `text` (already canonical) that `languages` asks for.
/// The plain reading (Han characters through `deunicode`, i.e. Mandarin) is not among them.
pub(crate) fn readings(text: &str, languages: HanLanguages) -> Vec<Reading> {
    let mut out = Vec::new();
    if languages.korean {
        let table = hanja_readings();
        let mut korean = options(text, |c| {
            table
                .get(&c)
                .map(|readings| readings.iter().map(char::to_string).collect())
                .unwrap_or_default()
        });
        if !languages.confirmed {
            // `options` has one entry per character.
            let family = text.chars().position(is_han);
            for (i, alternatives) in korean.iter_mut().enumerate() {
                if Some(i) != family {
                    alternatives.truncate(1);
                }
            }
        }
        out.extend(combine(&korean).into_iter().map(|text| Reading {
            text,
            how: Some("Han characters read as Korean Hanja"),
        }));
    }
    if languages.chinese && languages.confirmed {
        let chinese = options(text, |c| {
            let mut readings: Vec<String> = c
                .to_pinyin_multi()
                .into_iter()
                .flat_map(|p| p.into_iter().map(|p| p.plain().to_owned()))
                .collect();
            // Tones differ, the plain syllable repeats ("jin jin").
            let mut seen = Vec::new();
            readings.retain(|r| {
                let new = !seen.contains(r);
                seen.push(r.clone());
                new
            });
            readings
        });
        out.extend(combine(&chinese).into_iter().map(|text| Reading {
            text,
            how: Some("Han characters read as Chinese (pinyin)"),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, country: Option<&str>) -> Vec<String> {
        languages(text, country)
            .map(|l| readings(text, l))
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.text.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    #[test]
    fn country_and_script_choose_the_language() {
        let kp = texts("金正恩", Some("KP"));
        assert!(kp.contains(&"김 정 은".to_owned()), "{kp:?}");
        assert!(kp.iter().all(|t| !t.contains("jin")), "{kp:?}");
        let cn = texts("金正恩", Some("CN"));
        assert!(cn.contains(&"jin zheng en".to_owned()), "{cn:?}");
        assert!(cn.iter().all(|t| !t.contains('김')), "{cn:?}");
        // Unknown country: Korean, other readings of the family name only; Chinese is the
        // plain reading (not among these).
        let unknown = texts("金正恩", None);
        assert!(unknown.contains(&"김 정 은".to_owned()), "{unknown:?}");
        assert!(unknown.iter().all(|t| !t.contains("jin")), "{unknown:?}");
        assert!(texts("宋柳", None).iter().all(|t| !t.ends_with('유')));
        assert!(texts("宋柳", Some("KR")).iter().any(|t| t.ends_with('유')));
        // Hangul in the string makes it Korean whatever the country.
        let mixed = texts("金 정은", Some("CN"));
        assert!(mixed.iter().any(|t| t.starts_with('김')), "{mixed:?}");
        assert!(texts("Kim Jong Un", None).is_empty());
    }

    #[test]
    fn each_reading_of_a_character_is_tried() {
        // 李 is read 리 (and 이 under the initial-sound rule); 单 dan or shan.
        let korean = texts("李", Some("KR"));
        assert!(korean.contains(&"리".to_owned()) && korean.contains(&"이".to_owned()));
        let chinese = texts("单", Some("CN"));
        assert!(chinese.contains(&"dan".to_owned()) && chinese.contains(&"shan".to_owned()));
    }
}
