//! Snapshots are written off the sequencer thread: commits and reads go on while one is being
//! encoded (shown by construction: a machine whose encode blocks until the test lets it go),
//! the snapshot holds the state of the record it names, and a failed one is not fatal.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use journal::{Sequencer, SequencerConfig, StateMachine, recover, verify};
use serde::{Deserialize, Serialize};

/// Once set, the first `encode_snapshot` of a state starting with [`GATED`] takes it, reports
/// its state's length and waits for the release.
struct Gate {
    entered: Sender<usize>,
    release: Receiver<()>,
}

static GATE: Mutex<Option<Gate>> = Mutex::new(None);

/// The first command of the test whose snapshot is held (other tests run beside it).
const GATED: u64 = 7_000_001;

/// Keeps every command; its snapshot encode can be held at the gate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Gated {
    commands: Vec<u64>,
}

impl StateMachine for Gated {
    type Command = u64;
    type Outcome = usize;
    const KIND: &'static str = "gated";

    fn apply(&mut self, _timestamp: u64, commands: &[u64]) -> Vec<usize> {
        commands
            .iter()
            .map(|c| {
                self.commands.push(*c);
                self.commands.len()
            })
            .collect()
    }

    fn encode_snapshot(&self) -> Vec<u8> {
        let gate = if self.commands.first() == Some(&GATED) {
            GATE.lock().expect("gate").take()
        } else {
            None
        };
        if let Some(gate) = gate {
            gate.entered.send(self.commands.len()).expect("test waits");
            gate.release.recv().expect("test releases");
        }
        postcard::to_allocvec(self).expect("encodes")
    }

    fn decode_snapshot(bytes: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(bytes).map_err(|e| e.to_string())
    }

    fn check_invariants(&self) -> Result<(), String> {
        Ok(())
    }

    fn fresh() -> Self {
        Gated::default()
    }
}

fn config(every: u64) -> SequencerConfig {
    SequencerConfig {
        tick_interval: None,
        snapshot_every_records: every,
        snapshot_every_bytes: 0,
        ..SequencerConfig::default()
    }
}

fn snapshot_sequences(dir: &Path) -> Vec<u64> {
    let mut found: Vec<u64> = std::fs::read_dir(dir)
        .expect("lists")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().to_string();
            name.strip_prefix("snapshot-")?
                .strip_suffix(".snap")?
                .parse()
                .ok()
        })
        .collect();
    found.sort_unstable();
    found
}

#[test]
fn commits_and_reads_go_on_while_a_snapshot_is_encoded() {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    *GATE.lock().expect("gate") = Some(Gate {
        entered: entered_tx,
        release: release_rx,
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let sequencer = Sequencer::<Gated>::start(dir.path(), config(2)).expect("starts");
    let handle = sequencer.handle();
    handle.submit_blocking(GATED).expect("applied");
    handle.submit_blocking(2).expect("applied");
    // Record 2 made a snapshot due: its encode now waits at the gate, holding the state of
    // records 1 and 2 (rebuilt by the snapshot thread, not the sequencer's own).
    let held = entered
        .recv_timeout(Duration::from_secs(30))
        .expect("the snapshot reaches its encode");
    assert_eq!(held, 2);

    // Were the sequencer waiting for that encode, none of this would finish; a thread does it
    // so that the test fails instead of hanging.
    let worker = handle.clone();
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        for i in 3..=60 {
            worker.submit_blocking(i).expect("applied");
        }
        let seen = worker
            .read_blocking(|state: &Gated| state.commands.len())
            .expect("reads");
        done_tx.send(seen).expect("test waits");
    });
    let seen = done
        .recv_timeout(Duration::from_secs(30))
        .expect("commits and reads finished while the snapshot was held");
    assert_eq!(seen, 60);
    assert_eq!(
        handle.metrics().snapshots,
        0,
        "the held snapshot is not done"
    );
    assert!(snapshot_sequences(dir.path()).is_empty());

    // Let the held snapshot finish (the gate was for it alone).
    release.send(()).expect("snapshot waits");
    sequencer.shutdown().expect("stops");

    // The held snapshot names record 2 and holds exactly its state (verify compares every
    // snapshot with the replay at its record, byte for byte); shutdown wrote the newest.
    let sequences = snapshot_sequences(dir.path());
    assert_eq!(sequences.first(), Some(&2), "{sequences:?}");
    assert_eq!(sequences.last(), Some(&60), "{sequences:?}");
    let report = verify::<Gated>(dir.path()).expect("verifies");
    assert_eq!(report.records, 60);
    assert_eq!(
        report.snapshots_checked,
        u64::try_from(sequences.len()).expect("few")
    );
    let recovered = recover::<Gated>(dir.path()).expect("recovers");
    assert_eq!(recovered.report.snapshot_sequence, Some(60));
    let mut expected = vec![GATED];
    expected.extend(2..=60);
    assert_eq!(recovered.state.commands, expected);
}

#[test]
fn a_failed_background_snapshot_is_logged_and_tried_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sequencer = Sequencer::<Gated>::start(dir.path(), config(2)).expect("starts");
    let handle = sequencer.handle();
    // The snapshot of record 2 cannot create its temporary file.
    let blocker = dir.path().join("snapshot-00000000000000000002.snap.tmp");
    std::fs::create_dir(&blocker).expect("creates");
    for i in 1..=2 {
        handle.submit_blocking(i).expect("applied");
    }
    // Commits go on; later snapshots fall due and are written.
    for i in 3..=40 {
        handle
            .submit_blocking(i)
            .expect("applied after the failed snapshot");
    }
    sequencer.shutdown().expect("stops");
    std::fs::remove_dir(&blocker).expect("removes");
    let sequences = snapshot_sequences(dir.path());
    assert!(!sequences.contains(&2), "{sequences:?}");
    assert_eq!(sequences.last(), Some(&40), "{sequences:?}");
    verify::<Gated>(dir.path()).expect("verifies");
    let recovered = recover::<Gated>(dir.path()).expect("recovers");
    assert_eq!(recovered.report.snapshot_sequence, Some(40));
    assert_eq!(recovered.state.commands, (1..=40).collect::<Vec<u64>>());
}
