//! `ReceiveMessage`: a participant's message applied as one unit, its MsgId recorded so a
//! resend is refused whole, also after the journal is replayed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

fn create(id: u128, from: ParticipantId, to: ParticipantId, amount: u128) -> Action {
    Action::CreatePayment(Box::new(CreatePayment {
        instruction: instruction(id, from, to, amount, eur()),
        expires_at: T0 + 3_600 * SECOND,
        screening: clear(),
    }))
}

fn message(msg_id: &str, actions: Vec<Action>) -> Action {
    Action::ReceiveMessage {
        msg_id: msg_id.into(),
        actions,
    }
}

fn outcomes(outcome: Outcome) -> Vec<Outcome> {
    match outcome {
        Ok(Success::MessageReceived { outcomes }) => outcomes,
        other => panic!("expected a received message, got {other:?}"),
    }
}

#[test]
fn each_action_has_its_own_outcome_and_the_payments_are_recorded() {
    let mut f = Fixture::new();
    // The second payment exceeds A's net debit cap: refused alone, the others apply.
    let got = outcomes(f.run(
        participant(A),
        message(
            "MSG-1",
            vec![
                create(1, A, B, 100),
                create(2, A, B, 900_000),
                create(3, A, B, 50),
            ],
        ),
    ));
    assert_eq!(got.len(), 3);
    assert_eq!(payment_status(&got[0]), PaymentStatus::Reserved);
    assert_eq!(
        got[1].as_ref().map_err(HubError::code),
        Err("insufficient_funds")
    );
    assert_eq!(payment_status(&got[2]), PaymentStatus::Reserved);
    assert_eq!(f.hub.message(A, "MSG-1"), Some(&[pid(1), pid(3)][..]));
    assert_eq!(
        f.hub.messages_named("MSG-1"),
        vec![(A, &[pid(1), pid(3)][..])]
    );
    assert_eq!(f.hub.message(B, "MSG-1"), None, "MsgIds are per sender");
}

#[test]
fn a_used_msg_id_refuses_the_whole_message() {
    let mut f = Fixture::new();
    outcomes(f.run(participant(A), message("MSG-1", vec![create(1, A, B, 100)])));
    let balance = f.balance(A, eur());
    let again = f.run(
        participant(A),
        message("MSG-1", vec![create(2, A, B, 100), create(3, A, B, 100)]),
    );
    assert_eq!(
        again.as_ref().map_err(HubError::code),
        Err("duplicate_message_id")
    );
    assert!(f.hub.payment(pid(2)).is_none() && f.hub.payment(pid(3)).is_none());
    assert_eq!(f.balance(A, eur()), balance);
    assert_eq!(f.hub.message(A, "MSG-1"), Some(&[pid(1)][..]));
    // Another sender may use the same MsgId.
    outcomes(f.run(participant(B), message("MSG-1", vec![create(4, B, A, 10)])));
    assert_eq!(f.hub.messages_named("MSG-1").len(), 2);
}

#[test]
fn a_message_whose_actions_all_fail_still_uses_its_msg_id() {
    let mut f = Fixture::new();
    let got = outcomes(f.run(
        participant(B),
        message("ACK-1", vec![Action::AcceptPayment { payment: pid(9) }]),
    ));
    assert_eq!(
        got[0].as_ref().map_err(HubError::code),
        Err("payment_not_found")
    );
    assert_eq!(f.hub.message(B, "ACK-1"), Some(&[][..]));
    let again = f.run(participant(B), message("ACK-1", vec![]));
    assert_eq!(again.map_err(|e| e.code()), Err("duplicate_message_id"));
}

#[test]
fn decisions_in_a_message_act_as_the_sender() {
    let mut f = Fixture::new();
    f.pay(1, A, B, 100).unwrap();
    f.pay(2, A, B, 200).unwrap();
    // A cannot accept its own outgoing payment; B can.
    let by_a = outcomes(f.run(
        participant(A),
        message("A-ACK", vec![Action::AcceptPayment { payment: pid(1) }]),
    ));
    assert_eq!(
        by_a[0].as_ref().map_err(HubError::code),
        Err("forbidden_not_creditor")
    );
    let by_b = outcomes(f.run(
        participant(B),
        message(
            "B-ACK",
            vec![
                Action::AcceptPayment { payment: pid(1) },
                Action::RejectPayment {
                    payment: pid(2),
                    reason: Reason::IncorrectAccountNumber,
                },
            ],
        ),
    ));
    assert_eq!(payment_status(&by_b[0]), PaymentStatus::Committed);
    assert_eq!(payment_status(&by_b[1]), PaymentStatus::Rejected);
    assert_eq!(f.status(1).0, PaymentStatus::Committed);
}

#[test]
fn malformed_messages_are_refused() {
    let mut f = Fixture::new();
    let cases = [
        (
            Principal::Operator,
            message("OP-1", vec![]),
            "forbidden_not_participant",
        ),
        (participant(A), message("", vec![]), "invalid_text"),
        (
            participant(A),
            message(&"M".repeat(36), vec![]),
            "invalid_text",
        ),
        (participant(A), message("BAD\n", vec![]), "invalid_text"),
        (
            participant(A),
            message("OUTER", vec![message("INNER", vec![create(1, A, B, 1)])]),
            "nested_message",
        ),
    ];
    for (actor, action, code) in cases {
        let got = f.run(actor, action);
        assert_eq!(got.map_err(|e| e.code()), Err(code));
    }
    assert!(f.hub.messages_named("OUTER").is_empty());
    assert!(f.hub.payment(pid(1)).is_none());
    // A refused message did not use its MsgId.
    outcomes(f.run(participant(A), message("OUTER", vec![])));
}

#[test]
fn used_msg_ids_survive_a_snapshot_round_trip() {
    use journal::StateMachine;
    let mut f = Fixture::new();
    outcomes(f.run(participant(A), message("MSG-1", vec![create(1, A, B, 100)])));
    let bytes = f.hub.encode_snapshot();
    f.hub = Hub::decode_snapshot(&bytes).expect("decodes");
    assert_eq!(f.hub.message(A, "MSG-1"), Some(&[pid(1)][..]));
    let again = f.run(participant(A), message("MSG-1", vec![]));
    assert_eq!(again.map_err(|e| e.code()), Err("duplicate_message_id"));
}

#[test]
fn a_message_with_too_many_actions_is_refused_whole() {
    let mut f = Fixture::new();
    let actions =
        vec![Action::AcceptPayment { payment: pid(1) }; hub::message::MESSAGE_ACTIONS_MAX + 1];
    let got = f.run(participant(B), message("BIG-1", actions));
    assert_eq!(got.map_err(|e| e.code()), Err("message_too_large"));
    assert_eq!(f.hub.message(B, "BIG-1"), None);
}
