//! The append side of `journal.log`: one `write` and one `fdatasync` per batch.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::StateMachine;
use crate::error::{Corruption, JournalError};
use crate::format::{self, FILE_HEADER_LEN, Hash, RECORD_HEADER_LEN};
use crate::head::{Acknowledged, HeadFile};
use crate::scan::{self, FILE_HEADER_OFFSET, Position};
use crate::segment;
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
    /// The last segment, the one appended to.
    path: PathBuf,
    file: File,
    /// The head marker, also the journal's lock.
    head: HeadFile,
    kind: &'static str,
    /// What every segment starts with.
    file_header: [u8; FILE_HEADER_LEN],
    /// A record is appended to a new segment once the current one holds this many bytes
    /// (0: one file forever).
    segment_bytes_max: u64,
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
        create_private_dir(dir).map_err(|e| JournalError::io(dir, e))?;
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent.filter(|_| created_dir) {
            fsync_dir(parent)?;
        }
        segment::create(dir, 1, &header)?;
        Ok(())
    }

    /// Takes the journal's exclusive lock (on `journal.head`, see [`crate::head`]), held as long
    /// as the returned marker file (and so the [`Journal`]) lives: two writers would corrupt
    /// the journal.
    pub(crate) fn lock(dir: &Path) -> Result<HeadFile, JournalError> {
        HeadFile::lock(dir)
    }

    /// Opens the log for appending at a validated end position, cutting anything after it, and
    /// records that position in the head marker (everything up to it is now part of the state
    /// the hub serves). `head` comes from [`Journal::lock`]; the caller has checked the tail
    /// against its marker ([`crate::recovery`]).
    pub(crate) fn open_at(
        dir: &Path,
        kind: &'static str,
        pos: Position,
        head: HeadFile,
    ) -> Result<Journal, JournalError> {
        let path = dir.join(segment::file_name(pos.segment));
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| JournalError::io(&path, e))?;
        let file_header = format::encode_file_header(kind)
            .ok_or_else(|| JournalError::KindTooLong(kind.into()))?;
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
        let mut journal = Journal {
            dir: dir.to_path_buf(),
            path,
            file,
            head,
            kind,
            file_header,
            segment_bytes_max: 0,
            pos,
            buf: Vec::new(),
            poisoned: false,
        };
        journal.acknowledge()?;
        Ok(journal)
    }

    /// Appends one batch as one record, makes it durable (`fdatasync`) and then records it in
    /// the head marker ([`Journal::acknowledge`]): when this returns, the batch may be
    /// acknowledged. `timestamp` must exceed the previous record's. After an I/O error the
    /// journal refuses further appends: what reached the disk is unknown until recovery re-reads
    /// it.
    pub fn append<C: Serialize>(
        &mut self,
        timestamp: u64,
        commands: &[C],
    ) -> Result<AppendInfo, JournalError> {
        let info = self.append_durable(timestamp, commands)?;
        self.acknowledge()?;
        Ok(info)
    }

    /// [`Journal::append`] without updating the head marker, for a caller that must do more
    /// before the batch may be acknowledged (store it in a system of record); it calls
    /// [`Journal::acknowledge`] after that and before answering anyone. Until then the record
    /// counts as an unacknowledged write: damaged, it is cut at recovery.
    pub fn append_durable<C: Serialize>(
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
        self.roll_if_full()?;
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
            segment: self.pos.segment,
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
        self.roll_if_full()?;
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

    /// Starts a new segment after `segment_bytes` bytes in one (0: never, the default; the
    /// sequencer sets [`crate::SequencerConfig::segment_bytes_max`]).
    pub fn set_segment_bytes_max(&mut self, segment_bytes: u64) {
        self.segment_bytes_max = segment_bytes;
    }

    /// Before appending: if the current segment is full, durably creates the next one and
    /// appends there. Every record of the full segment was made durable already, so a crash
    /// leaves either no new segment or an empty one, both of which recovery reads as the end.
    fn roll_if_full(&mut self) -> Result<(), JournalError> {
        let full = self.segment_bytes_max > 0
            && self.pos.offset >= self.segment_bytes_max
            && self.pos.offset > FILE_HEADER_OFFSET;
        if !full {
            return Ok(());
        }
        let first = self.pos.next_sequence;
        let opened = segment::create(&self.dir, first, &self.file_header).and_then(|path| {
            OpenOptions::new()
                .append(true)
                .open(&path)
                .map(|file| (path.clone(), file))
                .map_err(|e| JournalError::io(&path, e))
        });
        let (path, file) = match opened {
            Ok(opened) => opened,
            Err(e) => {
                self.poisoned = true;
                return Err(e);
            }
        };
        tracing::info!(segment = %path.display(), first_sequence = first, "new journal segment");
        self.path = path;
        self.file = file;
        self.pos.segment = first;
        self.pos.offset = FILE_HEADER_OFFSET;
        Ok(())
    }

    /// Makes everything appended so far durable (`fdatasync`), then records the last record in
    /// the head marker: records from a system of record were acknowledged there already.
    pub fn sync(&mut self) -> Result<(), JournalError> {
        if let Err(e) = self.file.sync_data() {
            self.poisoned = true;
            return Err(JournalError::io(&self.path, e));
        }
        self.acknowledge()
    }

    /// Durably records the last appended record as acknowledged in `journal.head`. Call it only
    /// after that record is durable and before anyone is answered for it; from then on a damaged
    /// or missing record up to it refuses recovery instead of being cut as a torn write.
    pub fn acknowledge(&mut self) -> Result<(), JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned(self.path.clone()));
        }
        let ack = Acknowledged {
            sequence: self.head_sequence(),
            hash: self.pos.prev_hash,
            segment: self.pos.segment,
            end_offset: self.pos.offset,
        };
        if let Err(e) = self.head.write(&ack) {
            self.poisoned = true;
            return Err(e);
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

    /// Length of the segment being appended to, in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.pos.offset
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Options creating a file only its owner may read (0600): journal records and snapshots
/// carry customer names, accounts and amounts.
pub(crate) fn private_file() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

/// Creates `dir` and missing parents only their owner may enter (0700). Directories that
/// exist keep their mode: the operator may have chosen it.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Makes a directory's entries (created, renamed files) durable.
pub(crate) fn fsync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| JournalError::io(dir, e))
}
