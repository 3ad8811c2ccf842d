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

use super::{Shared, answer};
use crate::auth::Caller;
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
    let payment = state
        .read(move |hub| hub.payment_for(&viewer, id).cloned())
        .await?
        .ok_or_else(|| ApiError::not_found("payment_not_found", "payment not found"))?;
    if !matches!(
        payment.status,
        PaymentStatus::Reserved | PaymentStatus::Committed | PaymentStatus::Returned
    ) {
        return Err(ApiError::Conflict {
            code: "payment_not_forwarded",
            message: format!("a {} payment is not forwarded", payment.status.code()),
        });
    }
    let ins = &payment.instruction;
    let parties = [ins.debtor_participant, ins.creditor_participant];
    let dir = shared.directory.get(&state, &parties, &[]).await?;
    let agent = |p: hub::ParticipantId| {
        dir.by_id(p).map(|m| Agent {
            bic: Some(m.bic.clone()),
            ..Agent::default()
        })
    };
    let (Some(debtor_agent), Some(creditor_agent)) = (
        agent(ins.debtor_participant),
        agent(ins.creditor_participant),
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
