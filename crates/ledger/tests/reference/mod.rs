//! A naive reference ledger: linear searches, whole-state clones for chain rollback, a full
//! scan for expiry. Slow on purpose and written straight from the documented rules, so the
//! property test can compare the real ledger against something obviously correct.

use ledger::{
    Account, AccountFlags, AccountId, Event, EventResult, NewAccount, NewTransfer, Timestamp,
    Transfer, TransferFlags, TransferId, TransferState,
};

#[derive(Clone, Default)]
pub struct Reference {
    pub accounts: Vec<Account>,
    pub transfers: Vec<Transfer>,
    last: Timestamp,
}

type R = EventResult;

impl Reference {
    pub fn apply(&mut self, now: Timestamp, events: &[Event]) -> Vec<EventResult> {
        let Some(base) = self.last.checked_add(1).map(|next| now.max(next)) else {
            return vec![R::TimestampOverflow; events.len()];
        };
        let span = u64::try_from(events.len().saturating_sub(1)).expect("small batch");
        let Some(last) = base.checked_add(span) else {
            return vec![R::TimestampOverflow; events.len()];
        };
        self.last = last;
        self.expire(base);

        let mut results = Vec::new();
        let mut start = 0;
        while start < events.len() {
            // A chain: linked events up to and including the first unlinked one.
            let mut end = start;
            while end + 1 < events.len() && events[end].is_linked() {
                end += 1;
            }
            let open = events[end].is_linked();
            let saved = self.clone();
            let mut group = vec![R::LinkedEventFailed; end - start + 1];
            for (offset, event) in events[start..=end].iter().enumerate() {
                let index = start + offset;
                let result = if open && index == end {
                    R::LinkedEventChainOpen
                } else {
                    self.apply_one(event, base + u64::try_from(index).expect("small batch"))
                };
                group[offset] = result;
                let chained = end > start;
                if chained && !matches!(result, R::Ok | R::Exists) {
                    *self = saved;
                    for (other, slot) in group.iter_mut().enumerate() {
                        if other != offset {
                            *slot = R::LinkedEventFailed;
                        }
                    }
                    if open {
                        group[end - start] = R::LinkedEventChainOpen;
                    }
                    break;
                }
            }
            results.extend(group);
            start = end + 1;
        }
        results
    }

    fn expire(&mut self, now: Timestamp) {
        let mut due: Vec<(Timestamp, TransferId)> = self
            .transfers
            .iter()
            .filter(|t| t.state == TransferState::Pending && t.timeout_ns > 0)
            .map(|t| (t.timestamp + t.timeout_ns, t.id))
            .filter(|(at, _)| *at <= now)
            .collect();
        due.sort();
        for (_, id) in due {
            let t = self.transfer_mut(id);
            t.state = TransferState::Expired;
            let t = *t;
            self.account_mut(t.debit_account_id).debits_pending -= t.amount;
            self.account_mut(t.credit_account_id).credits_pending -= t.amount;
        }
    }

    fn apply_one(&mut self, event: &Event, timestamp: Timestamp) -> EventResult {
        match event {
            Event::CreateAccount(a) => self.create_account(a, timestamp),
            Event::CreateTransfer(t) => self.create_transfer(t, timestamp),
            Event::SetNetDebitCap {
                account_id,
                net_debit_cap,
            } => match self.accounts.iter_mut().find(|a| a.id == *account_id) {
                None => R::AccountNotFound,
                Some(a) => {
                    a.net_debit_cap = *net_debit_cap;
                    R::Ok
                }
            },
        }
    }

    fn create_account(&mut self, a: &NewAccount, timestamp: Timestamp) -> EventResult {
        let both = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS.0
            | AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS.0;
        let code_ok = a.currency.code.iter().all(|c| c.is_ascii_uppercase());
        if a.flags.0 > 0b111 {
            return R::ReservedFlag;
        }
        if a.id.0 == 0 {
            return R::IdMustNotBeZero;
        }
        if a.id.0 == u128::MAX {
            return R::IdMustNotBeIntMax;
        }
        if a.flags.0 & both == both {
            return R::FlagsAreMutuallyExclusive;
        }
        if !code_ok || a.currency.exponent > 4 {
            return R::InvalidCurrency;
        }
        if let Some(e) = self.accounts.iter().find(|e| e.id == a.id) {
            return if (a.flags.0 | 1) != (e.flags.0 | 1) {
                R::ExistsWithDifferentFlags
            } else if a.currency != e.currency {
                R::ExistsWithDifferentCurrency
            } else if a.owner != e.owner {
                R::ExistsWithDifferentOwner
            } else if a.code != e.code {
                R::ExistsWithDifferentCode
            } else if a.net_debit_cap != e.net_debit_cap {
                R::ExistsWithDifferentNetDebitCap
            } else {
                R::Exists
            };
        }
        self.accounts.push(Account {
            id: a.id,
            currency: a.currency,
            owner: a.owner,
            code: a.code,
            flags: a.flags,
            net_debit_cap: a.net_debit_cap,
            debits_posted: 0,
            debits_pending: 0,
            credits_posted: 0,
            credits_pending: 0,
            timestamp,
        });
        R::Ok
    }

