//! A tiny deterministic state machine for journal tests: it records every command it applied,
//! so a recovered state shows exactly which batches survived.

#![allow(dead_code)] // each test binary uses a different part of this module

use journal::StateMachine;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Keeps every applied command and the timestamps of the batches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tape {
    pub commands: Vec<u64>,
    pub batches: u64,
    pub total: u64,
}

impl StateMachine for Tape {
    type Command = u64;
    /// The running total after the command.
    type Outcome = u64;
    const KIND: &'static str = "tape";

    fn apply(&mut self, _timestamp: u64, commands: &[u64]) -> Vec<u64> {
        self.batches += 1;
        commands
            .iter()
            .map(|c| {
                self.commands.push(*c);
                self.total = self.total.wrapping_add(*c);
                self.total
            })
            .collect()
    }

    fn encode_snapshot(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("tape encodes")
    }

    fn decode_snapshot(bytes: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(bytes).map_err(|e| e.to_string())
    }

    fn check_invariants(&self) -> Result<(), String> {
        let sum = self.commands.iter().fold(0u64, |a, c| a.wrapping_add(*c));
        if sum == self.total {
            Ok(())
        } else {
            Err(format!("total {} but commands sum to {sum}", self.total))
        }
    }

    fn fresh() -> Self {
        Tape::default()
    }
}

/// The state a sequence of batches should produce.
pub fn model(batches: &[Vec<u64>]) -> Tape {
    let mut tape = Tape::fresh();
    for (i, batch) in batches.iter().enumerate() {
        tape.apply(u64::try_from(i).expect("small") + 1, batch);
    }
    tape
}

/// Appends `batches` to the journal in `dir` (created if needed), one record each, at
/// timestamps 1, 2, ...; returns the state.
pub fn write_batches(dir: &Path, batches: &[Vec<u64>]) -> Tape {
    let mut recovered = journal::recover::<Tape>(dir).expect("recovers");
    for batch in batches {
        let timestamp = recovered.journal.last_timestamp() + 1;
        recovered.journal.append(timestamp, batch).expect("appends");
        recovered.state.apply(timestamp, batch);
    }
    recovered.state
}

/// Appends `batch` as one durable record that was never acknowledged: the writer stopped after
/// the record's `fdatasync` and before its head marker, like a batch in flight at a crash.
pub fn write_unacknowledged(dir: &Path, batch: &[u64]) {
    let mut recovered = journal::recover::<Tape>(dir).expect("recovers");
    let timestamp = recovered.journal.last_timestamp() + 1;
    recovered
        .journal
        .append_durable(timestamp, batch)
        .expect("appends");
}

/// Byte offsets of every record, in order.
pub fn record_offsets(dir: &Path) -> Vec<u64> {
    journal::JournalReader::<u64>::open(dir)
        .expect("opens")
        .map(|batch| batch.expect("valid").offset)
        .collect()
}

pub fn log_path(dir: &Path) -> std::path::PathBuf {
    dir.join("journal.log")
}

pub fn read_log(dir: &Path) -> Vec<u8> {
    std::fs::read(log_path(dir)).expect("reads log")
}

pub fn write_log(dir: &Path, bytes: &[u8]) {
    std::fs::write(log_path(dir), bytes).expect("writes log")
}

/// A journal of the sample batches, each acknowledged, and the offsets of its records.
pub fn sample_journal() -> (tempfile::TempDir, Vec<u64>) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_batches(dir.path(), &sample_batches());
    let offsets = record_offsets(dir.path());
    assert_eq!(offsets.len(), 5);
    (dir, offsets)
}

/// Five batches of different sizes, including an empty one.
pub fn sample_batches() -> Vec<Vec<u64>> {
    vec![vec![1, 2, 3], vec![10], vec![], vec![100, 200], vec![7; 20]]
}

/// The segment files of `dir` with their first sequence, in order.
pub fn segment_files(dir: &Path) -> Vec<(u64, std::path::PathBuf)> {
    let mut found: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir(dir)
        .expect("lists")
        .filter_map(|entry| {
            let path = entry.expect("entry").path();
            let name = path.file_name()?.to_str()?.to_string();
            let first = if name == "journal.log" {
                1
            } else {
                name.strip_prefix("journal-")?
                    .strip_suffix(".log")?
                    .parse()
                    .ok()?
            };
            Some((first, path))
        })
        .collect();
    found.sort();
    found
}

/// Recovers `dir`, expecting exactly the acknowledged sample batches and the log cut back to
/// `clean_len` bytes (a torn tail removed).
pub fn assert_starts_with_the_sample_cut_to(dir: &Path, clean_len: usize) {
    let recovered = journal::recover::<Tape>(dir).expect("starts");
    assert_eq!(recovered.report.head_sequence, 5);
    assert_eq!(recovered.state, model(&sample_batches()));
    drop(recovered);
    assert_eq!(read_log(dir).len(), clean_len);
}
