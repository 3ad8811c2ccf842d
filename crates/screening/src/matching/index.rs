//! The candidate index of one list: every listed name (primary, aliases, original script)
//! tokenised once, an inverted index from phonetic keys to names, token rarity weights, and the
//! distinct listed tokens by key and by spelling (free text's candidate filter).

use std::collections::{HashMap, HashSet};

use super::canon::canonical_form;
use super::normalize::{LEGAL_FORMS, PARTICLES, TITLES, TOKENS_MAX, Token, phonetic_key, tokenize};
use super::score::ListedTraits;
use crate::model::{AliasQuality, Entry, EntryKind, ImportedList, ListVersion};

/// Which of an entry's names this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameOrigin {
    Primary,
    Alias(AliasQuality),
    OriginalScript,
}

/// A name containing a key, and which of its tokens produce the key (bit j = token j).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub name: u32,
    pub tokens: u16,
    /// The key is of two adjacent tokens written together.
    pub joined: bool,
}

/// Bit for token position `j` (positions are below `TOKENS_MAX` = 16).
pub(crate) fn bit(j: usize) -> u16 {
    u32::try_from(j)
        .ok()
        .and_then(|j| 1u16.checked_shl(j))
        .unwrap_or(0)
}

/// One listed name, tokenised.
#[derive(Debug, Clone)]
pub(crate) struct IndexedName {
    /// Index into [`ListIndex::entries`].
    pub entry: u32,
    /// The name as published.
    pub display: Box<str>,
    pub origin: NameOrigin,
    pub tokens: Vec<Token>,
    /// Rarity weight of each token (same order as `tokens`).
    pub weights: Vec<f64>,
    /// Sum of `weights`.
    pub total_weight: f64,
    /// Distinctiveness and length, for the scorer.
    pub traits: ListedTraits,
}

/// Index over one imported list. Immutable once built; shared behind an `Arc`.
#[derive(Debug)]
pub struct ListIndex {
    pub(crate) version: ListVersion,
    pub(crate) entries: Vec<Entry>,
    pub(crate) names: Vec<IndexedName>,
    /// Phonetic key (of a token, or of two adjacent tokens written together) → names.
    pub(crate) postings: HashMap<Box<str>, Vec<Posting>>,
    /// Document frequency of each token key, in names.
    df: HashMap<Box<str>, u32>,
    /// Weight of a token never seen in the list (the rarest possible).
    unseen_weight: f64,
    /// Every listed token spelling (canonical and as transliterated), to split a query token
    /// that joins several ("kimjongun").
    pub(crate) vocabulary: HashSet<Box<str>>,
    /// Every listed token spelling (canonical and as transliterated, 2+ letters) → the names
    /// with a token spelt so, and which of their tokens: the candidates of a joined word whose
    /// parts are spelt as listed.
    pub(crate) spelled: HashMap<Box<str>, Vec<Posting>>,
    /// Listed spellings of [`FUZZY_SPELLING_MIN`]+ letters with their keys, and each of their
    /// one-letter deletions → those spellings (a symmetric-deletion index: two spellings one
    /// edit apart share a deletion, or one is the other's).
    spellings: Vec<(Box<str>, Box<str>)>,
    near_spellings: HashMap<Box<str>, Vec<u32>>,
    /// Every distinct listed token with the names that carry it (and at which positions), and
    /// phonetic key → those tokens: free text tests a query token against each listed spelling
    /// of its key once, instead of against every name with that key.
    pub(crate) listed_tokens: Vec<ListedToken>,
    pub(crate) tokens_by_key: HashMap<Box<str>, Vec<u32>>,
    /// Canonical spelling → those tokens.
    pub(crate) tokens_by_text: HashMap<Box<str>, Vec<u32>>,
    /// The postings of two adjacent listed tokens written together, alone.
    pub(crate) joined_postings: HashMap<Box<str>, Vec<Posting>>,
}

/// One distinct listed token and where it occurs.
#[derive(Debug)]
pub(crate) struct ListedToken {
    pub token: Token,
    /// The names with this token; `tokens` marks its positions in each.
    pub names: Vec<Posting>,
}

/// `text` with each one of its letters left out (ASCII tokens; others yield nothing).
fn deletions(text: &str) -> impl Iterator<Item = String> + '_ {
    (0..text.len())
        .filter(|_| text.is_ascii())
        .map(move |i| format!("{}{}", &text[..i], &text[i + 1..]))
}

