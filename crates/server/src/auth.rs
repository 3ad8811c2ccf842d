//! Authentication (`Authorization: Bearer <token>`) and the edge's role checks.
//!
//! The token's SHA-256 is looked up in the hub's credentials (see [`crate::token`] for why a
//! plain hash suffices); unknown tokens count against the client address's failure limit
//! ([`crate::auth_limit`]), which makes their lookups cheaper but never refuses a valid one. Roles are checked here first, so that a request the caller may not make
//! is refused without journalling anything; the hub checks again (defence in depth).

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use hub::{ParticipantId, Principal};

use crate::auth_limit;
use crate::error::ApiError;
use crate::error::Code;
use crate::state::AppState;
use crate::token;

/// The authenticated caller of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let TokenHash(hash) = bearer_hash(parts)?;
        if let Some(principal) = state.known_principal(&hash) {
            return Ok(Caller(principal));
        }
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        // A limited address's tokens are still checked, together in one read (see
        // `auth_limit`), so a valid credential is never refused because of others' junk.
        let limited = address.and_then(|a| state.auth_failures.check(a, Instant::now()).err());
        let found = match limited {
            None => state.principal(hash).await?,
            Some(_) if coalesced_lookup(state, hash).await?.is_some() => {
                // Valid: look it up the ordinary way once, which caches it.
                state.principal(hash).await?
            }
            Some(_) => None,
        };
        match found {
            Some(principal) => Ok(Caller(principal)),
            None => {
                if let Some(address) = address {
                    state.auth_failures.record_failure(address, Instant::now());
                }
                match limited {
                    Some(left) => Err(ApiError::TooManyFailedAuthentications {
                        // Whole seconds, rounded up, so a client waiting that long is let in.
                        retry_after_secs: left.as_secs().saturating_add(1),
                    }),
                    None => Err(ApiError::Unauthenticated),
                }
            }
        }
    }
}

/// The principal of `hash`, checked with every other lookup queued within
/// [`auth_limit::COALESCE`] in one sequencer read. The read runs in its own task, so a caller
/// that goes away does not strand the others.
async fn coalesced_lookup(state: &AppState, hash: [u8; 32]) -> Result<Option<Principal>, ApiError> {
    let (answer, first) = state.auth_failures.enqueue(hash);
    if first {
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(auth_limit::COALESCE).await;
            let pending = state.auth_failures.take_pending();
            let hashes: Vec<[u8; 32]> = pending.iter().map(|(h, _)| *h).collect();
            let found = state
                .read(move |hub| {
                    hashes
                        .iter()
                        .map(|h| hub.principal_for_token_hash(h))
                        .collect::<Vec<_>>()
                })
                .await;
            // On a read error the senders are dropped: each waiter answers 503 below.
            if let Ok(found) = found {
                for ((_, reply), principal) in pending.into_iter().zip(found) {
                    let _ = reply.send(principal);
                }
            }
        });
    }
    answer.await.map_err(|_| ApiError::Unavailable)
}

/// The SHA-256 of the request's bearer token: which credential acts, for rules that compare
/// credentials (four eyes). Authentication itself is [`Caller`]'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl FromRequestParts<AppState> for TokenHash {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        bearer_hash(parts)
    }
}

fn bearer_hash(parts: &Parts) -> Result<TokenHash, ApiError> {
    let token = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or(ApiError::Unauthenticated)?;
    Ok(TokenHash(token::hash(token)))
}

impl Caller {
    /// Operator-only actions.
    pub fn require_operator(&self) -> Result<(), ApiError> {
        crate::app::require_operator(&self.0)
    }

    /// The participant the caller acts for; other roles are refused.
    pub fn require_participant(&self) -> Result<ParticipantId, ApiError> {
        match self.0 {
            Principal::Participant(id) => Ok(id),
            _ => Err(ApiError::refused(
                Code::ForbiddenNotParticipant,
                "only a participant may do this",
            )),
        }
    }

    /// The officer name for compliance actions; other roles are refused.
    pub fn require_officer(&self) -> Result<&str, ApiError> {
        crate::app::require_officer(&self.0)
    }

    /// Metrics (`/metrics`): the operator and auditors; they count held payments, which
    /// participants must not learn.
    pub fn require_metrics_view(&self) -> Result<(), ApiError> {
        match self.0 {
            Principal::Operator | Principal::Auditor => Ok(()),
            _ => Err(ApiError::refused(
                Code::ForbiddenOperatorOrAuditorOnly,
                "only the operator or an auditor may read the metrics",
            )),
        }
    }

    /// Compliance views: officers and the operator (who supervises the queue).
    pub fn require_compliance_view(&self) -> Result<(), ApiError> {
        crate::app::require_compliance_view(&self.0)
    }

    /// Data about one participant: the participant itself, or a role that sees everything.
    pub fn require_sees_participant(&self, participant: ParticipantId) -> Result<(), ApiError> {
        crate::app::require_sees_participant(&self.0, participant)
    }
}
