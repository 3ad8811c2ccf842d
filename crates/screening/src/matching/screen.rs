//! Screening a query against list indexes: canonical readings of the query, windows over long
//! text, candidate generation through the inverted index, scoring, secondary data (kind, date
//! of birth, country), ranking.
//!
//! Candidates are names sharing a phonetic key with a query token (or with two adjacent query
//! tokens written together, or with the parts of a query token that joins several listed
//! tokens). Before scoring a candidate in full we bound its score from the weight its keys
//! cover; a candidate whose bound cannot reach the threshold is skipped, which keeps common
//! tokens such as "Muhammad" from making every screening slow. In free text, where most words
//! belong to no name, a name is a candidate only when one of its tokens matches a word well
//! (alone or written together), tested once per distinct listed spelling and per word.

use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use super::canon::{Reading, Suspicion, canonicalize};
use super::han;
use super::index::{IndexedName, ListIndex, NameOrigin, bit, joined_keys};
use super::normalize::{
    PARTICLES, TITLES, TOKENS_MAX, Token, is_syllable, phonetic_key, strip_glued_particle, tokenize,
};
use super::score::{
    Alignment, JOIN_SPAN_MAX, Mode, QUERY_SHARE, SHORT_TOKEN_LEN, SYLLABLE_QUERY_SHARE, align,
    joined_sim, single_sim,
};
use crate::model::{AliasQuality, Entry, EntryKind, ListSource, ListVersion};

/// Threshold used when the operator has not set one (tuned on the evaluation sets).
pub const DEFAULT_THRESHOLD: f64 = 0.84;
/// At most this many hits are returned per screening, best first.
pub const HITS_MAX: usize = 25;
/// Score change when both sides give a year of birth and it agrees (±1 year).
const DOB_AGREE_BONUS: f64 = 0.05;
/// Score change when both sides give a full date of birth and it is the same day.
const DOB_EXACT_BONUS: f64 = 0.08;
/// Score change when both sides give a year of birth and it disagrees.
const DOB_DISAGREE_PENALTY: f64 = 0.15;
/// Score change when both sides give a country and it agrees.
const COUNTRY_AGREE_BONUS: f64 = 0.03;
/// Score change when both sides give a country and none agrees.
const COUNTRY_DISAGREE_PENALTY: f64 = 0.05;
/// Publisher-marked low-quality (weak) aliases score this much lower.
const LOW_ALIAS_PENALTY: f64 = 0.05;
/// A person screened against a listed organisation, vessel or aircraft.
const PERSON_AS_ORGANISATION_PENALTY: f64 = 0.15;
/// An organisation screened against a listed person: smaller, since companies are named after
/// people (a company carrying a listed person's name deserves a look).
const ORGANISATION_AS_PERSON_PENALTY: f64 = 0.08;

/// What to screen: a party's name (or a line of free text) and, when known, secondary data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Query {
    /// The party's name in any script (or the free text, for [`crate::Lists::screen_text`]).
    pub name: String,
    /// Year of birth, for individuals (`birth_date` wins when both are given).
    #[serde(default)]
    pub birth_year: Option<u16>,
    /// Country (name or ISO 3166 alpha-2 code) of nationality, residence or registration.
    #[serde(default)]
    pub country: Option<String>,
    /// Whether the party is a person or an organisation, when known: a person does not match a
    /// listed organisation (nor the reverse) without a penalty. Vessel and aircraft count as
    /// organisations.
    #[serde(default)]
    pub kind: Option<EntryKind>,
    /// Date of birth, `YYYY-MM-DD` or `YYYY`, for individuals. See [`Query::validate`].
    #[serde(default)]
    pub birth_date: Option<String>,
}

