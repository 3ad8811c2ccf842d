//! Bulk endpoints: many payments (or many decisions) per request, each answered on its own.
//!
//! Items are parsed and checked one by one, so a malformed item fails alone; the good ones go to
//! the sequencer together with one `submit_many` (one journal record, one fsync).

use axum::Json;
use axum::extract::State;
use hub::{Action, Command, Outcome, Principal};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::auth::Caller;
use crate::convert;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiBody, parse_json};
use crate::routes::payments::{CREATE, DECISION, payment_response, prepare};
use crate::state::AppState;
use crate::wire::{
    BulkDecisionsRequest, BulkItemResult, BulkPaymentsRequest, BulkResponse, CreatePaymentRequest,
    DecisionItem, DecisionWire,
};

/// The shape of [`BulkPaymentsRequest`] with its items left unparsed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBulk<'a> {
    #[serde(borrow)]
    payments: Vec<&'a RawValue>,
}

/// The shape of [`BulkDecisionsRequest`] with its items left unparsed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDecisions<'a> {
    #[serde(borrow)]
    decisions: Vec<&'a RawValue>,
}

fn check_size(state: &AppState, items: usize) -> Result<(), ApiError> {
    let max = state
        .config
        .bulk_items_max
        .min(state.sequencer.batch_commands_max());
    if items > max {
        return Err(ApiError::TooManyItems {
            message: format!("{items} items exceed the limit of {max} per request"),
        });
    }
    Ok(())
}

/// Submits the prepared items and answers every item, in request order.
async fn run(
    state: &AppState,
    prepared: Vec<Result<Command, ApiError>>,
    command: &'static str,
) -> Result<BulkResponse, ApiError> {
    let mut results: Vec<Option<BulkItemResult>> = Vec::with_capacity(prepared.len());
    let mut commands = Vec::new();
    let mut positions = Vec::new();
    for (index, item) in prepared.into_iter().enumerate() {
        match item {
            Ok(command) => {
                positions.push(index);
                commands.push(command);
                results.push(None);
            }
            Err(error) => {
                state.metrics.payment_command(command, error.code());
                results.push(Some(failed(index, &error)));
            }
        }
    }
    let outcomes: Vec<Outcome> = state.submit_many(commands).await?;
    for (index, outcome) in positions.into_iter().zip(outcomes) {
        let result = match payment_response(state, outcome, command) {
            Ok((status, payment)) => BulkItemResult {
                index,
                status: status.as_u16(),
                payment: Some(payment),
                error: None,
            },
            Err(error) => failed(index, &error),
        };
        if let Some(slot) = results.get_mut(index) {
            *slot = Some(result);
        }
    }
    let results: Vec<BulkItemResult> = results.into_iter().flatten().collect();
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    Ok(BulkResponse {
        succeeded: results.len() - failed,
        failed,
        results,
    })
}

fn failed(index: usize, error: &ApiError) -> BulkItemResult {
    BulkItemResult {
        index,
        status: error.status().as_u16(),
        payment: None,
        error: Some(error.body()),
    }
}

/// Creates many payments; each item is answered as `POST /v1/payments` would answer it.
#[utoipa::path(post, operation_id = "create_payments_bulk", path = "/v1/payments/bulk", tag = "payments",
    request_body = BulkPaymentsRequest, security(("bearer" = [])),
    responses((status = 200, body = BulkResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn payments(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(body): ApiBody,
) -> Result<Json<BulkResponse>, ApiError> {
    caller.require_participant()?;
    // Items stay raw until each is parsed on its own, so a bad item fails alone (and the body
    // is parsed once, not into a `Value` tree first).
    let request: RawBulk<'_> = parse_json(&body)?;
    check_size(&state, request.payments.len())?;
    let mut prepared = Vec::with_capacity(request.payments.len());
    for item in request.payments {
        let command = match parse_json::<CreatePaymentRequest>(item.get().as_bytes()) {
            Ok(request) => prepare(&state, &caller.0, request).await,
            Err(error) => Err(error),
        };
        prepared.push(command);
    }
    run(&state, prepared, CREATE).await.map(Json)
}

fn decision_command(actor: &Principal, item: &RawValue) -> Result<Command, ApiError> {
    let item: DecisionItem = parse_json(item.get().as_bytes())?;
    let action = match item.decision {
        DecisionWire::Accept => Action::AcceptPayment {
            payment: item.payment_id,
        },
        DecisionWire::Reject => Action::RejectPayment {
            payment: item.payment_id,
            reason: convert::participant_reason(item.reason.as_deref(), "reason")?,
        },
    };
    Ok(Command::new(actor.clone(), action))
}

/// Accepts or rejects many payments; each item is answered on its own.
#[utoipa::path(post, path = "/v1/payments/bulk-decisions", tag = "payments",
    request_body = BulkDecisionsRequest, security(("bearer" = [])),
    responses((status = 200, body = BulkResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn decisions(
    State(state): State<AppState>,
    caller: Caller,
    ApiBody(body): ApiBody,
) -> Result<Json<BulkResponse>, ApiError> {
    caller.require_participant()?;
    let request: RawDecisions<'_> = parse_json(&body)?;
    check_size(&state, request.decisions.len())?;
    let prepared = request
        .decisions
        .into_iter()
        .map(|item| decision_command(&caller.0, item))
        .collect();
    run(&state, prepared, DECISION).await.map(Json)
}
