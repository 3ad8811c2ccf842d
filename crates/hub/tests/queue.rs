//! The liquidity queue of a gross currency: refusals, queueing, FIFO release, gridlock
//! resolution (classic cycle, partial), expiry, holds, returns and replay determinism.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;
use journal::StateMachine;

fn kes_payment(id: u128, from: ParticipantId, to: ParticipantId, amount: u128) -> Action {
    Action::CreatePayment(Box::new(CreatePayment {
        instruction: instruction(id, from, to, amount, kes()),
        expires_at: 0, // set by `pay_kes`
        screening: clear(),
    }))
}

/// Creates a KES payment expiring 60 s after the command.
fn pay_kes(
    f: &mut Fixture,
    id: u128,
    from: ParticipantId,
    to: ParticipantId,
    amount: u128,
) -> Outcome {
    f.create(instruction(id, from, to, amount, kes()), clear())
}

fn set_queue(f: &mut Fixture, enabled: bool) {
    f.ok_op(Action::SetLiquidityQueue {
        currency: kes(),
        enabled,
    });
}

fn liquidity(f: &mut Fixture, p: ParticipantId, direction: LiquidityDirection, amount: u128) {
    f.ok_op(Action::RecordLiquidity {
        participant: p,
        currency: kes(),
        direction,
        amount,
    });
}

/// The fixture with A's 500.00 KES withdrawn: nobody has KES liquidity.
fn dry() -> Fixture {
    let mut f = Fixture::new();
    liquidity(&mut f, A, LiquidityDirection::Withdrawal, 50_000);
    f
}

fn queued_ids(f: &Fixture) -> Vec<PaymentId> {
    f.hub
        .queued_payments(kes())
        .unwrap()
        .iter()
        .map(|p| p.id())
        .collect()
}

fn kes_liquidity(f: &Fixture, p: ParticipantId) -> (u128, u128) {
    let b = f.balance(p, kes());
    (b.liquidity, b.available)
}

fn last_event(f: &Fixture, p: ParticipantId) -> Option<InboxEvent> {
    f.hub.inbox(p, 0, PAGE_LIMIT_MAX).last().cloned()
}

fn transit_balance(f: &Fixture) -> Option<i128> {
    f.hub
        .ledger()
        .account(account_id(SCHEME, kes(), AccountKind::Transit))
        .and_then(|a| a.balance())
}

#[test]
fn set_queue_refusals_table() {
    let mut f = Fixture::new();
    let usd = CurrencyCode::new("USD").unwrap();
    let rows = [
        (Principal::Operator, eur(), "currency_not_gross"),
        (Principal::Operator, usd, "currency_not_accepted"),
        (participant(A), kes(), "forbidden_operator_only"),
        (Principal::Auditor, kes(), "forbidden_operator_only"),
        (Principal::Operator, kes(), "ok"),
    ];
    for (actor, currency, want) in rows {
        let got = f.run(
            actor.clone(),
            Action::SetLiquidityQueue {
                currency,
                enabled: true,
            },
        );
        assert_eq!(code(&got), want, "{actor:?} {currency}");
    }
    assert!(f.hub.liquidity_queue_enabled(kes()));
    assert!(!f.hub.liquidity_queue_enabled(eur()));
    assert_eq!(f.hub.queued_payments(usd), None);
    assert_eq!(transit_balance(&f), Some(0));
}

