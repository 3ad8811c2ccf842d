//! Cancellation by the debtor side (`CancelPayment`, issue 6's camt.056).
//!
//! A payment not yet committed is cancelled outright: Held and Queued ones have no ledger
//! effect and simply end, a Reserved one's pending legs are voided as one linked run (both FX
//! legs together). It ends Rejected with [`Reason::CancelledByDebtor`]; the parties hear of it
//! as of any status change (the creditor only if the payment was ever offered to it, so a
//! payment held for compliance stays invisible to the creditor). A committed payment cannot be
//! undone by the debtor: the request is recorded and passed to the creditor participant's
//! inbox as [`InboxKind::ReturnRequested`]; nothing moves until it returns the payment
//! (`ReturnPayment`). Every request leaves a [`StepKind::CancellationRequested`] step with the
//! debtor's reason, which also makes a repeated request answer as the first one did.

use crate::command::{PaymentOutcome, Success};
use crate::error::{HubError, Reason};
use crate::model::{PaymentId, PaymentStatus, Principal, Timestamp};
use crate::payments::{outcome_of, step};
use crate::state::{Hub, InboxKind, Payment, StepKind};

impl Hub {
    pub(crate) fn cancel_payment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
        reason: Reason,
    ) -> Result<Success, HubError> {
        let payment = self.payment_for_debtor(actor, id)?;
        if let Some(replay) = replayed_cancel(payment) {
            return Ok(replay);
        }
        if !reason.participant_may_give() {
            return Err(HubError::ReasonNotAllowed);
        }
        match payment.status {
            PaymentStatus::Held => {
                let seq = payment.seq;
                self.held.remove(&seq);
                self.end_unreserved(now, actor, id, reason)
            }
            PaymentStatus::Queued => {
                self.dequeue(id);
                self.end_unreserved(now, actor, id, reason)
            }
            PaymentStatus::Reserved => {
                let legs = payment.legs.clone();
                let records = self.resolve(now, &legs, false)?;
                self.push_request(now, actor, id, reason);
                self.finish(
                    now,
                    id,
                    actor,
                    records,
                    PaymentStatus::Rejected,
                    Some(Reason::CancelledByDebtor),
                )
            }
            PaymentStatus::Committed => {
                // A return may not itself be returned, so asking for it would lead nowhere.
                if payment.return_of.is_some() {
                    return Err(HubError::ReturnOfReturn);
                }
                let creditor = payment.instruction.creditor_participant;
                self.push_request(now, actor, id, reason);
                self.notify(creditor, now, id, InboxKind::ReturnRequested { reason });
                Ok(Success::ReturnRequested {
                    payment: id,
                    replayed: false,
                })
            }
            PaymentStatus::Rejected | PaymentStatus::Expired | PaymentStatus::Returned => {
                Err(HubError::PaymentNotCancellable)
            }
        }
    }

    /// The payment, if the actor is its debtor participant or the operator; a participant that
    /// is not party to it gets `PaymentNotFound` (its existence is not disclosed).
    fn payment_for_debtor(&self, actor: &Principal, id: PaymentId) -> Result<&Payment, HubError> {
        let payment = self.payment_ref(&id).ok_or(HubError::PaymentNotFound)?;
        match actor {
            Principal::Operator => Ok(payment),
            Principal::Participant(p) if *p == payment.instruction.debtor_participant => {
                Ok(payment)
            }
            Principal::Participant(p) if !payment.involves(*p) => Err(HubError::PaymentNotFound),
            _ => Err(HubError::ForbiddenNotDebtor),
        }
    }

    fn push_request(&mut self, now: Timestamp, actor: &Principal, id: PaymentId, reason: Reason) {
        if let Some(p) = self.payment_mut(&id) {
            p.updated_at = now;
            p.history
                .push(step(now, actor, StepKind::CancellationRequested { reason }));
        }
    }

    /// Ends a held or queued payment (already out of its index): no ledger effect.
    fn end_unreserved(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
        reason: Reason,
    ) -> Result<Success, HubError> {
        self.push_request(now, actor, id, reason);
        let p = self.payment_mut(&id).ok_or(HubError::PaymentNotFound)?;
        p.status = PaymentStatus::Rejected;
        p.reason = Some(Reason::CancelledByDebtor);
        p.history.push(step(
            now,
            actor,
            StepKind::Rejected(Reason::CancelledByDebtor),
        ));
        let outcome = outcome_of(p);
        self.announce(now, id);
        Ok(outcome)
    }
}

/// The answer to a repeated request: a cancelled payment, or a committed one whose return was
/// already requested (and not yet made: once returned, the payment is no longer cancellable).
fn replayed_cancel(payment: &Payment) -> Option<Success> {
    match payment.status {
        PaymentStatus::Rejected if payment.reason == Some(Reason::CancelledByDebtor) => {
            Some(Success::Payment(PaymentOutcome {
                payment: payment.id(),
                status: PaymentStatus::Rejected,
                reason: payment.reason,
                replayed: true,
            }))
        }
        PaymentStatus::Committed
            if payment
                .history
                .iter()
                .any(|s| matches!(s.kind, StepKind::CancellationRequested { .. })) =>
        {
            Some(Success::ReturnRequested {
                payment: payment.id(),
                replayed: true,
            })
        }
        _ => None,
    }
}
