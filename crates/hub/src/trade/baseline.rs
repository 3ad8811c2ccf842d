//! Baselines: proposal by one bank, establishment by the other (reserving the obligation),
//! amendments, closure at the deadline, and the reservation's ledger movements.

use ledger::{Event, NewTransfer, TransferFlags, TransferId};
use serde::{Deserialize, Serialize};

use crate::command::{Outcome, Success};
use crate::error::HubError;
use crate::model::{ParticipantId, ParticipantStatus, Principal, ScreeningVerdict, Timestamp};
use crate::scheme::link_all;
use crate::state::{Hub, transfer_code};
use crate::trade::{
    Amendment, Baseline, BaselineId, BaselineStatus, BaselineTerms, OBLIGATION_EXPIRY_MAX_NS,
    ObligationMoney, ShipmentStatus, TradeEventKind,
};

/// `ProposeBaseline`: one bank's baseline (tsmt.019), screened by the server (buyer and
/// seller names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineProposal {
    pub baseline: BaselineId,
    pub terms: BaselineTerms,
    pub screening: ScreeningVerdict,
}

/// `ProposeAmendment`: new terms for a live baseline (tsmt.009), screened by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentProposal {
    pub baseline: BaselineId,
    pub terms: BaselineTerms,
    pub screening: ScreeningVerdict,
}

/// The answer to a baseline command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineOutcome {
    pub baseline: BaselineId,
    pub status: BaselineStatus,
    pub version: u32,
    /// Reserved for the obligation after the command.
    pub reserved: u128,
    /// A repeated identical proposal.
    pub replayed: bool,
}

/// A verdict must name a UN list, and any hit stops the step: trade parties are not held for
/// officers (a baseline has no hold workflow), the bank corrects or abandons the baseline.
pub(crate) fn check_screening(verdict: &ScreeningVerdict) -> Result<(), HubError> {
    verdict.validate()?;
    if verdict.is_clear() {
        Ok(())
    } else {
        Err(HubError::TradeScreeningHit)
    }
}

fn bank_of(actor: &Principal) -> Result<ParticipantId, HubError> {
    match actor {
        Principal::Participant(p) => Ok(*p),
        _ => Err(HubError::TradeForbiddenNotParty),
    }
}

impl Hub {
    pub(crate) fn trade_outcome(&self, id: BaselineId, replayed: bool) -> Outcome {
        let b = self
            .trade
            .baselines
            .get(&id)
            .ok_or(HubError::TradeBaselineNotFound)?;
        Ok(Success::TradeBaseline(BaselineOutcome {
            baseline: id,
            status: b.status,
            version: b.version,
            reserved: b.money.reserved,
            replayed,
        }))
    }

    /// The baseline, if `actor` is one of its banks; others learn nothing of it.
    pub(crate) fn baseline_for_bank(
        &self,
        actor: &Principal,
        id: BaselineId,
    ) -> Result<(&Baseline, ParticipantId), HubError> {
        let bank = bank_of(actor)?;
        let baseline = self
            .trade
            .baselines
            .get(&id)
            .filter(|b| b.terms.counterparty(bank).is_some())
            .ok_or(HubError::TradeBaselineNotFound)?;
        Ok((baseline, bank))
    }

    /// Terms that can be in force now: valid, both banks active participants, the currency
    /// accepted, the deadline ahead and not too far.
    fn check_terms(&self, now: Timestamp, terms: &BaselineTerms) -> Result<(), HubError> {
        terms.validate()?;
        if !self.currencies.contains_key(&terms.currency) {
            return Err(HubError::CurrencyNotAccepted);
        }
        for bank in [terms.buyer_bank, terms.seller_bank] {
            let p = self
                .participant_ref(bank)
                .ok_or(HubError::ParticipantNotFound)?;
            if p.status != ParticipantStatus::Active {
                return Err(HubError::TradeBankSuspended);
            }
            if !p.roles.participant {
                return Err(HubError::ForbiddenNotParticipantRole);
            }
        }
        let o = &terms.obligation;
        if o.deadline() <= now {
            return Err(HubError::ExpiryInPast);
        }
        if o.expires_at - now > OBLIGATION_EXPIRY_MAX_NS {
            return Err(HubError::ExpiryTooFar);
        }
        Ok(())
    }

