//! Authentication (`Authorization: Bearer <token>`) and the edge's role checks.
//!
//! The token's SHA-256 is looked up in the hub's credentials (see [`crate::token`] for why a
//! plain hash suffices); unknown tokens count against the client address's failure limit
//! ([`crate::auth_limit`]). Roles are checked here first, so that a request the caller may not make
//! is refused without journalling anything; the hub checks again (defence in depth).

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use hub::{ParticipantId, Principal};

use crate::error::ApiError;
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
        // Only lookups the hub must answer are limited (see `auth_limit`).
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        if let Some(address) = address {
            state
                .auth_failures
                .check(address, Instant::now())
                .map_err(|left| ApiError::TooManyFailedAuthentications {
                    // Whole seconds, rounded up, so a client waiting that long is let in.
                    retry_after_secs: left.as_secs().saturating_add(1),
                })?;
        }
        match state.principal(hash).await? {
            Some(principal) => Ok(Caller(principal)),
            None => {
                if let Some(address) = address {
                    state.auth_failures.record_failure(address, Instant::now());
                }
                Err(ApiError::Unauthenticated)
            }
        }
    }
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
        match self.0 {
            Principal::Operator => Ok(()),
            _ => Err(ApiError::forbidden(
                "forbidden_operator_only",
                "only the scheme operator may do this",
            )),
        }
    }

    /// The participant the caller acts for; other roles are refused.
    pub fn require_participant(&self) -> Result<ParticipantId, ApiError> {
        match self.0 {
            Principal::Participant(id) => Ok(id),
            _ => Err(ApiError::forbidden(
                "forbidden_not_participant",
                "only a participant may do this",
            )),
        }
    }

    /// The officer name for compliance actions; other roles are refused.
    pub fn require_officer(&self) -> Result<&str, ApiError> {
        match &self.0 {
            Principal::ComplianceOfficer(name) => Ok(name),
            _ => Err(ApiError::forbidden(
                "forbidden_not_compliance_officer",
                "only a compliance officer may do this",
            )),
        }
    }

    /// Compliance views: officers and the operator (who supervises the queue).
    pub fn require_compliance_view(&self) -> Result<(), ApiError> {
        match self.0 {
            Principal::ComplianceOfficer(_) | Principal::Operator => Ok(()),
            _ => Err(ApiError::forbidden(
                "forbidden_not_compliance_officer",
                "only a compliance officer or the operator may see held payments",
            )),
        }
    }

    /// Data about one participant: the participant itself, or a role that sees everything.
    pub fn require_sees_participant(&self, participant: ParticipantId) -> Result<(), ApiError> {
        match self.0 {
            Principal::Participant(own) if own != participant => Err(ApiError::forbidden(
                "forbidden_not_own_participant",
                "a participant may only see its own data",
            )),
            _ => Ok(()),
        }
    }
}
