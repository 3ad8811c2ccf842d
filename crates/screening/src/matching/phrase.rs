//! Listed names written out in free text. The fuzzy text matcher weighs how distinctive a name
//! is, so a short or common listed name ("AL-QAIDA", "KIM KYU", "JUND AL AQSA") scored nothing
//! inside a remittance line however plainly it was written. Here every listed name and alias
//! is looked for as a whole phrase: the same canonical readings and tokens as the matcher
//! (invisible characters removed, look-alikes folded, separated letters joined, particles and
//! titles dropped, spelling variants folded), the listed tokens consecutive and in order. Such
//! a hit scores 1.0. Names too short to be told from ordinary words are left to the matcher:
//! one token needs five letters and an entity (or six letters and a strong alias of a person),
//! several tokens six letters in all; weak aliases (the publishers' "low quality") need two
//! tokens.

use std::collections::HashMap;
use std::sync::Arc;

use super::canon::canonicalize;
use super::index::{ListIndex, NameOrigin};
use super::normalize::{TOKENS_MAX, tokenize};
use super::screen::{HITS_MAX, Hit, ScreeningResult};
use crate::model::{AliasQuality, EntryKind};

/// Fewest letters of a one-token entity name looked for in text.
const SINGLE_ENTITY_LETTERS: usize = 5;
/// Fewest letters of a one-token person's name (a strong alias) looked for in text.
const SINGLE_PERSON_LETTERS: usize = 6;
/// Fewest letters of a several-token name looked for in text.
const PHRASE_LETTERS: usize = 6;
/// Words per window of text tokenised at once (the tokenizer keeps [`TOKENS_MAX`]); windows
/// overlap by half, so a name of up to half a window is always inside one.
const WINDOW_WORDS: usize = TOKENS_MAX;
const WINDOW_STEP: usize = TOKENS_MAX / 2;

/// One listed name as a phrase: its index among the list's names and all its tokens.
#[derive(Debug)]
struct ListedPhrase {
    name: usize,
    tokens: Vec<Box<str>>,
}

/// The listed names of one list by their first token.
#[derive(Debug)]
pub struct PhraseIndex {
    list: Arc<ListIndex>,
    by_first: HashMap<Box<str>, Vec<ListedPhrase>>,
}

impl PhraseIndex {
    pub fn build(list: Arc<ListIndex>) -> Self {
        let mut by_first: HashMap<Box<str>, Vec<ListedPhrase>> = HashMap::new();
        for (i, name) in list.names.iter().enumerate() {
            let tokens: Vec<Box<str>> = name.tokens.iter().map(|t| t.text.clone()).collect();
            let letters: usize = tokens.iter().map(|t| t.len()).sum();
            let kind = usize::try_from(name.entry)
                .ok()
                .and_then(|e| list.entries.get(e))
                .map(|e| e.kind);
            let weak = name.origin == NameOrigin::Alias(AliasQuality::Low);
            let wanted = match tokens.len() {
                0 => false,
                1 if weak => false,
                1 if kind == Some(EntryKind::Individual) => letters >= SINGLE_PERSON_LETTERS,
                1 => letters >= SINGLE_ENTITY_LETTERS,
                _ => letters >= PHRASE_LETTERS,
            };
            if let (true, Some(first)) = (wanted, tokens.first()) {
                by_first
                    .entry(first.clone())
                    .or_default()
                    .push(ListedPhrase {
                        name: i,
                        tokens: tokens.clone(),
                    });
            }
        }
        PhraseIndex { list, by_first }
    }

    /// The list these phrases come from.
    pub fn list(&self) -> &Arc<ListIndex> {
        &self.list
    }

    /// The listed names written out in `text`, one hit per entry.
    fn hits(&self, text: &str) -> Vec<Hit> {
        let mut found: Vec<(usize, &'static str)> = Vec::new();
        for reading in canonicalize(text).readings {
            let how = reading.how.unwrap_or("as written");
            let words: Vec<&str> = reading.text.split_whitespace().collect();
            let mut start = 0;
            loop {
                let end = (start + WINDOW_WORDS).min(words.len());
                let tokens: Vec<Box<str>> = tokenize(&words[start..end].join(" "))
                    .into_iter()
                    .map(|t| t.text)
                    .collect();
                for (p, token) in tokens.iter().enumerate() {
                    for listed in self.by_first.get(token).into_iter().flatten() {
                        let entry = self.list.names[listed.name].entry;
                        let known = found
                            .iter()
                            .any(|(n, _)| self.list.names[*n].entry == entry);
                        if !known && tokens[p..].starts_with(&listed.tokens) {
                            found.push((listed.name, how));
                        }
                    }
                }
                if end == words.len() {
                    break;
                }
                start += WINDOW_STEP;
            }
        }
        found
            .into_iter()
            .filter_map(|(name, how)| {
                let indexed = &self.list.names[name];
                let entry = usize::try_from(indexed.entry)
                    .ok()
                    .and_then(|e| self.list.entries.get(e))?;
                Some(Hit {
                    list: entry.list,
                    reference: entry.reference.clone(),
                    name: entry.primary_name.clone(),
                    matched_name: indexed.display.to_string(),
                    score: 1.0,
                    explanation: format!("the listed name is written out in the text ({how})"),
                    entry_fingerprint: entry.fingerprint(),
                })
            })
            .collect()
    }
}

/// Adds to a free-text result the listed names written out in `text` that it lacks.
pub fn add_written_names(phrases: &[Arc<PhraseIndex>], text: &str, result: &mut ScreeningResult) {
    for phrases in phrases {
        for hit in phrases.hits(text) {
            let known = result
                .hits
                .iter()
                .any(|h| h.list == hit.list && h.reference == hit.reference);
            if !known {
                result.hits.push(hit);
            }
        }
    }
    result.hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.list.cmp(&b.list))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    result.hits.truncate(HITS_MAX);
}
