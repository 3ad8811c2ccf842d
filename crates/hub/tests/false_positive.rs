//! False positives: proposed by one officer from a held payment's hit, confirmed by another
//! credential and name, then accepted as cleared hits only for the same participant, party
//! name, entry and fingerprint; revocation ends them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

const FINGERPRINT: &str = "blake3:entry-v1";

fn credential(f: &mut Fixture, name: &str, n: u8) -> CredentialId {
    match f.ok_op(Action::RegisterCredential {
        token_hash: [n; 32],
        principal: officer(name),
    }) {
        Success::CredentialRegistered { credential } => credential,
        other => panic!("{other:?}"),
    }
}

fn propose(credential: CredentialId, party: PartySide) -> Action {
    Action::ProposeFalsePositive(Box::new(FalsePositiveProposal {
        payment: pid(1),
        party,
        list: "un".into(),
        reference: "KPi.033".into(),
        entry_fingerprint: FINGERPRINT.into(),
        note: "creditor is a Nairobi pensioner, born 1951, not the listed person".into(),
        credential,
    }))
}

fn confirm(id: u64, credential: CredentialId) -> Action {
    Action::ConfirmFalsePositive {
        false_positive: FalsePositiveId(id),
        credential,
    }
}

/// A payment A → B to "Bob Creditor" whose hit (KPi.033 on the creditor) is cleared by `fp`.
fn cleared_payment(
    id: u128,
    fp: u64,
    fingerprint: &str,
    creditor: &str,
) -> CreatePaymentWithParties {
    let mut instruction = instruction(id, A, B, 1_000, eur());
    instruction.creditor.name = creditor.into();
    let hit = hit().hits.remove(0);
    CreatePaymentWithParties {
        payment: CreatePayment {
            instruction,
            expires_at: u64::MAX / 2,
            screening: clear(),
        },
        parties: RelatedParties::default(),
        cleared: vec![ClearedHit {
            hit,
            false_positive: FalsePositiveId(fp),
            entry_fingerprint: fingerprint.into(),
        }],
    }
}

fn create(f: &mut Fixture, mut create: CreatePaymentWithParties) -> Outcome {
    create.payment.expires_at = f.now + 60 * SECOND;
    f.run(
        participant(A),
        Action::CreatePaymentWithParties(Box::new(create)),
    )
}

#[test]
fn two_officers_clear_a_customer_for_one_entry_and_nothing_else() {
    let mut f = Fixture::new();
    let out = f.create(instruction(1, A, B, 30_000, eur()), hit());
    assert_eq!(payment_status(&out), PaymentStatus::Held);
    let ann = credential(&mut f, "ann", 1);
    let ann_again = credential(&mut f, "ann", 2);
    let bob = credential(&mut f, "bob", 3);

    // Proposals: officers only, with their own credential, on a hit the payment has, on a
    // party's name.
    let rows: Vec<(Principal, Action, &str)> = vec![
        (
            participant(A),
            propose(ann, PartySide::Creditor),
            "forbidden_not_compliance_officer",
        ),
        (
            officer("bob"),
            propose(ann, PartySide::Creditor),
            "credential_not_of_actor",
        ),
        (
            officer("ann"),
            propose(ann, PartySide::Debtor),
            "false_positive_hit_not_found",
        ),
    ];
    for (actor, action, expected) in rows {
        assert_eq!(code(&f.run(actor, action)), expected);
    }
    let Success::FalsePositive(record) = f
        .run(officer("ann"), propose(ann, PartySide::Creditor))
        .unwrap()
    else {
        panic!("no record");
    };
    assert_eq!(record.id, FalsePositiveId(1));
    assert_eq!(
        (record.participant, record.party_name.as_str()),
        (B, "Bob Creditor")
    );
    assert!(!record.in_force());

    // Not yet in force: a cleared hit is refused.
    let refused = create(&mut f, cleared_payment(2, 1, FINGERPRINT, "Bob Creditor"));
    assert_eq!(code(&refused), "false_positive_not_applicable");

    // Four eyes: not the proposer's credential, nor another credential of the same name.
    assert_eq!(
        code(&f.run(officer("ann"), confirm(1, ann))),
        "four_eyes_same_officer"
    );
    assert_eq!(
        code(&f.run(officer("ann"), confirm(1, ann_again))),
        "four_eyes_same_officer"
    );
    assert_eq!(
        code(&f.run(officer("bob"), confirm(9, bob))),
        "false_positive_not_found"
    );
    assert_eq!(code(&f.run(officer("bob"), confirm(1, bob))), "ok");
    assert_eq!(
        code(&f.run(officer("bob"), confirm(1, bob))),
        "false_positive_already_confirmed"
    );
    assert!(f.hub.false_positive(FalsePositiveId(1)).unwrap().in_force());

    // In force: the same customer of the same participant is no longer held for this entry,
    // and the trail says why.
    let out = create(&mut f, cleared_payment(2, 1, FINGERPRINT, "Bob Creditor"));
    assert_eq!(payment_status(&out), PaymentStatus::Reserved);
    let p = f.hub.payment(pid(2)).unwrap();
    assert!(p.history.iter().any(|s| s.kind
        == StepKind::HitsCleared {
            false_positives: vec![FalsePositiveId(1)]
        }));
    assert_eq!(f.hub.cleared_hits(pid(2)).len(), 1);

    // Another name, another entry version, another participant's customer: refused.
    for (id, fingerprint, creditor) in [
        (3, FINGERPRINT, "Bob Creditor Jr"),
        (4, "blake3:entry-v2", "Bob Creditor"),
    ] {
        let out = create(&mut f, cleared_payment(id, 1, fingerprint, creditor));
        assert_eq!(code(&out), "false_positive_not_applicable", "payment {id}");
    }
    let mut to_c = cleared_payment(5, 1, FINGERPRINT, "Bob Creditor");
    to_c.payment.instruction.creditor_participant = C;
    assert_eq!(code(&create(&mut f, to_c)), "false_positive_not_applicable");
    let mut on_debtor = cleared_payment(6, 1, FINGERPRINT, "Bob Creditor");
    on_debtor.cleared[0].hit.party = PartySide::Debtor;
    assert_eq!(
        code(&create(&mut f, on_debtor)),
        "false_positive_not_applicable"
    );

    // Revoked (one officer, or the operator, may always tighten): no longer applies.
    assert_eq!(
        code(&f.run(
            participant(B),
            Action::RevokeFalsePositive {
                false_positive: FalsePositiveId(1)
            }
        )),
        "forbidden_not_compliance_officer"
    );
    f.ok_op(Action::RevokeFalsePositive {
        false_positive: FalsePositiveId(1),
    });
    let out = create(&mut f, cleared_payment(7, 1, FINGERPRINT, "Bob Creditor"));
    assert_eq!(code(&out), "false_positive_not_applicable");
    assert_eq!(
        code(&f.run(officer("bob"), confirm(1, bob))),
        "false_positive_revoked"
    );
}

#[test]
fn only_party_names_can_be_false_positives() {
    let mut f = Fixture::new();
    let mut verdict = hit();
    verdict.hits[0].party = PartySide::RemittanceInformation;
    f.create(instruction(1, A, B, 1_000, eur()), verdict)
        .unwrap();
    let ann = credential(&mut f, "ann", 1);
    assert_eq!(
        code(&f.run(
            officer("ann"),
            propose(ann, PartySide::RemittanceInformation)
        )),
        "false_positive_field_not_a_party"
    );
}
