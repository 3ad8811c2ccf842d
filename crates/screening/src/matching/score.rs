//! Scoring one query against one listed name: token-set alignment.
//!
//! Every query token is paired with at most one listed token (or up to six adjacent listed
//! tokens written together, or vice versa), greedily by similarity. Token similarity is bounded
//! by real spelling similarity: exact 1.0; same canonical spelling after variant folding
//! ("variant") 0.97; same phonetic key and vowel pattern ("phonetic") 0.9 + 0.1·JW but at most
//! JW + 0.05, and only from JW ≥ 0.7; same key with other vowels JW if ≥ 0.86 (tokens over 4
//! letters); Jaro–Winkler ≥ 0.90 (≥ 0.92 for short tokens) otherwise ("fuzzy"); a single letter
//! against a token it begins ("initial") 0.8; a prefix of 4+ letters ("abbreviation") 0.85;
//! joined/split tokens ("joined") 0.97 when the letters agree. Two different members of the
//! spelling-variant table never match. Each token weighs its rarity in the list (IDF).
//!
//! A party name ([`Mode::Name`]) scores `share·query_coverage + (1−share)·listed_coverage`
//! (share 0.75, or 0.5 when only short syllables or a single token of a longer listed name
//! matched), or, when higher and the listed name is distinctive, its containment: the listed
//! coverage less a little per extra query token. Free text ([`Mode::Text`]) scores containment,
//! or the run of consecutive words that matched scored as a party name (at least two listed
//! tokens, one of them long).

use strsim::jaro_winkler;

use super::normalize::{LEGAL_FORMS, Token, phonetic_key, strip_glued_particle};

/// Weight of query coverage in the score; the listed name's coverage gets the rest.
pub(crate) const QUERY_SHARE: f64 = 0.75;
/// Below this Jaro–Winkler similarity two tokens with different keys do not match.
const FUZZY_MIN: f64 = 0.9;
/// Joined/split tokens need this Jaro–Winkler similarity when keys differ.
const JOINED_FUZZY_MIN: f64 = 0.93;
/// Joined/split tokens need this Jaro–Winkler similarity when keys agree.
const JOINED_PHONETIC_MIN: f64 = 0.9;

/// How a query token matched a listed token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum How {
    Exact,
    Variant,
    Phonetic(f64),
    Fuzzy(f64),
    Initial,
    Prefix,
    Joined,
}

impl How {
    fn label(self) -> String {
        match self {
            Self::Exact => "exact".into(),
            Self::Variant => "variant".into(),
            Self::Phonetic(jw) => format!("phonetic(jw={jw:.2})"),
            Self::Fuzzy(jw) => format!("fuzzy(jw={jw:.2})"),
            Self::Initial => "initial".into(),
            Self::Prefix => "abbreviation".into(),
            Self::Joined => "joined".into(),
        }
    }
}

/// A matched span: query tokens `q.0..q.0+q.1` with listed tokens `n.0..n.0+n.1`.
#[derive(Debug, Clone, Copy)]
struct Pair {
    q: (usize, usize),
    n: (usize, usize),
    sim: f64,
    how: How,
}

/// The result of aligning a query with one listed name.
#[derive(Debug, Clone)]
pub(crate) struct Alignment {
    pub score: f64,
    pairs: Vec<Pair>,
    unmatched_query: Vec<usize>,
    unmatched_listed: Vec<usize>,
    /// The listed name was found inside a longer string: (tokens outside it, tokens between its
    /// matched tokens).
    contained: Option<(usize, usize)>,
    /// A syllable name matched in another order (see [`SYLLABLE_ORDER_PENALTY`]).
    reordered: bool,
}

fn concat(tokens: &[Token]) -> String {
    tokens.iter().map(|t| &*t.text).collect()
}

/// Preference for a join over a one-to-one pair of nearly the same similarity.
const JOIN_BONUS: f64 = 0.03;
/// Tokens this short are common syllables (Korean, Chinese): they need closer spelling.
pub(crate) const SHORT_TOKEN_LEN: usize = 4;
/// Jaro–Winkler needed by same-key tokens with the same vowels.
const PHONETIC_MIN: f64 = 0.8;
/// Jaro–Winkler needed between an Arabic skeleton and the consonants of a Latin spelling.
const SKELETON_MIN: f64 = 0.85;
/// Jaro–Winkler needed by same-key tokens whose vowels differ.
const PHONETIC_VOWEL_MISMATCH_MIN: f64 = 0.86;
/// Jaro–Winkler needed for a fuzzy match of short tokens.
const SHORT_FUZZY_MIN: f64 = 0.92;

