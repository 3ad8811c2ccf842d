//! Messages about existing payments: pacs.002 from the creditor (accept or reject), pacs.004
//! (return) and pacs.028 (status request); camt.056 is in `cancel`. Each transaction is looked
//! up and acted on by itself.

use std::collections::HashSet;

use axum::response::Response;
use hub::state::Payment;
use hub::{Action, PaymentStatus, Success};
use iso20022::emit::StatusReason;
use iso20022::model::{Agent, OriginalRef, PaymentReturn, StatusReport, StatusRequest, TxStatus};

use super::Ctx;
use super::OriginalSender;
use super::answer::{self, Report};
use super::lookup::{self, Directory};
use super::reasons::{self, NARR, with_text};
use crate::amount::parse_amount;
use crate::app::unexpected;
use crate::error::ApiError;

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

/// What the answer says of one transaction: decided without the hub, or the outcome of the
/// next action of the message.
enum Answer {
    Now(TxStatus, Vec<StatusReason>),
    Outcome,
}

/// A message's answers, in transaction order, and the hub actions some of them wait for.
#[derive(Default)]
struct Plan {
    answers: Vec<(OriginalRef, Answer)>,
    actions: Vec<Action>,
}

impl Plan {
    fn now(&mut self, refs: OriginalRef, status: TxStatus, reasons: Vec<StatusReason>) {
        self.answers.push((refs, Answer::Now(status, reasons)));
    }

    fn act(&mut self, refs: OriginalRef, action: Action) {
        self.actions.push(action);
        self.answers.push((refs, Answer::Outcome));
    }

    /// A creditor's status on a payment: accept or reject a reserved payment; otherwise report
    /// where it stands (saying so when the status would have decided it).
    fn decide(
        &mut self,
        refs: OriginalRef,
        payment: &Payment,
        status: Option<TxStatus>,
        code: Option<&str>,
    ) {
        if let Some(action) = decision(payment, status, code) {
            return self.act(refs, action);
        }
        let (now, mut reasons) = answer::payment_status(payment);
        if acting(status) {
            let text = format!(
                "the payment is {}: the status changes nothing",
                payment.status.code()
            );
            reasons.push(with_text(NARR, text));
        }
        self.now(refs, now, reasons);
    }

    /// Submits the actions as one `ReceiveMessage` and reports each answer in order: the
    /// whole message `RJCT DU01` for a MsgId the sender used before (nothing applied).
    async fn submit(
        self,
        ctx: &Ctx,
        msg_id: &str,
        mut report: Report,
    ) -> Result<Response, ApiError> {
        let outcomes = match ctx.receive(msg_id, self.actions).await? {
            Ok(outcomes) => outcomes,
            Err(reason) => return report.reject_all(reason),
        };
        let mut outcomes = outcomes.into_iter();
        for (refs, answer) in self.answers {
            let (status, reasons) = match answer {
                Answer::Now(status, reasons) => (status, reasons),
                Answer::Outcome => match outcomes.next() {
                    Some(Ok(Success::Payment(p))) => answer::status_of(p.status, p.reason),
                    Some(Ok(Success::Returned { return_payment, .. })) => {
                        let text = format!("returned as payment {return_payment}");
                        (TxStatus::ACSC, vec![with_text(NARR, text)])
                    }
                    Some(Ok(other)) => return Err(unexpected(&other)),
                    Some(Err(error)) => (TxStatus::RJCT, vec![reasons::for_hub_error(&error, "")]),
                    None => {
                        tracing::error!(msg_id, "the hub answered fewer actions than sent");
                        return Err(ApiError::Internal);
                    }
                },
            };
            report.tx(refs, status, reasons);
        }
        report.finish()
    }
}

