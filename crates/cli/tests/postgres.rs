//! `kliring verify --postgres`: a demo hub's journal moved into PostgreSQL (seeded at the first
//! `--postgres` start) verifies with the same head hash as the file, and a row altered in the
//! database fails verification. Needs the cluster scripts/test starts (`KLIRING_TEST_POSTGRES`);
//! skips loudly without it, fails under CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{kliring, stdout_json};

#[test]
fn verify_postgres_checks_the_journal_in_the_database() {
    let Some(url) = journal_pg::testing::scratch_database() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("hub");
    let dir_str = dir.to_str().unwrap();
    stdout_json(&kliring(&[
        "demo",
        "--payments",
        "50",
        "--json",
        "--data",
        dir_str,
    ]));
    let config = journal::SequencerConfig {
        tick_interval: None,
        ..journal::SequencerConfig::default()
    };
    let started = journal_pg::start::<hub::Hub>(&url, &dir, config, false).expect("starts");
    assert!(
        started.reconciled.seeded > 0,
        "the demo's journal is seeded"
    );
    started.sequencer.shutdown().expect("stops");

    let from_file = stdout_json(&kliring(&["verify", "--data", dir_str, "--json"]));
    let from_postgres = stdout_json(&kliring(&["verify", "--postgres", &url, "--json"]));
    assert_eq!(from_postgres["kind"], "hub");
    assert_eq!(from_postgres["head_hash"], from_file["head_hash"]);
    assert_eq!(from_postgres["records"], from_file["records"]);

    let mut db = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    // Rewrite record 3 with a flipped body byte and a matching hash column: only the chain and
    // checksums can tell.
    let row = db
        .query_one("SELECT record FROM kliring_journal WHERE seq = 3", &[])
        .unwrap();
    let mut record: Vec<u8> = row.get(0);
    let last = record.len() - 1;
    record[last] ^= 0x01;
    let hash = blake3::hash(&record);
    db.execute(
        "UPDATE kliring_journal SET record = $1, hash = $2 WHERE seq = 3",
        &[&record, &hash.as_bytes().as_slice()],
    )
    .unwrap();
    let output = kliring(&["verify", "--postgres", &url]);
    assert!(!output.status.success(), "a tampered record verifies");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("checksum"), "says what is wrong: {stderr}");
}