/// Same-key tokens whose spelling is this far apart (Jaro–Winkler) are different names, whatever
/// their keys say ("yu" and "oo" share a key and nothing else).
const PHONETIC_FLOOR: f64 = 0.7;
/// A phonetic match counts at most this much above the tokens' real string similarity.
const PHONETIC_HEADROOM: f64 = 0.05;
/// A single-token listed name ("SIERRA", "George") needs its token matched at least this well.
const SINGLE_TOKEN_MIN: f64 = 0.95;
/// Most tokens one token may stand for when written together ("kimjongun").
pub(crate) const JOIN_SPAN_MAX: usize = 6;

pub(crate) fn single_sim(a: &Token, b: &Token) -> Option<(f64, How)> {
    if a.text == b.text {
        return Some(if a.original == b.original {
            (1.0, How::Exact)
        } else {
            (0.97, How::Variant)
        });
    }
    if a.known && b.known {
        // Two different known names (Mahmud vs Muhammad) never match by resemblance.
        return None;
    }
    let (short, long) = if a.text.len() <= b.text.len() {
        (a, b)
    } else {
        (b, a)
    };
    // A syllable against a longer word that is no syllable is one syllable of a longer name
    // ("ming" of "mingguo", "sheng" of "shusheng"): no evidence of the same name.
    if short.syllable && !long.syllable && !long.skeleton && long.text.len() >= short.text.len() + 2
    {
        return None;
    }
    if short.text.len() == 1 {
        let initial =
            long.text.starts_with(&*short.text) || long.original.starts_with(&*short.original);
        // A query initial for a listed name is usual; a listed initial says less about a full
        // query name, so it counts for less.
        let sim = if std::ptr::eq(short, a) { 0.8 } else { 0.6 };
        return initial.then_some((sim, How::Initial));
    }
    // A query name with a vowel added at its end that the listed name lacks is another name
    // formed from it: a feminine ("Malika" of Malik, "Ivanova" of Ivanov) or a family name of
    // origin ("Akbari" of Akbar, "Hadithi" of Hadith, "Mohammadi" of Mohammad). The reverse, a
    // query one final vowel short of the listed name, may be a dropped letter and still counts.
    if std::ptr::eq(long, a)
        && !a.skeleton
        && !b.skeleton
        && is_derived_form(&short.text, &long.text)
    {
        return None;
    }
    // An Arabic-script consonant skeleton writes every consonant, and its long and final
    // vowels: a Latin spelling with other consonants (another key), or without those vowels or
    // with them elsewhere, is another name ("آرمین" is Armin, not Amin; "ملیکا" Malika, not
    // Malik; "هدایت" Hedayat, not Hadi).
    if a.skeleton != b.skeleton {
        let (skeleton, latin) = if a.skeleton { (a, b) } else { (b, a) };
        if !skeleton.known
            && (skeleton.key != latin.key || !skeleton_vowels_agree(&skeleton.text, &latin.text))
        {
            return None;
        }
    }
    // A spelling folded into its family's canonical form ("mohamed" → "muhamad") is compared as
    // written too when the two are one typo apart as written ("mohmed"): the typo is closer to
    // the spelling it was made in than to the family's canonical form.
    let jw = if (a.known || b.known) && strsim::levenshtein(&a.original, &b.original) <= 1 {
        jaro_winkler(&a.text, &b.text).max(jaro_winkler(&a.original, &b.original))
    } else {
        jaro_winkler(&a.text, &b.text)
    };
    if a.skeleton != b.skeleton {
        // Arabic-script skeleton against a Latin spelling: compare consonants only.
        let (skeleton, latin) = if a.skeleton { (a, b) } else { (b, a) };
        let consonants: String = latin
            .text
            .chars()
            .filter(|c| !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
            .collect();
        let cjw = jaro_winkler(&skeleton.text, &consonants);
        // Short Latin syllables ("shi", "min") are too easy to meet by consonants alone.
        if skeleton.key == latin.key
            && cjw >= SKELETON_MIN
            && latin.text.len() > SHORT_TOKEN_LEN - 1
        {
            return Some((
                (0.9 + 0.1 * cjw).min(cjw + PHONETIC_HEADROOM),
                How::Phonetic(cjw),
            ));
        }
    }
    let is_short = short.text.len() <= SHORT_TOKEN_LEN;
    if a.key == b.key && jw >= PHONETIC_FLOOR {
        // A key proves a sound, not a name: the pair counts no more than a little above its
        // real spelling similarity. Short romanised syllables ("jong", "chong") are spelt
        // differently by each system, so they may sound alike at a lower similarity; other short
        // words that only share a key are different names ("Panya" is not "Banna").
        let cap = jw + PHONETIC_HEADROOM;
        if a.vowels == b.vowels && ((is_short && a.syllable && b.syllable) || jw >= PHONETIC_MIN) {
            return Some(((0.9 + 0.1 * jw).min(cap), How::Phonetic(jw)));
        }
        if !is_short && jw >= PHONETIC_VOWEL_MISMATCH_MIN {
            return Some((cap.min(1.0 - PHONETIC_HEADROOM), How::Phonetic(jw)));
        }
    }
    let fuzzy_min = if is_short { SHORT_FUZZY_MIN } else { FUZZY_MIN };
    // Two different syllables that neither share a sound (key and vowels) nor belong to one
    // spelling family are different syllables, however few letters apart: "jiang" is not
    // "jing", "paek" not "pak", "sang" not "saeng". Each romanisation system spells a syllable
    // one way; the cross-system spellings are in the variant table or share the key.
    if jw >= fuzzy_min && !(a.syllable && b.syllable) {
        return Some((jw, How::Fuzzy(jw)));
    }
    // Abbreviations: "Corp" for "Corporation", "Intl" is not handled.
    if short.text.len() >= 4
        && long.text.len() > short.text.len() + 3
        && long.text.starts_with(&*short.text)
    {
        return Some((0.85, How::Prefix));
    }
    // A particle glued to the name: "Binladen" for "bin Ladin", "Alzawahiri" for "al-Zawahiri".
    if let Some(rest) = strip_glued_particle(&a.text).or_else(|| strip_glued_particle(&b.text)) {
        let other = if strip_glued_particle(&a.text) == Some(rest) {
            b
        } else {
            a
        };
        let jw = jaro_winkler(rest, &other.text);
        if rest == &*other.text || (phonetic_key(rest) == *other.key && jw >= 0.85) {
            return Some((0.9 + 0.05 * jw, How::Joined));
        }
    }
    None
}

/// Whether `long` is `short` (a word of four letters or more ending in a consonant) with one
/// vowel added at its end.
fn is_derived_form(short: &str, long: &str) -> bool {
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    short.len() >= SHORT_TOKEN_LEN
        && long.len() == short.len() + 1
        && long.starts_with(short)
        && long.as_bytes().last().copied().is_some_and(vowel)
        && short.as_bytes().last().copied().is_some_and(|c| !vowel(c))
}

/// Whether the vowel letters an Arabic-script skeleton writes after its first letter (alif `a`,
/// ya `i`, waw `u`) appear in a Latin spelling in the same order (a as a/e, i as i/e/y, u as
/// u/o/w), and both end in a vowel or neither does. The skeleton's first letter is skipped: an
/// initial alif or ayn carries any vowel ("Omar", "Ali", "Imad"), which the Latin spelling may
/// write as its first letter ("ایران" is Iran).
fn skeleton_vowels_agree(skeleton: &str, latin: &str) -> bool {
    let is_vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    let ends_vowel = |t: &str| t.as_bytes().last().copied().is_some_and(is_vowel);
    if skeleton.len() > 1 && ends_vowel(skeleton) != ends_vowel(latin) {
        return false;
    }
    let mut rest = latin.bytes();
    skeleton
        .bytes()
        .skip(1)
        .filter(|c| matches!(c, b'a' | b'i' | b'u'))
        .all(|v| {
            rest.any(|c| match v {
                b'a' => matches!(c, b'a' | b'e'),
                b'i' => matches!(c, b'i' | b'e' | b'y'),
                _ => matches!(c, b'u' | b'o' | b'w'),
            })
        })
}

/// One token against several adjacent tokens written together ("Jongun" ~ "Jong Un",
/// "kimjongun" ~ "Kim Jong Un").
pub(crate) fn joined_sim(one: &Token, parts: &[Token]) -> Option<(f64, How)> {
    // Cheap tests first: this runs for every token against every span. Every join below
    // spells the same first letter, canonically or as written.
    let first = |t: &Token, original: bool| {
        let s: &str = if original { &t.original } else { &t.text };
        s.as_bytes().first().copied()
    };
    let head = |original: bool| parts.iter().find_map(|t| first(t, original));
    if first(one, false) != head(false) && first(one, true) != head(true) {
        return None;
    }
    let text_len: usize = parts.iter().map(|t| t.text.len()).sum();
    let original_len: usize = parts.iter().map(|t| t.original.len()).sum();
    if (one.text.len() != text_len && one.original.len().abs_diff(original_len) > 2)
        || parts
            .iter()
            .chain(std::iter::once(one))
            .any(|t| LEGAL_FORMS.contains(&&*t.text))
    {
        return None;
    }
    let joined = concat(parts);
    let joined_original: String = parts.iter().map(|t| &*t.original).collect();
    if *one.text == joined || *one.original == joined_original {
        return Some((0.97, How::Joined));
    }
    // Letters joined and then collapsed ("kimmin" → "kimin") or a doubled letter at a seam.
    if crate::matching::normalize::collapse_repeats(&joined) == *one.text {
        return Some((0.96, How::Joined));
    }
    // A join must spell (nearly) the same letters, from the same first letter: keys alone are
    // too lossy here ("Kim Yo" keys like "Kim"; "wang li" is not "anglia").
    if one.original.len().abs_diff(joined_original.len()) > 2
        || one.original.as_bytes().first() != joined_original.as_bytes().first()
    {
        return None;
    }
    // Short joins and joins of syllables must spell exactly the same letters (handled above):
    // one letter more or less is another name there ("mi yong" is not "myong", "ha un" not
    // "han", "zhu ang" not "zhang").
    // So must joins with a one-character part, an initial or a number ("margarin" is not
    // MARGARITA 1).
    if joined_original.len() <= SHORT_JOIN_LETTERS
        || parts.iter().all(|t| t.syllable)
        || one.syllable
        || parts.iter().any(|t| t.text.len() == 1)
    {
        return None;
    }
    let jw = jaro_winkler(&one.original, &joined_original);
    let skeleton = one.skeleton || parts.iter().any(|t| t.skeleton);
    // The key must come from every part: "Yun Ho" keys like "Yun" alone, so it proves nothing.
    let adds = |key: &str| parts.iter().all(|t| *t.key != *key);
    let same_key = [phonetic_key(&joined), phonetic_key(&joined_original)]
        .iter()
        .any(|k| *one.key == **k && adds(k));
    if (same_key || skeleton) && jw >= JOINED_PHONETIC_MIN {
        Some(((0.9 + 0.07 * jw).min(jw + PHONETIC_HEADROOM), How::Joined))
    } else {
        (jw >= JOINED_FUZZY_MIN).then_some((0.97 * jw, How::Joined))
    }
}

/// Joins of at most this many letters match only when spelt exactly.
const SHORT_JOIN_LETTERS: usize = 7;
/// A name of syllables matched in another order than listed, other than the family name moved
/// from first to last or back ("Ri Yong Su" for RI SU YONG): the given name's syllables are
/// ordered, "Yong Su" and "Su Yong" are different names.
const SYLLABLE_ORDER_PENALTY: f64 = 0.2;

/// What the score of an alignment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A party's name: the query should be the listed name, perhaps with more or fewer tokens.
    Name,
    /// Free text (remittance information, an address line): a listed name anywhere in it hits,
    /// the rest of the text is no evidence either way.
    Text,
}

