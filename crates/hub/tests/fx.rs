//! FX: rates, quotes, cross-currency payments as two linked legs, their refusals and returns.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

const D: ParticipantId = ParticipantId(4);

fn rate(s: &str) -> Rate {
    s.parse().unwrap()
}

fn publish(base: CurrencyCode, quote: CurrencyCode, r: &str, spread_bp: u16) -> Action {
    Action::PublishRate {
        base,
        quote,
        rate: rate(r),
        spread_bp,
    }
}

fn request(f: &Fixture, id: u128, provider: ParticipantId, amount: u128, valid_s: u64) -> Action {
    Action::RequestQuote(QuoteRequest {
        quote_id: pid(1000 + id),
        provider,
        source_currency: eur(),
        target_currency: kes(),
        source_amount: amount,
        // One second later is when the fixture runs the command.
        expires_at: f.now + SECOND + valid_s * SECOND,
    })
}

/// EUR→KES at 140.25 with 50 bp spread, D pre-funded with 100,000.00 KES and a EUR cap.
fn fx_fixture() -> Fixture {
    let mut f = Fixture::new();
    f.run(participant(D), publish(eur(), kes(), "140.25", 50))
        .unwrap();
    f.ok_op(Action::RecordLiquidity {
        participant: D,
        currency: kes(),
        direction: LiquidityDirection::Deposit,
        amount: 10_000_000,
    });
    f
}

fn quote(f: &mut Fixture, id: u128, amount: u128) -> Quote {
    let action = request(f, id, D, amount, 30);
    match f.run(participant(A), action) {
        Ok(Success::QuoteIssued(q)) => q,
        other => panic!("no quote: {other:?}"),
    }
}

fn fx_payment(f: &mut Fixture, id: u128, q: &Quote) -> Outcome {
    let mut ins = instruction(id, A, B, q.source_amount, eur());
    ins.fx_quote = Some(q.id);
    f.create(ins, clear())
}

#[test]
fn rate_and_quote_refusals_table() {
    let usd = CurrencyCode::new("USD").unwrap();
    let f = fx_fixture();
    let rows: Vec<(Principal, Action, &str)> = vec![
        (participant(D), publish(kes(), eur(), "0.00713", 20), "ok"),
        (
            participant(A),
            publish(eur(), kes(), "140", 0),
            "forbidden_not_fx_provider",
        ),
        (
            Principal::Operator,
            publish(eur(), kes(), "140", 0),
            "forbidden_not_fx_provider",
        ),
        (
            participant(D),
            publish(eur(), kes(), "140", 1_001),
            "invalid_spread",
        ),
        (
            participant(D),
            publish(eur(), eur(), "1", 0),
            "currencies_must_differ",
        ),
        (
            participant(D),
            publish(eur(), usd, "1.1", 0),
            "currency_not_accepted",
        ),
        (participant(A), request(&f, 1, D, 10_000, 30), "ok"),
        (
            participant(A),
            request(&f, 1, B, 10_000, 30),
            "fx_provider_unavailable",
        ),
        (
            participant(A),
            request(&f, 1, ParticipantId(99), 10_000, 30),
            "fx_provider_unavailable",
        ),
        (
            participant(D),
            request(&f, 1, D, 10_000, 30),
            "participants_must_differ",
        ),
        (
            participant(A),
            request(&f, 1, D, 0, 30),
            "amount_must_not_be_zero",
        ),
        (
            participant(A),
            request(&f, 1, D, 10_000, 0),
            "expiry_in_past",
        ),
        (
            participant(A),
            request(&f, 1, D, 10_000, 3_601),
            "expiry_too_far",
        ),
        (
            Principal::Operator,
            request(&f, 1, D, 10_000, 30),
            "forbidden_not_participant_role",
        ),
    ];
    for (actor, action, expected) in rows {
        let mut f = fx_fixture();
        let what = format!("{actor:?} {action:?}");
        assert_eq!(code(&f.run(actor, action)), expected, "{what}");
    }
    // No rate for the pair, and an amount too small to convert.
    let mut f = Fixture::new();
    assert_eq!(
        code(&f.run(participant(A), request(&f, 1, D, 10_000, 30))),
        "rate_not_published"
    );
    let mut f = fx_fixture();
    f.run(participant(D), publish(eur(), kes(), "0.001", 0))
        .unwrap();
    assert_eq!(
        code(&f.run(participant(A), request(&f, 1, D, 1, 30))),
        "converted_amount_zero"
    );
    // A duplicate quote id.
    quote(&mut f, 2, 10_000);
    assert_eq!(
        code(&f.run(participant(A), request(&f, 2, D, 10_000, 30))),
        "quote_exists"
    );
}

