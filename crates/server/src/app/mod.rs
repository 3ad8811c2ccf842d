//! The service layer: the hub's operations as the edge offers them, in domain types (hub values,
//! [`crate::error::ApiError`] refusals whose codes come from [`crate::refusal`]) and without
//! HTTP. Three adapters sit on it and do not import one another: the JSON routes (`routes/`),
//! ISO 20022 (`iso/`) and the dashboard (`dashboard/`); `router.rs` assembles their routes.
//!
//! An operation checks what needs no hub state first, then submits to the sequencer through
//! [`crate::state::AppState`], so a refused request is never journalled.

pub mod compliance;
pub mod false_positives;
pub mod payments;
pub mod queries;
pub mod windows;

use hub::{Command, Principal, Success};

use crate::error::{ApiError, Code, hub_error};
use crate::state::AppState;

/// Submits a command and turns a hub refusal into its API error.
pub async fn submit_expect(state: &AppState, command: Command) -> Result<Success, ApiError> {
    state.submit(command).await?.map_err(hub_error)
}

/// A success of the wrong kind is a bug between server and hub: log it, answer 500.
pub fn unexpected(success: &Success) -> ApiError {
    tracing::error!(?success, "hub answered with an unexpected success kind");
    ApiError::Internal
}

/// Operator-only actions.
pub fn require_operator(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        Principal::Operator => Ok(()),
        _ => Err(hub_error(hub::HubError::ForbiddenOperatorOnly)),
    }
}

/// The officer name for compliance actions; other roles are refused.
pub fn require_officer(principal: &Principal) -> Result<&str, ApiError> {
    match principal {
        Principal::ComplianceOfficer(name) => Ok(name),
        _ => Err(ApiError::refused(
            Code::ForbiddenNotComplianceOfficer,
            "only a compliance officer may do this",
        )),
    }
}

/// Compliance views: officers and the operator (who supervises the queue).
pub fn require_compliance_view(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        Principal::ComplianceOfficer(_) | Principal::Operator => Ok(()),
        _ => Err(ApiError::refused(
            Code::ForbiddenNotComplianceOfficer,
            "only a compliance officer or the operator may see held payments",
        )),
    }
}

/// The credential that authenticated this request, by its token's hash (four eyes compares
/// credentials); a credential of another principal is no credential of this caller.
pub async fn acting_credential(
    state: &AppState,
    caller: &Principal,
    token_hash: [u8; 32],
) -> Result<hub::CredentialId, ApiError> {
    match state
        .read(move |hub| hub.credential_for_token_hash(&token_hash))
        .await?
    {
        Some((id, principal)) if principal == *caller => Ok(id),
        _ => Err(ApiError::Unauthenticated),
    }
}

/// Data about one participant: the participant itself, or a role that sees everything.
pub fn require_sees_participant(
    principal: &Principal,
    participant: hub::ParticipantId,
) -> Result<(), ApiError> {
    match principal {
        Principal::Participant(own) if *own != participant => Err(ApiError::refused(
            Code::ForbiddenNotOwnParticipant,
            "a participant may only see its own data",
        )),
        _ => Ok(()),
    }
}