#[test]
fn queue_disabled_refuses_and_enabled_queues_without_ledger_effect() {
    let mut f = dry();
    assert_eq!(
        code(&pay_kes(&mut f, 1, B, C, 10_000)),
        "insufficient_funds"
    );
    set_queue(&mut f, true);
    let transfers = f.hub.ledger().transfer_count();
    let outcome = pay_kes(&mut f, 2, B, C, 10_000);
    assert_eq!(payment_status(&outcome), PaymentStatus::Queued);
    assert_eq!(f.status(2), (PaymentStatus::Queued, None));
    assert_eq!(
        f.hub.ledger().transfer_count(),
        transfers,
        "no ledger effect"
    );
    assert_eq!(kes_liquidity(&f, B), (0, 0));
    assert_eq!(queued_ids(&f), vec![pid(2)]);
    assert_eq!(PaymentStatus::Queued.code(), "queued");
    assert!(!PaymentStatus::Queued.is_final());
    // The debtor hears of it; the creditor does not (nothing is offered to it yet).
    let event = last_event(&f, B).unwrap();
    assert_eq!(
        (event.payment, event.kind),
        (
            pid(2),
            InboxKind::StatusChanged {
                status: PaymentStatus::Queued,
                reason: None
            }
        )
    );
    assert!(f.hub.inbox(C, 0, PAGE_LIMIT_MAX).is_empty());
    // An idempotent retry answers with the original outcome.
    let retry = pay_kes(&mut f, 2, B, C, 10_000);
    assert!(matches!(
        retry,
        Ok(Success::Payment(PaymentOutcome {
            status: PaymentStatus::Queued,
            replayed: true,
            ..
        }))
    ));
    // A payment that fits is reserved as before; the deferred-net currency never queues.
    assert_eq!(
        payment_status(&pay_kes(&mut f, 3, A, B, 1)),
        PaymentStatus::Queued
    );
    liquidity(&mut f, C, LiquidityDirection::Deposit, 100);
    assert_eq!(
        payment_status(&pay_kes(&mut f, 4, C, A, 100)),
        PaymentStatus::Reserved
    );
    assert_eq!(code(&f.pay(5, C, A, 1)), "insufficient_funds");
}

#[test]
fn fifo_release_when_liquidity_arrives_keeps_payer_order() {
    let mut f = dry();
    set_queue(&mut f, true);
    pay_kes(&mut f, 1, B, C, 10_000).unwrap();
    pay_kes(&mut f, 2, B, C, 1_000).unwrap();
    // 60.00 covers the second but not the first: the second must not overtake.
    liquidity(&mut f, B, LiquidityDirection::Deposit, 6_000);
    assert_eq!(f.status(1).0, PaymentStatus::Queued);
    assert_eq!(f.status(2).0, PaymentStatus::Queued);
    // A new payment of a payer with queued payments queues behind them even though it fits.
    assert_eq!(
        payment_status(&pay_kes(&mut f, 3, B, A, 500)),
        PaymentStatus::Queued
    );
    assert_eq!(queued_ids(&f), vec![pid(1), pid(2), pid(3)]);
    // 110.00 releases the first two in order; the third (5.00) no longer fits.
    liquidity(&mut f, B, LiquidityDirection::Deposit, 5_000);
    assert_eq!(f.status(1).0, PaymentStatus::Reserved);
    assert_eq!(f.status(2).0, PaymentStatus::Reserved);
    assert_eq!(f.status(3).0, PaymentStatus::Queued);
    assert_eq!(kes_liquidity(&f, B), (11_000, 0));
    let event = last_event(&f, C).unwrap();
    assert_eq!(
        (event.payment, event.kind),
        (pid(2), InboxKind::PaymentReceived)
    );
    // Released payments go on as usual: the creditor accepts.
    f.accept(1, C).unwrap();
    assert_eq!(kes_liquidity(&f, C), (10_000, 10_000));
    liquidity(&mut f, B, LiquidityDirection::Deposit, 500);
    assert_eq!(f.status(3).0, PaymentStatus::Reserved);
    assert!(queued_ids(&f).is_empty());
}

