//! Invariant checks: the properties that must hold after every batch.
//!
//! `check_balances` is cheap (one pass over accounts) and runs as a debug assertion after
//! every batch. `check_invariants` adds one pass over all transfers and is meant for tests,
//! journal verification and snapshot restore.
//!
//! The net debit cap is deliberately not a state invariant: `SetNetDebitCap` may lower a cap
//! below an account's current position. The cap is an admission rule checked on every event
//! that raises a position (single-phase and pending debits), which the property tests verify
//! against a reference model.

use core::fmt;
use std::collections::BTreeMap;

use crate::hash::IdMap;
use crate::ledger::Ledger;
use crate::types::{
    AccountFlags, AccountId, Currency, Timestamp, TransferFlags, TransferId, TransferState,
};

/// The first broken invariant found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(
    missing_docs,
    reason = "each field is the object its variant's doc speaks of"
)]
pub enum InvariantViolation {
    /// Per currency, posted debits must equal posted credits.
    PostedUnbalanced { currency: Currency },
    /// Per currency, pending debits must equal pending credits.
    PendingUnbalanced { currency: Currency },
    /// An index entry differs from the object it points at (id 0: the sizes differ).
    KeyMismatch { id: u128 },
    /// An account's posted + pending debits or credits do not fit a `u128`.
    TotalsOverflow { account: AccountId },
    /// A pre-funded account's debits exceed its posted credits.
    ExceedsCredits { account: AccountId },
    /// A `CREDITS_MUST_NOT_EXCEED_DEBITS` account's credits exceed its posted debits.
    ExceedsDebits { account: AccountId },
    /// An account's pending totals differ from the sum of its open pending transfers.
    PendingTotalsMismatch { account: AccountId },
    /// A transfer names an account that does not exist.
    UnknownAccount { transfer: TransferId },
    /// A transfer's accounts hold different currencies.
    CurrencyMismatch { transfer: TransferId },
    /// A transfer's state does not fit its kind, or a post/void record does not match its
    /// pending transfer.
    InconsistentState { transfer: TransferId },
    /// The expiry index differs from the set of open pendings with a timeout.
    ExpiryIndexMismatch,
    /// Two objects share a timestamp, or one is later than the ledger's last timestamp.
    TimestampOrder { timestamp: Timestamp },
}

impl fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ledger invariant violated: {self:?}")
    }
}

impl std::error::Error for InvariantViolation {}

/// A sum of many `u128` values without overflow (carries counted separately).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct WideSum {
    low: u128,
    carries: u64,
}

impl WideSum {
    fn add(&mut self, value: u128) {
        let (low, carried) = self.low.overflowing_add(value);
        self.low = low;
        self.carries += u64::from(carried);
    }
}

#[derive(Default)]
struct CurrencyTotals {
    debits_posted: WideSum,
    debits_pending: WideSum,
    credits_posted: WideSum,
    credits_pending: WideSum,
}

impl Ledger {
    /// Cheap checks over accounts only: per-currency balance of debits and credits (posted
    /// and pending), totals that fit, and the flag limits of every account.
    pub fn check_balances(&self) -> Result<(), InvariantViolation> {
        let mut totals: BTreeMap<Currency, CurrencyTotals> = BTreeMap::new();
        for (id, account) in &self.accounts {
            if *id != account.id {
                return Err(InvariantViolation::KeyMismatch { id: id.0 });
            }
            let overflow = InvariantViolation::TotalsOverflow { account: *id };
            let debits = account
                .debits_posted
                .checked_add(account.debits_pending)
                .ok_or(overflow.clone())?;
            let credits = account
                .credits_posted
                .checked_add(account.credits_pending)
                .ok_or(overflow)?;
            let flags = account.flags;
            if flags.contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
                && debits > account.credits_posted
            {
                return Err(InvariantViolation::ExceedsCredits { account: *id });
            }
            if flags.contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
                && credits > account.debits_posted
            {
                return Err(InvariantViolation::ExceedsDebits { account: *id });
            }
            let sums = totals.entry(account.currency).or_default();
            sums.debits_posted.add(account.debits_posted);
            sums.debits_pending.add(account.debits_pending);
            sums.credits_posted.add(account.credits_posted);
            sums.credits_pending.add(account.credits_pending);
        }
        for (currency, sums) in totals {
            if sums.debits_posted != sums.credits_posted {
                return Err(InvariantViolation::PostedUnbalanced { currency });
            }
            if sums.debits_pending != sums.credits_pending {
                return Err(InvariantViolation::PendingUnbalanced { currency });
            }
        }
        Ok(())
    }

