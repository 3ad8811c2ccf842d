//! The liquidity queue of a gross currency, with liquidity-saving gridlock resolution.
//!
//! - The operator enables or disables a gross currency's queue (`SetLiquidityQueue`; a
//!   deferred-net currency is refused with `currency_not_gross`). Enabling opens the currency's
//!   scheme transit account (owner 0, no limit), whose id [`account_id`] derives like the
//!   settlement account's.
//! - With the queue enabled, a same-currency payment that the ledger refuses only for lack of
//!   pre-funded liquidity becomes `Queued` instead of failing: no ledger effect, a FIFO position,
//!   and the debtor is told in its inbox (the creditor hears nothing yet). A payment of a payer
//!   that already has queued payments in the currency queues behind them even if it would fit,
//!   so a later payment never overtakes an earlier one of the same payer. Cross-currency
//!   payments are never queued (their two legs draw on two parties' funds). A payment released
//!   from a compliance hold follows the same rule. At most [`LIQUIDITY_QUEUE_MAX`] payments wait
//!   per currency (`liquidity_queue_full` beyond).
//! - Queued payments expire at their expiry like reserved ones (→ Expired, `timeout`, AB05).
//!   Disabling the queue queues nothing new but leaves queued payments queued until they are
//!   released or expire.
//! - At the end of every batch (and after the expiry at its start, so that freed liquidity goes
//!   to queued payments before new ones), for every non-empty queue:
//!   1. **FIFO pass**: in queue order, a payment whose payer's available liquidity now covers it
//!      is reserved as usual (→ Reserved; the creditor gets `PaymentReceived` and accepts or
//!      rejects it). A payer's first payment that does not fit blocks the payer's later ones.
//!   2. **Gridlock pass**: on what remains, `settlement::resolve_gridlock` (the greatest set,
//!      FIFO per payer, that can settle at once with every balance non-negative; see
//!      `crates/settlement/src/gridlock.rs`) with each participant's available liquidity. The
//!      chosen payments settle simultaneously and finally (→ Committed, both parties told).
//!      The creditor's accept step is waived for them: an offsetting settlement is only
//!      simultaneous if every part of it is final at once, and a creditor refusing one part
//!      would leave its payer short. Ledger mechanics: one linked run through the transit
//!      account: first every payee is credited from transit, then every payer is debited to
//!      transit; with all credits landed first, each payer's sequential debits stay within its
//!      liquidity (the algorithm's guarantee), and transit nets to zero. Each such payment
//!      records both legs (payer → transit, transit → payee), posted.
//!
//!   Running both passes again right away releases nothing more: a payment that fits alone
//!   after the gridlock pass, or a further offsetting set, would have made the gridlock set
//!   larger, and it is the greatest one.
//!
//!   A payment whose debtor or creditor is suspended stays queued (it blocks its payer's later
//!   payments) until the party is reactivated or the payment expires. The work per batch is
//!   O(m log m) for m queued payments, bounded by the queue limit.

use std::collections::{BTreeMap, BTreeSet};

use ledger::{Event, NewTransfer, TransferFlags, TransferState};
use serde::{Deserialize, Serialize};

use crate::command::Success;
use crate::error::{HubError, Reason};
use crate::model::{
    CurrencyCode, ParticipantId, ParticipantStatus, PaymentId, PaymentInstruction, PaymentStatus,
    SettlementModel, Timestamp,
};
use crate::payments::LegPlan;
use crate::scheme::{ledger_currency, link_all, open_account};
use crate::state::{
    AccountKind, Hub, Leg, Payment, SCHEME, Step, StepKind, account_id, funds_error, transfer_code,
};

/// Most payments waiting in one currency's queue.
pub const LIQUIDITY_QUEUE_MAX: usize = 10_000;

/// One currency's queued payments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiquidityQueue {
    /// FIFO position → payment.
    pub(crate) entries: BTreeMap<u64, PaymentId>,
    /// Payment → its FIFO position.
    pub(crate) positions: BTreeMap<PaymentId, u64>,
    /// How many queued payments each payer has here.
    pub(crate) payers: BTreeMap<ParticipantId, u64>,
}