    fn create_transfer(&mut self, t: &NewTransfer, timestamp: Timestamp) -> EventResult {
        let pending = t.flags.0 & TransferFlags::PENDING.0 != 0;
        let post = t.flags.0 & TransferFlags::POST_PENDING.0 != 0;
        let void = t.flags.0 & TransferFlags::VOID_PENDING.0 != 0;
        if t.flags.0 > 0b1111 {
            return R::ReservedFlag;
        }
        if t.id.0 == 0 {
            return R::IdMustNotBeZero;
        }
        if t.id.0 == u128::MAX {
            return R::IdMustNotBeIntMax;
        }
        if u8::from(pending) + u8::from(post) + u8::from(void) > 1 {
            return R::FlagsAreMutuallyExclusive;
        }
        if let Some(e) = self.transfers.iter().find(|e| e.id == t.id) {
            return exists(t, e, post || void, void);
        }
        if post || void {
            self.post_or_void(t, timestamp, post)
        } else {
            self.single_or_pending(t, timestamp, pending)
        }
    }

    fn single_or_pending(&mut self, t: &NewTransfer, ts: Timestamp, pending: bool) -> R {
        if t.pending_id.is_some() {
            return R::PendingIdMustBeNone;
        }
        if t.timeout_ns != 0 && !pending {
            return R::TimeoutReservedForPendingTransfer;
        }
        if t.amount == 0 {
            return R::AmountMustNotBeZero;
        }
        if t.debit_account_id == t.credit_account_id {
            return R::AccountsMustBeDifferent;
        }
        let Some(dr) = self.account(t.debit_account_id) else {
            return R::DebitAccountNotFound;
        };
        let Some(cr) = self.account(t.credit_account_id) else {
            return R::CreditAccountNotFound;
        };
        if dr.currency != cr.currency {
            return R::CurrencyMismatch;
        }
        if ts.checked_add(t.timeout_ns).is_none() {
            return R::OverflowsTimeout;
        }
        let amount = t.amount;
        if pending {
            if dr.debits_pending.checked_add(amount).is_none() {
                return R::OverflowsDebitsPending;
            }
            if cr.credits_pending.checked_add(amount).is_none() {
                return R::OverflowsCreditsPending;
            }
        } else {
            if dr.debits_posted.checked_add(amount).is_none() {
                return R::OverflowsDebitsPosted;
            }
            if cr.credits_posted.checked_add(amount).is_none() {
                return R::OverflowsCreditsPosted;
            }
        }
        let Some(debits) = dr
            .debits_posted
            .checked_add(dr.debits_pending)
            .and_then(|d| d.checked_add(amount))
        else {
            return R::OverflowsDebits;
        };
        let Some(credits) = cr
            .credits_posted
            .checked_add(cr.credits_pending)
            .and_then(|c| c.checked_add(amount))
        else {
            return R::OverflowsCredits;
        };
        if dr.flags.0 & AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS.0 != 0
            && debits > dr.credits_posted
        {
            return R::ExceedsCredits;
        }
        if cr.flags.0 & AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS.0 != 0
            && credits > cr.debits_posted
        {
            return R::ExceedsDebits;
        }
        if let Some(cap) = dr.net_debit_cap
            && debits > dr.credits_posted
            && debits - dr.credits_posted > cap
        {
            return R::ExceedsNetDebitCap;
        }
        let dr = self.account_mut(t.debit_account_id);
        if pending {
            dr.debits_pending += amount;
        } else {
            dr.debits_posted += amount;
        }
        let cr = self.account_mut(t.credit_account_id);
        if pending {
            cr.credits_pending += amount;
        } else {
            cr.credits_posted += amount;
        }
        self.transfers.push(Transfer {
            id: t.id,
            debit_account_id: t.debit_account_id,
            credit_account_id: t.credit_account_id,
            amount,
            pending_id: None,
            timeout_ns: t.timeout_ns,
            code: t.code,
            user_data: t.user_data,
            flags: t.flags,
            timestamp: ts,
            state: if pending {
                TransferState::Pending
            } else {
                TransferState::Posted
            },
        });
        R::Ok
    }

