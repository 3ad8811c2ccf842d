//! Transfer events: single-phase and pending transfers, posting and voiding pendings, and
//! expiry of pendings whose timeout has passed.
//!
//! Each handler validates completely before it changes anything, so a rejected event leaves
//! no trace and only the steps of accepted events need undoing when a chain fails.

use crate::event::EventResult;
use crate::ledger::{Balances, Ledger, Undo};
use crate::types::{
    AccountFlags, AccountId, NewTransfer, Timestamp, Transfer, TransferFlags, TransferState,
};

impl Ledger {
    /// Checks run in this order; the first failing one names the result.
    pub(crate) fn create_transfer(
        &mut self,
        new: &NewTransfer,
        timestamp: Timestamp,
        undo: &mut Vec<Undo>,
    ) -> EventResult {
        if new.flags.0 & !TransferFlags::ALL.0 != 0 {
            return EventResult::ReservedFlag;
        }
        if new.id.0 == 0 {
            return EventResult::IdMustNotBeZero;
        }
        if new.id.0 == u128::MAX {
            return EventResult::IdMustNotBeIntMax;
        }
        let kinds = [
            TransferFlags::PENDING,
            TransferFlags::POST_PENDING,
            TransferFlags::VOID_PENDING,
        ];
        if kinds
            .iter()
            .filter(|kind| new.flags.contains(**kind))
            .count()
            > 1
        {
            return EventResult::FlagsAreMutuallyExclusive;
        }
        if let Some(existing) = self.transfer(new.id) {
            return transfer_exists(new, existing);
        }
        if is_post_or_void(new.flags) {
            self.post_or_void(new, timestamp, undo)
        } else {
            self.create_single_or_pending(new, timestamp, undo)
        }
    }

    fn create_single_or_pending(
        &mut self,
        new: &NewTransfer,
        timestamp: Timestamp,
        undo: &mut Vec<Undo>,
    ) -> EventResult {
        let pending = new.flags.contains(TransferFlags::PENDING);
        if new.pending_id.is_some() {
            return EventResult::PendingIdMustBeNone;
        }
        if new.timeout_ns != 0 && !pending {
            return EventResult::TimeoutReservedForPendingTransfer;
        }
        if new.amount == 0 {
            return EventResult::AmountMustNotBeZero;
        }
        if new.debit_account_id == new.credit_account_id {
            return EventResult::AccountsMustBeDifferent;
        }
        // The ids differ (checked just above), so asking for both at once cannot panic.
        let [debit, credit] = self
            .accounts
            .get_disjoint_mut([&new.debit_account_id, &new.credit_account_id]);
        let Some(debit) = debit else {
            return EventResult::DebitAccountNotFound;
        };
        let Some(credit) = credit else {
            return EventResult::CreditAccountNotFound;
        };
        if debit.currency != credit.currency {
            return EventResult::CurrencyMismatch;
        }
        if timestamp.checked_add(new.timeout_ns).is_none() {
            return EventResult::OverflowsTimeout;
        }
        let mut debit_after = Balances::of(debit);
        let mut credit_after = Balances::of(credit);
        if pending {
            let Some(sum) = debit.debits_pending.checked_add(new.amount) else {
                return EventResult::OverflowsDebitsPending;
            };
            debit_after.debits_pending = sum;
            let Some(sum) = credit.credits_pending.checked_add(new.amount) else {
                return EventResult::OverflowsCreditsPending;
            };
            credit_after.credits_pending = sum;
        } else {
            let Some(sum) = debit.debits_posted.checked_add(new.amount) else {
                return EventResult::OverflowsDebitsPosted;
            };
            debit_after.debits_posted = sum;
            let Some(sum) = credit.credits_posted.checked_add(new.amount) else {
                return EventResult::OverflowsCreditsPosted;
            };
            credit_after.credits_posted = sum;
        }
        let Some(debits) = debit_after
            .debits_posted
            .checked_add(debit_after.debits_pending)
        else {
            return EventResult::OverflowsDebits;
        };
        let Some(credits) = credit_after
            .credits_posted
            .checked_add(credit_after.credits_pending)
        else {
            return EventResult::OverflowsCredits;
        };
        if debit
            .flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            && debits > debit.credits_posted
        {
            return EventResult::ExceedsCredits;
        }
        if credit
            .flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
            && credits > credit.debits_posted
        {
            return EventResult::ExceedsDebits;
        }
        // Saturation is exact here: a cap reaching past u128::MAX can never be exceeded.
        if let Some(cap) = debit.net_debit_cap
            && debits > debit.credits_posted.saturating_add(cap)
        {
            return EventResult::ExceedsNetDebitCap;
        }

        undo.push(Undo::Balances(debit.id, Balances::of(debit)));
        debit_after.store(debit);
        undo.push(Undo::Balances(credit.id, Balances::of(credit)));
        credit_after.store(credit);
        let transfer = Transfer {
            id: new.id,
            debit_account_id: new.debit_account_id,
            credit_account_id: new.credit_account_id,
            amount: new.amount,
            pending_id: None,
            timeout_ns: new.timeout_ns,
            code: new.code,
            user_data: new.user_data,
            flags: new.flags,
            timestamp,
            state: if pending {
                TransferState::Pending
            } else {
                TransferState::Posted
            },
        };
        self.push_transfer(transfer);
        undo.push(Undo::TransferCreated(new.id));
        EventResult::Ok
    }

