//! A second home for every record: [`RecordSink`] receives each record after it is durable in
//! `journal.log` and before any caller is answered; [`replica`] holds the local-file operations
//! that bring `journal.log` into agreement with such a system of record at start.
//!
//! The journal knows no database: an implementation (PostgreSQL in `journal-pg`) plugs in here.

use crate::format::Hash;

/// Receives every record the sequencer commits, on the sequencer thread, after the local
/// `fdatasync` and before the batch is applied or any caller answered.
///
/// An error stops the sequencer exactly like a failed fsync: the batch's callers get
/// [`crate::SequencerError::Journal`] and nothing more is accepted, so no caller is ever answered
/// for a record the sink does not hold. The local file may then hold that record; whoever starts
/// the journal next must reconcile it with the sink (see [`replica`]).
pub trait RecordSink: Send + 'static {
    /// Stores record `sequence` (its exact bytes, header and body, and its hash) durably, or
    /// says why not.
    fn committed(&mut self, sequence: u64, hash: &Hash, record: &[u8]) -> Result<(), String>;
}

pub mod replica {
    //! Operations on the local `journal.log` used to make it agree with a system of record
    //! before recovery: list its record hashes, cut records the system of record lacks, extend
    //! it with records only the system of record has. Each takes the file's lock for its
    //! duration, so none runs beside a live [`crate::Journal`].

    use std::os::unix::fs::FileExt;
    use std::path::Path;

    use crate::error::JournalError;
    use crate::format::{self, FILE_HEADER_LEN, Hash, RECORD_HEADER_LEN};
    use crate::log::{Journal, LOG_FILE_NAME, fsync_dir};
    use crate::scan::{Scanner, Step};
    use crate::snapshot;

    /// What a local `journal.log` holds, up to its last valid record (a torn tail is ignored).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct LocalRecords {
        pub kind: String,
        /// The hash of each record, in order: `hashes[i]` is record `i + 1`.
        pub hashes: Vec<Hash>,
    }

    /// The file header a journal of `kind` starts with (identical for every journal of a kind).
    pub fn file_header(kind: &str) -> Result<[u8; FILE_HEADER_LEN], JournalError> {
        format::encode_file_header(kind).ok_or_else(|| JournalError::KindTooLong(kind.into()))
    }

    /// Reads the record hashes of `dir/journal.log`, or `None` when there is no journal.
    pub fn local_records(dir: &Path) -> Result<Option<LocalRecords>, JournalError> {
        let path = dir.join(LOG_FILE_NAME);
        if !path.exists() {
            return Ok(None);
        }
        let _lock = Journal::lock(dir)?;
        let (mut scanner, kind) = Scanner::open(&path)?;
        let mut hashes = Vec::new();
        while let Step::Record(record) = scanner.next_step()? {
            hashes.push(record.hash);
        }
        Ok(Some(LocalRecords { kind, hashes }))
    }

    /// Calls `each` with the sequence, hash and exact bytes of every valid record of
    /// `dir/journal.log` in order (a torn tail is ignored), to copy them elsewhere.
    pub fn for_each_record<E: From<JournalError>>(
        dir: &Path,
        mut each: impl FnMut(u64, &Hash, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let path = dir.join(LOG_FILE_NAME);
        let _lock = Journal::lock(dir)?;
        let (mut scanner, _) = Scanner::open(&path)?;
        let file = std::fs::File::open(&path).map_err(|e| JournalError::io(&path, e))?;
        let mut bytes = Vec::new();
        while let Step::Record(record) = scanner.next_step()? {
            bytes.clear();
            bytes.resize(RECORD_HEADER_LEN, 0);
            file.read_exact_at(&mut bytes, record.offset)
                .map_err(|e| JournalError::io(&path, e))?;
            bytes.extend_from_slice(&record.body);
            each(record.header.sequence, &record.hash, &bytes)?;
        }
        Ok(())
    }

    /// Durably cuts every record after `keep` (and any torn tail) from `dir/journal.log`, and
    /// removes the snapshots of the records cut. Returns how many records were cut.
    pub fn cut_after(dir: &Path, kind: &'static str, keep: u64) -> Result<u64, JournalError> {
        let path = dir.join(LOG_FILE_NAME);
        let file = Journal::lock(dir)?;
        let (mut scanner, _) = Scanner::open(&path)?;
        let mut cut = 0;
        let mut end = scanner.position();
        while let Step::Record(record) = scanner.next_step()? {
            if record.header.sequence <= keep {
                end = scanner.position();
            } else {
                cut += 1;
            }
        }
        // Snapshots first: a crash between the two steps must not leave a snapshot ahead of
        // the log, which recovery refuses (a record kept without its snapshot is harmless).
        let mut removed = false;
        for (sequence, snapshot) in snapshot::list(dir)? {
            if sequence > keep {
                std::fs::remove_file(&snapshot).map_err(|e| JournalError::io(&snapshot, e))?;
                removed = true;
            }
        }
        if removed {
            fsync_dir(dir)?;
        }
        Journal::open_at(dir, kind, end, file)?;
        Ok(cut)
    }

    /// Opens `dir/journal.log` (creating it for `kind` if absent) positioned after its last
    /// valid record, a torn tail cut, for [`Journal::append_sealed`]. Holds the lock until
    /// dropped; drop it before starting the sequencer.
    pub fn open_for_extending(dir: &Path, kind: &'static str) -> Result<Journal, JournalError> {
        let path = dir.join(LOG_FILE_NAME);
        if !path.exists() {
            Journal::create(dir, kind)?;
        }
        let file = Journal::lock(dir)?;
        let (mut scanner, found) = Scanner::open(&path)?;
        if found != kind {
            return Err(JournalError::KindMismatch {
                path,
                expected: kind.to_string(),
                found,
            });
        }
        while let Step::Record(_) = scanner.next_step()? {}
        Journal::open_at(dir, kind, scanner.position(), file)
    }
}