/// What the scorer knows of the listed name besides its tokens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListedTraits {
    /// Distinctive enough (rare tokens, or one long rare token) to be recognised inside a longer
    /// string.
    pub specific: bool,
    /// Four letters or fewer in all ("ISIL", "KCST", "Ri"): matches only exactly, as a whole.
    pub short: bool,
}

/// Each unmatched query token outside the matched listed name costs this much (at most
/// [`EXTRA_TOKENS_COUNTED`] of them) when the listed name is found inside a longer name.
const EXTRA_TOKEN_PENALTY: f64 = 0.01;
const EXTRA_TOKENS_COUNTED: usize = 4;
/// Each unmatched query token between matched ones costs this much.
const GAP_TOKEN_PENALTY: f64 = 0.03;
/// A one-word listed name must match this well (exact or a known variant) to count as contained.
const SINGLE_TOKEN_CONTAINED_MIN: f64 = 0.97;
/// Each listed token must match at least this well for the name to count as contained: spelt as
/// listed, as a known variant, joined, or an Arabic skeleton with the listed consonants. Resemblances inside a longer string
/// are two weak signals at once ("Artin Mohammadpour" is not MUHAMMAD Ratin).
const CONTAINED_TOKEN_MIN: f64 = 0.95;
/// Query share of the blend when nothing but short syllables (≤ 4 letters) matched: Chinese,
/// Korean and Vietnamese names share syllables widely, so the listed name's coverage decides more.
pub(crate) const SYLLABLE_QUERY_SHARE: f64 = 0.5;