/// A listed name is distinctive enough to be recognised inside a longer string when it has three
/// or more words of [`SPECIFIC_SYLLABLE_LETTERS`] letters in all ("Ri Je Son"), two words of
/// [`SPECIFIC_LETTERS`] letters that are not both common on the list ([`SPECIFIC_WEIGHT_FACTOR`]
/// of a never-seen token's weight: not "Ali Mohammed"), or when it is an organisation's strong
/// one-word name of at least [`SPECIFIC_SINGLE_LEN`] letters, matched exactly ("HIZBALLAH
/// Trading"). A person's or vessel's one-word name ("George", "DANIEL") is an everyday word:
/// never recognised inside longer names.
const SPECIFIC_LETTERS: usize = 9;
const SPECIFIC_SYLLABLE_LETTERS: usize = 7;
const SPECIFIC_WEIGHT_FACTOR: f64 = 0.9;
const SPECIFIC_SINGLE_LEN: usize = 6;
/// Listed spellings at least this long are reachable with one letter dropped, added or changed.
const FUZZY_SPELLING_MIN: usize = 5;
/// Least weight of a query token, as a share of the weight of a token never seen on the list.
const QUERY_WEIGHT_FLOOR: f64 = 0.4;
/// Names of at most this many letters in all match only exactly and as a whole.
const SHORT_NAME_LETTERS: usize = 4;

