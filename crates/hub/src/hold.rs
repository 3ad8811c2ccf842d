//! The compliance hold (issue 4): a payment whose screening had hits waits, with no ledger
//! effect, until one officer has reviewed it and a second, different officer releases it (it
//! proceeds to reservation) or rejects it (it fails with `SanctionsHit`, ISO RR04).
//!
//! "Different" is decided by credential: the `*HoldAs` actions name the credential the officer
//! authenticated with, and the decision needs another credential than the review's (as well as
//! another display name; the server also refuses look-alike names). The original actions,
//! without a credential, are kept for journals written before; they compare names only.

use crate::command::Success;
use crate::error::{HubError, Reason};
use crate::model::{
    CredentialId, ParticipantStatus, PaymentId, PaymentStatus, Principal, Timestamp,
};
use crate::payments::{outcome_of, step};
use crate::state::{Hub, OfficerStamp, Payment, StepKind};

impl Hub {
    pub(crate) fn review_hold(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
        credential: Option<CredentialId>,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?;
        self.check_credential(actor, credential)?;
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
        let outcome = outcome_of(p);
        if let Some(credential) = credential {
            self.hold_credentials.entry(id).or_default().reviewed = Some(credential);
        }
        Ok(outcome)
    }

    pub(crate) fn release_hold(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
        credential: Option<CredentialId>,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?;
        self.check_credential(actor, credential)?;
        let payment = self.held_payment(id)?;
        second_officer(payment, officer)?;
        self.second_credential(id, credential)?;
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
        if let Some(credential) = credential {
            self.hold_credentials.entry(id).or_default().decided = Some(credential);
        }
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
        credential: Option<CredentialId>,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?;
        self.check_credential(actor, credential)?;
        let payment = self.held_payment(id)?;
        second_officer(payment, officer)?;
        self.second_credential(id, credential)?;
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
        if let Some(credential) = credential {
            self.hold_credentials.entry(id).or_default().decided = Some(credential);
        }
        self.announce(now, id);
        Ok(outcome)
    }

    /// The credential an `*HoldAs` action names must be an active one of the actor.
    pub(crate) fn check_credential(
        &self,
        actor: &Principal,
        credential: Option<CredentialId>,
    ) -> Result<(), HubError> {
        let Some(id) = credential else {
            return Ok(());
        };
        let found = usize::try_from(id.0.wrapping_sub(1))
            .ok()
            .and_then(|index| self.credentials.get(index));
        match found {
            Some(c) if c.id == id && c.revoked_at.is_none() && c.principal == *actor => Ok(()),
            _ => Err(HubError::CredentialNotOfActor),
        }
    }

    /// Four eyes by credential: the decision's credential differs from the review's.
    fn second_credential(
        &self,
        id: PaymentId,
        credential: Option<CredentialId>,
    ) -> Result<(), HubError> {
        let reviewed = self.hold_credentials.get(&id).and_then(|c| c.reviewed);
        match (reviewed, credential) {
            (Some(reviewer), Some(decider)) if reviewer == decider => {
                Err(HubError::FourEyesSameOfficer)
            }
            _ => Ok(()),
        }
    }

    fn held_payment(&self, id: PaymentId) -> Result<&Payment, HubError> {
        let payment = self.payment_ref(&id).ok_or(HubError::PaymentNotFound)?;
        if payment.status != PaymentStatus::Held {
            return Err(HubError::PaymentNotHeld);
        }
        Ok(payment)
    }
}

pub(crate) fn officer_name(actor: &Principal) -> Result<&str, HubError> {
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
