//! Credentials (operator only): issue (the token is shown once), list, revoke.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub::state::Credential;
use hub::{Action, Command, CredentialId, ParticipantId, Principal, Success};

use crate::auth::Caller;
use crate::error::Code;
use crate::error::hub_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::officer;
use crate::routes::{submit_expect, unexpected};
use crate::state::AppState;
use crate::token;
use crate::wire::{CreateCredentialRequest, CredentialInfo, CredentialRoleWire, CredentialView};

fn role_of(principal: &Principal) -> (CredentialRoleWire, Option<u64>, Option<String>) {
    match principal {
        Principal::Operator => (CredentialRoleWire::Operator, None, None),
        Principal::Participant(id) => (CredentialRoleWire::Participant, Some(id.0), None),
        Principal::ComplianceOfficer(name) => (
            CredentialRoleWire::ComplianceOfficer,
            None,
            Some(name.clone()),
        ),
        Principal::Auditor => (CredentialRoleWire::Auditor, None, None),
    }
}

fn info(credential: &Credential) -> CredentialInfo {
    let (role, participant_id, officer) = role_of(&credential.principal);
    CredentialInfo {
        id: credential.id.0,
        role,
        participant_id,
        officer,
        created_at_ns: credential.created_at,
        revoked_at_ns: credential.revoked_at,
    }
}

/// Issues a credential; the token appears only in this response.
#[utoipa::path(post, operation_id = "issue_credential", path = "/v1/credentials", tag = "operator",
    request_body = CreateCredentialRequest, security(("bearer" = [])),
    responses((status = 201, body = CredentialView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateCredentialRequest>,
) -> Result<(StatusCode, Json<CredentialView>), ApiError> {
    caller.require_operator()?;
    let principal = match (request.role, request.participant_id, &request.officer) {
        (CredentialRoleWire::Operator, None, None) => Principal::Operator,
        (CredentialRoleWire::Auditor, None, None) => Principal::Auditor,
        (CredentialRoleWire::Participant, Some(id), None) => {
            // The hub registers credentials for any principal; the edge makes sure a
            // participant credential names an admitted participant.
            let participant = ParticipantId(id);
            let known = state
                .read(move |hub| hub.participant(participant).is_some())
                .await?;
            if !known {
                return Err(hub_error(hub::HubError::ParticipantNotFound));
            }
            Principal::Participant(participant)
        }
        (CredentialRoleWire::ComplianceOfficer, None, Some(name)) => {
            // Four eyes needs two people to look different: a name that only looks like
            // another officer's is refused (the same name again is that officer's new token).
            let officers: Vec<String> = state
                .read(|hub| {
                    hub.credentials()
                        .iter()
                        .filter_map(|c| match &c.principal {
                            Principal::ComplianceOfficer(name) => Some(name.clone()),
                            _ => None,
                        })
                        .collect()
                })
                .await?;
            if let Some(existing) = officers.iter().find(|o| officer::look_alike(o, name)) {
                return Err(ApiError::Refused {
                    code: Code::OfficerNameConfusable,
                    message: format!(
                        "officer name {name:?} looks like the existing officer {existing:?}; \
                         use that exact name for the same person or a distinct name"
                    ),
                    field: None,
                });
            }
            Principal::ComplianceOfficer(name.clone())
        }
        _ => {
            return Err(ApiError::invalid(
                Code::CredentialFieldsMismatch,
                "role",
                "participant credentials need participant_id only, compliance officers need \
                 officer only, other roles neither",
            ));
        }
    };
    let token = token::generate();
    let action = Action::RegisterCredential {
        token_hash: token::hash(&token),
        principal,
    };
    match submit_expect(&state, Command::new(caller.0, action)).await? {
        Success::CredentialRegistered { credential } => Ok((
            StatusCode::CREATED,
            Json(CredentialView {
                id: credential.0,
                token,
                role: request.role,
                participant_id: request.participant_id,
                officer: request.officer,
            }),
        )),
        other => Err(unexpected(&other)),
    }
}

/// Every credential, revoked ones included (without tokens or hashes).
#[utoipa::path(get, operation_id = "list_credentials", path = "/v1/credentials", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = Vec<CredentialInfo>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CredentialInfo>>, ApiError> {
    caller.require_operator()?;
    let infos = state
        .read(|hub| hub.credentials().iter().map(info).collect())
        .await?;
    Ok(Json(infos))
}

/// Revokes a credential: its token is refused (401) from the moment this answers.
#[utoipa::path(post, operation_id = "revoke_credential", path = "/v1/credentials/{id}/revoke", tag = "operator",
    params(("id" = u64, Path, description = "Credential id")), security(("bearer" = [])),
    responses((status = 200, body = CredentialInfo), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<CredentialInfo>, ApiError> {
    caller.require_operator()?;
    let credential = CredentialId(id);
    match submit_expect(
        &state,
        Command::new(caller.0, Action::RevokeCredential { credential }),
    )
    .await?
    {
        Success::CredentialRevoked { .. } => {}
        other => return Err(unexpected(&other)),
    }
    let index = usize::try_from(id.saturating_sub(1)).map_err(|_| ApiError::Internal)?;
    state
        .read(move |hub| hub.credentials().get(index).map(info))
        .await?
        .map(Json)
        .ok_or(ApiError::Internal)
}
