//! Table test: one row per result code. Each row starts from the fixture accounts plus its
//! own setup events (applied earlier, all `Ok`), applies one batch at its time, and expects
//! exactly the listed results. A final check makes sure every `EventResult` appears.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod support;

use std::collections::BTreeSet;

use ledger::{AccountFlags, Currency, Event, EventResult, TransferFlags};
use support::*;

use EventResult as R;

struct Row {
    name: &'static str,
    setup: Vec<Event>,
    now: u64,
    batch: Vec<Event>,
    want: Vec<EventResult>,
}

fn row(name: &'static str, setup: &[Event], batch: &[Event], want: &[EventResult]) -> Row {
    Row {
        name,
        setup: setup.to_vec(),
        now: NOW,
        batch: batch.to_vec(),
        want: want.to_vec(),
    }
}

fn one(name: &'static str, setup: &[Event], event: Event, want: EventResult) -> Row {
    row(name, setup, &[event], &[want])
}

const DMNEC: AccountFlags = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS;
const CMNED: AccountFlags = AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS;

#[rustfmt::skip]
fn table() -> Vec<Row> {
    let pending = xfer(1, 1, 2, 10).pending().ev();
    let plain = xfer(1, 1, 2, 10).ev();
    let full = xfer(1, 1, 2, MAX).ev();
    let full_pending = xfer(1, 1, 2, MAX).pending().ev();
    let lowercase = Currency { code: *b"eur", exponent: 2 };
    let precise = Currency { code: *b"EUR", exponent: 5 };
    vec![
        one("transfer", &[], xfer(1, 1, 2, 10).ev(), R::Ok),
        one("account", &[], acct(9).ev(), R::Ok),
        one("cap change", &[], set_cap(5, Some(5)), R::Ok),
        one("same transfer again", &[plain], plain, R::Exists),
        one("same account again", &[], acct(1).ev(), R::Exists),
        row("chain member fails", &[], &[xfer(1, 1, 2, 10).linked().ev(), xfer(2, 3, 1, 5).ev()],
            &[R::LinkedEventFailed, R::ExceedsCredits]),
        row("chain left open", &[], &[xfer(1, 1, 2, 10).linked().ev()], &[R::LinkedEventChainOpen]),
        Row { now: u64::MAX, ..row("clock at the end", &[], &[plain, xfer(2, 1, 2, 1).ev()],
            &[R::TimestampOverflow, R::TimestampOverflow]) },
        one("account flag 8", &[], acct(9).flags(AccountFlags(1 << 8)).ev(), R::ReservedFlag),
        one("transfer flag 9", &[], xfer(1, 1, 2, 1).raw_flags(1 << 9).ev(), R::ReservedFlag),
        one("account id 0", &[], acct(0).ev(), R::IdMustNotBeZero),
        one("transfer id 0", &[], xfer(0, 1, 2, 1).ev(), R::IdMustNotBeZero),
        one("account id max", &[], acct(MAX).ev(), R::IdMustNotBeIntMax),
        one("transfer id max", &[], xfer(MAX, 1, 2, 1).ev(), R::IdMustNotBeIntMax),
        one("both limits", &[], acct(9).flags(DMNEC | CMNED).ev(), R::FlagsAreMutuallyExclusive),
        one("pending and post", &[], xfer(1, 1, 2, 1).pending().flags(TransferFlags::POST_PENDING).ev(),
            R::FlagsAreMutuallyExclusive),
        one("lowercase currency", &[], acct(9).currency(lowercase).ev(), R::InvalidCurrency),
        one("exponent 5", &[], acct(9).currency(precise).ev(), R::InvalidCurrency),
        one("account other flags", &[], acct(1).flags(DMNEC).ev(), R::ExistsWithDifferentFlags),
        one("transfer other flags", &[plain], xfer(1, 1, 2, 10).pending().ev(), R::ExistsWithDifferentFlags),
        one("account other currency", &[], acct(1).currency(JPY).ev(), R::ExistsWithDifferentCurrency),
        one("account other owner", &[], acct(1).owner(2).ev(), R::ExistsWithDifferentOwner),
        one("account other code", &[], acct(1).code(7).ev(), R::ExistsWithDifferentCode),
        one("transfer other code", &[plain], xfer(1, 1, 2, 10).code(7).ev(), R::ExistsWithDifferentCode),
        one("account other cap", &[], acct(5).ev(), R::ExistsWithDifferentNetDebitCap),
        one("transfer other debit", &[plain], xfer(1, 7, 2, 10).ev(), R::ExistsWithDifferentDebitAccountId),
        one("transfer other credit", &[plain], xfer(1, 1, 7, 10).ev(), R::ExistsWithDifferentCreditAccountId),
        one("transfer other amount", &[plain], xfer(1, 1, 2, 11).ev(), R::ExistsWithDifferentAmount),
        one("post of another pending",
            &[pending, xfer(3, 1, 2, 10).pending().ev(), post(2, 1, 10).ev()],
            post(2, 3, 10).ev(), R::ExistsWithDifferentPendingId),
        one("other timeout", &[xfer(1, 1, 2, 10).pending().timeout(50).ev()],
            xfer(1, 1, 2, 10).pending().timeout(60).ev(), R::ExistsWithDifferentTimeout),
        one("other user data", &[plain], xfer(1, 1, 2, 10).user(9).ev(), R::ExistsWithDifferentUserData),
        one("cap of unknown account", &[], set_cap(99, Some(1)), R::AccountNotFound),
        one("plain with pending id", &[], xfer(1, 1, 2, 10).pending_id(5).ev(), R::PendingIdMustBeNone),
        one("post without pending id", &[],
            xfer(2, 0, 0, 10).flags(TransferFlags::POST_PENDING).ev(), R::PendingIdMustBeSet),
        one("post of itself", &[], post(2, 2, 10).ev(), R::PendingIdMustBeDifferent),
        one("timeout on plain", &[], xfer(1, 1, 2, 10).timeout(5).ev(), R::TimeoutReservedForPendingTransfer),
        one("timeout on post", &[pending], post(2, 1, 10).timeout(5).ev(), R::TimeoutReservedForPendingTransfer),
        one("zero amount", &[], xfer(1, 1, 2, 0).ev(), R::AmountMustNotBeZero),
        one("post of zero", &[pending], post(2, 1, 0).ev(), R::AmountMustNotBeZero),
        one("to itself", &[], xfer(1, 1, 1, 10).ev(), R::AccountsMustBeDifferent),
        one("unknown debit", &[], xfer(1, 99, 2, 10).ev(), R::DebitAccountNotFound),
        one("unknown credit", &[], xfer(1, 1, 99, 10).ev(), R::CreditAccountNotFound),
        one("EUR to JPY", &[], xfer(1, 1, 6, 10).ev(), R::CurrencyMismatch),
        one("post of unknown", &[], post(2, 77, 5).ev(), R::PendingTransferNotFound),
        one("post of plain", &[plain], post(2, 1, 5).ev(), R::PendingTransferNotPending),
        one("post from other debit", &[pending],
            post(2, 1, 5).flags(TransferFlags::NONE).ev_with_accounts(5, 0), R::PendingTransferHasDifferentDebitAccountId),
        one("post to other credit", &[pending], post(2, 1, 5).ev_with_accounts(0, 5),
            R::PendingTransferHasDifferentCreditAccountId),
        one("post with other code", &[pending], post(2, 1, 5).code(9).ev(), R::PendingTransferHasDifferentCode),
        one("void of part", &[pending], void(2, 1).amount(4).ev(), R::PendingTransferHasDifferentAmount),
        one("post of more", &[pending], post(2, 1, 11).ev(), R::AmountExceedsPendingAmount),
        one("second post", &[pending, post(2, 1, 5).ev()], post(3, 1, 5).ev(), R::PendingTransferAlreadyPosted),
        one("post after void", &[pending, void(2, 1).ev()], post(3, 1, 5).ev(), R::PendingTransferAlreadyVoided),
        one("post after expiry", &[xfer(1, 1, 2, 10).pending().timeout(10).ev()], post(2, 1, 5).ev(),
            R::PendingTransferExpired),
        row("post when due in the same batch", &[],
            &[xfer(1, 1, 2, 10).pending().timeout(1).ev(), post(2, 1, 10).ev()],
            &[R::Ok, R::PendingTransferExpired]),
        one("timeout past u64", &[], xfer(1, 1, 2, 10).pending().timeout(u64::MAX).ev(), R::OverflowsTimeout),
        one("debits pending past u128", &[full_pending], xfer(2, 1, 7, 1).pending().ev(), R::OverflowsDebitsPending),
        one("credits pending past u128", &[full_pending], xfer(2, 7, 2, 1).pending().ev(), R::OverflowsCreditsPending),
        one("debits posted past u128", &[full], xfer(2, 1, 7, 1).ev(), R::OverflowsDebitsPosted),
        one("credits posted past u128", &[full], xfer(2, 7, 2, 1).ev(), R::OverflowsCreditsPosted),
        one("debits in all past u128", &[full], xfer(2, 1, 7, 1).pending().ev(), R::OverflowsDebits),
        one("credits in all past u128", &[full], xfer(2, 7, 2, 1).pending().ev(), R::OverflowsCredits),
        one("pre-funded, no funds", &[], xfer(1, 3, 1, 1).ev(), R::ExceedsCredits),
        one("credit beyond debits", &[], xfer(1, 1, 4, 1).ev(), R::ExceedsDebits),
        one("debit beyond cap", &[], xfer(1, 5, 1, 101).ev(), R::ExceedsNetDebitCap),
        one("debit up to cap", &[], xfer(1, 5, 1, 100).ev(), R::Ok),
    ]
}

