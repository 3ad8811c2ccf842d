//! The journal with PostgreSQL as its system of record, against a real server (see
//! `common::database`): records reach PostgreSQL before the answer, a new machine rebuilds the
//! journal from it, unacknowledged local records are cut (acknowledged ones refused),
//! divergence and a second writer are refused, a lost connection stops the sequencer, and the exported journal verifies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use std::path::Path;

use common::{Tape, connect, database, pg_records, standby};
use journal::{JournalReader, Sequencer, SequencerConfig, SequencerError};
use journal_pg::PgError;

fn config() -> SequencerConfig {
    SequencerConfig {
        tick_interval: None,
        ..SequencerConfig::default()
    }
}

fn start(url: &str, dir: &Path) -> Result<journal_pg::Started<Tape>, PgError> {
    journal_pg::start::<Tape>(url, dir, config(), false)
}

/// Commits each command as its own record, through PostgreSQL.
fn submit_all(sequencer: &Sequencer<Tape>, commands: &[u64]) {
    let handle = sequencer.handle();
    for command in commands {
        handle.submit_blocking(*command).expect("committed");
    }
}

fn state(sequencer: &Sequencer<Tape>) -> Tape {
    sequencer.handle().read_blocking(Tape::clone).expect("read")
}

fn head_hash(dir: &Path) -> String {
    journal::verify::<Tape>(dir).expect("verifies").head_hash
}

#[test]
fn each_record_is_in_postgres_before_its_caller_is_answered() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let started = start(&url, dir.path()).unwrap();
    let handle = started.sequencer.handle();
    for (i, command) in [7u64, 8, 9].into_iter().enumerate() {
        handle.submit_blocking(command).unwrap();
        // Read while the sequencer still runs: the answered record is already committed.
        let row = connect(&url)
            .query_one(
                "SELECT record FROM kliring_journal WHERE seq = $1",
                &[&(i as i64 + 1)],
            )
            .expect("the answered record is in PostgreSQL");
        let record: Vec<u8> = row.get(0);
        let last: Vec<u8> = std::fs::read(dir.path().join("journal.log")).unwrap();
        assert!(last.ends_with(&record), "PostgreSQL holds the file's bytes");
    }
    assert_eq!(pg_records(&url), 3);
}

#[test]
fn a_fresh_data_dir_is_rebuilt_from_postgres_with_the_same_state() {
    let Some(url) = database() else { return };
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let started = start(&url, first.path()).unwrap();
    submit_all(&started.sequencer, &[1, 2, 3, 4]);
    let before = state(&started.sequencer);
    started.sequencer.shutdown().unwrap();

    let rebuilt = start(&url, second.path()).unwrap();
    assert_eq!(rebuilt.reconciled.extended, 4);
    assert_eq!(state(&rebuilt.sequencer), before);
    rebuilt.sequencer.shutdown().unwrap();
    assert_eq!(head_hash(second.path()), head_hash(first.path()));
}

#[test]
fn local_records_postgres_never_committed_are_cut() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let started = start(&url, dir.path()).unwrap();
    submit_all(&started.sequencer, &[1, 2, 3]);
    started.sequencer.shutdown().unwrap();
    // The sink's commit fails after the local fsync: the record stays in the file, its caller
    // gets an error, and the head marker never names it.
    let failing =
        Sequencer::<Tape>::start_with_sink(dir.path(), config(), Box::new(UnreachableSink))
            .unwrap();
    assert!(failing.handle().submit_blocking(40).is_err());
    assert!(failing.shutdown().is_err(), "the sequencer stopped");
    assert_eq!(JournalReader::<u64>::open(dir.path()).unwrap().count(), 4);

    let restarted = start(&url, dir.path()).unwrap();
    assert_eq!(restarted.reconciled.cut, 1);
    assert_eq!(state(&restarted.sequencer).commands, vec![1, 2, 3]);
}

/// A system of record that never commits.
struct UnreachableSink;

impl journal::RecordSink for UnreachableSink {
    fn committed(&mut self, _: u64, _: &journal::format::Hash, _: &[u8]) -> Result<(), String> {
        Err("database unreachable".to_string())
    }
}

#[test]
fn archived_segments_reconcile_from_the_first_present_record() {
    let Some(url) = database() else { return };
    let (dir, archive) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let segmented = SequencerConfig {
        segment_bytes_max: 256,
        snapshot_every_records: 10,
        ..config()
    };
    let started = journal_pg::start::<Tape>(&url, dir.path(), segmented.clone(), false).unwrap();
    submit_all(&started.sequencer, &(1..=30).collect::<Vec<u64>>());
    let before = state(&started.sequencer);
    started.sequencer.shutdown().unwrap();
    let moved = journal::segment::archive(dir.path(), archive.path(), 30).unwrap();
    assert!(!moved.is_empty());
    assert!(!dir.path().join("journal.log").exists());

    let restarted = journal_pg::start::<Tape>(&url, dir.path(), segmented, false).unwrap();
    assert_eq!(
        (restarted.reconciled.cut, restarted.reconciled.extended),
        (0, 0)
    );
    assert_eq!(state(&restarted.sequencer), before);
    submit_all(&restarted.sequencer, &[31]);
    restarted.sequencer.shutdown().unwrap();
    assert_eq!(pg_records(&url), 31);
}

