//! Name normalisation: script → ASCII tokens, titles and particles dropped, common spelling
//! variants folded to one canonical spelling, and a phonetic key per token.
//!
//! The phonetic key is a small hand-written scheme (written here because no maintained crate
//! covers romanised Arabic/Korean names; Soundex/Metaphone are tuned for English): keep the first
//! letter's class, then drop vowels and `h`, `w`, `v`, `y` (Arabic waw is w or v or a vowel),
//! merge voiced/unvoiced pairs (b/p, d/t, g/k/q/c, j/ch/zh, s/z, f/ph) and `l`/`r`, and collapse repeats. So "Qaddafi", "Gadhafi" and
//! "Kadhafi" all key to `KTF`; "Jong", "Chong", "Jung" and "Jeong" to `JNK`; an Arabic consonant
//! skeleton "mhmd" and "Muhammad" both to `MT`.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::script::{SKELETON_MARK, transliterate};

/// Longest screened string accepted, in bytes (a remittance line or an address is a few hundred);
/// longer input is truncated, which bounds the cost of one screening.
pub(crate) const TEXT_BYTES_MAX: usize = 2048;
/// Tokens of one listed name that are indexed, and the window width over longer queries (token
/// positions are bits of a `u16`).
pub(crate) const TOKENS_MAX: usize = 16;

/// A normalised token with its phonetic key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// Canonical spelling (lower-case ASCII, spelling variants folded).
    pub text: Box<str>,
    /// The spelling as transliterated, before variant folding (for explanations).
    pub original: Box<str>,
    /// Phonetic key.
    pub key: Box<str>,
    /// Vowel pattern (see [`vowel_signature`]).
    pub vowels: Box<str>,
    /// Transliterated from Arabic script: a consonant skeleton with unreliable vowels.
    pub skeleton: bool,
    /// Member of a known spelling family: two known tokens with different canonical forms are
    /// different names (Mahmud is not Muhammad, Hassan is not Hussein).
    pub known: bool,
    /// One romanised Chinese, Korean or Vietnamese-style syllable ("zhang", "jiang", "kyong",
    /// "chol"; see [`is_syllable`]): such tokens are few and shared by millions of names, so a
    /// name made of them is less distinctive than its letter count says.
    pub syllable: bool,
}

/// Syllable onsets of Pinyin, Wade–Giles and McCune–Reischauer (apostrophes already dropped),
/// longest first; the empty onset last.
const ONSETS: &[&str] = &[
    "tch", "zh", "ch", "sh", "hs", "ts", "tz", "kk", "tt", "pp", "ss", "ng", "b", "p", "m", "f",
    "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w", "",
];
/// Vowel nuclei (with glides) of the same systems.
const NUCLEI: &[&str] = &[
    "iao", "uai", "uei", "ieh", "yae", "wae", "ai", "ei", "ui", "ao", "ou", "iu", "ie", "ue", "ia",
    "ua", "uo", "ae", "oe", "eo", "eu", "wi", "ya", "yo", "yu", "ye", "wa", "wo", "we", "io", "eh",
    "ih", "a", "e", "i", "o", "u", "v",
];
/// Syllable codas.
const CODAS: &[&str] = &["ng", "n", "r", "k", "l", "m", "p", "t", ""];

/// Whether a lower-case ASCII token is a single syllable of Pinyin, Wade–Giles or
/// McCune–Reischauer: onset, one vowel nucleus, coda ("zhuang", "hsiung", "kyong", "chol").
/// A small grammar rather than a list: it over-generates a little ("bong", "sam"), which only
/// makes such short tokens count as the common syllables they are anyway.
pub(crate) fn is_syllable(token: &str) -> bool {
    if token.len() > 6 || !token.is_ascii() {
        return false;
    }
    ONSETS.iter().any(|onset| {
        token.strip_prefix(onset).is_some_and(|rest| {
            NUCLEI.iter().any(|nucleus| {
                rest.strip_prefix(nucleus)
                    .is_some_and(|coda| CODAS.contains(&coda))
            })
        })
    })
}

