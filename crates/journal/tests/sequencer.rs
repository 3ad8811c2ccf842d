//! Sequencer behaviour: group commit with per-caller results, linearizable reads, limits, ticks,
//! periodic snapshots, shutdown and restart.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use std::time::Duration;

use common::Tape;
use journal::{Sequencer, SequencerConfig, SequencerError, recover, verify};

fn config() -> SequencerConfig {
    SequencerConfig {
        batch_commands_max: 64,
        queue_requests_max: 128,
        tick_interval: None,
        snapshot_every_records: 0,
        snapshot_every_bytes: 0,
        segment_bytes_max: 0,
    }
}

/// The running total after the command at `position` of the tape.
fn total_at(tape: &Tape, position: usize) -> u64 {
    tape.commands[..=position]
        .iter()
        .fold(0u64, |a, c| a.wrapping_add(*c))
}

#[test]
fn concurrent_submitters_each_get_their_own_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sequencer = Sequencer::<Tape>::start(dir.path(), config()).expect("starts");
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let handle = sequencer.handle();
            std::thread::spawn(move || {
                (0..150u64)
                    .map(|i| {
                        let command = t * 1_000 + i;
                        (command, handle.submit_blocking(command).expect("applied"))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let answers: Vec<(u64, u64)> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("thread"))
        .collect();
    let tape = sequencer
        .handle()
        .read_blocking(|tape: &Tape| tape.clone())
        .expect("reads");
    assert_eq!(tape.commands.len(), 1_200);
    for (command, total) in &answers {
        let position = tape
            .commands
            .iter()
            .position(|c| c == command)
            .expect("present");
        assert_eq!(*total, total_at(&tape, position), "result of {command}");
    }
    for t in 0..8u64 {
        let mine: Vec<u64> = tape
            .commands
            .iter()
            .copied()
            .filter(|c| c / 1_000 == t)
            .collect();
        assert_eq!(mine, (0..150).map(|i| t * 1_000 + i).collect::<Vec<_>>());
    }
    let metrics = sequencer.handle().metrics();
    assert_eq!(metrics.commands, 1_200);
    assert_eq!(metrics.records, tape.batches);
    sequencer.shutdown().expect("stops");

    let recovered = recover::<Tape>(dir.path()).expect("recovers");
    assert_eq!(recovered.state, tape);
    drop(recovered);
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!(report.commands, 1_200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_submit_submit_many_and_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sequencer = Sequencer::<Tape>::start(dir.path(), config()).expect("starts");
    let handle = sequencer.handle();
    assert_eq!(handle.submit(5).await, Ok(5));
    assert_eq!(handle.submit_many(vec![1, 2, 3]).await, Ok(vec![6, 8, 11]));
    assert_eq!(handle.submit_many(Vec::new()).await, Ok(Vec::new()));
    let tasks: Vec<_> = (0..20u64).map(|i| tokio::spawn(handle.submit(i))).collect();
    for task in tasks {
        task.await.expect("task").expect("applied");
    }
    let total = handle.read(|tape: &Tape| tape.total).await.expect("reads");
    assert_eq!(total, 11 + (0..20).sum::<u64>());
    let too_many = handle.submit_many(vec![0; 65]).await;
    assert_eq!(
        too_many,
        Err(SequencerError::TooManyCommands { count: 65, max: 64 })
    );
    tokio::task::spawn_blocking(move || sequencer.shutdown())
        .await
        .expect("joins")
        .expect("stops");
    assert_eq!(handle.submit(1).await, Err(SequencerError::Stopped));
}

#[test]
fn idle_ticks_commit_empty_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut tick_config = config();
    tick_config.tick_interval = Some(Duration::from_millis(10));
    let sequencer = Sequencer::<Tape>::start(dir.path(), tick_config).expect("starts");
    let handle = sequencer.handle();
    // Ticks every 10 ms; a loaded CI machine may be slow to schedule them, so wait up to 5 s
    // for three rather than sleeping a fixed 150 ms.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut batches = 0;
    while batches < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        batches = handle
            .read_blocking(|tape: &Tape| tape.batches)
            .expect("reads");
    }
    assert!(batches >= 3, "only {batches} ticks");
    assert_eq!(handle.metrics().commands, 0);
    sequencer.shutdown().expect("stops");
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert!(report.records >= batches);
    assert_eq!(report.commands, 0);
}

#[test]
fn snapshots_every_n_records_and_on_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut snap_config = config();
    snap_config.snapshot_every_records = 3;
    let sequencer = Sequencer::<Tape>::start(dir.path(), snap_config.clone()).expect("starts");
    let handle = sequencer.handle();
    for i in 0..10 {
        handle.submit_blocking(i).expect("applied");
    }
    // Snapshots are written in the background, one at a time: one falling due while another
    // is in flight waits for it, so up to three were written by now.
    assert!(handle.metrics().snapshots <= 3, "{:?}", handle.metrics());
    sequencer.shutdown().expect("stops");

    let snapshots = std::fs::read_dir(dir.path())
        .expect("lists")
        .filter(|e| {
            let name = e.as_ref().expect("entry").file_name();
            name.to_string_lossy().ends_with(".snap")
        })
        .count();
    assert_eq!(snapshots, 2, "the two newest are kept");
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!((report.records, report.snapshots_checked), (10, 2));

    // Restart: state comes from the shutdown snapshot, and sequence numbers continue.
    let sequencer = Sequencer::<Tape>::start(dir.path(), snap_config).expect("restarts");
    assert_eq!(sequencer.recovery_report().snapshot_sequence, Some(10));
    assert_eq!(sequencer.recovery_report().records_replayed, 0);
    assert_eq!(sequencer.handle().submit_blocking(100), Ok(145));
    drop(sequencer);
    let report = verify::<Tape>(dir.path()).expect("verifies");
    assert_eq!((report.records, report.head_sequence), (11, 11));
}

#[test]
fn bulk_submissions_larger_than_a_batch_are_split_across_records_by_caller() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sequencer = Sequencer::<Tape>::start(dir.path(), config()).expect("starts");
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let handle = sequencer.handle();
            std::thread::spawn(move || {
                for round in 0..10u64 {
                    let commands = vec![t * 100 + round; 40];
                    let results = handle.submit_many_blocking(commands).expect("applied");
                    assert_eq!(results.len(), 40);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread");
    }
    sequencer.shutdown().expect("stops");
    // No record exceeds the limit, and each submit_many stayed whole inside one record.
    for batch in journal::JournalReader::<u64>::open(dir.path()).expect("opens") {
        let batch = batch.expect("valid");
        assert!(batch.commands.len() <= 64);
        assert_eq!(batch.commands.len() % 40, 0);
    }
}

#[test]
fn a_second_writer_on_the_same_journal_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sequencer = Sequencer::<Tape>::start(dir.path(), config()).expect("starts");
    let second = Sequencer::<Tape>::start(dir.path(), config()).err();
    assert!(
        matches!(second, Some(journal::JournalError::Locked(_))),
        "{second:?}"
    );
    // Reading and verifying need no lock.
    assert_eq!(journal::read_kind(dir.path()).expect("kind"), "tape");
    verify::<Tape>(dir.path()).expect("verifies while running");
    sequencer.shutdown().expect("stops");
    let restarted = Sequencer::<Tape>::start(dir.path(), config()).expect("lock released");
    restarted.shutdown().expect("stops");
}