impl Query {
    /// A query with a name only.
    pub fn name(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Checks the secondary data: a `birth_date` that is neither `YYYY-MM-DD` nor `YYYY` is an
    /// error (screening itself ignores it rather than guess).
    pub fn validate(&self) -> Result<(), String> {
        match &self.birth_date {
            Some(text) if parse_date(text).is_none() => Err(format!(
                "birth_date {text:?} is neither YYYY-MM-DD nor YYYY"
            )),
            _ => Ok(()),
        }
    }

    /// Year and, when given, (month, day) of birth.
    fn birth(&self) -> Option<(u16, Option<(u8, u8)>)> {
        self.birth_date
            .as_deref()
            .and_then(parse_date)
            .or(self.birth_year.map(|y| (y, None)))
    }
}

/// `YYYY-MM-DD`, `YYYY`, or the OFAC form `DD Mon YYYY`.
fn parse_date(text: &str) -> Option<(u16, Option<(u8, u8)>)> {
    let text = text.trim();
    let year = |y: &str| {
        (y.len() == 4)
            .then(|| y.parse::<u16>().ok())
            .flatten()
            .filter(|y| (1800..=2200).contains(y))
    };
    if let Some(y) = year(text) {
        return Some((y, None));
    }
    let valid = |m: u8, d: u8| (1..=12).contains(&m) && (1..=31).contains(&d);
    let parts: Vec<&str> = text.split('-').collect();
    if let [y, m, d] = parts[..] {
        let (m, d) = (m.parse::<u8>().ok()?, d.parse::<u8>().ok()?);
        return valid(m, d).then_some((year(y)?, Some((m, d))));
    }
    let parts: Vec<&str> = text.split_whitespace().collect();
    if let [d, mon, y] = parts[..] {
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let mon = mon.get(..3)?.to_ascii_lowercase();
        let m = MONTHS.iter().position(|x| *x == mon)?;
        let m = u8::try_from(m + 1).ok()?;
        let d = d.parse::<u8>().ok()?;
        return valid(m, d).then_some((year(y)?, Some((m, d))));
    }
    None
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
    /// Which query token matched which listed token and how, how the query was read (when not
    /// as written), and secondary-data adjustments.
    pub explanation: String,
    /// The listed entry's content as published ([`crate::Entry::fingerprint`]): a decision
    /// about this hit (a false positive) holds while the entry is unchanged.
    pub entry_fingerprint: String,
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
    /// Signs of a deliberate disguise in the screened string itself (bidi controls, invisible
    /// characters between letters, mixed-script words), whether or not anything matched. A
    /// payment carrying one deserves a hold. Omitted from JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suspicions: Vec<Suspicion>,
}

/// Screens `query` against every index. `threshold` outside [0, 1] is clamped; NaN means the
/// default threshold.
pub(crate) fn screen_lists(
    indexes: &[std::sync::Arc<ListIndex>],
    query: &Query,
    threshold: f64,
    mode: Mode,
) -> ScreeningResult {
    let threshold = if threshold.is_nan() {
        DEFAULT_THRESHOLD
    } else {
        threshold.clamp(0.0, 1.0)
    };
    let mut canon = canonicalize(&query.name);
    // Han characters read by script mix and country, each plausible reading tried.
    if let Some(languages) = han::languages(&query.name, query.country.as_deref()) {
        let extra = canon
            .readings
            .first()
            .map(|plain| han::readings(&plain.text, languages))
            .unwrap_or_default();
        if !languages.keeps_plain() {
            canon.readings.retain(|r| !r.text.chars().any(han::is_han));
        }
        canon.readings.extend(extra);
    }
    let mut readings: Vec<(Vec<Token>, &Reading)> = Vec::with_capacity(canon.readings.len());
    for reading in &canon.readings {
        let tokens = tokenize(&reading.text);
        if !tokens.is_empty() && !readings.iter().any(|(t, _)| *t == tokens) {
            readings.push((tokens, reading));
        }
    }
    let facts = Facts::of(query);
    let mut hits = Vec::new();
    for index in indexes {
        screen_one(index, &readings, &facts, threshold, mode, &mut hits);
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
        suspicions: canon.suspicions,
    }
}

/// The query with its secondary data parsed once per screening.
struct Facts<'a> {
    query: &'a Query,
    birth: Option<(u16, Option<(u8, u8)>)>,
    /// Largest total bonus the secondary data can add, for candidate pruning.
    bonus_max: f64,
}

impl<'a> Facts<'a> {
    fn of(query: &'a Query) -> Self {
        let birth = query.birth();
        let dob = if birth.is_some() {
            DOB_EXACT_BONUS
        } else {
            0.0
        };
        let country = if query.country.is_some() {
            COUNTRY_AGREE_BONUS
        } else {
            0.0
        };
        Self {
            query,
            birth,
            bonus_max: dob + country,
        }
    }
}

/// Windows of at most [`TOKENS_MAX`] tokens, overlapping by half, covering all of `tokens`: a
/// listed name of up to half a window lies wholly inside one of them.
fn windows(tokens: &[Token]) -> Vec<&[Token]> {
    if tokens.len() <= TOKENS_MAX {
        return vec![tokens];
    }
    let step = TOKENS_MAX / 2;
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + TOKENS_MAX).min(tokens.len());
        out.push(&tokens[start..end]);
        if end == tokens.len() {
            return out;
        }
        start += step;
    }
}

/// The query tokens (start, count) that one word of a reading was split into.
type Group = (usize, usize);

/// The best alignment found for one entry so far.
struct Found<'q> {
    score: f64,
    name: u32,
    alignment: Alignment,
    tokens: &'q [Token],
    reading: &'q Reading,
}