/// A queued payment considered for release.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    id: PaymentId,
    payer: ParticipantId,
    payee: ParticipantId,
    amount: u128,
}

impl Hub {
    pub(crate) fn set_liquidity_queue(
        &mut self,
        now: Timestamp,
        currency: CurrencyCode,
        enabled: bool,
    ) -> Result<Success, HubError> {
        let config = self
            .currencies
            .get(&currency)
            .ok_or(HubError::CurrencyNotAccepted)?;
        if config.model != SettlementModel::Gross {
            return Err(HubError::CurrencyNotGross);
        }
        let transit = account_id(SCHEME, currency, AccountKind::Transit);
        if enabled && self.ledger.account(transit).is_none() {
            let event = open_account(
                SCHEME,
                currency,
                ledger_currency(config)?,
                AccountKind::Transit,
            );
            self.ledger_apply(now, &[event]).map_err(funds_error)?;
        }
        if enabled {
            self.queue_enabled.insert(currency);
        } else {
            self.queue_enabled.remove(&currency);
        }
        Ok(Success::LiquidityQueueSet { currency, enabled })
    }

    /// Whether the currency's liquidity queue is enabled.
    pub fn liquidity_queue_enabled(&self, currency: CurrencyCode) -> bool {
        self.queue_enabled.contains(&currency)
    }

    /// The currency's queued payments in FIFO order (`None` if the currency is not accepted).
    pub fn queued_payments(&self, currency: CurrencyCode) -> Option<Vec<&Payment>> {
        self.currencies.get(&currency)?;
        let Some(queue) = self.queues.get(&currency) else {
            return Some(Vec::new());
        };
        Some(
            queue
                .entries
                .values()
                .filter_map(|id| self.payment_ref(id))
                .collect(),
        )
    }

    /// Reserves the payment's legs, or answers `None` when it must queue instead: its payer
    /// already has queued payments in the currency, or the ledger refused it for lack of
    /// liquidity. Either way only with the currency's queue enabled and room in it.
    pub(crate) fn reserve_or_queue(
        &mut self,
        now: Timestamp,
        ins: &PaymentInstruction,
        plans: &[LegPlan],
    ) -> Result<Option<Vec<Leg>>, HubError> {
        let queueable = ins.fx_quote.is_none() && self.queue_enabled.contains(&ins.currency);
        let behind = queueable
            && self
                .queues
                .get(&ins.currency)
                .is_some_and(|q| q.payers.contains_key(&ins.debtor_participant));
        if !behind {
            match self.reserve(now, ins.payment_id, plans) {
                Ok(legs) => return Ok(Some(legs)),
                Err(HubError::InsufficientFunds) if queueable => {}
                Err(e) => return Err(e),
            }
        }
        let len = self
            .queues
            .get(&ins.currency)
            .map_or(0, |q| q.entries.len());
        if len >= LIQUIDITY_QUEUE_MAX {
            return Err(HubError::LiquidityQueueFull);
        }
        Ok(None)
    }

    /// Puts a payment (already marked Queued) at the end of its currency's queue.
    pub(crate) fn enqueue(&mut self, ins: &PaymentInstruction, expires_at: Timestamp) {
        self.last_queue_position = self.last_queue_position.saturating_add(1);
        let position = self.last_queue_position;
        let queue = self.queues.entry(ins.currency).or_default();
        queue.entries.insert(position, ins.payment_id);
        queue.positions.insert(ins.payment_id, position);
        let count = queue.payers.entry(ins.debtor_participant).or_default();
        *count = count.saturating_add(1);
        self.queue_expiry.insert((expires_at, ins.payment_id));
    }

