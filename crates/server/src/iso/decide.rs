//! Messages about existing payments: pacs.002 from the creditor (accept or reject), pacs.004
//! (return) and pacs.028 (status request); camt.056 is in `cancel`. Each transaction is looked
//! up and acted on by itself.

use axum::response::Response;
use hub::state::Payment;
use hub::{Action, Command, PaymentStatus, Principal, Success};
use iso20022::emit::StatusReason;
use iso20022::model::{Agent, OriginalRef, PaymentReturn, StatusReport, StatusRequest, TxStatus};

use super::Ctx;
use super::answer::{self, Report};
use super::lookup::{self, Directory};
use super::reasons::{self, NARR, with_text};
use crate::amount::parse_amount;
use crate::error::ApiError;
use crate::routes::unexpected;

fn not_found(original: &OriginalRef) -> StatusReason {
    let refs = [&original.uetr, &original.tx_id, &original.end_to_end_id]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" / ");
    with_text(NARR, format!("no payment of the sender matches {refs}"))
}

/// The BICs of the transactions' instructing agents and of the business header's sender.
fn with_header<'a>(ctx: &'a Ctx, agents: impl Iterator<Item = Option<&'a Agent>>) -> Vec<&'a str> {
    let header = ctx.info.header.as_ref().map(|h| &h.from);
    lookup::bics(agents.chain([header]))
}

/// The sender check for a transaction: its `InstgAgt`, else the business header's `Fr`.
fn check_sender(
    ctx: &Ctx,
    dir: &Directory,
    agent: Option<&Agent>,
    n: usize,
) -> Result<(), StatusReason> {
    let agent = agent.or(ctx.info.header.as_ref().map(|h| &h.from));
    let what = format!("transaction {} InstgAgt", n.saturating_add(1));
    dir.check_sender(ctx.sender, agent, &what)
}

/// pacs.002 from the creditor participant: `ACSC`/`ACCP`/`ACSP`/`ACCC` commit the payment,
/// `RJCT` voids it with the mapped reason; other statuses change nothing. The answer is a
/// pacs.002 with each payment's resulting status.
pub async fn status_report(ctx: &Ctx, sr: StatusReport) -> Result<Response, ApiError> {
    let version = ctx.info.version.as_deref().unwrap_or("pacs.002.001.10");
    let mut report = Report::new(&sr.msg_id, version, Some(&sr.created))?;
    let agents = sr.transactions.iter().map(|t| t.instructing_agent.as_ref());
    let dir = ctx.directory(&with_header(ctx, agents)).await?;
    for (n, tx) in sr.transactions.iter().enumerate() {
        if let Err(reason) = check_sender(ctx, &dir, tx.instructing_agent.as_ref(), n) {
            return report.reject_all(reason);
        }
    }
    if sr.transactions.is_empty() {
        let text = "kliring acts on TxInfAndSts naming each original payment";
        return report.reject_all(with_text("FF02", text));
    }
    let Some(claim) = ctx.seen().claim(ctx.sender, &sr.msg_id) else {
        let text = format!("MsgId {} was already used by this sender", sr.msg_id);
        return report.reject_all(with_text("DUPL", text));
    };
    claim.keep();
    let group = sr.groups.first();
    for tx in &sr.transactions {
        let mut original = tx.original.clone();
        if original.msg_id.is_none() {
            original.msg_id = group.map(|g| g.original_msg_id.clone());
        }
        let status = tx.status.or_else(|| group.and_then(|g| g.status));
        let acting = status.is_some_and(|s| s.is_acceptance() || s == TxStatus::RJCT);
        let filter = acting.then_some(PaymentStatus::Reserved);
        let Some(payment) = lookup::original(&ctx.state, ctx.sender, &original, filter).await?
        else {
            report.tx(original.clone(), TxStatus::RJCT, vec![not_found(&original)]);
            continue;
        };
        let id = payment.id();
        let action = match status {
            Some(s) if s.is_acceptance() => Action::AcceptPayment { payment: id },
            Some(TxStatus::RJCT) => {
                let code = tx.reasons.first().and_then(|r| r.code.as_deref());
                let reason = reasons::from_iso(code);
                Action::RejectPayment {
                    payment: id,
                    reason,
                }
            }
            _ => {
                let (status, reasons) = answer::payment_status(&payment);
                report.tx(original, status, reasons);
                continue;
            }
        };
        let (status, reasons) = submit_decision(ctx, action).await?;
        report.tx(original, status, reasons);
    }
    report.finish()
}

async fn submit_decision(
    ctx: &Ctx,
    action: Action,
) -> Result<(TxStatus, Vec<StatusReason>), ApiError> {
    let command = Command::new(Principal::Participant(ctx.sender), action);
    match ctx.state.submit(command).await? {
        Ok(Success::Payment(p)) => Ok(answer::status_of(p.status, p.reason)),
        Ok(other) => Err(unexpected(&other)),
        Err(error) => Ok((TxStatus::RJCT, vec![reasons::for_hub_error(&error, "")])),
    }
}

