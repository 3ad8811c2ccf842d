//! Scoring one query against one listed name: token-set alignment.
//!
//! Every query token is paired with at most one listed token (or two adjacent listed tokens
//! written together, or vice versa), greedily by similarity. Token similarity:
//! exact 1.0; same canonical spelling after variant folding ("variant") 0.97; same phonetic key
//! and vowel pattern, or an Arabic-script skeleton ("phonetic") 0.9 + 0.1·JW; same key with
//! other vowels JW if ≥ 0.82 (tokens over 4 letters); Jaro–Winkler ≥ 0.88 (≥ 0.92 for short
//! tokens) otherwise ("fuzzy"); a single letter against a token it begins ("initial") 0.8; a
//! prefix of 3+ letters ("abbreviation") 0.85; joined/split tokens ("joined") 0.97 when the
//! letters agree. Two different members of the spelling-variant table never match.
//! Each token weighs its rarity in the list (IDF), so matching "Muhammad" proves little and an
//! unmatched rare query token costs a lot. The score blends how much of the query is covered
//! with how much of the listed name is covered:
//! `score = 0.75·query_coverage + 0.25·listed_coverage`, both weighted sums of similarities.

use strsim::jaro_winkler;

use super::normalize::{Token, phonetic_key, strip_glued_particle};

/// Weight of query coverage in the score; the listed name's coverage gets the rest.
pub(crate) const QUERY_SHARE: f64 = 0.75;
/// Below this Jaro–Winkler similarity two tokens with different keys do not match.
const FUZZY_MIN: f64 = 0.9;
/// Joined/split tokens need this Jaro–Winkler similarity when keys differ.
const JOINED_FUZZY_MIN: f64 = 0.93;

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
}

fn concat(tokens: &[Token]) -> String {
    tokens.iter().map(|t| &*t.text).collect()
}

/// Preference for a join over a one-to-one pair of nearly the same similarity.
const JOIN_BONUS: f64 = 0.03;
/// Tokens this short are common syllables (Korean, Chinese): they need closer spelling.
const SHORT_TOKEN_LEN: usize = 4;
/// Jaro–Winkler needed by same-key tokens with the same vowels.
const PHONETIC_MIN: f64 = 0.8;
/// Jaro–Winkler needed between an Arabic skeleton and the consonants of a Latin spelling.
const SKELETON_MIN: f64 = 0.85;
/// Jaro–Winkler needed by same-key tokens whose vowels differ.
const PHONETIC_VOWEL_MISMATCH_MIN: f64 = 0.82;
/// Jaro–Winkler needed for a fuzzy match of short tokens.
const SHORT_FUZZY_MIN: f64 = 0.92;

