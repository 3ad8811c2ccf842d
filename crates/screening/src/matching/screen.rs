//! Screening a query against list indexes: candidate generation through the inverted index,
//! scoring, secondary data (year of birth, country), ranking.
//!
//! Candidates are names sharing a phonetic key with a query token (or with two adjacent query
//! tokens written together). Before scoring a candidate in full we bound its score from the
//! query weight its keys cover; a candidate whose bound cannot reach the threshold is skipped,
//! which keeps common tokens such as "Muhammad" from making every screening slow.

use serde::Serialize;

use std::collections::HashMap;

use super::index::{IndexedName, ListIndex, NameOrigin, bit, joined_keys};
use super::normalize::{TOKENS_MAX, Token, phonetic_key, strip_glued_particle, tokenize};
use super::score::{Alignment, QUERY_SHARE, align};
use crate::model::{AliasQuality, Entry, ListSource, ListVersion};

/// Threshold used when the operator has not set one (tuned on the evaluation set).
pub const DEFAULT_THRESHOLD: f64 = 0.84;
/// At most this many hits are returned per screening, best first.
pub const HITS_MAX: usize = 25;
/// Score change when both sides give a year of birth and it agrees (±1 year).
const DOB_AGREE_BONUS: f64 = 0.05;
/// Score change when both sides give a year of birth and it disagrees.
const DOB_DISAGREE_PENALTY: f64 = 0.15;
/// Score change when both sides give a country and it agrees.
const COUNTRY_AGREE_BONUS: f64 = 0.03;
/// Score change when both sides give a country and none agrees.
const COUNTRY_DISAGREE_PENALTY: f64 = 0.05;
/// Publisher-marked low-quality (weak) aliases score this much lower.
const LOW_ALIAS_PENALTY: f64 = 0.03;

/// What to screen: a party's name and, when known, secondary data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The party's name in any script.
    pub name: String,
    /// Year of birth, for individuals.
    pub birth_year: Option<u16>,
    /// Country (name or ISO 3166 alpha-2 code) of nationality, residence or registration.
    pub country: Option<String>,
}

impl Query {
    /// A query with a name only.
    pub fn name(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// One listed entry that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The list that designates the party.
    pub list: ListSource,
    /// The list's reference number for the entry.
    pub reference: String,
    /// The entry's primary name.
    pub name: String,
    /// The name or alias that matched best (may equal `name`).
    pub matched_name: String,
    /// Match strength in [0, 1], rounded to 4 decimals.
    pub score: f64,
    /// Which query token matched which listed token and how, and secondary-data adjustments.
    pub explanation: String,
}

/// The outcome of screening one name: hits at or above the threshold, best first, and the list
/// versions screened against (recorded with the payment so the verdict can be traced).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreeningResult {
    /// The name screened, as given.
    pub query: String,
    /// Hits ranked by score (ties by list and reference), at most [`HITS_MAX`].
    pub hits: Vec<Hit>,
    /// Versions of every list screened.
    pub lists: Vec<ListVersion>,
}