fn screen_one(
    index: &ListIndex,
    readings: &[(Vec<Token>, &Reading)],
    facts: &Facts,
    threshold: f64,
    mode: Mode,
    out: &mut Vec<Hit>,
) {
    // Each reading with its joined words split into this list's spellings, when there are any
    // ("AHMADMAHMOODHASSAN" → ahmad mahmood hassan).
    // Each split word is a group of tokens: a hit that uses some of its parts and leaves a
    // fragment of a few letters unmatched did not read the word as that join ("schafer" is not
    // "sc" + "chafer"), so it does not count for that reading.
    let split: Vec<(Vec<Token>, Reading, Vec<Group>)> = readings
        .iter()
        .filter_map(|(tokens, reading)| {
            let mut any = false;
            let mut groups = Vec::new();
            let mut at = 0;
            let words: Vec<String> = tokens
                .iter()
                .map(|t| match split_into_known(&t.text, index) {
                    Some(parts) => {
                        any = true;
                        groups.push((at, parts.len()));
                        at += parts.len();
                        parts.join(" ")
                    }
                    None => {
                        at += 1;
                        t.original.to_string()
                    }
                })
                .collect();
            let text = words.join(" ");
            any.then(|| {
                let tokens = tokenize(&text);
                if tokens.len() != at || tokens.len() > TOKENS_MAX {
                    groups.clear();
                }
                (
                    tokens,
                    Reading {
                        text,
                        how: Some(match reading.how {
                            None => "joined words split",
                            Some(_) => "normalised, then joined words split",
                        }),
                    },
                    groups,
                )
            })
        })
        .collect();
    let all: Vec<(&[Token], &Reading, &[Group])> = readings
        .iter()
        .map(|(t, r)| (t.as_slice(), *r, &[][..]))
        .chain(
            split
                .iter()
                .map(|(t, r, g)| (t.as_slice(), r, g.as_slice())),
        )
        .collect();
    // Each joined word also read as the spellings of each listed name it could join (see
    // [`joined_for_names`]): the list-wide split above picks one reading of the word, which may
    // be another name's ("amirahimi" → ami rahimi, not amir rahimi).
    let mut masks = vec![0u16; index.names.len()];
    let per_name: Vec<(u32, Vec<Token>, Reading)> = readings
        .iter()
        .flat_map(|(tokens, reading)| joined_for_names(index, tokens, reading, &mut masks))
        .collect();
    let mut acc = vec![Shared::default(); index.names.len()];
    let mut memo = TokenMemo::default();
    let mut best: HashMap<u32, Found> = HashMap::new();
    for &(tokens, reading, groups) in &all {
        for window in windows(tokens) {
            screen_window(
                index, window, reading, groups, facts, threshold, mode, &mut acc, &mut memo,
                &mut best,
            );
        }
    }
    for (id, tokens, reading) in &per_name {
        let Some(name) = usize::try_from(*id).ok().and_then(|i| index.names.get(i)) else {
            continue;
        };
        let Some(entry) = usize::try_from(name.entry)
            .ok()
            .and_then(|i| index.entries.get(i))
        else {
            continue;
        };
        if mode == Mode::Text && name.traits.short {
            continue;
        }
        let qw: Vec<f64> = tokens.iter().map(|t| index.query_weight(t)).collect();
        let alignment = align(tokens, &qw, &name.tokens, &name.weights, name.traits, mode);
        let score = final_score(alignment.score, name, entry, facts, None);
        if score < threshold || best.get(&name.entry).is_some_and(|f| f.score >= score) {
            continue;
        }
        best.insert(
            name.entry,
            Found {
                score,
                name: *id,
                alignment,
                tokens,
                reading,
            },
        );
    }
    for (entry_id, found) in best {
        let entry = usize::try_from(entry_id)
            .ok()
            .and_then(|i| index.entries.get(i));
        let name = usize::try_from(found.name)
            .ok()
            .and_then(|i| index.names.get(i));
        if let (Some(entry), Some(name)) = (entry, name) {
            let mut notes = Vec::new();
            if let Some(how) = found.reading.how {
                notes.push(format!("read as {:?} ({how})", found.reading.text));
            }
            notes.push(found.alignment.explain(found.tokens, &name.tokens));
            final_score(found.alignment.score, name, entry, facts, Some(&mut notes));
            out.push(Hit {
                list: entry.list,
                reference: entry.reference.clone(),
                name: entry.primary_name.clone(),
                matched_name: name.display.to_string(),
                score: found.score,
                explanation: notes.join("; "),
                entry_fingerprint: entry.fingerprint(),
            });
        }
    }
}