    pub(crate) fn propose_baseline(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        proposal: &BaselineProposal,
    ) -> Outcome {
        let bank = bank_of(actor)?;
        let terms = &proposal.terms;
        if terms.counterparty(bank).is_none() {
            return Err(HubError::TradeForbiddenNotParty);
        }
        if let Some(existing) = self.trade.baselines.get(&proposal.baseline) {
            let same =
                existing.version == 1 && existing.proposed_by == bank && existing.terms == *terms;
            if !same {
                return Err(HubError::TradeBaselineExists);
            }
            return self.trade_outcome(proposal.baseline, true);
        }
        self.check_terms(now, terms)?;
        check_screening(&proposal.screening)?;
        let id = proposal.baseline;
        self.trade.baselines.insert(
            id,
            Baseline {
                id,
                version: 1,
                terms: terms.clone(),
                status: BaselineStatus::Proposed,
                proposed_by: bank,
                proposed_at: now,
                established_at: None,
                ended_at: None,
                screenings: vec![proposal.screening.clone()],
                amendment: None,
                money: ObligationMoney::default(),
                lines: Default::default(),
                shipments: Vec::new(),
                history: Vec::new(),
            },
        );
        self.trade
            .deadlines
            .insert((terms.obligation.deadline(), id));
        self.trade
            .record(id, now, Some(actor), TradeEventKind::Proposed);
        self.trade_outcome(id, false)
    }

    /// The other bank agrees: the baseline is established and the obligor's funds reserved.
    pub(crate) fn accept_baseline(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: BaselineId,
        screening: &ScreeningVerdict,
    ) -> Outcome {
        let (baseline, bank) = self.baseline_for_bank(actor, id)?;
        if baseline.status != BaselineStatus::Proposed {
            return Err(HubError::TradeBaselineNotProposed);
        }
        if baseline.proposed_by == bank {
            return Err(HubError::TradeForbiddenNotCounterparty);
        }
        let terms = baseline.terms.clone();
        // Banks, currency or participants may have changed since the proposal.
        self.check_terms(now, &terms)?;
        check_screening(screening)?;
        let amount = terms.obligation.amount;
        let (_, pending) = self.move_reservation(now, id, &terms, None, amount)?;
        if let Some(b) = self.trade.baselines.get_mut(&id) {
            b.status = BaselineStatus::Established;
            b.established_at = Some(now);
            b.screenings.push(screening.clone());
            b.money.reserved = amount;
            b.money.pending = pending;
        }
        self.trade.record(
            id,
            now,
            Some(actor),
            TradeEventKind::Established { reserved: amount },
        );
        self.trade_outcome(id, false)
    }

