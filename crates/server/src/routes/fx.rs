//! FX: providers publish rates; participants ask for firm quotes and name them in payments.

use std::str::FromStr;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub::{Action, Command, ParticipantId, Quote, QuoteRequest, Rate, Success};

use crate::amount::{format_amount, parse_amount};
use crate::app::payments::expiry_from_now;
use crate::auth::Caller;
use crate::error::Code;
use crate::error::hub_error_at;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::routes::{submit_expect, unexpected};
use crate::state::AppState;
use crate::wire::{PublishRateRequest, QuoteRequestWire, QuoteView, RateView};

/// Quote lifetime when the request gives none, in seconds.
pub const QUOTE_EXPIRY_DEFAULT_SECS: u64 = 60;
/// Longest quote lifetime, in seconds (the hub's limit).
pub const QUOTE_EXPIRY_MAX_SECS: u64 = hub::fx::QUOTE_VALIDITY_MAX_NS / 1_000_000_000;

fn rate_wire(rate: &hub::PublishedRate) -> RateView {
    RateView {
        provider: rate.provider.0,
        base: rate.base.to_string(),
        quote: rate.quote.to_string(),
        rate: rate.rate.to_string(),
        spread_bp: rate.spread_bp,
        published_at_ns: rate.published_at,
    }
}

fn quote_wire(quote: &Quote, source_exponent: u8, target_exponent: u8) -> QuoteView {
    QuoteView {
        quote_id: quote.id,
        provider: quote.provider.0,
        requester: quote.requester.0,
        source_currency: quote.source_currency.to_string(),
        target_currency: quote.target_currency.to_string(),
        source_amount: format_amount(quote.source_amount, source_exponent),
        target_amount: format_amount(quote.target_amount, target_exponent),
        rate: quote.rate.to_string(),
        inverse: quote.inverse,
        spread_bp: quote.spread_bp,
        expires_at_ns: quote.expires_at,
        used_by_payment_id: quote.used_by,
    }
}

/// An FX provider publishes (or replaces) its mid rate for a currency pair.
#[utoipa::path(post, path = "/v1/fx/rates", tag = "fx", request_body = PublishRateRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RateView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_rate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PublishRateRequest>,
) -> Result<(StatusCode, Json<RateView>), ApiError> {
    let provider = caller.require_participant()?;
    let base = crate::convert::currency(&request.base, "base")?;
    let quote = crate::convert::currency(&request.quote, "quote")?;
    let rate = Rate::from_str(&request.rate).map_err(|error| hub_error_at(error, "rate"))?;
    let action = Action::PublishRate {
        base,
        quote,
        rate,
        spread_bp: request.spread_bp,
    };
    match submit_expect(&state, Command::new(caller.0, action)).await? {
        Success::RatePublished { .. } => {}
        other => return Err(unexpected(&other)),
    }
    let published = state
        .read(move |hub| {
            hub.rates()
                .find(|r| r.provider == provider && r.base == base && r.quote == quote)
                .map(rate_wire)
        })
        .await?
        .ok_or(ApiError::Internal)?;
    Ok((StatusCode::CREATED, Json(published)))
}

/// Every published rate (any authenticated caller).
#[utoipa::path(get, path = "/v1/fx/rates", tag = "fx", security(("bearer" = [])),
    responses((status = 200, body = Vec<RateView>), (status = 401, body = ErrorBody)))]
pub async fn rates(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<RateView>>, ApiError> {
    Ok(Json(
        state
            .read(|hub| hub.rates().map(rate_wire).collect())
            .await?,
    ))
}

/// A participant asks a provider for a firm quote, computed by the hub from the provider's rate.
#[utoipa::path(post, path = "/v1/fx/quotes", tag = "fx", request_body = QuoteRequestWire,
    security(("bearer" = [])),
    responses((status = 201, body = QuoteView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn request_quote(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<QuoteRequestWire>,
) -> Result<(StatusCode, Json<QuoteView>), ApiError> {
    caller.require_participant()?;
    let (source, source_exponent) = state
        .exponent(&request.source_currency, "source_currency")
        .await?;
    let (target, target_exponent) = state
        .exponent(&request.target_currency, "target_currency")
        .await?;
    let source_amount = parse_amount(&request.source_amount, source_exponent, "source_amount")?;
    let secs = request.expires_in_secs.unwrap_or(QUOTE_EXPIRY_DEFAULT_SECS);
    let expires_at = expiry_from_now(secs, QUOTE_EXPIRY_MAX_SECS, "expires_in_secs")?;
    let quote_request = QuoteRequest {
        quote_id: uuid::Uuid::new_v4(),
        provider: ParticipantId(request.provider),
        source_currency: source,
        target_currency: target,
        source_amount,
        expires_at,
    };
    match submit_expect(
        &state,
        Command::new(caller.0, Action::RequestQuote(quote_request)),
    )
    .await?
    {
        Success::QuoteIssued(quote) => Ok((
            StatusCode::CREATED,
            Json(quote_wire(&quote, source_exponent, target_exponent)),
        )),
        other => Err(unexpected(&other)),
    }
}

/// A quote, for its requester, its provider, and the roles that see everything.
#[utoipa::path(get, path = "/v1/fx/quotes/{id}", tag = "fx",
    params(("id" = Uuid, Path, description = "Quote id")), security(("bearer" = [])),
    responses((status = 200, body = QuoteView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn quote(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<uuid::Uuid>,
) -> Result<Json<QuoteView>, ApiError> {
    let viewer = caller.0;
    state
        .read(move |hub| {
            let quote = hub.quote(id)?;
            let visible = match viewer {
                hub::Principal::Participant(p) => p == quote.provider || p == quote.requester,
                _ => true,
            };
            let exponent = |code| hub.currency(code).map_or(0, |c| c.exponent);
            visible.then(|| {
                quote_wire(
                    quote,
                    exponent(quote.source_currency),
                    exponent(quote.target_currency),
                )
            })
        })
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(Code::QuoteNotFound, "FX quote not found"))
}
