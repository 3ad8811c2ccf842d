//! Builders shared by the table and scenario tests: a fixture of accounts and short
//! constructors so that each test line reads like `transfer T2 A1 A2 15 pending`.

// Each test crate that includes this module uses a different subset of it.
#![allow(dead_code)]

use ledger::{
    AccountFlags, AccountId, Currency, Event, EventResult, Ledger, NewAccount, NewTransfer,
    TransferFlags, TransferId,
};

pub const EUR: Currency = Currency {
    code: *b"EUR",
    exponent: 2,
};
pub const JPY: Currency = Currency {
    code: *b"JPY",
    exponent: 0,
};
pub const MAX: u128 = u128::MAX;

/// Time of the fixture batch; test batches run later, at [`NOW`].
pub const SETUP_TIME: u64 = 1_000;
pub const NOW: u64 = 2_000;

/// An account request: EUR, owner 1, code 1, no flags, no cap.
#[derive(Copy, Clone)]
pub struct A(pub NewAccount);

pub fn acct(id: u128) -> A {
    A(NewAccount {
        id: AccountId(id),
        currency: EUR,
        owner: 1,
        code: 1,
        flags: AccountFlags::NONE,
        net_debit_cap: None,
    })
}

impl A {
    pub fn flags(mut self, flags: AccountFlags) -> Self {
        self.0.flags = flags;
        self
    }
    pub fn currency(mut self, currency: Currency) -> Self {
        self.0.currency = currency;
        self
    }
    pub fn owner(mut self, owner: u128) -> Self {
        self.0.owner = owner;
        self
    }
    pub fn code(mut self, code: u16) -> Self {
        self.0.code = code;
        self
    }
    pub fn cap(mut self, cap: Option<u128>) -> Self {
        self.0.net_debit_cap = cap;
        self
    }
    pub fn linked(self) -> Self {
        let flags = self.0.flags | AccountFlags::LINKED;
        self.flags(flags)
    }
    pub fn ev(self) -> Event {
        Event::CreateAccount(self.0)
    }
}

/// A transfer request: single-phase, code 1, no user data.
#[derive(Copy, Clone)]
pub struct T(pub NewTransfer);

pub fn xfer(id: u128, debit: u128, credit: u128, amount: u128) -> T {
    T(NewTransfer {
        id: TransferId(id),
        debit_account_id: AccountId(debit),
        credit_account_id: AccountId(credit),
        amount,
        pending_id: None,
        timeout_ns: 0,
        code: 1,
        user_data: 0,
        flags: TransferFlags::NONE,
    })
}

/// Post `amount` of pending transfer `pending`, inheriting accounts and code.
pub fn post(id: u128, pending: u128, amount: u128) -> T {
    let t = xfer(id, 0, 0, amount).code(0).pending_id(pending);
    t.flags(TransferFlags::POST_PENDING)
}

/// Void pending transfer `pending`, inheriting accounts, code and amount.
pub fn void(id: u128, pending: u128) -> T {
    let t = xfer(id, 0, 0, 0).code(0).pending_id(pending);
    t.flags(TransferFlags::VOID_PENDING)
}

impl T {
    pub fn flags(mut self, flags: TransferFlags) -> Self {
        self.0.flags = self.0.flags | flags;
        self
    }
    pub fn raw_flags(mut self, flags: u16) -> Self {
        self.0.flags = TransferFlags(flags);
        self
    }
    pub fn pending(self) -> Self {
        self.flags(TransferFlags::PENDING)
    }
    pub fn linked(self) -> Self {
        self.flags(TransferFlags::LINKED)
    }
    pub fn timeout(mut self, timeout_ns: u64) -> Self {
        self.0.timeout_ns = timeout_ns;
        self
    }
    pub fn pending_id(mut self, id: u128) -> Self {
        self.0.pending_id = Some(TransferId(id));
        self
    }
    pub fn code(mut self, code: u16) -> Self {
        self.0.code = code;
        self
    }
    pub fn user(mut self, user_data: u128) -> Self {
        self.0.user_data = user_data;
        self
    }
    pub fn ev(self) -> Event {
        Event::CreateTransfer(self.0)
    }
}

pub fn set_cap(id: u128, cap: Option<u128>) -> Event {
    Event::SetNetDebitCap {
        account_id: AccountId(id),
        net_debit_cap: cap,
    }
}

/// Accounts of the fixture: 1, 2, 7 plain EUR; 3 pre-funded; 4 credits limited by debits;
/// 5 capped at 100; 6 JPY.
pub fn fixture() -> Vec<Event> {
    vec![
        acct(1).ev(),
        acct(2).ev(),
        acct(3)
            .flags(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            .ev(),
        acct(4)
            .flags(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
            .ev(),
        acct(5).cap(Some(100)).ev(),
        acct(6).currency(JPY).ev(),
        acct(7).ev(),
    ]
}

/// A ledger holding the fixture plus `setup`, all applied at [`SETUP_TIME`] and all `Ok`.
pub fn ledger_with(setup: &[Event]) -> Ledger {
    let mut ledger = Ledger::new();
    let mut events = fixture();
    events.extend_from_slice(setup);
    let results = ledger.apply(SETUP_TIME, &events);
    assert!(
        results.iter().all(EventResult::is_ok),
        "setup failed: {results:?}"
    );
    ledger
}

/// An account's totals as `[debits_posted, debits_pending, credits_posted, credits_pending]`.
pub fn totals(ledger: &Ledger, id: u128) -> [u128; 4] {
    let a = ledger.account(AccountId(id)).expect("account exists");
    [
        a.debits_posted,
        a.debits_pending,
        a.credits_posted,
        a.credits_pending,
    ]
}
