//! Batch application: expiry first, then each command authorized and dispatched in order.

use crate::command::{Action, Command, Outcome};
use crate::error::HubError;
use crate::model::{ParticipantStatus, Principal, Timestamp};
use crate::state::Hub;

impl Hub {
    /// Applies one batch at the batch timestamp `now` (ns): first voids reserved payments whose
    /// expiry is `<= now` (and expires queued ones) and releases what the liquidity queues
    /// can, then applies the commands in order, one outcome each, and finally releases what the
    /// queues can again (see [`crate::queue`]; a release pass right after another releases
    /// nothing more, though a release the ledger refuses still consumes ledger timestamps, so
    /// replay must apply exactly the batches that were applied, empty ones included — the
    /// sequencer journals every batch it applies).
    pub fn apply(&mut self, now: Timestamp, commands: &[Command]) -> Vec<Outcome> {
        self.expire_due(now);
        self.expire_trade(now);
        // Liquidity freed by expiry goes to queued payments before the batch's new ones.
        self.run_queues(now);
        let outcomes = commands
            .iter()
            .map(|command| self.apply_command(now, command))
            .collect();
        self.run_queues(now);
        outcomes
    }

    fn apply_command(&mut self, now: Timestamp, command: &Command) -> Outcome {
        self.apply_action(now, &command.actor, &command.action)
    }

    /// Authorizes and applies one action; also applies each action of a message.
    pub(crate) fn apply_action(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        action: &Action,
    ) -> Outcome {
        self.check_actor(actor)?;
        match action {
            Action::RegisterCredential {
                token_hash,
                principal,
            } => {
                operator(actor)?;
                self.register_credential(now, *token_hash, principal)
            }
            Action::RevokeCredential { credential } => {
                operator(actor)?;
                self.revoke_credential(now, *credential)
            }
            Action::AddCurrency {
                currency,
                exponent,
                model,
            } => {
                operator(actor)?;
                self.add_currency(now, *currency, *exponent, *model)
            }
            Action::AdmitParticipant {
                name,
                bic,
                country,
                roles,
            } => {
                operator(actor)?;
                self.admit_participant(now, name, bic, *country, *roles)
            }
            Action::SuspendParticipant { participant } => {
                operator(actor)?;
                self.set_status(*participant, ParticipantStatus::Suspended)
            }
            Action::ReactivateParticipant { participant } => {
                operator(actor)?;
                let outcome = self.set_status(*participant, ParticipantStatus::Active)?;
                self.clear_sanction(now, *participant);
                Ok(outcome)
            }
            Action::SetNetDebitCap {
                participant,
                currency,
                cap,
            } => {
                operator(actor)?;
                self.set_net_debit_cap(now, *participant, *currency, *cap)
            }
            Action::RecordLiquidity {
                participant,
                currency,
                direction,
                amount,
            } => {
                operator(actor)?;
                self.record_liquidity(now, *participant, *currency, *direction, *amount)
            }
            Action::CreatePayment(create) => self.create_payment(now, actor, create, None, &[]),
            Action::CreatePaymentWithParties(create) => self.create_payment(
                now,
                actor,
                &create.payment,
                Some(&create.parties),
                &create.cleared,
            ),
            Action::AcceptPayment { payment } => self.accept_payment(now, actor, *payment),
            Action::RejectPayment { payment, reason } => {
                self.reject_payment(now, actor, *payment, *reason)
            }
            Action::ReturnPayment {
                payment,
                return_id,
                reason,
            } => self.return_payment(now, actor, *payment, *return_id, *reason),
            Action::ReviewHold { payment } => self.review_hold(now, actor, *payment, None),
            Action::ReleaseHold { payment } => self.release_hold(now, actor, *payment, None),
            Action::RejectHold { payment } => self.reject_hold(now, actor, *payment, None),
            Action::ReviewHoldAs {
                payment,
                credential,
            } => self.review_hold(now, actor, *payment, Some(*credential)),
            Action::ReleaseHoldAs {
                payment,
                credential,
            } => self.release_hold(now, actor, *payment, Some(*credential)),
            Action::RejectHoldAs {
                payment,
                credential,
            } => self.reject_hold(now, actor, *payment, Some(*credential)),
            Action::RecordListOverride(record) => {
                operator(actor)?;
                self.record_list_override(now, record)
            }
            Action::ProposeFalsePositive(proposal) => {
                self.propose_false_positive(now, actor, proposal)
            }
            Action::ConfirmFalsePositive {
                false_positive,
                credential,
            } => self.confirm_false_positive(now, actor, *false_positive, *credential),
            Action::RevokeFalsePositive { false_positive } => {
                self.revoke_false_positive(now, actor, *false_positive)
            }
            Action::SanctionParticipant(sanction) => {
                operator(actor)?;
                self.sanction_participant(now, sanction)
            }
            Action::PublishRate {
                base,
                quote,
                rate,
                spread_bp,
            } => self.publish_rate(now, actor, *base, *quote, *rate, *spread_bp),
            Action::RequestQuote(request) => self.request_quote(now, actor, request),
            Action::CloseWindow { currency, mode } => {
                operator(actor)?;
                self.close_window(now, *currency, *mode)
            }
            Action::SettleWindow { window } => {
                operator(actor)?;
                self.settle_window(now, *window)
            }
            Action::AbortWindow { window } => {
                operator(actor)?;
                self.abort_window(now, *window)
            }
            Action::SetLiquidityQueue { currency, enabled } => {
                operator(actor)?;
                self.set_liquidity_queue(now, *currency, *enabled)
            }
            Action::CancelPayment { payment, reason } => {
                self.cancel_payment(now, actor, *payment, *reason)
            }
            Action::ReceiveMessage { msg_id, actions } => {
                self.receive_message(now, actor, msg_id, actions)
            }
            Action::ProposeBaseline(proposal) => self.propose_baseline(now, actor, proposal),
            Action::AcceptBaseline {
                baseline,
                screening,
            } => self.accept_baseline(now, actor, *baseline, screening),
            Action::ProposeAmendment(proposal) => self.propose_amendment(now, actor, proposal),
            Action::AcceptAmendment {
                baseline,
                screening,
            } => self.accept_amendment(now, actor, *baseline, screening),
            Action::RejectAmendment { baseline } => self.reject_amendment(now, actor, *baseline),
            Action::SubmitDataSets(submission) => self.submit_data_sets(now, actor, submission),
            Action::AcceptMismatches {
                baseline,
                submission,
            } => self.accept_mismatches(now, actor, *baseline, *submission),
            Action::RejectMismatches {
                baseline,
                submission,
            } => self.reject_mismatches(now, actor, *baseline, *submission),
        }
    }

    /// A participant actor must exist and be active: suspended participants are refused
    /// everything.
    fn check_actor(&self, actor: &Principal) -> Result<(), HubError> {
        if let Principal::Participant(id) = actor {
            let p = self
                .participant_ref(*id)
                .ok_or(HubError::ParticipantNotFound)?;
            if p.status != ParticipantStatus::Active {
                return Err(HubError::ParticipantSuspended);
            }
        }
        Ok(())
    }
}

fn operator(actor: &Principal) -> Result<(), HubError> {
    if actor.is_operator() {
        Ok(())
    } else {
        Err(HubError::ForbiddenOperatorOnly)
    }
}
