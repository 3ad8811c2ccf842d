//! Account events: creating an account and changing its net debit cap.

use crate::event::EventResult;
use crate::ledger::{Ledger, Undo};
use crate::types::{Account, AccountFlags, AccountId, NewAccount, Timestamp};

impl Ledger {
    /// Checks run in this order; the first failing one names the result.
    pub(crate) fn create_account(
        &mut self,
        new: &NewAccount,
        timestamp: Timestamp,
        undo: &mut Vec<Undo>,
    ) -> EventResult {
        if new.flags.0 & !AccountFlags::ALL.0 != 0 {
            return EventResult::ReservedFlag;
        }
        if new.id.0 == 0 {
            return EventResult::IdMustNotBeZero;
        }
        if new.id.0 == u128::MAX {
            return EventResult::IdMustNotBeIntMax;
        }
        if new.flags.contains(
            AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
                | AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
        ) {
            return EventResult::FlagsAreMutuallyExclusive;
        }
        if new.currency.validate().is_err() {
            return EventResult::InvalidCurrency;
        }
        if let Some(existing) = self.accounts.get(&new.id) {
            return account_exists(new, existing);
        }
        self.accounts.insert(
            new.id,
            Account {
                id: new.id,
                currency: new.currency,
                owner: new.owner,
                code: new.code,
                flags: new.flags,
                net_debit_cap: new.net_debit_cap,
                debits_posted: 0,
                debits_pending: 0,
                credits_posted: 0,
                credits_pending: 0,
                timestamp,
            },
        );
        undo.push(Undo::AccountCreated(new.id));
        EventResult::Ok
    }

    /// Lowering the cap below the current position is allowed (an operator must be able to
    /// tighten risk at once); it only refuses new debits until the position is back under it.
    pub(crate) fn set_net_debit_cap(
        &mut self,
        id: AccountId,
        cap: Option<u128>,
        undo: &mut Vec<Undo>,
    ) -> EventResult {
        let Some(account) = self.accounts.get_mut(&id) else {
            return EventResult::AccountNotFound;
        };
        undo.push(Undo::NetDebitCap(id, account.net_debit_cap));
        account.net_debit_cap = cap;
        EventResult::Ok
    }
}

/// Compares a re-submitted account with the stored one. `LINKED` is ignored: it describes the
/// batch the request came in, not the account. The cap is compared with its current value, so
/// a re-submission after `SetNetDebitCap` changed it reports the difference.
fn account_exists(new: &NewAccount, existing: &Account) -> EventResult {
    let unlinked = |flags: AccountFlags| flags.0 & !AccountFlags::LINKED.0;
    if unlinked(new.flags) != unlinked(existing.flags) {
        EventResult::ExistsWithDifferentFlags
    } else if new.currency != existing.currency {
        EventResult::ExistsWithDifferentCurrency
    } else if new.owner != existing.owner {
        EventResult::ExistsWithDifferentOwner
    } else if new.code != existing.code {
        EventResult::ExistsWithDifferentCode
    } else if new.net_debit_cap != existing.net_debit_cap {
        EventResult::ExistsWithDifferentNetDebitCap
    } else {
        EventResult::Exists
    }
}