/// Aligns query tokens (with weights) to listed tokens (with weights) and scores the alignment.
pub(crate) fn align(
    q: &[Token],
    qw: &[f64],
    n: &[Token],
    nw: &[f64],
    traits: ListedTraits,
    mode: Mode,
) -> Alignment {
    if traits.short {
        let mut whole = Alignment::no_match();
        if mode == Mode::Name && concat(q) == concat(n) {
            whole.score = 1.0;
            whole.pairs.push(Pair {
                q: (0, q.len()),
                n: (0, n.len()),
                sim: 1.0,
                how: How::Exact,
            });
        }
        return whole;
    }
    let mut pairs = Vec::with_capacity(q.len() * n.len() + 4);
    for (i, a) in q.iter().enumerate() {
        for (j, b) in n.iter().enumerate() {
            if let Some((sim, how)) = single_sim(a, b) {
                pairs.push(Pair {
                    q: (i, 1),
                    n: (j, 1),
                    sim,
                    how,
                });
            }
            for len in 2..=JOIN_SPAN_MAX.min(n.len() - j) {
                if let Some((sim, how)) = joined_sim(a, &n[j..j + len]) {
                    pairs.push(Pair {
                        q: (i, 1),
                        n: (j, len),
                        sim,
                        how,
                    });
                }
            }
        }
    }
    for i in 0..q.len() {
        for len in 2..=JOIN_SPAN_MAX.min(q.len() - i) {
            for (j, b) in n.iter().enumerate() {
                if let Some((sim, how)) = joined_sim(b, &q[i..i + len]) {
                    pairs.push(Pair {
                        q: (i, len),
                        n: (j, 1),
                        sim,
                        how,
                    });
                }
            }
        }
    }
    // Highest similarity first; a join (which explains three tokens) wins near-ties; then by
    // position so the result does not depend on sort stability.
    let gain = |p: &Pair| p.sim + if p.q.1 + p.n.1 > 2 { JOIN_BONUS } else { 0.0 };
    pairs.sort_by(|a, b| {
        gain(b)
            .total_cmp(&gain(a))
            .then(a.q.0.cmp(&b.q.0))
            .then(a.n.0.cmp(&b.n.0))
    });
    let mut q_sim = vec![None::<f64>; q.len()];
    let mut n_sim = vec![None::<f64>; n.len()];
    let mut chosen = Vec::new();
    for p in pairs {
        let qs = p.q.0..p.q.0 + p.q.1;
        let ns = p.n.0..p.n.0 + p.n.1;
        if q_sim[qs.clone()].iter().any(Option::is_some)
            || n_sim[ns.clone()].iter().any(Option::is_some)
        {
            continue;
        }
        q_sim[qs].fill(Some(p.sim));
        n_sim[ns].fill(Some(p.sim));
        chosen.push(p);
    }
    let coverage = |sims: &[Option<f64>], w: &[f64]| {
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        sims.iter()
            .zip(w)
            .map(|(s, w)| s.unwrap_or(0.0) * w)
            .sum::<f64>()
            / total
    };
    let listed_coverage = coverage(&n_sim, nw);
    // Judged by the spelling similarity itself: a phonetic key adds nothing to one word.
    let single_evidence = chosen.iter().find(|p| p.n.0 == 0).map(|p| match p.how {
        How::Phonetic(jw) | How::Fuzzy(jw) => jw.min(p.sim),
        _ => p.sim,
    });
    if n.len() == 1 && single_evidence.is_none_or(|s| s < SINGLE_TOKEN_MIN) {
        // A one-word listed name proves nothing unless spelt (nearly) exactly.
        return Alignment::no_match();
    }
    // Found inside a longer string: every listed token matched well, and the rest of the query
    // costs only a little (before, after) or a bit more (between the matched tokens).
    // One word is recognised inside a longer string only when spelt as listed.
    let token_min = if n.len() == 1 {
        SINGLE_TOKEN_CONTAINED_MIN
    } else {
        CONTAINED_TOKEN_MIN
    };
    // A name of syllables is a whole Chinese or Korean name: followed by another syllable, or
    // with one between its syllables, it is the start of a longer name ("Zhang Jian Guo",
    // "Jian Guo Zhang" are not ZHANG Jian), not the listed name inside a longer string.
    let syllables = n.iter().all(|t| t.syllable);
    let contained = (traits.specific && n_sim.iter().all(|s| s.is_some_and(|s| s >= token_min)))
        .then(|| {
            let matched: Vec<usize> = (0..q.len()).filter(|&i| q_sim[i].is_some()).collect();
            let (first, last) = (matched.first().copied()?, matched.last().copied()?);
            let gaps = (first..=last).filter(|&i| q_sim[i].is_none()).count();
            let extra = q.len() - (last - first + 1);
            let longer_name =
                syllables && (gaps > 0 || q.get(last + 1).is_some_and(|t| t.syllable));
            (!longer_name).then_some((extra, gaps))
        })
        .flatten();
    let contained_score = contained.map(|(extra, gaps)| {
        listed_coverage
            - EXTRA_TOKEN_PENALTY * count_f64(extra.min(EXTRA_TOKENS_COUNTED))
            - GAP_TOKEN_PENALTY * count_f64(gaps)
    });
    // Short syllables alone (Chinese, Korean, Vietnamese names) prove less than a long rare
    // token: then the listed name's coverage counts as much as the query's. So does a single
    // matched token standing for a longer listed name ("Lopes" for "Lopez, Luis").
    chosen.sort_by_key(|p| p.q.0);
    let long_token_matched = chosen
        .iter()
        .any(|p| p.sim >= 0.9 && (p.n.0..p.n.0 + p.n.1).any(|j| n[j].text.len() > SHORT_TOKEN_LEN));
    // For a party name, a long syllable ("jiang", "cheng") is no more distinctive than a short
    // one: Chinese, Korean and Vietnamese names are made of a few hundred syllables, so a name
    // whose matched listed tokens are all syllables needs its listed tokens covered ("Jiang
    // Ping" is not ZHANG Jiang Ping, "Li Cheng" not LI Cheng Yu).
    let word_matched = chosen.iter().any(|p| {
        p.sim >= 0.9
            && (p.n.0..p.n.0 + p.n.1).any(|j| n[j].text.len() > SHORT_TOKEN_LEN && !n[j].syllable)
    });
    // The order of a syllable name's matched tokens, read in query order, must be the listed
    // order or a rotation of it (family name first or last).
    let reordered = mode == Mode::Name && n.len() >= 3 && n.iter().all(|t| t.syllable) && {
        // A repeated syllable ("CHANG Chang Ha") counts at its first place.
        let first = |j: usize| n.iter().position(|t| t.text == n[j].text).unwrap_or(j);
        let mut order: Vec<usize> = chosen.iter().map(|p| first(p.n.0)).collect();
        order.dedup();
        let descents = order.windows(2).filter(|w| w[1] < w[0]).count();
        descents > 1 || (descents == 1 && order.last() > order.first())
    };
    let listed_matched = n_sim.iter().filter(|s| s.is_some()).count();
    let score = match mode {
        Mode::Text => {
            // A name written without its middle name or patronymic ("for Doku Umarov" for
            // DOKU KHAMATOVICH UMAROV) is scored as the party name it would be, from the run of
            // words it matched: consecutive, at least two listed tokens, one of them long.
            let matched: Vec<usize> = (0..q.len()).filter(|&i| q_sim[i].is_some()).collect();
            let run = match (matched.first(), matched.last()) {
                (Some(&first), Some(&last)) if last - first + 1 == matched.len() => {
                    Some(first..=last)
                }
                _ => None,
            };
            let as_name = run
                .filter(|_| long_token_matched && listed_matched >= 2)
                .map_or(0.0, |run| {
                    QUERY_SHARE * coverage(&q_sim[run.clone()], &qw[run])
                        + (1.0 - QUERY_SHARE) * listed_coverage
                });
            contained_score.unwrap_or(0.0).max(as_name)
        }
        Mode::Name => {
            let query_coverage = coverage(&q_sim, qw);
            // No token spelt as listed (or as a known variant, or joined letter for letter):
            // every pair is a resemblance, and resemblances of two or three given names meet
            // some longer listed name often ("Kasim Saafir" ~ Muhammad Qasim Sarafi). Then a
            // token more or less is not forgiven either.
            let only_resemblance = chosen.iter().all(|p| {
                matches!(
                    p.how,
                    How::Phonetic(_) | How::Fuzzy(_) | How::Initial | How::Prefix
                )
            });
            let blend = if !word_matched || only_resemblance {
                // Nothing but syllables and short tokens matched: a syllable more on either side
                // is another name ("Zhang Jian Guo" is not ZHANG Jian, "Wang Wei" not WANG Wei
                // Ming), so the weaker coverage counts most. So it does when nothing matched
                // but by resemblance.
                let (low, high) = if query_coverage <= listed_coverage {
                    (query_coverage, listed_coverage)
                } else {
                    (listed_coverage, query_coverage)
                };
                QUERY_SHARE * low + (1.0 - QUERY_SHARE) * high
            } else {
                let share = if listed_matched >= 2 || n.len() == 1 {
                    QUERY_SHARE
                } else {
                    SYLLABLE_QUERY_SHARE
                };
                share * query_coverage + (1.0 - share) * listed_coverage
            };
            let order_penalty = if reordered {
                SYLLABLE_ORDER_PENALTY
            } else {
                0.0
            };
            contained_score.map_or(blend, |c| c.max(blend)) - order_penalty
        }
    };
    Alignment {
        score,
        pairs: chosen,
        unmatched_query: (0..q.len()).filter(|&i| q_sim[i].is_none()).collect(),
        unmatched_listed: (0..n.len()).filter(|&j| n_sim[j].is_none()).collect(),
        contained: contained
            .filter(|&(extra, gaps)| extra + gaps > 0 && contained_score >= Some(score)),
        reordered,
    }
}

