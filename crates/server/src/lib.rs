//! The HTTP/JSON API of the kliring hub: axum on tokio in front of the journal's sequencer.
//!
//! # Shape
//! Handlers authenticate the caller, validate and convert the request at the edge (wire types in
//! [`wire`], conversions in [`convert`]), screen payment parties ([`screen`]), and hand hub
//! commands to the sequencer ([`state::AppState::submit`]): the one writer, which journals each
//! batch durably before applying it and answering. Queries run on the sequencer thread between
//! batches ([`state::AppState::read`]). Only this crate knows HTTP.
//!
//! # Authentication
//! `Authorization: Bearer <token>`. A token is 32 random bytes, hex-encoded, shown once when
//! issued. The hub stores only its SHA-256 (registered through a journalled command), so neither
//! the journal nor a snapshot reveals a usable token; a plain hash is enough for 256-bit random
//! secrets (no stretching needed, unlike passwords). Roles: operator, participant, compliance
//! officer, auditor. A missing or unknown token is 401 `unauthenticated`; a known caller whose
//! role may not do something gets 403 with a specific code (`forbidden_operator_only`,
//! `forbidden_not_debtor`, ...). On first start the server registers an operator credential: the
//! token from the configuration, or a generated one written to `DATA/operator.token` (mode 0600)
//! and printed once.
//!
//! # Errors
//! One error type, [`ApiError`], rendered as `{ "code", "message", "field" }`; each variant
//! documents its status, one per class: 400 for a request that does not fit the schema
//! (malformed JSON, unknown or missing field, wrong type, bad path or query), 401/403 for who
//! may not, 404 for what is not there (or not visible), 409 for a conflict with state, 422 for
//! a well-formed request that breaks a rule. A request that fails changes nothing.
//!
//! # Endpoints (all under `/v1`, the OpenAPI document at `/v1/openapi.json` lists them)
//! - operator: `currencies`, `participants` (admit, suspend, reactivate, `net-debit-cap`,
//!   `liquidity/deposits|withdrawals`), `credentials` (issue, list, revoke), `lists/reload`,
//!   `settlement/windows` (close, settle, abort, report JSON and CSV);
//! - participants: `payments` (create, get, accept, reject, return, cancel — the debtor, or
//!   the operator — list with filters and a cursor), `payments/bulk` and `payments/bulk-decisions` (each item answered on its own),
//!   `inbox` (cursor + long-poll), `participants/{id}/balances`, `participants/{id}/webhook`
//!   (HMAC-signed delivery of inbox events, see [`webhook`]), `fx/rates`, `fx/quotes`;
//! - compliance officers: `compliance/held` (list, review, release, reject; four eyes),
//!   `compliance/false-positives` (list, propose, confirm, revoke; four eyes),
//!   `screening/match`;
//! - participants in ISO 20022 XML: `iso20022` (pacs.008/009/002/004/028, camt.056 in; pacs.002 or
//!   camt.029 out), `iso20022/camt.053`, `iso20022/camt.054/{id}`, `iso20022/pacs.008/{id}`;
//! - everyone: `health`; the operator and auditors: Prometheus metrics at `/metrics` (see
//!   [`metrics`]).
//!
//! Amounts travel as decimal strings checked against the currency's exponent ([`amount`]);
//! payment ids are client-chosen UUIDs and make creation idempotent (same content → 200 with the
//! original result, different content → 409 `duplicate_payment_id_different_content`).
//!
//! # Entry points
//! [`serve`] runs until Ctrl-C; [`start`] returns a [`RunningServer`] (for tests, the demo and
//! the payments benchmark in the `bench` crate).

pub mod amount;
pub mod app;
mod auth;
pub mod auth_limit;
mod bootstrap;
pub mod config;
pub mod convert;
mod dashboard;
pub mod error;
pub mod extract;
mod iso;
pub mod listen;
pub mod metrics;
mod officer;
mod openapi;
pub mod refusal;
mod router;
pub mod routes;
pub mod schedule;
pub mod screen;
pub mod state;
pub mod tls;
pub mod token;
pub mod webhook;
pub mod webhook_target;
pub use api::wire;

