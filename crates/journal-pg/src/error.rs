//! Why the PostgreSQL system of record could not be used.

/// Errors starting against, reconciling with or exporting from PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The database refused or failed a statement, or the connection failed.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    /// The local journal failed (recovery, append or lock).
    #[error(transparent)]
    Journal(#[from] journal::JournalError),
    /// Another kliring holds this database's writer lock.
    #[error("another kliring is already writing to this PostgreSQL database (advisory lock held)")]
    Locked,
    /// The database holds a journal of another machine kind.
    #[error("the PostgreSQL journal is of kind {found:?}, expected {expected:?}")]
    KindMismatch {
        /// The kind this hub runs.
        expected: String,
        /// The kind the database's header names.
        found: String,
    },
    /// `journal.log` and PostgreSQL hold different records at the same sequence.
    #[error(
        "journal.log and PostgreSQL disagree on record {sequence} (different hashes); refusing to start: one of them was altered or written by another hub"
    )]
    Diverged {
        /// The first sequence whose hashes differ.
        sequence: u64,
    },
    /// A row whose columns do not match its record bytes, or a gap in the sequences.
    #[error("PostgreSQL record {sequence}: {reason}")]
    BadRecord {
        /// The row's sequence.
        sequence: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The database holds no journal.
    #[error("the PostgreSQL database holds no kliring journal")]
    NoJournal,
    /// `--require-sync-replication` and the server does not replicate synchronously.
    #[error("PostgreSQL does not replicate commits synchronously ({0}); refusing to start")]
    NotSynchronous(String),
    /// Reading or writing a local file failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}
