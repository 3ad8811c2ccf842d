//! camt.056 (FI-to-FI payment cancellation request) from the debtor participant, answered by a
//! camt.029 (resolution of investigation). Each transaction becomes a hub `CancelPayment`:
//! - not yet committed (held, queued, reserved) → cancelled: `TxCxlSts` ACCR (`Conf` CNCL),
//!   the reservation voided, the payment rejected `cancelled_by_debtor` (DS02);
//! - committed → the creditor participant is asked to return it (its inbox gets a return
//!   request): `PDCR` with a narrative, nothing moves until it sends a pacs.004;
//! - otherwise `RJCR` with an ExternalPaymentCancellationRejection1Code: NOOR (no such payment
//!   of the sender), ARDT (already returned), ARJR (already rejected or expired), AGNT (the
//!   sender is not the debtor agent, or the payment is itself a return).
//!
//! The group status (`Sts/Conf`) is RJCR when every transaction was refused, PDCR when any
//! waits for its creditor, else CNCL (the transactions carry the detail). A resent request
//! answers the same: the hub replays a repeated cancel. The lookups share one hub read and the
//! cancellations one journal record; a request of more transactions than the server's bulk
//! limit is HTTP 413 `too_many_items` (a camt.029 has no reason code for it).

use axum::response::Response;
use hub::state::Payment;
use hub::{Action, Command, HubError, PaymentStatus, Principal, Success};
use iso20022::emit::{self, CancellationOutcome, CancellationStatus, Resolution, StatusReason};
use iso20022::model::{Agent, CancellationRequest, CancellationTx};

use super::Ctx;
use super::OriginalSender;
use super::answer;
use super::lookup;
use super::reasons::{self, NARR, with_text};
use crate::app::unexpected;
use crate::error::ApiError;

/// camt.056 → one `CancelPayment` per transaction (see the module doc), answered by camt.029.
/// The payments are looked up in one read and the cancellations submitted as one batch (one
/// journal record): a request is applied whole or, if the journal fails, not at all.
pub async fn cancellation(ctx: &Ctx, req: CancellationRequest) -> Result<Response, ApiError> {
    let max = ctx.state.config.bulk_items_max;
    if req.transactions.len() > max {
        return Err(ApiError::TooManyItems {
            message: format!(
                "{} transactions; this hub takes at most {max} per message",
                req.transactions.len()
            ),
        });
    }
    let dir = ctx.directory(&lookup::bics([Some(&req.assigner)])).await?;
    let version = ctx.info.version.as_deref().unwrap_or("camt.056.001.08");
    let sender_refused = dir
        .check_sender(ctx.sender, Some(&req.assigner), "Assgnr")
        .err();
    let outcomes = match &sender_refused {
        Some(reason) => {
            vec![(CancellationOutcome::Rejected, reason.clone()); req.transactions.len()]
        }
        None => cancel_all(ctx, &req.transactions).await?,
    };
    let transactions = req
        .transactions
        .iter()
        .zip(outcomes)
        .map(|(tx, (outcome, reason))| CancellationStatus {
            original: tx.original.clone(),
            outcome,
            reasons: vec![reason],
        })
        .collect::<Vec<_>>();
    let first = req.transactions.first().map(|t| &t.original);
    let resolution = Resolution {
        assignment_id: answer::msg_id(),
        assigner: identified(&req.assignee),
        assignee: req.assigner.clone(),
        created: answer::now()?,
        case: req.case_id.clone().map(|id| (id, req.assigner.clone())),
        outcome: group_outcome(&transactions),
        original_msg_id: first
            .and_then(|o| o.msg_id.clone())
            .unwrap_or_else(|| req.assignment_id.clone()),
        original_msg_name_id: first
            .and_then(|o| o.msg_name_id.clone())
            .unwrap_or_else(|| version.to_owned()),
        transactions,
    };
    answer::xml(emit::camt029(&resolution))
}

