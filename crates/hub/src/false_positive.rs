//! False positives: two officers decide that a participant's customer of a given name is not a
//! given listed entry, so the same customer is not held again and again. One officer proposes
//! it from a held payment's hit (`ProposeFalsePositive`, with a note), another — another
//! credential and another name — confirms it (`ConfirmFalsePositive`); any officer or the
//! operator may revoke it. While in force, the server leaves matching hits out of new
//! payments' verdicts and names them in `CreatePaymentWithParties::cleared`; the hub accepts a
//! cleared hit only if the false positive names the same participant, the same party name
//! exactly, the same listed entry and the same entry fingerprint (an amended entry is a new
//! question), and records them in the payment's trail (`StepKind::HitsCleared`). The held
//! payment the proposal came from still needs its own four-eyes decision.

use crate::command::{ClearedHit, FalsePositiveProposal, Success};
use crate::error::HubError;
use crate::hold::officer_name;
use crate::model::{
    CredentialId, FalsePositiveId, ParticipantId, PartySide, PaymentInstruction, Principal,
    RelatedParties, SCREENING_HITS_MAX, Timestamp, check_text,
};
use crate::state::{FalsePositive, Hub, OfficerStamp};

/// Most false positives recorded (revoked ones included).
pub const FALSE_POSITIVES_MAX: usize = 1_000_000;
/// Longest note on a false positive.
pub const FALSE_POSITIVE_NOTE_LEN_MAX: usize = 512;
/// Longest list name, reference or fingerprint in a proposal.
const FALSE_POSITIVE_FIELD_LEN_MAX: usize = 128;

/// The participant whose customer a party-name field names, and the name; `None` for fields
/// that are not a party's name (addresses, agents, remittance, participants themselves).
pub fn party_of<'a>(
    instruction: &'a PaymentInstruction,
    related: Option<&'a RelatedParties>,
    side: PartySide,
) -> Option<(ParticipantId, &'a str)> {
    let debtor = instruction.debtor_participant;
    let creditor = instruction.creditor_participant;
    match side {
        PartySide::Debtor => Some((debtor, &instruction.debtor.name)),
        PartySide::Creditor => Some((creditor, &instruction.creditor.name)),
        PartySide::UltimateDebtor => related?
            .ultimate_debtor
            .as_ref()
            .map(|p| (debtor, p.name.as_str())),
        PartySide::UltimateCreditor => related?
            .ultimate_creditor
            .as_ref()
            .map(|p| (creditor, p.name.as_str())),
        PartySide::InitiatingParty => related?
            .initiating_party
            .as_ref()
            .map(|p| (debtor, p.name.as_str())),
        _ => None,
    }
}

impl Hub {
    pub(crate) fn propose_false_positive(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        proposal: &FalsePositiveProposal,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?.to_owned();
        self.check_credential(actor, Some(proposal.credential))?;
        check_text("note", &proposal.note, FALSE_POSITIVE_NOTE_LEN_MAX)?;
        for (field, text) in [
            ("list", &proposal.list),
            ("reference", &proposal.reference),
            ("entry_fingerprint", &proposal.entry_fingerprint),
        ] {
            check_text(field, text, FALSE_POSITIVE_FIELD_LEN_MAX)?;
        }
        let payment = self
            .payment_ref(&proposal.payment)
            .ok_or(HubError::PaymentNotFound)?;
        let hit = payment
            .screening
            .hits
            .iter()
            .find(|h| {
                h.party == proposal.party
                    && h.list == proposal.list
                    && h.reference == proposal.reference
            })
            .ok_or(HubError::FalsePositiveHitNotFound)?;
        let related = self.related.get(&proposal.payment);
        let (participant, party_name) = party_of(&payment.instruction, related, proposal.party)
            .ok_or(HubError::FalsePositiveFieldNotAParty)?;
        if self.false_positives.len() >= FALSE_POSITIVES_MAX {
            return Err(HubError::TooManyFalsePositives);
        }
        let id = FalsePositiveId(
            u64::try_from(self.false_positives.len()).map_or(u64::MAX, |n| n.saturating_add(1)),
        );
        let record = FalsePositive {
            id,
            participant,
            party_name: party_name.to_owned(),
            list: proposal.list.clone(),
            reference: proposal.reference.clone(),
            listed_name: hit.name.clone(),
            entry_fingerprint: proposal.entry_fingerprint.clone(),
            note: proposal.note.clone(),
            seen_on: proposal.payment,
            proposed: OfficerStamp { officer, at: now },
            proposed_by: proposal.credential,
            confirmed: None,
            confirmed_by: None,
            revoked: None,
        };
        self.false_positives.push(record.clone());
        Ok(Success::FalsePositive(Box::new(record)))
    }

    pub(crate) fn confirm_false_positive(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: FalsePositiveId,
        credential: CredentialId,
    ) -> Result<Success, HubError> {
        let officer = officer_name(actor)?.to_owned();
        self.check_credential(actor, Some(credential))?;
        let record = self.false_positive_mut(id)?;
        if record.revoked.is_some() {
            return Err(HubError::FalsePositiveRevoked);
        }
        if record.confirmed.is_some() {
            return Err(HubError::FalsePositiveAlreadyConfirmed);
        }
        if record.proposed_by == credential || record.proposed.officer == officer {
            return Err(HubError::FourEyesSameOfficer);
        }
        record.confirmed = Some(OfficerStamp { officer, at: now });
        record.confirmed_by = Some(credential);
        Ok(Success::FalsePositive(Box::new(record.clone())))
    }

    pub(crate) fn revoke_false_positive(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: FalsePositiveId,
    ) -> Result<Success, HubError> {
        let by = match actor {
            Principal::Operator => "operator".to_owned(),
            other => officer_name(other)?.to_owned(),
        };
        let record = self.false_positive_mut(id)?;
        if record.revoked.is_some() {
            return Err(HubError::FalsePositiveRevoked);
        }
        record.revoked = Some(OfficerStamp {
            officer: by,
            at: now,
        });
        Ok(Success::FalsePositive(Box::new(record.clone())))
    }

    /// Each cleared hit of a new payment is covered by a false positive in force for exactly
    /// this participant, party name, entry and fingerprint.
    pub(crate) fn check_cleared(
        &self,
        instruction: &PaymentInstruction,
        related: Option<&RelatedParties>,
        cleared: &[ClearedHit],
    ) -> Result<(), HubError> {
        if cleared.len() > SCREENING_HITS_MAX {
            return Err(HubError::InvalidScreeningVerdict);
        }
        for c in cleared {
            let record = self
                .false_positive(c.false_positive)
                .filter(|r| r.in_force())
                .ok_or(HubError::FalsePositiveNotApplicable)?;
            let party = party_of(instruction, related, c.hit.party);
            let applies = party == Some((record.participant, record.party_name.as_str()))
                && record.list == c.hit.list
                && record.reference == c.hit.reference
                && record.entry_fingerprint == c.entry_fingerprint;
            if !applies {
                return Err(HubError::FalsePositiveNotApplicable);
            }
        }
        Ok(())
    }

    fn false_positive_mut(&mut self, id: FalsePositiveId) -> Result<&mut FalsePositive, HubError> {
        usize::try_from(id.0.wrapping_sub(1))
            .ok()
            .and_then(|index| self.false_positives.get_mut(index))
            .ok_or(HubError::FalsePositiveNotFound)
    }
}
