//! The payment lifecycle: create (hold or reserve), accept (post), reject (void), expiry (void),
//! return (a new committed payment back). Every money movement is one linked ledger run, so a
//! payment's legs move together or not at all.

use ledger::{Event, NewTransfer, TransferFlags, TransferId};

use crate::command::{ClearedHit, CreatePayment, PaymentOutcome, Success};
use crate::error::{HubError, Reason};
use crate::model::{
    CurrencyCode, ParticipantId, ParticipantStatus, PaymentId, PaymentInstruction, PaymentStatus,
    Principal, RelatedParties, SettlementModel, Timestamp,
};
use crate::scheme::link_all;
use crate::state::{
    AccountKind, FxTerms, Hold, Hub, InboxKind, Leg, Payment, Step, StepKind, account_id,
    funds_error, transfer_code,
};

/// The longest a payment may wait for its creditor: one week.
pub const PAYMENT_EXPIRY_MAX_NS: u64 = 7 * 24 * 3600 * 1_000_000_000;

/// A ledger movement a payment needs, before it has a transfer id.
#[derive(Clone, Debug)]
pub(crate) struct LegPlan {
    pub(crate) leg: Leg,
    pub(crate) code: u16,
}

impl Hub {
    pub(crate) fn create_payment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        command: &CreatePayment,
        related: Option<&RelatedParties>,
        cleared: &[ClearedHit],
    ) -> Result<Success, HubError> {
        let ins = &command.instruction;
        if *actor != Principal::Participant(ins.debtor_participant) {
            return Err(HubError::ForbiddenNotDebtor);
        }
        let related = related.filter(|r| !r.is_empty());
        if let Some(existing) = self.payment_ref(&ins.payment_id) {
            if existing.instruction != *ins || self.related.get(&ins.payment_id) != related {
                return Err(HubError::DuplicatePaymentIdDifferentContent);
            }
            return Ok(Success::Payment(PaymentOutcome {
                payment: ins.payment_id,
                status: existing.created_status,
                reason: existing.created_reason,
                replayed: true,
            }));
        }
        ins.validate()?;
        if let Some(related) = related {
            related.validate()?;
        }
        command.screening.validate()?;
        self.check_cleared(ins, related, cleared)?;
        if command.expires_at <= now {
            return Err(HubError::ExpiryInPast);
        }
        if command.expires_at - now > PAYMENT_EXPIRY_MAX_NS {
            return Err(HubError::ExpiryTooFar);
        }
        self.check_payment_participants(ins)?;
        let fx = self.check_quote(now, ins)?;
        let plans = self.plan_legs(ins)?;
        let mut payment = Payment {
            seq: 0,
            instruction: ins.clone(),
            expires_at: command.expires_at,
            screening: command.screening.clone(),
            status: PaymentStatus::Held,
            reason: None,
            created_status: PaymentStatus::Held,
            created_reason: None,
            legs: Vec::new(),
            fx,
            hold: None,
            history: vec![step(now, actor, StepKind::Received)],
            return_of: None,
            returned_by: None,
            created_at: now,
            updated_at: now,
        };
        if command.screening.is_clear() {
            let (status, kind, legs) = match self.reserve_or_queue(now, ins, &plans)? {
                Some(legs) => (PaymentStatus::Reserved, StepKind::Reserved, legs),
                None => (PaymentStatus::Queued, StepKind::Queued, Vec::new()),
            };
            payment.legs = legs;
            payment.status = status;
            payment.created_status = status;
            payment.history.push(step(now, actor, kind));
        } else {
            payment.hold = Some(Hold::default());
            payment.history.push(step(now, actor, StepKind::Held));
        }
        if !cleared.is_empty() {
            let false_positives = cleared.iter().map(|c| c.false_positive).collect();
            payment.history.insert(
                1,
                step(now, actor, StepKind::HitsCleared { false_positives }),
            );
        }
        let outcome = outcome_of(&payment);
        if let Some(quote) = ins.fx_quote.and_then(|q| self.quotes.get_mut(&q)) {
            quote.used_by = Some(ins.payment_id);
        }
        self.insert_payment(payment);
        if let Some(related) = related {
            self.related.insert(ins.payment_id, related.clone());
        }
        if !cleared.is_empty() {
            self.cleared_hits.insert(ins.payment_id, cleared.to_vec());
        }
        self.announce(now, ins.payment_id);
        Ok(outcome)
    }

    pub(crate) fn accept_payment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
    ) -> Result<Success, HubError> {
        if let Some(replayed) = self.replayed_decision(
            actor,
            id,
            &StepKind::Committed,
            PaymentStatus::Committed,
            None,
        ) {
            return Ok(replayed);
        }
        let legs = self.reserved_for_creditor(actor, id)?;
        let records = self.resolve(now, &legs, true)?;
        self.record_obligations(&legs);
        self.finish(now, id, actor, records, PaymentStatus::Committed, None)
    }

    pub(crate) fn reject_payment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
        reason: Reason,
    ) -> Result<Success, HubError> {
        let decided = StepKind::Rejected(reason);
        if let Some(replayed) =
            self.replayed_decision(actor, id, &decided, PaymentStatus::Rejected, Some(reason))
        {
            return Ok(replayed);
        }
        let legs = self.reserved_for_creditor(actor, id)?;
        if !reason.participant_may_give() {
            return Err(HubError::ReasonNotAllowed);
        }
        let records = self.resolve(now, &legs, false)?;
        self.finish(
            now,
            id,
            actor,
            records,
            PaymentStatus::Rejected,
            Some(reason),
        )
    }

    pub(crate) fn return_payment(
        &mut self,
        now: Timestamp,
        actor: &Principal,
        id: PaymentId,
        return_id: PaymentId,
        reason: Reason,
    ) -> Result<Success, HubError> {
        let original = self.payment_for_creditor(actor, id)?;
        if original.returned_by == Some(return_id) {
            // A retried return: answer as the first time.
            return Ok(Success::Returned {
                original: id,
                return_payment: return_id,
            });
        }
        match original.status {
            PaymentStatus::Committed => {}
            PaymentStatus::Returned => return Err(HubError::PaymentAlreadyReturned),
            _ => return Err(HubError::PaymentNotCommitted),
        }
        if original.return_of.is_some() {
            return Err(HubError::ReturnOfReturn);
        }
        if !reason.participant_may_give() {
            return Err(HubError::ReasonNotAllowed);
        }
        if self.payment_index.contains_key(&return_id) {
            return Err(HubError::DuplicatePaymentIdDifferentContent);
        }
        let ins = &original.instruction;
        // The return undoes every leg (for FX: both currencies, through the provider).
        let plans: Vec<LegPlan> = original
            .legs
            .iter()
            .map(|leg| LegPlan {
                leg: Leg {
                    debit: leg.credit,
                    credit: leg.debit,
                    from: leg.to,
                    to: leg.from,
                    ..leg.clone()
                },
                code: transfer_code::RETURN,
            })
            .collect();
        let instruction = PaymentInstruction {
            payment_id: return_id,
            debtor: ins.creditor.clone(),
            creditor: ins.debtor.clone(),
            debtor_participant: ins.creditor_participant,
            creditor_participant: ins.debtor_participant,
            ..ins.clone()
        };
        let screening = original.screening.clone();
        let fx = original.fx.clone();
        let legs = self.move_now(now, return_id, &plans)?;
        self.record_obligations(&legs);
        let mut back = Payment {
            seq: 0,
            instruction,
            expires_at: now,
            screening,
            status: PaymentStatus::Committed,
            reason: Some(reason),
            created_status: PaymentStatus::Committed,
            created_reason: Some(reason),
            legs,
            fx,
            hold: None,
            history: vec![step(now, actor, StepKind::Received)],
            return_of: Some(id),
            returned_by: None,
            created_at: now,
            updated_at: now,
        };
        back.history.push(step(now, actor, StepKind::Committed));
        self.insert_payment(back);
        self.announce(now, return_id);
        if let Some(p) = self.payment_mut(&id) {
            p.status = PaymentStatus::Returned;
            p.reason = Some(reason);
            p.returned_by = Some(return_id);
            p.updated_at = now;
            p.history.push(step(
                now,
                actor,
                StepKind::Returned {
                    return_payment: return_id,
                },
            ));
        }
        self.announce(now, id);
        Ok(Success::Returned {
            original: id,
            return_payment: return_id,
        })
    }

    /// Voids every reserved payment whose expiry has come (in (expiry, id) order), then expires
    /// the queued ones.
    pub(crate) fn expire_due(&mut self, now: Timestamp) {
        while let Some(&(at, id)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.expiry.pop_first();
            let Some(legs) = self.payment_ref(&id).map(|p| p.legs.clone()) else {
                continue;
            };
            // A failure here means the ledger lost a reservation: the payment stays Reserved
            // outside the expiry index, which `check_invariants` reports.
            if let Ok(records) = self.resolve(now, &legs, false) {
                self.set_final(
                    now,
                    id,
                    None,
                    records,
                    PaymentStatus::Expired,
                    Some(Reason::Timeout),
                );
            }
        }
        self.expire_queued(now);
    }

    /// Debtor and creditor participants exist, are active and hold the participant role.
    pub(crate) fn check_payment_participants(
        &self,
        ins: &PaymentInstruction,
    ) -> Result<(), HubError> {
        let debtor = self
            .participant_ref(ins.debtor_participant)
            .ok_or(HubError::DebtorParticipantNotFound)?;
        let creditor = self
            .participant_ref(ins.creditor_participant)
            .ok_or(HubError::CreditorParticipantNotFound)?;
        if debtor.status != ParticipantStatus::Active {
            return Err(HubError::DebtorParticipantSuspended);
        }
        if creditor.status != ParticipantStatus::Active {
            return Err(HubError::CreditorParticipantSuspended);
        }
        if !debtor.roles.participant || !creditor.roles.participant {
            return Err(HubError::ForbiddenNotParticipantRole);
        }
        Ok(())
    }

    /// The ledger movements of a payment: one leg, or for a cross-currency payment two
    /// (debtor → provider in the source currency, provider → creditor in the target currency).
    pub(crate) fn plan_legs(&self, ins: &PaymentInstruction) -> Result<Vec<LegPlan>, HubError> {
        let Some(quote_id) = ins.fx_quote else {
            let leg = self.plan_leg(
                ins.currency,
                ins.debtor_participant,
                ins.creditor_participant,
                ins.amount,
            )?;
            return Ok(vec![LegPlan {
                leg,
                code: transfer_code::PAYMENT,
            }]);
        };
        let quote = self.quotes.get(&quote_id).ok_or(HubError::QuoteNotFound)?;
        let source = self.plan_leg(
            quote.source_currency,
            ins.debtor_participant,
            quote.provider,
            quote.source_amount,
        )?;
        let target = self.plan_leg(
            quote.target_currency,
            quote.provider,
            ins.creditor_participant,
            quote.target_amount,
        )?;
        Ok(vec![
            LegPlan {
                leg: source,
                code: transfer_code::FX_SOURCE_LEG,
            },
            LegPlan {
                leg: target,
                code: transfer_code::FX_TARGET_LEG,
            },
        ])
    }

    pub(crate) fn plan_leg(
        &self,
        currency: CurrencyCode,
        from: ParticipantId,
        to: ParticipantId,
        amount: u128,
    ) -> Result<Leg, HubError> {
        let config = self
            .currencies
            .get(&currency)
            .ok_or(HubError::CurrencyNotAccepted)?;
        let kind = match config.model {
            SettlementModel::Gross => AccountKind::Liquidity,
            SettlementModel::DeferredNet => AccountKind::Position,
        };
        Ok(Leg {
            transfer: TransferId(0),
            currency,
            from,
            to,
            debit: account_id(from, currency, kind),
            credit: account_id(to, currency, kind),
            amount,
            resolution: None,
        })
    }

    /// For a cross-currency payment: the quote must be the debtor's, unused, unexpired, match
    /// the payment's currency and amount, and its provider must be available.
    fn check_quote(
        &self,
        now: Timestamp,
        ins: &PaymentInstruction,
    ) -> Result<Option<FxTerms>, HubError> {
        let Some(quote_id) = ins.fx_quote else {
            return Ok(None);
        };
        let quote = self
            .quotes
            .get(&quote_id)
            .filter(|q| q.requester == ins.debtor_participant)
            .ok_or(HubError::QuoteNotFound)?;
        if quote.used_by.is_some() {
            return Err(HubError::QuoteAlreadyUsed);
        }
        if now >= quote.expires_at {
            return Err(HubError::QuoteExpired);
        }
        if quote.source_currency != ins.currency || quote.source_amount != ins.amount {
            return Err(HubError::QuoteMismatch);
        }
        if quote.provider == ins.creditor_participant {
            return Err(HubError::ParticipantsMustDiffer);
        }
        let available = self
            .participant_ref(quote.provider)
            .is_some_and(|p| p.roles.fx_provider && p.status == ParticipantStatus::Active);
        if !available {
            return Err(HubError::FxProviderUnavailable);
        }
        Ok(Some(FxTerms {
            quote: quote_id,
            provider: quote.provider,
            target_currency: quote.target_currency,
            target_amount: quote.target_amount,
            quote_expires_at: quote.expires_at,
        }))
    }

    /// Committed legs in deferred-net currencies become obligations of the open window.
    fn record_obligations(&mut self, legs: &[Leg]) {
        for leg in legs {
            self.record_obligation(leg.currency, leg.from, leg.to, leg.amount);
        }
    }

    /// Creates the pending transfers of `plans` as one linked run.
    pub(crate) fn reserve(
        &mut self,
        now: Timestamp,
        id: PaymentId,
        plans: &[LegPlan],
    ) -> Result<Vec<Leg>, HubError> {
        self.create_legs(now, id, plans, TransferFlags::PENDING)
    }

    /// Posts the transfers of `plans` at once as one linked run (returns).
    fn move_now(
        &mut self,
        now: Timestamp,
        id: PaymentId,
        plans: &[LegPlan],
    ) -> Result<Vec<Leg>, HubError> {
        self.create_legs(now, id, plans, TransferFlags::NONE)
    }

    fn create_legs(
        &mut self,
        now: Timestamp,
        id: PaymentId,
        plans: &[LegPlan],
        flags: TransferFlags,
    ) -> Result<Vec<Leg>, HubError> {
        let count = u128::try_from(plans.len()).unwrap_or(u128::MAX);
        let ids = self.peek_transfer_ids(count)?;
        let mut legs = Vec::with_capacity(plans.len());
        let mut events = Vec::with_capacity(plans.len());
        for (plan, transfer) in plans.iter().zip(ids) {
            events.push(Event::CreateTransfer(NewTransfer {
                id: transfer,
                debit_account_id: plan.leg.debit,
                credit_account_id: plan.leg.credit,
                amount: plan.leg.amount,
                pending_id: None,
                timeout_ns: 0,
                code: plan.code,
                user_data: id.as_u128(),
                flags,
            }));
            let resolution = (flags == TransferFlags::NONE).then_some(transfer);
            legs.push(Leg {
                transfer,
                resolution,
                ..plan.leg.clone()
            });
        }
        link_all(&mut events);
        let results = self.ledger.apply(now, &events);
        let failure = results
            .iter()
            .enumerate()
            .find(|(_, r)| !r.is_ok() && **r != ledger::EventResult::LinkedEventFailed);
        if let Some((index, result)) = failure {
            // A funds refusal on a leg debiting someone else than the debtor: the FX provider.
            return Err(match funds_error(*result) {
                HubError::InsufficientFunds if index > 0 && flags != TransferFlags::NONE => {
                    HubError::FxProviderInsufficientFunds
                }
                other => other,
            });
        }
        self.last_transfer = self.last_transfer.saturating_add(count);
        Ok(legs)
    }

    /// Posts (or voids) every pending leg as one linked run; returns the record ids.
    pub(crate) fn resolve(
        &mut self,
        now: Timestamp,
        legs: &[Leg],
        post: bool,
    ) -> Result<Vec<TransferId>, HubError> {
        let count = u128::try_from(legs.len()).unwrap_or(u128::MAX);
        let ids = self.peek_transfer_ids(count)?;
        let flags = if post {
            TransferFlags::POST_PENDING
        } else {
            TransferFlags::VOID_PENDING
        };
        let mut events: Vec<Event> = legs
            .iter()
            .zip(&ids)
            .map(|(leg, id)| {
                Event::CreateTransfer(NewTransfer {
                    id: *id,
                    debit_account_id: leg.debit,
                    credit_account_id: leg.credit,
                    amount: leg.amount,
                    pending_id: Some(leg.transfer),
                    timeout_ns: 0,
                    code: 0,
                    user_data: 0,
                    flags,
                })
            })
            .collect();
        link_all(&mut events);
        self.ledger_apply(now, &events).map_err(funds_error)?;
        self.last_transfer = self.last_transfer.saturating_add(count);
        Ok(ids)
    }

    /// The payment, if the actor is its creditor participant; a participant that is not party
    /// to it gets `PaymentNotFound` (its existence is not disclosed).
    pub(crate) fn payment_for_creditor(
        &self,
        actor: &Principal,
        id: PaymentId,
    ) -> Result<&Payment, HubError> {
        let payment = self.payment_ref(&id).ok_or(HubError::PaymentNotFound)?;
        match actor {
            Principal::Participant(p) if *p == payment.instruction.creditor_participant => {
                Ok(payment)
            }
            Principal::Participant(p) if !payment.involves(*p) => Err(HubError::PaymentNotFound),
            _ => Err(HubError::ForbiddenNotCreditor),
        }
    }

    /// The same decision sent again by the creditor that made it (its answer lost in a crash or
    /// a failover, say): the original outcome with `replayed: true`, so that a retry is safe.
    /// Any other decision on a payment no longer reserved is refused as before.
    fn replayed_decision(
        &self,
        actor: &Principal,
        id: PaymentId,
        decided: &StepKind,
        status: PaymentStatus,
        reason: Option<Reason>,
    ) -> Option<Success> {
        let payment = self.payment_for_creditor(actor, id).ok()?;
        let made = payment.status != PaymentStatus::Reserved
            && payment
                .history
                .iter()
                .any(|s| s.by.as_ref() == Some(actor) && s.kind == *decided);
        made.then_some(Success::Payment(PaymentOutcome {
            payment: id,
            status,
            reason,
            replayed: true,
        }))
    }

    /// The legs of a reserved payment the actor may accept or reject.
    fn reserved_for_creditor(
        &self,
        actor: &Principal,
        id: PaymentId,
    ) -> Result<Vec<Leg>, HubError> {
        let payment = self.payment_for_creditor(actor, id)?;
        match payment.status {
            PaymentStatus::Reserved => Ok(payment.legs.clone()),
            PaymentStatus::Expired => Err(HubError::PaymentExpired),
            _ => Err(HubError::PaymentNotReserved),
        }
    }

    /// Ends a reserved payment's wait (committed or rejected by the creditor, or cancelled).
    pub(crate) fn finish(
        &mut self,
        now: Timestamp,
        id: PaymentId,
        actor: &Principal,
        records: Vec<TransferId>,
        status: PaymentStatus,
        reason: Option<Reason>,
    ) -> Result<Success, HubError> {
        let expires_at = self
            .payment_ref(&id)
            .map(|p| p.expires_at)
            .ok_or(HubError::PaymentNotFound)?;
        self.expiry.remove(&(expires_at, id));
        self.set_final(now, id, Some(actor), records, status, reason);
        let payment = self.payment_ref(&id).ok_or(HubError::PaymentNotFound)?;
        Ok(outcome_of(payment))
    }

    /// Records a reserved payment's resolution and tells both participants.
    fn set_final(
        &mut self,
        now: Timestamp,
        id: PaymentId,
        actor: Option<&Principal>,
        records: Vec<TransferId>,
        status: PaymentStatus,
        reason: Option<Reason>,
    ) {
        let Some(p) = self.payment_mut(&id) else {
            return;
        };
        for (leg, record) in p.legs.iter_mut().zip(records) {
            leg.resolution = Some(record);
        }
        p.status = status;
        p.reason = reason;
        p.updated_at = now;
        let kind = match status {
            PaymentStatus::Committed => StepKind::Committed,
            PaymentStatus::Expired => StepKind::Expired,
            _ => StepKind::Rejected(reason.unwrap_or(Reason::NotSpecifiedAgent)),
        };
        p.history.push(Step {
            at: now,
            by: actor.cloned(),
            kind,
        });
        self.announce(now, id);
    }

    /// Appends a new payment with the next seq and indexes it.
    pub(crate) fn insert_payment(&mut self, mut payment: Payment) {
        let seq = u64::try_from(self.payments.len()).map_or(u64::MAX, |n| n.saturating_add(1));
        payment.seq = seq;
        let id = payment.id();
        let ins = &payment.instruction;
        let provider = payment.fx.as_ref().map(|fx| fx.provider);
        for participant in [ins.debtor_participant, ins.creditor_participant]
            .into_iter()
            .chain(provider)
        {
            self.participant_payments
                .entry(participant)
                .or_default()
                .push(seq);
        }
        match payment.status {
            PaymentStatus::Held => {
                self.held.insert(seq, id);
            }
            PaymentStatus::Reserved => {
                self.expiry.insert((payment.expires_at, id));
            }
            PaymentStatus::Queued => self.enqueue(&payment.instruction, payment.expires_at),
            _ => {}
        }
        self.payment_index.insert(id, seq);
        self.payments.push(payment);
    }

    /// Tells the participants about a payment's current status. The creditor hears nothing
    /// while a payment is held or when compliance rejects it (it was never offered to it).
    pub(crate) fn announce(&mut self, now: Timestamp, id: PaymentId) {
        let Some(p) = self.payment_ref(&id) else {
            return;
        };
        let (debtor, creditor) = (
            p.instruction.debtor_participant,
            p.instruction.creditor_participant,
        );
        let (status, reason) = (p.status, p.reason);
        let offered = !p.legs.is_empty();
        let provider = p.fx.as_ref().map(|fx| fx.provider).filter(|_| offered);
        let changed = InboxKind::StatusChanged { status, reason };
        self.notify(debtor, now, id, changed.clone());
        match status {
            PaymentStatus::Held => {}
            PaymentStatus::Reserved => self.notify(creditor, now, id, InboxKind::PaymentReceived),
            _ if offered => self.notify(creditor, now, id, changed.clone()),
            _ => {}
        }
        // The FX provider hears of every change once its funds are involved.
        if let Some(provider) = provider {
            self.notify(provider, now, id, changed);
        }
    }
}

pub(crate) fn step(at: Timestamp, actor: &Principal, kind: StepKind) -> Step {
    Step {
        at,
        by: Some(actor.clone()),
        kind,
    }
}

pub(crate) fn outcome_of(payment: &Payment) -> Success {
    Success::Payment(PaymentOutcome {
        payment: payment.id(),
        status: payment.status,
        reason: payment.reason,
        replayed: false,
    })
}
