//! A participant bank whose own name hits a list: suspended, its reserved payments voided and
//! held for two officers, nothing of its money moving without them; reactivation clears it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

fn sanction(participant: ParticipantId) -> Action {
    let mut screening = hit();
    screening.hits[0].name = "ALPHA BANK".into();
    screening.hits[0].matched_name = "Alpha Bank".into();
    Action::SanctionParticipant(Box::new(ParticipantSanction {
        participant,
        screening,
    }))
}

#[test]
fn a_sanctioned_bank_is_suspended_and_its_reserved_payments_held() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 10_000).unwrap(); // A pays: reserved
    f.pay(2, B, A, 5_000).unwrap(); // A is paid: reserved
    f.pay(3, B, C, 7_000).unwrap(); // A not involved
    f.create(instruction(4, C, A, 1_000, eur()), hit()).unwrap(); // already held
    let reserved_before = f.balance(A, eur()).position_pending_debits;
    assert_eq!(reserved_before, 10_000);

    let Success::ParticipantSanctioned {
        participant,
        suspended,
        held,
    } = f.ok_op(sanction(A))
    else {
        panic!("not a sanction outcome");
    };
    assert_eq!((participant, suspended), (A, true));
    assert_eq!(held, vec![pid(1), pid(2)]);
    for id in [1, 2, 4] {
        assert_eq!(f.status(id), (PaymentStatus::Held, None), "payment {id}");
    }
    assert_eq!(f.status(3).0, PaymentStatus::Reserved);
    // No ledger effect left from the held payments.
    assert_eq!(f.balance(A, eur()).position_pending_debits, 0);
    assert_eq!(f.balance(B, eur()).position_pending_debits, 7_000);
    // The hits name the side the bank takes in each payment.
    let sides = |id| -> Vec<PartySide> {
        f.hub
            .payment(pid(id))
            .unwrap()
            .screening
            .hits
            .iter()
            .map(|h| h.party)
            .collect()
    };
    assert_eq!(sides(1), vec![PartySide::DebtorParticipant]);
    assert_eq!(sides(2), vec![PartySide::CreditorParticipant]);
    assert_eq!(
        sides(4),
        vec![PartySide::Creditor, PartySide::CreditorParticipant]
    );
    assert!(
        f.hub
            .payment(pid(1))
            .unwrap()
            .history
            .iter()
            .any(|s| matches!(
                s.kind,
                StepKind::HeldParticipantSanctioned { participant } if participant == A
            ))
    );

    // The creditor can no longer accept; the bank itself can do nothing.
    assert_eq!(code(&f.accept(1, B)), "payment_not_reserved");
    assert_eq!(code(&f.pay(5, A, B, 100)), "participant_suspended");
    assert_eq!(code(&f.pay(6, B, A, 100)), "creditor_participant_suspended");
    let sanction = f.hub.sanctions().get(&A).unwrap();
    assert_eq!(sanction.cleared_at, None);

    // Released while still suspended: rejected; the officers decided, nothing moved.
    f.run(officer("ann"), Action::ReviewHold { payment: pid(1) })
        .unwrap();
    f.run(officer("bob"), Action::ReleaseHold { payment: pid(1) })
        .unwrap();
    assert_eq!(
        f.status(1),
        (PaymentStatus::Rejected, Some(Reason::ParticipantSuspended))
    );

    // The operator reactivates (a false positive): the sanction is cleared, and a release by
    // two officers reserves the payment again.
    f.ok_op(Action::ReactivateParticipant { participant: A });
    assert!(f.hub.sanctions().get(&A).unwrap().cleared_at.is_some());
    f.run(officer("ann"), Action::ReviewHold { payment: pid(2) })
        .unwrap();
    f.run(officer("bob"), Action::ReleaseHold { payment: pid(2) })
        .unwrap();
    assert_eq!(f.status(2).0, PaymentStatus::Reserved);
    f.accept(2, A).unwrap();
    assert_eq!(f.status(2).0, PaymentStatus::Committed);
}

#[test]
fn a_sanction_of_a_suspended_bank_is_recorded_and_refusals_change_nothing() {
    let mut f = Fixture::new();
    f.ok_op(Action::SuspendParticipant { participant: A });
    let Success::ParticipantSanctioned { suspended, .. } = f.ok_op(sanction(A)) else {
        panic!("not a sanction outcome");
    };
    assert!(!suspended);
    assert!(f.hub.sanctions().contains_key(&A));

    // Without hits, without a UN list, for nobody, by a participant: refused (the fixture
    // checks that a refusal changes nothing).
    let clear_sanction = Action::SanctionParticipant(Box::new(ParticipantSanction {
        participant: B,
        screening: clear(),
    }));
    assert_eq!(code(&f.op(clear_sanction)), "sanction_without_hits");
    let mut no_un = hit();
    no_un.lists[0].source = "ofac-sdn".into();
    let no_un = Action::SanctionParticipant(Box::new(ParticipantSanction {
        participant: B,
        screening: no_un,
    }));
    assert_eq!(code(&f.op(no_un)), "no_un_list_loaded");
    assert_eq!(
        code(&f.op(sanction(ParticipantId(99)))),
        "participant_not_found"
    );
    assert_eq!(
        code(&f.run(participant(B), sanction(C))),
        "forbidden_operator_only"
    );
}

#[test]
fn a_sanctioned_fx_provider_holds_the_payments_it_funds() {
    const D: ParticipantId = ParticipantId(4);
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
    let Ok(Success::QuoteIssued(quote)) = f.run(participant(A), request) else {
        panic!("no quote");
    };
    let mut ins = instruction(1, A, B, quote.source_amount, eur());
    ins.fx_quote = Some(quote.id);
    f.create(ins, clear()).unwrap();
    assert_eq!(f.status(1).0, PaymentStatus::Reserved);
    let held = match f.ok_op(sanction(D)) {
        Success::ParticipantSanctioned { held, .. } => held,
        other => panic!("{other:?}"),
    };
    assert_eq!(held, vec![pid(1)]);
    let p = f.hub.payment(pid(1)).unwrap();
    assert_eq!(p.status, PaymentStatus::Held);
    assert!(p.legs.is_empty());
    assert_eq!(
        p.screening.hits.last().unwrap().party,
        PartySide::FxProvider
    );
}
