//! Scoring one query against one listed name: token-set alignment.
//!
//! Every query token is paired with at most one listed token (or two adjacent listed tokens
//! written together, or vice versa), greedily by similarity. Token similarity:
//! exact 1.0; same canonical spelling after variant folding ("variant") 0.97; same phonetic key
//! ("phonetic") 0.7 + 0.3·JW; Jaro–Winkler ≥ 0.88 otherwise ("fuzzy"); a single letter against a
//! token it begins ("initial") 0.8; joined/split tokens ("joined") 0.97 when the letters agree.
//! Each token weighs its rarity in the list (IDF), so matching "Muhammad" proves little and an
//! unmatched rare query token costs a lot. The score blends how much of the query is covered
//! with how much of the listed name is covered:
//! `score = 0.65·query_coverage + 0.35·listed_coverage`, both weighted sums of similarities.

use strsim::jaro_winkler;

use super::normalize::{Token, phonetic_key};

/// Weight of query coverage in the score; the listed name's coverage gets the rest.
pub(crate) const QUERY_SHARE: f64 = 0.65;
/// Below this Jaro–Winkler similarity two tokens with different keys do not match.
const FUZZY_MIN: f64 = 0.88;
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

fn single_sim(a: &Token, b: &Token) -> Option<(f64, How)> {
    if a.text == b.text {
        return Some(if a.original == b.original {
            (1.0, How::Exact)
        } else {
            (0.97, How::Variant)
        });
    }
    let (short, long) = if a.text.len() <= b.text.len() {
        (a, b)
    } else {
        (b, a)
    };
    if short.text.len() == 1 {
        let initial =
            long.text.starts_with(&*short.text) || long.original.starts_with(&*short.original);
        return initial.then_some((0.8, How::Initial));
    }
    let jw = jaro_winkler(&a.text, &b.text);
    if a.key == b.key {
        Some(((0.7 + 0.3 * jw).max(jw), How::Phonetic(jw)))
    } else if jw >= FUZZY_MIN {
        Some((jw, How::Fuzzy(jw)))
    } else {
        None
    }
}

fn joined_sim(one: &Token, two: &[Token]) -> Option<(f64, How)> {
    let joined = concat(two);
    let joined_original: String = two.iter().map(|t| &*t.original).collect();
    if *one.text == joined || *one.original == joined_original {
        return Some((0.97, How::Joined));
    }
    let jw = jaro_winkler(&one.original, &joined_original);
    if *one.key == phonetic_key(&joined) {
        Some(((0.65 + 0.3 * jw).max(0.97 * jw), How::Joined))
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
    // Highest similarity first; on ties prefer one-to-one pairs, then earlier positions, so the
    // result does not depend on sort stability.
    pairs.sort_by(|a, b| {
        b.sim
            .total_cmp(&a.sim)
            .then((a.q.1 + a.n.1).cmp(&(b.q.1 + b.n.1)))
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