impl ListIndex {
    /// Tokenises every name of every entry and builds the inverted index.
    pub fn build(list: ImportedList) -> Self {
        let mut names = Vec::new();
        for (i, entry) in list.entries.iter().enumerate() {
            let Ok(entry_id) = u32::try_from(i) else {
                break;
            };
            let mut push = |display: &str, origin: NameOrigin| {
                let mut tokens = tokenize(&canonical_form(display));
                if tokens.is_empty() {
                    return;
                }
                tokens.truncate(TOKENS_MAX);
                names.push(IndexedName {
                    entry: entry_id,
                    display: display.into(),
                    origin,
                    tokens,
                    weights: Vec::new(),
                    total_weight: 0.0,
                    traits: ListedTraits {
                        specific: false,
                        short: false,
                    },
                });
            };
            push(&entry.primary_name, NameOrigin::Primary);
            for alias in &entry.aliases {
                push(&alias.name, NameOrigin::Alias(alias.quality));
            }
            if let Some(original) = &entry.original_script_name {
                push(original, NameOrigin::OriginalScript);
            }
        }

        let mut df: HashMap<Box<str>, u32> = HashMap::new();
        let mut postings: HashMap<Box<str>, Vec<Posting>> = HashMap::new();
        for (id, name) in names.iter().enumerate() {
            let Ok(id) = u32::try_from(id) else {
                break;
            };
            // (key, joined, bit mask of the listed tokens that produce it)
            let mut keys: Vec<(Box<str>, bool, u16)> = Vec::new();
            for (j, t) in name.tokens.iter().enumerate() {
                keys.push((t.key.clone(), false, bit(j)));
            }
            let mut distinct: Vec<&Box<str>> = keys.iter().map(|(k, _, _)| k).collect();
            distinct.sort_unstable();
            distinct.dedup();
            for key in distinct {
                *df.entry(key.clone()).or_default() += 1;
            }
            for (j, pair) in name.tokens.windows(2).enumerate() {
                for key in joined_keys(&pair[0], &pair[1]) {
                    keys.push((key.into(), true, bit(j) | bit(j + 1)));
                }
            }
            keys.sort_unstable();
            let mut merged: Vec<(Box<str>, bool, u16)> = Vec::with_capacity(keys.len());
            for (key, joined, mask) in keys {
                match merged.last_mut() {
                    Some((k, jn, m)) if *k == key && *jn == joined => *m |= mask,
                    _ => merged.push((key, joined, mask)),
                }
            }
            for (key, joined, mask) in merged {
                postings.entry(key).or_default().push(Posting {
                    name: id,
                    tokens: mask,
                    joined,
                });
            }
        }
        let total = f64::from(u32::try_from(names.len()).unwrap_or(u32::MAX).max(1));
        let unseen_weight = (1.0 + total).ln();
        for name in &mut names {
            let entry_kind = usize::try_from(name.entry)
                .ok()
                .and_then(|i| list.entries.get(i))
                .map(|e| e.kind);
            name.weights = name
                .tokens
                .iter()
                .map(|t| weight(df.get(&t.key).copied(), total, unseen_weight, t))
                .collect();
            name.total_weight = name.weights.iter().sum();
            let letters: usize = name.tokens.iter().map(|t| t.text.len()).sum();
            let words = name.tokens.iter().filter(|t| t.text.len() > 1).count();
            name.traits = ListedTraits {
                specific: match words {
                    0 | 1 => {
                        letters >= SPECIFIC_SINGLE_LEN
                            && entry_kind == Some(EntryKind::Entity)
                            && name.origin != NameOrigin::Alias(AliasQuality::Low)
                    }
                    2 => {
                        letters >= SPECIFIC_LETTERS
                            && name.total_weight >= SPECIFIC_WEIGHT_FACTOR * unseen_weight
                    }
                    _ => letters >= SPECIFIC_SYLLABLE_LETTERS,
                },
                short: letters <= SHORT_NAME_LETTERS,
            };
        }
        let mut spelled: HashMap<Box<str>, Vec<Posting>> = HashMap::new();
        for (id, name) in names.iter().enumerate() {
            let Ok(id) = u32::try_from(id) else { break };
            for (j, t) in name.tokens.iter().enumerate() {
                for s in [&t.text, &t.original] {
                    if s.len() < 2 {
                        continue;
                    }
                    let list = spelled.entry(s.clone()).or_default();
                    match list.last_mut() {
                        Some(p) if p.name == id => p.tokens |= bit(j),
                        _ => list.push(Posting {
                            name: id,
                            tokens: bit(j),
                            joined: false,
                        }),
                    }
                }
            }
        }
        let mut vocabulary: HashSet<Box<str>> = names
            .iter()
            .flat_map(|n| n.tokens.iter())
            .flat_map(|t| [t.text.clone(), t.original.clone()])
            .filter(|t| t.len() >= 2)
            .collect();
        // Particles are dropped from names but written inside joined ones ("aymanalzawahiri").
        vocabulary.extend(PARTICLES.iter().map(|p| Box::<str>::from(*p)));
        // So are titles ("hajimuhammadashraf"), which the listed names drop.
        vocabulary.extend(TITLES.iter().map(|p| Box::<str>::from(*p)));
        let mut spellings: Vec<(Box<str>, Box<str>)> = names
            .iter()
            .flat_map(|n| n.tokens.iter())
            .filter(|t| t.text.len() >= FUZZY_SPELLING_MIN)
            .map(|t| (t.text.clone(), t.key.clone()))
            .collect();
        spellings.sort_unstable();
        spellings.dedup();
        let mut near_spellings: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        for (id, (text, _)) in spellings.iter().enumerate() {
            let Ok(id) = u32::try_from(id) else { break };
            for deletion in deletions(text) {
                near_spellings.entry(deletion.into()).or_default().push(id);
            }
        }
        let mut listed_tokens: Vec<ListedToken> = Vec::new();
        // Tokens by spelling; equal spellings are one token unless another field differs.
        let mut token_ids: HashMap<(&str, &str), Vec<u32>> = HashMap::new();
        for (id, name) in names.iter().enumerate() {
            let Ok(id) = u32::try_from(id) else { break };
            for (j, t) in name.tokens.iter().enumerate() {
                let same = token_ids.entry((&*t.text, &*t.original)).or_default();
                let known = same.iter().copied().find(|&tid| {
                    usize::try_from(tid)
                        .ok()
                        .and_then(|i| listed_tokens.get(i))
                        .is_some_and(|l| l.token == *t)
                });
                let tid = match known {
                    Some(tid) => tid,
                    None => {
                        let Ok(tid) = u32::try_from(listed_tokens.len()) else {
                            break;
                        };
                        same.push(tid);
                        listed_tokens.push(ListedToken {
                            token: t.clone(),
                            names: Vec::new(),
                        });
                        tid
                    }
                };
                let Some(listed) = usize::try_from(tid)
                    .ok()
                    .and_then(|i| listed_tokens.get_mut(i))
                else {
                    continue;
                };
                match listed.names.last_mut() {
                    Some(p) if p.name == id => p.tokens |= bit(j),
                    _ => listed.names.push(Posting {
                        name: id,
                        tokens: bit(j),
                        joined: false,
                    }),
                }
            }
        }
        let mut tokens_by_key: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        let mut tokens_by_text: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        for (tid, listed) in listed_tokens.iter().enumerate() {
            let Ok(tid) = u32::try_from(tid) else { break };
            tokens_by_key
                .entry(listed.token.key.clone())
                .or_default()
                .push(tid);
            tokens_by_text
                .entry(listed.token.text.clone())
                .or_default()
                .push(tid);
        }
        let joined_postings = postings
            .iter()
            .filter_map(|(key, list)| {
                let joined: Vec<Posting> = list.iter().filter(|p| p.joined).copied().collect();
                (!joined.is_empty()).then(|| (key.clone(), joined))
            })
            .collect();
        Self {
            version: list.version,
            entries: list.entries,
            names,
            postings,
            df,
            unseen_weight,
            vocabulary,
            spelled,
            spellings,
            near_spellings,
            listed_tokens,
            tokens_by_key,
            tokens_by_text,
            joined_postings,
        }
    }

