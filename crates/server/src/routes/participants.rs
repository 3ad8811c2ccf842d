//! Operator endpoints: currencies, participants, net debit caps and liquidity.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub::{Action, Command, LiquidityDirection, ParticipantId, Success};

use crate::amount::{parse_amount, parse_limit};
use crate::auth::Caller;
use crate::convert;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::routes::{submit_expect, unexpected};
use crate::state::AppState;
use crate::wire::{
    AddCurrencyRequest, AdmitParticipantRequest, CurrencyView, LiquidityRequest,
    NetDebitCapRequest, ParticipantStatusWire, ParticipantView,
};

/// Adds a currency to the scheme.
#[utoipa::path(post, path = "/v1/currencies", tag = "operator", request_body = AddCurrencyRequest,
    security(("bearer" = [])),
    responses((status = 201, body = CurrencyView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_currency(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AddCurrencyRequest>,
) -> Result<(StatusCode, Json<CurrencyView>), ApiError> {
    caller.require_operator()?;
    let currency = convert::currency(&request.code, "code")?;
    let action = Action::AddCurrency {
        currency,
        exponent: request.exponent,
        model: convert::settlement_model(request.settlement_model),
    };
    match submit_expect(&state, Command::new(caller.0, action)).await? {
        Success::CurrencyAdded { .. } => Ok((
            StatusCode::CREATED,
            Json(CurrencyView {
                code: request.code,
                exponent: request.exponent,
                settlement_model: request.settlement_model,
            }),
        )),
        other => Err(unexpected(&other)),
    }
}

/// Admits a participant; it gets a position and a liquidity account in every currency. A bank
/// whose name hits a sanctions list is refused (422 `participant_sanctioned`, the hits in the
/// message): a scheme moves no money for a listed bank, and there is no payment to hold.
#[utoipa::path(post, path = "/v1/participants", tag = "operator",
    request_body = AdmitParticipantRequest, security(("bearer" = [])),
    responses((status = 201, body = ParticipantView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Invalid, or participant_sanctioned")))]
pub async fn admit(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AdmitParticipantRequest>,
) -> Result<(StatusCode, Json<ParticipantView>), ApiError> {
    caller.require_operator()?;
    let roles = convert::roles(&request.roles);
    let country = convert::country(&request.country, "country")?;
    state.screener.check_participant(&request.name, country)?;
    let action = Action::AdmitParticipant {
        name: request.name.clone(),
        bic: convert::bic(&request.bic)?,
        country,
        roles,
    };
    match submit_expect(&state, Command::new(caller.0, action)).await? {
        Success::ParticipantAdmitted { participant } => Ok((
            StatusCode::CREATED,
            Json(ParticipantView {
                id: participant.0,
                name: request.name,
                bic: request.bic,
                country: request.country,
                roles: convert::roles_wire(roles),
                status: ParticipantStatusWire::Active,
            }),
        )),
        other => Err(unexpected(&other)),
    }
}

async fn change_status(
    state: &AppState,
    caller: Caller,
    id: u64,
    suspend: bool,
) -> Result<Json<ParticipantView>, ApiError> {
    caller.require_operator()?;
    let participant = ParticipantId(id);
    let action = if suspend {
        Action::SuspendParticipant { participant }
    } else {
        Action::ReactivateParticipant { participant }
    };
    match submit_expect(state, Command::new(caller.0, action)).await? {
        Success::ParticipantStatusChanged { .. } => {
            crate::app::queries::participant_view(state, participant)
                .await
                .map(axum::Json)
        }
        other => Err(unexpected(&other)),
    }
}

/// Suspends a participant: it can neither send nor receive until reactivated.
#[utoipa::path(post, path = "/v1/participants/{id}/suspend", tag = "operator",
    params(("id" = u64, Path, description = "Participant id")), security(("bearer" = [])),
    responses((status = 200, body = ParticipantView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<ParticipantView>, ApiError> {
    change_status(&state, caller, id, true).await
}

/// Reactivates a suspended participant.
#[utoipa::path(post, path = "/v1/participants/{id}/reactivate", tag = "operator",
    params(("id" = u64, Path, description = "Participant id")), security(("bearer" = [])),
    responses((status = 200, body = ParticipantView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn reactivate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<ParticipantView>, ApiError> {
    change_status(&state, caller, id, false).await
}

/// Sets a participant's net debit cap in one currency.
#[utoipa::path(put, path = "/v1/participants/{id}/net-debit-cap", tag = "operator",
    params(("id" = u64, Path, description = "Participant id")),
    request_body = NetDebitCapRequest, security(("bearer" = [])),
    responses((status = 200, body = crate::wire::BalanceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_net_debit_cap(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
    ApiJson(request): ApiJson<NetDebitCapRequest>,
) -> Result<Json<crate::wire::BalanceView>, ApiError> {
    caller.require_operator()?;
    let (currency, exponent) = state.exponent(&request.currency, "currency").await?;
    // A cap of zero is meaningful (no net debit allowed).
    let cap = parse_limit(&request.cap, exponent, "cap")?;
    let participant = ParticipantId(id);
    let action = Action::SetNetDebitCap {
        participant,
        currency,
        cap,
    };
    match submit_expect(&state, Command::new(caller.0, action)).await? {
        Success::NetDebitCapSet { .. } => {
            crate::app::queries::balance_view(&state, participant, currency)
                .await
                .map(axum::Json)
        }
        other => Err(unexpected(&other)),
    }
}

async fn liquidity(
    state: &AppState,
    caller: Caller,
    id: u64,
    request: LiquidityRequest,
    direction: LiquidityDirection,
) -> Result<Json<crate::wire::BalanceView>, ApiError> {
    caller.require_operator()?;
    let (currency, exponent) = state.exponent(&request.currency, "currency").await?;
    let amount = parse_amount(&request.amount, exponent, "amount")?;
    let participant = ParticipantId(id);
    let action = Action::RecordLiquidity {
        participant,
        currency,
        direction,
        amount,
    };
    match submit_expect(state, Command::new(caller.0, action)).await? {
        Success::LiquidityRecorded { .. } => {
            crate::app::queries::balance_view(state, participant, currency)
                .await
                .map(axum::Json)
        }
        other => Err(unexpected(&other)),
    }
}

/// Records a deposit into a participant's pre-funded liquidity account.
#[utoipa::path(post, path = "/v1/participants/{id}/liquidity/deposits", tag = "operator",
    params(("id" = u64, Path, description = "Participant id")),
    request_body = LiquidityRequest, security(("bearer" = [])),
    responses((status = 200, body = crate::wire::BalanceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn deposit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
    ApiJson(request): ApiJson<LiquidityRequest>,
) -> Result<Json<crate::wire::BalanceView>, ApiError> {
    liquidity(&state, caller, id, request, LiquidityDirection::Deposit).await
}

/// Records a withdrawal from a participant's pre-funded liquidity account.
#[utoipa::path(post, path = "/v1/participants/{id}/liquidity/withdrawals", tag = "operator",
    params(("id" = u64, Path, description = "Participant id")),
    request_body = LiquidityRequest, security(("bearer" = [])),
    responses((status = 200, body = crate::wire::BalanceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<u64>,
    ApiJson(request): ApiJson<LiquidityRequest>,
) -> Result<Json<crate::wire::BalanceView>, ApiError> {
    liquidity(&state, caller, id, request, LiquidityDirection::Withdrawal).await
}
