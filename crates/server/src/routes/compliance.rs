//! Compliance: held payments, review / release / reject (four eyes), ad hoc screening.

use axum::Json;
use axum::extract::State;
use hub::PaymentId;

use crate::app::compliance::{self, HoldStep};
use crate::auth::{Caller, TokenHash};
use crate::error::Code;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::wire::{
    ListVersionView, PaymentResult, ScreeningHitView, ScreeningMatchRequest, ScreeningMatchResponse,
};

/// A compliance officer records the first look at a held payment.
#[utoipa::path(post, operation_id = "review_hold", path = "/v1/compliance/held/{id}/review", tag = "compliance",
    params(("id" = Uuid, Path, description = "Payment id")), security(("bearer" = [])),
    responses((status = 200, body = PaymentResult), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    TokenHash(token): TokenHash,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentResult>, ApiError> {
    compliance::hold(&state, &caller.0, token, id, HoldStep::Review)
        .await
        .map(Json)
}

/// A second officer (another credential, not a look-alike of the reviewer's name) releases the
/// payment: it proceeds to reservation.
#[utoipa::path(post, operation_id = "release_hold", path = "/v1/compliance/held/{id}/release", tag = "compliance",
    params(("id" = Uuid, Path, description = "Payment id")), security(("bearer" = [])),
    responses((status = 200, body = PaymentResult), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    TokenHash(token): TokenHash,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentResult>, ApiError> {
    compliance::hold(&state, &caller.0, token, id, HoldStep::Release)
        .await
        .map(Json)
}

/// A second officer (as for release) rejects the payment with reason `sanctions_hit`.
#[utoipa::path(post, operation_id = "reject_hold", path = "/v1/compliance/held/{id}/reject", tag = "compliance",
    params(("id" = Uuid, Path, description = "Payment id")), security(("bearer" = [])),
    responses((status = 200, body = PaymentResult), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    TokenHash(token): TokenHash,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentResult>, ApiError> {
    compliance::hold(&state, &caller.0, token, id, HoldStep::Reject)
        .await
        .map(Json)
}

/// Screens a name ad hoc against the active lists (compliance officers and the operator).
#[utoipa::path(post, path = "/v1/screening/match", tag = "compliance",
    request_body = ScreeningMatchRequest, security(("bearer" = [])),
    responses((status = 200, body = ScreeningMatchResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn screen_match(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<ScreeningMatchRequest>,
) -> Result<Json<ScreeningMatchResponse>, ApiError> {
    caller.require_compliance_view()?;
    if request.name.trim().is_empty() {
        return Err(ApiError::invalid(
            Code::InvalidText,
            "name",
            "name must not be empty",
        ));
    }
    if request.threshold.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
        return Err(ApiError::invalid(
            Code::InvalidThreshold,
            "threshold",
            "threshold must be in 0..=1",
        ));
    }
    let result = state.screener.screen_name(&request.name, request.threshold);
    Ok(Json(ScreeningMatchResponse {
        query: result.query,
        hits: result
            .hits
            .into_iter()
            .map(|hit| ScreeningHitView {
                list: hit.list.as_str().to_owned(),
                reference: hit.reference,
                name: hit.name,
                matched_name: hit.matched_name,
                score: hit.score,
                explanation: hit.explanation,
            })
            .collect(),
        lists: result
            .lists
            .into_iter()
            .map(|v| ListVersionView {
                source: v.source.as_str().to_owned(),
                version: v.content_hash,
                label: v.label,
            })
            .collect(),
    }))
}
