//! Read endpoints over JSON: currencies, participants, balances, payments, held payments (the
//! reads are [`crate::app::queries`]'s).

use axum::Json;
use axum::extract::State;
use hub::{ParticipantId, PaymentId};

use crate::app::queries;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::wire::{
    BalanceView, CurrencyView, HeldPaymentView, ParticipantView, PaymentListQuery, PaymentPage,
    PaymentView,
};

/// Currencies the scheme accepts.
#[utoipa::path(get, path = "/v1/currencies", tag = "participants", security(("bearer" = [])),
    responses((status = 200, body = Vec<CurrencyView>), (status = 401, body = ErrorBody)))]
pub async fn currencies(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<CurrencyView>>, ApiError> {
    queries::currencies(&state).await.map(Json)
}

/// The scheme's directory: every participant (any authenticated caller).
#[utoipa::path(get, path = "/v1/participants", tag = "participants", security(("bearer" = [])),
    responses((status = 200, body = Vec<ParticipantView>), (status = 401, body = ErrorBody)))]
pub async fn participants(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<ParticipantView>>, ApiError> {
    queries::participants(&state).await.map(Json)
}

/// One participant of the directory.
#[utoipa::path(get, path = "/v1/participants/{id}", tag = "participants",
    params(("id" = u64, Path, description = "Participant id")), security(("bearer" = [])),
    responses((status = 200, body = ParticipantView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn participant(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<ParticipantView>, ApiError> {
    queries::participant_view(&state, ParticipantId(id))
        .await
        .map(Json)
}

/// A participant's positions, liquidity and availability per currency (itself, operator,
/// compliance, auditor).
#[utoipa::path(get, path = "/v1/participants/{id}/balances", tag = "participants",
    params(("id" = u64, Path, description = "Participant id")), security(("bearer" = [])),
    responses((status = 200, body = Vec<BalanceView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn balances(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<Vec<BalanceView>>, ApiError> {
    queries::balances(&state, &caller.0, ParticipantId(id))
        .await
        .map(Json)
}

/// One payment the caller is party to (or any, for operator, compliance and auditors).
#[utoipa::path(get, operation_id = "get_payment", path = "/v1/payments/{id}", tag = "payments",
    params(("id" = Uuid, Path, description = "Payment id")), security(("bearer" = [])),
    responses((status = 200, body = PaymentView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn payment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentView>, ApiError> {
    queries::payment(&state, &caller.0, id).await.map(Json)
}

/// Payments visible to the caller, filtered, in creation order (or newest first), a page at a
/// time.
#[utoipa::path(get, operation_id = "list_payments", path = "/v1/payments", tag = "payments",
    params(
        ("participant" = Option<u64>, Query, description = "Debtor or creditor participant"),
        ("status" = Option<String>, Query, description = "Payment status"),
        ("currency" = Option<String>, Query, description = "ISO 4217 code"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("limit" = Option<usize>, Query, description = "Page size (default 100)"),
        ("order" = Option<String>, Query, description = "oldest_first (default) or newest_first"),
    ),
    security(("bearer" = [])),
    responses((status = 200, body = PaymentPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn payments(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PaymentListQuery>,
) -> Result<Json<PaymentPage>, ApiError> {
    queries::payments(&state, &caller.0, query).await.map(Json)
}

/// Payments held for compliance, oldest first, with their matches (officers and the operator).
#[utoipa::path(get, path = "/v1/compliance/held", tag = "compliance", security(("bearer" = [])),
    responses((status = 200, body = Vec<HeldPaymentView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn held(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<HeldPaymentView>>, ApiError> {
    queries::held(&state, &caller.0).await.map(Json)
}
