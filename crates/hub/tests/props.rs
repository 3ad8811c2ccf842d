//! Property tests: random command sequences from every role keep all invariants (checked after
//! every batch by the fixture), replaying the same batches gives identical snapshot bytes, and a
//! snapshot decodes to an equal state.

mod common;

use common::*;
use hub::*;
use journal::StateMachine;
use proptest::prelude::*;

fn actor() -> impl Strategy<Value = Principal> {
    prop_oneof![
        4 => (1u64..=4).prop_map(|p| participant(ParticipantId(p))),
        1 => Just(Principal::Operator),
        1 => prop_oneof![Just(officer("ann")), Just(officer("bob"))],
        1 => Just(Principal::Auditor),
    ]
}

fn currency() -> impl Strategy<Value = CurrencyCode> {
    prop_oneof![
        Just(eur()),
        Just(kes()),
        Just(CurrencyCode::new("USD").unwrap())
    ]
}

fn reason() -> impl Strategy<Value = Reason> {
    (0..Reason::ALL.len()).prop_map(|i| Reason::ALL[i])
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![8 => 1u128..60_000, 1 => Just(0u128), 1 => Just(u128::MAX)]
}

fn verdict() -> impl Strategy<Value = ScreeningVerdict> {
    prop_oneof![
        6 => Just(clear()),
        3 => Just(hit()),
        1 => Just(ScreeningVerdict { lists: vec![], hits: vec![] }),
    ]
}

/// Payment ids from a small range so that duplicates, decisions and returns meet.
fn payment() -> impl Strategy<Value = PaymentId> {
    (1u128..=12).prop_map(pid)
}

fn action() -> impl Strategy<Value = (Principal, Action)> {
    let create = (
        1u64..=4,
        1u64..=4,
        amount(),
        currency(),
        verdict(),
        payment(),
        1u64..120,
    )
        .prop_map(|(from, to, amount, currency, screening, id, expiry_s)| {
            let mut ins = instruction(
                id.as_u128(),
                ParticipantId(from),
                ParticipantId(to),
                amount,
                currency,
            );
            ins.payment_id = id;
            let create = CreatePayment {
                instruction: ins,
                // Relative seconds; made absolute when the batch is built.
                expires_at: expiry_s,
                screening,
            };
            (
                participant(ParticipantId(from)),
                Action::CreatePayment(Box::new(create)),
            )
        });
    let other = prop_oneof![
        (actor(), payment()).prop_map(|(a, payment)| (a, Action::AcceptPayment { payment })),
        (actor(), payment(), reason())
            .prop_map(|(a, payment, reason)| (a, Action::RejectPayment { payment, reason })),
        (actor(), payment(), payment(), reason()).prop_map(|(a, payment, return_id, reason)| {
            (
                a,
                Action::ReturnPayment {
                    payment,
                    return_id,
                    reason,
                },
            )
        }),
        (actor(), payment()).prop_map(|(a, payment)| (a, Action::ReviewHold { payment })),
        (actor(), payment()).prop_map(|(a, payment)| (a, Action::ReleaseHold { payment })),
        (actor(), payment()).prop_map(|(a, payment)| (a, Action::RejectHold { payment })),
        (actor(), 1u64..=5).prop_map(|(a, p)| (
            a,
            Action::SuspendParticipant {
                participant: ParticipantId(p)
            }
        )),
        (actor(), 1u64..=5).prop_map(|(a, p)| (
            a,
            Action::ReactivateParticipant {
                participant: ParticipantId(p)
            }
        )),
        (actor(), 1u64..=4, currency(), 0u128..200_000).prop_map(|(a, p, currency, cap)| {
            (
                a,
                Action::SetNetDebitCap {
                    participant: ParticipantId(p),
                    currency,
                    cap,
                },
            )
        }),
        (actor(), 1u64..=4, currency(), any::<bool>(), amount()).prop_map(
            |(a, p, currency, deposit, amount)| {
                let direction = if deposit {
                    LiquidityDirection::Deposit
                } else {
                    LiquidityDirection::Withdrawal
                };
                (
                    a,
                    Action::RecordLiquidity {
                        participant: ParticipantId(p),
                        currency,
                        direction,
                        amount,
                    },
                )
            }
        ),
    ];
    prop_oneof![3 => create, 5 => other]
}

/// Batches of commands with the time step before each batch (seconds).
fn batches() -> impl Strategy<Value = Vec<(u64, Vec<(Principal, Action)>)>> {
    prop::collection::vec((0u64..40, prop::collection::vec(action(), 0..8)), 1..40)
}

/// Builds absolute commands: a create's `expires_at` is relative seconds from the batch time.
fn absolute(now: u64, commands: &[(Principal, Action)]) -> Vec<Command> {
    commands
        .iter()
        .map(|(actor, action)| {
            let action = match action {
                Action::CreatePayment(c) => {
                    let mut c = c.clone();
                    c.expires_at = now + c.expires_at * SECOND;
                    Action::CreatePayment(c)
                }
                other => other.clone(),
            };
            Command::new(actor.clone(), action)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_commands_keep_invariants_and_replay_identically(batches in batches()) {
        let mut f = Fixture::new();
        let setup_now = f.now;
        let mut log = Vec::new();
        for (step_s, commands) in &batches {
            f.now += step_s * SECOND;
            let commands = absolute(f.now, commands);
            log.push((f.now, commands.clone()));
            f.batch(commands); // checks invariants after every batch
        }
        // Replay: the fixture's setup, then the same batches, on a fresh hub.
        let mut replay = Fixture::new();
        prop_assert_eq!(replay.now, setup_now);
        for (now, commands) in &log {
            replay.hub.apply(*now, commands);
        }
        let bytes = f.hub.encode_snapshot();
        prop_assert_eq!(&bytes, &replay.hub.encode_snapshot());
        let decoded = Hub::decode_snapshot(&bytes).map_err(TestCaseError::fail)?;
        prop_assert!(decoded == f.hub);
        prop_assert_eq!(decoded.encode_snapshot(), bytes);
    }
}
