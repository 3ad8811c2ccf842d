//! Read endpoints: currencies, participants, balances, payments, held payments.
//!
//! Reads run on the sequencer thread; closures there only copy what is needed, and the
//! conversion to wire types happens afterwards on the handler's task.

use axum::Json;
use axum::extract::State;
use hub::query::{Balance, PaymentFilter};
use hub::state::Payment;
use hub::{CurrencyCode, ParticipantId, PaymentId, Principal};

use crate::amount::{format_amount, format_signed};
use crate::auth::Caller;
use crate::convert;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::{AppState, hub_error};
use crate::wire::{
    BalanceView, CurrencyView, FxLegView, HeldPaymentView, HoldHitView, ListVersionView,
    ParticipantView, PaymentListQuery, PaymentPage, PaymentView,
};

/// Currencies the scheme accepts.
#[utoipa::path(get, path = "/v1/currencies", tag = "participants", security(("bearer" = [])),
    responses((status = 200, body = Vec<CurrencyView>), (status = 401, body = ErrorBody)))]
pub async fn currencies(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<CurrencyView>>, ApiError> {
    let currencies = state
        .read(|hub| hub.currencies().cloned().collect::<Vec<_>>())
        .await?;
    Ok(Json(
        currencies
            .into_iter()
            .map(|c| CurrencyView {
                code: c.code.to_string(),
                exponent: c.exponent,
                settlement_model: convert::settlement_model_wire(c.model),
            })
            .collect(),
    ))
}

fn participant_wire(p: &hub::state::Participant) -> ParticipantView {
    ParticipantView {
        id: p.id.0,
        name: p.name.clone(),
        bic: p.bic.to_string(),
        country: p.country.to_string(),
        roles: convert::roles_wire(p.roles),
        status: convert::participant_status_wire(p.status),
    }
}

/// The scheme's directory: every participant (any authenticated caller).
#[utoipa::path(get, path = "/v1/participants", tag = "participants", security(("bearer" = [])),
    responses((status = 200, body = Vec<ParticipantView>), (status = 401, body = ErrorBody)))]
