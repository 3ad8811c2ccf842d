//! The hub's invariants, checked after replay (`kliring verify`), on snapshot restore and in the
//! property tests: the ledger's own, plus the agreement between payments and the ledger.
//!
//! - every participant has a position and a liquidity account per accepted currency, and every
//!   currency a settlement account;
//! - a Held payment has no ledger effect (no legs) and sits in the held index;
//! - a Reserved payment has open pending transfers for all its legs and sits in the expiry index;
//! - a Queued payment has no ledger effect and sits in its currency's queue and the queue
//!   expiry index; the queue indexes agree; every transit account is zero after every batch; a
//!   payment released by offsetting has both legs (payer → transit → payee) posted;
//! - a Committed or Returned payment's legs are posted; a Rejected or Expired one's are voided
//!   (or it never reached the ledger);
//! - a participant with an uncleared sanction is suspended;
//! - false positives are numbered from 1, and a confirmed one was confirmed by another
//!   credential and officer than its proposer; cleared hits name existing false positives;
//! - a Returned payment names a committed return that names it back;
//! - a payment cancelled by its debtor is Rejected and records the cancellation request;
//! - indexes (held, expiry, tokens, per-participant lists, inbox cursors) match the records;
//!   a message's payments exist and have its sender as debtor participant;
//! - a cross-currency payment's quote names it as its user;
//! - per deferred-net currency, each participant's posted position equals the net of the
//!   obligations of the currency's open and closed (unsettled) windows; in a gross currency,
//!   positions never move. So netting figures and the ledger cannot drift apart;
//! - a closed or settled window's report reconciles (settlement's own check) and covers exactly
//!   the window's obligations; a settled window posted one reset per non-zero figure.

use ledger::TransferState;

use std::collections::BTreeMap;

use crate::error::Reason;
use crate::model::{ParticipantId, ParticipantStatus, PaymentStatus, SettlementModel};
use crate::state::{AccountKind, Hub, Leg, Payment, SCHEME, StepKind, account_id};
use crate::window::{Window, WindowStatus};

