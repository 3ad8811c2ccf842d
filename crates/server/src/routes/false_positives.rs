//! False positives over JSON (the operations, and the rules they follow, are
//! [`crate::app::false_positives`]'s).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub::FalsePositiveId;

use crate::app::false_positives;
use crate::auth::{Caller, TokenHash};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::wire::{FalsePositiveRequest, FalsePositiveView};

/// Proposes a false positive from a hit of a held payment (compliance officer).
#[utoipa::path(post, operation_id = "propose_false_positive", path = "/v1/compliance/false-positives", tag = "compliance",
    request_body = FalsePositiveRequest, security(("bearer" = [])),
    responses((status = 201, body = FalsePositiveView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No such hit, not a party's name, the entry is no longer listed, or an empty note")))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    TokenHash(token): TokenHash,
    ApiJson(request): ApiJson<FalsePositiveRequest>,
) -> Result<(StatusCode, Json<FalsePositiveView>), ApiError> {
    let view = false_positives::propose(&state, &caller.0, token, request).await?;
    Ok((StatusCode::CREATED, Json(view)))
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
    TokenHash(token): TokenHash,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<FalsePositiveView>, ApiError> {
    false_positives::confirm(&state, &caller.0, token, FalsePositiveId(id))
        .await
        .map(Json)
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
    false_positives::revoke(&state, &caller.0, FalsePositiveId(id))
        .await
        .map(Json)
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
    false_positives::list(&state, &caller.0).await.map(Json)
}
