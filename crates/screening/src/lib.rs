//! Sanctions screening: list import (UN Consolidated XML, OFAC SDN CSV, EU FSF XML, UK
//! Sanctions List XML), multi-script name
//! normalisation and transliteration, a phonetic candidate index, scored and explained matches,
//! atomic list reloads, on-disk persistence of imported lists, and an evaluation benchmark.
//!
//! Typical use:
//! ```no_run
//! use screening::{ListSet, Query, RawList, import, no_progress, screen, DEFAULT_THRESHOLD};
//! let xml = std::fs::read("consolidated.xml").unwrap();
//! let list = import(&RawList::Un { xml }, None, &mut no_progress).unwrap();
//! let lists = ListSet::new();
//! lists.install(list);
//! let result = screen(&lists, &Query::name("Kim Jong Un"), DEFAULT_THRESHOLD);
//! println!("{}", result.hits.len());
//! ```
//! This crate does no network I/O and knows nothing of HTTP.

pub mod bench;
mod countries;
mod error;
pub mod fixtures;
mod import;
mod listset;
mod matching;
mod model;
mod published;
mod store;

pub use error::{ImportError, StoreError};
pub use import::{ProgressFn, RawList, import, no_progress, read_file, xml_list_source};
pub use listset::{ListSet, Lists, screen, screen_text};
pub use matching::{
    DEFAULT_THRESHOLD, HITS_MAX, Hit, ListIndex, Query, ScreeningResult, Suspicion, SuspicionCode,
    canonical_form,
};
pub use model::{
    Alias, AliasQuality, BirthYears, Document, Entry, EntryKind, ImportedList, ListSource,
    ListVersion,
};
pub use published::{UN_ENTRIES_MIN, generated_at, un_list_problems};
pub use store::ListStore;
