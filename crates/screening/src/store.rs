//! Persistence of imported lists: the raw published files plus a small JSON version record per
//! list, in one directory (e.g. `DATA/lists/`). Loading re-parses the raw files and checks they
//! still hash to the recorded version, so what is screened is exactly what was imported.
//!
//! Files are written to a temporary name, flushed and renamed, and the version record is
//! written last: a crash mid-save leaves the previous version loadable.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::StoreError;
use crate::import::{RawList, import};
use crate::model::{ImportedList, ListSource, ListVersion};

/// A directory of stored lists.
#[derive(Debug, Clone)]
pub struct ListStore {
    dir: PathBuf,
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { op, path, source }
}

impl ListStore {
    /// A store in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `un.xml`, `eu.xml`, `uk.xml`; `ofac-sdn.sdn.csv`, `ofac-sdn.alt.csv`, `ofac-sdn.add.csv`.
    fn part_path(&self, source: ListSource, part: &str) -> PathBuf {
        let name = match source {
            ListSource::Un | ListSource::Eu | ListSource::Uk => format!("{source}.xml"),
            ListSource::OfacSdn => format!("{source}.{part}.csv"),
        };
        self.dir.join(name)
    }

    fn version_path(&self, source: ListSource) -> PathBuf {
        self.dir.join(format!("{}.version.json", source.as_str()))
    }

    /// Stores the raw files of an imported list and its version record, replacing the previous
    /// version of that source. `version` must be the one [`crate::import`] produced from `raw`.
    pub fn save(&self, raw: &RawList, version: &ListVersion) -> Result<(), StoreError> {
        let source = raw.source();
        let actual = raw.content_hash();
        if actual != version.content_hash || source != version.source {
            return Err(StoreError::HashMismatch {
                source_name: source.as_str().into(),
                recorded: version.content_hash.clone(),
                actual,
            });
        }
        create_private_dir(&self.dir).map_err(io("create", &self.dir))?;
        for (part, bytes) in raw.parts() {
            let path = self.part_path(source, part);
            match bytes {
                Some(bytes) => write_atomic(&path, bytes)?,
                None => match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io("remove", &path)(e)),
                },
            }
        }
        let json =
            serde_json::to_vec_pretty(version).map_err(|e| StoreError::BadVersionRecord {
                path: self.version_path(source),
                message: e.to_string(),
            })?;
        write_atomic(&self.version_path(source), &json)?;
        sync_dir(&self.dir)
    }

    /// Deletes a stored list; returns whether it existed.
    pub fn delete(&self, source: ListSource) -> Result<bool, StoreError> {
        let path = self.version_path(source);
        match fs::remove_file(&path) {
            Ok(()) => sync_dir(&self.dir).map(|()| true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io("remove", &path)(e)),
        }
    }

    /// Loads every stored list (none if the directory does not exist).
    pub fn load_all(&self) -> Result<Vec<ImportedList>, StoreError> {
        let mut lists = Vec::new();
        for source in ListSource::ALL {
            if let Some(list) = self.load(source)? {
                lists.push(list);
            }
        }
        Ok(lists)
    }

    /// Loads one stored list, if present.
    pub fn load(&self, source: ListSource) -> Result<Option<ImportedList>, StoreError> {
        let version_path = self.version_path(source);
        let json = match fs::read(&version_path) {
            Ok(json) => json,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("read", &version_path)(e)),
        };
        let recorded: ListVersion =
            serde_json::from_slice(&json).map_err(|e| StoreError::BadVersionRecord {
                path: version_path.clone(),
                message: e.to_string(),
            })?;
        let read = |part: &str| -> Result<Option<Vec<u8>>, StoreError> {
            let path = self.part_path(source, part);
            match fs::read(&path) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io("read", &path)(e)),
            }
        };
        let missing = |part: &str| {
            let path = self.part_path(source, part);
            StoreError::Io {
                op: "read",
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "file missing"),
                path,
            }
        };
        let raw = match source {
            ListSource::Un => RawList::Un {
                xml: read("xml")?.ok_or_else(|| missing("xml"))?,
            },
            ListSource::OfacSdn => RawList::OfacSdn {
                sdn: read("sdn")?.ok_or_else(|| missing("sdn"))?,
                alt: read("alt")?,
                add: read("add")?,
            },
            ListSource::Eu => RawList::Eu {
                xml: read("xml")?.ok_or_else(|| missing("xml"))?,
            },
            ListSource::Uk => RawList::Uk {
                xml: read("xml")?.ok_or_else(|| missing("xml"))?,
            },
        };
        let actual = raw.content_hash();
        if actual != recorded.content_hash {
            return Err(StoreError::HashMismatch {
                source_name: source.as_str().into(),
                recorded: recorded.content_hash,
                actual,
            });
        }
        import(
            &raw,
            recorded.label.as_deref(),
            &mut crate::import::no_progress,
        )
        .map(Some)
        .map_err(|error| StoreError::Import {
            source_name: source.as_str().into(),
            error,
        })
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    // Only the server's user reads the stored lists and their version records (0600).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(io("create", &tmp))?;
    file.write_all(bytes).map_err(io("write", &tmp))?;
    file.sync_all().map_err(io("sync", &tmp))?;
    fs::rename(&tmp, path).map_err(io("rename", path))
}

/// Creates `dir` (and parents) for the owner only (0700 on unix); existing ones keep their mode.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync", dir))
}