#[test]
fn quote_uses_the_published_rate_in_either_direction() {
    let mut f = fx_fixture();
    // 100.00 EUR × 140.25 × (1 − 0.005) = 13,954.875 KES → 13,954.88 (half to even).
    let q = quote(&mut f, 1, 10_000);
    assert_eq!(
        (q.target_amount, q.inverse, q.provider, q.requester),
        (1_395_488, false, D, A)
    );
    // Publishing the reverse pair replaces the rate; a EUR→KES quote then uses its inverse.
    f.run(participant(D), publish(kes(), eur(), "0.008", 0))
        .unwrap();
    assert_eq!(f.hub.rates().count(), 1);
    let q = quote(&mut f, 2, 10_000);
    assert_eq!((q.target_amount, q.inverse), (1_250_000, true));
}

#[test]
fn cross_currency_payment_moves_both_legs_together() {
    let mut f = fx_fixture();
    let q = quote(&mut f, 1, 10_000);
    assert_eq!(
        payment_status(&fx_payment(&mut f, 1, &q)),
        PaymentStatus::Reserved
    );
    let p = f.hub.payment(pid(1)).unwrap();
    assert_eq!(p.legs.len(), 2);
    assert_eq!(p.fx.as_ref().map(|fx| fx.target_amount), Some(1_395_488));
    assert_eq!(f.hub.quote(q.id).unwrap().used_by, Some(pid(1)));
    assert_eq!(f.balance(A, eur()).position_pending_debits, 10_000);
    assert_eq!(f.balance(D, kes()).liquidity_pending_debits, 1_395_488);
    f.accept(1, B).unwrap();
    assert_eq!(f.balance(A, eur()).position, -10_000);
    assert_eq!(f.balance(D, eur()).position, 10_000);
    assert_eq!(f.balance(D, kes()).liquidity, 10_000_000 - 1_395_488);
    assert_eq!(f.balance(B, kes()).liquidity, 1_395_488);
    // The report counts what each side sent and received, in its own currency.
    let report = f.hub.report();
    let kes_b = report[1]
        .currencies
        .iter()
        .find(|c| c.currency == kes())
        .unwrap();
    assert_eq!(
        (kes_b.received_count, kes_b.received_amount),
        (1, 1_395_488)
    );
    // The provider sees the payment and heard of its reservation and commit.
    assert!(f.hub.payment_for(&participant(D), pid(1)).is_some());
    let heard: Vec<InboxKind> = f
        .hub
        .inbox(D, 0, 0)
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    let status = |status| InboxKind::StatusChanged {
        status,
        reason: None,
    };
    assert_eq!(
        heard,
        [
            status(PaymentStatus::Reserved),
            status(PaymentStatus::Committed)
        ]
    );
    let accept_by_provider = Action::AcceptPayment { payment: pid(1) };
    assert_eq!(
        code(&f.run(participant(D), accept_by_provider)),
        "forbidden_not_creditor"
    );
    // A return reverses both legs through the provider.
    let ret = Action::ReturnPayment {
        payment: pid(1),
        return_id: pid(2),
        reason: Reason::ClosedAccountNumber,
    };
    f.run(participant(B), ret).unwrap();
    assert_eq!(
        (f.balance(A, eur()).position, f.balance(D, eur()).position),
        (0, 0)
    );
    assert_eq!(
        (f.balance(B, kes()).liquidity, f.balance(D, kes()).liquidity),
        (0, 10_000_000)
    );
}