#[test]
fn classic_gridlock_settles_all_three_at_once() {
    let mut f = dry();
    set_queue(&mut f, true);
    pay_kes(&mut f, 1, A, B, 10_000).unwrap();
    pay_kes(&mut f, 2, B, C, 10_000).unwrap();
    assert_eq!(queued_ids(&f), vec![pid(1), pid(2)], "no cycle yet");
    let transfers = f.hub.ledger().transfer_count();
    let outcome = pay_kes(&mut f, 3, C, A, 10_000);
    // The command's own outcome says queued; the end of the same batch settled the cycle.
    assert_eq!(payment_status(&outcome), PaymentStatus::Queued);
    for id in 1..=3 {
        assert_eq!(
            f.status(id),
            (PaymentStatus::Committed, None),
            "payment {id}"
        );
        let p = f.hub.payment(pid(id)).unwrap();
        assert_eq!(p.legs.len(), 2);
        assert!(p.legs.iter().all(|l| l.resolution == Some(l.transfer)));
        let last = p.history.last().unwrap();
        assert_eq!(
            (last.by.clone(), last.kind.clone()),
            (None, StepKind::Committed)
        );
    }
    assert_eq!(
        f.hub.ledger().transfer_count(),
        transfers + 6,
        "one linked run of 6"
    );
    for p in [A, B, C] {
        assert_eq!(kes_liquidity(&f, p), (0, 0));
    }
    assert_eq!(transit_balance(&f), Some(0));
    assert!(queued_ids(&f).is_empty());
    // Both parties are told of the final status; no accept is asked of the creditor.
    let committed = InboxKind::StatusChanged {
        status: PaymentStatus::Committed,
        reason: None,
    };
    for (p, payment) in [(B, pid(1)), (A, pid(3))] {
        let events = f.hub.inbox(p, 0, PAGE_LIMIT_MAX);
        assert!(
            events
                .iter()
                .any(|e| e.payment == payment && e.kind == committed)
        );
        assert!(!events.iter().any(|e| e.kind == InboxKind::PaymentReceived));
    }
    assert_eq!(code(&f.accept(1, B)), "payment_not_reserved");
}

#[test]
fn partial_gridlock_leaves_what_cannot_settle_queued() {
    let mut f = dry();
    set_queue(&mut f, true);
    liquidity(&mut f, A, LiquidityDirection::Deposit, 7_345);
    // All four arrive in one batch.
    let commands = [
        (A, kes_payment(1, A, B, 12_345)),
        (B, kes_payment(2, B, C, 10_000)),
        (B, kes_payment(3, B, A, 9_999)),
        (C, kes_payment(4, C, A, 10_000)),
    ];
    f.now += SECOND;
    let expires_at = f.now + 60 * SECOND;
    let commands: Vec<Command> = commands
        .into_iter()
        .map(|(actor, action)| match action {
            Action::CreatePayment(mut c) => {
                c.expires_at = expires_at;
                Command::new(participant(actor), Action::CreatePayment(c))
            }
            other => Command::new(participant(actor), other),
        })
        .collect();
    let outcomes = f.batch(commands);
    assert!(
        outcomes
            .iter()
            .all(|o| payment_status(o) == PaymentStatus::Queued)
    );
    // B cannot pay both 100.00 and 99.99 out of 123.45 in: its later payment stays queued and
    // the cycle A → B → C → A settles (A's 73.45 covers its 23.45 shortfall).
    for id in [1, 2, 4] {
        assert_eq!(f.status(id).0, PaymentStatus::Committed, "payment {id}");
    }
    assert_eq!(queued_ids(&f), vec![pid(3)]);
    assert_eq!(kes_liquidity(&f, A), (5_000, 5_000));
    assert_eq!(kes_liquidity(&f, B), (2_345, 2_345));
    assert_eq!(kes_liquidity(&f, C), (0, 0));
    assert_eq!(transit_balance(&f), Some(0));
    // Liquidity for the rest releases it through the FIFO pass (to be accepted as usual).
    liquidity(&mut f, B, LiquidityDirection::Deposit, 7_654);
    assert_eq!(f.status(3).0, PaymentStatus::Reserved);
    f.accept(3, A).unwrap();
    assert_eq!(kes_liquidity(&f, A), (14_999, 14_999));
    assert_eq!(kes_liquidity(&f, B), (0, 0));
    // A gridlock-settled payment can be returned like any committed one; transit nets out.
    f.run(
        participant(B),
        Action::ReturnPayment {
            payment: pid(1),
            return_id: pid(50),
            reason: Reason::NotSpecifiedAgent,
        },
    )
    .map(|_| ())
    .expect_err("B has no liquidity to return 123.45");
    liquidity(&mut f, B, LiquidityDirection::Deposit, 12_345);
    f.run(
        participant(B),
        Action::ReturnPayment {
            payment: pid(1),
            return_id: pid(50),
            reason: Reason::NotSpecifiedAgent,
        },
    )
    .unwrap();
    assert_eq!(f.status(1).0, PaymentStatus::Returned);
    assert_eq!(kes_liquidity(&f, A), (27_344, 27_344));
    assert_eq!(transit_balance(&f), Some(0));
}