use std::net::SocketAddr;
use std::time::Duration;

use hub::Hub;
use journal::{JournalError, Sequencer, SequencerConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::Caller;
pub use config::ServerConfig;
pub use error::{ApiError, ErrorBody};
pub use openapi::document as openapi_document;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("journal: {0}")]
    Journal(#[from] JournalError),
    #[error("journal in PostgreSQL: {0}")]
    Postgres(journal_pg::PgError),
    #[error("sanctions lists: {0}")]
    Lists(#[from] screen::ListLoadError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("bootstrapping the operator credential failed: {0}")]
    Bootstrap(String),
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("the server task failed: {0}")]
    Task(String),
}

// Not `#[from]`: that would make the error its own source and print its message twice.
impl From<journal_pg::PgError> for ServerError {
    fn from(error: journal_pg::PgError) -> Self {
        ServerError::Postgres(error)
    }
}

/// A server started by [`start`], listening on `local_addr` until [`RunningServer::shutdown`].
pub struct RunningServer {
    /// The bound address (useful with port 0).
    pub local_addr: SocketAddr,
    /// The operator token generated or configured at this start, when this start registered
    /// one (first start); `None` when the data directory already had its operator.
    pub operator_token: Option<String>,
    scheme: &'static str,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// `http://ADDR` or `https://ADDR` of this server.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.local_addr)
    }

    /// Stops accepting connections, finishes requests in flight, commits what is queued, and
    /// stops the sequencer (writing a final snapshot).
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        self.wait().await
    }

    /// Waits until the server stops.
    pub async fn wait(self) -> Result<(), ServerError> {
        self.task
            .await
            .map_err(|error| ServerError::Task(error.to_string()))?
    }
}

