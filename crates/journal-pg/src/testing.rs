//! For the test suites of kliring's crates (journal-pg, server, cli), not used at run time: a
//! scratch database on the PostgreSQL server `scripts/test` starts.

#![allow(
    clippy::expect_used,
    reason = "test support: a test fails by panicking"
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Names the PostgreSQL server for the tests (`scripts/test` sets it).
pub const POSTGRES_VAR: &str = "KLIRING_TEST_POSTGRES";

/// The URL of a new, empty database, or `None` (with a loud message) when no server is
/// configured. Under CI (`CI=true`) a missing server fails the test: CI never skips silently.
pub fn scratch_database() -> Option<String> {
    static CREATED: AtomicU64 = AtomicU64::new(0);
    let Ok(base) = std::env::var(POSTGRES_VAR) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{POSTGRES_VAR} is not set under CI: run the suite through scripts/test"
        );
        eprintln!(
            "SKIPPED: {POSTGRES_VAR} is not set; run scripts/test to test against PostgreSQL"
        );
        return None;
    };
    // Unique across the test binaries running at once on one server: process, clock, counter.
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "kliring_test_{}_{nanos}_{}",
        std::process::id(),
        CREATED.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin =
        postgres::Client::connect(&base, postgres::NoTls).expect("connect to the test server");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    let (prefix, _) = base.rsplit_once('/').expect("URL names a database");
    Some(format!("{prefix}/{name}"))
}
