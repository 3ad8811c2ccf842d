//! The append side of `journal.log`: one `write` and one `fdatasync` per batch.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::StateMachine;
use crate::error::{Corruption, JournalError};
use crate::format::{self, Hash, RECORD_HEADER_LEN};
use crate::scan::{self, Position};
use crate::snapshot;

/// Name of the log file inside a data directory.
pub const LOG_FILE_NAME: &str = "journal.log";

/// What one append wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendInfo {
    pub sequence: u64,
    pub hash: Hash,
    /// Bytes of the whole record (header and body).
    pub bytes: u64,
}

/// An open journal positioned at its durable end, ready to append. Obtained from
/// [`crate::recover`], which validates the existing records first.
pub struct Journal {
    dir: PathBuf,
    path: PathBuf,
    file: File,
    kind: &'static str,
    pos: Position,
    /// Reused record buffer: header placeholder followed by the encoded body.
    buf: Vec<u8>,
    poisoned: bool,
}

impl Journal {
    /// Creates `dir/journal.log` with a file header for `kind`, durably (file and directory).
    /// Fails if `dir` already holds a journal.
    pub(crate) fn create(dir: &Path, kind: &'static str) -> Result<(), JournalError> {
        let header = format::encode_file_header(kind)
            .ok_or_else(|| JournalError::KindTooLong(kind.to_string()))?;
        let created_dir = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|e| JournalError::io(dir, e))?;
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent.filter(|_| created_dir) {
            fsync_dir(parent)?;
        }
        // Written under a temporary name and renamed, so that a crash never leaves a
        // `journal.log` without its complete header.
        let path = dir.join(LOG_FILE_NAME);
        let temp = dir.join(format!("{LOG_FILE_NAME}.tmp"));
        let mut file = File::create(&temp).map_err(|e| JournalError::io(&temp, e))?;
        file.write_all(&header)
            .and_then(|()| file.sync_all())
            .map_err(|e| JournalError::io(&temp, e))?;
        // A hard link, unlike a rename, refuses to replace an existing journal.
        std::fs::hard_link(&temp, &path).map_err(|e| JournalError::io(&path, e))?;
        std::fs::remove_file(&temp).map_err(|e| JournalError::io(&temp, e))?;
        fsync_dir(dir)
    }

    /// Opens the log for appending and takes an exclusive lock on it, held as long as the
    /// returned file (and so the [`Journal`]) lives: two writers would corrupt the journal.
    pub(crate) fn lock(dir: &Path) -> Result<File, JournalError> {
        let path = dir.join(LOG_FILE_NAME);
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| JournalError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Locked(path)),
            Err(std::fs::TryLockError::Error(e)) => Err(JournalError::io(&path, e)),
        }
    }

    /// Opens the log for appending at a validated end position, cutting anything after it.
    /// `file` comes from [`Journal::lock`].
    pub(crate) fn open_at(
        dir: &Path,
        kind: &'static str,
        pos: Position,
        file: File,
    ) -> Result<Journal, JournalError> {
        let path = dir.join(LOG_FILE_NAME);
        let len = file
            .metadata()
            .map_err(|e| JournalError::io(&path, e))?
            .len();
        if len != pos.offset {
            // Only a torn tail lies beyond a validated end: drop it durably before appending.
            file.set_len(pos.offset)
                .and_then(|()| file.sync_all())
                .map_err(|e| JournalError::io(&path, e))?;
        }
        Ok(Journal {
            dir: dir.to_path_buf(),
            path,
            file,
            kind,
            pos,
            buf: Vec::new(),
            poisoned: false,
        })
    }

    /// Appends one batch as one record and makes it durable (`fdatasync`) before returning.
    /// `timestamp` must exceed the previous record's. After an I/O error the journal refuses
    /// further appends: what reached the disk is unknown until recovery re-reads it.
    pub fn append<C: Serialize>(
        &mut self,
        timestamp: u64,
        commands: &[C],
    ) -> Result<AppendInfo, JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned(self.path.clone()));
        }
        if timestamp <= self.pos.last_timestamp {
            return Err(JournalError::TimestampNotIncreasing {
                timestamp,
                last: self.pos.last_timestamp,
            });
        }
        let too_large = |reason: String| JournalError::BatchTooLarge(reason);
        let count = u32::try_from(commands.len()).map_err(|e| too_large(e.to_string()))?;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        buf.resize(RECORD_HEADER_LEN, 0);
        let mut buf = postcard::to_extend(commands, buf).map_err(|e| too_large(e.to_string()))?;
        let sequence = self.pos.next_sequence;
        let sealed = format::seal_record(&mut buf, sequence, timestamp, count, &self.pos.prev_hash);
        let Some(hash) = sealed else {
            let len = buf.len();
            self.buf = buf;
            return Err(too_large(format!("record of {len} bytes")));
        };
        let written = self
            .file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data());
        let bytes = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        self.buf = buf;
        if let Err(e) = written {
            self.poisoned = true;
            return Err(JournalError::io(&self.path, e));
        }
        self.pos = Position {
            offset: self.pos.offset.saturating_add(bytes),
            next_sequence: sequence.saturating_add(1),
            prev_hash: hash,
            last_timestamp: timestamp,
        };
        Ok(AppendInfo {
            sequence,
            hash,
            bytes,
        })
    }

    /// The bytes of the record written by the last successful [`Journal::append`] (header and
    /// body), for the sequencer's [`crate::RecordSink`].
    pub(crate) fn last_record(&self) -> &[u8] {
        &self.buf
    }

    /// Appends a record sealed elsewhere (by another copy of this journal) after checking it
    /// exactly as recovery would: header and body checksums, next sequence, hash chain and an
    /// increasing timestamp. It is written but not yet durable: call [`Journal::sync`] after the
    /// last one. A refused record writes nothing.
    pub fn append_sealed(&mut self, record: &[u8]) -> Result<AppendInfo, JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned(self.path.clone()));
        }
        let offset = self.pos.offset;
        let corrupt = |corruption| JournalError::Corrupt {
            path: self.path.clone(),
            offset,
            corruption,
        };
        let (header_bytes, body) = record
            .split_first_chunk::<RECORD_HEADER_LEN>()
            .ok_or_else(|| corrupt(Corruption::Incomplete))?;
        let header = match format::decode_record_header(header_bytes) {
            Ok(header) => header,
            Err(problem) => {
                return Err(match scan::header_corruption(problem) {
                    Ok(corruption) => corrupt(corruption),
                    Err(version) => JournalError::UnsupportedVersion {
                        path: self.path.clone(),
                        offset,
                        version,
                    },
                });
            }
        };
        if usize::try_from(header.body_len).ok() != Some(body.len()) {
            return Err(corrupt(Corruption::Incomplete));
        }
        if crc32c::crc32c(body) != header.body_crc {
            return Err(corrupt(Corruption::BadBodyChecksum));
        }
        let bytes = u64::try_from(record.len()).unwrap_or(u64::MAX);
        let (hash, next) = self
            .pos
            .follow(&header, header_bytes, body, offset.saturating_add(bytes))
            .map_err(corrupt)?;
        if let Err(e) = self.file.write_all(record) {
            self.poisoned = true;
            return Err(JournalError::io(&self.path, e));
        }
        self.pos = next;
        Ok(AppendInfo {
            sequence: header.sequence,
            hash,
            bytes,
        })
    }

    /// Makes everything appended so far durable (`fdatasync`).
    pub fn sync(&mut self) -> Result<(), JournalError> {
        if let Err(e) = self.file.sync_data() {
            self.poisoned = true;
            return Err(JournalError::io(&self.path, e));
        }
        Ok(())
    }

    /// Writes a snapshot of `state`, which must be the state after the last appended record,
    /// and removes all but the newest two snapshots.
    pub fn write_snapshot<S: StateMachine>(&self, state: &S) -> Result<PathBuf, JournalError> {
        let meta = snapshot::SnapshotMeta {
            sequence: self.head_sequence(),
            timestamp: self.pos.last_timestamp,
            record_hash: self.pos.prev_hash,
        };
        snapshot::write(&self.dir, self.kind, &meta, &state.encode_snapshot())
    }

    /// Sequence number of the last durable record (0 before the first).
    pub fn head_sequence(&self) -> u64 {
        self.pos.next_sequence - 1
    }

    /// Hash of the last durable record (the genesis hash before the first).
    pub fn head_hash(&self) -> Hash {
        self.pos.prev_hash
    }

    /// Timestamp of the last durable record (0 before the first).
    pub fn last_timestamp(&self) -> u64 {
        self.pos.last_timestamp
    }

    /// Length of the log file in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.pos.offset
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Makes a directory's entries (created, renamed files) durable.
pub(crate) fn fsync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| JournalError::io(dir, e))
}