#[test]
fn acknowledged_local_records_postgres_lacks_refuse_to_start() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let started = start(&url, dir.path()).unwrap();
    submit_all(&started.sequencer, &[1, 2, 3]);
    started.sequencer.shutdown().unwrap();
    // Served without PostgreSQL for a while: these were answered, so cutting them would lose
    // acknowledged records (as would a database restored from an older backup).
    let embedded = Sequencer::<Tape>::start(dir.path(), config()).unwrap();
    submit_all(&embedded, &[40, 50]);
    embedded.shutdown().unwrap();

    match start(&url, dir.path()) {
        Err(PgError::Journal(journal::JournalError::CutBelowAcknowledged {
            keep: 3,
            acknowledged: 5,
            ..
        })) => {}
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("cut acknowledged records"),
    }
    assert_eq!(JournalReader::<u64>::open(dir.path()).unwrap().count(), 5);
}

#[test]
fn a_different_record_at_a_common_sequence_refuses_to_start() {
    let Some(url) = database() else { return };
    let (ours, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let started = start(&url, ours.path()).unwrap();
    submit_all(&started.sequencer, &[1, 2]);
    started.sequencer.shutdown().unwrap();
    let other = Sequencer::<Tape>::start(theirs.path(), config()).unwrap();
    submit_all(&other, &[1, 99, 3]);
    other.shutdown().unwrap();

    match start(&url, theirs.path()) {
        Err(PgError::Diverged { sequence }) => assert!(sequence <= 2, "names record {sequence}"),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("started on a diverged journal"),
    }
    assert_eq!(pg_records(&url), 2, "nothing was written");
}

#[test]
fn a_second_writer_on_the_same_database_is_refused() {
    let Some(url) = database() else { return };
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let started = start(&url, first.path()).unwrap();
    assert!(matches!(start(&url, second.path()), Err(PgError::Locked)));
    started.sequencer.shutdown().unwrap();
    // The lock goes with the first writer's connection.
    start(&url, second.path()).unwrap();
}

#[test]
fn losing_postgres_stops_the_sequencer_without_acknowledging() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let started = start(&url, dir.path()).unwrap();
    submit_all(&started.sequencer, &[1]);
    let handle = started.sequencer.handle();
    let db: String = connect(&url)
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    connect(&url)
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db],
        )
        .unwrap();
    assert!(matches!(
        handle.submit_blocking(2),
        Err(SequencerError::Journal(_))
    ));
    assert_eq!(handle.submit_blocking(3), Err(SequencerError::Stopped));
    drop(started);
    assert_eq!(pg_records(&url), 1);

    // The unacknowledged record the file kept is cut at the next start.
    let restarted = start(&url, dir.path()).unwrap();
    assert_eq!(restarted.reconciled.cut, 1);
    assert_eq!(state(&restarted.sequencer).commands, vec![1]);
}

#[test]
fn the_journal_in_postgres_exports_and_verifies_and_tampering_is_found() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let started = start(&url, dir.path()).unwrap();
    submit_all(&started.sequencer, &[5, 6, 7]);
    started.sequencer.shutdown().unwrap();

    let exported = tempfile::tempdir().unwrap();
    let report = journal_pg::export(&url, exported.path()).unwrap();
    assert_eq!((report.kind.as_str(), report.records), ("tape", 3));
    assert_eq!(head_hash(exported.path()), head_hash(dir.path()));
    let commands: Vec<u64> = JournalReader::<u64>::open(exported.path())
        .unwrap()
        .flat_map(|batch| batch.unwrap().commands)
        .collect();
    assert_eq!(commands, vec![5, 6, 7]);

    // Flip one byte of record 2's body, as an intruder with database access might.
    connect(&url)
        .execute(
            "UPDATE kliring_journal SET record = overlay(record placing '\\x01'::bytea from length(record)) WHERE seq = 2",
            &[],
        )
        .unwrap();
    let tampered = tempfile::tempdir().unwrap();
    match journal_pg::export(&url, tampered.path()) {
        Err(PgError::BadRecord { sequence: 2, .. }) => {}
        other => panic!("tampering not found: {other:?}"),
    }
}

#[test]
fn an_embedded_data_dir_seeds_a_database_that_never_held_a_journal() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let embedded = Sequencer::<Tape>::start(dir.path(), config()).unwrap();
    submit_all(&embedded, &[1, 2]);
    embedded.shutdown().unwrap();

    let started = start(&url, dir.path()).unwrap();
    assert_eq!(started.reconciled.seeded, 2);
    assert_eq!(started.reconciled.cut, 0);
    submit_all(&started.sequencer, &[3]);
    assert_eq!(state(&started.sequencer).commands, vec![1, 2, 3]);
    assert_eq!(pg_records(&url), 3);
}

#[test]
fn with_a_synchronous_standby_an_answered_record_is_already_on_the_standby() {
    let Some(url) = database() else { return };
    let Some(standby_url) = standby(&url) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let started = journal_pg::start::<Tape>(&url, dir.path(), config(), true).unwrap();
    assert!(started.replication.is_synchronous());
    submit_all(&started.sequencer, &[11, 12]);
    // The primary runs synchronous_commit = remote_apply: the answer waited for the standby.
    let on_standby: i64 = connect(&standby_url)
        .query_one("SELECT count(*) FROM kliring_journal", &[])
        .expect("the standby has the table")
        .get(0);
    assert_eq!(on_standby, 2);
}

#[test]
fn require_sync_refuses_commits_that_do_not_wait_for_a_standby() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    // This session commits locally whatever the server's standbys.
    let local = format!("{url}?options=-c%20synchronous_commit%3Dlocal");
    let refused = journal_pg::start::<Tape>(&local, dir.path(), config(), true);
    assert!(matches!(refused, Err(PgError::NotSynchronous(_))));
    let started = start(&local, dir.path()).unwrap();
    assert!(!started.replication.is_synchronous());
}
