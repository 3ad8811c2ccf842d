//! Cancellation by the debtor side: who may, from which status, what moves (reservation voided,
//! FX legs together, queue and hold left), the return request on a committed payment, replay.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

const D: ParticipantId = ParticipantId(4);

fn cancel(id: u128) -> Action {
    Action::CancelPayment {
        payment: pid(id),
        reason: Reason::RequestedByCustomer,
    }
}

fn last_event(f: &Fixture, p: ParticipantId) -> Option<InboxEvent> {
    f.hub.inbox(p, 0, PAGE_LIMIT_MAX).last().cloned()
}

/// Payments: 1 reserved A→B, 2 committed A→B, 3 held A→B, 4 rejected by B, 5 expired,
/// 6 committed then returned (as 60), 7 queued A→C in KES (after A's liquidity is spent).
fn fixture() -> Fixture {
    let mut f = Fixture::new();
    f.pay(5, A, B, 50).unwrap();
    f.tick(61 * SECOND);
    assert_eq!(f.status(5).0, PaymentStatus::Expired);
    f.pay(1, A, B, 100).unwrap();
    f.pay(2, A, B, 200).unwrap();
    f.accept(2, B).unwrap();
    f.create(instruction(3, A, B, 300, eur()), hit()).unwrap();
    f.pay(4, A, B, 400).unwrap();
    f.run(
        participant(B),
        Action::RejectPayment {
            payment: pid(4),
            reason: Reason::IncorrectAccountNumber,
        },
    )
    .unwrap();
    f.pay(6, A, B, 600).unwrap();
    f.accept(6, B).unwrap();
    f.run(
        participant(B),
        Action::ReturnPayment {
            payment: pid(6),
            return_id: pid(60),
            reason: Reason::RequestedByCustomer,
        },
    )
    .unwrap();
    f.ok_op(Action::SetLiquidityQueue {
        currency: kes(),
        enabled: true,
    });
    f.create(instruction(70, A, C, 50_000, kes()), clear())
        .unwrap();
    let queued = f.create(instruction(7, A, C, 100, kes()), clear());
    assert_eq!(payment_status(&queued), PaymentStatus::Queued);
    f
}

/// The payment's (status, reason) after the command, when it succeeds.
type After = Option<(PaymentStatus, Option<Reason>)>;

#[test]
fn cancel_table() {
    let cancel_with = |id, reason| Action::CancelPayment {
        payment: pid(id),
        reason,
    };
    let rejected = (PaymentStatus::Rejected, Some(Reason::CancelledByDebtor));
    let rows: Vec<(Principal, Action, &str, After)> = vec![
        (participant(A), cancel(1), "ok", Some(rejected)),
        (Principal::Operator, cancel(1), "ok", Some(rejected)),
        (participant(A), cancel(3), "ok", Some(rejected)),
        (participant(A), cancel(7), "ok", Some(rejected)),
        (
            participant(A),
            cancel(2),
            "ok",
            Some((PaymentStatus::Committed, None)),
        ),
        (participant(B), cancel(1), "forbidden_not_debtor", None),
        (officer("ann"), cancel(1), "forbidden_not_debtor", None),
        (Principal::Auditor, cancel(1), "forbidden_not_debtor", None),
        (participant(C), cancel(1), "payment_not_found", None),
        (participant(A), cancel(99), "payment_not_found", None),
        (participant(A), cancel(4), "payment_not_cancellable", None),
        (participant(A), cancel(5), "payment_not_cancellable", None),
        (participant(A), cancel(6), "payment_not_cancellable", None),
        // The return 60 is B's payment to A: A is its creditor; B may not have it returned.
        (participant(A), cancel(60), "forbidden_not_debtor", None),
        (participant(B), cancel(60), "return_of_return", None),
        (
            participant(A),
            cancel_with(1, Reason::Timeout),
            "reason_not_allowed",
            None,
        ),
        (
            participant(A),
            cancel_with(1, Reason::CancelledByDebtor),
            "reason_not_allowed",
            None,
        ),
    ];
    for (actor, action, expected, after) in rows {
        let mut f = fixture();
        let what = format!("{actor:?} {action:?}");
        let id = match &action {
            Action::CancelPayment { payment, .. } => *payment,
            _ => unreachable!(),
        };
        assert_eq!(code(&f.run(actor, action)), expected, "{what}");
        if let Some(after) = after {
            let p = f.hub.payment(id).unwrap();
            assert_eq!((p.status, p.reason), after, "{what}");
        }
    }
}

