//! Shared by the PostgreSQL tests: a fresh database per test on the cluster scripts/test starts,
//! and a tiny deterministic state machine whose state shows which batches survived.

#![allow(dead_code)] // each test binary uses a different part of this module

use journal::StateMachine;
use serde::{Deserialize, Serialize};

pub use journal_pg::testing::scratch_database as database;

/// Names the synchronous hot standby of that server (`scripts/test` sets it).
pub const STANDBY_VAR: &str = "KLIRING_TEST_POSTGRES_STANDBY";

/// The URL of database `url` on the synchronous standby, or `None` (loudly; failing under CI)
/// when no standby is configured.
pub fn standby(url: &str) -> Option<String> {
    let Ok(base) = std::env::var(STANDBY_VAR) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{STANDBY_VAR} is not set under CI: run the suite through scripts/test"
        );
        eprintln!("SKIPPED: {STANDBY_VAR} is not set; run scripts/test for a synchronous standby");
        return None;
    };
    let (_, name) = url.rsplit_once('/').expect("URL names a database");
    let (prefix, _) = base.rsplit_once('/').expect("URL names a database");
    Some(format!("{prefix}/{name}"))
}

/// A plain connection to a test database.
pub fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("connect")
}

/// Number of records PostgreSQL holds.
pub fn pg_records(url: &str) -> i64 {
    connect(url)
        .query_one("SELECT count(*) FROM kliring_journal", &[])
        .expect("count")
        .get(0)
}

/// Keeps every applied command.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tape {
    pub commands: Vec<u64>,
}

impl StateMachine for Tape {
    type Command = u64;
    /// How many commands were applied so far.
    type Outcome = usize;
    const KIND: &'static str = "tape";

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
        postcard::to_allocvec(self).expect("tape encodes")
    }

    fn decode_snapshot(bytes: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(bytes).map_err(|e| e.to_string())
    }

    fn check_invariants(&self) -> Result<(), String> {
        Ok(())
    }

    fn fresh() -> Self {
        Tape::default()
    }
}
