//! Screening at the edge: both parties of every payment are screened against the active lists
//! before the command is submitted, and the verdict (hits + list versions) travels inside the
//! command, so replaying the journal never re-screens.
//!
//! Lists come from `DATA/lists` (imported with `kliring lists import`), from files named in the
//! configuration, and from lists handed over in memory (the demo). Without a UN Security Council
//! list every payment is refused with `no_un_list_loaded`; the hub refuses a verdict without a UN
//! version too, so the rule holds even if this edge had a bug.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use hub::{
    ListVersionRecord, Party, PartySide, SCORE_BP_MAX, ScreeningHitRecord, ScreeningVerdict,
};
use screening::{
    Hit, ImportedList, ListSet, ListSource, ListStore, Lists, Query, RawList, ScreeningResult,
};

use crate::error::ApiError;

/// The message every refused payment carries when no UN list is loaded.
pub const NO_UN_LIST_MESSAGE: &str =
    "no UN Security Council list loaded; import one with kliring lists import FILE";

/// Most (name, country) results kept in the screening cache before it is emptied.
pub const SCREEN_CACHE_ENTRIES_MAX: usize = 65_536;

/// The screening engine as the server uses it.
#[derive(Clone)]
pub struct Screener {
    lists: Arc<ListSet>,
    store: ListStore,
    threshold: f64,
    cache: Arc<Mutex<ScreenCache>>,
}

/// Results per (name, country) for one snapshot of the lists. Banks pay the same customers
/// over and over (payroll, suppliers); screening is deterministic for a given snapshot and
/// threshold, so repeating a name costs a map lookup. A reload changes the snapshot, which
/// empties the cache, so a result is never served from lists that are no longer active.
#[derive(Default)]
struct ScreenCache {
    lists: Option<Arc<Lists>>,
    hits: HashMap<(String, String), Vec<Hit>>,
}

/// Why lists could not be loaded at start.
#[derive(Debug, thiserror::Error)]
pub enum ListLoadError {
    #[error("loading stored lists from {dir}: {message}")]
    Store { dir: PathBuf, message: String },
    #[error("importing {path}: {message}")]
    File { path: PathBuf, message: String },
}

impl Screener {
    /// Loads `DATA/lists`, then `files` (later ones replace earlier lists of the same source),
    /// then `extra` lists given in memory.
    pub fn load(
        lists_dir: &Path,
        files: &[PathBuf],
        extra: &[ImportedList],
        threshold: f64,
    ) -> Result<Self, ListLoadError> {
        let store = ListStore::new(lists_dir);
        let stored = store.load_all().map_err(|error| ListLoadError::Store {
            dir: lists_dir.to_path_buf(),
            message: error.to_string(),
        })?;
        let lists = ListSet::from_lists(stored);
        for path in files {
            lists.install(import_file(path)?);
        }
        for list in extra {
            lists.install(list.clone());
        }
        for version in lists.versions() {
            tracing::info!(source = %version.source, version = %version.content_hash,
                entries = version.entries, label = ?version.label, "sanctions list loaded");
        }
        if !lists.has_un() {
            tracing::warn!("{NO_UN_LIST_MESSAGE}; payments will be refused");
        }
        Ok(Screener {
            lists: Arc::new(lists),
            store,
            threshold,
            cache: Arc::new(Mutex::new(ScreenCache::default())),
        })
    }

    /// Re-reads `DATA/lists` and swaps in what is there (screenings in flight keep theirs).
    pub fn reload(&self) -> Result<(), ListLoadError> {
        let stored = self
            .store
            .load_all()
            .map_err(|error| ListLoadError::Store {
                dir: self.store.dir().to_path_buf(),
                message: error.to_string(),
            })?;
        for list in stored {
            self.lists.install(list);
        }
        Ok(())
    }

    /// The current snapshot of the lists.
    pub fn snapshot(&self) -> Arc<Lists> {
        self.lists.snapshot()
    }

    /// Labels of the lists loaded now (e.g. "demo data") by version hash: the hub records only
    /// source and version, so views of recorded verdicts look the labels up here.
    pub fn list_labels(&self) -> std::collections::BTreeMap<String, String> {
        self.snapshot()
            .versions()
            .into_iter()
            .filter_map(|v| Some((v.content_hash, v.label?)))
            .collect()
    }

    /// Screens an ad hoc name.
    pub fn screen_name(&self, name: &str, threshold: Option<f64>) -> ScreeningResult {
        self.snapshot()
            .screen(&Query::name(name), threshold.unwrap_or(self.threshold))
    }

