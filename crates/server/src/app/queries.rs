//! Reads: currencies, participants, balances, payments, held payments, as the JSON API and the
//! dashboard show them.
//!
//! Reads run on the sequencer thread; closures there only copy what is needed, and the
//! conversion to wire types happens afterwards on the caller's task.

use hub::query::{Balance, PaymentFilter};
use hub::state::Payment;
use hub::{CurrencyCode, ParticipantId, PaymentId, Principal};

use crate::amount::{format_amount, format_signed};
use crate::app::{require_compliance_view, require_sees_participant};
use crate::convert;
use crate::error::{ApiError, hub_error};
use crate::state::AppState;
use crate::wire::{
    BalanceView, CurrencyView, FxLegView, HeldPaymentView, HoldHitView, ListVersionView,
    ParticipantView, PaymentListQuery, PaymentPage, PaymentView,
};

/// Currencies the scheme accepts.
pub async fn currencies(state: &AppState) -> Result<Vec<CurrencyView>, ApiError> {
    let currencies = state
        .read(|hub| hub.currencies().cloned().collect::<Vec<_>>())
        .await?;
    Ok(currencies
        .into_iter()
        .map(|c| CurrencyView {
            code: c.code.to_string(),
            exponent: c.exponent,
            settlement_model: convert::settlement_model_wire(c.model),
        })
        .collect())
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
pub async fn participants(state: &AppState) -> Result<Vec<ParticipantView>, ApiError> {
    state
        .read(|hub| hub.participants().iter().map(participant_wire).collect())
        .await
}

/// One participant, or 404 `participant_not_found`.
pub async fn participant_view(
    state: &AppState,
    id: ParticipantId,
) -> Result<ParticipantView, ApiError> {
    state
        .read(move |hub| hub.participant(id).map(participant_wire))
        .await?
        .ok_or_else(|| hub_error(hub::HubError::ParticipantNotFound))
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
) -> Result<BalanceView, ApiError> {
    let balances = read_balances(state, id).await?;
    let balance = balances
        .iter()
        .find(|b| b.currency == currency)
        .ok_or_else(|| hub_error(hub::HubError::CurrencyNotAccepted))?;
    balance_wire(balance)
}

/// A participant's positions, liquidity and availability per currency (itself, operator,
/// compliance, auditor).
pub async fn balances(
    state: &AppState,
    caller: &Principal,
    id: ParticipantId,
) -> Result<Vec<BalanceView>, ApiError> {
    require_sees_participant(caller, id)?;
    let balances = read_balances(state, id).await?;
    balances.iter().map(balance_wire).collect()
}

/// Every participant's balances, in one hub read (the dashboard's directory; the caller must
/// see every participant).
pub async fn all_balances(
    state: &AppState,
    caller: &Principal,
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
            require_sees_participant(caller, id)?;
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
pub async fn payment(
    state: &AppState,
    caller: &Principal,
    id: PaymentId,
) -> Result<PaymentView, ApiError> {
    let viewer = caller.clone();
    let found = state
        .read(move |hub| hub.payment_for(&viewer, id).map(|p| copy(hub, p)))
        .await?
        .ok_or_else(|| hub_error(hub::HubError::PaymentNotFound))?;
    Ok(payment_wire_for(&found, caller))
}

/// Payments visible to the caller, filtered, in creation order (or newest first), a page at a
/// time.
pub async fn payments(
    state: &AppState,
    caller: &Principal,
    query: PaymentListQuery,
) -> Result<PaymentPage, ApiError> {
    let participant = query.participant.map(ParticipantId);
    if let Some(participant) = participant {
        require_sees_participant(caller, participant)?;
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
    let viewer: Principal = caller.clone();
    let (copies, next) = state
        .read(move |hub| {
            let page = hub.payments(&viewer, &filter);
            let copies: Vec<PaymentCopy> = page.payments.iter().map(|p| copy(hub, p)).collect();
            (copies, page.next_cursor)
        })
        .await?;
    Ok(PaymentPage {
        payments: copies.iter().map(|c| payment_wire_for(c, caller)).collect(),
        next_cursor: next.map(|seq| seq.to_string()),
    })
}

/// Payments held for compliance, oldest first, with their matches (officers and the operator).
pub async fn held(state: &AppState, caller: &Principal) -> Result<Vec<HeldPaymentView>, ApiError> {
    require_compliance_view(caller)?;
    let held: Vec<PaymentCopy> = state
        .read(|hub| hub.held_payments().map(|p| copy(hub, p)).collect())
        .await?;
    let labels = state.screener.list_labels();
    Ok(held
        .iter()
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
        .collect())
}
