//! The PostgreSQL side: connection, writer lock, schema, queries, and the [`PgSink`].

use journal::RecordSink;
use journal::format::Hash;
use postgres::{Client, NoTls, Statement};

use crate::error::PgError;

/// Key of the session advisory lock a writer holds ("kliring" in ASCII).
const WRITER_LOCK_KEY: i64 = 0x006b_6c69_7269_6e67;

/// Rows fetched per query when copying records out of PostgreSQL.
pub(crate) const FETCH_ROWS_MAX: i64 = 1_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS kliring_journal_header (
    id smallint PRIMARY KEY CHECK (id = 1),
    kind text NOT NULL,
    file_header bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS kliring_journal (
    seq bigint PRIMARY KEY CHECK (seq > 0),
    hash bytea NOT NULL,
    record bytea NOT NULL
);";

const INSERT_RECORD: &str = "INSERT INTO kliring_journal (seq, hash, record) VALUES ($1, $2, $3)";

/// One stored record: its `seq`, `hash` and `record` columns.
pub(crate) type Row = (i64, Vec<u8>, Vec<u8>);

/// How the PostgreSQL server acknowledges commits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replication {
    /// The server's `synchronous_standby_names` (empty: no synchronous standby).
    pub synchronous_standby_names: String,
    /// The session's `synchronous_commit`.
    pub synchronous_commit: String,
}

impl Replication {
    /// A commit returns only once a standby has it: standbys are named and the commit level
    /// waits for them (`on`, `remote_write` or `remote_apply`; `local` and `off` do not).
    pub fn is_synchronous(&self) -> bool {
        !self.synchronous_standby_names.trim().is_empty()
            && matches!(
                self.synchronous_commit.as_str(),
                "on" | "remote_write" | "remote_apply"
            )
    }

    /// One line for logs and errors.
    pub fn describe(&self) -> String {
        format!(
            "synchronous_standby_names = {:?}, synchronous_commit = {}",
            self.synchronous_standby_names, self.synchronous_commit
        )
    }
}

/// An open connection (for a writer: holding the writer lock, tables created).
pub(crate) struct Store {
    pub client: Client,
}

impl Store {
    /// Connects as the writer: takes the session advisory lock, then creates the tables.
    pub fn connect(config: &postgres::Config) -> Result<Store, PgError> {
        let mut store = Store {
            client: config.connect(NoTls)?,
        };
        let row = store
            .client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&WRITER_LOCK_KEY])?;
        if !row.get::<_, bool>(0) {
            return Err(PgError::Locked);
        }
        store.client.batch_execute(SCHEMA)?;
        Ok(store)
    }

    /// Connects without the lock and without changing anything (for export).
    pub fn connect_reader(url: &str) -> Result<Store, PgError> {
        Ok(Store {
            client: Client::connect(url, NoTls)?,
        })
    }

    pub fn replication(&mut self) -> Result<Replication, PgError> {
        let row = self.client.query_one(
            "SELECT current_setting('synchronous_standby_names'), \
             current_setting('synchronous_commit')",
            &[],
        )?;
        Ok(Replication {
            synchronous_standby_names: row.get(0),
            synchronous_commit: row.get(1),
        })
    }

    /// The stored journal file header and kind, if a journal was ever written here.
    pub fn header(&mut self) -> Result<Option<(String, Vec<u8>)>, PgError> {
        let exists = self
            .client
            .query_one(
                "SELECT to_regclass('kliring_journal_header') IS NOT NULL",
                &[],
            )?
            .get::<_, bool>(0);
        if !exists {
            return Ok(None);
        }
        let row = self.client.query_opt(
            "SELECT kind, file_header FROM kliring_journal_header WHERE id = 1",
            &[],
        )?;
        Ok(row.map(|row| (row.get(0), row.get(1))))
    }

    /// Every record's sequence and hash, in order.
    pub fn hashes(&mut self) -> Result<Vec<(i64, Vec<u8>)>, PgError> {
        let rows = self
            .client
            .query("SELECT seq, hash FROM kliring_journal ORDER BY seq", &[])?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    /// Up to [`FETCH_ROWS_MAX`] records after sequence `after`, in order.
    pub fn records_after(&mut self, after: i64) -> Result<Vec<Row>, PgError> {
        let rows = self.client.query(
            "SELECT seq, hash, record FROM kliring_journal WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&after, &FETCH_ROWS_MAX],
        )?;
        Ok(rows
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect())
    }

    /// The writer's sink; keeps the connection, and so the writer lock, for its lifetime.
    pub fn into_sink(mut self) -> Result<PgSink, PgError> {
        let insert = self.client.prepare(INSERT_RECORD)?;
        Ok(PgSink {
            client: self.client,
            insert,
        })
    }
}

/// Inserts one record inside a transaction (seeding the database from a local file).
pub(crate) fn insert_record(
    tx: &mut postgres::Transaction<'_>,
    sequence: u64,
    hash: &Hash,
    record: &[u8],
) -> Result<(), PgError> {
    let seq = sequence_column(sequence)?;
    tx.execute(INSERT_RECORD, &[&seq, &hash.as_slice(), &record])?;
    Ok(())
}

/// A record sequence as the `bigint` column holds it.
pub(crate) fn sequence_column(sequence: u64) -> Result<i64, PgError> {
    i64::try_from(sequence).map_err(|_| PgError::BadRecord {
        sequence,
        reason: "sequence beyond bigint".to_string(),
    })
}

/// The sequencer's [`RecordSink`]: one `INSERT`, committed on its own, per record. The commit
/// waits for synchronous standbys as the server is configured.
pub struct PgSink {
    client: Client,
    insert: Statement,
}

impl RecordSink for PgSink {
    fn committed(&mut self, sequence: u64, hash: &Hash, record: &[u8]) -> Result<(), String> {
        let seq = sequence_column(sequence).map_err(|e| e.to_string())?;
        self.client
            .execute(&self.insert, &[&seq, &hash.as_slice(), &record])
            .map(|_| ())
            .map_err(|e| PgError::from(e).to_string())
    }
}