/// Cancels each transaction's payment, or says why not, in transaction order.
async fn cancel_all(
    ctx: &Ctx,
    txs: &[CancellationTx],
) -> Result<Vec<(CancellationOutcome, StatusReason)>, ApiError> {
    let refused = |reason| (CancellationOutcome::Rejected, reason);
    let wanted = txs.iter().map(|tx| (tx.original.clone(), None)).collect();
    let found = ctx.originals(wanted, OriginalSender::Caller).await?;
    let mut answers: Vec<Option<(CancellationOutcome, StatusReason)>> = Vec::new();
    let mut commands = Vec::new();
    let mut payments = Vec::new();
    for (tx, payment) in txs.iter().zip(found) {
        let Some(payment) = payment else {
            answers.push(Some(refused(with_text(
                "NOOR",
                "no payment of the sender matches",
            ))));
            continue;
        };
        if payment.instruction.debtor_participant != ctx.sender {
            let text = "only the debtor participant may ask to cancel";
            answers.push(Some(refused(with_text("AGNT", text))));
            continue;
        }
        let action = Action::CancelPayment {
            payment: payment.id(),
            reason: reasons::from_iso(tx.reason.code.as_deref()),
        };
        commands.push(Command::new(Principal::Participant(ctx.sender), action));
        payments.push(payment);
        answers.push(None);
    }
    let outcomes = ctx.state.submit_many(commands).await?;
    let mut decided = payments.iter().zip(outcomes);
    answers
        .into_iter()
        .map(|answer| match answer {
            Some(answer) => Ok(answer),
            None => match decided.next() {
                Some((payment, outcome)) => resolution_of(payment, outcome),
                None => Err(ApiError::Internal),
            },
        })
        .collect()
}

/// What the hub's outcome of a cancellation means for the camt.029.
fn resolution_of(
    payment: &Payment,
    outcome: hub::Outcome,
) -> Result<(CancellationOutcome, StatusReason), ApiError> {
    match outcome {
        Ok(Success::Payment(p)) => {
            let text = format!("payment {} cancelled; no funds moved", p.payment);
            Ok((CancellationOutcome::Cancelled, with_text(NARR, text)))
        }
        Ok(Success::ReturnRequested { payment, .. }) => {
            let text = format!(
                "payment {payment} is settled; its creditor participant was asked to return it"
            );
            Ok((CancellationOutcome::Pending, with_text(NARR, text)))
        }
        Ok(other) => Err(unexpected(&other)),
        Err(error) => Ok((CancellationOutcome::Rejected, refusal(payment, &error))),
    }
}

/// Why the hub refused a cancellation, as an ExternalPaymentCancellationRejection1Code.
fn refusal(payment: &Payment, error: &HubError) -> StatusReason {
    match (error, payment.status) {
        (HubError::PaymentNotCancellable, PaymentStatus::Returned) => {
            with_text("ARDT", "already returned")
        }
        (HubError::PaymentNotCancellable, _) => {
            with_text("ARJR", "already rejected or expired; no funds moved")
        }
        (HubError::ReturnOfReturn, _) => with_text("AGNT", "a return cannot itself be returned"),
        _ => {
            let reason = reasons::for_hub_error(error, "");
            with_text("AGNT", reason.additional_info.unwrap_or_default())
        }
    }
}

/// The group confirmation (see the module doc).
fn group_outcome(transactions: &[CancellationStatus]) -> CancellationOutcome {
    let any = |o: CancellationOutcome| transactions.iter().any(|t| t.outcome == o);
    if any(CancellationOutcome::Pending) {
        CancellationOutcome::Pending
    } else if any(CancellationOutcome::Cancelled) {
        CancellationOutcome::Cancelled
    } else {
        CancellationOutcome::Rejected
    }
}

/// The hub answers as the request's assignee; an assignee sent without identification is named
/// `kliring` so the camt.029 stays schema-valid.
fn identified(agent: &Agent) -> Agent {
    if agent.bic.is_some() || agent.member.is_some() || agent.lei.is_some() || agent.name.is_some()
    {
        return agent.clone();
    }
    Agent {
        name: Some("kliring".to_owned()),
        ..Agent::default()
    }
}