/// pacs.002 from the creditor participant: `ACSC`/`ACCP`/`ACSP`/`ACCC` commit the payment,
/// `RJCT` voids it with the mapped reason; other statuses change nothing. Without
/// `TxInfAndSts`, the group status applies to every payment of the original message (see
/// [`group_payments`]). The answer is a pacs.002 with each payment's resulting status.
pub async fn status_report(ctx: &Ctx, sr: StatusReport) -> Result<Response, ApiError> {
    let version = ctx.info.version.as_deref().unwrap_or("pacs.002.001.10");
    let report = Report::new(&sr.msg_id, version, Some(&sr.created))?;
    let agents = sr.transactions.iter().map(|t| t.instructing_agent.as_ref());
    let dir = ctx.directory(&with_header(ctx, agents)).await?;
    for (n, tx) in sr.transactions.iter().enumerate() {
        if let Err(reason) = check_sender(ctx, &dir, tx.instructing_agent.as_ref(), n) {
            return report.reject_all(reason);
        }
    }
    if sr.transactions.is_empty() && ctx.info.header.is_some() {
        // No transaction names an agent: the business header's sender must be the caller.
        if let Err(reason) = check_sender(ctx, &dir, None, 0) {
            return report.reject_all(reason);
        }
    }
    let mut plan = Plan::default();
    if let Err(reason) = ctx.check_size(sr.transactions.len()) {
        return report.reject_all(reason);
    }
    if sr.transactions.is_empty() {
        if let Err(reason) = check_groups(&sr) {
            return report.reject_all(reason);
        }
        let msg_ids = sr
            .groups
            .iter()
            .map(|g| g.original_msg_id.clone())
            .collect();
        let found = match group_payments(ctx, msg_ids).await? {
            Ok(found) => found,
            Err(reason) => return report.reject_all(reason),
        };
        // A payment named twice (by the debtor's MsgId and by its forwarded pacs.008's) is
        // decided once.
        let mut planned = HashSet::new();
        for (group, payments) in sr.groups.iter().zip(found) {
            let code = group.reasons.first().and_then(|r| r.code.as_deref());
            for payment in payments.iter().filter(|p| planned.insert(p.id())) {
                let mut refs = answer::payment_refs(payment);
                refs.msg_id = Some(group.original_msg_id.clone());
                plan.decide(refs, payment, group.status, code);
            }
        }
    }
    let group = sr.groups.first();
    let wanted: Vec<(OriginalRef, Option<PaymentStatus>, Option<TxStatus>)> = sr
        .transactions
        .iter()
        .map(|tx| {
            let mut original = tx.original.clone();
            if original.msg_id.is_none() {
                original.msg_id = group.map(|g| g.original_msg_id.clone());
            }
            let status = tx.status.or_else(|| group.and_then(|g| g.status));
            let filter = acting(status).then_some(PaymentStatus::Reserved);
            (original, filter, status)
        })
        .collect();
    let lookups = wanted
        .iter()
        .map(|(o, filter, _)| (o.clone(), *filter))
        .collect();
    let found = ctx.originals(lookups, OriginalSender::Counterpart).await?;
    let mut named = HashSet::new();
    for ((tx, (original, _, status)), payment) in sr.transactions.iter().zip(wanted).zip(found) {
        let Some(payment) = payment else {
            let reasons = vec![not_found(&original)];
            plan.now(original, TxStatus::RJCT, reasons);
            continue;
        };
        if !named.insert(payment.id()) {
            let text = format!("payment {} is named by two TxInfAndSts", payment.id());
            return report.reject_all(with_text("FF02", text));
        }
        let code = tx
            .reasons
            .first()
            .or_else(|| group.and_then(|g| g.reasons.first()))
            .and_then(|r| r.code.as_deref());
        plan.decide(original, &payment, status, code);
    }
    plan.submit(ctx, &sr.msg_id, report).await
}

/// Whether a creditor's status decides a payment (accept or reject).
fn acting(status: Option<TxStatus>) -> bool {
    status.is_some_and(|s| s.is_acceptance() || s == TxStatus::RJCT)
}

/// The hub action for a creditor's status on a payment: accept, reject with the mapped reason,
/// or none (a status that decides nothing, or a payment that is no longer reserved: the answer
/// then reports where it stands).
fn decision(payment: &Payment, status: Option<TxStatus>, code: Option<&str>) -> Option<Action> {
    let id = payment.id();
    match status {
        Some(s) if s.is_acceptance() && payment.status == PaymentStatus::Reserved => {
            Some(Action::AcceptPayment { payment: id })
        }
        Some(TxStatus::RJCT) if payment.status == PaymentStatus::Reserved => {
            Some(Action::RejectPayment {
                payment: id,
                reason: reasons::from_iso(code),
            })
        }
        _ => None,
    }
}

/// Without transactions, every group must say what to do (`GrpSts`) and name a different
/// original message.
fn check_groups(sr: &StatusReport) -> Result<(), StatusReason> {
    if sr.groups.is_empty() {
        let text = "a pacs.002 names its original message (OrgnlGrpInfAndSts)";
        return Err(with_text("FF02", text));
    }
    let mut named = HashSet::new();
    for group in &sr.groups {
        let msg_id = &group.original_msg_id;
        if group.status.is_none() {
            let text = format!("OrgnlMsgId {msg_id}: without TxInfAndSts, GrpSts says what to do");
            return Err(with_text("FF02", text));
        }
        if !named.insert(msg_id) {
            let text = format!("OrgnlMsgId {msg_id} is named by two OrgnlGrpInfAndSts");
            return Err(with_text("FF02", text));
        }
    }
    Ok(())
}

