//! Offline verification of a journal from genesis: checksums, sequence, hash chain, invariants
//! after every batch, and agreement of every snapshot with the replayed state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::StateMachine;
use crate::error::JournalError;
use crate::log::LOG_FILE_NAME;
use crate::recovery::decode_commands;
use crate::scan::{Scanner, Step};
use crate::snapshot;

/// The result of a successful verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub kind: String,
    /// Records (batches) replayed.
    pub records: u64,
    /// Commands replayed, over all records.
    pub commands: u64,
    pub head_sequence: u64,
    /// BLAKE3 hash of the last record, hex (the genesis hash for an empty journal).
    pub head_hash: String,
    /// Snapshots found and checked against the replayed state.
    pub snapshots_checked: u64,
    /// Bytes of an unacknowledged torn last write; recovery would cut them.
    pub torn_tail_bytes: u64,
}

/// Why verification failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("snapshot {path}: {reason}")]
    Snapshot { path: PathBuf, reason: String },
    #[error("invariant violated after record {sequence} (offset {offset} in {path}): {reason}")]
    Invariant {
        path: PathBuf,
        sequence: u64,
        offset: u64,
        reason: String,
    },
}

/// Replays the journal in `dir` from genesis through `S`, never trusting snapshots, and checks
/// everything that can be checked: [`StateMachine::check_batch_invariants`] after every batch,
/// the full [`StateMachine::check_invariants`] at every snapshot and after the last record.
/// Read-only.
pub fn verify<S: StateMachine>(dir: &Path) -> Result<VerifyReport, VerifyError> {
    let path = dir.join(LOG_FILE_NAME);
    let (mut scanner, kind) = Scanner::open(&path)?;
    if kind != S::KIND {
        return Err(JournalError::KindMismatch {
            path,
            expected: S::KIND.to_string(),
            found: kind,
        }
        .into());
    }
    let mut snapshots = BTreeMap::new();
    for (sequence, snap_path) in snapshot::list(dir)? {
        let loaded =
            snapshot::load(&snap_path, S::KIND).map_err(|reason| VerifyError::Snapshot {
                path: snap_path.clone(),
                reason,
            })?;
        snapshots.insert(sequence, (snap_path, loaded));
    }
    let mut report = VerifyReport {
        kind,
        records: 0,
        commands: 0,
        head_sequence: 0,
        head_hash: hex::encode(scanner.position().prev_hash),
        snapshots_checked: 0,
        torn_tail_bytes: 0,
    };
    let mut state = S::fresh();
    loop {
        let record = match scanner.next_step()? {
            Step::Record(record) => record,
            Step::End => break,
            Step::TornTail { offset, .. } => {
                report.torn_tail_bytes = scanner.file_len() - offset;
                break;
            }
        };
        let sequence = record.header.sequence;
        let commands = decode_commands::<S::Command>(&scanner, &record)?;
        state.apply(record.header.timestamp, &commands);
        let checked = if snapshots.contains_key(&sequence) {
            state.check_invariants()
        } else {
            state.check_batch_invariants()
        };
        checked.map_err(|reason| VerifyError::Invariant {
            path: path.clone(),
            sequence,
            offset: record.offset,
            reason,
        })?;
        report.records += 1;
        report.commands += u64::try_from(commands.len()).unwrap_or(u64::MAX);
        report.head_sequence = sequence;
        report.head_hash = hex::encode(record.hash);
        if let Some((snap_path, (meta, payload))) = snapshots.remove(&sequence) {
            let mismatch = |reason: &str| VerifyError::Snapshot {
                path: snap_path.clone(),
                reason: reason.to_string(),
            };
            if meta.sequence != sequence || meta.record_hash != record.hash {
                return Err(mismatch("does not match the journal record it names"));
            }
            if meta.timestamp != record.header.timestamp {
                return Err(mismatch("timestamp differs from its record's"));
            }
            if state.encode_snapshot() != payload {
                return Err(mismatch("differs from the state replayed from genesis"));
            }
            report.snapshots_checked += 1;
        }
    }
    state
        .check_invariants()
        .map_err(|reason| VerifyError::Invariant {
            path: path.clone(),
            sequence: report.head_sequence,
            offset: scanner.position().offset,
            reason,
        })?;
    if let Some((_, (snap_path, _))) = snapshots.into_iter().next() {
        return Err(VerifyError::Snapshot {
            path: snap_path,
            reason: format!("names a record beyond the head {}", report.head_sequence),
        });
    }
    Ok(report)
}