#[test]
fn queued_payment_expires_and_disabling_keeps_the_queue() {
    let mut f = dry();
    set_queue(&mut f, true);
    pay_kes(&mut f, 1, B, C, 100).unwrap(); // expires 60 s after its batch
    f.tick(30 * SECOND);
    pay_kes(&mut f, 2, B, C, 100).unwrap();
    set_queue(&mut f, false);
    // Disabled: nothing new queues, what is queued stays.
    assert_eq!(code(&pay_kes(&mut f, 3, C, B, 100)), "insufficient_funds");
    assert_eq!(queued_ids(&f), vec![pid(1), pid(2)]);
    f.tick(30 * SECOND);
    assert_eq!(f.status(1), (PaymentStatus::Expired, Some(Reason::Timeout)));
    assert_eq!(Reason::Timeout.iso_code(), Some("AB05"));
    let event = last_event(&f, B).unwrap();
    assert_eq!(event.payment, pid(1));
    assert!(f.hub.inbox(C, 0, PAGE_LIMIT_MAX).is_empty());
    // The remaining one is still released by liquidity.
    liquidity(&mut f, B, LiquidityDirection::Deposit, 100);
    assert_eq!(f.status(2).0, PaymentStatus::Reserved);
}

#[test]
fn held_payment_released_without_liquidity_queues() {
    let mut f = dry();
    set_queue(&mut f, true);
    let outcome = f.create(instruction(1, B, C, 100, kes()), hit());
    assert_eq!(payment_status(&outcome), PaymentStatus::Held);
    f.run(officer("ann"), Action::ReviewHold { payment: pid(1) })
        .unwrap();
    let released = f.run(officer("bob"), Action::ReleaseHold { payment: pid(1) });
    assert_eq!(payment_status(&released), PaymentStatus::Queued);
    assert_eq!(queued_ids(&f), vec![pid(1)]);
    liquidity(&mut f, B, LiquidityDirection::Deposit, 100);
    assert_eq!(f.status(1).0, PaymentStatus::Reserved);
}

#[test]
fn suspended_party_blocks_its_payer_in_the_queue() {
    let mut f = dry();
    set_queue(&mut f, true);
    pay_kes(&mut f, 1, A, B, 100).unwrap();
    f.ok_op(Action::SuspendParticipant { participant: B });
    pay_kes(&mut f, 2, A, C, 100).unwrap();
    // C → A would close no cycle without B; A's later payment to C must not overtake.
    pay_kes(&mut f, 3, C, A, 100).unwrap();
    assert_eq!(queued_ids(&f), vec![pid(1), pid(2), pid(3)]);
    f.ok_op(Action::ReactivateParticipant { participant: B });
    // Reactivated: still no cycle (A → B, A → C, C → A; B pays nobody), A short by 100.
    assert_eq!(queued_ids(&f), vec![pid(1), pid(2), pid(3)]);
    liquidity(&mut f, A, LiquidityDirection::Deposit, 100);
    // A's first fits alone (FIFO pass); then A → C and C → A offset.
    assert_eq!(f.status(1).0, PaymentStatus::Reserved);
    assert_eq!(f.status(2).0, PaymentStatus::Committed);
    assert_eq!(f.status(3).0, PaymentStatus::Committed);
}