/// The payments each group status (`OrgnlMsgId` without transactions) applies to, in one hub
/// read: those the caller is creditor of, either in the pacs.008 the hub forwarded to it
/// (MsgId `KLR` + the payment id, see `forward`) or in the debtor participant's original
/// message. MsgIds are unique per sender only: a MsgId used by several debtors for payments to
/// the caller is ambiguous and refused (name each transaction instead). At most the server's
/// bulk limit of payments in all, like any message.
async fn group_payments(
    ctx: &Ctx,
    msg_ids: Vec<String>,
) -> Result<Result<Vec<Vec<Payment>>, StatusReason>, ApiError> {
    let caller = ctx.sender;
    let max = ctx.state.config.bulk_items_max;
    ctx.state
        .read(move |hub| {
            let creditor_of = |id: &hub::PaymentId| {
                hub.payment(*id)
                    .filter(|p| p.instruction.creditor_participant == caller)
            };
            let mut total = 0usize;
            let mut found = Vec::with_capacity(msg_ids.len());
            for msg_id in &msg_ids {
                let forwarded = super::forward::payment_of_msg_id(msg_id);
                let mut by_sender: Vec<Vec<&Payment>> =
                    match forwarded.as_ref().and_then(creditor_of) {
                        Some(payment) => vec![vec![payment]],
                        None => hub
                            .messages_named(msg_id)
                            .into_iter()
                            .map(|(_, ids)| ids.iter().filter_map(creditor_of).collect::<Vec<_>>())
                            .filter(|payments| !payments.is_empty())
                            .collect(),
                    };
                let payments = match by_sender.len() {
                    1 => by_sender.swap_remove(0),
                    0 => {
                        let text = format!("no payment to the sender was sent in message {msg_id}");
                        return Err(with_text(NARR, text));
                    }
                    n => {
                        let text = format!(
                            "OrgnlMsgId {msg_id} names messages of {n} debtor participants; \
                             name each payment in TxInfAndSts"
                        );
                        return Err(with_text(NARR, text));
                    }
                };
                total = total.saturating_add(payments.len());
                if total > max {
                    let text = format!(
                        "the original messages hold more than {max} payments to the sender; \
                         this hub decides at most {max} per message"
                    );
                    return Err(with_text(NARR, text));
                }
                found.push(payments.into_iter().cloned().collect());
            }
            Ok(found)
        })
        .await
}

/// pacs.004: the creditor participant returns a committed payment in full. The return's
/// payment id is derived from the pacs.004 MsgId and RtrId (else the transaction's position),
/// so a resend cannot return twice. Answered by a pacs.002 on the returns (`OrgnlTxId` = RtrId).
pub async fn payment_return(ctx: &Ctx, ret: PaymentReturn) -> Result<Response, ApiError> {
    let version = ctx.info.version.as_deref().unwrap_or("pacs.004.001.09");
    let report = Report::new(&ret.msg_id, version, Some(&ret.created))?;
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
    if let Err(reason) = ctx.check_size(ret.transactions.len()) {
        return report.reject_all(reason);
    }
    let ids = ctx.ids().await?;
    let mut plan = Plan::default();
    let wanted = ret
        .transactions
        .iter()
        .map(|tx| (tx.original.clone(), Some(PaymentStatus::Committed)))
        .collect();
    let found = ctx.originals(wanted, OriginalSender::Counterpart).await?;
    for (n, (tx, payment)) in ret.transactions.iter().zip(found).enumerate() {
        let refs = OriginalRef {
            tx_id: tx.return_id.clone(),
            end_to_end_id: tx.original.end_to_end_id.clone(),
            ..OriginalRef::default()
        };
        let Some(payment) = payment else {
            plan.now(refs, TxStatus::RJCT, vec![not_found(&tx.original)]);
            continue;
        };
        if let Err(reason) = full_amount(ctx, &payment, &tx.returned_amount).await? {
            plan.now(refs, TxStatus::RJCT, vec![reason]);
            continue;
        }
        let key = tx
            .return_id
            .clone()
            .unwrap_or_else(|| format!("#{}", n.saturating_add(1)));
        let code = tx.reason.as_ref().and_then(|r| r.code.as_deref());
        let action = Action::ReturnPayment {
            payment: payment.id(),
            return_id: ids.derive(ctx.sender, &ret.msg_id, &key),
            reason: reasons::from_iso(code),
        };
        plan.act(refs, action);
    }
    plan.submit(ctx, &ret.msg_id, report).await
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
    if let Err(reason) = ctx.check_size(req.transactions.len()) {
        return report.reject_all(reason);
    }
    let wanted = req
        .transactions
        .iter()
        .map(|tx| (tx.original.clone(), None))
        .collect();
    let found = ctx.originals(wanted, OriginalSender::Either).await?;
    for (tx, payment) in req.transactions.iter().zip(found) {
        match payment {
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
