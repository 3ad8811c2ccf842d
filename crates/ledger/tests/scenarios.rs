//! Scenario tests: two-phase flows, limits over several steps, linked-chain rollback, expiry,
//! the timestamp rule, snapshots, and the small value types.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod support;

use ledger::{
    Account, AccountFlags, AccountId, Currency, CurrencyError, EventResult, Ledger, Timestamp,
    Transfer, TransferId, TransferState,
};
use serde::Serialize;
use support::*;

use EventResult as R;

fn state(ledger: &Ledger, id: u128) -> TransferState {
    ledger
        .transfer(TransferId(id))
        .expect("transfer exists")
        .state
}

#[test]
fn partial_post_moves_part_and_releases_the_rest() {
    let mut ledger = ledger_with(&[xfer(1, 1, 2, 100).pending().ev()]);
    assert_eq!(totals(&ledger, 1), [0, 100, 0, 0]);
    assert_eq!(ledger.apply(NOW, &[post(2, 1, 30).ev()]), [R::Ok]);
    assert_eq!(totals(&ledger, 1), [30, 0, 0, 0]);
    assert_eq!(totals(&ledger, 2), [0, 0, 30, 0]);
    assert_eq!(state(&ledger, 1), TransferState::Posted);
    let record = ledger.transfer(TransferId(2)).expect("post record");
    assert_eq!(
        (record.amount, record.debit_account_id, record.code),
        (30, AccountId(1), 1)
    );
    assert_eq!(ledger.check_invariants(), Ok(()));
}

#[test]
fn void_releases_everything() {
    let mut ledger = ledger_with(&[xfer(1, 1, 2, 100).pending().ev()]);
    assert_eq!(ledger.apply(NOW, &[void(2, 1).ev()]), [R::Ok]);
    assert_eq!(totals(&ledger, 1), [0; 4]);
    assert_eq!(totals(&ledger, 2), [0; 4]);
    assert_eq!(state(&ledger, 1), TransferState::Voided);
    assert_eq!(ledger.transfer(TransferId(2)).map(|t| t.amount), Some(100));
}

#[test]
fn prefunded_account_counts_its_reservations() {
    let mut ledger = ledger_with(&[xfer(1, 1, 3, 100).ev()]);
    let batch = [
        xfer(2, 3, 1, 60).pending().ev(),
        xfer(3, 3, 1, 50).pending().ev(),
        xfer(4, 3, 1, 40).ev(),
    ];
    assert_eq!(ledger.apply(NOW, &batch), [R::Ok, R::ExceedsCredits, R::Ok]);
    assert_eq!(
        ledger.account(AccountId(3)).and_then(Account::available),
        Some(0)
    );
}

#[test]
fn net_debit_cap_counts_reservations_and_credits() {
    let mut ledger = ledger_with(&[]);
    let batch = [
        xfer(1, 5, 1, 100).pending().ev(),
        xfer(2, 5, 1, 1).ev(),
        xfer(3, 1, 5, 50).ev(),
        xfer(4, 5, 1, 50).ev(),
        xfer(5, 5, 1, 1).ev(),
    ];
    let want = [
        R::Ok,
        R::ExceedsNetDebitCap,
        R::Ok,
        R::Ok,
        R::ExceedsNetDebitCap,
    ];
    assert_eq!(ledger.apply(NOW, &batch), want);
    assert_eq!(
        ledger
            .account(AccountId(5))
            .and_then(Account::net_debit_position),
        Some(100)
    );
}

#[test]
fn lowering_cap_below_position_only_refuses_new_debits() {
    let mut ledger = ledger_with(&[xfer(1, 5, 1, 80).ev(), xfer(2, 5, 1, 10).pending().ev()]);
    let batch = [
        set_cap(5, Some(50)),
        xfer(3, 5, 1, 1).ev(),
        post(4, 2, 10).ev(),
        xfer(5, 1, 5, 60).ev(),
        xfer(6, 5, 1, 20).ev(),
        xfer(7, 5, 1, 1).ev(),
    ];
    let want = [
        R::Ok,
        R::ExceedsNetDebitCap,
        R::Ok,
        R::Ok,
        R::Ok,
        R::ExceedsNetDebitCap,
    ];
    assert_eq!(ledger.apply(NOW, &batch), want);
    assert_eq!(ledger.check_invariants(), Ok(()));
}

#[test]
fn failed_chain_leaves_no_trace() {
    let mut ledger = ledger_with(&[xfer(1, 1, 2, 50).pending().timeout(500).ev()]);
    let before = ledger.clone();
    let soon = SETUP_TIME + 100;
    let batch = [
        acct(9).linked().ev(),
        xfer(2, 1, 9, 10).linked().ev(),
        post(3, 1, 50).linked().ev(),
        xfer(4, 3, 1, 5).ev(),
    ];
    let want = [
        R::LinkedEventFailed,
        R::LinkedEventFailed,
        R::LinkedEventFailed,
        R::ExceedsCredits,
    ];
    assert_eq!(ledger.apply(soon, &batch), want);
    for id in [2, 3, 4] {
        assert_eq!(ledger.transfer(TransferId(id)), None);
    }
    assert_eq!(ledger.account(AccountId(9)), None);
    assert_eq!(state(&ledger, 1), TransferState::Pending);
    assert!(ledger.accounts().eq(before.accounts()));
    // The rolled-back post must also have restored the pending's place in the expiry index.
    assert_eq!(ledger.expiring_pending_count(), 1);
    let expires = ledger
        .transfer(TransferId(1))
        .and_then(Transfer::expires_at);
    ledger.apply(expires.expect("has a timeout"), &[]);
    assert_eq!(state(&ledger, 1), TransferState::Expired);
    assert_eq!(ledger.check_invariants(), Ok(()));
}

