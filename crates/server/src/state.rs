//! Shared state of the running server and the one path into the sequencer.
//!
//! Every handler reaches the hub through [`AppState`]: commands via [`AppState::submit`] /
//! [`AppState::submit_many`] (journalled, durable before they answer) and queries via
//! [`AppState::read`] (run on the sequencer thread between batches, so they are linearizable).
//!
//! Two small caches keep the hot payment path free of reads, because every read makes the
//! sequencer close the batch it is gathering (smaller batches, more fsyncs):
//! - principals by token hash: filled on first use, cleared whenever this server submits a
//!   credential revocation. The server is the only writer of the journal, so no other path can
//!   make a cached principal stale; a generation counter keeps a lookup that raced with a
//!   revocation from re-inserting the revoked principal.
//! - currency exponents: a currency, once added, never changes its exponent.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use hub::{Command, CurrencyCode, Hub, HubError, Outcome, Principal};
use journal::{SequencerError, SequencerHandle};
use tokio::sync::{Notify, watch};

use crate::auth_limit::AuthFailures;
use crate::config::ServerConfig;
use crate::error::{ApiError, hub_error_at};
// Where screening and bootstrap take them from.
pub use crate::error::hub_error;
use crate::metrics::Metrics;
use crate::screen::Screener;
use crate::webhook::SharedWebhooks;

/// Cheap to clone; one per server.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The parts of [`AppState`].
pub struct Inner {
    pub sequencer: SequencerHandle<Hub>,
    pub config: ServerConfig,
    pub metrics: Metrics,
    pub screener: Screener,
    pub webhooks: SharedWebhooks,
    /// Woken after every committed submission, for inbox long-polls.
    pub changed: Notify,
    /// Set to `true` when the server begins to shut down, so long-polls answer at once.
    pub stopping: watch::Sender<bool>,
    /// Failed token lookups per client address (see [`crate::auth_limit`]).
    pub auth_failures: AuthFailures,
    principals: RwLock<PrincipalCache>,
    exponents: RwLock<HashMap<CurrencyCode, u8>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        sequencer: SequencerHandle<Hub>,
        config: ServerConfig,
        metrics: Metrics,
        screener: Screener,
        webhooks: SharedWebhooks,
    ) -> Self {
        let auth_failures =
            AuthFailures::new(config.auth_failures_per_minute, Duration::from_secs(60));
        AppState(Arc::new(Inner {
            auth_failures,
            sequencer,
            config,
            metrics,
            screener,
            webhooks,
            changed: Notify::new(),
            stopping: watch::Sender::new(false),
            principals: RwLock::new(PrincipalCache::default()),
            exponents: RwLock::new(HashMap::new()),
        }))
    }

    /// Submits one command and waits for its durable outcome.
    pub async fn submit(&self, command: Command) -> Result<Outcome, ApiError> {
        let revokes = is_revocation(&command);
        let started = Instant::now();
        let outcome = self
            .sequencer
            .submit(command)
            .await
            .map_err(sequencer_error)?;
        self.after_commit(1, started, revokes);
        Ok(outcome)
    }

    /// Submits many commands as one unit; outcomes come back in order.
    pub async fn submit_many(&self, commands: Vec<Command>) -> Result<Vec<Outcome>, ApiError> {
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        let count = commands.len();
        let revokes = commands.iter().any(is_revocation);
        let started = Instant::now();
        let outcomes = self
            .sequencer
            .submit_many(commands)
            .await
            .map_err(sequencer_error)?;
        self.after_commit(count, started, revokes);
        Ok(outcomes)
    }

    fn after_commit(&self, count: usize, started: Instant, revokes: bool) {
        self.metrics.submission(count, started.elapsed());
        if revokes {
            let mut cache = self.principals.write().unwrap_or_else(|e| e.into_inner());
            cache.generation = cache.generation.wrapping_add(1);
            cache.by_hash.clear();
        }
        self.changed.notify_waiters();
    }

    /// Runs a query against the hub's state between batches.
    pub async fn read<R, F>(&self, query: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Hub) -> R + Send + 'static,
    {
        self.sequencer.read(query).await.map_err(sequencer_error)
    }

    /// The principal of a token hash this server has already looked up, without asking the hub.
    pub fn known_principal(&self, token_hash: &[u8; 32]) -> Option<Principal> {
        let cache = self.principals.read().unwrap_or_else(|e| e.into_inner());
        cache.by_hash.get(token_hash).cloned()
    }

    /// The principal a token hash belongs to, if any.
    pub async fn principal(&self, token_hash: [u8; 32]) -> Result<Option<Principal>, ApiError> {
        let generation = {
            let cache = self.principals.read().unwrap_or_else(|e| e.into_inner());
            if let Some(principal) = cache.by_hash.get(&token_hash) {
                return Ok(Some(principal.clone()));
            }
            cache.generation
        };
        let found = self
            .read(move |hub| hub.principal_for_token_hash(&token_hash))
            .await?;
        if let Some(principal) = &found {
            let mut cache = self.principals.write().unwrap_or_else(|e| e.into_inner());
            // A revocation since the read may have made this answer stale: do not cache it.
            if cache.generation == generation {
                cache.by_hash.insert(token_hash, principal.clone());
            }
        }
        Ok(found)
    }

    /// The exponent of an accepted currency; `currency_not_accepted` (422 on `field`) otherwise.
    pub async fn exponent(&self, code: &str, field: &str) -> Result<(CurrencyCode, u8), ApiError> {
        let currency = CurrencyCode::new(code).map_err(|error| hub_error_at(error, field))?;
        let cached = self
            .exponents
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&currency)
            .copied();
        if let Some(exponent) = cached {
            return Ok((currency, exponent));
        }
        let exponent = self
            .read(move |hub| hub.currency(currency).map(|c| c.exponent))
            .await?
            .ok_or_else(|| hub_error_at(HubError::CurrencyNotAccepted, field))?;
        self.exponents
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(currency, exponent);
        Ok((currency, exponent))
    }
}

/// Principals by token hash; `generation` changes with every revocation.
#[derive(Default)]
struct PrincipalCache {
    generation: u64,
    by_hash: HashMap<[u8; 32], Principal>,
}

fn is_revocation(command: &Command) -> bool {
    matches!(command.action, hub::Action::RevokeCredential { .. })
}

/// A stopped sequencer is a 503; anything else from it is an internal failure.
pub fn sequencer_error(error: SequencerError) -> ApiError {
    match error {
        SequencerError::Stopped | SequencerError::Journal(_) | SequencerError::Unavailable(_) => {
            tracing::error!(%error, "sequencer unavailable");
            ApiError::Unavailable
        }
        SequencerError::NotLeader => ApiError::NotLeader,
        other => {
            tracing::error!(error = %other, "sequencer failure");
            ApiError::Internal
        }
    }
}
