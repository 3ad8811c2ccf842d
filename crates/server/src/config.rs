//! Server configuration: where the data lives, where to listen, and the limits of the API.

use std::net::SocketAddr;
use std::path::PathBuf;

use screening::ImportedList;

/// Everything [`crate::start`] and [`crate::serve`] need.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Data directory: the journal, snapshots, `operator.token` and `lists/`.
    pub data_dir: PathBuf,
    /// Address to listen on (`127.0.0.1:0` picks a free port, for tests).
    pub listen: SocketAddr,
    /// Operator token to register at first start; `None` generates one and writes it to
    /// `DATA/operator.token` (mode 0600).
    pub operator_token: Option<String>,
    /// Sanctions list files to load in addition to those imported into `DATA/lists`
    /// (`*.xml`: UN; `*sdn*.csv`: OFAC, with `alt.csv`/`add.csv` beside it).
    pub list_files: Vec<PathBuf>,
    /// Lists handed over already parsed (the demo's labelled fixture).
    pub lists: Vec<ImportedList>,
    /// Screening score at or above which a name counts as a hit (0..=1).
    pub screening_threshold: f64,
    /// Put a UN list in force even if it does not look like the published one (too few
    /// entries, no or an older `dateGenerated`); the override is journalled and shown on
    /// `/v1/health`. For an operator who knows why; never needed for the official file.
    pub accept_unverified_un_list: bool,
    /// Days after its `dateGenerated` the UN list in force raises the `un_list_stale` alarm.
    pub un_list_max_age_days: u32,
    /// Expiry of a reserved payment when the request gives none, in seconds.
    pub payment_expiry_default_secs: u64,
    /// Longest expiry a request may ask for, in seconds.
    pub payment_expiry_max_secs: u64,
    /// Longest long-poll wait on `/v1/inbox`, in seconds.
    pub inbox_wait_max_secs: u64,
    /// Most items in one bulk request.
    pub bulk_items_max: usize,
    /// Most items on one page of a list endpoint.
    pub page_limit_max: usize,
    /// Interval of the sequencer's idle tick that drives payment expiry without traffic, in ms.
    pub tick_interval_ms: u64,
    /// Close every deferred-net currency's open window on this schedule, in seconds (`None`:
    /// only when the operator closes them). See [`crate::schedule`].
    pub window_close_interval_secs: Option<u64>,
    /// Failed token lookups one client address may make per minute before its lookups of
    /// unknown tokens are refused until the minute ends (0: no limit). See
    /// [`crate::auth_limit`].
    pub auth_failures_per_minute: u32,
    /// Let webhooks point at loopback, private and link-local addresses (an operator whose
    /// banks sit on its own network; tests). Off by default: see [`crate::webhook_target`].
    pub webhook_private_targets: bool,
    /// Read timeouts and connection caps of the accept loop (see [`crate::listen`]).
    pub listen_limits: crate::listen::ListenLimits,
    /// Serve HTTPS with this certificate and key, reloaded when they change (see
    /// [`crate::tls`]); `None`: plain HTTP.
    pub tls: Option<crate::tls::TlsFiles>,
    /// Serve plain HTTP on an address other than loopback (bearer tokens would cross the
    /// network in clear): refused unless the operator says so, e.g. behind a TLS proxy.
    pub allow_plain_http: bool,
    /// Trust this PEM CA certificate for `https` webhooks besides the public roots (banks
    /// whose receivers carry certificates of a private CA).
    pub webhook_ca: Option<PathBuf>,
    /// PostgreSQL as the journal's system of record (`None`: the embedded journal alone).
    pub postgres: Option<PostgresConfig>,
    /// How far beyond this machine a committed record reaches; set by [`crate::start`] from
    /// what it found, reported by `/v1/health`.
    pub replication: Replication,
}

/// Where and how strictly the journal is kept in PostgreSQL (see the `journal-pg` crate).
#[derive(Clone)]
pub struct PostgresConfig {
    /// A libpq-style URL (`postgres://user:password@host/db`); may hold a password, so it is
    /// never printed.
    pub url: String,
    /// Refuse to start unless PostgreSQL replicates commits synchronously to a standby.
    pub require_sync_replication: bool,
    /// Longest wait for one commit, in ms, before its batch is answered 503 (its outcome is
    /// then what PostgreSQL decided, which the hub follows once it reaches it again).
    pub commit_timeout_ms: u64,
    /// Start as a standby hub: follow the journal table, refuse writes (`not_leader`), take
    /// over when the leader's session ends.
    pub standby: bool,
}