#[test]
fn chain_may_end_with_a_cap_change() {
    let mut ledger = ledger_with(&[]);
    let batch = [
        acct(9).linked().ev(),
        xfer(2, 1, 9, 10).linked().ev(),
        set_cap(1, Some(0)),
    ];
    assert_eq!(ledger.apply(NOW, &batch), [R::Ok; 3]);
    let batch = [xfer(3, 9, 1, 10).linked().ev(), set_cap(99, None)];
    let want = [R::LinkedEventFailed, R::AccountNotFound];
    assert_eq!(ledger.apply(NOW, &batch), want);
    assert_eq!(totals(&ledger, 9), [0, 0, 10, 0]);
}

#[test]
fn chain_members_after_the_failure_are_skipped() {
    let mut ledger = ledger_with(&[]);
    let batch = [
        xfer(1, 1, 2, 10).linked().ev(),
        xfer(2, 3, 1, 10).linked().ev(),
        xfer(3, 1, 2, 10).ev(),
        xfer(4, 1, 2, 10).ev(),
    ];
    let want = [
        R::LinkedEventFailed,
        R::ExceedsCredits,
        R::LinkedEventFailed,
        R::Ok,
    ];
    assert_eq!(ledger.apply(NOW, &batch), want);
    assert_eq!(ledger.transfer_count(), 1);
}

#[test]
fn retried_chain_answers_exists_everywhere() {
    let chain = [
        xfer(1, 1, 2, 10).pending().linked().ev(),
        xfer(2, 7, 2, 10).pending().ev(),
    ];
    let mut ledger = ledger_with(&chain);
    assert_eq!(ledger.apply(NOW, &chain), [R::Exists, R::Exists]);
    assert_eq!(totals(&ledger, 2), [0, 0, 0, 20]);
}

#[test]
fn resubmission_in_another_chain_shape_still_exists() {
    let mut ledger = ledger_with(&[acct(9).linked().ev(), xfer(1, 1, 9, 10).ev()]);
    let batch = [
        acct(9).ev(),
        xfer(1, 1, 9, 10).linked().ev(),
        xfer(2, 1, 9, 5).ev(),
    ];
    assert_eq!(ledger.apply(NOW, &batch), [R::Exists, R::Exists, R::Ok]);
}

#[test]
fn expiry_releases_due_pendings_only() {
    let mut ledger = ledger_with(&[
        xfer(1, 1, 2, 10).pending().timeout(100).ev(),
        xfer(2, 1, 2, 20).pending().timeout(300).ev(),
        xfer(3, 1, 2, 40).pending().ev(),
    ]);
    let created = ledger.transfer(TransferId(1)).map(|t| t.timestamp);
    let expires = created.map(|t| t + 100);
    assert_eq!(
        ledger
            .transfer(TransferId(1))
            .and_then(Transfer::expires_at),
        expires
    );
    ledger.apply(SETUP_TIME + 200, &[]);
    assert_eq!(state(&ledger, 1), TransferState::Expired);
    assert_eq!(state(&ledger, 2), TransferState::Pending);
    assert_eq!(totals(&ledger, 1), [0, 60, 0, 0]);
    assert_eq!(
        ledger.apply(SETUP_TIME + 250, &[void(4, 1).ev()]),
        [R::PendingTransferExpired]
    );
    ledger.apply(SETUP_TIME + 10_000, &[]);
    assert_eq!(state(&ledger, 2), TransferState::Expired);
    assert_eq!(state(&ledger, 3), TransferState::Pending);
    assert_eq!(totals(&ledger, 1), [0, 40, 0, 0]);
    assert_eq!(ledger.check_invariants(), Ok(()));
}

#[test]
fn timestamps_are_unique_and_never_go_back() {
    let mut ledger = Ledger::new();
    ledger.apply(1_000, &[acct(1).ev(), acct(2).ev()]);
    ledger.apply(1_000, &[xfer(1, 1, 2, 5).ev()]);
    ledger.apply(10, &[xfer(2, 1, 2, 5).ev()]);
    ledger.apply(5_000, &[xfer(3, 1, 2, 5).ev()]);
    let stamp = |id| ledger.transfer(TransferId(id)).map(|t| t.timestamp);
    let account = ledger.account(AccountId(2)).map(|a| a.timestamp);
    assert_eq!(account, Some(1_001));
    assert_eq!(
        [stamp(1), stamp(2), stamp(3)],
        [Some(1_002), Some(1_003), Some(5_000)]
    );
    assert_eq!(ledger.last_timestamp(), 5_000);
}

