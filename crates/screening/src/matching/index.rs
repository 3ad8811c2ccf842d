//! The candidate index of one list: every listed name (primary, aliases, original script)
//! tokenised once, an inverted index from phonetic keys to names, and token rarity weights.

use std::collections::HashMap;

use super::normalize::{Token, phonetic_key, tokenize};
use crate::model::{AliasQuality, Entry, ImportedList, ListVersion};

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
}

impl ListIndex {
    /// Tokenises every name of every entry and builds the inverted index.
    pub fn build(list: ImportedList) -> Self {
        let mut names = Vec::new();
        for (i, entry) in list.entries.iter().enumerate() {
            let Ok(entry_id) = u32::try_from(i) else {
                break;
            };
            let mut push = |display: &str, origin: NameOrigin| {
                let tokens = tokenize(display);
                if tokens.is_empty() {
                    return;
                }
                names.push(IndexedName {
                    entry: entry_id,
                    display: display.into(),
                    origin,
                    tokens,
                    weights: Vec::new(),
                    total_weight: 0.0,
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
            name.weights = name
                .tokens
                .iter()
                .map(|t| weight(df.get(&t.key).copied(), total, unseen_weight, t))
                .collect();
            name.total_weight = name.weights.iter().sum();
        }
        Self {
            version: list.version,
            entries: list.entries,
            names,
            postings,
            df,
            unseen_weight,
        }
    }

    /// The list version this index was built from.
    pub fn version(&self) -> &ListVersion {
        &self.version
    }

    /// All entries of the list.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Rarity weight of a query token against this list.
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
