//! The compliance hold: no ledger effect while held, four eyes, release and reject paths.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

fn review(id: u128) -> Action {
    Action::ReviewHold { payment: pid(id) }
}
fn release(id: u128) -> Action {
    Action::ReleaseHold { payment: pid(id) }
}
fn reject(id: u128) -> Action {
    Action::RejectHold { payment: pid(id) }
}

fn held_fixture() -> Fixture {
    let mut f = Fixture::new();
    let out = f.create(instruction(1, A, B, 30_000, eur()), hit());
    assert_eq!(payment_status(&out), PaymentStatus::Held);
    f
}

/// (setup steps by named officers, actor, action, expected code)
type Row = (Vec<(&'static str, Action)>, Principal, Action, &'static str);

#[test]
fn hold_refusals_table() {
    let rows: Vec<Row> = vec![
        (vec![], officer("ann"), review(1), "ok"),
        (
            vec![],
            participant(A),
            review(1),
            "forbidden_not_compliance_officer",
        ),
        (
            vec![],
            Principal::Operator,
            review(1),
            "forbidden_not_compliance_officer",
        ),
        (vec![], officer("ann"), review(9), "payment_not_found"),
        (
            vec![("ann", review(1))],
            officer("bob"),
            review(1),
            "hold_already_reviewed",
        ),
        (vec![], officer("ann"), release(1), "hold_not_reviewed"),
        (vec![], officer("ann"), reject(1), "hold_not_reviewed"),
        (
            vec![("ann", review(1))],
            officer("ann"),
            release(1),
            "four_eyes_same_officer",
        ),
        (
            vec![("ann", review(1))],
            officer("ann"),
            reject(1),
            "four_eyes_same_officer",
        ),
        (vec![("ann", review(1))], officer("bob"), release(1), "ok"),
        (vec![("ann", review(1))], officer("bob"), reject(1), "ok"),
        (
            vec![("ann", review(1))],
            participant(B),
            release(1),
            "forbidden_not_compliance_officer",
        ),
        (
            vec![("ann", review(1)), ("bob", release(1))],
            officer("cy"),
            reject(1),
            "payment_not_held",
        ),
        (
            vec![],
            participant(B),
            Action::AcceptPayment { payment: pid(1) },
            "payment_not_reserved",
        ),
    ];
    for (setup, actor, action, expected) in rows {
        let mut f = held_fixture();
        for (name, a) in setup {
            f.run(officer(name), a).unwrap();
        }
        let what = format!("{actor:?} {action:?}");
        assert_eq!(code(&f.run(actor, action)), expected, "{what}");
    }
}

#[test]
fn held_payment_has_no_ledger_effect_and_is_hidden_from_the_creditor() {
    let before = Fixture::new();
    let f = held_fixture();
    assert_eq!(
        f.hub.ledger().transfer_count(),
        before.hub.ledger().transfer_count()
    );
    assert_eq!(f.balance(A, eur()), before.balance(A, eur()));
    assert!(f.hub.inbox(B, 0, 0).is_empty());
    let held: Vec<PaymentId> = f.hub.held_payments().map(|p| p.id()).collect();
    assert_eq!(held, [pid(1)]);
    // Held payments do not expire while held.
    let mut f = f;
    f.tick(3600 * SECOND);
    assert_eq!(f.status(1).0, PaymentStatus::Held);
}

#[test]
fn release_by_a_second_officer_reserves_and_offers_the_payment() {
    let mut f = held_fixture();
    f.run(officer("ann"), review(1)).unwrap();
    let out = f.run(officer("bob"), release(1));
    assert_eq!(payment_status(&out), PaymentStatus::Reserved);
    assert_eq!(f.balance(A, eur()).position_pending_debits, 30_000);
    assert_eq!(f.hub.inbox(B, 0, 0)[0].kind, InboxKind::PaymentReceived);
    assert_eq!(f.hub.held_payments().count(), 0);
    let p = f.hub.payment(pid(1)).unwrap();
    let hold = p.hold.as_ref().unwrap();
    assert_eq!(
        hold.reviewed.as_ref().map(|s| s.officer.as_str()),
        Some("ann")
    );
    assert_eq!(
        hold.decided.as_ref().map(|s| s.officer.as_str()),
        Some("bob")
    );
    let steps: Vec<_> = p
        .history
        .iter()
        .map(|s| (s.kind.clone(), s.by.clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (StepKind::Received, Some(participant(A))),
            (StepKind::Held, Some(participant(A))),
            (StepKind::HoldReviewed, Some(officer("ann"))),
            (StepKind::HoldReleased, Some(officer("bob"))),
            (StepKind::Reserved, None),
        ]
    );
    assert_eq!(p.screening.hits[0].reference, "KPi.033");
    f.accept(1, B).unwrap();
    assert_eq!(f.balance(B, eur()).position, 30_000);
}

#[test]
fn rejection_by_compliance_fails_with_sanctions_reason() {
    let mut f = held_fixture();
    f.run(officer("ann"), review(1)).unwrap();
    let out = f.run(officer("bob"), reject(1));
    assert_eq!(payment_status(&out), PaymentStatus::Rejected);
    assert_eq!(
        f.status(1),
        (PaymentStatus::Rejected, Some(Reason::SanctionsHit))
    );
    assert_eq!(Reason::SanctionsHit.iso_code(), Some("RR04"));
    assert!(f.hub.inbox(B, 0, 0).is_empty(), "the creditor never saw it");
    let a = f.hub.inbox(A, 0, 0).last().unwrap().kind.clone();
    assert_eq!(
        a,
        InboxKind::StatusChanged {
            status: PaymentStatus::Rejected,
            reason: Some(Reason::SanctionsHit)
        }
    );
    // The replay of the creation answers with the original outcome (Held).
    let replay = f.create(instruction(1, A, B, 30_000, eur()), clear());
    assert_eq!(payment_status(&replay), PaymentStatus::Held);
}

#[test]
fn release_outcomes_depend_on_the_state_at_release() {
    // (what happens between hold and release, expected status and reason)
    type Setup = fn(&mut Fixture);
    let rows: [(Setup, PaymentStatus, Option<Reason>); 4] = [
        (|_| {}, PaymentStatus::Reserved, None),
        (
            |f| f.tick(61 * SECOND),
            PaymentStatus::Expired,
            Some(Reason::Timeout),
        ),
        (
            |f| {
                f.pay(2, A, C, 80_000).unwrap();
            },
            PaymentStatus::Rejected,
            Some(Reason::InsufficientFunds),
        ),
        (
            |f| {
                f.ok_op(Action::SuspendParticipant { participant: B });
            },
            PaymentStatus::Rejected,
            Some(Reason::ParticipantSuspended),
        ),
    ];
    for (setup, status, reason) in rows {
        let mut f = held_fixture();
        f.run(officer("ann"), review(1)).unwrap();
        setup(&mut f);
        let out = f.run(officer("bob"), release(1));
        assert_eq!(payment_status(&out), status);
        assert_eq!(f.status(1), (status, reason));
    }
}

/// Registers an officer credential (token hash from `n`) and returns its id.
fn officer_credential(f: &mut Fixture, name: &str, n: u8) -> CredentialId {
    match f.ok_op(Action::RegisterCredential {
        token_hash: [n; 32],
        principal: officer(name),
    }) {
        Success::CredentialRegistered { credential } => credential,
        other => panic!("{other:?}"),
    }
}

#[test]
fn four_eyes_compares_credentials_not_only_names() {
    let mut f = held_fixture();
    let ann = officer_credential(&mut f, "ann", 1);
    let ann_again = officer_credential(&mut f, "ann", 2);
    let bob = officer_credential(&mut f, "bob", 3);
    let review = |credential| Action::ReviewHoldAs {
        payment: pid(1),
        credential,
    };
    let release = |credential| Action::ReleaseHoldAs {
        payment: pid(1),
        credential,
    };
    let reject = |credential| Action::RejectHoldAs {
        payment: pid(1),
        credential,
    };
    // A credential is only good for its own principal, and only while active.
    assert_eq!(
        code(&f.run(officer("bob"), review(ann))),
        "credential_not_of_actor"
    );
    assert_eq!(
        code(&f.run(officer("ann"), review(CredentialId(99)))),
        "credential_not_of_actor"
    );
    assert_eq!(code(&f.run(officer("ann"), review(ann))), "ok");
    assert_eq!(
        f.hub.hold_credentials(pid(1)).and_then(|c| c.reviewed),
        Some(ann)
    );
    // The reviewer's own credential cannot decide, whatever principal it is presented as.
    for action in [release(ann), reject(ann)] {
        assert_eq!(
            code(&f.run(officer("ann"), action)),
            "four_eyes_same_officer"
        );
    }
    // Another credential with the reviewer's name is the same officer too.
    assert_eq!(
        code(&f.run(officer("ann"), release(ann_again))),
        "four_eyes_same_officer"
    );
    assert_eq!(code(&f.run(officer("bob"), release(bob))), "ok");
    assert_eq!(f.status(1).0, PaymentStatus::Reserved);
    let stamps = f.hub.hold_credentials(pid(1)).cloned().unwrap();
    assert_eq!((stamps.reviewed, stamps.decided), (Some(ann), Some(bob)));
    // A revoked credential acts no more.
    let out = f.create(instruction(2, A, B, 1_000, eur()), hit());
    assert_eq!(payment_status(&out), PaymentStatus::Held);
    f.ok_op(Action::RevokeCredential { credential: bob });
    assert_eq!(
        code(&f.run(
            officer("bob"),
            Action::ReviewHoldAs {
                payment: pid(2),
                credential: bob
            }
        )),
        "credential_not_of_actor"
    );
}