/// Screens one window of one reading; `acc` is all-zero on entry and left so.
#[allow(clippy::too_many_arguments)]
fn screen_window<'q>(
    index: &ListIndex,
    q: &'q [Token],
    reading: &'q Reading,
    groups: &[Group],
    facts: &Facts,
    threshold: f64,
    mode: Mode,
    acc: &mut [Shared],
    memo: &mut TokenMemo,
    best: &mut HashMap<u32, Found<'q>>,
) {
    let qw: Vec<f64> = q.iter().map(|t| index.query_weight(t)).collect();
    let q_total: f64 = qw.iter().sum();
    if q_total <= 0.0 {
        return;
    }
    // Which query and listed tokens share keys, per name; `seen` lists the names touched so the
    // dense accumulator never has to be scanned.
    let mut seen: Vec<u32> = Vec::new();
    // Free text: only names with tokens that match the window's well can hit (see
    // [`TEXT_ANCHOR_MIN`]), so those are marked first, testing each listed spelling of a key
    // once rather than each name with that key.
    let mut marked: Vec<u32> = Vec::new();
    if mode == Mode::Text {
        let mut mark = |name: u32, tokens: u16, long: bool| {
            if let Some(a) = usize::try_from(name).ok().and_then(|i| acc.get_mut(i)) {
                if a.strong_n == 0 {
                    marked.push(name);
                }
                a.strong_n |= tokens;
                a.strong_long |= long;
            }
        };
        for t in q {
            let looked = memo.get(index, t, mode);
            for &(id, sim) in &looked.strong {
                let Some(listed) = usize::try_from(id)
                    .ok()
                    .and_then(|i| index.listed_tokens.get(i))
                else {
                    continue;
                };
                let long = sim >= TEXT_LONG_MIN && listed.token.text.len() > SHORT_TOKEN_LEN;
                for p in &listed.names {
                    mark(p.name, p.tokens, long);
                }
            }
            for &(name, tokens, long) in &looked.strong_joins {
                mark(name, tokens, long);
            }
        }
        // Adjacent query tokens written together for one listed token.
        for start in 0..q.len() {
            for end in start + 2..=(start + JOIN_SPAN_MAX).min(q.len()) {
                let span = &q[start..end];
                let text: String = span.iter().map(|t| &*t.text).collect();
                let original: String = span.iter().map(|t| &*t.original).collect();
                let mut keys = vec![phonetic_key(&text), phonetic_key(&original)];
                keys.dedup();
                for listed in keys
                    .iter()
                    .filter_map(|key| index.tokens_by_key.get(key.as_str()))
                    .flatten()
                    .filter_map(|&id| usize::try_from(id).ok())
                    .filter_map(|id| index.listed_tokens.get(id))
                {
                    let Some((sim, _)) = joined_sim(&listed.token, span) else {
                        continue;
                    };
                    if sim < TEXT_ANCHOR_MIN {
                        continue;
                    }
                    let long = sim >= TEXT_LONG_MIN && listed.token.text.len() > SHORT_TOKEN_LEN;
                    for p in &listed.names {
                        mark(p.name, p.tokens, long);
                    }
                }
            }
        }
    }
    let mut add = |key: &str, query_tokens: u16, join: bool| {
        let Some(postings) = index.postings.get(key) else {
            return;
        };
        for p in postings {
            if join && p.joined {
                // Join against join is not an alignment the scorer makes.
                continue;
            }
            let Some(a) = usize::try_from(p.name).ok().and_then(|i| acc.get_mut(i)) else {
                continue;
            };
            if mode == Mode::Text && a.strong_n == 0 {
                // Not marked above: it cannot hit in free text.
                continue;
            }
            if a.all_n == 0 {
                seen.push(p.name);
            }
            a.all_n |= p.tokens;
            if join || p.joined {
                a.other_q |= query_tokens;
            } else {
                a.one_q |= query_tokens;
                a.one_n |= p.tokens;
            }
        }
    };
    for (i, t) in q.iter().enumerate() {
        for key in &memo.get(index, t, mode).keys {
            add(key, bit(i), false);
        }
    }
    for i in 0..q.len().saturating_sub(1) {
        for key in joined_keys(&q[i], &q[i + 1]) {
            add(&key, bit(i) | bit(i + 1), true);
        }
    }

    for id in seen {
        let Some(slot) = usize::try_from(id).ok().and_then(|i| acc.get_mut(i)) else {
            continue;
        };
        let shared = std::mem::take(slot);
        let Some(name) = usize::try_from(id).ok().and_then(|i| index.names.get(i)) else {
            continue;
        };
        if (mode == Mode::Text && (name.traits.short || !text_candidate(&shared, name)))
            || score_bound(q, &shared, &qw, q_total, name, mode) + facts.bonus_max < threshold
        {
            continue;
        }
        let Some(entry) = usize::try_from(name.entry)
            .ok()
            .and_then(|i| index.entries.get(i))
        else {
            continue;
        };
        let alignment = align(q, &qw, &name.tokens, &name.weights, name.traits, mode);
        let score = final_score(alignment.score, name, entry, facts, None);
        if score < threshold
            || groups.iter().any(|&(start, len)| {
                let parts = start..start + len;
                parts.clone().any(|i| alignment.query_matched(i))
                    && parts.filter(|&i| !alignment.query_matched(i)).any(|i| {
                        q.get(i)
                            .is_some_and(|t| t.text.len() <= SPLIT_FRAGMENT_LETTERS)
                    })
            })
        {
            continue;
        }
        match best.get(&name.entry) {
            Some(found) if found.score >= score => {}
            _ => {
                best.insert(
                    name.entry,
                    Found {
                        score,
                        name: id,
                        alignment,
                        tokens: q,
                        reading,
                    },
                );
            }
        }
    }
    // Marked names that shared no key are left as found: all zero.
    for id in marked {
        if let Some(slot) = usize::try_from(id).ok().and_then(|i| acc.get_mut(i)) {
            *slot = Shared::default();
        }
    }
}

/// What each query token looks up, worked out once per screening of one list: a token recurs
/// in every overlapping window and every reading of a text.
#[derive(Default)]
struct TokenMemo {
    by_text: HashMap<Box<str>, Vec<LookedUp>>,
}

struct LookedUp {
    token: Token,
    /// Its own key, that of the rest after a glued particle, and those of listed spellings one
    /// letter away whose key differs.
    keys: Vec<Box<str>>,
    /// The listed tokens of those keys that it matches at [`TEXT_ANCHOR_MIN`] or better, with
    /// the similarity.
    strong: Vec<(u32, f64)>,
    /// The names with adjacent tokens that it matches written together as well: the name, those
    /// tokens, and whether a long one is among them matched at [`TEXT_LONG_MIN`].
    strong_joins: Vec<(u32, u16, bool)>,
}

