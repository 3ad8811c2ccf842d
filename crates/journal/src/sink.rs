//! A second home for every record: [`RecordSink`] receives each record after it is durable in
//! `journal.log` and before any caller is answered; [`replica`] holds the local-file operations
//! that bring `journal.log` into agreement with such a system of record at start.
//!
//! The journal knows no database: an implementation (PostgreSQL in `journal-pg`) plugs in here.
//! The sink is also how several sequencers on different machines share one system of record:
//! exactly one of them leads (the sink holds the writer session), the others follow
//! ([`RecordSink::records_after`]) and try to take over ([`RecordSink::try_lead`]).

use crate::format::Hash;

/// Whether a sink could take the writer session ([`RecordSink::try_lead`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leadership {
    /// This sink now holds the only writer session: its sequencer may commit.
    Leading,
    /// Another writer holds it: follow its records.
    HeldElsewhere,
}

/// Receives every record the sequencer commits, on the sequencer thread, after the local
/// `fdatasync` and before the batch is applied or any caller answered.
///
/// An error from [`RecordSink::committed`] means the record's fate is unknown (the system of
/// record may or may not have committed it): the batch's callers get
/// [`crate::SequencerError::Unavailable`], the sequencer cuts the record from `journal.log`
/// (never acknowledged, so always safe) and stops leading. It then follows the system of record
/// — which brings the record back if it was committed after all — and leads again once
/// [`RecordSink::try_lead`] says so. No caller is ever answered for a record the sink does not
/// hold.
pub trait RecordSink: Send + 'static {
    /// Stores record `sequence` (its exact bytes, header and body, and its hash) durably, or
    /// says why not (then its outcome is unknown). Only called while leading.
    fn committed(&mut self, sequence: u64, hash: &Hash, record: &[u8]) -> Result<(), String>;

    /// Checks, while leading and idle, that the writer session is still there.
    fn still_leading(&mut self) -> Result<(), String>;

    /// While not leading: connects if needed and tries to become the only writer. An error
    /// says why the system of record cannot be reached.
    fn try_lead(&mut self) -> Result<Leadership, String>;

    /// The exact bytes of the records after sequence `after` the system of record holds, in
    /// order (possibly only the first few: call again until empty).
    fn records_after(&mut self, after: u64) -> Result<Vec<Vec<u8>>, String>;
}

pub mod replica {
    //! Operations on the local `journal.log` used to make it agree with a system of record
    //! before recovery: list its record hashes, cut records the system of record lacks, extend
    //! it with records only the system of record has. Each takes the file's lock for its
    //! duration, so none runs beside a live [`crate::Journal`].

    use std::path::Path;

    use crate::error::JournalError;
    use crate::format::{self, FILE_HEADER_LEN, Hash};
    use crate::log::{Journal, fsync_dir};
    use crate::scan::{Scanner, Step};
    use crate::segment;
    use crate::snapshot;

    /// What a local journal holds, up to its last valid record (a torn tail is ignored).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct LocalRecords {
        pub kind: String,
        /// Sequence of the first record present (1 unless early segments were archived).
        pub first_sequence: u64,
        /// The hash of each record, in order: `hashes[i]` is record `first_sequence + i`.
        pub hashes: Vec<Hash>,
    }

    impl LocalRecords {
        /// Sequence of the last valid record (0 for none).
        pub fn head_sequence(&self) -> u64 {
            let count = u64::try_from(self.hashes.len()).unwrap_or(u64::MAX);
            (self.first_sequence - 1).saturating_add(count)
        }
    }

    /// The file header a journal of `kind` starts with (identical for every journal of a kind).
    pub fn file_header(kind: &str) -> Result<[u8; FILE_HEADER_LEN], JournalError> {
        format::encode_file_header(kind).ok_or_else(|| JournalError::KindTooLong(kind.into()))
    }

    fn exists(dir: &Path) -> Result<bool, JournalError> {
        Ok(!segment::list(&[dir])?.is_empty())
    }

    /// Reads the record hashes of the journal in `dir`, or `None` when there is no journal.
    pub fn local_records(dir: &Path) -> Result<Option<LocalRecords>, JournalError> {
        if !exists(dir)? {
            return Ok(None);
        }
        let _lock = Journal::lock(dir)?;
        let (mut scanner, kind) = Scanner::open(dir, &[])?;
        let first_sequence = scanner.first_sequence();
        let mut hashes = Vec::new();
        while let Step::Record(record) = scanner.next_step()? {
            hashes.push(record.hash);
        }
        Ok(Some(LocalRecords {
            kind,
            first_sequence,
            hashes,
        }))
    }

    /// Calls `each` with the sequence, hash and exact bytes of every valid record of the journal
    /// in `dir` in order (a torn tail is ignored), to copy them elsewhere.
    pub fn for_each_record<E: From<JournalError>>(
        dir: &Path,
        mut each: impl FnMut(u64, &Hash, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let _lock = Journal::lock(dir)?;
        let (mut scanner, _) = Scanner::open(dir, &[])?;
        let mut bytes = Vec::new();
        while let Step::Record(record) = scanner.next_step()? {
            bytes.clear();
            bytes.extend_from_slice(&record.header_bytes);
            bytes.extend_from_slice(&record.body);
            each(record.header.sequence, &record.hash, &bytes)?;
        }
        Ok(())
    }

    /// Durably cuts every record after `keep` (and any torn tail) from the journal in `dir`
    /// (truncating the segment holding `keep`, removing later segments), and removes the
    /// snapshots of the records cut. Returns how many records were cut. Refuses with
    /// [`JournalError::CutBelowAcknowledged`] when the head marker says a record after `keep`
    /// was acknowledged: then the system of record, not the file, has lost records.
    pub fn cut_after(dir: &Path, kind: &'static str, keep: u64) -> Result<u64, JournalError> {
        let head = Journal::lock(dir)?;
        let (mut scanner, _) = Scanner::open(dir, &[])?;
        if let Some(ack) = head.marker().acknowledged()
            && ack.sequence > keep
        {
            return Err(JournalError::CutBelowAcknowledged {
                path: scanner.path().to_path_buf(),
                keep,
                acknowledged: ack.sequence,
            });
        }
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
        // Then whole segments after the one holding `keep`, newest first, so that a crash
        // leaves the remaining ones contiguous.
        for later in scanner.segments().iter().rev() {
            if later.first_sequence > end.segment {
                std::fs::remove_file(&later.path).map_err(|e| JournalError::io(&later.path, e))?;
                removed = true;
            }
        }
        if removed {
            fsync_dir(dir)?;
        }
        Journal::open_at(dir, kind, end, head)?;
        Ok(cut)
    }

    /// Opens the journal in `dir` (creating it for `kind` if absent) positioned after its last
    /// valid record, a torn tail cut, for [`Journal::append_sealed`]. Holds the lock until
    /// dropped; drop it before starting the sequencer.
    pub fn open_for_extending(dir: &Path, kind: &'static str) -> Result<Journal, JournalError> {
        if !exists(dir)? {
            Journal::create(dir, kind)?;
        }
        let head = Journal::lock(dir)?;
        let (mut scanner, found) = Scanner::open(dir, &[])?;
        if found != kind {
            return Err(JournalError::KindMismatch {
                path: scanner.path().to_path_buf(),
                expected: kind.to_string(),
                found,
            });
        }
        while let Step::Record(_) = scanner.next_step()? {}
        Journal::open_at(dir, kind, scanner.position(), head)
    }
}
