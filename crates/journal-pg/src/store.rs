//! The PostgreSQL side: connection, writer lock, schema, queries, and the [`PgSink`].

use std::sync::mpsc;
use std::time::Duration;

use journal::format::{self, FILE_HEADER_LEN, Hash, RECORD_HEADER_LEN};
use journal::{Leadership, RecordSink};
use postgres::error::SqlState;
use postgres::{CancelToken, Client, NoTls, Statement};

use crate::error::PgError;
use crate::reconcile::check_row;

/// How long a commit (or any other statement of the sink) may take before the sink gives up
/// on it and its session, unless configured otherwise.
pub const DEFAULT_COMMIT_TIMEOUT: Duration = Duration::from_secs(5);

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

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock($1)";

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
        let config = with_timeouts(config, DEFAULT_COMMIT_TIMEOUT);
        let mut store = Store {
            client: config.connect(NoTls)?,
        };
        let row = store.client.query_one(TRY_LOCK, &[&WRITER_LOCK_KEY])?;
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

    /// [`Store::connect_reader`] for a standby, with its connection timeouts.
    pub fn connect_follower(config: &postgres::Config) -> Result<Store, PgError> {
        Ok(Store {
            client: with_timeouts(config, DEFAULT_COMMIT_TIMEOUT).connect(NoTls)?,
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

    /// The writer's sink; keeps this connection, and so the writer lock, while it leads.
    pub fn into_sink(
        self,
        config: &postgres::Config,
        options: &SinkOptions,
    ) -> Result<PgSink, PgError> {
        let mut sink = PgSink::new(config, options);
        let mut session = Session::of(self.client)?;
        session.insert = Some(session.client.prepare(INSERT_RECORD)?);
        sink.session = Some(session);
        Ok(sink)
    }

    /// A standby's sink, following through this connection (which holds no lock).
    pub fn into_standby_sink(
        self,
        config: &postgres::Config,
        options: &SinkOptions,
    ) -> Result<PgSink, PgError> {
        let mut sink = PgSink::new(config, options);
        sink.session = Some(Session::of(self.client)?);
        Ok(sink)
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

/// `config` with bounded connection attempts and TCP timeouts (unless the URL sets them), so
/// that a vanished server is noticed within about `timeout` instead of the kernel's minutes.
fn with_timeouts(config: &postgres::Config, timeout: Duration) -> postgres::Config {
    let mut config = config.clone();
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(timeout);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(timeout);
    }
    // Keepalive times are whole seconds to the kernel, and 0 is refused.
    config.keepalives(true);
    config.keepalives_idle(timeout.max(Duration::from_secs(1)));
    config
}

/// How the sink talks to PostgreSQL.
#[derive(Clone, Debug)]
pub struct SinkOptions {
    /// The machine kind of the journal (its file header is stored once).
    pub kind: &'static str,
    /// Longest wait for a commit (or another statement) before its outcome is treated as
    /// unknown, the batch answered as unavailable and the session given up.
    pub commit_timeout: Duration,
}

/// One PostgreSQL session of the sink, and who it is on the server (to end it from another
/// session if it is given up while the server may still run it).
struct Session {
    client: Client,
    /// The prepared `INSERT`: present exactly while this session holds the writer lock.
    insert: Option<Statement>,
    id: SessionId,
}

#[derive(Clone, Debug)]
struct SessionId {
    pid: i32,
    backend_start: String,
}

impl Session {
    fn of(mut client: Client) -> Result<Session, PgError> {
        let row = client.query_one(
            "SELECT pg_backend_pid(), backend_start::text FROM pg_stat_activity \
             WHERE pid = pg_backend_pid()",
            &[],
        )?;
        Ok(Session {
            client,
            insert: None,
            id: SessionId {
                pid: row.get(0),
                backend_start: row.get(1),
            },
        })
    }
}

/// The sequencer's [`RecordSink`]: one `INSERT`, committed on its own, per record, on the
/// session that holds the writer lock (the commit waits for synchronous standbys as the
/// server is configured). Every statement is bounded by the commit timeout: a watchdog cancels
/// it and the session is given up (the server may still finish it: the outcome is what the
/// table shows once reachable again). Before leading again, a given-up session still alive on
/// the server is terminated, which ends its wait and releases its lock.
pub struct PgSink {
    config: postgres::Config,
    options: SinkOptions,
    session: Option<Session>,
    /// A writer session given up after a timeout or error, perhaps still alive on the server.
    abandoned: Option<SessionId>,
    watchdog: Watchdog,
}

impl PgSink {
    fn new(config: &postgres::Config, options: &SinkOptions) -> PgSink {
        PgSink {
            config: with_timeouts(config, options.commit_timeout),
            options: options.clone(),
            session: None,
            abandoned: None,
            watchdog: Watchdog::start(options.commit_timeout),
        }
    }

    /// The open session, connecting first if there is none.
    fn session(&mut self) -> Result<&mut Session, String> {
        if self.session.is_none() {
            let client = self.config.connect(NoTls).map_err(describe)?;
            self.session = Some(Session::of(client).map_err(|e| e.to_string())?);
        }
        self.session
            .as_mut()
            .ok_or_else(|| "no PostgreSQL session".to_string())
    }

    /// Runs `statement` on the session under the watchdog; on an error or timeout the session
    /// is given up (and remembered if it held the lock).
    fn guarded<T>(
        &mut self,
        statement: impl FnOnce(&mut Session) -> Result<T, PgError>,
    ) -> Result<T, String> {
        let session = self.session()?;
        let token = session.client.cancel_token();
        let armed = self.watchdog.arm(token);
        let result = match self.session.as_mut() {
            Some(session) => statement(session).map_err(|e| e.to_string()),
            None => Err("no PostgreSQL session".to_string()),
        };
        let fired = armed && self.watchdog.disarm();
        match (fired, result) {
            (false, Ok(value)) => Ok(value),
            (fired, result) => {
                if let Some(session) = self.session.take()
                    && session.insert.is_some()
                {
                    self.abandoned = Some(session.id);
                }
                let timeout = self.options.commit_timeout;
                Err(match (fired, result) {
                    (true, _) => format!("PostgreSQL did not answer within {timeout:?}"),
                    (false, Err(reason)) => reason,
                    (false, Ok(_)) => "PostgreSQL session lost".to_string(),
                })
            }
        }
    }

    /// Ends a given-up writer session that may still live on the server (waiting for a
    /// synchronous standby, say): its commit then finishes or aborts, and its lock is released.
    /// Matched by start time too, so a session of another server with the same pid is spared.
    fn end_abandoned(&mut self) -> Result<(), String> {
        let Some(old) = self.abandoned.clone() else {
            return Ok(());
        };
        let wait_ms = i64::try_from(self.options.commit_timeout.as_millis() / 2).unwrap_or(1_000);
        let ended: Vec<bool> = self.guarded(|session| {
            let rows = session.client.query(
                "SELECT pg_terminate_backend(pid, $3) FROM pg_stat_activity \
                 WHERE pid = $1 AND backend_start::text = $2",
                &[&old.pid, &old.backend_start, &wait_ms],
            )?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })?;
        if ended.contains(&false) {
            return Err(format!(
                "the previous session (pid {}) is still ending",
                old.pid
            ));
        }
        self.abandoned = None;
        Ok(())
    }
}

impl RecordSink for PgSink {
    fn committed(&mut self, sequence: u64, hash: &Hash, record: &[u8]) -> Result<(), String> {
        let seq = sequence_column(sequence).map_err(|e| e.to_string())?;
        if self.session.as_ref().is_none_or(|s| s.insert.is_none()) {
            return Err("not holding the writer session".to_string());
        }
        self.guarded(|session| {
            let insert = session.insert.as_ref().ok_or_else(|| PgError::BadRecord {
                sequence,
                reason: "not holding the writer session".to_string(),
            })?;
            session
                .client
                .execute(insert, &[&seq, &hash.as_slice(), &record])?;
            Ok(())
        })
    }

    fn still_leading(&mut self) -> Result<(), String> {
        if self.session.as_ref().is_none_or(|s| s.insert.is_none()) {
            return Err("not holding the writer session".to_string());
        }
        self.guarded(|session| Ok(session.client.simple_query("")?).map(|_| ()))
    }

    fn try_lead(&mut self) -> Result<Leadership, String> {
        if self.session.as_ref().is_some_and(|s| s.insert.is_some()) {
            return Ok(Leadership::Leading);
        }
        self.end_abandoned()?;
        let header = replica_header(self.options.kind)?;
        let kind = self.options.kind;
        let locked = self.guarded(|session| {
            let row = session.client.query_one(TRY_LOCK, &[&WRITER_LOCK_KEY])?;
            if !row.get::<_, bool>(0) {
                return Ok(false);
            }
            // A standby may be the first writer of this database: create what `start` would.
            session.client.batch_execute(SCHEMA)?;
            session.client.execute(
                "INSERT INTO kliring_journal_header (id, kind, file_header) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO NOTHING",
                &[&kind, &header.as_slice()],
            )?;
            let row = session.client.query_one(
                "SELECT kind, file_header FROM kliring_journal_header WHERE id = 1",
                &[],
            )?;
            let (found, stored): (String, Vec<u8>) = (row.get(0), row.get(1));
            if found != kind || stored != header {
                return Err(PgError::KindMismatch {
                    expected: kind.to_string(),
                    found,
                });
            }
            session.insert = Some(session.client.prepare(INSERT_RECORD)?);
            Ok(true)
        })?;
        Ok(if locked {
            Leadership::Leading
        } else {
            Leadership::HeldElsewhere
        })
    }

    fn records_after(&mut self, after: u64) -> Result<Vec<Vec<u8>>, String> {
        let after_column = sequence_column(after).map_err(|e| e.to_string())?;
        let rows = self.guarded(|session| {
            match session.client.query(
                "SELECT seq, hash, record FROM kliring_journal WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after_column, &FETCH_ROWS_MAX],
            ) {
                Ok(rows) => Ok(rows
                    .iter()
                    .map(|row| (row.get(0), row.get(1), row.get(2)))
                    .collect::<Vec<Row>>()),
                // No leader has written yet.
                Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => Ok(Vec::new()),
                Err(e) => Err(e.into()),
            }
        })?;
        let mut records = Vec::with_capacity(rows.len());
        let mut sequence = after;
        for (seq, hash, record) in rows {
            sequence = sequence.saturating_add(1);
            let Some((head, body)) = record.split_first_chunk::<RECORD_HEADER_LEN>() else {
                return Err(format!(
                    "PostgreSQL record {sequence} of {} bytes",
                    record.len()
                ));
            };
            check_row(seq, &hash, sequence, &format::record_hash(head, body))
                .map_err(|e| e.to_string())?;
            records.push(record);
        }
        Ok(records)
    }
}

fn replica_header(kind: &str) -> Result<[u8; FILE_HEADER_LEN], String> {
    journal::replica::file_header(kind).map_err(|e| e.to_string())
}

/// A connection error with its cause (the driver's own message is often just "error
/// connecting to server").
fn describe(error: postgres::Error) -> String {
    match std::error::Error::source(&error) {
        Some(cause) => format!("PostgreSQL: {error}: {cause}"),
        None => format!("PostgreSQL: {error}"),
    }
}

/// Cancels a statement that runs longer than the timeout, from a thread of its own (the
/// synchronous driver has no per-statement deadline). `statement_timeout` would not do: the
/// server turns a cancelled wait for a synchronous standby into a local commit with a warning,
/// which the watchdog's caller must not take for an acknowledgement — it treats a fired
/// watchdog as an unknown outcome whatever the statement returned.
struct Watchdog {
    arm: Option<mpsc::Sender<Option<CancelToken>>>,
    fired: mpsc::Receiver<bool>,
}

impl Watchdog {
    fn start(timeout: Duration) -> Watchdog {
        let (arm, armed) = mpsc::channel::<Option<CancelToken>>();
        let (fire, fired) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("pg-watchdog".to_string())
            .spawn(move || {
                while let Ok(token) = armed.recv() {
                    let Some(token) = token else { continue };
                    let timed_out = match armed.recv_timeout(timeout) {
                        Ok(_) => false,
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            if let Err(error) = token.cancel_query(NoTls) {
                                tracing::warn!(%error, "cannot cancel the PostgreSQL statement");
                            }
                            // Wait for the caller to give up on the statement.
                            if armed.recv().is_err() {
                                break;
                            }
                            true
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    };
                    if fire.send(timed_out).is_err() {
                        break;
                    }
                }
            });
        match spawned {
            Ok(_) => Watchdog {
                arm: Some(arm),
                fired,
            },
            Err(error) => {
                tracing::error!(%error, "cannot start the PostgreSQL watchdog: statements are unbounded");
                Watchdog { arm: None, fired }
            }
        }
    }

    /// Starts the clock for a statement on the session of `token`; false if there is no
    /// watchdog thread.
    fn arm(&self, token: CancelToken) -> bool {
        self.arm
            .as_ref()
            .is_some_and(|arm| arm.send(Some(token)).is_ok())
    }

    /// Stops the clock; true if it ran out (the statement was cancelled).
    fn disarm(&self) -> bool {
        let stopped = self.arm.as_ref().is_some_and(|arm| arm.send(None).is_ok());
        // A watchdog that is gone cannot have judged this statement: treat it as timed out.
        !stopped || self.fired.recv().unwrap_or(true)
    }
}
