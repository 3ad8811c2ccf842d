//! List import: turns the raw bytes of a published list into an [`ImportedList`].
//!
//! Every importer is all-or-nothing: any malformed or truncated input is an [`ImportError`]
//! naming the position, never a partial list. Progress is reported as (bytes read, total bytes)
//! so a caller can draw a progress bar.

mod eu;
mod ofac;
mod progress;
mod uk;
mod un;
mod xml;

use std::path::Path;

use crate::error::ImportError;
use crate::model::{Entry, ImportedList, ListSource, ListVersion};

pub use progress::ProgressFn;

/// The raw bytes of one list as published, before parsing. Kept as-is by the store so a reload
/// re-parses exactly what was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawList {
    /// UN Security Council Consolidated List XML.
    Un {
        /// The XML file.
        xml: Vec<u8>,
    },
    /// OFAC SDN CSV set.
    OfacSdn {
        /// `sdn.csv`: one row per designated party.
        sdn: Vec<u8>,
        /// `alt.csv`: aliases, keyed by ent_num.
        alt: Option<Vec<u8>>,
        /// `add.csv`: addresses, keyed by ent_num.
        add: Option<Vec<u8>>,
    },
    /// EU Financial Sanctions Files consolidated list, XML format 1.1.
    Eu {
        /// The XML file.
        xml: Vec<u8>,
    },
    /// UK Sanctions List (FCDO), XML format.
    Uk {
        /// The XML file.
        xml: Vec<u8>,
    },
}

impl RawList {
    /// Which list these bytes claim to be.
    pub fn source(&self) -> ListSource {
        match self {
            Self::Un { .. } => ListSource::Un,
            Self::OfacSdn { .. } => ListSource::OfacSdn,
            Self::Eu { .. } => ListSource::Eu,
            Self::Uk { .. } => ListSource::Uk,
        }
    }

    /// Total size in bytes (for progress reporting).
    pub fn len(&self) -> u64 {
        self.parts()
            .iter()
            .map(|(_, b)| b.map_or(0, <[u8]>::len))
            .fold(0u64, |acc, n| {
                acc.saturating_add(u64::try_from(n).unwrap_or(u64::MAX))
            })
    }

    /// True when every file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Named parts in a fixed order; absent optional files are `None`.
    pub fn parts(&self) -> Vec<(&'static str, Option<&[u8]>)> {
        match self {
            Self::Un { xml } | Self::Eu { xml } | Self::Uk { xml } => {
                vec![("xml", Some(xml.as_slice()))]
            }
            Self::OfacSdn { sdn, alt, add } => vec![
                ("sdn", Some(sdn.as_slice())),
                ("alt", alt.as_deref()),
                ("add", add.as_deref()),
            ],
        }
    }

    /// The version hash: BLAKE3 hex of the file for single-file lists; for a set, BLAKE3 of the
    /// part names and per-file hashes in fixed order (an absent file hashes as the word "absent"),
    /// so adding `add.csv` changes the version.
    pub fn content_hash(&self) -> String {
        match self {
            Self::Un { xml } | Self::Eu { xml } | Self::Uk { xml } => {
                blake3::hash(xml).to_hex().to_string()
            }
            Self::OfacSdn { .. } => {
                let mut hasher = blake3::Hasher::new();
                for (name, bytes) in self.parts() {
                    hasher.update(name.as_bytes());
                    hasher.update(b"=");
                    match bytes {
                        Some(b) => hasher.update(blake3::hash(b).to_hex().as_bytes()),
                        None => hasher.update(b"absent"),
                    };
                    hasher.update(b"\n");
                }
                hasher.finalize().to_hex().to_string()
            }
        }
    }
}

/// Parses a raw list. `label` is recorded in the version (e.g. "demo data").
pub fn import(
    raw: &RawList,
    label: Option<&str>,
    progress: ProgressFn<'_>,
) -> Result<ImportedList, ImportError> {
    let mut list = match raw {
        RawList::Un { xml } => un::parse(xml, progress)?,
        RawList::OfacSdn { sdn, alt, add } => {
            ofac::parse(sdn, alt.as_deref(), add.as_deref(), progress)?
        }
        RawList::Eu { xml } => eu::parse(xml, progress)?,
        RawList::Uk { xml } => uk::parse(xml, progress)?,
    };
    list.version.content_hash = raw.content_hash();
    list.version.label = label.map(str::to_owned);
    // Parsers skip trailing bytes such as OFAC's 0x1A, so say "done" explicitly.
    progress(raw.len(), raw.len());
    Ok(list)
}

/// Which XML list format `bytes` hold, from the root element: `CONSOLIDATED_LIST` (UN),
/// `export` in the EU FSF namespace, or `Designations` (UK). `None` when the bytes are not XML or
/// the root is none of these; the importer then reports the exact fault.
pub fn xml_list_source(bytes: &[u8]) -> Option<ListSource> {
    let mut reader = quick_xml::NsReader::from_reader(bytes);
    let mut buf = Vec::new();
    loop {
        match reader.read_resolved_event_into(&mut buf).ok()? {
            (ns, quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                let in_eu_namespace = matches!(
                    ns,
                    quick_xml::name::ResolveResult::Bound(n) if n.as_ref() == eu::NAMESPACE.as_bytes()
                );
                return match e.local_name().as_ref() {
                    b"CONSOLIDATED_LIST" => Some(ListSource::Un),
                    b"export" if in_eu_namespace => Some(ListSource::Eu),
                    b"Designations" => Some(ListSource::Uk),
                    _ => None,
                };
            }
            (_, quick_xml::events::Event::Eof) => return None,
            _ => buf.clear(),
        }
    }
}

/// The parsed entries as one list of `source` (`import` sets its content hash); a list without
/// entries is refused, `what` naming the file.
fn finished(
    source: ListSource,
    entries: Vec<Entry>,
    generated: Option<String>,
    what: &'static str,
) -> Result<ImportedList, ImportError> {
    if entries.is_empty() {
        return Err(ImportError::Empty(what));
    }
    Ok(ImportedList {
        version: ListVersion {
            source,
            content_hash: String::new(),
            entries: entries.len(),
            generated,
            label: None,
        },
        entries,
    })
}

/// The non-empty value of `name` among (name, value) pairs: an element's attributes or a
/// sub-record's leaf fields.
fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Adds `value` unless the list has it.
fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

/// Reads a whole file, mapping failure to [`ImportError::Io`] with the path.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A progress callback that ignores progress.
pub fn no_progress(_read: u64, _total: u64) {}