/// Titles and honorifics that say nothing about identity.
pub(crate) const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "haji",
    "hajji",
    "hadji",
    "alhaji",
    "alhajji",
    "sheikh",
    "shaikh",
    "shaykh",
    "sheik",
    "mullah",
    "mulla",
    "maulana",
    "mawlana",
    "maulvi",
    "mawlawi",
    "molvi",
    "qari",
    "imam",
    "general",
    "gen",
    "col",
    "colonel",
    "major",
    "maj",
    "capt",
    "captain",
    "lt",
    "brig",
    "admiral",
    "excellency",
    "hon",
    "rev",
    "father",
    "ayatollah",
    "hojjatoleslam",
    "emir",
    "amir",
    "sayyed",
    "sayyid",
    "seyed",
    "seyyed",
    "syed",
    "sayed",
    // Arabic and Persian courtesy titles as transliterated from their script (consonant
    // skeletons, article split off): al-sayyid, al-ustadh, al-muhandis, al-anisa; jenab aqa,
    // sarkar khanum, doktor.
    "sid",
    "astadh",
    "mhnds",
    "ansa",
    "jnab",
    "aqai",
    "srkar",
    "khanm",
    "dktr",
];

/// Connecting words and articles that lists use inconsistently ("al-", "bin", "de"). Dropped
/// unless the name would become empty.
pub(crate) const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "bin", "ibn", "bn", "ben", "bint",
    "binti", "de", "da", "del", "della", "der", "di", "du", "dos", "das", "la", "le", "van", "von",
    "y", "e", "of", "the", "and",
];

/// Spelling families folded to one canonical spelling (first item). Only families whose members
/// do not already share a phonetic key, or that are so frequent that exact equality matters.
const VARIANTS: &[&[&str]] = &[
    &[
        "muhammad",
        "mohammad",
        "mohammed",
        "mohamed",
        "mohamad",
        "muhammed",
        "muhamed",
        "mohammd",
        "mouhamed",
        "mouhammad",
        "mehmet",
        "mehmed",
        "mohd",
        "muhamad",
        "mhmd",
    ],
    &[
        "qadhafi", "qaddafi", "gaddafi", "gadhafi", "kadhafi", "kaddafi", "qathafi", "gathafi",
        "kadafi", "qadafi", "gadafi", "khadafi", "khaddafi", "kazzafi", "qazzafi",
    ],
    &[
        "usama", "osama", "ousama", "oussama", "usamah", "osamah", "asama",
    ],
    &[
        "yusuf", "yousef", "yousuf", "yusef", "yousif", "yusif", "youssef", "yossef", "jusuf",
    ],
    &[
        "husayn", "hussein", "husain", "hussain", "hussen", "hosein", "hossein", "husein", "hsin",
    ],
    &["hasan", "hassan", "hasen", "hassen"],
    &["ahmad", "ahmed", "ahmet", "ahmod", "ehmed"],
    &[
        "abdallah", "abdullah", "abdulla", "abdalla", "abdellah", "abdoulah", "abdollah",
    ],
    &["mahmud", "mahmoud", "mahmood", "mehmood", "mahmut"],
    &[
        "mustafa",
        "mostafa",
        "moustafa",
        "mustapha",
        "mostapha",
        "moustapha",
        "mustafah",
    ],
    &[
        "ibrahim", "ebrahim", "ibraheem", "ibrahima", "brahim", "ebraheem",
    ],
    &["umar", "omar", "omer", "umer", "omor"],
    &["uthman", "othman", "osman", "usman", "othmane", "utman"],
    &["abu", "abou", "abo", "aboo"],
    &["abd", "abdel", "abdul", "abdal", "abdoul", "abdol"],
    &["pak", "park", "bak", "bahk"],
    &["ri", "lee", "rhee", "yi", "li", "rhie"],
    &["choe", "choi", "chwe", "choy"],
    &["chong", "jong", "jung", "jeong", "chung", "cheong", "joung"],
    &["un", "eun", "oun"],
    &["kim", "gim"],
    &["song", "sung", "seong"],
    &["chol", "cheol", "chul"],
    &["yong", "young", "yeong"],
    // McCune–Reischauer ŏ written "o" (lists) or "eo" (Revised Romanisation).
    &["yo", "yeo"],
    &["il", "ill"],
    &["saif", "seif", "sayf", "saifu"],
    &["kwang", "gwang"],
];

/// The canonical spelling, and whether the token belongs to a known family.
/// Spellings are compared with doubled letters collapsed (see [`collapse_repeats`]), so the table
/// is keyed and valued that way too.
fn canonical(token: &str) -> (Box<str>, bool) {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        VARIANTS
            .iter()
            .flat_map(|family| {
                family
                    .iter()
                    .map(move |member| (collapse_repeats(member), collapse_repeats(family[0])))
            })
            .collect()
    });
    table
        .get(token)
        .map_or((token.into(), false), |c| (c.as_str().into(), true))
}