impl std::fmt::Debug for PostgresConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("url", &"<hidden>")
            .field("require_sync_replication", &self.require_sync_replication)
            .field("commit_timeout_ms", &self.commit_timeout_ms)
            .field("standby", &self.standby)
            .finish()
    }
}

/// How durable a committed record is beyond the local disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Replication {
    /// The embedded journal: the local disk only.
    #[default]
    Embedded,
    /// Committed in PostgreSQL, which waits for a synchronous standby.
    PostgresSynchronous,
    /// Committed in PostgreSQL, which has no synchronous standby (or does not wait for one).
    PostgresNotSynchronous,
}

impl Replication {
    /// The value `/v1/health` reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Replication::Embedded => "embedded",
            Replication::PostgresSynchronous => "postgres_synchronous",
            Replication::PostgresNotSynchronous => "postgres_not_synchronous",
        }
    }
}

/// Lowest screening threshold the server accepts: below it nearly every name would be a hit.
pub const SCREENING_THRESHOLD_MIN: f64 = 0.5;
/// Highest screening threshold the server accepts. Secondary data (a country that differs from
/// the listed one) lowers even a verbatim match to 0.95, so a higher threshold would let a
/// listed name through: no setting may switch UN screening off.
pub const SCREENING_THRESHOLD_MAX: f64 = 0.9;

/// Longest inbox long-poll the server may be configured for (an hour: clients and proxies
/// give up long before).
pub const INBOX_WAIT_MAX_SECS: u64 = 3_600;

impl ServerConfig {
    /// Refuses settings that would weaken the hub's guarantees.
    pub fn validate(&self) -> Result<(), String> {
        let threshold = self.screening_threshold;
        if !(SCREENING_THRESHOLD_MIN..=SCREENING_THRESHOLD_MAX).contains(&threshold) {
            return Err(format!(
                "screening threshold {threshold} is outside {SCREENING_THRESHOLD_MIN}..={SCREENING_THRESHOLD_MAX}"
            ));
        }
        self.listen_limits.validate()?;
        if self.tls.is_none() && !self.allow_plain_http && !self.listen.ip().is_loopback() {
            return Err(format!(
                "refusing plain HTTP on {}: give --tls-cert and --tls-key, or \
                 --allow-plain-http (e.g. behind a TLS-terminating proxy)",
                self.listen
            ));
        }
        if self.un_list_max_age_days == 0 {
            return Err("the UN list's maximum age must be at least one day".to_owned());
        }
        if self.inbox_wait_max_secs > INBOX_WAIT_MAX_SECS {
            return Err(format!(
                "inbox long-poll maximum {} s is above {INBOX_WAIT_MAX_SECS} s",
                self.inbox_wait_max_secs
            ));
        }
        Ok(())
    }

    /// A configuration with the default limits.
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        ServerConfig {
            data_dir: data_dir.into(),
            listen,
            operator_token: None,
            list_files: Vec::new(),
            lists: Vec::new(),
            screening_threshold: screening::DEFAULT_THRESHOLD,
            accept_unverified_un_list: false,
            un_list_max_age_days: crate::screen::UN_LIST_MAX_AGE_DAYS_DEFAULT,
            payment_expiry_default_secs: 3_600,
            payment_expiry_max_secs: hub::PAYMENT_EXPIRY_MAX_NS / 1_000_000_000,
            inbox_wait_max_secs: 60,
            bulk_items_max: 10_000,
            page_limit_max: 1_000,
            tick_interval_ms: 500,
            window_close_interval_secs: None,
            auth_failures_per_minute: 30,
            webhook_private_targets: false,
            listen_limits: crate::listen::ListenLimits::default(),
            tls: None,
            allow_plain_http: false,
            webhook_ca: None,
            postgres: None,
            replication: Replication::Embedded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_refuses_weakening_or_unbounded_settings() {
        let base = ServerConfig::new("/tmp/kliring-test", "127.0.0.1:0".parse().unwrap());
        assert_eq!(base.validate(), Ok(()));
        let mut lax = base.clone();
        lax.screening_threshold = 0.95;
        assert!(lax.validate().is_err(), "a verbatim listed name could pass");
        let mut endless = base;
        endless.inbox_wait_max_secs = u64::MAX;
        assert!(
            endless.validate().is_err(),
            "a deadline must be representable"
        );
    }
}