    /// Keys of listed spellings one letter away from `text` (dropped, added or changed), for a
    /// query token that is no listed spelling: a typo can change the key ("innoent" keys `ANT`,
    /// "innocent" `ANKNT`), and without a shared key a name is never a candidate.
    pub(crate) fn near_keys(&self, text: &str) -> Vec<&str> {
        if text.len() < FUZZY_SPELLING_MIN - 1 || self.vocabulary.contains(text) {
            return Vec::new();
        }
        let mut ids: Vec<u32> = std::iter::once(text.to_owned())
            .chain(deletions(text))
            .filter_map(|d| self.near_spellings.get(d.as_str()))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut keys: Vec<&str> = ids
            .into_iter()
            .filter_map(|id| usize::try_from(id).ok().and_then(|i| self.spellings.get(i)))
            .map(|(_, key)| &**key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Listed spellings one letter away from `text` (dropped, added or changed), listed or not
    /// itself: a typo may match at any key.
    pub(crate) fn near_spellings(&self, text: &str) -> Vec<&str> {
        if text.len() < FUZZY_SPELLING_MIN - 1 {
            return Vec::new();
        }
        let mut ids: Vec<u32> = std::iter::once(text.to_owned())
            .chain(deletions(text))
            .filter_map(|d| self.near_spellings.get(d.as_str()))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| usize::try_from(id).ok().and_then(|i| self.spellings.get(i)))
            .map(|(spelling, _)| &**spelling)
            .collect()
    }

    /// The list version this index was built from.
    pub fn version(&self) -> &ListVersion {
        &self.version
    }

    /// All entries of the list.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Weight of a query token: its rarity, but at least [`QUERY_WEIGHT_FLOOR`] of the rarest
    /// (a query token the listed name lacks is evidence against the match even when the token is
    /// common on the list: "Christopher Lee" is not "Christopher Mushohwe").
    /// Initials and legal forms ("V.", "Corp") keep their small weight: they identify no one.
    pub(crate) fn query_weight(&self, token: &Token) -> f64 {
        let weight = self.token_weight(token);
        if token.text.len() == 1 || LEGAL_FORMS.contains(&&*token.text) {
            weight.min(1.0)
        } else {
            weight.max(QUERY_WEIGHT_FLOOR * self.unseen_weight)
        }
    }

    /// Rarity weight of a token against this list.
    pub(crate) fn token_weight(&self, token: &Token) -> f64 {
        let total = f64::from(u32::try_from(self.names.len()).unwrap_or(u32::MAX).max(1));
        weight(
            self.df.get(&token.key).copied(),
            total,
            self.unseen_weight,
            token,
        )
    }
}

/// Keys of two adjacent tokens written as one ("Jong Un" ~ "Jongun"), from the canonical and
/// from the original spellings (they differ when a syllable is in the variant table). A key
/// equal to either part's own key is left out: the other part adds nothing to it ("Kim Yo"
/// keys like "Kim"), so it would only find false joins.
pub(crate) fn joined_keys(a: &Token, b: &Token) -> Vec<String> {
    let mut keys = vec![
        phonetic_key(&format!("{}{}", a.text, b.text)),
        phonetic_key(&format!("{}{}", a.original, b.original)),
    ];
    keys.dedup();
    keys.retain(|k| *k != *a.key && *k != *b.key);
    keys
}

/// Inverse document frequency: common tokens (Muhammad, Ali) weigh little, rare ones a lot.
/// Initials carry little identity whatever their frequency.
fn weight(df: Option<u32>, total: f64, unseen: f64, token: &Token) -> f64 {
    let w = df.map_or(unseen, |df| (1.0 + total / f64::from(df.max(1))).ln());
    if token.text.len() == 1 { w.min(1.0) } else { w }
}