    fn post_or_void(
        &mut self,
        new: &NewTransfer,
        timestamp: Timestamp,
        undo: &mut Vec<Undo>,
    ) -> EventResult {
        let post = new.flags.contains(TransferFlags::POST_PENDING);
        let Some(pending_id) = new.pending_id else {
            return EventResult::PendingIdMustBeSet;
        };
        if pending_id == new.id {
            return EventResult::PendingIdMustBeDifferent;
        }
        if new.timeout_ns != 0 {
            return EventResult::TimeoutReservedForPendingTransfer;
        }
        let Some(pending) = self.transfer(pending_id) else {
            return EventResult::PendingTransferNotFound;
        };
        if !pending.flags.contains(TransferFlags::PENDING) {
            return EventResult::PendingTransferNotPending;
        }
        if new.debit_account_id.0 != 0 && new.debit_account_id != pending.debit_account_id {
            return EventResult::PendingTransferHasDifferentDebitAccountId;
        }
        if new.credit_account_id.0 != 0 && new.credit_account_id != pending.credit_account_id {
            return EventResult::PendingTransferHasDifferentCreditAccountId;
        }
        if new.code != 0 && new.code != pending.code {
            return EventResult::PendingTransferHasDifferentCode;
        }
        if post {
            if new.amount == 0 {
                return EventResult::AmountMustNotBeZero;
            }
            if new.amount > pending.amount {
                return EventResult::AmountExceedsPendingAmount;
            }
        } else if new.amount != 0 && new.amount != pending.amount {
            return EventResult::PendingTransferHasDifferentAmount;
        }
        match pending.state {
            TransferState::Pending => {}
            TransferState::Posted => return EventResult::PendingTransferAlreadyPosted,
            TransferState::Voided => return EventResult::PendingTransferAlreadyVoided,
            TransferState::Expired => return EventResult::PendingTransferExpired,
        }
        // Due but not yet swept: expiry runs at batch start, events later in the batch have
        // later timestamps.
        if pending.expires_at().is_some_and(|at| at <= timestamp) {
            return EventResult::PendingTransferExpired;
        }
        let pending = *pending;
        let amount = if post { new.amount } else { pending.amount };
        let Some((debit_after, credit_after)) = self.release(&pending, post.then_some(amount))
        else {
            // Unreachable while invariants hold: posting never raises a total above what
            // the pending transfer already reserved.
            return EventResult::OverflowsDebitsPosted;
        };

        self.store_balances(pending.debit_account_id, debit_after, undo);
        self.store_balances(pending.credit_account_id, credit_after, undo);
        if let Some(stored) = self.transfer_mut(pending_id) {
            stored.state = if post {
                TransferState::Posted
            } else {
                TransferState::Voided
            };
        }
        if let Some(expires_at) = pending.expires_at() {
            self.expiry.remove(&(expires_at, pending_id));
        }
        undo.push(Undo::PendingResolved(pending_id));
        self.push_transfer(Transfer {
            id: new.id,
            debit_account_id: pending.debit_account_id,
            credit_account_id: pending.credit_account_id,
            amount,
            pending_id: Some(pending_id),
            timeout_ns: 0,
            code: pending.code,
            user_data: new.user_data,
            flags: new.flags,
            timestamp,
            state: if post {
                TransferState::Posted
            } else {
                TransferState::Voided
            },
        });
        undo.push(Undo::TransferCreated(new.id));
        EventResult::Ok
    }