#[test]
fn replay_and_snapshot_reproduce_the_same_state() {
    let mut f = dry();
    let start = (f.hub.clone(), f.now);
    let mut log = Vec::new();
    let script = [
        (
            Principal::Operator,
            Action::SetLiquidityQueue {
                currency: kes(),
                enabled: true,
            },
        ),
        (participant(A), kes_payment(1, A, B, 700)),
        (participant(B), kes_payment(2, B, C, 500)),
        (participant(C), kes_payment(3, C, A, 400)),
        (participant(B), kes_payment(4, B, A, 300)),
        (
            Principal::Operator,
            Action::RecordLiquidity {
                participant: A,
                currency: kes(),
                direction: LiquidityDirection::Deposit,
                amount: 300,
            },
        ),
    ];
    for (actor, action) in script {
        f.now += SECOND;
        let action = match action {
            Action::CreatePayment(mut c) => {
                c.expires_at = f.now + 60 * SECOND;
                Action::CreatePayment(c)
            }
            other => other,
        };
        let commands = vec![Command::new(actor, action)];
        log.push((f.now, commands.clone()));
        f.batch(commands);
    }
    assert_eq!(f.status(1).0, PaymentStatus::Committed);
    let (mut replay, now) = start;
    for (i, (at, commands)) in log.iter().enumerate() {
        if i == 3 {
            replay = Hub::decode_snapshot(&replay.encode_snapshot()).unwrap();
        }
        replay.apply(*at, &[]);
        replay.apply(*at, commands);
    }
    assert!(now < log[0].0);
    assert_eq!(replay.encode_snapshot(), f.hub.encode_snapshot());
}

#[test]
fn cross_currency_payments_are_never_queued() {
    let mut f = dry();
    set_queue(&mut f, true);
    let provider = ParticipantId(4);
    f.ok_op(Action::SetNetDebitCap {
        participant: provider,
        currency: eur(),
        cap: 1_000_000,
    });
    let rate = Action::PublishRate {
        base: kes(),
        quote: eur(),
        rate: "0.0071".parse().unwrap(),
        spread_bp: 0,
    };
    f.run(participant(provider), rate).unwrap();
    let request = Action::RequestQuote(QuoteRequest {
        quote_id: pid(1_001),
        provider,
        source_currency: kes(),
        target_currency: eur(),
        source_amount: 10_000,
        expires_at: f.now + 60 * SECOND,
    });
    let Ok(Success::QuoteIssued(quote)) = f.run(participant(A), request) else {
        panic!("no quote");
    };
    let mut ins = instruction(1, A, B, 10_000, kes());
    ins.fx_quote = Some(quote.id);
    // A has no KES: the two-leg payment is refused as before, not queued.
    assert_eq!(code(&f.create(ins, clear())), "insufficient_funds");
    assert!(queued_ids(&f).is_empty());
}

#[test]
fn a_full_queue_refuses_with_its_own_code() {
    let mut f = dry();
    set_queue(&mut f, true);
    f.now += SECOND;
    let expires_at = f.now + 60 * SECOND;
    let commands: Vec<Command> = (1..=u128::try_from(LIQUIDITY_QUEUE_MAX).unwrap() + 1)
        .map(|id| {
            let create = CreatePayment {
                instruction: instruction(id, B, C, 1, kes()),
                expires_at,
                screening: clear(),
            };
            Command::new(participant(B), Action::CreatePayment(Box::new(create)))
        })
        .collect();
    let outcomes = f.batch(commands);
    let (last, queued) = outcomes.split_last().unwrap();
    assert!(
        queued
            .iter()
            .all(|o| payment_status(o) == PaymentStatus::Queued)
    );
    assert_eq!(code(last), "liquidity_queue_full");
    assert_eq!(queued_ids(&f).len(), LIQUIDITY_QUEUE_MAX);
}