#[test]
fn cancelling_a_reservation_voids_it_and_tells_both_sides() {
    let mut f = Fixture::new();
    let (a0, b0) = (f.balance(A, eur()), f.balance(B, eur()));
    f.pay(1, A, B, 30_000).unwrap();
    assert_ne!(f.balance(A, eur()), a0);
    let outcome = f.run(participant(A), cancel(1)).unwrap();
    assert_eq!(
        outcome,
        Success::Payment(PaymentOutcome {
            payment: pid(1),
            status: PaymentStatus::Rejected,
            reason: Some(Reason::CancelledByDebtor),
            replayed: false,
        })
    );
    assert_eq!(f.balance(A, eur()), a0);
    assert_eq!(f.balance(B, eur()), b0);
    let told = InboxKind::StatusChanged {
        status: PaymentStatus::Rejected,
        reason: Some(Reason::CancelledByDebtor),
    };
    assert_eq!(last_event(&f, A).unwrap().kind, told);
    assert_eq!(last_event(&f, B).unwrap().kind, told);
    let p = f.hub.payment(pid(1)).unwrap();
    assert!(p.legs.iter().all(|l| l.resolution.is_some()));
    let kinds: Vec<&StepKind> = p.history.iter().map(|s| &s.kind).collect();
    assert_eq!(
        kinds[kinds.len() - 2..],
        [
            &StepKind::CancellationRequested {
                reason: Reason::RequestedByCustomer
            },
            &StepKind::Rejected(Reason::CancelledByDebtor)
        ]
    );
    // The creditor can no longer accept it, and the expiry does not touch it again.
    assert_eq!(code(&f.accept(1, B)), "payment_not_reserved");
    f.tick(120 * SECOND);
    assert_eq!(f.status(1).1, Some(Reason::CancelledByDebtor));
    assert_eq!(Reason::CancelledByDebtor.iso_code(), Some("DS02"));
}

#[test]
fn repeated_cancel_replays_the_first_outcome() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 100).unwrap();
    f.run(participant(A), cancel(1)).unwrap();
    let inbox_len = f.hub.inbox(B, 0, PAGE_LIMIT_MAX).len();
    let again = f.run(participant(A), cancel(1)).unwrap();
    assert_eq!(
        again,
        Success::Payment(PaymentOutcome {
            payment: pid(1),
            status: PaymentStatus::Rejected,
            reason: Some(Reason::CancelledByDebtor),
            replayed: true,
        })
    );
    assert_eq!(f.hub.inbox(B, 0, PAGE_LIMIT_MAX).len(), inbox_len);
}

#[test]
fn held_and_queued_payments_end_without_ledger_effect_or_creditor_news() {
    let mut f = Fixture::new();
    f.create(instruction(3, A, B, 300, eur()), hit()).unwrap();
    let transfers = f.hub.ledger().transfer_count();
    f.run(participant(A), cancel(3)).unwrap();
    assert_eq!(f.hub.ledger().transfer_count(), transfers);
    assert!(f.hub.held_payments().next().is_none());
    // The creditor never heard of a payment held for compliance, and still does not.
    assert!(f.hub.inbox(B, 0, PAGE_LIMIT_MAX).is_empty());
    let officer_review = f.run(officer("ann"), Action::ReviewHold { payment: pid(3) });
    assert_eq!(code(&officer_review), "payment_not_held");

    let mut f = fixture();
    let transfers = f.hub.ledger().transfer_count();
    f.run(participant(A), cancel(7)).unwrap();
    assert_eq!(f.hub.ledger().transfer_count(), transfers);
    assert!(f.hub.queued_payments(kes()).unwrap().is_empty());
    // Liquidity arriving later releases nothing.
    f.ok_op(Action::RecordLiquidity {
        participant: A,
        currency: kes(),
        direction: LiquidityDirection::Deposit,
        amount: 1_000,
    });
    assert_eq!(f.status(7).0, PaymentStatus::Rejected);
}