    /// Balances of both accounts once `pending`'s reservation is released and, for a post,
    /// `posted` is moved to the posted totals. `None` only if invariants were broken.
    fn release(&self, pending: &Transfer, posted: Option<u128>) -> Option<(Balances, Balances)> {
        let debit = self.accounts.get(&pending.debit_account_id)?;
        let credit = self.accounts.get(&pending.credit_account_id)?;
        let mut debit_after = Balances::of(debit);
        let mut credit_after = Balances::of(credit);
        debit_after.debits_pending = debit.debits_pending.checked_sub(pending.amount)?;
        credit_after.credits_pending = credit.credits_pending.checked_sub(pending.amount)?;
        if let Some(amount) = posted {
            debit_after.debits_posted = debit.debits_posted.checked_add(amount)?;
            credit_after.credits_posted = credit.credits_posted.checked_add(amount)?;
        }
        Some((debit_after, credit_after))
    }

    fn store_balances(&mut self, id: AccountId, after: Balances, undo: &mut Vec<Undo>) {
        if let Some(before) = self.write_balances(id, after) {
            undo.push(Undo::Balances(id, before));
        }
    }

    /// Writes new totals and returns the old ones.
    fn write_balances(&mut self, id: AccountId, after: Balances) -> Option<Balances> {
        let account = self.accounts.get_mut(&id)?;
        let before = Balances::of(account);
        after.store(account);
        Some(before)
    }

    /// Voids every open pending whose expiry is `<= now`, in `(expires_at, id)` order.
    pub(crate) fn expire_pendings(&mut self, now: Timestamp) {
        while let Some(&(expires_at, id)) = self.expiry.first() {
            if expires_at > now {
                break;
            }
            self.expiry.pop_first();
            let Some(pending) = self.transfer_mut(id) else {
                continue;
            };
            pending.state = TransferState::Expired;
            let pending = *pending;
            if let Some((debit_after, credit_after)) = self.release(&pending, None) {
                // Expiry happens outside any chain, so its steps are never undone.
                self.write_balances(pending.debit_account_id, debit_after);
                self.write_balances(pending.credit_account_id, credit_after);
            }
        }
    }
}

fn is_post_or_void(flags: TransferFlags) -> bool {
    flags.contains(TransferFlags::POST_PENDING) || flags.contains(TransferFlags::VOID_PENDING)
}

/// Compares a re-submitted transfer with the stored one. For post and void, zero accounts,
/// a zero code and (for void) a zero amount mean "inherited" and match what was stored.
/// `LINKED` is ignored: it describes the batch the request came in, not the transfer.
fn transfer_exists(new: &NewTransfer, existing: &Transfer) -> EventResult {
    let inherits = is_post_or_void(new.flags);
    let differs = |given: u128, stored: u128| given != stored && !(inherits && given == 0);
    let void = new.flags.contains(TransferFlags::VOID_PENDING);
    let unlinked = |flags: TransferFlags| flags.0 & !TransferFlags::LINKED.0;
    if unlinked(new.flags) != unlinked(existing.flags) {
        EventResult::ExistsWithDifferentFlags
    } else if new.pending_id != existing.pending_id {
        EventResult::ExistsWithDifferentPendingId
    } else if differs(new.debit_account_id.0, existing.debit_account_id.0) {
        EventResult::ExistsWithDifferentDebitAccountId
    } else if differs(new.credit_account_id.0, existing.credit_account_id.0) {
        EventResult::ExistsWithDifferentCreditAccountId
    } else if new.amount != existing.amount && !(void && new.amount == 0) {
        EventResult::ExistsWithDifferentAmount
    } else if new.user_data != existing.user_data {
        EventResult::ExistsWithDifferentUserData
    } else if new.timeout_ns != existing.timeout_ns {
        EventResult::ExistsWithDifferentTimeout
    } else if differs(u128::from(new.code), u128::from(existing.code)) {
        EventResult::ExistsWithDifferentCode
    } else {
        EventResult::Exists
    }
}