impl TokenMemo {
    /// The lookups of `t`; the strong listed tokens only for free text.
    fn get(&mut self, index: &ListIndex, t: &Token, mode: Mode) -> &LookedUp {
        let same = self.by_text.entry(t.text.clone()).or_default();
        let at = match same.iter().position(|l| l.token == *t) {
            Some(at) => at,
            None => {
                let mut keys: Vec<Box<str>> = vec![t.key.clone()];
                if let Some(rest) = strip_glued_particle(&t.text) {
                    keys.push(phonetic_key(rest).into());
                }
                keys.extend(
                    index
                        .near_keys(&t.text)
                        .into_iter()
                        .filter(|key| **key != *t.key)
                        .map(Box::from),
                );
                // Those of its keys, and those one letter away at another key.
                let mut near: Vec<u32> = index
                    .near_spellings(&t.text)
                    .into_iter()
                    .filter(|_| mode == Mode::Text)
                    .filter_map(|spelling| index.tokens_by_text.get(spelling))
                    .flatten()
                    .copied()
                    .collect();
                near.sort_unstable();
                near.dedup();
                let strong = keys
                    .iter()
                    .filter(|_| mode == Mode::Text)
                    .filter_map(|key| index.tokens_by_key.get(key))
                    .flatten()
                    .copied()
                    .filter(|id| near.binary_search(id).is_err())
                    .chain(near.iter().copied())
                    .filter_map(|id| {
                        let listed = usize::try_from(id)
                            .ok()
                            .and_then(|i| index.listed_tokens.get(i))?;
                        let (sim, _) = single_sim(t, &listed.token)?;
                        (sim >= TEXT_ANCHOR_MIN).then_some((id, sim))
                    })
                    .collect();
                let mut strong_joins = Vec::new();
                for p in keys
                    .iter()
                    .filter(|_| mode == Mode::Text)
                    .filter_map(|key| index.joined_postings.get(key))
                    .flatten()
                {
                    let Some(name) = usize::try_from(p.name)
                        .ok()
                        .and_then(|i| index.names.get(i))
                    else {
                        continue;
                    };
                    for j in 0..name.tokens.len().saturating_sub(1) {
                        if p.tokens & bit(j) == 0 || p.tokens & bit(j + 1) == 0 {
                            continue;
                        }
                        for start in j.saturating_sub(JOIN_SPAN_MAX - 2)..=j {
                            for end in j + 2..=(start + JOIN_SPAN_MAX).min(name.tokens.len()) {
                                let span = &name.tokens[start..end];
                                let Some((sim, _)) = joined_sim(t, span) else {
                                    continue;
                                };
                                if sim >= TEXT_ANCHOR_MIN {
                                    let mask = (start..end).fold(0, |m, k| m | bit(k));
                                    let long = sim >= TEXT_LONG_MIN
                                        && span.iter().any(|s| s.text.len() > SHORT_TOKEN_LEN);
                                    strong_joins.push((p.name, mask, long));
                                }
                            }
                        }
                    }
                }
                same.push(LookedUp {
                    token: t.clone(),
                    keys,
                    strong,
                    strong_joins,
                });
                same.len() - 1
            }
        };
        &same[at]
    }
}

/// In free text a listed name hits when it is contained (every listed token matched at 0.85 or
/// better, see `CONTAINED_TOKEN_MIN` in `score.rs`) or when a run of words scores as the name
/// with a long listed token matched at 0.9 or better: either way one of its tokens matches a
/// query token at least this well.
const TEXT_ANCHOR_MIN: f64 = 0.85;
/// The long listed token of a run of words scored as the name matches at least this well
/// (`long_token_matched` in `score.rs`).
const TEXT_LONG_MIN: f64 = 0.9;

/// A split part this short left unmatched beside matched parts of the same word is a stray
/// fragment: the split was a coincidence.
const SPLIT_FRAGMENT_LETTERS: usize = 3;
/// A split that leaves a single word (a title dropped) needs this many letters in it.
const SPLIT_SINGLE_MIN: usize = 6;
/// Words of this many letters may be several written together.
const SPLIT_TOKEN_MIN: usize = 6;
const SPLIT_TOKEN_MAX: usize = 48;
/// Shortest part of a split token.
const SPLIT_PART_MIN: usize = 2;
/// Least average length of the parts of a split token.
const SPLIT_PART_MEAN_MIN: usize = 3;

/// Splits a token that is not itself a listed spelling into the fewest listed spellings that
/// spell it ("kimjongun" → kim, jong, un), if it can be. A part may have lost its first letter to
/// the previous part's last one when doubled letters were collapsed ("baudoingaruye" → baudoin,
/// ngaruye).
fn split_into_known(token: &str, index: &ListIndex) -> Option<Vec<String>> {
    let len = token.len();
    if !joinable(token, index) {
        return None;
    }
    let known = |start: usize, end: usize| known_part(token, start, end, index);
    // fewest[i] = (parts, seams, sum of squared part lengths, previous cut) for the best split
    // of token[..i]: fewest parts, then fewest letters taken back at seams, then the longest
    // parts ("asbat al ansar", not "asba tal ansar").
    type Split = (usize, usize, usize, usize);
    let mut fewest: Vec<Option<Split>> = vec![None; len + 1];
    fewest[0] = Some((0, 0, 0, 0));
    for end in SPLIT_PART_MIN..=len {
        for start in 0..=end - SPLIT_PART_MIN {
            let Some((parts, seams, squares, _)) = fewest[start] else {
                continue;
            };
            if parts >= JOIN_SPAN_MAX + 2 || fewest[end].is_some_and(|(p, _, _, _)| p < parts + 1) {
                continue;
            }
            let Some(part) = known(start, end) else {
                continue;
            };
            let seams = seams + usize::from(part.len() > end - start);
            let squares = squares + (end - start) * (end - start);
            let better = |(p, se, sq, _): (usize, usize, usize, usize)| {
                (parts + 1, seams, usize::MAX - squares) < (p, se, usize::MAX - sq)
            };
            if fewest[end].is_none_or(better) {
                fewest[end] = Some((parts + 1, seams, squares, start));
            }
        }
    }
    let mut parts = Vec::new();
    let mut end = len;
    while end > 0 {
        let (_, _, _, start) = fewest[end]?;
        parts.push(known(start, end)?);
        end = start;
    }
    parts.reverse();
    // Splits into many short syllables ("tiziana" → ti, zi, ana) are coincidences: the parts
    // must average (nearly) three letters ("rimangon" → ri, man, gon passes).
    // Korean and Chinese syllables are shorter ("rijaeil" → ri, jae, il): a split into
    // syllables only may average two letters.
    if parts.len() * SPLIT_PART_MEAN_MIN > len + 1
        && !(parts.len() * SPLIT_PART_MIN <= len && parts.iter().all(|p| is_syllable(p)))
    {
        return None;
    }
    // Titles are written inside joined names too ("HAJIMUHAMMADASHRAF"); like particles they
    // are dropped.
    parts.retain(|p| !PARTICLES.contains(&p.as_str()) && !TITLES.contains(&p.as_str()));
    // What is left is a name: two parts or more, or one long word after a title ("AMIRRAHIMI"
    // → rahimi, as the listed AMIR RAHIMI reads with its title dropped).
    match &parts[..] {
        [] => None,
        [only] if only.len() < SPLIT_SINGLE_MIN => None,
        _ => Some(parts),
    }
}

