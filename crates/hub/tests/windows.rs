//! Settlement windows: close (netting report), settle (position resets), abort (carry over),
//! membership of payments committed while a window awaits settlement.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

fn close(currency: CurrencyCode) -> Action {
    Action::CloseWindow {
        currency,
        mode: InstructionMode::ViaSettlementAccount,
    }
}

fn settle(window: u64) -> Action {
    Action::SettleWindow {
        window: WindowId(window),
    }
}

fn abort(window: u64) -> Action {
    Action::AbortWindow {
        window: WindowId(window),
    }
}

/// Commits `amount` EUR from `from` to `to`.
fn commit(f: &mut Fixture, id: u128, from: ParticipantId, to: ParticipantId, amount: u128) {
    f.pay(id, from, to, amount).unwrap();
    f.accept(id, to).unwrap();
}

fn nets(f: &Fixture, window: u64) -> Vec<(u64, i128)> {
    let report = f
        .hub
        .window(WindowId(window))
        .unwrap()
        .report
        .as_ref()
        .unwrap();
    report
        .positions
        .iter()
        .map(|p| (p.participant.0, p.net))
        .collect()
}

fn raise_caps(f: &mut Fixture) {
    f.ok_op(Action::SetNetDebitCap {
        participant: C,
        currency: eur(),
        cap: 100_000,
    });
}

#[test]
fn window_refusals_table() {
    let rows: Vec<(Vec<Action>, Principal, Action, &str)> = vec![
        (vec![], Principal::Operator, close(eur()), "ok"),
        (
            vec![],
            participant(A),
            close(eur()),
            "forbidden_operator_only",
        ),
        (
            vec![],
            Principal::Operator,
            close(kes()),
            "currency_not_deferred_net",
        ),
        (
            vec![],
            Principal::Operator,
            close(CurrencyCode::new("USD").unwrap()),
            "currency_not_accepted",
        ),
        (
            vec![close(eur())],
            Principal::Operator,
            close(eur()),
            "window_awaiting_settlement",
        ),
        (vec![close(eur())], Principal::Operator, settle(1), "ok"),
        (
            vec![close(eur()), settle(1)],
            Principal::Operator,
            close(eur()),
            "ok",
        ),
        (vec![], Principal::Operator, settle(1), "window_not_closed"),
        (vec![], Principal::Operator, settle(9), "window_not_found"),
        (
            vec![close(eur()), settle(1)],
            Principal::Operator,
            settle(1),
            "window_not_closed",
        ),
        (
            vec![close(eur())],
            participant(B),
            settle(1),
            "forbidden_operator_only",
        ),
        (vec![close(eur())], Principal::Operator, abort(1), "ok"),
        (
            vec![close(eur()), abort(1)],
            Principal::Operator,
            abort(1),
            "window_not_closed",
        ),
        (vec![], Principal::Operator, abort(1), "window_not_closed"),
    ];
    for (setup, actor, action, expected) in rows {
        let mut f = Fixture::new();
        for s in setup {
            f.ok_op(s);
        }
        let what = format!("{actor:?} {action:?}");
        assert_eq!(code(&f.run(actor, action)), expected, "{what}");
    }
}

#[test]
fn close_nets_settle_resets_and_later_payments_join_the_next_window() {
    let mut f = Fixture::new();
    raise_caps(&mut f);
    commit(&mut f, 1, A, B, 30_000);
    commit(&mut f, 2, B, A, 10_000);
    commit(&mut f, 3, A, C, 5_000);
    f.pay(4, C, B, 1_000).unwrap(); // reserved only: not an obligation
    let closed = f.ok_op(close(eur()));
    assert_eq!(
        closed,
        Success::WindowClosed {
            window: WindowId(1),
            next: WindowId(2)
        }
    );
    assert_eq!(nets(&f, 1), [(1, -25_000), (2, 20_000), (3, 5_000)]);
    let report = f.hub.window(WindowId(1)).unwrap().report.clone().unwrap();
    assert_eq!(
        (
            report.obligation_count,
            report.gross_total,
            report.net_total
        ),
        (3, 45_000, 25_000)
    );
    assert!(report.reconcile().is_ok());
    assert_eq!(report.instructions.len(), 3);
    // Committed while window 1 awaits settlement: belongs to window 2.
    f.accept(4, B).unwrap();
    commit(&mut f, 5, B, C, 2_000);
    let open = f.hub.open_window_of(eur()).unwrap();
    assert_eq!((open.id, open.obligations.len()), (WindowId(2), 2));
    assert_eq!(
        f.ok_op(settle(1)),
        Success::WindowSettled {
            window: WindowId(1)
        }
    );
    // Positions now hold window 2 only: C −1,000 + 2,000; B +1,000 − 2,000.
    let positions: Vec<i128> = [A, B, C]
        .iter()
        .map(|p| f.balance(*p, eur()).position)
        .collect();
    assert_eq!(positions, [0, -1_000, 1_000]);
    assert_eq!(
        f.hub.window(WindowId(1)).unwrap().status,
        WindowStatus::Settled
    );
    // The settlement account is back to zero.
    let scheme = f
        .hub
        .ledger()
        .account(account_id(SCHEME, eur(), AccountKind::Settlement))
        .unwrap();
    assert_eq!(scheme.balance(), Some(0));
}

#[test]
fn settlement_resets_even_beyond_the_cap() {
    let mut f = Fixture::new();
    commit(&mut f, 1, A, B, 30_000);
    f.ok_op(close(eur()));
    // B spends its receipts and its whole cap in window 2: position −100,000.00 + 300.00.
    commit(&mut f, 2, B, A, 130_000);
    assert_eq!(f.balance(B, eur()).position, -100_000);
    f.ok_op(settle(1));
    let b = f.balance(B, eur());
    assert_eq!(
        (b.position, b.net_debit_cap, b.available),
        (-130_000, 100_000, 0)
    );
    assert_eq!(code(&f.pay(3, B, C, 1)), "insufficient_funds");
}

#[test]
fn aborted_window_carries_its_obligations_into_the_open_one() {
    let mut f = Fixture::new();
    commit(&mut f, 1, A, B, 30_000);
    f.ok_op(close(eur()));
    commit(&mut f, 2, B, A, 10_000);
    assert_eq!(
        f.ok_op(abort(1)),
        Success::WindowAborted {
            window: WindowId(1),
            carried_to: WindowId(2)
        }
    );
    f.ok_op(close(eur()));
    assert_eq!(nets(&f, 2), [(1, -20_000), (2, 20_000)]);
    f.ok_op(settle(2));
    assert_eq!(
        (f.balance(A, eur()).position, f.balance(B, eur()).position),
        (0, 0)
    );
}

#[test]
fn direct_mode_needs_at_most_n_minus_one_instructions() {
    let mut f = Fixture::new();
    raise_caps(&mut f);
    commit(&mut f, 1, A, B, 30_000);
    commit(&mut f, 2, A, C, 10_000);
    commit(&mut f, 3, C, B, 5_000);
    f.ok_op(Action::CloseWindow {
        currency: eur(),
        mode: InstructionMode::Direct,
    });
    let report = f.hub.window(WindowId(1)).unwrap().report.clone().unwrap();
    assert!(report.instructions.len() <= 2);
    assert!(report.reconcile().is_ok());
    f.ok_op(settle(1));
    assert!([A, B, C].iter().all(|p| f.balance(*p, eur()).position == 0));
}