/// Token counts are tiny; saturate rather than wrap.
fn count_f64(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

impl Alignment {
    fn no_match() -> Self {
        Self {
            score: 0.0,
            pairs: Vec::new(),
            unmatched_query: Vec::new(),
            unmatched_listed: Vec::new(),
            contained: None,
            reordered: false,
        }
    }

    /// Whether query token `i` is part of the alignment.
    pub(crate) fn query_matched(&self, i: usize) -> bool {
        self.pairs
            .iter()
            .any(|p| (p.q.0..p.q.0 + p.q.1).contains(&i))
    }

    /// "kim=kim exact; chong~jong phonetic(jw=0.91); missing: tong; not in query: ho".
    pub(crate) fn explain(&self, q: &[Token], n: &[Token]) -> String {
        let span = |t: &[Token], (start, len): (usize, usize)| {
            t[start..start + len]
                .iter()
                .map(|t| &*t.original)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut parts: Vec<String> = self
            .pairs
            .iter()
            .map(|p| {
                let sign = if matches!(p.how, How::Exact) {
                    "="
                } else {
                    "~"
                };
                format!("{}{sign}{} {}", span(q, p.q), span(n, p.n), p.how.label())
            })
            .collect();
        if let Some((extra, gaps)) = self.contained {
            parts.push(format!(
                "listed name found inside a longer string ({extra} token(s) around it, {gaps} between its tokens)"
            ));
        } else if !self.unmatched_query.is_empty() {
            let missing: Vec<&str> = self
                .unmatched_query
                .iter()
                .map(|&i| &*q[i].original)
                .collect();
            parts.push(format!("unmatched in query: {}", missing.join(" ")));
        }
        if self.reordered {
            parts.push(format!(
                "syllables in another order than listed -{SYLLABLE_ORDER_PENALTY}"
            ));
        }
        if !self.unmatched_listed.is_empty() {
            let missing: Vec<&str> = self
                .unmatched_listed
                .iter()
                .map(|&j| &*n[j].original)
                .collect();
            parts.push(format!("missing from query: {}", missing.join(" ")));
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::tokenize;

    const PLAIN: ListedTraits = ListedTraits {
        specific: false,
        short: false,
    };
    const SPECIFIC: ListedTraits = ListedTraits {
        specific: true,
        short: false,
    };

    fn scored(a: &str, b: &str, traits: ListedTraits, mode: Mode) -> (f64, String) {
        let (q, n) = (tokenize(a), tokenize(b));
        let (qw, nw) = (vec![1.0; q.len()], vec![1.0; n.len()]);
        let al = align(&q, &qw, &n, &nw, traits, mode);
        (al.score, al.explain(&q, &n))
    }

    fn score(a: &str, b: &str) -> (f64, String) {
        scored(a, b, PLAIN, Mode::Name)
    }

    #[test]
    fn identical_names_score_one() {
        assert_eq!(score("Kim Jong Un", "KIM, Jong Un").0, 1.0);
    }

    #[test]
    fn order_joins_and_initials() {
        let (s, e) = score("Jongun Kim", "KIM Jong Un");
        assert!(s > 0.95, "{s} {e}");
        assert!(e.contains("jongun~jong un joined"), "{e}");
        let (s, e) = score("J. Un Kim", "KIM Jong Un");
        assert!(s > 0.85, "{s} {e}");
        assert!(e.contains("initial"), "{e}");
    }

    #[test]
    fn missing_tokens_are_reported() {
        let (s, e) = score("Saddam Hussein", "Saddam Hussein Al-Tikriti");
        assert!(s < 1.0 && s > 0.8, "{s}");
        assert!(e.contains("missing from query: tikriti"), "{e}");
        let (s, e) = score("Saddam Hussein Smith", "Saddam Hussein");
        assert!(s < 0.85, "{s}");
        assert!(e.contains("unmatched in query: smith"), "{e}");
    }

    #[test]
    fn contained_names_survive_extra_tokens_in_names_and_text() {
        let listed = "Ahmad Mahmood Hassan";
        for query in [
            "Ahmad Mahmood Hassan Trading LLC",
            "payment to the order of Ahmad Mahmood Hassan",
        ] {
            let (s, e) = scored(query, listed, SPECIFIC, Mode::Name);
            assert!(s > 0.9, "{query}: {s} {e}");
            assert!(e.contains("found inside a longer string"), "{e}");
            assert!(score(query, listed).0 < s);
        }
        let (s, _) = scored(
            "invoice 12 for Ahmad Mahmood Hassan, thanks",
            listed,
            SPECIFIC,
            Mode::Text,
        );
        assert!(s > 0.9, "{s}");
        // A name without its middle name scores in text as it would as a party's name...
        let (s, e) = scored(
            "invoice 12 for Ahmad Hassan, thanks",
            listed,
            SPECIFIC,
            Mode::Text,
        );
        let (as_name, _) = scored("Ahmad Hassan", listed, SPECIFIC, Mode::Name);
        assert!((s - as_name).abs() < 1e-9, "{s} vs {as_name}: {e}");
        // ...but listed words scattered through the text are no name.
        let (s, _) = scored(
            "Ahmad paid invoice 12 to Hassan",
            listed,
            SPECIFIC,
            Mode::Text,
        );
        assert_eq!(s, 0.0);
    }

    #[test]
    fn phonetic_keys_alone_do_not_match_dissimilar_spellings() {
        // Same consonant key, nothing else in common.
        assert!(score("Yu", "Oo").0 < 0.5);
        let (s, e) = score("Qiang Xiong", "Kang Song");
        assert!(s < 0.84, "{s} {e}");
    }

    #[test]
    fn resemblances_alone_need_the_whole_listed_name() {
        // Both tokens only resemble listed ones, and a listed token is missing: another person.
        let (s, e) = score("Kasim Saafir", "Muhammad Qasim Sarafi");
        assert!(s < 0.84, "{s} {e}");
        // One token spelt as listed: a listed token missing is forgiven as before.
        let (s, e) = score("Qasim Saafir", "Muhammad Qasim Sarafi");
        assert!(s > 0.84, "{s} {e}");
    }

    #[test]
    fn derived_names_are_other_names() {
        for (query, listed) in [
            ("Makini", "Makin"),
            ("Hadithi Salim", "Hadith Salim"),
            ("Malika Noor", "Malik Noor"),
        ] {
            let (s, e) = score(query, listed);
            assert!(s < 0.84, "{query} vs {listed}: {s} {e}");
        }
        // A dropped letter is still the listed name, a final vowel too.
        assert!(score("Makn Salim", "Makin Salim").0 > 0.84);
        assert!(score("Malik Noor", "Malika Noor").0 > 0.84);
    }

    #[test]
    fn arabic_skeletons_keep_their_consonants_and_long_vowels() {
        for (query, listed) in [
            ("ملیکا نوروزی", "Malik Noorzai"),
            ("آرمین شبیری", "Amin Shirri"),
            ("ياسين هدایت", "Hadi Yasin"),
            ("Haiba Mohamed", "محمد الحبو"),
        ] {
            let (s, e) = score(query, listed);
            assert!(s < 0.84, "{query} vs {listed}: {s} {e}");
        }
        for (query, listed) in [
            ("صدام حسين", "Saddam Hussein"),
            ("أسامة بن لادن", "Usama bin Laden"),
            ("علي جعفر", "Ali Jafar"),
            ("بانک ایران زمین", "Iran Zamin Bank"),
        ] {
            let (s, e) = score(query, listed);
            assert!(s > 0.84, "{query} vs {listed}: {s} {e}");
        }
    }

    #[test]
    fn one_word_names_and_short_words_need_real_similarity() {
        // One listed word: a phonetic key adds nothing to a spelling 0.92 alike.
        assert!(score("Asatira", "Astara").0 < 0.84);
        // Short words that are no romanised syllables do not match on a key at JW 0.78.
        let (s, e) = score("Panya Ibrahim", "Banna Ibrahim");
        assert!(s < 0.84, "{s} {e}");
        // Joins with a number match only letter for letter.
        assert!(score("Margarin", "Margarita 1").0 < 0.84);
        assert!(score("Margarita1", "Margarita 1").0 > 0.84);
    }

    #[test]
    fn a_typo_of_a_variant_spelling_matches_as_written() {
        let (s, e) = score("Mohmed Lakhal", "Mohamed Lakhal");
        assert!(s > 0.9, "{s} {e}");
    }

    #[test]
    fn unrelated_names_score_low() {
        assert!(score("John Smith", "Kim Jong Un").0 < 0.2);
    }
}
