//! Payment commands: create (screened at the edge), accept, reject, return, cancel.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub::{Action, Command, Outcome, ParticipantId, PaymentId, Principal, Success};

use crate::app;
use crate::app::payments::{DraftAmount, PaymentDraft};
use crate::auth::Caller;
use crate::convert;
use crate::error::hub_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiJsonOrDefault, ApiPath};
use crate::routes::unexpected;
use crate::state::AppState;
use crate::wire::{
    CancelOutcomeWire, CancelPaymentRequest, CancelPaymentResult, CreatePaymentRequest,
    PaymentResult, PaymentStatusWire, RejectPaymentRequest, ReturnPaymentRequest,
};

/// A create request as a journal-ready command (see [`app::payments::create_command`]).
pub async fn prepare(
    state: &AppState,
    actor: &Principal,
    request: CreatePaymentRequest,
) -> Result<Command, ApiError> {
    let draft = draft(request)?;
    app::payments::create_command(state, actor, draft).await
}

/// A create request as the service layer's draft: countries and BICs checked here, the rest
/// (currency, amount, names, expiry) by [`crate::app::payments::create_command`].
fn draft(request: CreatePaymentRequest) -> Result<PaymentDraft, ApiError> {
    let related = convert::related(&request)?;
    Ok(PaymentDraft {
        payment_id: request.payment_id,
        end_to_end_id: request.end_to_end_id,
        debtor: convert::party(request.debtor, "debtor")?,
        creditor: convert::party(request.creditor, "creditor")?,
        debtor_participant: ParticipantId(request.debtor_participant),
        creditor_participant: ParticipantId(request.creditor_participant),
        amount: DraftAmount::Decimal(request.amount),
        currency: request.currency,
        remittance_info: request.remittance_info,
        expires_in_secs: request.expires_in_secs,
        fx_quote: request.fx_quote_id,
        related,
    })
}

pub use crate::app::payments::{CANCEL, CREATE, DECISION, HOLD};

/// The wire result of a payment command's outcome with its HTTP status: 201 for a payment
/// created now, 200 otherwise (see [`app::payments::payment_result`]).
pub fn payment_response(
    state: &AppState,
    outcome: Outcome,
    command: &'static str,
) -> Result<(StatusCode, PaymentResult), ApiError> {
    let (created, result) = app::payments::payment_result(state, outcome, command)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, result))
}

