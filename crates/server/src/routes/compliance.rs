//! Compliance: held payments, review / release / reject (four eyes), ad hoc screening.

use axum::Json;
use axum::extract::State;
use hub::{Action, Command, PaymentId};

use crate::auth::{Caller, TokenHash};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::officer;
use crate::routes::payments::{HOLD, payment_response};
use crate::state::{AppState, hub_error};
use crate::wire::{
    ListVersionView, PaymentResult, ScreeningHitView, ScreeningMatchRequest, ScreeningMatchResponse,
};

/// Which hold action.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HoldStep {
    Review,
    Release,
    Reject,
}

/// Submits a hold action as the credential that authenticated the request, so the hub decides
/// four eyes by credential. A decision by a look-alike of the reviewer's name (see
/// [`crate::officer`]) is refused here with the hub's code.
async fn hold_action(
    state: &AppState,
    caller: Caller,
    token: TokenHash,
    payment: PaymentId,
    step: HoldStep,
) -> Result<Json<PaymentResult>, ApiError> {
    let officer = caller.require_officer()?.to_owned();
    let TokenHash(hash) = token;
    let (credential, reviewer) = state
        .read(move |hub| {
            let credential = hub.credential_for_token_hash(&hash);
            let reviewer = hub
                .payment(payment)
                .and_then(|p| p.hold.as_ref())
                .and_then(|h| h.reviewed.as_ref())
                .map(|stamp| stamp.officer.clone());
            (credential, reviewer)
        })
        .await?;
    let credential = match credential {
        Some((id, principal)) if principal == caller.0 => id,
        _ => return Err(ApiError::Unauthenticated),
    };
    if step != HoldStep::Review
        && reviewer.is_some_and(|reviewer| officer::look_alike(&reviewer, &officer))
    {
        return Err(hub_error(hub::HubError::FourEyesSameOfficer));
    }
    let action = match step {
        HoldStep::Review => Action::ReviewHoldAs {
            payment,
            credential,
        },
        HoldStep::Release => Action::ReleaseHoldAs {
            payment,
            credential,
        },
        HoldStep::Reject => Action::RejectHoldAs {
            payment,
            credential,
        },
    };
    let outcome = state.submit(Command::new(caller.0, action)).await?;
    payment_response(state, outcome, HOLD).map(|(_, result)| Json(result))
}

/// A compliance officer records the first look at a held payment.
#[utoipa::path(post, operation_id = "review_hold", path = "/v1/compliance/held/{id}/review", tag = "compliance",
    params(("id" = Uuid, Path, description = "Payment id")), security(("bearer" = [])),
    responses((status = 200, body = PaymentResult), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    token: TokenHash,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentResult>, ApiError> {
    hold_action(&state, caller, token, id, HoldStep::Review).await
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
    token: TokenHash,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentResult>, ApiError> {
    hold_action(&state, caller, token, id, HoldStep::Release).await
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
    token: TokenHash,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentResult>, ApiError> {
    hold_action(&state, caller, token, id, HoldStep::Reject).await
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
            "invalid_text",
            "name",
            "name must not be empty",
        ));
    }
    if request.threshold.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
        return Err(ApiError::invalid(
            "invalid_threshold",
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
