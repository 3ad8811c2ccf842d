//! Recovery: validate the whole log, cut a torn tail, restore the newest usable snapshot and
//! replay the records after it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::StateMachine;
use crate::error::{Corruption, JournalError};
use crate::format::Hash;
use crate::head::{self, Marker};
use crate::log::Journal;
use crate::scan::{Position, ScannedRecord, Scanner, Step};
use crate::segment;
use crate::snapshot;

/// A recovered journal, ready to append, and the state after its last durable record.
pub struct Recovered<S> {
    pub journal: Journal,
    pub state: S,
    pub report: RecoveryReport,
}

/// What recovery found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// The journal did not exist and was created.
    pub created: bool,
    /// Sequence of the last durable record.
    pub head_sequence: u64,
    /// Sequence of the snapshot the state was restored from, if any.
    pub snapshot_sequence: Option<u64>,
    /// Snapshots skipped because they were damaged or did not match the log.
    pub snapshots_skipped: u64,
    /// Records applied on top of the snapshot (or genesis).
    pub records_replayed: u64,
    /// Bytes of torn tail cut off the end of the log.
    pub torn_tail_bytes: u64,
}

/// Opens (or creates) the journal in `dir` for machine `S` and rebuilds its state.
///
/// See the crate documentation for what counts as a torn tail (cut with a warning) and what as
/// corruption (an error naming file and offset).
pub fn recover<S: StateMachine>(dir: &Path) -> Result<Recovered<S>, JournalError> {
    let mut report = RecoveryReport::default();
    if segment::list(&[dir])?.is_empty() {
        // No journal, but a marker naming acknowledged records: they were deleted, not never
        // written. Creating an empty journal here would bury that.
        if let Some(ack) = head::read(dir)?
            .acknowledged()
            .filter(|ack| ack.sequence > 0)
        {
            return Err(JournalError::AcknowledgedRecordLost {
                path: dir.join(segment::file_name(1)),
                offset: 0,
                first_missing: 1,
                acknowledged: ack.sequence,
                damage: "missing (the data directory holds no journal segment)".to_string(),
            });
        }
        Journal::create(dir, S::KIND)?;
        report.created = true;
    }
    let head = Journal::lock(dir)?;
    segment::remove_temp_files(dir)?;
    let (mut scanner, kind) = Scanner::open(dir, &[])?;
    if kind != S::KIND {
        return Err(JournalError::KindMismatch {
            path: scanner.path().to_path_buf(),
            expected: S::KIND.to_string(),
            found: kind,
        });
    }
    snapshot::remove_temp_files(dir)?;
    let candidates = snapshot::list(dir)?;

    // Pass 1: validate every record; remember where each snapshot candidate's record ends.
    let wanted: HashSet<u64> = candidates.iter().map(|(seq, _)| *seq).collect();
    let mut after_record: HashMap<u64, Position> = HashMap::new();
    let genesis = scanner.position();
    let mut tail = Tail::new(head.marker(), &scanner);
    loop {
        match scanner.next_step()? {
            Step::Record(record) => {
                tail.passed(&record);
                if wanted.contains(&record.header.sequence) {
                    after_record.insert(record.header.sequence, scanner.position());
                }
            }
            Step::End => break,
            Step::TornTail { offset, reason } => {
                tail.torn = Some((offset, reason));
                break;
            }
        }
    }
    tail.judge(head.path(), &scanner)?;
    if let Some((offset, reason)) = &tail.torn {
        report.torn_tail_bytes = scanner.file_len() - offset;
        tracing::warn!(
            file = %scanner.path().display(),
            offset,
            bytes = report.torn_tail_bytes,
            %reason,
            "cutting torn tail of the journal (an unacknowledged last write)"
        );
    }
    let end = scanner.position();
    report.head_sequence = end.next_sequence - 1;

    let restored = restore_snapshot::<S>(dir, &candidates, &after_record, &mut report)?;
    let (mut state, start) = match restored {
        Some(restored) => restored,
        None if scanner.first_sequence() == 1 => (S::fresh(), genesis),
        None => {
            return Err(JournalError::SegmentsMissing {
                dir: dir.to_path_buf(),
                archives: String::new(),
                last_missing: scanner.first_sequence() - 1,
                need: format!(
                    "no usable snapshot at or after record {} replaces them; move the archived \
                     segments back into the data directory",
                    scanner.first_sequence()
                ),
            });
        }
    };

    // Pass 2: replay the records after the snapshot.
    scanner.seek(start)?;
    while scanner.position().next_sequence < end.next_sequence {
        let Step::Record(record) = scanner.next_step()? else {
            break;
        };
        let commands = decode_commands::<S::Command>(&scanner, &record)?;
        state.apply(record.header.timestamp, &commands);
        report.records_replayed += 1;
    }
    state
        .check_invariants()
        .map_err(|reason| JournalError::Invariant {
            sequence: report.head_sequence,
            reason,
        })?;
    let journal = Journal::open_at(dir, S::KIND, end, head)?;
    Ok(Recovered {
        journal,
        state,
        report,
    })
}