/// Whether a token may be several words written together: long enough, ASCII, and no listed
/// spelling itself.
fn joinable(token: &str, index: &ListIndex) -> bool {
    (SPLIT_TOKEN_MIN..=SPLIT_TOKEN_MAX).contains(&token.len())
        && token.is_ascii()
        && !index.vocabulary.contains(token)
}

/// A listed spelling (or particle, title) that `token[start..end]` spells, or that it spells with
/// the previous letter taken back (a doubled letter collapsed at the seam).
fn known_part(token: &str, start: usize, end: usize, index: &ListIndex) -> Option<String> {
    let part = token.get(start..end)?;
    if index.vocabulary.contains(part) {
        return Some(part.to_owned());
    }
    let seam = token.get(start.checked_sub(1)?..end)?;
    index.vocabulary.contains(seam).then(|| seam.to_owned())
}

/// For each joined word of a reading, the readings that split it into the spellings of one
/// listed name (with particles and titles between them), one per such name: the query tokens
/// with that word replaced by its parts, and the reading's description. A word is split for a
/// name only when all of it is spelt by that name's tokens, particles and titles, and the name's
/// tokens are found among the pieces of the word's list-wide splits (any split into listed
/// spellings, not just the preferred one).
fn joined_for_names(
    index: &ListIndex,
    tokens: &[Token],
    reading: &Reading,
    masks: &mut [u16],
) -> Vec<(u32, Vec<Token>, Reading)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let word = &*t.text;
        if !joinable(word, index) {
            continue;
        }
        let len = word.len();
        // known[start * (len + 1) + end]: word[start..end] is a listed spelling (see
        // [`known_part`]).
        let at = |start: usize, end: usize| start * (len + 1) + end;
        let mut known: Vec<Option<String>> = vec![None; (len + 1) * (len + 1)];
        for start in 0..len {
            for end in start + SPLIT_PART_MIN..=len {
                known[at(start, end)] = known_part(word, start, end, index);
            }
        }
        // Which prefixes and suffixes of the word split into listed spellings.
        let mut from_start = vec![false; len + 1];
        from_start[0] = true;
        for end in SPLIT_PART_MIN..=len {
            from_start[end] = (0..=end - SPLIT_PART_MIN)
                .any(|start| from_start[start] && known[at(start, end)].is_some());
        }
        if !from_start[len] {
            continue;
        }
        let mut to_end = vec![false; len + 1];
        to_end[len] = true;
        for start in (0..=len - SPLIT_PART_MIN).rev() {
            to_end[start] = (start + SPLIT_PART_MIN..=len)
                .any(|end| to_end[end] && known[at(start, end)].is_some());
        }
        // Pieces on some complete split, and the listed names with tokens spelt like them
        // (`masks`, dense over names, left all zero).
        let mut pieces: Vec<&str> = Vec::new();
        for start in 0..len {
            for end in start + SPLIT_PART_MIN..=len {
                if let Some(part) = &known[at(start, end)]
                    && from_start[start]
                    && to_end[end]
                    && !PARTICLES.contains(&part.as_str())
                    && !TITLES.contains(&part.as_str())
                {
                    pieces.push(part);
                }
            }
        }
        pieces.sort_unstable();
        pieces.dedup();
        let mut ids: Vec<u32> = Vec::new();
        for piece in &pieces {
            for p in index.spelled.get(*piece).into_iter().flatten() {
                if let Some(mask) = usize::try_from(p.name).ok().and_then(|i| masks.get_mut(i)) {
                    if *mask == 0 {
                        ids.push(p.name);
                    }
                    *mask |= p.tokens;
                }
            }
        }
        let mut found: Vec<(u32, u16)> = ids
            .iter()
            .filter_map(|&id| {
                let mask = usize::try_from(id).ok().and_then(|i| masks.get_mut(i))?;
                Some((id, std::mem::take(mask)))
            })
            .collect();
        found.sort_unstable();
        // Particles and titles written inside the word.
        let fillers: Vec<&'static str> = PARTICLES
            .iter()
            .chain(TITLES)
            .copied()
            .filter(|f| f.len() >= SPLIT_PART_MIN && word.contains(f))
            .collect();
        let filler_letters: usize = fillers.iter().map(|f| f.len()).sum();
        for (id, mask) in found {
            let Some(name) = usize::try_from(id).ok().and_then(|i| index.names.get(i)) else {
                continue;
            };
            if name.traits.short {
                continue;
            }
            // The name's tokens spelt inside the word, with its particles and titles, must have
            // letters enough to spell all of it (a letter more per token for seams).
            let letters: usize = (0..name.tokens.len())
                .filter(|&j| mask & bit(j) != 0)
                .map(|j| {
                    let t = &name.tokens[j];
                    t.text.len().max(t.original.len()) + 1
                })
                .sum();
            if letters + filler_letters < len {
                continue;
            }
            let Some(parts) = split_for_name(word, name, &fillers) else {
                continue;
            };
            let text = tokens[..i]
                .iter()
                .map(|t| t.original.to_string())
                .chain(parts)
                .chain(tokens[i + 1..].iter().map(|t| t.original.to_string()))
                .collect::<Vec<_>>()
                .join(" ");
            let split = tokenize(&text);
            if split.is_empty() || split.len() > TOKENS_MAX {
                continue;
            }
            out.push((
                id,
                split,
                Reading {
                    text,
                    how: Some(match reading.how {
                        None => "joined words split",
                        Some(_) => "normalised, then joined words split",
                    }),
                },
            ));
        }
    }
    out
}

