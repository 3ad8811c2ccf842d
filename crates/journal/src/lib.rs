//! Durability for kliring: an append-only, checksummed, hash-chained journal of command batches,
//! a group-commit [`Sequencer`], snapshots, crash recovery and offline verification.
//!
//! The journal is generic over a deterministic [`StateMachine`] (the ledger, later the hub): it
//! stores the *commands* of each batch together with the timestamp the sequencer chose, so that
//! replaying the journal through the same machine rebuilds the same state, byte for byte.
//!
//! # On-disk layout (a data directory)
//! - `journal.log`: a 64-byte file header (magic `KLIRJRNL`, file format version, the machine's
//!   [`StateMachine::KIND`], CRC32C), then records back to back. A record is a 72-byte header
//!   (magic `KREC`, record format version, sequence number starting at 1, batch timestamp in ns,
//!   body length, command count, BLAKE3 hash of the previous record, CRC32C of the body, CRC32C of
//!   the header) followed by the body: the batch's commands, postcard-encoded as a sequence.
//!   The first record's "previous hash" is the BLAKE3 hash of the file header, so records are
//!   bound to the journal's kind. A record's own hash is BLAKE3 over its header and body; the last
//!   one is the *head hash* an auditor compares.
//!   Past [`SequencerConfig::segment_bytes_max`] bytes the log continues in a new segment file
//!   `journal-<first sequence, 20 digits>.log` with the same file header, the sequence and the
//!   hash chain running on ([`segment`]); a single `journal.log` is the one-segment case.
//! - `journal.head`: the head marker ([`head`]), naming the last acknowledged record, written
//!   after that record's `fdatasync` and before anyone is answered. It is also the lock
//!   (`flock`) held while a [`Journal`] is open: a second writer gets [`JournalError::Locked`].
//! - `snapshot-<sequence>.snap`: the machine's state after applying record `<sequence>`, with a
//!   header naming the kind, sequence, timestamp and the hash of that record, and a BLAKE3 hash of
//!   the payload. Written to a temporary file, fsynced, renamed, then the directory is fsynced.
//!   The two newest are kept.
//!
//! # Versioning
//! Every record carries its format version ([`format::RECORD_FORMAT_VERSION`]); readers reject
//! versions they do not know with [`JournalError::UnsupportedVersion`] instead of misreading
//! them. Commands are postcard-encoded, which identifies enum variants by their index: **new
//! command variants must be appended at the end of the enum, never inserted or reordered**, and
//! existing variants' fields never changed, so older journals stay readable. A change that
//! cannot follow that rule must bump the record format version.
//!
//! # Recovery behaviour (tested in `tests/corruption.rs`, `tests/tail.rs`, `tests/segments.rs`)
//! - A torn or corrupt *tail* after the record the head marker names — the last record is
//!   incomplete, or its checksum is bad and nothing follows it, or garbage with no valid record
//!   after it — is cut off with a `tracing::warn!` naming the file and offset; startup
//!   continues. Such a record was never acknowledged: callers are answered only after the
//!   record and then its marker were fsynced.
//! - The same damage to a record up to the marker's, or such a record missing, refuses with
//!   [`JournalError::AcknowledgedRecordLost`] naming the file and offset ([`head`] explains why
//!   no crash leads there). A damaged marker is rewritten if the journal ends cleanly.
//! - Corruption anywhere else refuses to start with [`JournalError::Corrupt`] naming the file and
//!   byte offset: a flipped byte in a record followed by more data, a gap in sequence numbers
//!   (a removed record), a broken hash chain (an edited or reordered record). Nothing is ever
//!   silently skipped.
//! - A snapshot that is unreadable, fails its checksum, does not decode, breaks an invariant or
//!   does not match the journal's record hash at its sequence is skipped with a warning, and the
//!   next older snapshot (or genesis replay) is used. A snapshot *ahead* of the journal's head
//!   means acknowledged records are missing: refused with [`JournalError::SnapshotAheadOfLog`].
//!
//! [`verify()`] replays from genesis (never trusting snapshots), checks every checksum, the hash
//! chain, the sequence, [`StateMachine::check_batch_invariants`] after each batch, the full
//! [`StateMachine::check_invariants`] at each snapshot and at the end, and that every snapshot
//! equals the replayed state at its sequence, byte for byte.
//!
//! # Group commit
//! [`Sequencer`] runs one thread that owns the [`Journal`] and the machine. It drains every
//! queued request (up to [`SequencerConfig::batch_commands_max`] commands), appends them as one
//! record with one `write` and one `fdatasync`, applies them, and only then answers each caller
//! with its own outcomes. Reads ([`SequencerHandle::read`]) run on the same thread between
//! batches. A failed write or fsync stops the sequencer: after an fsync error the page cache
//! can no longer be trusted, so only recovery (re-reading the file) may decide what is durable.
//!
//! # A system of record beside the file
//! [`Sequencer::start_with_sink`] hands every record, after its local `fdatasync` and before
//! anyone is answered, to a [`RecordSink`] (PostgreSQL with synchronous replication, in the
//! `journal-pg` crate). A sink error answers the batch [`SequencerError::Unavailable`] and the
//! sequencer stops leading: it follows the sink, keeping the record if the sink committed it
//! after all, cutting it otherwise, and leads again when the sink's writer session is back
//! ([`Sequencer::start_following`] starts a standby that way). Before starting,
//! the sink's owner makes `journal.log` agree with it through [`replica`]: extend the file with
//! records only the sink has ([`Journal::append_sealed`] checks each like recovery does), cut
//! records only the file has (never acknowledged). Without a sink nothing changes.

mod error;
pub mod format;
pub mod head;
mod log;
mod metrics;
mod reader;
mod recovery;
mod scan;
pub mod segment;
mod sequencer;
mod sink;
mod snapshot;
mod verify;

pub use error::{Corruption, JournalError};
pub use log::{AppendInfo, Journal};
pub use metrics::MetricsSnapshot;
pub use reader::{Batch, JournalReader, read_kind};
pub use recovery::{Recovered, RecoveryReport, recover};
pub use sequencer::{
    Role, Sequencer, SequencerConfig, SequencerError, SequencerHandle, SequencerStatus,
};
pub use sink::{Leadership, RecordSink, replica};
pub use verify::{VerifyError, VerifyReport, verify, verify_from_snapshot, verify_with_archives};

pub use state_machine::StateMachine;
