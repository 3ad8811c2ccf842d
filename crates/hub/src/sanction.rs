//! A participant bank whose own name hits a sanctions list (`SanctionParticipant`, submitted by
//! the server when lists change): it is suspended, so it can neither send nor receive, and
//! every payment of it whose funds are reserved is voided and held for two officers — without
//! this, a creditor could still accept a reserved payment from a bank that was listed after the
//! payment was made. Queued payments stay queued (the queue does not release a suspended
//! party's payments); held ones stay held, now also carrying the participant's hits. Releasing
//! such a hold while the participant is suspended rejects the payment (`participant_suspended`).
//! `ReactivateParticipant` (the operator's decision, journalled) clears the sanction.

use crate::command::{ParticipantSanction, Success};
use crate::error::HubError;
use crate::model::{
    ParticipantId, ParticipantStatus, PartySide, PaymentId, PaymentStatus, SCREENING_HITS_MAX,
    ScreeningHitRecord, Timestamp,
};
use crate::state::{Hold, Hub, InboxKind, Payment, Sanction, Step, StepKind};

impl Hub {
    pub(crate) fn sanction_participant(
        &mut self,
        now: Timestamp,
        sanction: &ParticipantSanction,
    ) -> Result<Success, HubError> {
        let participant = sanction.participant;
        sanction.screening.validate()?;
        if sanction.screening.is_clear() {
            return Err(HubError::SanctionWithoutHits);
        }
        let p = self
            .participant_mut(participant)
            .ok_or(HubError::ParticipantNotFound)?;
        let suspended = p.status == ParticipantStatus::Active;
        p.status = ParticipantStatus::Suspended;
        self.sanctions.insert(
            participant,
            Sanction {
                screening: sanction.screening.clone(),
                at: now,
                cleared_at: None,
            },
        );
        let reserved: Vec<PaymentId> = self
            .participant_payments
            .get(&participant)
            .into_iter()
            .flatten()
            .filter_map(|seq| self.payment_by_seq(*seq))
            .filter(|p| p.status == PaymentStatus::Reserved)
            .map(Payment::id)
            .collect();
        for id in &reserved {
            self.hold_reserved(now, *id, participant, &sanction.screening.hits)?;
        }
        // Payments already held carry the participant's hits too, for the officers.
        let held: Vec<PaymentId> = self
            .participant_payments
            .get(&participant)
            .into_iter()
            .flatten()
            .filter_map(|seq| self.payment_by_seq(*seq))
            .filter(|p| p.status == PaymentStatus::Held && !reserved.contains(&p.id()))
            .map(Payment::id)
            .collect();
        for id in held {
            if let Some(p) = self.payment_mut(&id) {
                add_hits(p, participant, &sanction.screening.hits);
            }
        }
        Ok(Success::ParticipantSanctioned {
            participant,
            suspended,
            held: reserved,
        })
    }

    /// Voids a reserved payment's legs and holds it (no ledger effect, a fresh hold).
    fn hold_reserved(
        &mut self,
        now: Timestamp,
        id: PaymentId,
        participant: ParticipantId,
        hits: &[ScreeningHitRecord],
    ) -> Result<(), HubError> {
        let payment = self.payment_ref(&id).ok_or(HubError::PaymentNotFound)?;
        let legs = payment.legs.clone();
        let expires_at = payment.expires_at;
        self.resolve(now, &legs, false)?;
        self.expiry.remove(&(expires_at, id));
        self.hold_credentials.remove(&id);
        let p = self.payment_mut(&id).ok_or(HubError::PaymentNotFound)?;
        p.legs.clear();
        p.status = PaymentStatus::Held;
        p.hold = Some(Hold::default());
        p.updated_at = now;
        p.history.push(Step {
            at: now,
            by: None,
            kind: StepKind::HeldParticipantSanctioned { participant },
        });
        add_hits(p, participant, hits);
        let (seq, creditor) = (p.seq, p.instruction.creditor_participant);
        self.held.insert(seq, id);
        self.announce(now, id);
        // The creditor was offered it: it hears that it can no longer accept it.
        let held = InboxKind::StatusChanged {
            status: PaymentStatus::Held,
            reason: None,
        };
        self.notify(creditor, now, id, held);
        Ok(())
    }

    /// Reactivation by the operator clears the participant's sanction.
    pub(crate) fn clear_sanction(&mut self, now: Timestamp, participant: ParticipantId) {
        if let Some(sanction) = self.sanctions.get_mut(&participant)
            && sanction.cleared_at.is_none()
        {
            sanction.cleared_at = Some(now);
        }
    }
}

/// Adds the participant's hits to a payment's screening, on the side it takes in it, within
/// the verdict's bound.
fn add_hits(p: &mut Payment, participant: ParticipantId, hits: &[ScreeningHitRecord]) {
    let side = if p.instruction.debtor_participant == participant {
        PartySide::DebtorParticipant
    } else if p.instruction.creditor_participant == participant {
        PartySide::CreditorParticipant
    } else {
        PartySide::FxProvider
    };
    for hit in hits {
        if p.screening.hits.len() >= SCREENING_HITS_MAX {
            break;
        }
        p.screening.hits.push(ScreeningHitRecord {
            party: side,
            ..hit.clone()
        });
    }
}