/// Splits `word` into the fewest spellings of `name`'s tokens (canonical or as written),
/// particles and titles that spell all of it, a part perhaps taking back the previous part's last
/// letter (doubled letters collapsed at the seam). The parts must pass the same tests as a
/// list-wide split (parts of two letters or more averaging three, or syllables; a single part
/// left after particles and titles of six letters or more).
fn split_for_name(word: &str, name: &IndexedName, fillers: &[&'static str]) -> Option<Vec<String>> {
    let mut spellings: Vec<&str> = name
        .tokens
        .iter()
        .flat_map(|t| [&*t.text, &*t.original])
        .filter(|s| s.len() >= SPLIT_PART_MIN && word.contains(*s))
        .chain(fillers.iter().copied())
        .collect();
    spellings.sort_unstable();
    spellings.dedup();
    let b = word.as_bytes();
    let len = b.len();
    // fewest[i] = (parts, previous cut, spelling) of the best split of word[..i].
    let mut fewest: Vec<Option<(usize, usize, &str)>> = vec![None; len + 1];
    fewest[0] = Some((0, 0, ""));
    for start in 0..len {
        let Some((parts, _, _)) = fewest[start] else {
            continue;
        };
        for &s in &spellings {
            let end = if b[start..].starts_with(s.as_bytes()) {
                start + s.len()
            } else if start > 0 && b[start - 1..].starts_with(s.as_bytes()) {
                start - 1 + s.len()
            } else {
                continue;
            };
            if end < start + SPLIT_PART_MIN - 1 || end <= start {
                continue;
            }
            if fewest[end].is_none_or(|(p, _, _)| parts + 1 < p) {
                fewest[end] = Some((parts + 1, start, s));
            }
        }
    }
    let mut parts = Vec::new();
    let mut end = len;
    while end > 0 {
        let (_, start, s) = fewest[end]?;
        parts.push(s.to_owned());
        end = start;
    }
    parts.reverse();
    if parts.len() * SPLIT_PART_MEAN_MIN > len + 1
        && !(parts.len() * SPLIT_PART_MIN <= len && parts.iter().all(|p| is_syllable(p)))
    {
        return None;
    }
    let names: Vec<&String> = parts
        .iter()
        .filter(|p| !PARTICLES.contains(&p.as_str()) && !TITLES.contains(&p.as_str()))
        .collect();
    match &names[..] {
        [] => None,
        [only] if only.len() < SPLIT_SINGLE_MIN => None,
        _ => Some(parts),
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
    /// Free text: the listed tokens that match query tokens at [`TEXT_ANCHOR_MIN`] or better
    /// (alone or written together), and whether a long one matches at [`TEXT_LONG_MIN`] or
    /// better.
    strong_n: u16,
    strong_long: bool,
}

/// Whether a name can hit in free text: contained (distinctive, every listed token matched well)
/// or a run of words scored as the name (a long listed token matched well).
fn text_candidate(shared: &Shared, name: &IndexedName) -> bool {
    let all_listed = bit(name.tokens.len()).wrapping_sub(1);
    shared.strong_long || (name.traits.specific && shared.strong_n & all_listed == all_listed)
}

/// Upper bound of a candidate's score from the keys it shares with the query, as if every
/// key-sharing token matched exactly. One listed token pairs with at most one query token, so
/// query tokens sharing one key with a single listed token count once.
fn score_bound(
    q: &[Token],
    shared: &Shared,
    qw: &[f64],
    q_total: f64,
    name: &IndexedName,
    mode: Mode,
) -> f64 {
    let pop = |m: u16| usize::try_from(m.count_ones()).unwrap_or(usize::MAX);
    let ratio = |hit: f64, total: f64| if total > 0.0 { hit / total } else { 0.0 };
    let n_hit: f64 = (0..name.weights.len())
        .filter(|&j| shared.all_n & bit(j) != 0)
        .map(|j| name.weights[j])
        .sum();
    let n_ratio = ratio(n_hit, name.total_weight);
    // Containment needs every listed token matched, a one-word name spelt as listed.
    let all_listed = bit(name.tokens.len()).wrapping_sub(1);
    let containable = name.traits.specific
        && shared.all_n & all_listed == all_listed
        && match &name.tokens[..] {
            [only] => q.iter().any(|t| t.text == only.text),
            _ => true,
        };
    if mode == Mode::Text {
        return if containable {
            n_ratio
        } else if pop(shared.all_n) >= 2
            && name.tokens.iter().enumerate().any(|(j, t)| {
                shared.all_n & bit(j) != 0 && t.text.len() > super::score::SHORT_TOKEN_LEN
            })
        {
            // The run of words that matched, scored as a name: its query coverage is at most 1.
            QUERY_SHARE + (1.0 - QUERY_SHARE) * n_ratio
        } else {
            0.0
        };
    }
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
    let q_ratio = ratio(q_hit, q_total);
    // The blend weighs the query's coverage by QUERY_SHARE only when two listed tokens (or the
    // only one) can match; containment is at most the listed coverage.
    let share = if pop(shared.all_n) >= 2 || name.tokens.len() == 1 {
        QUERY_SHARE
    } else {
        SYLLABLE_QUERY_SHARE
    };
    // The scorer may weigh the listed side more (syllables only): bound both ways.
    let blend = (share * q_ratio + (1.0 - share) * n_ratio)
        .max(SYLLABLE_QUERY_SHARE * q_ratio + (1.0 - SYLLABLE_QUERY_SHARE) * n_ratio);
    if containable {
        blend.max(n_ratio)
    } else {
        blend
    }
}

/// The name score adjusted for alias quality, kind and secondary data, clamped and rounded;
/// notes the adjustments when asked.
fn final_score(
    name_score: f64,
    name: &IndexedName,
    entry: &Entry,
    facts: &Facts,
    mut notes: Option<&mut Vec<String>>,
) -> f64 {
    let mut score = name_score;
    let mut note = |text: String| {
        if let Some(notes) = notes.as_deref_mut() {
            notes.push(text);
        }
    };
    if name.origin == NameOrigin::Alias(AliasQuality::Low) {
        score -= LOW_ALIAS_PENALTY;
        note(format!("low-quality alias -{LOW_ALIAS_PENALTY}"));
    }
    if let Some(kind) = facts.query.kind {
        let listed_person = entry.kind == EntryKind::Individual;
        match (kind == EntryKind::Individual, listed_person) {
            (true, false) => {
                score -= PERSON_AS_ORGANISATION_PENALTY;
                note(format!(
                    "a person against a listed {} -{PERSON_AS_ORGANISATION_PENALTY}",
                    kind_label(entry.kind)
                ));
            }
            (false, true) => {
                score -= ORGANISATION_AS_PERSON_PENALTY;
                note(format!(
                    "an organisation against a listed person -{ORGANISATION_AS_PERSON_PENALTY}"
                ));
            }
            _ => {}
        }
    }
    score += secondary(entry, facts, &mut note);
    (score.clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0
}

fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Individual => "person",
        EntryKind::Entity => "organisation",
        EntryKind::Vessel => "vessel",
        EntryKind::Aircraft => "aircraft",
    }
}

/// Score adjustment from date of birth and country, when both sides have them.
fn secondary(entry: &Entry, facts: &Facts, note: &mut impl FnMut(String)) -> f64 {
    let query = facts.query;
    let mut delta = 0.0;
    if let (Some((year, day)), false) = (facts.birth, entry.birth_years.is_empty()) {
        let listed: Vec<&str> = entry.birth_years.iter().map(|b| b.text.as_str()).collect();
        let same_day = day.is_some()
            && entry
                .birth_years
                .iter()
                .any(|b| parse_date(&b.text) == Some((year, day)));
        let agrees = entry
            .birth_years
            .iter()
            .any(|b| year >= b.from.saturating_sub(1) && year <= b.to.saturating_add(1));
        let given = query
            .birth_date
            .clone()
            .filter(|_| day.is_some())
            .unwrap_or_else(|| year.to_string());
        if same_day {
            delta += DOB_EXACT_BONUS;
            note(format!("born {given}, the listed date +{DOB_EXACT_BONUS}"));
        } else if agrees {
            delta += DOB_AGREE_BONUS;
            note(format!(
                "born {given} agrees with {} +{DOB_AGREE_BONUS}",
                listed.join("/")
            ));
        } else {
            delta -= DOB_DISAGREE_PENALTY;
            note(format!(
                "born {given} differs from {} -{DOB_DISAGREE_PENALTY}",
                listed.join("/")
            ));
        }
    }
    if let (Some(country), false) = (&query.country, entry.countries.is_empty()) {
        if crate::countries::any_matches(country, &entry.countries) {
            delta += COUNTRY_AGREE_BONUS;
            note(format!("country {country} agrees +{COUNTRY_AGREE_BONUS}"));
        } else {
            delta -= COUNTRY_DISAGREE_PENALTY;
            note(format!(
                "country {country} differs from {} -{COUNTRY_DISAGREE_PENALTY}",
                entry.countries.join("/")
            ));
        }
    }
    delta
}