/// The newest snapshot that loads, matches the log and satisfies the invariants.
fn restore_snapshot<S: StateMachine>(
    dir: &Path,
    candidates: &[(u64, std::path::PathBuf)],
    after_record: &HashMap<u64, Position>,
    report: &mut RecoveryReport,
) -> Result<Option<(S, Position)>, JournalError> {
    for (name_sequence, path) in candidates {
        let skip = |reason: String, report: &mut RecoveryReport| {
            report.snapshots_skipped += 1;
            tracing::warn!(
                dir = %dir.display(),
                snapshot = %path.display(),
                %reason,
                "skipping unusable snapshot; falling back to an older one or genesis"
            );
        };
        let (meta, payload) = match snapshot::load(path, S::KIND) {
            Ok(loaded) => loaded,
            Err(reason) => {
                skip(reason, report);
                continue;
            }
        };
        if meta.sequence != *name_sequence {
            skip(format!("header says record {}", meta.sequence), report);
            continue;
        }
        if meta.sequence > report.head_sequence {
            return Err(JournalError::SnapshotAheadOfLog {
                path: path.clone(),
                snapshot_sequence: meta.sequence,
                head_sequence: report.head_sequence,
            });
        }
        let Some(position) = after_record.get(&meta.sequence) else {
            skip("its record is not in the journal".to_string(), report);
            continue;
        };
        if position.prev_hash != meta.record_hash {
            skip("record hash differs from the journal's".to_string(), report);
            continue;
        }
        let state = match S::decode_snapshot(&payload) {
            Ok(state) => state,
            Err(reason) => {
                skip(format!("does not decode: {reason}"), report);
                continue;
            }
        };
        if let Err(reason) = state.check_invariants() {
            skip(format!("breaks an invariant: {reason}"), report);
            continue;
        }
        report.snapshot_sequence = Some(meta.sequence);
        return Ok(Some((state, *position)));
    }
    Ok(None)
}

/// Decodes a record body into its commands, checking the declared count.
pub(crate) fn decode_commands<C: serde::de::DeserializeOwned>(
    scanner: &Scanner,
    record: &ScannedRecord,
) -> Result<Vec<C>, JournalError> {
    let sequence = record.header.sequence;
    let corrupt = |corruption| JournalError::Corrupt {
        path: scanner.path().to_path_buf(),
        offset: record.offset,
        corruption,
    };
    let commands: Vec<C> = postcard::from_bytes(&record.body).map_err(|e| {
        corrupt(Corruption::BodyUndecodable {
            sequence,
            reason: e.to_string(),
        })
    })?;
    if u32::try_from(commands.len()).ok() != Some(record.header.command_count) {
        return Err(corrupt(Corruption::CommandCountMismatch {
            sequence,
            declared: record.header.command_count,
            found: commands.len(),
        }));
    }
    Ok(commands)
}

/// What the end of the journal looks like next to its head marker, gathered during a scan.
pub(crate) struct Tail {
    marker: Marker,
    /// The hash of the record the marker names, once the scan passed it.
    acknowledged_hash: Option<Hash>,
    /// A damaged or partial record after the last valid one: its offset and what is wrong.
    pub torn: Option<(u64, Corruption)>,
}

impl Tail {
    /// Starts watching a scan positioned at genesis.
    pub fn new(marker: Marker, scanner: &Scanner) -> Tail {
        let at_genesis = marker.acknowledged().is_some_and(|ack| ack.sequence == 0);
        Tail {
            marker,
            acknowledged_hash: at_genesis.then(|| scanner.position().prev_hash),
            torn: None,
        }
    }

    pub fn passed(&mut self, record: &ScannedRecord) {
        if let Some(ack) = self.marker.acknowledged()
            && ack.sequence == record.header.sequence
        {
            self.acknowledged_hash = Some(record.hash);
        }
    }

    /// Decides, once the scan stopped, whether the end of the journal is an unacknowledged torn
    /// write (`Ok`: cut it) or a damaged or missing acknowledged record (refuse). The scanner
    /// stands after the last valid record. See [`crate::head`] for why no crash leads to `Err`.
    pub fn judge(&self, head_path: &Path, scanner: &Scanner) -> Result<(), JournalError> {
        let end = scanner.position();
        let head_sequence = end.next_sequence - 1;
        match self.marker {
            Marker::Absent => Ok(()),
            Marker::Damaged => match &self.torn {
                None => {
                    tracing::warn!(head = %head_path.display(),
                        "the journal's head marker is damaged; the journal ends cleanly, so it is \
                         rewritten (a record removed whole from the end would go unnoticed)");
                    Ok(())
                }
                Some((offset, _)) => Err(JournalError::HeadDamaged {
                    head: head_path.to_path_buf(),
                    path: scanner.path().to_path_buf(),
                    offset: *offset,
                }),
            },
            Marker::Valid(ack) if ack.sequence > head_sequence => {
                let (offset, damage) = match &self.torn {
                    Some((offset, reason)) => (*offset, format!("damaged ({reason})")),
                    None if ack.segment > end.segment => (
                        end.offset,
                        format!(
                            "missing (the journal ends here; segment {} held record {} and is gone)",
                            segment::file_name(ack.segment),
                            ack.sequence
                        ),
                    ),
                    None => (end.offset, "missing (the journal ends here)".to_string()),
                };
                Err(JournalError::AcknowledgedRecordLost {
                    path: scanner.path().to_path_buf(),
                    offset,
                    first_missing: head_sequence + 1,
                    acknowledged: ack.sequence,
                    damage,
                })
            }
            Marker::Valid(ack) => match self.acknowledged_hash {
                Some(hash) if hash != ack.hash => Err(JournalError::HeadMismatch {
                    head: head_path.to_path_buf(),
                    sequence: ack.sequence,
                }),
                _ => Ok(()),
            },
        }
    }
}