    /// Screens both parties of a payment against one snapshot of the lists.
    pub fn verdict(&self, debtor: &Party, creditor: &Party) -> Result<ScreeningVerdict, ApiError> {
        let lists = self.snapshot();
        if !lists.has_un() {
            return Err(ApiError::Rejected {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "no_un_list_loaded".to_owned(),
                message: NO_UN_LIST_MESSAGE.to_owned(),
                field: None,
            });
        }
        let mut hits = Vec::new();
        for (side, party) in [(PartySide::Debtor, debtor), (PartySide::Creditor, creditor)] {
            let query = Query {
                name: party.name.clone(),
                birth_year: None,
                country: Some(party.country.as_str().to_owned()),
                ..Query::default()
            };
            hits.extend(
                self.cached(&lists, query)
                    .into_iter()
                    .map(|hit| ScreeningHitRecord {
                        party: side,
                        list: hit.list.as_str().to_owned(),
                        reference: hit.reference,
                        name: hit.name,
                        matched_name: hit.matched_name,
                        score_bp: score_bp(hit.score),
                    }),
            );
        }
        hits.truncate(hub::SCREENING_HITS_MAX);
        let lists = lists
            .versions()
            .into_iter()
            .map(|v| ListVersionRecord {
                source: v.source.as_str().to_owned(),
                version: v.content_hash,
            })
            .collect();
        Ok(ScreeningVerdict { lists, hits })
    }
}

impl Screener {
    /// The hits for `query` against `lists`, from the cache when this snapshot saw it before.
    fn cached(&self, lists: &Arc<Lists>, query: Query) -> Vec<Hit> {
        let key = (
            query.name.clone(),
            query.country.clone().unwrap_or_default(),
        );
        {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let same = cache
                .lists
                .as_ref()
                .is_some_and(|cached| Arc::ptr_eq(cached, lists));
            if !same {
                cache.lists = Some(Arc::clone(lists));
                cache.hits.clear();
            } else if let Some(hits) = cache.hits.get(&key) {
                return hits.clone();
            }
        }
        // Screen outside the lock; other requests keep using the cache meanwhile.
        let hits = lists.screen(&query, self.threshold).hits;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache
            .lists
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(cached, lists))
        {
            if cache.hits.len() >= SCREEN_CACHE_ENTRIES_MAX {
                cache.hits.clear();
            }
            cache.hits.insert(key, hits.clone());
        }
        hits
    }
}

/// A score in [0, 1] as basis points, so no float enters the hub's state.
fn score_bp(score: f64) -> u16 {
    let bp = (score * f64::from(SCORE_BP_MAX))
        .round()
        .clamp(0.0, f64::from(SCORE_BP_MAX));
    // In range after the clamp (NaN maps to 0), so the conversion cannot truncate.
    bp as u16
}

/// Imports one list file: `*.xml` is a UN list; `*sdn*.csv` an OFAC SDN file, with `alt.csv`
/// and `add.csv` taken from the same directory when present.
pub fn import_file(path: &Path) -> Result<ImportedList, ListLoadError> {
    let failed = |message: String| ListLoadError::File {
        path: path.to_path_buf(),
        message,
    };
    let read = |p: &Path| screening::read_file(p).map_err(|e| failed(e.to_string()));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let raw = if name.ends_with(".xml") {
        // UN, EU and UK lists are all XML: the root element tells them apart.
        let xml = read(path)?;
        match screening::xml_list_source(&xml) {
            Some(ListSource::Eu) => RawList::Eu { xml },
            Some(ListSource::Uk) => RawList::Uk { xml },
            _ => RawList::Un { xml },
        }
    } else if name.ends_with(".csv") && name.contains("sdn") {
        let sibling = |file: &str| {
            let p = path.with_file_name(file);
            if p.exists() {
                read(&p).map(Some)
            } else {
                Ok(None)
            }
        };
        RawList::OfacSdn {
            sdn: read(path)?,
            alt: sibling("alt.csv")?,
            add: sibling("add.csv")?,
        }
    } else {
        return Err(failed(
            "expected a UN, EU or UK list (.xml) or an OFAC sdn.csv".to_owned(),
        ));
    };
    screening::import(&raw, None, &mut screening::no_progress).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_become_basis_points() {
        assert_eq!(score_bp(1.0), 10_000);
        assert_eq!(score_bp(0.84567), 8_457);
        assert_eq!(score_bp(-0.5), 0);
        assert_eq!(score_bp(7.0), 10_000);
        assert_eq!(score_bp(f64::NAN), 0);
    }
}