/// Runs of one letter written once ("Hassan" → "hasan", "Kiim" → "kim"): doubling letters is a
/// cheap disguise, and transliterations disagree on it anyway.
pub(crate) fn collapse_repeats(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for c in token.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Legal forms and branch words of organisations: they identify no one and never take part in a
/// join ("Bali Ltd" is not "Balita").
pub(crate) const LEGAL_FORMS: &[&str] = &[
    "ltd", "llc", "lc", "inc", "corp", "co", "plc", "gmbh", "ag", "sa", "sarl", "sas", "srl",
    "spa", "bv", "nv", "as", "ab", "oy", "pty", "jsc", "ojsc", "ojs", "ooo", "oao", "zao", "pjsc",
    "jr", "sr", "ii", "iii", "kg", "kft", "sro", "doo", "tbk", "pt", "bhd", "sdn", "ltda", "cia",
];

/// Particles that names also carry glued to the next word ("Binladen", "Alzawahiri").
const GLUED_PARTICLES: &[&str] = &["bin", "ibn", "ben", "al", "el", "abd", "abdul", "abdel"];

/// The rest of a token that starts with a glued particle, if the rest is a plausible name.
pub(crate) fn strip_glued_particle(token: &str) -> Option<&str> {
    GLUED_PARTICLES.iter().find_map(|p| {
        token
            .strip_prefix(p)
            .filter(|rest| rest.len() >= 4 && token.len() > p.len() + 3)
    })
}

/// Normalises a canonical string (see `canon.rs`) into tokens, all of them (windows bound the
/// cost of long text). Returns an empty vector for input with no letters or digits.
pub(crate) fn tokenize(name: &str) -> Vec<Token> {
    let name = truncate(name);
    let mut ascii = String::with_capacity(name.len() + 8);
    transliterate(name, &mut ascii);
    // Particles are recognised as written ("dass" is a name, "das" a particle); titles also
    // with doubled letters collapsed ("Ammir", "Maaulana"), since no name spells a title with a
    // doubled letter the title lacks, and doubling letters is a cheap disguise.
    let words: Vec<(bool, &str)> = ascii
        .split_whitespace()
        .map(|w| match w.strip_prefix(SKELETON_MARK) {
            Some(rest) => (true, rest),
            None => (false, w),
        })
        .filter(|(_, w)| {
            !w.is_empty() && !TITLES.contains(w) && !TITLES.contains(&collapse_repeats(w).as_str())
        })
        .collect();
    let meaningful = words.iter().filter(|(_, w)| !PARTICLES.contains(w)).count();
    words
        .into_iter()
        .filter(|(_, w)| meaningful == 0 || !PARTICLES.contains(w))
        .map(|(skeleton, w)| {
            let w = collapse_repeats(w);
            let (text, known) = canonical(&w);
            let syllable = !skeleton && is_syllable(&text);
            Token {
                key: phonetic_key(&text).into(),
                vowels: vowel_signature(&text).into(),
                text,
                syllable,
                original: w.into(),
                skeleton,
                known,
            }
        })
        .collect()
}

/// The vowels of a token with common digraphs folded (eo→o, eu/ou/oo→u, ee→i, ae→e, an `i`
/// glide before a vowel dropped as in Russian "Iurii", a final `y` read as `i`), repeats
/// collapsed: "jeong" → "o", "muhammad" → "ua", "iurii" and "yuri" → "ui".
pub(crate) fn vowel_signature(token: &str) -> String {
    let b = token.as_bytes();
    let mut out = String::with_capacity(4);
    let mut push = |c: u8| {
        if out.as_bytes().last() != Some(&c) {
            out.push(char::from(c));
        }
    };
    let mut i = 0;
    while i < b.len() {
        let folded = match (b[i], b.get(i + 1).copied()) {
            (b'i', Some(v @ (b'a' | b'u' | b'o' | b'e'))) => Some(v),
            (b'e', Some(b'o')) | (b'o', Some(b'o')) => Some(if b[i] == b'e' { b'o' } else { b'u' }),
            (b'e' | b'o', Some(b'u')) => Some(b'u'),
            (b'e', Some(b'e')) => Some(b'i'),
            (b'a', Some(b'e')) => Some(b'e'),
            _ => None,
        };
        if let Some(v) = folded {
            push(v);
            i += 2;
            continue;
        }
        match b[i] {
            c @ (b'a' | b'e' | b'i' | b'o' | b'u') => push(c),
            b'y' if i + 1 == b.len() => push(b'i'),
            _ => {}
        }
        i += 1;
    }
    out
}

fn truncate(name: &str) -> &str {
    if name.len() <= TEXT_BYTES_MAX {
        return name;
    }
    let mut end = TEXT_BYTES_MAX;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// Consonant class of an ASCII letter; `None` for letters the key drops.
fn class(c: u8) -> Option<u8> {
    Some(match c {
        b'b' | b'p' => b'P',
        b'd' | b't' => b'T',
        b'g' | b'k' | b'q' | b'c' => b'K',
        b'j' => b'J',
        b's' | b'z' | b'x' => b'S',
        b'f' => b'F',
        b'l' | b'r' => b'R',
        b'm' => b'M',
        b'n' => b'N',
        b'0'..=b'9' => c,
        _ => return None,
    })
}

/// Multi-letter spellings of one sound, longest first, with their class (`H` = an `h`-like
/// sound: kept as the first letter, dropped inside a word, like a plain `h`).
const DIGRAPHS: &[(&str, u8)] = &[
    ("tsch", b'J'),
    ("sch", b'S'),
    ("tch", b'J'),
    ("dzh", b'J'),
    ("ch", b'J'),
    ("zh", b'J'),
    ("dj", b'J'),
    ("dz", b'J'),
    ("sh", b'S'),
    ("ph", b'F'),
    ("kh", b'H'),
    ("gh", b'K'),
    ("th", b'T'),
    ("dh", b'T'),
    ("ck", b'K'),
];

/// The phonetic key of one lower-case ASCII token (see the module documentation).
pub(crate) fn phonetic_key(token: &str) -> String {
    let b = token.as_bytes();
    let mut key = String::with_capacity(b.len());
    let mut i = 0;
    let mut last: Option<u8> = None;
    while i < b.len() {
        let rest = &b[i..];
        // Only these letters start a digraph; skipping the table search for the rest matters
        // when indexing tens of thousands of names.
        let digraph = if matches!(b[i], b't' | b's' | b'd' | b'c' | b'z' | b'p' | b'k' | b'g') {
            DIGRAPHS
                .iter()
                .find(|(d, _)| rest.starts_with(d.as_bytes()))
        } else {
            None
        };
        let (cls, step) = digraph.map_or_else(|| (class(b[i]), 1), |&(d, c)| (Some(c), d.len()));
        let cls = match cls {
            Some(b'H') | None if b[i] == b'h' || cls == Some(b'H') => (i == 0).then_some(b'H'),
            None if i == 0 => Some(b'A'),
            other => other,
        };
        if let Some(k) = cls {
            if last != Some(k) {
                key.push(char::from(k));
            }
            last = Some(k);
        }
        i += step;
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str) -> Vec<String> {
        tokenize(name).iter().map(|t| t.text.to_string()).collect()
    }

    #[test]
    fn keys_merge_romanisations() {
        let same = [
            ("qaddafi", "kadhafi"),
            ("gaddafi", "qadafi"),
            ("jong", "chong"),
            ("jeong", "jung"),
            ("usama", "osama"),
            ("yusuf", "yousef"),
            ("mhmd", "muhammad"),
            ("khamatovich", "hamatovich"),
            ("tikriti", "tkriti"),
            ("hussein", "hsin"),
        ];
        for (a, b) in same {
            assert_eq!(phonetic_key(a), phonetic_key(b), "{a} vs {b}");
        }
        assert_ne!(phonetic_key("hussein"), phonetic_key("hakim"));
        assert_ne!(phonetic_key("kim"), phonetic_key("pak"));
    }

    #[test]
    fn vowel_signatures_fold_digraphs() {
        assert_eq!(vowel_signature("jeong"), "o");
        assert_eq!(vowel_signature("muhammad"), "ua");
        assert_eq!(vowel_signature("iurii"), vowel_signature("yuri"));
        assert_eq!(vowel_signature("arkadiy"), vowel_signature("arkadii"));
        assert_ne!(vowel_signature("min"), vowel_signature("man"));
    }

    #[test]
    fn syllables_are_recognised() {
        for s in [
            "zhang", "jiang", "zhuang", "hsiung", "kyong", "chol", "ri", "un", "myong",
        ] {
            assert!(is_syllable(s), "{s}");
        }
        for s in [
            "salim", "ahmad", "ali", "omar", "john", "mark", "paul", "mingguo", "yasin",
        ] {
            assert!(!is_syllable(s), "{s}");
        }
    }

    #[test]
    fn titles_particles_and_variants() {
        assert_eq!(texts("Dr. Mohammed AL-Ahmad"), ["muhamad", "ahmad"]);
        assert_eq!(texts("Kiim Hassan Dass"), ["kim", "hasan", "das"]);
        assert_eq!(texts("Sheikh Osama bin Laden"), ["usama", "laden"]);
        assert_eq!(texts("AL"), ["al"]);
        assert_eq!(texts("Ammir Raahimi"), ["rahimi"]);
        assert_eq!(texts("  -- "), Vec::<String>::new());
    }
}
