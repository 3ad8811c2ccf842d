//! `GET /v1/iso20022/pacs.008/{payment_id}`: a payment as the hub forwards it to the creditor
//! participant, as pacs.008.001.08 (the hub instructing, the creditor participant instructed).
//!
//! Only payments the creditor may act on or has received are forwarded (reserved, committed,
//! returned); a held payment waits for compliance and a rejected or expired one never reached
//! the creditor (409 `payment_not_forwarded`). For a cross-currency payment the interbank
//! amount is what the creditor receives, the debtor's amount is the instructed amount.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::response::Response;
use hub::state::Payment;
use hub::{PaymentId, PaymentStatus};
use iso20022::Amount;
use iso20022::emit;
use iso20022::model::{
    AccountId, Agent, ChargeBearer, CreditTransfer, CreditTransferTx, GroupHeader, Party,
    PostalAddress, Settlement, TransferKind,
};
use iso20022::money::Decimal;

use super::{Shared, answer};
use crate::auth::Caller;
use crate::error::Code;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;

/// The payment `id` as pacs.008.001.08.
#[utoipa::path(get, path = "/v1/iso20022/pacs.008/{id}", tag = "iso20022",
    params(("id" = Uuid, Path, description = "Payment id")), security(("bearer" = [])),
    responses((status = 200, content_type = "application/xml", body = String),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pacs008(
    State(state): State<AppState>,
    Extension(shared): Extension<Arc<Shared>>,
    caller: Caller,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Response, ApiError> {
    let viewer = caller.0.clone();
    let (payment, related) = state
        .read(move |hub| {
            let payment = hub.payment_for(&viewer, id).cloned()?;
            Some((
                payment,
                hub.related_parties(id).cloned().unwrap_or_default(),
            ))
        })
        .await?
        .ok_or_else(|| ApiError::not_found(Code::PaymentNotFound, "payment not found"))?;
    if !matches!(
        payment.status,
        PaymentStatus::Reserved | PaymentStatus::Committed | PaymentStatus::Returned
    ) {
        return Err(ApiError::Refused {
            code: Code::PaymentNotForwarded,
            message: format!("a {} payment is not forwarded", payment.status.code()),
            field: None,
        });
    }
    let ins = &payment.instruction;
    let parties = [ins.debtor_participant, ins.creditor_participant];
    let dir = shared.directory.get(&state, &parties, &[]).await?;
    // The participants' BICs, with the agent names the sender gave.
    let agent = |p: hub::ParticipantId, named: Option<&hub::AgentRecord>| {
        dir.by_id(p).map(|m| Agent {
            bic: Some(m.bic.clone()),
            name: named.and_then(|a| a.name.clone()),
            ..Agent::default()
        })
    };
    let (Some(debtor_agent), Some(creditor_agent)) = (
        agent(ins.debtor_participant, related.debtor_agent.as_ref()),
        agent(ins.creditor_participant, related.creditor_agent.as_ref()),
    ) else {
        tracing::error!(%id, "a payment names a participant the hub does not know");
        return Err(ApiError::Internal);
    };
    let (amount, instructed_amount) = amounts(&state, &payment).await?;
    let id_text = id.to_string();
    let tx = CreditTransferTx {
        instruction_id: None,
        end_to_end_id: ins.end_to_end_id.clone(),
        uetr: iso20022::rules::is_uuid_v4(&id_text).then_some(id_text),
        tx_id: Some(id.simple().to_string()),
        amount,
        settlement_date: None,
        exchange_rate: instructed_amount
            .as_ref()
            .and_then(|source| exchange_rate(source, &amount)),
        instructed_amount,
        charge_bearer: Some(ChargeBearer::SLEV),
        instructing_agent: None,
        instructed_agent: None,
        debtor: party(&ins.debtor),
        debtor_account: Some(account(&ins.debtor)),
        debtor_agent: Some(debtor_agent),
        creditor_agent: Some(creditor_agent.clone()),
        creditor: party(&ins.creditor),
        creditor_account: Some(account(&ins.creditor)),
        instructions_for_next_agent: Vec::new(),
        remittance: ins.remittance_info.iter().cloned().collect(),
        ultimate_debtor: related.ultimate_debtor.as_ref().map(related_party),
        initiating_party: related.initiating_party.as_ref().map(related_party),
        ultimate_creditor: related.ultimate_creditor.as_ref().map(related_party),
        intermediary_agents: related
            .intermediary_agents
            .iter()
            .map(|a| Agent {
                bic: a.bic.as_ref().map(|b| b.to_string()),
                name: a.name.clone(),
                ..Agent::default()
            })
            .collect(),
        remittance_structured: related.remittance_structured.clone(),
        underlying_customer_transfer: false,
    };
    let transfer = CreditTransfer {
        kind: TransferKind::Customer,
        group: GroupHeader {
            msg_id: msg_id_of(id),
            created: answer::now()?,
            nb_of_txs: 1,
            ctrl_sum: None,
            total_amount: None,
            settlement_date: None,
            settlement: Settlement {
                method: "CLRG".to_owned(),
                clearing_system: None,
            },
            instructing_agent: None,
            instructed_agent: Some(creditor_agent),
        },
        transactions: vec![tx],
    };
    answer::xml(emit::pacs008(&transfer))
}

/// What the creditor receives, and (cross-currency) what the debtor sent.
async fn amounts(
    state: &AppState,
    payment: &Payment,
) -> Result<(Amount, Option<Amount>), ApiError> {
    let ins = &payment.instruction;
    let source = iso_amount(state, ins.currency, ins.amount).await?;
    match &payment.fx {
        Some(fx) => {
            let target = iso_amount(state, fx.target_currency, fx.target_amount).await?;
            Ok((target, Some(source)))
        }
        None => Ok((source, None)),
    }
}

/// The rate a cross-currency payment was converted at, as ISO `XchgRate` (target units per
/// source unit): the exact quotient of the two amounts, rounded half to even to the most
/// fraction digits `BaseOneRate` allows (11 digits in all, at most 10 after the point). `None`
/// only for a rate of 10^11 or more, which `BaseOneRate` cannot hold.
fn exchange_rate(source: &Amount, target: &Amount) -> Option<Decimal> {
    let pow = |e: u8| 10u128.checked_pow(u32::from(e));
    // rate = (target / 10^te) / (source / 10^se) = target * 10^se / (source * 10^te)
    let numerator = target
        .minor_units
        .checked_mul(pow(source.currency.exponent())?)?;
    let denominator = source
        .minor_units
        .checked_mul(pow(target.currency.exponent())?)?;
    let whole = numerator.checked_div(denominator)?;
    let whole_digits = u32::try_from(whole.to_string().len()).ok()?;
    let scale = 11u32.checked_sub(whole_digits)?.min(10);
    let scaled = numerator.checked_mul(10u128.checked_pow(scale)?)?;
    let (quotient, remainder) = (scaled / denominator, scaled % denominator);
    let twice = remainder.checked_mul(2)?;
    let round_up = twice > denominator || (twice == denominator && quotient % 2 == 1);
    let digits = quotient.checked_add(u128::from(round_up))?;
    // Rounding up may carry into a twelfth digit (9.999… → 10.00…): drop one fraction digit.
    if digits.to_string().len() > 11 {
        return Some(Decimal {
            digits: digits / 10,
            scale: scale.checked_sub(1)?,
        });
    }
    Some(Decimal { digits, scale })
}

/// Hub minor units as an ISO amount.
async fn iso_amount(
    state: &AppState,
    currency: hub::CurrencyCode,
    minor_units: u128,
) -> Result<Amount, ApiError> {
    let (_, currency) = super::statement::currencies(state, currency.as_str()).await?;
    Ok(Amount {
        currency,
        minor_units,
    })
}

fn party(p: &hub::Party) -> Party {
    Party {
        name: Some(p.name.clone()),
        address: Some(PostalAddress {
            country: Some(p.country.as_str().to_owned()),
            lines: p.address_lines.clone(),
            ..PostalAddress::default()
        }),
        ..Party::default()
    }
}

fn related_party(p: &hub::RelatedParty) -> Party {
    Party {
        name: Some(p.name.clone()),
        address: (!p.address_lines.is_empty() || p.country.is_some()).then(|| PostalAddress {
            country: p.country.map(|c| c.as_str().to_owned()),
            lines: p.address_lines.clone(),
            ..PostalAddress::default()
        }),
        ..Party::default()
    }
}

/// An IBAN-shaped account as IBAN, anything else as a proprietary id.
fn account(p: &hub::Party) -> AccountId {
    if iso20022::rules::is_iban(&p.account) {
        AccountId::Iban(p.account.clone())
    } else {
        AccountId::Other {
            id: p.account.clone(),
            scheme: None,
        }
    }
}

/// The MsgId of the pacs.008 forwarding payment `id`: `KLR` and the id's 32 hex digits, the
/// same on every fetch, so a creditor's pacs.002 naming only this MsgId finds the payment.
pub fn msg_id_of(id: PaymentId) -> String {
    format!("KLR{}", id.simple())
}

/// The payment a forwarded pacs.008's MsgId names (see [`msg_id_of`]).
pub fn payment_of_msg_id(msg_id: &str) -> Option<PaymentId> {
    let hex = msg_id.strip_prefix("KLR")?;
    (hex.len() == 32)
        .then(|| PaymentId::try_parse(hex).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use iso20022::money::Currency;

    fn amount(code: &str, minor_units: u128) -> Amount {
        Amount {
            currency: Currency::new(code).expect("currency"),
            minor_units,
        }
    }

    #[test]
    fn exchange_rates_fill_base_one_rate_exactly_rounded() {
        let rate = |s, t| exchange_rate(&s, &t).map(|d| d.to_string());
        // 100.00 KES → 2836 UGX: 28.36 exactly, written with 9 fraction digits.
        assert_eq!(
            rate(amount("KES", 10_000), amount("UGX", 2_836)),
            Some("28.360000000".into())
        );
        // 3.00 EUR → 1.00 USD: 1/3 rounded half to even at 10 digits.
        assert_eq!(
            rate(amount("EUR", 300), amount("USD", 100)),
            Some("0.3333333333".into())
        );
        // 1 JPY → 0.01 EUR, and an exponent-3 currency.
        assert_eq!(
            rate(amount("JPY", 1), amount("EUR", 1)),
            Some("0.0100000000".into())
        );
        assert_eq!(
            rate(amount("EUR", 100), amount("KWD", 308)),
            Some("0.3080000000".into())
        );
    }
}