/// Creates a payment: screens both parties, then reserves funds (or holds it for compliance).
/// Resubmitting the same id with the same content answers 200 with the original result.
#[utoipa::path(post, operation_id = "create_payment", path = "/v1/payments", tag = "payments",
    request_body = CreatePaymentRequest, security(("bearer" = [])),
    responses((status = 201, body = PaymentResult, description = "Created (reserved or held)"),
        (status = 200, body = PaymentResult, description = "Identical resubmission"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreatePaymentRequest>,
) -> Result<(StatusCode, Json<PaymentResult>), ApiError> {
    let command = prepare(&state, &caller.0, request)
        .await
        .inspect_err(|error| {
            state.metrics.payment_command(CREATE, error.code());
        })?;
    let outcome = state.submit(command).await?;
    let (status, result) = payment_response(&state, outcome, CREATE)?;
    Ok((status, Json(result)))
}

async fn decide(
    state: &AppState,
    actor: Principal,
    action: Action,
) -> Result<Json<PaymentResult>, ApiError> {
    let outcome = state.submit(Command::new(actor, action)).await?;
    payment_response(state, outcome, DECISION).map(|(_, result)| Json(result))
}

/// The creditor participant accepts: the reservation is posted.
#[utoipa::path(post, operation_id = "accept_payment", path = "/v1/payments/{id}/accept", tag = "payments",
    params(("id" = Uuid, Path, description = "Payment id")), security(("bearer" = [])),
    responses((status = 200, body = PaymentResult), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<PaymentResult>, ApiError> {
    caller.require_participant()?;
    decide(&state, caller.0, Action::AcceptPayment { payment: id }).await
}

/// The creditor participant rejects: the reservation is voided with a reason.
#[utoipa::path(post, operation_id = "reject_payment", path = "/v1/payments/{id}/reject", tag = "payments",
    params(("id" = Uuid, Path, description = "Payment id")),
    request_body = RejectPaymentRequest, security(("bearer" = [])),
    responses((status = 200, body = PaymentResult), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<PaymentId>,
    ApiJsonOrDefault(request): ApiJsonOrDefault<RejectPaymentRequest>,
) -> Result<Json<PaymentResult>, ApiError> {
    caller.require_participant()?;
    let reason = convert::participant_reason(request.reason.as_deref(), "reason")?;
    decide(
        &state,
        caller.0,
        Action::RejectPayment {
            payment: id,
            reason,
        },
    )
    .await
}

/// The creditor participant of a committed payment sends the money back as a new payment.
#[utoipa::path(post, path = "/v1/payments/{id}/return", tag = "payments",
    params(("id" = Uuid, Path, description = "Payment id")),
    request_body = ReturnPaymentRequest, security(("bearer" = [])),
    responses((status = 200, body = PaymentResult, description = "The return payment"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn return_payment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<PaymentId>,
    ApiJson(request): ApiJson<ReturnPaymentRequest>,
) -> Result<Json<PaymentResult>, ApiError> {
    caller.require_participant()?;
    let reason = convert::participant_reason(request.reason.as_deref(), "reason")?;
    let action = Action::ReturnPayment {
        payment: id,
        return_id: request.return_payment_id,
        reason,
    };
    let outcome = state.submit(Command::new(caller.0, action)).await?;
    match outcome.map_err(hub_error)? {
        Success::Returned { return_payment, .. } => Ok(Json(PaymentResult {
            payment_id: return_payment,
            status: PaymentStatusWire::Committed,
            reason_code: Some(reason.code().to_owned()),
            iso_reason: reason.iso_code().map(str::to_owned),
            replayed: false,
        })),
        other => Err(unexpected(&other)),
    }
}

/// The debtor participant (or the operator) cancels a payment not yet committed (held, queued
/// or reserved: 200, `cancelled`, the reservation voided), or asks the creditor participant to
/// return a committed one (202, `return_requested`; nothing moves until it returns it).
/// Repeating a request answers the same with `replayed`.
#[utoipa::path(post, operation_id = "cancel_payment", path = "/v1/payments/{id}/cancel", tag = "payments",
    params(("id" = Uuid, Path, description = "Payment id")),
    request_body = CancelPaymentRequest, security(("bearer" = [])),
    responses((status = 200, body = CancelPaymentResult, description = "Cancelled"),
        (status = 202, body = CancelPaymentResult, description = "Return requested"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "payment_not_cancellable"),
        (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<PaymentId>,
    ApiJsonOrDefault(request): ApiJsonOrDefault<CancelPaymentRequest>,
) -> Result<(StatusCode, Json<CancelPaymentResult>), ApiError> {
    let reason = convert::participant_reason(request.reason.as_deref(), "reason")?;
    let action = Action::CancelPayment {
        payment: id,
        reason,
    };
    let outcome = state.submit(Command::new(caller.0, action)).await?;
    let success = outcome.map_err(|error| {
        state.metrics.payment_command(CANCEL, error.code());
        hub_error(error)
    })?;
    let (status, result) = match success {
        Success::Payment(payment) => {
            let result = convert::payment_result(&payment);
            let cancelled = CancelPaymentResult {
                payment_id: result.payment_id,
                outcome: CancelOutcomeWire::Cancelled,
                status: result.status,
                reason_code: result.reason_code,
                iso_reason: result.iso_reason,
                replayed: result.replayed,
            };
            (StatusCode::OK, cancelled)
        }
        Success::ReturnRequested { payment, replayed } => {
            let requested = CancelPaymentResult {
                payment_id: payment,
                outcome: CancelOutcomeWire::ReturnRequested,
                status: PaymentStatusWire::Committed,
                reason_code: Some(reason.code().to_owned()),
                iso_reason: reason.iso_code().map(str::to_owned),
                replayed,
            };
            (StatusCode::ACCEPTED, requested)
        }
        other => return Err(unexpected(&other)),
    };
    let label = match result.outcome {
        CancelOutcomeWire::Cancelled => "cancelled",
        CancelOutcomeWire::ReturnRequested => "return_requested",
    };
    state.metrics.payment_command(CANCEL, label);
    Ok((status, Json(result)))
}
