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
    #[error(
        "segment out of place: record {expected} comes next, but this segment starts at {found} (a segment is missing or was renamed)"
    )]
    SegmentOutOfPlace { expected: u64, found: u64 },
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
    #[error(
        "journal {path} at byte offset {offset}: record {first_missing} is {damage}, but records up to {acknowledged} were acknowledged (journal.head): an acknowledged record is lost; restore the journal from a replica or backup"
    )]
    AcknowledgedRecordLost {
        path: PathBuf,
        offset: u64,
        first_missing: u64,
        acknowledged: u64,
        /// What is found there: "missing (the file ends here)" or the damage.
        damage: String,
    },
    #[error(
        "{head} names record {sequence} as acknowledged, but the journal's record {sequence} has a different hash: the journal was replaced or edited"
    )]
    HeadMismatch { head: PathBuf, sequence: u64 },
    #[error(
        "{head} is damaged (both slots) and journal {path} ends in a damaged record at byte offset {offset}: a torn write cannot be told from a damaged acknowledged record. If only the marker was damaged, remove {head} and start again: the damaged tail is then cut as an unacknowledged write"
    )]
    HeadDamaged {
        head: PathBuf,
        path: PathBuf,
        offset: u64,
    },
    #[error("journal segment found twice, as {first} and as {second}: keep one of them")]
    SegmentTwice { first: PathBuf, second: PathBuf },
    #[error("records 1 to {last_missing} are not in {dir}{archives} (segments archived?): {need}")]
    SegmentsMissing {
        dir: PathBuf,
        /// `", nor in DIR, …"` naming the archive directories when they were searched, else empty.
        archives: String,
        last_missing: u64,
        /// What the operator can do.
        need: String,
    },
    #[error(
        "refusing to cut {path} after record {keep}: records up to {acknowledged} were acknowledged (journal.head), so the system of record has lost acknowledged records"
    )]
    CutBelowAcknowledged {
        path: PathBuf,
        keep: u64,
        acknowledged: u64,
    },
}

impl JournalError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        JournalError::Io {
            path: path.into(),
            source,
        }
    }
}
