//! The journal with PostgreSQL as its system of record, against a real server (see
//! `common::database`): records reach PostgreSQL before the answer, a new machine rebuilds the
//! journal from it, unacknowledged local records are cut (acknowledged ones refused),
//! divergence and a second writer are refused, a lost connection or a commit that takes too long
//! is answered as unavailable and the hub follows what PostgreSQL decided, a standby follows the
//! leader and takes over, and the exported journal verifies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Tape, connect, database, pg_records, standby};
use journal::{JournalReader, Role, Sequencer, SequencerConfig, SequencerError};
use journal_pg::{PgError, StartOptions};

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

/// Waits up to 20 s for `done`; the test fails if it never holds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Submits `command` until it is committed (the hub may be taking the lead again).
fn submit_eventually(sequencer: &Sequencer<Tape>, command: u64) {
    let handle = sequencer.handle();
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Err(error) = handle.submit_blocking(command) {
        assert!(
            Instant::now() < deadline,
            "the hub takes no writes: {error:?}, {:?}",
            handle.status()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn start_with(url: &str, dir: &Path, options: StartOptions) -> journal_pg::Started<Tape> {
    journal_pg::start_with_options::<Tape>(&url.parse().unwrap(), dir, config(), &options).unwrap()
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
    assert!(matches!(
        failing.handle().submit_blocking(40),
        Err(SequencerError::Unavailable(_))
    ));
    let status = failing.handle().status();
    assert_eq!(status.role, Role::Standby, "it stopped leading");
    assert!(status.problem.unwrap().contains("database unreachable"));
    assert!(matches!(
        failing.handle().submit_blocking(41),
        Err(SequencerError::Unavailable(_))
    ));
    failing.shutdown().unwrap();
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

    fn still_leading(&mut self) -> Result<(), String> {
        Err("database unreachable".to_string())
    }

    fn try_lead(&mut self) -> Result<journal::Leadership, String> {
        Err("database unreachable".to_string())
    }

    fn records_after(&mut self, _: u64) -> Result<Vec<Vec<u8>>, String> {
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
fn a_lost_session_is_not_acknowledged_and_the_hub_leads_again_on_a_new_one() {
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
    // Either the idle check or this commit finds the session gone; neither acknowledges.
    assert!(matches!(
        handle.submit_blocking(2),
        Err(SequencerError::Unavailable(_))
    ));
    submit_eventually(&started.sequencer, 3);
    assert_eq!(state(&started.sequencer).commands, vec![1, 3]);
    assert_eq!(pg_records(&url), 2);
    assert_eq!(handle.status().role, Role::Leader);
    started.sequencer.shutdown().unwrap();
    assert_eq!(head_hash(dir.path()), {
        let exported = tempfile::tempdir().unwrap();
        journal_pg::export(&url, exported.path()).unwrap();
        head_hash(exported.path())
    });
}

#[test]
fn a_commit_that_waits_too_long_is_unavailable_and_cut_when_postgres_lacks_it() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let options = StartOptions {
        commit_timeout: Duration::from_millis(500),
        ..StartOptions::default()
    };
    let started = start_with(&url, dir.path(), options);
    submit_all(&started.sequencer, &[1]);
    // Another session locks the table: the INSERT waits, as behind a vanished standby.
    let mut blocker = connect(&url);
    let mut blocking = blocker.transaction().unwrap();
    blocking
        .batch_execute("LOCK TABLE kliring_journal IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let handle = started.sequencer.handle();
    let asked = Instant::now();
    match handle.submit_blocking(2) {
        Err(SequencerError::Unavailable(reason)) => assert!(reason.contains("did not answer")),
        other => panic!("not refused: {other:?}"),
    }
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "answered at the timeout"
    );
    // The status says why at once, even while the sequencer waits on the locked table.
    let status = handle.status();
    assert_eq!(status.role, Role::Standby);
    assert!(status.problem.is_some());
    assert!(
        handle.submit_blocking(3).is_err(),
        "no writes while PostgreSQL is stuck"
    );
    blocking.rollback().unwrap();
    submit_eventually(&started.sequencer, 4);
    assert_eq!(state(&started.sequencer).commands, vec![1, 4]);
    assert_eq!(pg_records(&url), 2);
}

#[test]
fn a_commit_postgres_finishes_after_the_timeout_is_kept() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let options = StartOptions {
        commit_timeout: Duration::from_millis(500),
        ..StartOptions::default()
    };
    let started = start_with(&url, dir.path(), options);
    submit_all(&started.sequencer, &[1]);
    // The commit outlasts the timeout and shrugs off the cancel, as a commit does that was
    // already written locally when the wait for the standby is cancelled.
    connect(&url)
        .batch_execute(
            "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN PERFORM pg_sleep(1.5); RETURN NULL; \
             EXCEPTION WHEN query_canceled THEN PERFORM pg_sleep(0.5); RETURN NULL; END $$; \
             CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON kliring_journal \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();",
        )
        .unwrap();
    let handle = started.sequencer.handle();
    assert!(matches!(
        handle.submit_blocking(2),
        Err(SequencerError::Unavailable(_))
    ));
    connect(&url)
        .batch_execute("DROP TRIGGER slow ON kliring_journal")
        .unwrap();
    submit_eventually(&started.sequencer, 3);
    // PostgreSQL committed 2, so the hub applied it: the state follows the table.
    assert_eq!(state(&started.sequencer).commands, vec![1, 2, 3]);
    assert_eq!(pg_records(&url), 3);
}

#[test]
fn a_standby_follows_the_leader_refuses_writes_and_takes_over_when_it_goes() {
    let Some(url) = database() else { return };
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let leader = start(&url, first.path()).unwrap();
    submit_all(&leader.sequencer, &[1, 2]);
    let standby = start_with(
        &url,
        second.path(),
        StartOptions {
            standby: true,
            ..StartOptions::default()
        },
    );
    assert_eq!(standby.reconciled.extended, 2, "caught up at start");
    let handle = standby.sequencer.handle();
    assert_eq!(handle.status().role, Role::Standby);
    assert_eq!(handle.submit_blocking(9), Err(SequencerError::NotLeader));
    submit_all(&leader.sequencer, &[3]);
    eventually("the standby applies the leader's record", || {
        state(&standby.sequencer).commands == vec![1, 2, 3]
    });
    leader.sequencer.shutdown().unwrap();
    eventually("the standby leads", || handle.status().role == Role::Leader);
    submit_all(&standby.sequencer, &[4]);
    assert_eq!(state(&standby.sequencer).commands, vec![1, 2, 3, 4]);
    assert_eq!(pg_records(&url), 4);
    standby.sequencer.shutdown().unwrap();
    // Its own data directory holds the whole journal, chained like the table's.
    let exported = tempfile::tempdir().unwrap();
    journal_pg::export(&url, exported.path()).unwrap();
    assert_eq!(head_hash(second.path()), head_hash(exported.path()));
}

#[test]
fn a_standby_on_a_database_without_a_journal_waits_then_leads_it() {
    let Some(url) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let standby = start_with(
        &url,
        dir.path(),
        StartOptions {
            standby: true,
            ..StartOptions::default()
        },
    );
    // Nobody holds the lock: it takes it and creates the journal.
    submit_eventually(&standby.sequencer, 1);
    standby.sequencer.shutdown().unwrap();
    assert_eq!(pg_records(&url), 1);
    let rebuilt = tempfile::tempdir().unwrap();
    let restarted = start(&url, rebuilt.path()).unwrap();
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