    pub(crate) fn propose_amendment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        proposal: &AmendmentProposal,
    ) -> Outcome {
        let (baseline, bank) = self.baseline_for_bank(actor, proposal.baseline)?;
        if !baseline.status.is_live() {
            return Err(HubError::TradeBaselineNotLive);
        }
        if baseline.amendment.is_some() {
            return Err(HubError::TradeAmendmentPending);
        }
        check_amendment(baseline, &proposal.terms)?;
        self.check_terms(now, &proposal.terms)?;
        check_screening(&proposal.screening)?;
        let id = proposal.baseline;
        if let Some(b) = self.trade.baselines.get_mut(&id) {
            b.amendment = Some(Amendment {
                terms: proposal.terms.clone(),
                proposed_by: bank,
                proposed_at: now,
            });
            b.screenings.push(proposal.screening.clone());
        }
        self.trade
            .record(id, now, Some(actor), TradeEventKind::AmendmentProposed);
        self.trade_outcome(id, false)
    }

    /// The other bank accepts the amendment: the new terms are in force, the reservation
    /// follows a changed obligation amount (void and reserve again, linked).
    pub(crate) fn accept_amendment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: BaselineId,
        screening: &ScreeningVerdict,
    ) -> Outcome {
        let (baseline, bank) = self.baseline_for_bank(actor, id)?;
        if !baseline.status.is_live() {
            return Err(HubError::TradeBaselineNotLive);
        }
        let amendment = baseline
            .amendment
            .clone()
            .ok_or(HubError::TradeAmendmentNotFound)?;
        if amendment.proposed_by == bank {
            return Err(HubError::TradeForbiddenNotCounterparty);
        }
        check_amendment(baseline, &amendment.terms)?;
        self.check_terms(now, &amendment.terms)?;
        check_screening(screening)?;
        let released = baseline.money.released;
        let old_deadline = baseline.terms.obligation.deadline();
        let version = baseline.version.saturating_add(1);
        let terms = amendment.terms;
        let reserve = terms
            .obligation
            .amount
            .checked_sub(released)
            .ok_or(HubError::TradeAmendmentInvalid)?;
        let money = if terms.obligation.amount == baseline.terms.obligation.amount {
            None
        } else {
            Some(self.move_reservation(now, id, &terms, None, reserve)?.1)
        };
        let deadline = terms.obligation.deadline();
        if let Some(b) = self.trade.baselines.get_mut(&id) {
            b.terms = terms;
            b.version = version;
            b.amendment = None;
            b.screenings.push(screening.clone());
            if let Some(pending) = money {
                b.money.reserved = reserve;
                b.money.pending = pending;
            }
        }
        self.trade.deadlines.remove(&(old_deadline, id));
        self.trade.deadlines.insert((deadline, id));
        self.trade.record(
            id,
            now,
            Some(actor),
            TradeEventKind::AmendmentAccepted { version },
        );
        self.complete_if_done(now, id)?;
        self.trade_outcome(id, false)
    }

    pub(crate) fn reject_amendment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: BaselineId,
    ) -> Outcome {
        let (baseline, bank) = self.baseline_for_bank(actor, id)?;
        let amendment = baseline
            .amendment
            .as_ref()
            .ok_or(HubError::TradeAmendmentNotFound)?;
        if amendment.proposed_by == bank {
            return Err(HubError::TradeForbiddenNotCounterparty);
        }
        if let Some(b) = self.trade.baselines.get_mut(&id) {
            b.amendment = None;
        }
        self.trade
            .record(id, now, Some(actor), TradeEventKind::AmendmentRejected);
        self.trade_outcome(id, false)
    }

    /// Closes every open baseline whose deadline has come, voiding what is still reserved.
    pub(crate) fn expire_trade(&mut self, now: Timestamp) {
        while let Some(&(at, id)) = self.trade.deadlines.first() {
            if at > now {
                break;
            }
            // A refused void means the ledger lost the reservation: the baseline stays open
            // outside the index, which `check_invariants` reports.
            self.trade.deadlines.pop_first();
            let _ = self.end_baseline(now, id, BaselineStatus::Closed);
        }
    }

    /// Completes a live baseline with nothing left to ship or draw.
    pub(crate) fn complete_if_done(
        &mut self,
        now: Timestamp,
        id: BaselineId,
    ) -> Result<(), HubError> {
        let Some(b) = self.trade.baselines.get(&id) else {
            return Ok(());
        };
        let one_shipment_done =
            !b.terms.partial_shipment && b.shipments.iter().any(|s| s.release.is_some());
        let done = b.remaining() == 0 || b.fully_shipped() || one_shipment_done;
        if b.status.is_live() && done {
            let deadline = b.terms.obligation.deadline();
            self.end_baseline(now, id, BaselineStatus::Completed)?;
            self.trade.deadlines.remove(&(deadline, id));
        }
        Ok(())
    }

    /// Completes or closes a baseline (a step of the hub's own): voids the reservation,
    /// lapses undecided shipments.
    fn end_baseline(
        &mut self,
        now: Timestamp,
        id: BaselineId,
        status: BaselineStatus,
    ) -> Result<(), HubError> {
        let Some(b) = self.trade.baselines.get(&id) else {
            return Ok(());
        };
        let terms = b.terms.clone();
        let voided = b.money.reserved;
        let void_record = if b.money.pending.is_some() {
            self.move_reservation(now, id, &terms, None, 0)?.0
        } else {
            None
        };
        if let Some(b) = self.trade.baselines.get_mut(&id) {
            b.status = status;
            b.ended_at = Some(now);
            b.amendment = None;
            b.money.voided = b.money.voided.saturating_add(voided);
            b.money.reserved = 0;
            b.money.pending = None;
            if void_record.is_some() {
                b.money.void_record = void_record;
            }
            for shipment in &mut b.shipments {
                if shipment.status == ShipmentStatus::AwaitingDecision {
                    shipment.status = ShipmentStatus::Lapsed;
                    for line in &shipment.report.lines {
                        if let Some(progress) = b.lines.get_mut(&line.line_id) {
                            progress.pending = progress.pending.saturating_sub(line.quantity);
                        }
                    }
                }
            }
        }
        let kind = match status {
            BaselineStatus::Completed => TradeEventKind::Completed { voided },
            _ => TradeEventKind::Closed { voided },
        };
        self.trade.record(id, now, None, kind);
        Ok(())
    }

    /// Moves the obligation's reservation as one linked ledger run: the open pending transfer
    /// (if any) is posted for `post` (a release) or voided (`post` = `None`), then a new pending
    /// transfer of `reserve` is created when it is not zero. Returns the post or void record and
    /// the new pending transfer. Nothing changes when the ledger refuses.
    pub(crate) fn move_reservation(
        &mut self,
        now: Timestamp,
        id: BaselineId,
        terms: &BaselineTerms,
        post: Option<u128>,
        reserve: u128,
    ) -> Result<(Option<TransferId>, Option<TransferId>), HubError> {
        let o = &terms.obligation;
        let leg = self.plan_leg(terms.currency, o.obligor, o.recipient, reserve)?;
        let open = self.trade.baselines.get(&id).and_then(|b| b.money.pending);
        let count = u128::from(open.is_some()) + u128::from(reserve > 0);
        let ids = self.peek_transfer_ids(count)?;
        let mut ids = ids.into_iter();
        let mut events = Vec::with_capacity(2);
        let mut record = None;
        if let Some(pending) = open {
            let transfer = ids.next().ok_or(HubError::TradeReleaseExceedsObligation)?;
            let flags = if post.is_some() {
                TransferFlags::POST_PENDING
            } else {
                TransferFlags::VOID_PENDING
            };
            events.push(Event::CreateTransfer(NewTransfer {
                id: transfer,
                debit_account_id: leg.debit,
                credit_account_id: leg.credit,
                amount: post.unwrap_or(0),
                pending_id: Some(pending),
                timeout_ns: 0,
                code: transfer_code::TRADE_OBLIGATION,
                user_data: id.as_u128(),
                flags,
            }));
            record = Some(transfer);
        }
        let mut created = None;
        if reserve > 0 {
            let transfer = ids.next().ok_or(HubError::TradeReleaseExceedsObligation)?;
            events.push(Event::CreateTransfer(NewTransfer {
                id: transfer,
                debit_account_id: leg.debit,
                credit_account_id: leg.credit,
                amount: reserve,
                pending_id: None,
                timeout_ns: 0,
                code: transfer_code::TRADE_OBLIGATION,
                user_data: id.as_u128(),
                flags: TransferFlags::PENDING,
            }));
            created = Some(transfer);
        }
        link_all(&mut events);
        self.ledger_apply(now, &events)
            .map_err(crate::state::funds_error)?;
        self.last_transfer = self.last_transfer.saturating_add(count);
        Ok((record, created))
    }
}

/// An amendment keeps the banks, the currency and the obligation's parties, keeps every line
/// already shipped, and does not lower the obligation below what was released.
fn check_amendment(baseline: &Baseline, terms: &BaselineTerms) -> Result<(), HubError> {
    let old = &baseline.terms;
    let same_parties = terms.buyer_bank == old.buyer_bank
        && terms.seller_bank == old.seller_bank
        && terms.currency == old.currency;
    let keeps_lines = baseline
        .lines
        .iter()
        .filter(|(_, p)| p.shipped > 0 || p.pending > 0)
        .all(|(line_id, _)| terms.line(line_id).is_some());
    if !same_parties || !keeps_lines || terms.obligation.amount < baseline.money.released {
        return Err(HubError::TradeAmendmentInvalid);
    }
    Ok(())
}