#[test]
fn same_inputs_give_the_same_ledger() {
    let run = || {
        let mut ledger = ledger_with(&[xfer(1, 1, 2, 10).pending().timeout(5).ev()]);
        ledger.apply(NOW, &[xfer(2, 2, 1, 3).ev(), post(3, 1, 1).ev()]);
        ledger
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let bytes = |l: &Ledger| postcard::to_allocvec(l).expect("serializes");
    assert_eq!(bytes(&a), bytes(&b));
}

#[test]
fn snapshot_round_trip_keeps_expiry_index() {
    let ledger = ledger_with(&[
        xfer(1, 1, 2, 10).pending().timeout(100).ev(),
        xfer(2, 1, 2, 10).pending().ev(),
    ]);
    let bytes = postcard::to_allocvec(&ledger).expect("serializes");
    let mut restored: Ledger = postcard::from_bytes(&bytes).expect("deserializes");
    assert_eq!(restored, ledger);
    restored.apply(SETUP_TIME + 1_000, &[]);
    assert_eq!(state(&restored, 1), TransferState::Expired);
}

/// Same shape as the ledger's serialized form, to forge broken snapshots.
#[derive(Serialize)]
struct Forged {
    last_timestamp: Timestamp,
    accounts: Vec<Account>,
    transfers: Vec<Transfer>,
}

/// A change that breaks one rule in a forged snapshot.
type Edit = fn(&mut Forged);

fn forge(ledger: &Ledger, edit: impl FnOnce(&mut Forged)) -> Result<Ledger, String> {
    let mut forged = Forged {
        last_timestamp: ledger.last_timestamp(),
        accounts: ledger.accounts().copied().collect(),
        transfers: ledger.transfers().copied().collect(),
    };
    edit(&mut forged);
    // JSON keeps the error text, which names the broken rule.
    let json = serde_json::to_string(&forged).map_err(|e| e.to_string())?;
    serde_json::from_str(&json).map_err(|e| e.to_string())
}

#[test]
fn snapshot_restore_refuses_broken_states() {
    // Accounts in id order: index 0 is account 1, index 2 the pre-funded account 3.
    let ledger = ledger_with(&[xfer(1, 1, 2, 10).ev(), xfer(2, 1, 2, 5).pending().ev()]);
    assert_eq!(forge(&ledger, |_| {}).as_ref(), Ok(&ledger));
    let cases: [(Edit, &str); 8] = [
        (|f| f.accounts[0].debits_posted += 1, "PostedUnbalanced"),
        (|f| f.accounts[0].debits_pending += 1, "PendingUnbalanced"),
        (
            |f| {
                f.accounts[0].debits_pending += 1;
                f.accounts[1].credits_pending += 1;
            },
            "PendingTotalsMismatch",
        ),
        (
            |f| {
                f.accounts[2].debits_posted += 1;
                f.accounts[0].credits_posted += 1;
            },
            "ExceedsCredits",
        ),
        (
            |f| f.transfers[0].credit_account_id = AccountId(6),
            "CurrencyMismatch",
        ),
        (
            |f| f.transfers[1].state = TransferState::Posted,
            "PendingTotalsMismatch",
        ),
        (|f| f.transfers.push(f.transfers[0]), "duplicate transfer"),
        (|f| f.last_timestamp = 0, "TimestampOrder"),
    ];
    for (edit, rule) in cases {
        let error = forge(&ledger, edit).expect_err(rule);
        assert!(error.contains(rule), "{error} should name {rule}");
    }
}

#[test]
fn currency_validation() {
    assert_eq!(Currency::new("JPY", 0), Ok(JPY));
    assert_eq!(
        Currency::new("EUR", 2).map(|c| c.to_string()),
        Ok("EUR".into())
    );
    assert_eq!(Currency::new("eur", 2), Err(CurrencyError::InvalidCode));
    assert_eq!(Currency::new("EURO", 2), Err(CurrencyError::InvalidCode));
    assert_eq!(Currency::new("E1R", 2), Err(CurrencyError::InvalidCode));
    assert_eq!(Currency::new("CLF", 4).map(|c| c.exponent), Ok(4));
    assert_eq!(Currency::new("EUR", 5), Err(CurrencyError::InvalidExponent));
}

#[test]
fn account_figures() {
    let mut account = ledger_with(&[])
        .account(AccountId(1))
        .copied()
        .expect("fixture account");
    account.credits_posted = 100;
    account.debits_posted = 30;
    account.debits_pending = 20;
    assert_eq!(account.balance(), Some(70));
    assert_eq!(account.available(), Some(50));
    assert_eq!(account.net_debit_position(), Some(0));
    account.debits_posted = 150;
    assert_eq!(account.balance(), Some(-50));
    assert_eq!(account.net_debit_position(), Some(70));
    account.debits_posted = MAX;
    account.credits_posted = 0;
    assert_eq!(account.balance(), None);
    assert_eq!(account.net_debit_position(), None);
    assert!(!account.flags.contains(AccountFlags::LINKED));
}