impl Hub {
    /// Checks every invariant; the message names the first one broken.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.ledger.check_invariants().map_err(|e| e.to_string())?;
        self.check_accounts()?;
        self.check_indexes()?;
        self.check_windows()?;
        self.check_queues()?;
        self.check_transits()?;
        self.check_trade()?;
        for payment in self.payments.iter() {
            self.check_payment(payment)
                .map_err(|e| format!("payment {}: {e}", payment.id()))?;
        }
        for (id, related) in &self.related {
            if self.payment_ref(id).is_none() || related.is_empty() {
                return Err(format!(
                    "related parties of {id}: no such payment, or nothing named"
                ));
            }
        }
        for (id, sanction) in &self.sanctions {
            let suspended =
                self.participant_ref(*id).map(|p| p.status) == Some(ParticipantStatus::Suspended);
            if sanction.cleared_at.is_none() && !suspended {
                return Err(format!("participant {id} is sanctioned but not suspended"));
            }
        }
        for (index, record) in self.false_positives.iter().enumerate() {
            let expected = u64::try_from(index).ok().and_then(|i| i.checked_add(1));
            let confirmed_apart = match (&record.confirmed, record.confirmed_by) {
                (Some(stamp), Some(by)) => {
                    by != record.proposed_by && stamp.officer != record.proposed.officer
                }
                (None, None) => true,
                _ => false,
            };
            if Some(record.id.0) != expected || !confirmed_apart {
                return Err(format!("false positive {} broken", record.id.0));
            }
        }
        for (id, cleared) in &self.cleared_hits {
            let known = cleared
                .iter()
                .all(|c| self.false_positive(c.false_positive).is_some());
            if self.payment_ref(id).is_none() || cleared.is_empty() || !known {
                return Err(format!(
                    "cleared hits of {id} name no payment or false positive"
                ));
            }
        }
        for id in self.hold_credentials.keys() {
            if self.payment_ref(id).and_then(|p| p.hold.as_ref()).is_none() {
                return Err(format!("hold credentials of {id}: no such held payment"));
            }
        }
        Ok(())
    }

    /// The cheap subset for after every batch (linear in accounts and open work, not in
    /// history): ledger balances per currency, index sizes, and the reserved/held indexes.
    pub fn check_batch_invariants(&self) -> Result<(), String> {
        self.ledger.check_balances().map_err(|e| e.to_string())?;
        self.check_transits()?;
        if self.payment_index.len() != self.payments.len() {
            return Err("payment index and payments differ in length".into());
        }
        for (at, id) in &self.expiry {
            let ok = self
                .payment_ref(id)
                .is_some_and(|p| p.status == PaymentStatus::Reserved && p.expires_at == *at);
            if !ok {
                return Err(format!("expiry index names {id}, not reserved at {at}"));
            }
        }
        for id in self.held.values() {
            if self.payment_ref(id).map(|p| p.status) != Some(PaymentStatus::Held) {
                return Err(format!("held index names {id}, not held"));
            }
        }
        Ok(())
    }

    fn check_accounts(&self) -> Result<(), String> {
        for code in self.currencies.keys() {
            let mut owners = vec![(SCHEME, AccountKind::Settlement)];
            for p in &self.participants {
                owners.push((p.id, AccountKind::Position));
                owners.push((p.id, AccountKind::Liquidity));
            }
            for (owner, kind) in owners {
                if self
                    .ledger
                    .account(account_id(owner, *code, kind))
                    .is_none()
                {
                    return Err(format!("missing {kind:?} account of {owner} in {code}"));
                }
            }
        }
        for (index, p) in self.participants.iter().enumerate() {
            let expected = u64::try_from(index).ok().and_then(|i| i.checked_add(1));
            if Some(p.id.0) != expected || self.bics.get(&p.bic) != Some(&p.id) {
                return Err(format!("participant index broken at {}", p.id));
            }
        }
        Ok(())
    }

    fn check_indexes(&self) -> Result<(), String> {
        if self.payment_index.len() != self.payments.len() {
            return Err("payment index and payments differ in length".into());
        }
        for (index, p) in self.payments.iter().enumerate() {
            let seq = u64::try_from(index).ok().and_then(|i| i.checked_add(1));
            if Some(p.seq) != seq || self.payment_index.get(&p.id()) != Some(&p.seq) {
                return Err(format!("payment {} is not at its seq", p.id()));
            }
        }
        let reserved = self.count(PaymentStatus::Reserved);
        if reserved != self.expiry.len() {
            return Err(format!(
                "{reserved} reserved payments but {} in the expiry index",
                self.expiry.len()
            ));
        }
        for (at, id) in &self.expiry {
            let ok = self
                .payment_ref(id)
                .is_some_and(|p| p.status == PaymentStatus::Reserved && p.expires_at == *at);
            if !ok {
                return Err(format!("expiry index names {id}, not reserved at {at}"));
            }
        }
        let held = self.count(PaymentStatus::Held);
        if held != self.held.len() {
            return Err(format!(
                "{held} held payments but {} indexed",
                self.held.len()
            ));
        }
        for (seq, id) in &self.held {
            let ok = self
                .payment_ref(id)
                .is_some_and(|p| p.status == PaymentStatus::Held && p.seq == *seq);
            if !ok {
                return Err(format!("held index names {id}, not held"));
            }
        }
        for (hash, id) in &self.tokens {
            let ok = self
                .credentials
                .iter()
                .any(|c| c.id == *id && c.token_hash == *hash);
            if !ok || self.tokens.len() != self.credentials.len() {
                return Err(format!("token index broken at credential {}", id.0));
            }
        }
        for (participant, seqs) in &self.participant_payments {
            self.check_participant_payments(*participant, seqs)?;
        }
        for (participant, events) in &self.inboxes {
            let ordered = events.iter().enumerate().all(|(i, e)| {
                u64::try_from(i).ok().and_then(|i| i.checked_add(1)) == Some(e.cursor)
            });
            if !ordered {
                return Err(format!("inbox cursors of {participant} not consecutive"));
            }
        }
        for ((msg_id, sender), payments) in &self.messages {
            // A message's payments exist and were sent by its sender as debtor participant.
            let ok = self.participant_ref(*sender).is_some()
                && payments.iter().all(|id| {
                    self.payment_ref(id)
                        .is_some_and(|p| p.instruction.debtor_participant == *sender)
                });
            if !ok {
                return Err(format!(
                    "message {msg_id} of {sender} names a payment wrongly"
                ));
            }
        }
        Ok(())
    }

    fn check_participant_payments(
        &self,
        participant: ParticipantId,
        seqs: &[u64],
    ) -> Result<(), String> {
        if !seqs.windows(2).all(|w| w[0] < w[1]) {
            return Err(format!("payment list of {participant} not increasing"));
        }
        for seq in seqs {
            let ok = self
                .payment_by_seq(*seq)
                .is_some_and(|p| p.involves(participant));
            if !ok {
                return Err(format!(
                    "payment list of {participant} names seq {seq} wrongly"
                ));
            }
        }
        Ok(())
    }

    fn check_windows(&self) -> Result<(), String> {
        for (code, config) in &self.currencies {
            let mut nets: BTreeMap<ParticipantId, i128> = BTreeMap::new();
            let unsettled = self.windows.iter().filter(|w| {
                w.currency == *code && matches!(w.status, WindowStatus::Open | WindowStatus::Closed)
            });
            for window in unsettled {
                for o in &window.obligations {
                    let amount = i128::try_from(o.amount).map_err(|_| "obligation too large")?;
                    let debtor = nets.entry(ParticipantId(o.debtor.0)).or_default();
                    *debtor = debtor.checked_sub(amount).ok_or("net overflow")?;
                    let creditor = nets.entry(ParticipantId(o.creditor.0)).or_default();
                    *creditor = creditor.checked_add(amount).ok_or("net overflow")?;
                }
            }
            let open = self.open_windows.get(code);
            match config.model {
                SettlementModel::DeferredNet if open.is_none() => {
                    return Err(format!("{code} has no open window"));
                }
                SettlementModel::Gross if open.is_some() => {
                    return Err(format!("gross {code} has a window"));
                }
                _ => {}
            }
            for p in &self.participants {
                let position = self
                    .ledger
                    .account(account_id(p.id, *code, AccountKind::Position))
                    .and_then(|a| a.balance())
                    .ok_or_else(|| format!("position of {} in {code} unreadable", p.id))?;
                let expected = nets.get(&p.id).copied().unwrap_or(0);
                if position != expected {
                    return Err(format!(
                        "position of {} in {code} is {position}, unsettled windows say {expected}",
                        p.id
                    ));
                }
            }
        }
        for window in &self.windows {
            self.check_window_report(window)?;
        }
        for p in self.payments.iter() {
            if let Some(fx) = &p.fx
                && p.return_of.is_none()
                && self.quotes.get(&fx.quote).and_then(|q| q.used_by) != Some(p.id())
            {
                return Err(format!(
                    "quote {} does not name payment {}",
                    fx.quote,
                    p.id()
                ));
            }
        }
        Ok(())
    }

    /// A closed or settled window's report reconciles and covers exactly its obligations; a
    /// settled window posted one reset per non-zero figure.
    fn check_window_report(&self, window: &Window) -> Result<(), String> {
        let id = window.id.0;
        match (window.status, &window.report) {
            (WindowStatus::Open, None) | (WindowStatus::Aborted, Some(_)) => Ok(()),
            (WindowStatus::Closed | WindowStatus::Settled, Some(report)) => {
                report
                    .reconcile()
                    .map_err(|e| format!("window {id} report: {}", e.code()))?;
                let count = u64::try_from(window.obligations.len()).ok();
                let sum = window
                    .obligations
                    .iter()
                    .try_fold(0u128, |sum, o| sum.checked_add(o.amount));
                if (count, sum) != (Some(report.obligation_count), Some(report.gross_total)) {
                    return Err(format!("window {id} report does not cover its obligations"));
                }
                let nonzero = report.positions.iter().filter(|p| p.net != 0).count();
                let resets_expected = if window.status == WindowStatus::Settled {
                    nonzero
                } else {
                    0
                };
                if window.resets.len() != resets_expected {
                    return Err(format!("window {id} has {} resets", window.resets.len()));
                }
                Ok(())
            }
            (status, _) => Err(format!("window {id} is {status:?} with a wrong report")),
        }
    }

    fn count(&self, status: PaymentStatus) -> usize {
        self.payments.iter().filter(|p| p.status == status).count()
    }

    fn check_payment(&self, p: &Payment) -> Result<(), String> {
        match p.status {
            PaymentStatus::Held => {
                let undecided = p.hold.as_ref().is_some_and(|h| h.decided.is_none());
                if !p.legs.is_empty() || !undecided {
                    return Err("held payment has a ledger effect or a decision".into());
                }
            }
            PaymentStatus::Reserved => {
                self.check_legs(p, |leg, t| {
                    leg.resolution.is_none() && t == TransferState::Pending
                })?;
            }
            PaymentStatus::Committed | PaymentStatus::Returned => {
                self.check_legs(p, |leg, _| leg.resolution.is_some())?;
                self.check_resolutions(p, TransferState::Posted)?;
                self.check_offset_legs(p)?;
            }
            PaymentStatus::Queued => {
                let undecided = p.hold.as_ref().is_some_and(|h| h.decided.is_none());
                if !p.legs.is_empty() || undecided {
                    return Err("queued payment has a ledger effect or an open hold".into());
                }
            }
            PaymentStatus::Rejected | PaymentStatus::Expired => {
                self.check_legs(p, |leg, t| {
                    leg.resolution.is_some() && t == TransferState::Voided
                })?;
            }
        }
        if p.legs.is_empty()
            && matches!(p.status, PaymentStatus::Committed | PaymentStatus::Returned)
        {
            return Err("committed payment has no legs".into());
        }
        if p.reason == Some(Reason::CancelledByDebtor) {
            let requested = p
                .history
                .iter()
                .any(|s| matches!(s.kind, StepKind::CancellationRequested { .. }));
            if p.status != PaymentStatus::Rejected || !requested {
                return Err("cancelled payment is not rejected on a cancellation request".into());
            }
        }
        if p.status == PaymentStatus::Returned {
            let back = p
                .returned_by
                .and_then(|id| self.payment_ref(&id))
                .ok_or("returned payment has no return")?;
            if back.return_of != Some(p.id()) || back.status != PaymentStatus::Committed {
                return Err("return does not name the returned payment".into());
            }
        }
        Ok(())
    }

    /// Every leg's transfer exists, matches the leg, and satisfies `ok`.
    fn check_legs(
        &self,
        p: &Payment,
        ok: impl Fn(&Leg, TransferState) -> bool,
    ) -> Result<(), String> {
        for leg in &p.legs {
            let t = self
                .ledger
                .transfer(leg.transfer)
                .ok_or_else(|| format!("leg transfer {} missing", leg.transfer.0))?;
            let matches = t.debit_account_id == leg.debit
                && t.credit_account_id == leg.credit
                && t.amount == leg.amount
                && t.user_data == p.id().as_u128();
            if !matches || !ok(leg, t.state) {
                return Err(format!(
                    "leg transfer {} does not match the payment ({:?})",
                    leg.transfer.0, t.state
                ));
            }
        }
        Ok(())
    }

    /// Every resolved leg's record (post, or the single-phase return transfer) is in `state`.
    fn check_resolutions(&self, p: &Payment, state: TransferState) -> Result<(), String> {
        for record in p.legs.iter().filter_map(|l| l.resolution) {
            let found = self.ledger.transfer(record).map(|t| t.state);
            if found != Some(state) {
                return Err(format!("record {} is {found:?}", record.0));
            }
        }
        Ok(())
    }
}
