//! The compliance hold (issue 4): a payment whose screening had hits waits, with no ledger
//! effect, until one officer has reviewed it and a second, different officer releases it (it
//! proceeds to reservation) or rejects it (it fails with `SanctionsHit`, ISO RR04).

use crate::command::Success;
use crate::error::{HubError, Reason};
use crate::model::{ParticipantStatus, PaymentId, PaymentStatus, Principal, Timestamp};
use crate::payments::{outcome_of, step};
use crate::state::{Hub, OfficerStamp, Payment, StepKind};

impl Hub {
    pub(crate) fn review_hold(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?;
        let payment = self.held_payment(id)?;
        let hold = payment.hold.clone().unwrap_or_default();
        if hold.reviewed.is_some() {
            return Err(HubError::HoldAlreadyReviewed);
        }
        let p = self.payment_mut(&id).ok_or(HubError::PaymentNotFound)?;
        p.hold = Some(crate::state::Hold {
            reviewed: Some(OfficerStamp {
                officer: officer.to_owned(),
                at: now,
            }),
            decided: None,
        });
        p.updated_at = now;
        p.history.push(step(now, actor, StepKind::HoldReviewed));
        Ok(outcome_of(p))
    }

    pub(crate) fn release_hold(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?;
        let payment = self.held_payment(id)?;
        second_officer(payment, officer)?;
        let ins = payment.instruction.clone();
        let expires_at = payment.expires_at;
        // The provider's rate commitment lapses with its quote.
        let quote_expired = payment
            .fx
            .as_ref()
            .is_some_and(|fx| now >= fx.quote_expires_at);
        let suspended = [ins.debtor_participant, ins.creditor_participant]
            .iter()
            .any(|p| self.participant_ref(*p).map(|p| p.status) != Some(ParticipantStatus::Active));
        // Decide the fate before mutating anything, so an unexpected ledger refusal (an error)
        // leaves the payment held.
        let (status, reason, legs) = if suspended {
            (
                PaymentStatus::Rejected,
                Some(Reason::ParticipantSuspended),
                Vec::new(),
            )
        } else if now >= expires_at {
            (PaymentStatus::Expired, Some(Reason::Timeout), Vec::new())
        } else if quote_expired {
            (
                PaymentStatus::Rejected,
                Some(Reason::QuoteExpired),
                Vec::new(),
            )
        } else {
            match self
                .plan_legs(&ins)
                .and_then(|plans| self.reserve_or_queue(now, &ins, &plans))
            {
                Ok(Some(legs)) => (PaymentStatus::Reserved, None, legs),
                Ok(None) => (PaymentStatus::Queued, None, Vec::new()),
                Err(HubError::InsufficientFunds) => (
                    PaymentStatus::Rejected,
                    Some(Reason::InsufficientFunds),
                    Vec::new(),
                ),
                Err(e) => return Err(e),
            }
        };
        let p = self.payment_mut(&id).ok_or(HubError::PaymentNotFound)?;
        if let Some(hold) = &mut p.hold {
            hold.decided = Some(OfficerStamp {
                officer: officer.to_owned(),
                at: now,
            });
        }
        p.history.push(step(now, actor, StepKind::HoldReleased));
        p.legs = legs;
        p.status = status;
        p.reason = reason;
        p.updated_at = now;
        p.history.push(crate::state::Step {
            at: now,
            by: None,
            kind: match (status, reason) {
                (PaymentStatus::Reserved, _) => StepKind::Reserved,
                (PaymentStatus::Queued, _) => StepKind::Queued,
                (PaymentStatus::Expired, _) => StepKind::Expired,
                (_, reason) => StepKind::Rejected(reason.unwrap_or(Reason::NotSpecifiedAgent)),
            },
        });
        let outcome = outcome_of(p);
        let seq = p.seq;
        self.held.remove(&seq);
        match status {
            PaymentStatus::Reserved => {
                self.expiry.insert((expires_at, id));
            }
            PaymentStatus::Queued => self.enqueue(&ins, expires_at),
            _ => {}
        }
        self.announce(now, id);
        Ok(outcome)
    }

    pub(crate) fn reject_hold(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?;
        let payment = self.held_payment(id)?;
        second_officer(payment, officer)?;
        let p = self.payment_mut(&id).ok_or(HubError::PaymentNotFound)?;
        if let Some(hold) = &mut p.hold {
            hold.decided = Some(OfficerStamp {
                officer: officer.to_owned(),
                at: now,
            });
        }
        p.status = PaymentStatus::Rejected;
        p.reason = Some(Reason::SanctionsHit);
        p.updated_at = now;
        p.history.push(step(now, actor, StepKind::HoldRejected));
        p.history
            .push(step(now, actor, StepKind::Rejected(Reason::SanctionsHit)));
        let outcome = outcome_of(p);
        let seq = p.seq;
        self.held.remove(&seq);
        self.announce(now, id);
        Ok(outcome)
    }

    fn held_payment(&self, id: PaymentId) -> Result<&Payment, HubError> {
        let payment = self.payment_ref(&id).ok_or(HubError::PaymentNotFound)?;
        if payment.status != PaymentStatus::Held {
            return Err(HubError::PaymentNotHeld);
        }
        Ok(payment)
    }
}

fn officer_name(actor: &Principal) -> Result<&str, HubError> {
    match actor {
        Principal::ComplianceOfficer(name) => Ok(name),
        _ => Err(HubError::ForbiddenNotComplianceOfficer),
    }
}

/// Four eyes: a decision needs a prior review by a different officer.
fn second_officer(payment: &Payment, officer: &str) -> Result<(), HubError> {
    let reviewer = payment
        .hold
        .as_ref()
        .and_then(|h| h.reviewed.as_ref())
        .ok_or(HubError::HoldNotReviewed)?;
    if reviewer.officer == officer {
        return Err(HubError::FourEyesSameOfficer);
    }
    Ok(())
}