/// pacs.004: the creditor participant returns a committed payment in full. The return's
/// payment id is derived from the pacs.004 MsgId and RtrId (else the transaction's position),
/// so a resend cannot return twice. Answered by a pacs.002 on the returns (`OrgnlTxId` = RtrId).
pub async fn payment_return(ctx: &Ctx, ret: PaymentReturn) -> Result<Response, ApiError> {
    let version = ctx.info.version.as_deref().unwrap_or("pacs.004.001.09");
    let mut report = Report::new(&ret.msg_id, version, Some(&ret.created))?;
    let agents = ret
        .transactions
        .iter()
        .map(|t| t.instructing_agent.as_ref());
    let dir = ctx.directory(&with_header(ctx, agents)).await?;
    for (n, tx) in ret.transactions.iter().enumerate() {
        if let Err(reason) = check_sender(ctx, &dir, tx.instructing_agent.as_ref(), n) {
            return report.reject_all(reason);
        }
    }
    let Some(claim) = ctx.seen().claim(ctx.sender, &ret.msg_id) else {
        let text = format!("MsgId {} was already used by this sender", ret.msg_id);
        return report.reject_all(with_text("DUPL", text));
    };
    claim.keep();
    for (n, tx) in ret.transactions.iter().enumerate() {
        let refs = OriginalRef {
            tx_id: tx.return_id.clone(),
            end_to_end_id: tx.original.end_to_end_id.clone(),
            ..OriginalRef::default()
        };
        let found = lookup::original(
            &ctx.state,
            ctx.sender,
            &tx.original,
            Some(PaymentStatus::Committed),
        )
        .await?;
        let Some(payment) = found else {
            report.tx(refs, TxStatus::RJCT, vec![not_found(&tx.original)]);
            continue;
        };
        if let Err(reason) = full_amount(ctx, &payment, &tx.returned_amount).await? {
            report.tx(refs, TxStatus::RJCT, vec![reason]);
            continue;
        }
        let key = tx
            .return_id
            .clone()
            .unwrap_or_else(|| format!("#{}", n.saturating_add(1)));
        let return_id = lookup::derived_id(&ret.msg_id, &key);
        let code = tx.reason.as_ref().and_then(|r| r.code.as_deref());
        let action = Action::ReturnPayment {
            payment: payment.id(),
            return_id,
            reason: reasons::from_iso(code),
        };
        let command = Command::new(Principal::Participant(ctx.sender), action);
        let (status, reasons) = match ctx.state.submit(command).await? {
            Ok(Success::Returned { return_payment, .. }) => {
                let text = format!("returned as payment {return_payment}");
                (TxStatus::ACSC, vec![with_text(NARR, text)])
            }
            Ok(other) => return Err(unexpected(&other)),
            Err(error) => (TxStatus::RJCT, vec![reasons::for_hub_error(&error, "")]),
        };
        report.tx(refs, status, reasons);
    }
    report.finish()
}

/// The hub returns whole payments only: the returned amount must be the original's.
async fn full_amount(
    ctx: &Ctx,
    payment: &Payment,
    returned: &iso20022::Amount,
) -> Result<Result<(), StatusReason>, ApiError> {
    let currency = payment.instruction.currency;
    let wrong = |why: String| Ok(Err(with_text("AM09", why)));
    if returned.currency.as_str() != currency.as_str() {
        return wrong(format!("the payment is in {currency}"));
    }
    let (_, exponent) = ctx.state.exponent(currency.as_str(), "currency").await?;
    let text = returned.to_decimal_string();
    match parse_amount(&text, exponent, "amount") {
        Ok(amount) if amount == payment.instruction.amount => Ok(Ok(())),
        _ => wrong(format!(
            "only full returns: {text} is not the payment's amount"
        )),
    }
}

/// pacs.028: a pacs.002 with the current status of each payment asked about.
pub async fn status_request(ctx: &Ctx, req: StatusRequest) -> Result<Response, ApiError> {
    let version = ctx.info.version.as_deref().unwrap_or("pacs.028.001.03");
    let mut report = Report::new(&req.msg_id, version, Some(&req.created))?;
    let agents = req
        .transactions
        .iter()
        .map(|t| t.instructing_agent.as_ref());
    let dir = ctx.directory(&with_header(ctx, agents)).await?;
    for (n, tx) in req.transactions.iter().enumerate() {
        if let Err(reason) = check_sender(ctx, &dir, tx.instructing_agent.as_ref(), n) {
            return report.reject_all(reason);
        }
    }
    for tx in &req.transactions {
        match lookup::original(&ctx.state, ctx.sender, &tx.original, None).await? {
            Some(payment) => {
                let (status, reasons) = answer::payment_status(&payment);
                let mut refs = tx.original.clone();
                if refs.uetr.is_none() {
                    refs.uetr = answer::payment_refs(&payment).uetr;
                }
                report.tx(refs, status, reasons);
            }
            None => report.tx(
                tx.original.clone(),
                TxStatus::RJCT,
                vec![not_found(&tx.original)],
            ),
        }
    }
    report.finish()
}
