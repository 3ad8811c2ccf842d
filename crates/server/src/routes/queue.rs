//! The liquidity queue of a gross currency (issue 5, `hub::queue`): the operator enables or
//! disables it and lists the payments waiting in it, in FIFO order. Payments short of
//! liquidity then wait as `queued` instead of failing, and the hub releases them at the end of
//! every batch, alone or together with offsetting payments (gridlock resolution).

use axum::Json;
use axum::extract::State;
use hub::{Action, Command, CurrencyCode, Payment, Success};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::queries::{PaymentCopy, copy, payment_wire};
use crate::auth::Caller;
use crate::error::hub_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::routes::{submit_expect, unexpected};
use crate::state::AppState;
use crate::wire::PaymentView;

/// `PUT /v1/settlement/queues/{currency}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueSettingRequest {
    pub enabled: bool,
}

/// A gross currency's liquidity queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LiquidityQueueView {
    pub currency: String,
    pub enabled: bool,
    /// Queued payments, first in first out (kept after disabling until released or expired).
    pub payments: Vec<PaymentView>,
}

async fn queue_view(
    state: &AppState,
    currency: CurrencyCode,
) -> Result<LiquidityQueueView, ApiError> {
    let found: Option<(bool, Vec<PaymentCopy>)> = state
        .read(move |hub| {
            let queued: Vec<&Payment> = hub.queued_payments(currency)?;
            let copies = queued.into_iter().map(|p| copy(hub, p)).collect();
            Some((hub.liquidity_queue_enabled(currency), copies))
        })
        .await?;
    let (enabled, copies) = found.ok_or_else(|| hub_error(hub::HubError::CurrencyNotAccepted))?;
    Ok(LiquidityQueueView {
        currency: currency.to_string(),
        enabled,
        payments: copies.iter().map(payment_wire).collect(),
    })
}

/// Enables or disables the liquidity queue of a gross currency (a deferred-net currency is
/// refused with `currency_not_gross`).
#[utoipa::path(put, operation_id = "put_liquidity_queue", path = "/v1/settlement/queues/{currency}", tag = "settlement",
    params(("currency" = String, Path, description = "ISO 4217 code of a gross currency")),
    request_body = QueueSettingRequest, security(("bearer" = [])),
    responses((status = 200, body = LiquidityQueueView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    ApiJson(request): ApiJson<QueueSettingRequest>,
) -> Result<Json<LiquidityQueueView>, ApiError> {
    caller.require_operator()?;
    let currency = crate::convert::currency(&code, "currency")?;
    let action = Action::SetLiquidityQueue {
        currency,
        enabled: request.enabled,
    };
    match submit_expect(&state, Command::new(caller.0, action)).await? {
        Success::LiquidityQueueSet { currency, .. } => queue_view(&state, currency).await.map(Json),
        other => Err(unexpected(&other)),
    }
}

/// The currency's queue: whether it is enabled, and the payments waiting in it.
#[utoipa::path(get, operation_id = "get_liquidity_queue", path = "/v1/settlement/queues/{currency}", tag = "settlement",
    params(("currency" = String, Path, description = "ISO 4217 code")), security(("bearer" = [])),
    responses((status = 200, body = LiquidityQueueView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<LiquidityQueueView>, ApiError> {
    caller.require_operator()?;
    let currency = crate::convert::currency(&code, "currency")?;
    queue_view(&state, currency).await.map(Json)
}
