//! The set of active list indexes. Readers take a snapshot (an `Arc`) and screen against it;
//! installing or removing a list builds the new index first and then swaps the whole set in one
//! pointer store, so a screening in flight keeps the version it started with.

use std::sync::{Arc, PoisonError, RwLock};

use crate::matching::{
    ListIndex, Mode, PhraseIndex, Query, ScreeningResult, add_written_names, screen_lists,
};
use crate::model::{ImportedList, ListSource, ListVersion};

/// An immutable set of list indexes, sorted by source.
#[derive(Debug, Default)]
pub struct Lists {
    indexes: Vec<Arc<ListIndex>>,
    /// The same lists' names as phrases for free text, in the same order.
    phrases: Vec<Arc<PhraseIndex>>,
}

impl Lists {
    /// Screens a party's name (debtor, creditor, ultimate parties, an agent's name) against
    /// every list in this snapshot: the query should be the listed name, give or take tokens;
    /// country, kind and date of birth adjust the score.
    pub fn screen(&self, query: &Query, threshold: f64) -> ScreeningResult {
        screen_lists(&self.indexes, query, threshold, Mode::Name)
    }

    /// Screens free text (remittance information, an address line, a purpose) against every list
    /// in this snapshot: a listed name anywhere in it hits, however much else the text says.
    /// `query.name` holds the text (up to 2,048 bytes are read); names of four letters or fewer
    /// ("ISIL") are not looked for in text, only as whole names by [`Lists::screen`].
    pub fn screen_text(&self, query: &Query, threshold: f64) -> ScreeningResult {
        let mut result = screen_lists(&self.indexes, query, threshold, Mode::Text);
        // However short or common, a listed name written out whole is found.
        add_written_names(&self.phrases, &query.name, &mut result);
        result
    }

    /// Versions of the lists in this snapshot.
    pub fn versions(&self) -> Vec<ListVersion> {
        self.indexes.iter().map(|i| i.version().clone()).collect()
    }

    /// True when the UN Security Council list is present (the hub requires it).
    pub fn has_un(&self) -> bool {
        self.get(ListSource::Un).is_some()
    }

    /// The index of one list, if loaded.
    pub fn get(&self, source: ListSource) -> Option<&Arc<ListIndex>> {
        self.indexes.iter().find(|i| i.version().source == source)
    }

    /// True when no list is loaded.
    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty()
    }
}

/// The active lists, swappable atomically. Cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct ListSet {
    active: RwLock<Arc<Lists>>,
}

impl ListSet {
    /// An empty set (no list loaded: a hub refuses payments until UN is installed).
    pub fn new() -> Self {
        Self::default()
    }

    /// A set holding these lists (a later list of the same source replaces an earlier one).
    pub fn from_lists(lists: Vec<ImportedList>) -> Self {
        let set = Self::new();
        for list in lists {
            set.install(list);
        }
        set
    }

    /// The current snapshot. Hold it for the duration of one screening (or a batch).
    pub fn snapshot(&self) -> Arc<Lists> {
        self.active
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Builds the index for `list` and makes it active, replacing any list of the same source.
    /// Returns the installed version.
    pub fn install(&self, list: ImportedList) -> ListVersion {
        let index = Arc::new(ListIndex::build(list));
        let version = index.version().clone();
        self.swap(|indexes| {
            indexes.retain(|i| i.version().source != version.source);
            indexes.push(index);
        });
        version
    }

    /// Removes a list; returns whether it was loaded.
    pub fn remove(&self, source: ListSource) -> bool {
        let mut removed = false;
        self.swap(|indexes| {
            let before = indexes.len();
            indexes.retain(|i| i.version().source != source);
            removed = indexes.len() != before;
        });
        removed
    }

    fn swap(&self, change: impl FnOnce(&mut Vec<Arc<ListIndex>>)) {
        let mut guard = self.active.write().unwrap_or_else(PoisonError::into_inner);
        let mut indexes = guard.indexes.clone();
        change(&mut indexes);
        indexes.sort_by_key(|i| i.version().source);
        // Phrase tables of lists that stay are kept; a new list's is built here.
        let phrases = indexes
            .iter()
            .map(|index| {
                guard
                    .phrases
                    .iter()
                    .find(|p| Arc::ptr_eq(p.list(), index))
                    .cloned()
                    .unwrap_or_else(|| Arc::new(PhraseIndex::build(index.clone())))
            })
            .collect();
        *guard = Arc::new(Lists { indexes, phrases });
    }

    /// True when the UN Security Council list is loaded.
    pub fn has_un(&self) -> bool {
        self.snapshot().has_un()
    }

    /// Versions of the active lists.
    pub fn versions(&self) -> Vec<ListVersion> {
        self.snapshot().versions()
    }
}

/// Screens one party name against the active lists (a consistent snapshot); see
/// [`Lists::screen`].
pub fn screen(lists: &ListSet, query: &Query, threshold: f64) -> ScreeningResult {
    lists.snapshot().screen(query, threshold)
}

/// Screens one line of free text against the active lists (a consistent snapshot); see
/// [`Lists::screen_text`].
pub fn screen_text(lists: &ListSet, query: &Query, threshold: f64) -> ScreeningResult {
    lists.snapshot().screen_text(query, threshold)
}