    /// Takes a payment out of its queue and the queue expiry index.
    pub(crate) fn dequeue(&mut self, id: PaymentId) {
        let Some(p) = self.payment_ref(&id) else {
            return;
        };
        let (currency, payer, expires_at) = (
            p.instruction.currency,
            p.instruction.debtor_participant,
            p.expires_at,
        );
        self.queue_expiry.remove(&(expires_at, id));
        let Some(queue) = self.queues.get_mut(&currency) else {
            return;
        };
        if let Some(position) = queue.positions.remove(&id) {
            queue.entries.remove(&position);
        }
        if let Some(count) = queue.payers.get_mut(&payer) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                queue.payers.remove(&payer);
            }
        }
        if queue.entries.is_empty() {
            self.queues.remove(&currency);
        }
    }

    /// Expires queued payments whose expiry has come (in (expiry, id) order): no ledger effect.
    pub(crate) fn expire_queued(&mut self, now: Timestamp) {
        while let Some(&(at, id)) = self.queue_expiry.first() {
            if at > now {
                break;
            }
            self.dequeue(id);
            self.update(now, id, PaymentStatus::Expired, Vec::new());
        }
    }

    /// Releases what every non-empty queue can: the FIFO pass, then the gridlock pass.
    pub(crate) fn run_queues(&mut self, now: Timestamp) {
        let currencies: Vec<CurrencyCode> = self.queues.keys().copied().collect();
        for currency in currencies {
            self.release_fitting(now, currency);
            self.release_gridlock(now, currency);
        }
    }

    /// The queue's payments in FIFO order, each payer's list cut at its first payment with a
    /// suspended party (it must not be overtaken).
    fn candidates(&self, currency: CurrencyCode) -> Vec<Candidate> {
        let Some(queue) = self.queues.get(&currency) else {
            return Vec::new();
        };
        let mut blocked = BTreeSet::new();
        let mut out = Vec::with_capacity(queue.entries.len());
        for p in queue.entries.values().filter_map(|id| self.payment_ref(id)) {
            let ins = &p.instruction;
            let payer = ins.debtor_participant;
            if blocked.contains(&payer) {
                continue;
            }
            let active = [payer, ins.creditor_participant].iter().all(|who| {
                self.participant_ref(*who).map(|x| x.status) == Some(ParticipantStatus::Active)
            });
            if !active {
                blocked.insert(payer);
                continue;
            }
            out.push(Candidate {
                id: p.id(),
                payer,
                payee: ins.creditor_participant,
                amount: ins.amount,
            });
        }
        out
    }

    /// Unreserved posted liquidity (what a new reservation may still draw on).
    fn available_liquidity(&self, participant: ParticipantId, currency: CurrencyCode) -> u128 {
        self.ledger
            .account(account_id(participant, currency, AccountKind::Liquidity))
            .and_then(|a| a.available())
            .and_then(|a| u128::try_from(a).ok())
            .unwrap_or(0)
    }

    /// FIFO pass: reserves, in queue order, each payment its payer can now fund alone; a payer's
    /// first payment that does not fit blocks its later ones.
    fn release_fitting(&mut self, now: Timestamp, currency: CurrencyCode) {
        let mut available: BTreeMap<ParticipantId, u128> = BTreeMap::new();
        let mut blocked = BTreeSet::new();
        for c in self.candidates(currency) {
            if blocked.contains(&c.payer) {
                continue;
            }
            let funds = *available
                .entry(c.payer)
                .or_insert_with(|| self.available_liquidity(c.payer, currency));
            let Some(left) = funds.checked_sub(c.amount) else {
                blocked.insert(c.payer);
                continue;
            };
            let Some(ins) = self.payment_ref(&c.id).map(|p| p.instruction.clone()) else {
                continue;
            };
            match self
                .plan_legs(&ins)
                .and_then(|plans| self.reserve(now, c.id, &plans))
            {
                Ok(legs) => {
                    available.insert(c.payer, left);
                    self.dequeue(c.id);
                    if let Some(expires_at) = self.update(now, c.id, PaymentStatus::Reserved, legs)
                    {
                        self.expiry.insert((expires_at, c.id));
                    }
                }
                Err(_) => {
                    blocked.insert(c.payer);
                }
            }
        }
    }

    /// Gridlock pass: settles at once the greatest FIFO-respecting set of queued payments that
    /// the participants' liquidity covers when offset against each other.
    fn release_gridlock(&mut self, now: Timestamp, currency: CurrencyCode) {
        let candidates = self.candidates(currency);
        if candidates.is_empty() {
            return;
        }
        let mut liquidity = BTreeMap::new();
        for c in &candidates {
            for who in [c.payer, c.payee] {
                liquidity
                    .entry(settlement::ParticipantId(who.0))
                    .or_insert_with(|| self.available_liquidity(who, currency));
            }
        }
        let queued: Vec<settlement::QueuedPayment> = candidates
            .iter()
            .map(|c| settlement::QueuedPayment::new(c.payer.0, c.payee.0, c.amount))
            .collect();
        // An error (a balance overflowing u128) leaves everything queued until it expires.
        let Ok(resolution) = settlement::resolve_gridlock(&liquidity, &queued) else {
            return;
        };
        let chosen: Vec<Candidate> = resolution
            .settle
            .iter()
            .filter_map(|&i| candidates.get(i).copied())
            .collect();
        if !chosen.is_empty() {
            self.settle_offsetting(now, currency, &chosen);
        }
    }

    /// Posts the chosen payments as one linked run through the transit account (all credits,
    /// then all debits) and commits them. A ledger refusal leaves them all queued.
    fn settle_offsetting(&mut self, now: Timestamp, currency: CurrencyCode, chosen: &[Candidate]) {
        let transit = account_id(SCHEME, currency, AccountKind::Transit);
        let liquidity = |who: ParticipantId| account_id(who, currency, AccountKind::Liquidity);
        let Some(count) = chosen
            .len()
            .checked_mul(2)
            .and_then(|n| u128::try_from(n).ok())
        else {
            return;
        };
        let Ok(ids) = self.peek_transfer_ids(count) else {
            return;
        };
        let (credit_ids, debit_ids) = ids.split_at(chosen.len());
        let mut legs = Vec::with_capacity(chosen.len());
        for ((c, &credit), &debit) in chosen.iter().zip(credit_ids).zip(debit_ids) {
            let leg = |transfer, from, to, debit_account, credit_account| Leg {
                transfer,
                currency,
                from,
                to,
                debit: debit_account,
                credit: credit_account,
                amount: c.amount,
                resolution: Some(transfer),
            };
            legs.push([
                leg(debit, c.payer, SCHEME, liquidity(c.payer), transit),
                leg(credit, SCHEME, c.payee, transit, liquidity(c.payee)),
            ]);
        }
        let event = |leg: &Leg, code: u16, id: PaymentId| {
            Event::CreateTransfer(NewTransfer {
                id: leg.transfer,
                debit_account_id: leg.debit,
                credit_account_id: leg.credit,
                amount: leg.amount,
                pending_id: None,
                timeout_ns: 0,
                code,
                user_data: id.as_u128(),
                flags: TransferFlags::NONE,
            })
        };
        let credits = chosen
            .iter()
            .zip(&legs)
            .map(|(c, [_, credit])| event(credit, transfer_code::GRIDLOCK_CREDIT, c.id));
        let debits = chosen
            .iter()
            .zip(&legs)
            .map(|(c, [debit, _])| event(debit, transfer_code::GRIDLOCK_DEBIT, c.id));
        let mut events: Vec<Event> = credits.chain(debits).collect();
        link_all(&mut events);
        if self.ledger_apply(now, &events).is_err() {
            return;
        }
        self.last_transfer = self.last_transfer.saturating_add(count);
        for (c, pair) in chosen.iter().zip(legs) {
            self.dequeue(c.id);
            self.update(now, c.id, PaymentStatus::Committed, pair.to_vec());
        }
    }

    /// Moves a queued payment on (the hub acting by itself), records it and tells the parties;
    /// returns its expiry (`None` if there is no such payment).
    fn update(
        &mut self,
        now: Timestamp,
        id: PaymentId,
        status: PaymentStatus,
        legs: Vec<Leg>,
    ) -> Option<Timestamp> {
        let p = self.payment_mut(&id)?;
        let (kind, reason) = match status {
            PaymentStatus::Reserved => (StepKind::Reserved, None),
            PaymentStatus::Committed => (StepKind::Committed, None),
            _ => (StepKind::Expired, Some(Reason::Timeout)),
        };
        p.legs = legs;
        p.status = status;
        p.reason = reason;
        p.updated_at = now;
        p.history.push(Step {
            at: now,
            by: None,
            kind,
        });
        let expires_at = p.expires_at;
        self.announce(now, id);
        Some(expires_at)
    }

    /// Queue invariants: the indexes match the queued payments, which have no ledger effect;
    /// every enabled queue is a gross currency's with a transit account.
    pub(crate) fn check_queues(&self) -> Result<(), String> {
        let queued = self
            .payments
            .iter()
            .filter(|p| p.status == PaymentStatus::Queued)
            .count();
        let indexed: usize = self.queues.values().map(|q| q.entries.len()).sum();
        if queued != indexed || queued != self.queue_expiry.len() {
            return Err(format!(
                "{queued} queued payments, {indexed} in queues, {} in the queue expiry index",
                self.queue_expiry.len()
            ));
        }
        for (currency, queue) in &self.queues {
            let mut payers: BTreeMap<ParticipantId, u64> = BTreeMap::new();
            for (position, id) in &queue.entries {
                let p = self
                    .payment_ref(id)
                    .ok_or_else(|| format!("queue of {currency} names unknown {id}"))?;
                let ok = p.status == PaymentStatus::Queued
                    && p.instruction.currency == *currency
                    && p.fx.is_none()
                    && p.legs.is_empty()
                    && queue.positions.get(id) == Some(position)
                    && self.queue_expiry.contains(&(p.expires_at, *id));
                if !ok {
                    return Err(format!("queue of {currency} names {id} wrongly"));
                }
                let count = payers.entry(p.instruction.debtor_participant).or_default();
                *count = count.saturating_add(1);
            }
            if queue.entries.is_empty()
                || queue.positions.len() != queue.entries.len()
                || payers != queue.payers
            {
                return Err(format!("queue indexes of {currency} disagree"));
            }
        }
        for currency in &self.queue_enabled {
            let gross = self
                .currencies
                .get(currency)
                .is_some_and(|c| c.model == SettlementModel::Gross);
            let transit = account_id(SCHEME, *currency, AccountKind::Transit);
            if !gross || self.ledger.account(transit).is_none() {
                return Err(format!(
                    "queue of {currency} without a gross transit account"
                ));
            }
        }
        Ok(())
    }

    /// Every transit account is zero, with nothing pending: offsetting runs net out.
    pub(crate) fn check_transits(&self) -> Result<(), String> {
        for currency in self.currencies.keys() {
            let transit = account_id(SCHEME, *currency, AccountKind::Transit);
            if let Some(a) = self.ledger.account(transit)
                && (a.debits_posted != a.credits_posted
                    || a.debits_pending != 0
                    || a.credits_pending != 0)
            {
                return Err(format!("transit account of {currency} is not zero"));
            }
        }
        Ok(())
    }

    /// A payment released by offsetting: exactly payer → transit and transit → payee, each a
    /// posted single-phase transfer of the full amount.
    pub(crate) fn check_offset_legs(&self, p: &Payment) -> Result<(), String> {
        let ins = &p.instruction;
        let transit = account_id(SCHEME, ins.currency, AccountKind::Transit);
        if !p
            .legs
            .iter()
            .any(|l| l.debit == transit || l.credit == transit)
        {
            return Ok(());
        }
        let liquidity = |who| account_id(who, ins.currency, AccountKind::Liquidity);
        // A return of such a payment reverses each leg, so its legs come in the other order.
        let pair = match (p.legs.as_slice(), p.return_of) {
            ([out, into], None) | ([into, out], Some(_)) => Some((out, into)),
            _ => None,
        };
        let shape = match pair {
            Some((out, into)) => {
                out.debit == liquidity(ins.debtor_participant)
                    && out.credit == transit
                    && into.debit == transit
                    && into.credit == liquidity(ins.creditor_participant)
            }
            _ => false,
        };
        let posted = p.legs.iter().all(|l| {
            l.amount == ins.amount
                && l.resolution == Some(l.transfer)
                && self.ledger.transfer(l.transfer).map(|t| t.state) == Some(TransferState::Posted)
        });
        if !shape || !posted {
            return Err("offsetting legs are not payer → transit → payee, posted".into());
        }
        Ok(())
    }
}
