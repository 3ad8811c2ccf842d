//! Offline verification of a journal from genesis: checksums, sequence, hash chain, invariants
//! after every batch, and agreement of every snapshot with the replayed state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::StateMachine;
use crate::error::JournalError;
use crate::head::{self, HEAD_FILE_NAME, Marker};
use crate::recovery::{Tail, decode_commands};
use crate::scan::{ScannedRecord, Scanner, Step};
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
    /// The newest of them: segments before its record may be archived.
    pub newest_snapshot: Option<u64>,
    /// Bytes of an unacknowledged torn last write; recovery would cut them.
    pub torn_tail_bytes: u64,
    /// What `journal.head` holds: "valid", "absent" (a journal from before markers, or a copy
    /// without it) or "damaged" (recovery rewrites it when the journal ends cleanly).
    pub head_marker: &'static str,
    /// The last acknowledged record the marker names.
    pub acknowledged_sequence: Option<u64>,
    /// Segment files read (`journal.log` and its successors, here and in archives).
    pub segments: u64,
    /// The snapshot the replay started from (0: genesis, the full verification).
    pub replayed_from: u64,
}

/// Why verification failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("snapshot {path}: {reason}")]
    Snapshot { path: PathBuf, reason: String },
    #[error("no snapshot in {dir} to start from: run the full verification")]
    NoSnapshot { dir: PathBuf },
    #[error("invariant violated after record {sequence} (offset {offset} in {path}): {reason}")]
    Invariant {
        path: PathBuf,
        sequence: u64,
        offset: u64,
        reason: String,
    },
}

/// Replays the journal in `dir` from genesis through `S`, never trusting snapshots, and checks
/// everything that can be checked: that the tail agrees with the head marker (an acknowledged
/// record damaged or missing fails, exactly where recovery would refuse),
/// [`StateMachine::check_batch_invariants`] after every batch, the full
/// [`StateMachine::check_invariants`] at every snapshot and after the last record.
/// Read-only.
pub fn verify<S: StateMachine>(dir: &Path) -> Result<VerifyReport, VerifyError> {
    verify_with_archives::<S>(dir, &[])
}

/// [`verify()`] over a journal whose early segments were moved to `archives` (searched after
/// `dir`): replay still starts at record 1, so every segment must be found somewhere, each in
/// one place only, in an unbroken sequence and hash chain.
pub fn verify_with_archives<S: StateMachine>(
    dir: &Path,
    archives: &[&Path],
) -> Result<VerifyReport, VerifyError> {
    run::<S>(dir, archives, Start::Genesis)
}

/// The day-to-day check: like [`verify()`], but the state starts from the newest snapshot
/// instead of genesis, once that snapshot's record hash and timestamp are found in the chain
/// and it satisfies [`StateMachine::check_invariants`]; the records after it are replayed and
/// checked as by [`verify()`]. The records before it are still read and checked (checksums,
/// sequence, hash chain) but not replayed, and older snapshots are not compared, so the
/// snapshot's own history rests on an earlier full [`verify()`]. Segments archived before the
/// snapshot's record are not needed.
pub fn verify_from_snapshot<S: StateMachine>(
    dir: &Path,
    archives: &[&Path],
) -> Result<VerifyReport, VerifyError> {
    run::<S>(dir, archives, Start::NewestSnapshot)
}

/// Where the replay of a verification starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Start {
    Genesis,
    NewestSnapshot,
}