#[test]
fn committed_payment_gets_a_return_request_and_nothing_moves() {
    let mut f = Fixture::new();
    let start = (f.balance(A, eur()), f.balance(B, eur()));
    f.pay(2, A, B, 200).unwrap();
    f.accept(2, B).unwrap();
    let (a0, b0) = (f.balance(A, eur()), f.balance(B, eur()));
    let reason = Reason::DuplicatePayment;
    let asked = f.run(
        participant(A),
        Action::CancelPayment {
            payment: pid(2),
            reason,
        },
    );
    assert_eq!(
        asked,
        Ok(Success::ReturnRequested {
            payment: pid(2),
            replayed: false
        })
    );
    assert_eq!((f.balance(A, eur()), f.balance(B, eur())), (a0, b0));
    assert_eq!(f.status(2), (PaymentStatus::Committed, None));
    let event = last_event(&f, B).unwrap();
    assert_eq!(
        (event.payment, event.kind),
        (pid(2), InboxKind::ReturnRequested { reason })
    );
    // Asking again changes nothing and says so.
    let again = f.run(participant(A), cancel(2));
    assert_eq!(
        again,
        Ok(Success::ReturnRequested {
            payment: pid(2),
            replayed: true
        })
    );
    assert_eq!(last_event(&f, B).unwrap().cursor, event.cursor);
    // The creditor returns it; then it is no longer cancellable.
    f.run(
        participant(B),
        Action::ReturnPayment {
            payment: pid(2),
            return_id: pid(20),
            reason,
        },
    )
    .unwrap();
    assert_eq!((f.balance(A, eur()), f.balance(B, eur())), start);
    assert_eq!(
        code(&f.run(participant(A), cancel(2))),
        "payment_not_cancellable"
    );
}

#[test]
fn cancelling_a_cross_currency_payment_voids_both_legs() {
    let mut f = Fixture::new();
    f.run(
        participant(D),
        Action::PublishRate {
            base: eur(),
            quote: kes(),
            rate: "140.25".parse().unwrap(),
            spread_bp: 50,
        },
    )
    .unwrap();
    f.ok_op(Action::RecordLiquidity {
        participant: D,
        currency: kes(),
        direction: LiquidityDirection::Deposit,
        amount: 10_000_000,
    });
    let request = Action::RequestQuote(QuoteRequest {
        quote_id: pid(1001),
        provider: D,
        source_currency: eur(),
        target_currency: kes(),
        source_amount: 10_000,
        expires_at: f.now + 31 * SECOND,
    });
    let Ok(Success::QuoteIssued(q)) = f.run(participant(A), request) else {
        panic!("no quote");
    };
    let before: Vec<Balance> = [A, B, D]
        .iter()
        .flat_map(|p| f.hub.balances(*p).unwrap())
        .collect();
    let mut ins = instruction(1, A, B, q.source_amount, eur());
    ins.fx_quote = Some(q.id);
    f.create(ins, clear()).unwrap();
    assert_eq!(f.hub.payment(pid(1)).unwrap().legs.len(), 2);
    f.run(participant(A), cancel(1)).unwrap();
    let after: Vec<Balance> = [A, B, D]
        .iter()
        .flat_map(|p| f.hub.balances(*p).unwrap())
        .collect();
    assert_eq!(before, after);
    let p = f.hub.payment(pid(1)).unwrap();
    assert!(p.legs.iter().all(|l| l.resolution.is_some()));
    // The provider hears of it too.
    assert_eq!(
        last_event(&f, D).unwrap().kind,
        InboxKind::StatusChanged {
            status: PaymentStatus::Rejected,
            reason: Some(Reason::CancelledByDebtor)
        }
    );
}
