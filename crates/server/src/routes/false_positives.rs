//! False positives (issue 10): one officer proposes, from a held payment's hit, that the party
//! is not the listed entry; a second officer (another credential, not a look-alike name)
//! confirms; then that participant's customer of that exact name is no longer held for that
//! entry while the entry is published unchanged. Officers or the operator revoke. See the
//! hub's `false_positive` module for the rules the journal enforces.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub::{Action, Command, CredentialId, FalsePositive, FalsePositiveId, PartySide, Success};

use crate::auth::{Caller, TokenHash};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::officer;
use crate::routes::{submit_expect, unexpected};
use crate::state::{AppState, hub_error};
use crate::wire::{FalsePositiveRequest, FalsePositiveView};

/// The party-name fields a false positive may concern.
const PARTY_FIELDS: [PartySide; 5] = [
    PartySide::Debtor,
    PartySide::Creditor,
    PartySide::UltimateDebtor,
    PartySide::UltimateCreditor,
    PartySide::InitiatingParty,
];

/// The credential that authenticated this request (four eyes compares credentials).
async fn acting_credential(
    state: &AppState,
    caller: &Caller,
    token: TokenHash,
) -> Result<CredentialId, ApiError> {
    let TokenHash(hash) = token;
    match state
        .read(move |hub| hub.credential_for_token_hash(&hash))
        .await?
    {
        Some((id, principal)) if principal == caller.0 => Ok(id),
        _ => Err(ApiError::Unauthenticated),
    }
}

fn view(state: &AppState, fp: &FalsePositive) -> FalsePositiveView {
    let status = if fp.revoked.is_some() {
        "revoked"
    } else if fp.in_force() {
        "in_force"
    } else {
        "proposed"
    };
    let current = state.screener.entry_fingerprint(&fp.list, &fp.reference);
    FalsePositiveView {
        id: fp.id.0,
        status: status.to_owned(),
        participant: fp.participant.0,
        party_name: fp.party_name.clone(),
        list: fp.list.clone(),
        reference: fp.reference.clone(),
        listed_name: fp.listed_name.clone(),
        entry_fingerprint: fp.entry_fingerprint.clone(),
        entry_current: current.as_deref() == Some(fp.entry_fingerprint.as_str()),
        note: fp.note.clone(),
        seen_on_payment: fp.seen_on,
        proposed_by: fp.proposed.officer.clone(),
        proposed_at_ns: fp.proposed.at,
        confirmed_by: fp.confirmed.as_ref().map(|s| s.officer.clone()),
        confirmed_at_ns: fp.confirmed.as_ref().map(|s| s.at),
        revoked_by: fp.revoked.as_ref().map(|s| s.officer.clone()),
        revoked_at_ns: fp.revoked.as_ref().map(|s| s.at),
    }
}

fn record_view(state: &AppState, success: &Success) -> Result<Json<FalsePositiveView>, ApiError> {
    match success {
        Success::FalsePositive(record) => Ok(Json(view(state, record))),
        other => Err(unexpected(other)),
    }
}

/// Proposes a false positive from a hit of a held payment (compliance officer).
#[utoipa::path(post, operation_id = "propose_false_positive", path = "/v1/compliance/false-positives", tag = "compliance",
    request_body = FalsePositiveRequest, security(("bearer" = [])),
    responses((status = 201, body = FalsePositiveView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No such hit, not a party's name, the entry is no longer listed, or an empty note")))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    token: TokenHash,
    ApiJson(request): ApiJson<FalsePositiveRequest>,
) -> Result<(StatusCode, Json<FalsePositiveView>), ApiError> {
    caller.require_officer()?;
    let party = PARTY_FIELDS
        .into_iter()
        .find(|side| side.field() == request.field)
        .ok_or_else(|| {
            ApiError::invalid(
                "false_positive_field_not_a_party",
                "field",
                "field must be one of debtor.name, creditor.name, ultimate_debtor.name, ultimate_creditor.name, initiating_party.name",
            )
        })?;
    let entry_fingerprint = state
        .screener
        .entry_fingerprint(&request.list, &request.reference)
        .ok_or_else(|| {
            ApiError::invalid(
                "listed_entry_not_found",
                "reference",
                format!(
                    "{} {} is not an entry of the lists in force",
                    request.list, request.reference
                ),
            )
        })?;
    let credential = acting_credential(&state, &caller, token).await?;
    let action = Action::ProposeFalsePositive(Box::new(hub::FalsePositiveProposal {
        payment: request.payment_id,
        party,
        list: request.list,
        reference: request.reference,
        entry_fingerprint,
        note: request.note,
        credential,
    }));
    let success = submit_expect(&state, Command::new(caller.0, action)).await?;
    record_view(&state, &success).map(|json| (StatusCode::CREATED, json))
}

/// Confirms a proposed false positive (a second compliance officer: another credential, not a
/// look-alike of the proposer's name). It is in force from then on.
#[utoipa::path(post, operation_id = "confirm_false_positive", path = "/v1/compliance/false-positives/{id}/confirm", tag = "compliance",
    params(("id" = u64, Path, description = "False positive id")), security(("bearer" = [])),
    responses((status = 200, body = FalsePositiveView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Same officer, already confirmed, or revoked")))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    token: TokenHash,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<FalsePositiveView>, ApiError> {
    let officer = caller.require_officer()?.to_owned();
    let credential = acting_credential(&state, &caller, token).await?;
    let proposer = state
        .read(move |hub| {
            hub.false_positive(FalsePositiveId(id))
                .map(|fp| fp.proposed.officer.clone())
        })
        .await?;
    if proposer.is_some_and(|proposer| officer::look_alike(&proposer, &officer)) {
        return Err(hub_error(hub::HubError::FourEyesSameOfficer));
    }
    let action = Action::ConfirmFalsePositive {
        false_positive: FalsePositiveId(id),
        credential,
    };
    let success = submit_expect(&state, Command::new(caller.0, action)).await?;
    record_view(&state, &success)
}

/// Revokes a false positive (a compliance officer or the operator): hits it covered hold
/// payments again.
#[utoipa::path(post, operation_id = "revoke_false_positive", path = "/v1/compliance/false-positives/{id}/revoke", tag = "compliance",
    params(("id" = u64, Path, description = "False positive id")), security(("bearer" = [])),
    responses((status = 200, body = FalsePositiveView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<FalsePositiveView>, ApiError> {
    caller.require_compliance_view()?;
    let action = Action::RevokeFalsePositive {
        false_positive: FalsePositiveId(id),
    };
    let success = submit_expect(&state, Command::new(caller.0, action)).await?;
    record_view(&state, &success)
}

/// Every false positive, oldest first (compliance officers and the operator).
#[utoipa::path(get, operation_id = "list_false_positives", path = "/v1/compliance/false-positives", tag = "compliance",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<FalsePositiveView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<FalsePositiveView>>, ApiError> {
    caller.require_compliance_view()?;
    let records = state.read(|hub| hub.false_positives().to_vec()).await?;
    Ok(Json(records.iter().map(|fp| view(&state, fp)).collect()))
}
