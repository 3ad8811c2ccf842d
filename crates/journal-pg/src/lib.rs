//! PostgreSQL as the journal's system of record, with synchronous replication left to the
//! PostgreSQL server's own settings.
//!
//! PostgreSQL holds the same records as `journal.log`, byte for byte (header, body, hash chain),
//! in `kliring_journal(seq, hash, record)`, and the file header (so the machine kind) in the
//! one-row `kliring_journal_header`. `journal.log` stays the working copy that recovery reads.
//!
//! # Write path
//! [`PgSink`] is the sequencer's [`journal::RecordSink`]: after a batch's record is appended and
//! fsynced locally it is `INSERT`ed in its own transaction; the `COMMIT` returns only when the
//! server's `synchronous_commit` rule is met, which with `synchronous_standby_names` set means
//! a standby has it. Only then are callers answered. A failure stops the sequencer (callers get
//! 503 from the server), never acknowledging a record PostgreSQL may lack.
//!
//! # Start path ([`start`])
//! Connect, take a session advisory lock (a second kliring on the same database is refused with
//! [`PgError::Locked`]), create the tables if absent, then make `journal.log` agree
//! (`reconcile`): records only PostgreSQL has are appended to the file (each checked like
//! recovery checks it); records only the file has were never acknowledged and are cut with a
//! warning naming them; a common sequence with different hashes refuses to start
//! ([`PgError::Diverged`]). A database that has never held a journal (no header row) is seeded
//! from the local file instead, so an embedded data directory can move to PostgreSQL without
//! losing its history. Then the ordinary recovery and sequencer start with the sink.
//!
//! # Verification
//! [`export`] writes the records in PostgreSQL to a `journal.log` in a directory (without the
//! lock, so an auditor may run it beside a live hub), checking each row's sequence and hash
//! column against its bytes; `journal::verify` then checks that file like any other.

#![deny(missing_docs)]

mod error;
mod export;
mod reconcile;
mod store;
pub mod testing;

use std::path::Path;
use std::time::Duration;

use journal::{Sequencer, SequencerConfig, StateMachine};

pub use error::PgError;
pub use export::{ExportReport, export};
pub use postgres::Config as PgConfig;
pub use reconcile::Reconciled;
pub use store::{DEFAULT_COMMIT_TIMEOUT, PgSink, Replication, SinkOptions};

/// A sequencer whose records PostgreSQL holds, and what starting it found.
pub struct Started<S: StateMachine> {
    /// The running sequencer, committing every record in PostgreSQL too (or, for a standby,
    /// following the records another hub commits there until it takes over).
    pub sequencer: Sequencer<S>,
    /// How the database replicates commits (for `/v1/health`).
    pub replication: Replication,
    /// What reconciling `journal.log` with the database did.
    pub reconciled: Reconciled,
}

/// How to start against PostgreSQL.
#[derive(Clone, Debug)]
pub struct StartOptions {
    /// Refuse to start unless the server replicates commits synchronously
    /// ([`Replication::is_synchronous`]).
    pub require_sync: bool,
    /// Longest wait for one commit before its batch is answered as unavailable (its outcome
    /// then is what the table shows once the hub reaches the database again).
    pub commit_timeout: Duration,
    /// Start as a standby: follow the journal table and take over when the writer lock is
    /// free, instead of refusing to start while another hub holds it.
    pub standby: bool,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions {
            require_sync: false,
            commit_timeout: DEFAULT_COMMIT_TIMEOUT,
            standby: false,
        }
    }
}

/// Connects to `url`, locks the database for this writer, reconciles `dir/journal.log` with it,
/// and starts the sequencer with a [`PgSink`]. With `require_sync`, refuses to start unless the
/// server replicates commits synchronously ([`Replication::is_synchronous`]).
/// Blocking: call it from a plain thread or `spawn_blocking`, not from async code.
pub fn start<S: StateMachine>(
    url: &str,
    dir: &Path,
    config: SequencerConfig,
    require_sync: bool,
) -> Result<Started<S>, PgError> {
    let pg: postgres::Config = url.parse()?;
    start_with_config(&pg, dir, config, require_sync)
}

/// [`start`] with an already parsed connection configuration.
pub fn start_with_config<S: StateMachine>(
    pg: &postgres::Config,
    dir: &Path,
    config: SequencerConfig,
    require_sync: bool,
) -> Result<Started<S>, PgError> {
    let options = StartOptions {
        require_sync,
        ..StartOptions::default()
    };
    start_with_options(pg, dir, config, &options)
}

/// [`start`] with all options: a leader (refused with [`PgError::Locked`] while another hub
/// holds the writer lock) or a standby.
pub fn start_with_options<S: StateMachine>(
    pg: &postgres::Config,
    dir: &Path,
    config: SequencerConfig,
    options: &StartOptions,
) -> Result<Started<S>, PgError> {
    let mut store = if options.standby {
        store::Store::connect_follower(pg)?
    } else {
        store::Store::connect(pg)?
    };
    let replication = store.replication()?;
    if options.require_sync && !replication.is_synchronous() {
        return Err(PgError::NotSynchronous(replication.describe()));
    }
    if !replication.is_synchronous() {
        tracing::warn!(replication = %replication.describe(),
            "PostgreSQL does not replicate commits synchronously: a lost server loses the journal");
    }
    let reconciled = reconcile::reconcile(&mut store, dir, S::KIND, !options.standby)?;
    let sink_options = SinkOptions {
        kind: S::KIND,
        commit_timeout: options.commit_timeout,
    };
    let sequencer = if options.standby {
        let sink = store.into_standby_sink(pg, &sink_options)?;
        Sequencer::start_following(dir, config, Box::new(sink))?
    } else {
        let sink = store.into_sink(pg, &sink_options)?;
        Sequencer::start_with_sink(dir, config, Box::new(sink))?
    };
    Ok(Started {
        sequencer,
        replication,
        reconciled,
    })
}