#[test]
fn rejection_and_expiry_void_both_legs() {
    let mut f = fx_fixture();
    let q = quote(&mut f, 1, 10_000);
    fx_payment(&mut f, 1, &q).unwrap();
    let reject = Action::RejectPayment {
        payment: pid(1),
        reason: Reason::IncorrectAccountNumber,
    };
    f.run(participant(B), reject).unwrap();
    let q2 = quote(&mut f, 2, 20_000);
    fx_payment(&mut f, 2, &q2).unwrap();
    f.tick(61 * SECOND);
    assert_eq!(f.status(2), (PaymentStatus::Expired, Some(Reason::Timeout)));
    for (p, c) in [(A, eur()), (D, eur()), (D, kes()), (B, kes())] {
        let b = f.balance(p, c);
        assert_eq!(
            (b.position_pending_debits, b.liquidity_pending_debits),
            (0, 0),
            "{p} {c}"
        );
    }
    assert_eq!(f.balance(D, kes()).liquidity, 10_000_000);
}

#[test]
fn quote_refusals_on_payment() {
    type Setup = fn(&mut Fixture, &Quote) -> PaymentInstruction;
    let rows: Vec<(Setup, &str)> = vec![
        (
            |_, q| {
                let mut i = instruction(1, A, B, q.source_amount, eur());
                i.fx_quote = Some(q.id);
                i
            },
            "ok",
        ),
        (
            |f, q| {
                let mut i = instruction(1, A, B, q.source_amount, eur());
                i.fx_quote = Some(q.id);
                f.create(i.clone(), clear()).unwrap();
                i.payment_id = pid(2);
                i
            },
            "quote_already_used",
        ),
        (
            |f, q| {
                f.tick(31 * SECOND);
                let mut i = instruction(1, A, B, q.source_amount, eur());
                i.fx_quote = Some(q.id);
                i
            },
            "quote_expired",
        ),
        (
            |_, q| {
                let mut i = instruction(1, A, B, q.source_amount + 1, eur());
                i.fx_quote = Some(q.id);
                i
            },
            "quote_mismatch",
        ),
        (
            |_, q| {
                let mut i = instruction(1, A, B, q.source_amount, kes());
                i.fx_quote = Some(q.id);
                i
            },
            "quote_mismatch",
        ),
        (
            |_, q| {
                let mut i = instruction(1, B, C, q.source_amount, eur());
                i.fx_quote = Some(q.id);
                i
            },
            "quote_not_found",
        ),
        (
            |_, q| {
                let mut i = instruction(1, A, B, q.source_amount, eur());
                i.fx_quote = Some(q.id);
                i.creditor_participant = D;
                i
            },
            "forbidden_not_participant_role",
        ),
        (
            |f, q| {
                f.ok_op(Action::RecordLiquidity {
                    participant: D,
                    currency: kes(),
                    direction: LiquidityDirection::Withdrawal,
                    amount: 10_000_000,
                });
                let mut i = instruction(1, A, B, q.source_amount, eur());
                i.fx_quote = Some(q.id);
                i
            },
            "fx_provider_insufficient_funds",
        ),
        (
            |f, q| {
                f.ok_op(Action::SuspendParticipant { participant: D });
                let mut i = instruction(1, A, B, q.source_amount, eur());
                i.fx_quote = Some(q.id);
                i
            },
            "fx_provider_unavailable",
        ),
    ];
    for (setup, expected) in rows {
        let mut f = fx_fixture();
        let q = quote(&mut f, 1, 10_000);
        let ins = setup(&mut f, &q);
        let actor = ins.debtor_participant;
        let out = f.create(ins, clear());
        assert_eq!(code(&out), expected, "{actor}");
    }
}

#[test]
fn held_fx_payment_released_after_quote_expiry_is_rejected() {
    let mut f = fx_fixture();
    let q = quote(&mut f, 1, 10_000);
    let mut ins = instruction(1, A, B, q.source_amount, eur());
    ins.fx_quote = Some(q.id);
    assert_eq!(payment_status(&f.create(ins, hit())), PaymentStatus::Held);
    f.run(officer("ann"), Action::ReviewHold { payment: pid(1) })
        .unwrap();
    f.tick(40 * SECOND);
    f.run(officer("bob"), Action::ReleaseHold { payment: pid(1) })
        .unwrap();
    assert_eq!(
        f.status(1),
        (PaymentStatus::Rejected, Some(Reason::QuoteExpired))
    );
}