fn run<S: StateMachine>(
    dir: &Path,
    archives: &[&Path],
    start: Start,
) -> Result<VerifyReport, VerifyError> {
    // The marker first: on a live journal, every record it names was written before it, so
    // the segments listed next hold them all.
    let marker = head::read(dir)?;
    let (mut scanner, kind) = Scanner::open(dir, archives)?;
    if kind != S::KIND {
        return Err(JournalError::KindMismatch {
            path: scanner.path().to_path_buf(),
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
    let mut start_snapshot = match start {
        Start::Genesis => None,
        Start::NewestSnapshot => match snapshots.pop_last() {
            Some(newest) => Some(newest),
            None => {
                return Err(VerifyError::NoSnapshot {
                    dir: dir.to_path_buf(),
                });
            }
        },
    };
    let replay_from = start_snapshot.as_ref().map_or(0, |(sequence, _)| *sequence);
    // Snapshots before the replay starts are not compared with anything.
    snapshots.retain(|sequence, _| *sequence > replay_from);
    let first_needed = replay_from.max(1);
    if scanner.first_sequence() > first_needed {
        let searched: Vec<String> = archives.iter().map(|a| a.display().to_string()).collect();
        return Err(JournalError::SegmentsMissing {
            dir: dir.to_path_buf(),
            archives: if searched.is_empty() {
                String::new()
            } else {
                format!(", nor in {}", searched.join(", "))
            },
            last_missing: scanner.first_sequence() - 1,
            need: format!(
                "verification replays from record {first_needed}: give the directory holding \
                 the archived segments with --archive DIR"
            ),
        }
        .into());
    }
    let segments = u64::try_from(scanner.segments().len()).unwrap_or(u64::MAX);
    let mut report = VerifyReport {
        kind,
        records: 0,
        commands: 0,
        head_sequence: 0,
        head_hash: hex::encode(scanner.position().prev_hash),
        snapshots_checked: 0,
        newest_snapshot: None,
        torn_tail_bytes: 0,
        head_marker: "absent",
        acknowledged_sequence: None,
        segments,
        replayed_from: replay_from,
    };
    report.head_marker = match marker {
        Marker::Valid(_) => "valid",
        Marker::Absent => "absent",
        Marker::Damaged => "damaged",
    };
    report.acknowledged_sequence = marker.acknowledged().map(|ack| ack.sequence);
    let mut tail = Tail::new(marker, &scanner);
    let mut state = (replay_from == 0).then(S::fresh);
    loop {
        let record = match scanner.next_step()? {
            Step::Record(record) => record,
            Step::End => break,
            Step::TornTail { offset, reason } => {
                report.torn_tail_bytes = scanner.file_len() - offset;
                tail.torn = Some((offset, reason));
                break;
            }
        };
        tail.passed(&record);
        let sequence = record.header.sequence;
        if sequence <= replay_from {
            // Checked by the scan (checksums, sequence, chain), not replayed.
            report.head_sequence = sequence;
            report.head_hash = hex::encode(record.hash);
            if let Some((_, snapshot)) = start_snapshot.take_if(|(at, _)| *at == sequence) {
                state = Some(start_from_snapshot::<S>(snapshot, &record)?);
                report.snapshots_checked += 1;
                report.newest_snapshot = Some(sequence);
            }
            continue;
        }
        let Some(state) = state.as_mut() else {
            continue;
        };
        let commands = decode_commands::<S::Command>(&scanner, &record)?;
        state.apply(record.header.timestamp, &commands);
        let checked = if snapshots.contains_key(&sequence) {
            state.check_invariants()
        } else {
            state.check_batch_invariants()
        };
        checked.map_err(|reason| VerifyError::Invariant {
            path: scanner.path().to_path_buf(),
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
            report.newest_snapshot = Some(sequence);
        }
    }
    tail.judge(&dir.join(HEAD_FILE_NAME), &scanner)?;
    let state = match (state, start_snapshot) {
        (Some(state), _) => state,
        (None, snapshot) => {
            let path = snapshot.map(|(_, (path, _))| path).unwrap_or_default();
            return Err(VerifyError::Snapshot {
                path,
                reason: format!("names a record beyond the head {}", report.head_sequence),
            });
        }
    };
    state
        .check_invariants()
        .map_err(|reason| VerifyError::Invariant {
            path: scanner.path().to_path_buf(),
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

/// The state of `snapshot`, taken after `record`, once it is found to name that record and to
/// satisfy the invariants.
fn start_from_snapshot<S: StateMachine>(
    (path, (meta, payload)): (PathBuf, (snapshot::SnapshotMeta, Vec<u8>)),
    record: &ScannedRecord,
) -> Result<S, VerifyError> {
    let refuse = |reason: String| VerifyError::Snapshot {
        path: path.clone(),
        reason,
    };
    if meta.record_hash != record.hash || meta.timestamp != record.header.timestamp {
        return Err(refuse(
            "does not match the journal record it names".to_string(),
        ));
    }
    let state =
        S::decode_snapshot(&payload).map_err(|e| refuse(format!("does not decode: {e}")))?;
    state
        .check_invariants()
        .map_err(|e| refuse(format!("breaks an invariant: {e}")))?;
    Ok(state)
}