/// Opens (or recovers) the data directory, loads the sanctions lists, bootstraps the operator
/// credential on first start, binds, and serves in a background task.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    config.validate().map_err(ServerError::Config)?;
    let io = |context: String| move |source| ServerError::Io { context, source };
    // Owner only (0700): the journal, snapshots and token files inside are private.
    let mut data_dir = tokio::fs::DirBuilder::new();
    data_dir.recursive(true).mode(0o700);
    data_dir
        .create(&config.data_dir)
        .await
        .map_err(io(format!("creating {}", config.data_dir.display())))?;
    let sequencer_config = SequencerConfig {
        tick_interval: Some(Duration::from_millis(config.tick_interval_ms.max(1))),
        ..SequencerConfig::default()
    };
    let dir = config.data_dir.clone();
    let postgres = config.postgres.clone();
    let (sequencer, replication) = tokio::task::spawn_blocking(move || match postgres {
        None => Sequencer::<Hub>::start(&dir, sequencer_config)
            .map(|sequencer| (sequencer, config::Replication::Embedded))
            .map_err(ServerError::from),
        Some(pg) => start_with_postgres(&dir, sequencer_config, &pg),
    })
    .await
    .map_err(|error| ServerError::Task(error.to_string()))??;
    let mut config = config;
    config.replication = replication;
    let report = sequencer.recovery_report();
    tracing::info!(dir = %config.data_dir.display(), head = report.head_sequence,
        replayed = report.records_replayed, replication = replication.as_str(),
        "journal recovered");

    let lists_dir = config.data_dir.join("lists");
    let screener = {
        let (files, extra, threshold, accept_unverified) = (
            config.list_files.clone(),
            config.lists.clone(),
            config.screening_threshold,
            config.accept_unverified_un_list,
        );
        tokio::task::spawn_blocking(move || {
            screen::Screener::load(&lists_dir, &files, &extra, threshold, accept_unverified)
        })
        .await
        .map_err(|error| ServerError::Task(error.to_string()))??
    };
    let listen = config.listen;
    let webhooks = webhook::Webhooks::load(&config.data_dir).map_err(io(format!(
        "reading {}",
        config.data_dir.join(webhook::WEBHOOKS_FILE).display()
    )))?;
    let state = state::AppState::new(
        sequencer.handle(),
        config,
        metrics::Metrics::new(),
        screener,
        std::sync::Arc::new(webhooks),
    );
    // A standby cannot journal: the leader bootstrapped the state it follows.
    let leading = state.sequencer.status().role == journal::Role::Leader;
    let operator_token = if leading {
        bootstrap::operator(&state).await?
    } else {
        None
    };
    if leading {
        screen::journal_override(&state).await.map_err(|error| {
            ServerError::Task(format!("journalling the list override: {error}"))
        })?;
        screen::screen_participants(&state)
            .await
            .map_err(|error| ServerError::Task(format!("screening the participants: {error}")))?;
    }
    state.webhooks.start_all(&state);
    if let Some(secs) = state.config.window_close_interval_secs {
        schedule::spawn_window_closer(state.clone(), Duration::from_secs(secs.max(1)));
    }

    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(io(format!("binding {listen}")))?;
    let local_addr = listener
        .local_addr()
        .map_err(io("reading the bound address".into()))?;
    tracing::info!(%local_addr, "listening");
    let app = router::router(state.clone());
    let limits = state.config.listen_limits;
    let tls = match &state.config.tls {
        None => None,
        Some(files) => {
            let certificate = tls::Reloadable::load(files.clone()).map_err(ServerError::Config)?;
            Some((
                certificate.acceptor().map_err(ServerError::Config)?,
                certificate.watch(),
            ))
        }
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let (acceptor, reloader) = tls.unzip();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let stopping = async move {
            let _ = stopped.await;
            // Long-polls answer now instead of holding the shutdown up.
            state.stopping.send_replace(true);
            state.webhooks.stop_all();
            drop(state);
        };
        let served = listen::serve(listener, app, limits, acceptor, stopping)
            .await
            .map_err(io("serving HTTP".into()));
        if let Some(reloader) = reloader {
            reloader.abort();
        }
        // All handlers (and their sequencer handles) are gone; stop the sequencer thread.
        let stopped = tokio::task::spawn_blocking(move || sequencer.shutdown())
            .await
            .map_err(|error| ServerError::Task(error.to_string()))?;
        if let Err(error) = stopped {
            tracing::warn!(%error, "sequencer stopped with an error");
        }
        served
    });
    Ok(RunningServer {
        local_addr,
        operator_token,
        scheme,
        shutdown: Some(stop),
        task,
    })
}

/// Reconciles the data directory with PostgreSQL and starts the sequencer with it as the
/// journal's system of record (blocking; see the `journal-pg` crate).
fn start_with_postgres(
    dir: &std::path::Path,
    sequencer_config: SequencerConfig,
    pg: &config::PostgresConfig,
) -> Result<(Sequencer<Hub>, config::Replication), ServerError> {
    let url: journal_pg::PgConfig = pg
        .url
        .parse()
        .map_err(|error| ServerError::Postgres(journal_pg::PgError::from(error)))?;
    let options = journal_pg::StartOptions {
        require_sync: pg.require_sync_replication,
        commit_timeout: Duration::from_millis(pg.commit_timeout_ms.max(1)),
        standby: pg.standby,
    };
    let started = journal_pg::start_with_options::<Hub>(&url, dir, sequencer_config, &options)?;
    let done = &started.reconciled;
    tracing::info!(head = done.head_sequence, extended = done.extended, cut = done.cut,
        seeded = done.seeded, replication = %started.replication.describe(),
        "journal reconciled with PostgreSQL");
    let replication = if started.replication.is_synchronous() {
        config::Replication::PostgresSynchronous
    } else {
        config::Replication::PostgresNotSynchronous
    };
    Ok((started.sequencer, replication))
}

/// Runs the server until Ctrl-C (or SIGTERM), then shuts down gracefully.
pub async fn serve(config: ServerConfig) -> Result<(), ServerError> {
    let server = start(config).await?;
    println!(
        "kliring listening on {0}\ndashboard: {0}/dashboard",
        server.base_url()
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