trait Accounts {
    fn ev_with_accounts(self, debit: u128, credit: u128) -> Event;
    fn amount(self, amount: u128) -> Self;
}

impl Accounts for T {
    fn ev_with_accounts(mut self, debit: u128, credit: u128) -> Event {
        self.0.debit_account_id = ledger::AccountId(debit);
        self.0.credit_account_id = ledger::AccountId(credit);
        self.ev()
    }
    fn amount(mut self, amount: u128) -> Self {
        self.0.amount = amount;
        self
    }
}

#[test]
fn every_row_gives_its_results_and_keeps_invariants() {
    for row in table() {
        let mut ledger = ledger_with(&row.setup);
        let before = ledger.clone();
        let got = ledger.apply(row.now, &row.batch);
        assert_eq!(got, row.want, "row {:?}", row.name);
        assert_eq!(ledger.check_invariants(), Ok(()), "row {:?}", row.name);
        if got.iter().all(|r| !r.is_ok()) {
            // A refused batch changes nothing but the clock.
            let mut unchanged = before.clone();
            unchanged.apply(row.now, &[]);
            let same = ledger.accounts().eq(unchanged.accounts())
                && ledger.transfers().eq(unchanged.transfers());
            assert!(same, "row {:?} changed state", row.name);
        }
    }
}

#[test]
fn table_covers_every_result_code() {
    let covered: BTreeSet<_> = table().iter().flat_map(|r| r.want.clone()).collect();
    let missing: Vec<_> = EventResult::ALL
        .iter()
        .filter(|r| !covered.contains(r))
        .collect();
    assert!(missing.is_empty(), "no row for {missing:?}");
}

#[test]
fn codes_are_unique_snake_case() {
    let codes: BTreeSet<_> = EventResult::ALL.iter().map(EventResult::code).collect();
    assert_eq!(codes.len(), EventResult::ALL.len());
    for code in codes {
        let snake = code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        assert!(snake && !code.starts_with('_'), "{code}");
    }
}