    /// Every invariant: [`Self::check_balances`], plus pending totals equal to the sum of open
    /// pendings, transfers that reference existing same-currency accounts, states that fit
    /// each transfer's kind, an exact expiry index, and unique timestamps no later than
    /// [`Self::last_timestamp`]. One pass over all accounts and transfers.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        self.check_balances()?;
        let mut open: IdMap<AccountId, (u128, u128)> = IdMap::default();
        let mut expiring = 0usize;
        let mut timestamps: Vec<Timestamp> = self.accounts.values().map(|a| a.timestamp).collect();
        timestamps.reserve(self.transfers.len());
        if self.transfer_index.len() != self.transfers.len() {
            return Err(InvariantViolation::KeyMismatch { id: 0 });
        }
        for (position, transfer) in self.transfers.iter().enumerate() {
            let id = &transfer.id;
            if self.transfer_index.get(id) != Some(&position) {
                return Err(InvariantViolation::KeyMismatch { id: id.0 });
            }
            timestamps.push(transfer.timestamp);
            let debit = self.accounts.get(&transfer.debit_account_id);
            let credit = self.accounts.get(&transfer.credit_account_id);
            let (Some(debit), Some(credit)) = (debit, credit) else {
                return Err(InvariantViolation::UnknownAccount { transfer: *id });
            };
            if debit.currency != credit.currency {
                return Err(InvariantViolation::CurrencyMismatch { transfer: *id });
            }
            self.check_state(transfer)?;
            if transfer.state == TransferState::Pending {
                let mismatch = InvariantViolation::PendingTotalsMismatch { account: debit.id };
                let entry = open.entry(debit.id).or_default();
                entry.0 = entry.0.checked_add(transfer.amount).ok_or(mismatch)?;
                let mismatch = InvariantViolation::PendingTotalsMismatch { account: credit.id };
                let entry = open.entry(credit.id).or_default();
                entry.1 = entry.1.checked_add(transfer.amount).ok_or(mismatch)?;
                if let Some(expires_at) = transfer.expires_at() {
                    expiring += 1;
                    if !self.expiry.contains(&(expires_at, *id)) {
                        return Err(InvariantViolation::ExpiryIndexMismatch);
                    }
                }
            }
        }
        if expiring != self.expiry.len() {
            return Err(InvariantViolation::ExpiryIndexMismatch);
        }
        for account in self.accounts.values() {
            let (debits, credits) = open.get(&account.id).copied().unwrap_or_default();
            if debits != account.debits_pending || credits != account.credits_pending {
                return Err(InvariantViolation::PendingTotalsMismatch {
                    account: account.id,
                });
            }
        }
        timestamps.sort_unstable();
        for pair in timestamps.windows(2) {
            if pair[0] == pair[1] {
                return Err(InvariantViolation::TimestampOrder { timestamp: pair[0] });
            }
        }
        if let Some(&latest) = timestamps.last()
            && latest > self.last_timestamp
        {
            return Err(InvariantViolation::TimestampOrder { timestamp: latest });
        }
        Ok(())
    }

    /// A transfer's state must fit its kind; a post or void record must point at a pending
    /// transfer resolved the same way, on the same accounts, for no more than it reserved.
    fn check_state(&self, transfer: &crate::Transfer) -> Result<(), InvariantViolation> {
        let broken = InvariantViolation::InconsistentState {
            transfer: transfer.id,
        };
        let flags = transfer.flags;
        let resolution = if flags.contains(TransferFlags::POST_PENDING) {
            Some(TransferState::Posted)
        } else if flags.contains(TransferFlags::VOID_PENDING) {
            Some(TransferState::Voided)
        } else {
            None
        };
        match resolution {
            Some(state) => {
                let pending = transfer
                    .pending_id
                    .and_then(|id| self.transfer(id))
                    .ok_or(broken.clone())?;
                let fits = transfer.state == state
                    && pending.state == state
                    && pending.flags.contains(TransferFlags::PENDING)
                    && pending.debit_account_id == transfer.debit_account_id
                    && pending.credit_account_id == transfer.credit_account_id
                    && transfer.amount <= pending.amount;
                if fits { Ok(()) } else { Err(broken) }
            }
            None if flags.contains(TransferFlags::PENDING) => {
                if transfer.pending_id.is_none() {
                    Ok(())
                } else {
                    Err(broken)
                }
            }
            None => {
                if transfer.state == TransferState::Posted && transfer.pending_id.is_none() {
                    Ok(())
                } else {
                    Err(broken)
                }
            }
        }
    }
}
