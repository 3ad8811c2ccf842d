//! Errors of the journal: I/O, corruption (always with file and byte offset), format problems.

use std::path::PathBuf;

/// What exactly is wrong at a corrupt position of the journal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Corruption {
    #[error("record incomplete (file ends inside it)")]
    Incomplete,
    #[error("bad record magic")]
    BadMagic,
    #[error("record header checksum mismatch")]
    BadHeaderChecksum,
    #[error("record body checksum mismatch")]
    BadBodyChecksum,
    #[error("record body length {0} exceeds the limit")]
    BodyTooLarge(u32),
    #[error("sequence gap: expected record {expected}, found {found}")]
    SequenceGap { expected: u64, found: u64 },
    #[error("hash chain broken at record {sequence}: previous-hash field does not match")]
    ChainBroken { sequence: u64 },
    #[error("timestamp of record {sequence} goes backwards")]
    TimestampBackwards { sequence: u64 },
    #[error("record {sequence} body does not decode: {reason}")]
    BodyUndecodable { sequence: u64, reason: String },
    #[error("record {sequence} declares {declared} commands but holds {found}")]
    CommandCountMismatch {
        sequence: u64,
        declared: u32,
        found: usize,
    },
    #[error("bad journal file header: {0}")]
    FileHeader(String),
}

/// Errors opening, recovering, appending to or reading a journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("i/o error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("journal corrupt in {path} at byte offset {offset}: {corruption}")]
    Corrupt {
        path: PathBuf,
        offset: u64,
        corruption: Corruption,
    },
    #[error("{path} at byte offset {offset}: record format version {version} is not supported")]
    UnsupportedVersion {
        path: PathBuf,
        offset: u64,
        version: u16,
    },
    #[error("journal {path} holds kind {found:?}, expected {expected:?}")]
    KindMismatch {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("kind name {0:?} is longer than the header allows")]
    KindTooLong(String),
    #[error("journal {0} is in use by another process")]
    Locked(PathBuf),
    #[error("no journal in {0}")]
    NotFound(PathBuf),
    #[error(
        "snapshot {path} is at record {snapshot_sequence} but the journal ends at {head_sequence}: acknowledged records are missing"
    )]
    SnapshotAheadOfLog {
        path: PathBuf,
        snapshot_sequence: u64,
        head_sequence: u64,
    },
    #[error("batch too large to encode: {0}")]
    BatchTooLarge(String),
    #[error("batch timestamp {timestamp} is not after the previous record's {last}")]
    TimestampNotIncreasing { timestamp: u64, last: u64 },
    #[error("journal {0} failed an earlier write and accepts no more appends")]
    Poisoned(PathBuf),
    #[error("invariant violated after record {sequence}: {reason}")]
    Invariant { sequence: u64, reason: String },
}

impl JournalError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        JournalError::Io {
            path: path.into(),
            source,
        }
    }
}