    fn post_or_void(&mut self, t: &NewTransfer, ts: Timestamp, post: bool) -> R {
        let Some(pid) = t.pending_id else {
            return R::PendingIdMustBeSet;
        };
        if pid == t.id {
            return R::PendingIdMustBeDifferent;
        }
        if t.timeout_ns != 0 {
            return R::TimeoutReservedForPendingTransfer;
        }
        let Some(p) = self.transfers.iter().find(|p| p.id == pid).copied() else {
            return R::PendingTransferNotFound;
        };
        if p.flags.0 & TransferFlags::PENDING.0 == 0 {
            return R::PendingTransferNotPending;
        }
        if t.debit_account_id.0 != 0 && t.debit_account_id != p.debit_account_id {
            return R::PendingTransferHasDifferentDebitAccountId;
        }
        if t.credit_account_id.0 != 0 && t.credit_account_id != p.credit_account_id {
            return R::PendingTransferHasDifferentCreditAccountId;
        }
        if t.code != 0 && t.code != p.code {
            return R::PendingTransferHasDifferentCode;
        }
        if post && t.amount == 0 {
            return R::AmountMustNotBeZero;
        }
        if post && t.amount > p.amount {
            return R::AmountExceedsPendingAmount;
        }
        if !post && t.amount != 0 && t.amount != p.amount {
            return R::PendingTransferHasDifferentAmount;
        }
        match p.state {
            TransferState::Posted => return R::PendingTransferAlreadyPosted,
            TransferState::Voided => return R::PendingTransferAlreadyVoided,
            TransferState::Expired => return R::PendingTransferExpired,
            TransferState::Pending => {}
        }
        if p.timeout_ns != 0 && p.timestamp + p.timeout_ns <= ts {
            return R::PendingTransferExpired;
        }
        let amount = if post { t.amount } else { p.amount };
        let state = if post {
            TransferState::Posted
        } else {
            TransferState::Voided
        };
        let dr = self.account_mut(p.debit_account_id);
        dr.debits_pending -= p.amount;
        if post {
            dr.debits_posted += amount;
        }
        let cr = self.account_mut(p.credit_account_id);
        cr.credits_pending -= p.amount;
        if post {
            cr.credits_posted += amount;
        }
        self.transfer_mut(pid).state = state;
        self.transfers.push(Transfer {
            id: t.id,
            debit_account_id: p.debit_account_id,
            credit_account_id: p.credit_account_id,
            amount,
            pending_id: Some(pid),
            timeout_ns: 0,
            code: p.code,
            user_data: t.user_data,
            flags: t.flags,
            timestamp: ts,
            state,
        });
        R::Ok
    }

    fn account(&self, id: AccountId) -> Option<Account> {
        self.accounts.iter().find(|a| a.id == id).copied()
    }

    fn account_mut(&mut self, id: AccountId) -> &mut Account {
        self.accounts
            .iter_mut()
            .find(|a| a.id == id)
            .expect("account exists")
    }

    fn transfer_mut(&mut self, id: TransferId) -> &mut Transfer {
        self.transfers
            .iter_mut()
            .find(|t| t.id == id)
            .expect("transfer exists")
    }

    pub fn sorted_accounts(&self) -> Vec<Account> {
        let mut accounts = self.accounts.clone();
        accounts.sort_by_key(|a| a.id);
        accounts
    }

    pub fn sorted_transfers(&self) -> Vec<Transfer> {
        let mut transfers = self.transfers.clone();
        transfers.sort_by_key(|t| t.id);
        transfers
    }
}

/// The documented idempotency comparison; zero fields of a post/void match anything, and
/// the linked bit (bit 0) never counts.
fn exists(t: &NewTransfer, e: &Transfer, inherits: bool, void: bool) -> EventResult {
    let wild = |given: u128| inherits && given == 0;
    if (t.flags.0 | 1) != (e.flags.0 | 1) {
        R::ExistsWithDifferentFlags
    } else if t.pending_id != e.pending_id {
        R::ExistsWithDifferentPendingId
    } else if t.debit_account_id != e.debit_account_id && !wild(t.debit_account_id.0) {
        R::ExistsWithDifferentDebitAccountId
    } else if t.credit_account_id != e.credit_account_id && !wild(t.credit_account_id.0) {
        R::ExistsWithDifferentCreditAccountId
    } else if t.amount != e.amount && !(void && t.amount == 0) {
        R::ExistsWithDifferentAmount
    } else if t.user_data != e.user_data {
        R::ExistsWithDifferentUserData
    } else if t.timeout_ns != e.timeout_ns {
        R::ExistsWithDifferentTimeout
    } else if t.code != e.code && !wild(u128::from(t.code)) {
        R::ExistsWithDifferentCode
    } else {
        R::Exists
    }
}