fn single_sim(a: &Token, b: &Token) -> Option<(f64, How)> {
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
    if short.text.len() == 1 {
        let initial =
            long.text.starts_with(&*short.text) || long.original.starts_with(&*short.original);
        // A query initial for a listed name is usual; a listed initial says less about a full
        // query name, so it counts for less.
        let sim = if std::ptr::eq(short, a) { 0.8 } else { 0.6 };
        return initial.then_some((sim, How::Initial));
    }
    let jw = jaro_winkler(&a.text, &b.text);
    if a.skeleton != b.skeleton {
        // Arabic-script skeleton against a Latin spelling: compare consonants only.
        let (skeleton, latin) = if a.skeleton { (a, b) } else { (b, a) };
        let consonants: String = latin
            .text
            .chars()
            .filter(|c| !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
            .collect();
        let cjw = jaro_winkler(&skeleton.text, &consonants);
        if skeleton.key == latin.key && cjw >= SKELETON_MIN {
            return Some((0.9 + 0.1 * cjw, How::Phonetic(cjw)));
        }
    }
    let is_short = short.text.len() <= SHORT_TOKEN_LEN;
    if a.key == b.key {
        // Jaro–Winkler is uninformative for 2–4 letter syllables, so there key and vowels decide.
        if a.vowels == b.vowels && (is_short || jw >= PHONETIC_MIN) {
            return Some((0.9 + 0.1 * jw, How::Phonetic(jw)));
        }
        if !is_short && jw >= PHONETIC_VOWEL_MISMATCH_MIN {
            return Some((jw, How::Phonetic(jw)));
        }
    }
    let fuzzy_min = if is_short { SHORT_FUZZY_MIN } else { FUZZY_MIN };
    if jw >= fuzzy_min {
        return Some((jw, How::Fuzzy(jw)));
    }
    // Abbreviations: "Corp" for "Corporation", "Intl" is not handled.
    if short.text.len() >= 3
        && long.text.len() > short.text.len() + 2
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

fn joined_sim(one: &Token, two: &[Token]) -> Option<(f64, How)> {
    // Cheap length test first: this runs for every token against every adjacent pair.
    let text_len: usize = two.iter().map(|t| t.text.len()).sum();
    let original_len: usize = two.iter().map(|t| t.original.len()).sum();
    if one.text.len() != text_len && one.original.len().abs_diff(original_len) > 2 {
        return None;
    }
    let joined = concat(two);
    let joined_original: String = two.iter().map(|t| &*t.original).collect();
    if *one.text == joined || *one.original == joined_original {
        return Some((0.97, How::Joined));
    }
    // A join must spell (nearly) the same letters: keys alone are too lossy here, since a
    // vowel-only syllable ("Kim Yo") adds nothing to a key.
    if one.original.len().abs_diff(joined_original.len()) > 2 {
        return None;
    }
    let jw = jaro_winkler(&one.original, &joined_original);
    let skeleton = one.skeleton || two.iter().any(|t| t.skeleton);
    // The key must come from both parts: "Yun Ho" keys like "Yun" alone, so it proves nothing.
    let adds = |key: &str| two.iter().all(|t| *t.key != *key);
    let same_key = [phonetic_key(&joined), phonetic_key(&joined_original)]
        .iter()
        .any(|k| *one.key == **k && adds(k));
    if (same_key || skeleton) && jw >= 0.85 {
        Some((0.9 + 0.07 * jw, How::Joined))
    } else {
        (jw >= JOINED_FUZZY_MIN).then_some((0.97 * jw, How::Joined))
    }
}

/// Aligns query tokens (with weights) to listed tokens (with weights).
pub(crate) fn align(q: &[Token], qw: &[f64], n: &[Token], nw: &[f64]) -> Alignment {
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
        }
        for j in 0..n.len().saturating_sub(1) {
            if let Some((sim, how)) = joined_sim(a, &n[j..j + 2]) {
                pairs.push(Pair {
                    q: (i, 1),
                    n: (j, 2),
                    sim,
                    how,
                });
            }
        }
    }
    for i in 0..q.len().saturating_sub(1) {
        for (j, b) in n.iter().enumerate() {
            if let Some((sim, how)) = joined_sim(b, &q[i..i + 2]) {
                pairs.push(Pair {
                    q: (i, 2),
                    n: (j, 1),
                    sim,
                    how,
                });
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
    let score = QUERY_SHARE * coverage(&q_sim, qw) + (1.0 - QUERY_SHARE) * coverage(&n_sim, nw);
    chosen.sort_by_key(|p| p.q.0);
    Alignment {
        score,
        pairs: chosen,
        unmatched_query: (0..q.len()).filter(|&i| q_sim[i].is_none()).collect(),
        unmatched_listed: (0..n.len()).filter(|&j| n_sim[j].is_none()).collect(),
    }
}

impl Alignment {
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
        if !self.unmatched_query.is_empty() {
            let missing: Vec<&str> = self
                .unmatched_query
                .iter()
                .map(|&i| &*q[i].original)
                .collect();
            parts.push(format!("unmatched in query: {}", missing.join(" ")));
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

    fn score(a: &str, b: &str) -> (f64, String) {
        let (q, n) = (tokenize(a), tokenize(b));
        let (qw, nw) = (vec![1.0; q.len()], vec![1.0; n.len()]);
        let al = align(&q, &qw, &n, &nw);
        (al.score, al.explain(&q, &n))
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
    fn unrelated_names_score_low() {
        assert!(score("John Smith", "Kim Jong Un").0 < 0.2);
    }
}