/// Screens `query` against every index. `threshold` outside [0, 1] is clamped; NaN means the
/// default threshold.
pub(crate) fn screen_lists(
    indexes: &[std::sync::Arc<ListIndex>],
    query: &Query,
    threshold: f64,
) -> ScreeningResult {
    let threshold = if threshold.is_nan() {
        DEFAULT_THRESHOLD
    } else {
        threshold.clamp(0.0, 1.0)
    };
    let tokens = tokenize(&query.name);
    let mut hits = Vec::new();
    if !tokens.is_empty() {
        for index in indexes {
            screen_one(index, &tokens, query, threshold, &mut hits);
        }
    }
    hits.sort_by(|a: &Hit, b: &Hit| {
        b.score
            .total_cmp(&a.score)
            .then(a.list.cmp(&b.list))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    hits.truncate(HITS_MAX);
    ScreeningResult {
        query: query.name.clone(),
        hits,
        lists: indexes.iter().map(|i| i.version.clone()).collect(),
    }
}

/// Largest total bonus secondary data can add, for candidate pruning.
const SECONDARY_BONUS_MAX: f64 = DOB_AGREE_BONUS + COUNTRY_AGREE_BONUS;

fn screen_one(index: &ListIndex, q: &[Token], query: &Query, threshold: f64, out: &mut Vec<Hit>) {
    let qw: Vec<f64> = q.iter().map(|t| index.token_weight(t)).collect();
    let q_total: f64 = qw.iter().sum();
    if q_total <= 0.0 {
        return;
    }
    // Which query and listed tokens share keys, per name; `seen` lists the names touched so the
    // dense accumulator never has to be scanned.
    let mut acc = vec![Shared::default(); index.names.len()];
    let mut seen: Vec<u32> = Vec::new();
    let mut add = |key: &str, query_tokens: u16, query_pair: bool| {
        let Some(postings) = index.postings.get(key) else {
            return;
        };
        for p in postings {
            if query_pair && p.joined {
                // Pair against pair is not an alignment the scorer makes.
                continue;
            }
            let Some(a) = usize::try_from(p.name).ok().and_then(|i| acc.get_mut(i)) else {
                continue;
            };
            if a.all_n == 0 {
                seen.push(p.name);
            }
            a.all_n |= p.tokens;
            if query_pair || p.joined {
                a.other_q |= query_tokens;
            } else {
                a.one_q |= query_tokens;
                a.one_n |= p.tokens;
            }
        }
    };
    for (i, t) in q.iter().enumerate() {
        add(&t.key, bit(i), false);
        if let Some(rest) = strip_glued_particle(&t.text) {
            add(&phonetic_key(rest), bit(i), false);
        }
    }
    for i in 0..q.len().saturating_sub(1) {
        for key in joined_keys(&q[i], &q[i + 1]) {
            add(&key, bit(i) | bit(i + 1), true);
        }
    }

    // Best (score, name id, alignment) per entry; explanations are written for winners only.
    let mut best: HashMap<u32, (f64, u32, Alignment)> = HashMap::new();
    for id in seen {
        let Some(name) = usize::try_from(id).ok().and_then(|i| index.names.get(i)) else {
            continue;
        };
        let Some(shared) = usize::try_from(id).ok().and_then(|i| acc.get(i)) else {
            continue;
        };
        if score_bound(shared, &qw, q_total, name) < threshold {
            continue;
        }
        let Some(entry) = usize::try_from(name.entry)
            .ok()
            .and_then(|i| index.entries.get(i))
        else {
            continue;
        };
        let alignment = align(q, &qw, &name.tokens, &name.weights);
        let score = final_score(alignment.score, name, entry, query, None);
        if score < threshold {
            continue;
        }
        match best.get(&name.entry) {
            Some((s, _, _)) if *s >= score => {}
            _ => {
                best.insert(name.entry, (score, id, alignment));
            }
        }
    }
    for (entry_id, (score, name_id, alignment)) in best {
        let entry = usize::try_from(entry_id)
            .ok()
            .and_then(|i| index.entries.get(i));
        let name = usize::try_from(name_id)
            .ok()
            .and_then(|i| index.names.get(i));
        if let (Some(entry), Some(name)) = (entry, name) {
            let mut notes = vec![alignment.explain(q, &name.tokens)];
            final_score(alignment.score, name, entry, query, Some(&mut notes));
            out.push(Hit {
                list: entry.list,
                reference: entry.reference.clone(),
                name: entry.primary_name.clone(),
                matched_name: name.display.to_string(),
                score,
                explanation: notes.join("; "),
            });
        }
    }
}

/// Tokens of one name that share keys with the query: query and listed tokens paired one to
/// one (`one_q`, `one_n`), query tokens in a join on either side (`other_q`), and every listed
/// token involved (`all_n`).
#[derive(Debug, Clone, Copy, Default)]
struct Shared {
    one_q: u16,
    one_n: u16,
    other_q: u16,
    all_n: u16,
}

/// Upper bound of a candidate's score from the keys it shares with the query, as if every
/// key-sharing token matched exactly. One listed token pairs with at most one query token, so
/// query tokens sharing one key with a single listed token count once.
fn score_bound(shared: &Shared, qw: &[f64], q_total: f64, name: &IndexedName) -> f64 {
    let pop = |m: u16| usize::try_from(m.count_ones()).unwrap_or(usize::MAX);
    let cap = pop(shared.one_q)
        .min(pop(shared.one_n))
        .saturating_add(pop(shared.other_q));
    let mut weights = [0.0f64; TOKENS_MAX];
    let mut count = 0;
    for (i, &w) in qw.iter().enumerate().take(TOKENS_MAX) {
        if (shared.one_q | shared.other_q) & bit(i) != 0 {
            weights[count] = w;
            count += 1;
        }
    }
    weights[..count].sort_by(|a, b| b.total_cmp(a));
    let q_hit: f64 = weights[..count].iter().take(cap).sum();
    let n_hit: f64 = (0..name.weights.len())
        .filter(|&j| shared.all_n & bit(j) != 0)
        .map(|j| name.weights[j])
        .sum();
    let ratio = |hit: f64, total: f64| if total > 0.0 { hit / total } else { 0.0 };
    QUERY_SHARE * ratio(q_hit, q_total)
        + (1.0 - QUERY_SHARE) * ratio(n_hit, name.total_weight)
        + SECONDARY_BONUS_MAX
}

/// The name score adjusted for alias quality and secondary data, clamped and rounded; notes
/// the adjustments when asked.
fn final_score(
    name_score: f64,
    name: &IndexedName,
    entry: &Entry,
    query: &Query,
    mut notes: Option<&mut Vec<String>>,
) -> f64 {
    let mut score = name_score;
    if name.origin == NameOrigin::Alias(AliasQuality::Low) {
        score -= LOW_ALIAS_PENALTY;
        if let Some(notes) = notes.as_deref_mut() {
            notes.push(format!("low-quality alias -{LOW_ALIAS_PENALTY}"));
        }
    }
    score += secondary(entry, query, notes);
    (score.clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0
}

/// Score adjustment from year of birth and country, when both sides have them.
fn secondary(entry: &Entry, query: &Query, mut notes: Option<&mut Vec<String>>) -> f64 {
    let mut delta = 0.0;
    if let (Some(year), false) = (query.birth_year, entry.birth_years.is_empty()) {
        let agrees = entry
            .birth_years
            .iter()
            .any(|b| year >= b.from.saturating_sub(1) && year <= b.to.saturating_add(1));
        let listed: Vec<&str> = entry.birth_years.iter().map(|b| b.text.as_str()).collect();
        if agrees {
            delta += DOB_AGREE_BONUS;
            if let Some(n) = notes.as_deref_mut() {
                n.push(format!(
                    "born {year} agrees with {} +{DOB_AGREE_BONUS}",
                    listed.join("/")
                ));
            }
        } else {
            delta -= DOB_DISAGREE_PENALTY;
            if let Some(n) = notes.as_deref_mut() {
                n.push(format!(
                    "born {year} differs from {} -{DOB_DISAGREE_PENALTY}",
                    listed.join("/")
                ));
            }
        }
    }
    if let (Some(country), false) = (&query.country, entry.countries.is_empty()) {
        if crate::countries::any_matches(country, &entry.countries) {
            delta += COUNTRY_AGREE_BONUS;
            if let Some(n) = notes {
                n.push(format!("country {country} agrees +{COUNTRY_AGREE_BONUS}"));
            }
        } else {
            delta -= COUNTRY_DISAGREE_PENALTY;
            if let Some(n) = notes {
                n.push(format!(
                    "country {country} differs from {} -{COUNTRY_DISAGREE_PENALTY}",
                    entry.countries.join("/")
                ));
            }
        }
    }
    delta
}