pub async fn participants(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<ParticipantView>>, ApiError> {
    let views = state
        .read(|hub| hub.participants().iter().map(participant_wire).collect())
        .await?;
    Ok(Json(views))
}

/// One participant, or 404 `participant_not_found`.
pub async fn participant_view(
    state: &AppState,
    id: ParticipantId,
) -> Result<Json<ParticipantView>, ApiError> {
    state
        .read(move |hub| hub.participant(id).map(participant_wire))
        .await?
        .map(Json)
        .ok_or_else(|| hub_error(hub::HubError::ParticipantNotFound))
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
    participant_view(&state, ParticipantId(id)).await
}

fn balance_wire(b: &Balance) -> Result<BalanceView, ApiError> {
    let e = b.exponent;
    let pending = b
        .position_pending_debits
        .checked_add(b.liquidity_pending_debits)
        .ok_or(ApiError::Internal)?;
    Ok(BalanceView {
        currency: b.currency.to_string(),
        position: format_signed(b.position, e),
        liquidity: format_amount(b.liquidity, e),
        pending_debits: format_amount(pending, e),
        pending_credits: format_amount(b.position_pending_credits, e),
        net_debit_cap: format_amount(b.net_debit_cap, e),
        available: format_amount(b.available, e),
    })
}

async fn read_balances(state: &AppState, id: ParticipantId) -> Result<Vec<Balance>, ApiError> {
    state
        .read(move |hub| hub.balances(id))
        .await?
        .ok_or_else(|| hub_error(hub::HubError::ParticipantNotFound))
}

/// One participant's balance in one currency.
pub async fn balance_view(
    state: &AppState,
    id: ParticipantId,
    currency: CurrencyCode,
) -> Result<Json<BalanceView>, ApiError> {
    let balances = read_balances(state, id).await?;
    let balance = balances
        .iter()
        .find(|b| b.currency == currency)
        .ok_or_else(|| hub_error(hub::HubError::CurrencyNotAccepted))?;
    balance_wire(balance).map(Json)
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
    let id = ParticipantId(id);
    caller.require_sees_participant(id)?;
    let balances = read_balances(&state, id).await?;
    balances
        .iter()
        .map(balance_wire)
        .collect::<Result<Vec<_>, _>>()
        .map(Json)
}

/// Every participant's balances, in one hub read (the dashboard's directory; the caller must
/// see every participant).
pub async fn all_balances(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<(ParticipantId, Vec<BalanceView>)>, ApiError> {
    let all = state
        .read(|hub| {
            hub.participants()
                .iter()
                .filter_map(|p| Some((p.id, hub.balances(p.id)?)))
                .collect::<Vec<_>>()
        })
        .await?;
    all.into_iter()
        .map(|(id, balances)| {
            caller.require_sees_participant(id)?;
            let views = balances
                .iter()
                .map(balance_wire)
                .collect::<Result<_, _>>()?;
            Ok((id, views))
        })
        .collect()
}

/// A payment and the exponents of its currencies, copied out of the hub.
pub struct PaymentCopy {
    payment: Payment,
    related: hub::RelatedParties,
    exponent: u8,
    target_exponent: u8,
}

pub fn copy(hub: &hub::Hub, payment: &Payment) -> PaymentCopy {
    let exponent_of = |code| hub.currency(code).map_or(0, |c| c.exponent);
    PaymentCopy {
        payment: payment.clone(),
        related: hub
            .related_parties(payment.id())
            .cloned()
            .unwrap_or_default(),
        exponent: exponent_of(payment.instruction.currency),
        target_exponent: payment
            .fx
            .as_ref()
            .map_or(0, |fx| exponent_of(fx.target_currency)),
    }
}

fn party_wire(party: &hub::Party) -> crate::wire::PartyWire {
    crate::wire::PartyWire {
        name: party.name.clone(),
        address: party.address_lines.clone(),
        country: party.country.to_string(),
        account: party.account.clone(),
    }
}

/// The party part of a hit's field (`ultimate_creditor` of `ultimate_creditor.name`).
fn party_of(side: hub::PartySide) -> String {
    let field = side.field();
    match field.split_once('.') {
        Some((party, _)) => party.to_owned(),
        None => field,
    }
}

/// The fields a verdict's hits concern, each once, in the order of the hits.
fn hit_fields(verdict: &hub::ScreeningVerdict) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for hit in &verdict.hits {
        let field = hit.party.field();
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    fields
}

/// The view of a payment for `viewer`: a participant sees that a payment is held, not which of
/// its fields hit a list — telling the bank (and through it its customer) what to change would
/// tip off the sender and teach it to disguise; the hits are for compliance officers, the
/// operator and auditors.
pub fn payment_wire_for(copy: &PaymentCopy, viewer: &Principal) -> PaymentView {
    let mut view = payment_wire(copy);
    if matches!(viewer, Principal::Participant(_)) {
        view.screening_hits = 0;
        view.screening_hit_fields.clear();
    }
    view
}

pub fn payment_wire(copy: &PaymentCopy) -> PaymentView {
    let PaymentCopy {
        payment,
        related,
        exponent,
        target_exponent,
    } = copy;
    let i = &payment.instruction;
    PaymentView {
        payment_id: i.payment_id,
        end_to_end_id: i.end_to_end_id.clone(),
        debtor: party_wire(&i.debtor),
        creditor: party_wire(&i.creditor),
        debtor_participant: i.debtor_participant.0,
        creditor_participant: i.creditor_participant.0,
        amount: format_amount(i.amount, *exponent),
        currency: i.currency.to_string(),
        remittance_info: i.remittance_info.clone(),
        status: convert::status_wire(payment.status),
        reason_code: payment.reason.map(|r| r.code().to_owned()),
        iso_reason: payment.reason.and_then(|r| r.iso_code()).map(str::to_owned),
        created_at_ns: payment.created_at,
        expires_at_ns: payment.expires_at,
        returns_payment_id: payment.return_of,
        returned_by_payment_id: payment.returned_by,
        screening_hits: payment.screening.hits.len(),
        screening_hit_fields: hit_fields(&payment.screening),
        ultimate_debtor: related
            .ultimate_debtor
            .as_ref()
            .map(convert::related_party_wire),
        ultimate_creditor: related
            .ultimate_creditor
            .as_ref()
            .map(convert::related_party_wire),
        initiating_party: related
            .initiating_party
            .as_ref()
            .map(convert::related_party_wire),
        debtor_agent: related.debtor_agent.as_ref().map(convert::agent_wire),
        creditor_agent: related.creditor_agent.as_ref().map(convert::agent_wire),
        intermediary_agents: related
            .intermediary_agents
            .iter()
            .map(convert::agent_wire)
            .collect(),
        remittance_structured: related.remittance_structured.clone(),
        fx: payment.fx.as_ref().map(|fx| FxLegView {
            quote_id: fx.quote,
            provider: fx.provider.0,
            target_currency: fx.target_currency.to_string(),
            target_amount: format_amount(fx.target_amount, *target_exponent),
        }),
    }
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
    let viewer = caller.0;
    let caller_principal = viewer.clone();
    let found = state
        .read(move |hub| hub.payment_for(&viewer, id).map(|p| copy(hub, p)))
        .await?
        .ok_or_else(|| hub_error(hub::HubError::PaymentNotFound))?;
    Ok(Json(payment_wire_for(&found, &caller_principal)))
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
    let participant = query.participant.map(ParticipantId);
    if let Some(participant) = participant {
        caller.require_sees_participant(participant)?;
    }
    let after = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(text) => Some(text.parse::<u64>().map_err(|_| ApiError::InvalidQuery {
            message: format!("cursor {text:?} is not a cursor this server issued"),
        })?),
    };
    let currency = query
        .currency
        .as_deref()
        .map(|c| convert::currency(c, "currency"))
        .transpose()?;
    let filter = PaymentFilter {
        participant,
        status: query.status.map(convert::status_hub),
        currency,
        after,
        limit: query.limit.unwrap_or(0).min(state.config.page_limit_max),
        newest_first: query.order == Some(crate::wire::PaymentOrderWire::NewestFirst),
    };
    let viewer: Principal = caller.0;
    let shown_to = viewer.clone();
    let (copies, next) = state
        .read(move |hub| {
            let page = hub.payments(&viewer, &filter);
            let copies: Vec<PaymentCopy> = page.payments.iter().map(|p| copy(hub, p)).collect();
            (copies, page.next_cursor)
        })
        .await?;
    Ok(Json(PaymentPage {
        payments: copies
            .iter()
            .map(|c| payment_wire_for(c, &shown_to))
            .collect(),
        next_cursor: next.map(|seq| seq.to_string()),
    }))
}

/// Payments held for compliance, oldest first, with their matches (officers and the operator).
#[utoipa::path(get, path = "/v1/compliance/held", tag = "compliance", security(("bearer" = [])),
    responses((status = 200, body = Vec<HeldPaymentView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn held(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<HeldPaymentView>>, ApiError> {
    caller.require_compliance_view()?;
    let held: Vec<PaymentCopy> = state
        .read(|hub| hub.held_payments().map(|p| copy(hub, p)).collect())
        .await?;
    let labels = state.screener.list_labels();
    Ok(Json(
        held.iter()
            .map(|copy| {
                let payment = &copy.payment;
                HeldPaymentView {
                    payment: payment_wire(copy),
                    hits: payment
                        .screening
                        .hits
                        .iter()
                        .map(|h| HoldHitView {
                            party: party_of(h.party),
                            field: h.party.field(),
                            list: h.list.clone(),
                            reference: h.reference.clone(),
                            name: h.name.clone(),
                            matched_name: h.matched_name.clone(),
                            score_bp: h.score_bp,
                        })
                        .collect(),
                    lists: payment
                        .screening
                        .lists
                        .iter()
                        .map(|l| ListVersionView {
                            source: l.source.clone(),
                            version: l.version.clone(),
                            label: labels.get(&l.version).cloned(),
                        })
                        .collect(),
                    reviewed_by: payment
                        .hold
                        .as_ref()
                        .and_then(|h| h.reviewed.as_ref())
                        .map(|s| s.officer.clone()),
                }
            })
            .collect(),
    ))
}
