//! Property tests: random command sequences from every role (payments, holds, FX, windows,
//! operator actions) keep all invariants (checked after every batch by the fixture), replaying
//! the same batches gives identical snapshot bytes, and a snapshot decodes to an equal state.
//! A coverage test checks that the generator reaches every success path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;
use journal::StateMachine;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::BTreeSet;

fn actor() -> impl Strategy<Value = Principal> {
    prop_oneof![
        4 => (1u64..=4).prop_map(|p| participant(ParticipantId(p))),
        1 => Just(Principal::Operator),
        1 => prop_oneof![Just(officer("ann")), Just(officer("bob"))],
        1 => Just(Principal::Auditor),
    ]
}

/// Mostly the role that may act, sometimes anyone (so refusals stay covered).
fn officer_actor() -> BoxedStrategy<Principal> {
    prop_oneof![6 => prop_oneof![Just(officer("ann")), Just(officer("bob"))], 1 => actor()].boxed()
}

fn operator_actor() -> BoxedStrategy<Principal> {
    prop_oneof![6 => Just(Principal::Operator), 1 => actor()].boxed()
}

fn bank_actor() -> BoxedStrategy<Principal> {
    prop_oneof![6 => (1u64..=3).prop_map(|p| participant(ParticipantId(p))), 1 => actor()].boxed()
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
    (1u128..=6).prop_map(pid)
}

/// Return ids: mostly fresh, sometimes colliding with a payment id.
fn return_id() -> impl Strategy<Value = PaymentId> {
    prop_oneof![4 => (20u128..=40).prop_map(pid), 1 => payment()]
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
        })
        .boxed();
    // Creates whose creditor hit is cleared by a false positive (in force or not).
    let cleared = (create.clone(), 1u64..=3).prop_map(|((actor, action), fp)| {
        let Action::CreatePayment(create) = action else {
            return (actor, action);
        };
        let cleared = vec![ClearedHit {
            hit: hit().hits.remove(0),
            false_positive: FalsePositiveId(fp),
            entry_fingerprint: FINGERPRINT.into(),
        }];
        let with = CreatePaymentWithParties {
            payment: *create,
            parties: RelatedParties::default(),
            cleared,
        };
        (actor, Action::CreatePaymentWithParties(Box::new(with)))
    });
    let false_positives = prop_oneof![
        2 => (officer_actor(), payment(), prop_oneof![Just(PartySide::Creditor), Just(PartySide::Debtor)], 1u64..=3)
            .prop_map(|(a, payment, party, credential)| (
                a,
                Action::ProposeFalsePositive(Box::new(FalsePositiveProposal {
                    payment,
                    party,
                    list: "un".into(),
                    reference: "KPi.033".into(),
                    entry_fingerprint: FINGERPRINT.into(),
                    note: "not the listed person".into(),
                    credential: CredentialId(credential),
                }))
            )),
        2 => (officer_actor(), 1u64..=4, 1u64..=3).prop_map(|(a, id, credential)| (
            a,
            Action::ConfirmFalsePositive {
                false_positive: FalsePositiveId(id),
                credential: CredentialId(credential),
            }
        )),
        1 => (officer_actor(), 1u64..=4).prop_map(|(a, id)| (
            a,
            Action::RevokeFalsePositive { false_positive: FalsePositiveId(id) }
        )),
        3 => cleared,
    ];
    let other = prop_oneof![
        4 => (bank_actor(), payment()).prop_map(|(a, payment)| (a, Action::AcceptPayment { payment })),
        1 => (bank_actor(), payment(), reason())
            .prop_map(|(a, payment, reason)| (a, Action::RejectPayment { payment, reason })),
        3 => (bank_actor(), payment(), return_id(), reason()).prop_map(
            |(a, payment, return_id, reason)| {
                (
                    a,
                    Action::ReturnPayment {
                        payment,
                        return_id,
                        reason,
                    },
                )
            }
        ),
        // Ids up to 10 also meet the KES cycles (committed at once by gridlock release).
        1 => (bank_actor(), (1u128..=10).prop_map(pid), reason())
            .prop_map(|(a, payment, reason)| (a, Action::CancelPayment { payment, reason })),
        1 => (officer_actor(), payment()).prop_map(|(a, payment)| (a, Action::ReviewHold { payment })),
        1 => (officer_actor(), payment()).prop_map(|(a, payment)| (a, Action::ReleaseHold { payment })),
        1 => (officer_actor(), payment()).prop_map(|(a, payment)| (a, Action::RejectHold { payment })),
        1 => (actor(), 1u64..=5).prop_map(|(a, p)| (
            a,
            Action::SuspendParticipant {
                participant: ParticipantId(p)
            }
        )),
        1 => (operator_actor(), 1u64..=5).prop_map(|(a, p)| (
            a,
            Action::ReactivateParticipant {
                participant: ParticipantId(p)
            }
        )),
        1 => (operator_actor(), 1u64..=5).prop_map(|(a, p)| (
            a,
            Action::SanctionParticipant(Box::new(ParticipantSanction {
                participant: ParticipantId(p),
                screening: hit(),
            }))
        )),
        1 => (operator_actor(), 1u64..=4, currency(), 0u128..200_000).prop_map(|(a, p, currency, cap)| {
            (
                a,
                Action::SetNetDebitCap {
                    participant: ParticipantId(p),
                    currency,
                    cap,
                },
            )
        }),
        1 => (operator_actor(), 1u64..=4, currency(), any::<bool>(), amount()).prop_map(
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
    ]
    .boxed();
    let fx = prop_oneof![
        (1u64..=3, 1u128..=4, any::<bool>(), 1u64..60).prop_map(|(who, q, eur_source, valid_s)| {
            let (source_currency, target_currency) = if eur_source {
                (eur(), kes())
            } else {
                (kes(), eur())
            };
            let request = QuoteRequest {
                quote_id: quote_id(q),
                provider: D,
                source_currency,
                target_currency,
                source_amount: q * 1_000,
                // Relative seconds; made absolute when the batch is built.
                expires_at: valid_s,
            };
            (
                participant(ParticipantId(who)),
                Action::RequestQuote(request),
            )
        }),
        (
            1u64..=3,
            1u64..=3,
            1u128..=4,
            any::<bool>(),
            verdict(),
            payment(),
            1u64..120
        )
            .prop_map(|(from, to, q, eur_source, screening, id, expiry_s)| {
                let currency = if eur_source { eur() } else { kes() };
                let mut ins = instruction(
                    id.as_u128(),
                    ParticipantId(from),
                    ParticipantId(to),
                    q * 1_000,
                    currency,
                );
                ins.payment_id = id;
                ins.fx_quote = Some(quote_id(q));
                let create = CreatePayment {
                    instruction: ins,
                    expires_at: expiry_s,
                    screening,
                };
                (
                    participant(ParticipantId(from)),
                    Action::CreatePayment(Box::new(create)),
                )
            }),
        (
            actor(),
            prop_oneof![Just("1.5"), Just("140.25"), Just("0.0071")],
            0u16..1_200
        )
            .prop_map(|(a, r, spread_bp)| {
                (
                    a,
                    Action::PublishRate {
                        base: eur(),
                        quote: kes(),
                        rate: r.parse().unwrap(),
                        spread_bp,
                    },
                )
            }),
    ];
    let windows = prop_oneof![
        (operator_actor(), currency(), any::<bool>()).prop_map(|(a, currency, direct)| {
            let mode = if direct {
                InstructionMode::Direct
            } else {
                InstructionMode::ViaSettlementAccount
            };
            (a, Action::CloseWindow { currency, mode })
        }),
        (actor(), 1u64..=5).prop_map(|(a, w)| (
            a,
            Action::SettleWindow {
                window: WindowId(w)
            }
        )),
        (actor(), 1u64..=5).prop_map(|(a, w)| (
            a,
            Action::AbortWindow {
                window: WindowId(w)
            }
        )),
    ];
    let queue = (operator_actor(), currency(), prop::bool::weighted(0.8))
        .prop_map(|(a, currency, enabled)| (a, Action::SetLiquidityQueue { currency, enabled }));
    // Same-amount KES payments among the banks, with ids partly shared with `payment()`:
    // they queue and form offsetting cycles.
    let cycle =
        (1u64..=3, 1u64..=3, 5u128..=10, 30u64..120).prop_map(|(from, to, id, expiry_s)| {
            let create = CreatePayment {
                instruction: instruction(id, ParticipantId(from), ParticipantId(to), 1_000, kes()),
                expires_at: expiry_s,
                screening: clear(),
            };
            (
                participant(ParticipantId(from)),
                Action::CreatePayment(Box::new(create)),
            )
        });
    // A bank's message: a few actions applied as the sender (its payments made the sender's),
    // MsgIds from a small set so resends (refused whole) are common.
    let message = (
        1u64..=3,
        1u8..=4,
        prop::collection::vec(prop_oneof![create.clone(), other.clone()], 0..4),
    )
        .prop_map(|(sender, m, inner)| {
            let sender = ParticipantId(sender);
            let actions = inner
                .into_iter()
                .map(|(_, action)| match action {
                    Action::CreatePayment(mut c) => {
                        c.instruction.debtor_participant = sender;
                        Action::CreatePayment(c)
                    }
                    other => other,
                })
                .collect();
            let msg_id = format!("MSG-{m}");
            (
                participant(sender),
                Action::ReceiveMessage { msg_id, actions },
            )
        });
    prop_oneof![
        3 => create,
        5 => other,
        2 => fx,
        1 => windows,
        1 => queue,
        1 => cycle,
        1 => message,
        1 => false_positives,
    ]
}

/// The entry fingerprint the generated false positives and cleared hits name.
const FINGERPRINT: &str = "blake3:entry";

const D: ParticipantId = ParticipantId(4);

fn quote_id(q: u128) -> QuoteId {
    pid(1_000 + q)
}

/// The fixture plus an FX provider with funds in both currencies and a published rate, and the
/// KES liquidity queue enabled with A holding 100.00 KES.
fn setup() -> Fixture {
    let mut f = Fixture::new();
    f.ok_op(Action::SetNetDebitCap {
        participant: D,
        currency: eur(),
        cap: 1_000_000,
    });
    f.ok_op(Action::RecordLiquidity {
        participant: D,
        currency: kes(),
        direction: LiquidityDirection::Deposit,
        amount: 100_000_000,
    });
    let rate = Action::PublishRate {
        base: eur(),
        quote: kes(),
        rate: "140.25".parse().unwrap(),
        spread_bp: 30,
    };
    f.run(participant(D), rate).unwrap();
    // Queued from the start and A short of KES, so queue paths (gridlock releases included)
    // are common; the generator may disable the queue.
    f.ok_op(Action::RecordLiquidity {
        participant: A,
        currency: kes(),
        direction: LiquidityDirection::Withdrawal,
        amount: 40_000,
    });
    f.ok_op(Action::SetLiquidityQueue {
        currency: kes(),
        enabled: true,
    });
    // Credentials 1 and 2 are ann's and bob's, so false positives can be proposed and
    // confirmed; 3 is nobody's officer credential.
    for (n, who) in [
        (1u8, officer("ann")),
        (2, officer("bob")),
        (3, Principal::Auditor),
    ] {
        f.ok_op(Action::RegisterCredential {
            token_hash: [n; 32],
            principal: who,
        });
    }
    f
}

/// Batches of commands with the time step before each batch (seconds).
fn batches() -> impl Strategy<Value = Vec<(u64, Vec<(Principal, Action)>)>> {
    prop::collection::vec((0u64..40, prop::collection::vec(action(), 0..8)), 1..40)
}

/// Builds absolute commands: a create's `expires_at` is relative seconds from the batch time.
fn absolute(now: u64, commands: &[(Principal, Action)]) -> Vec<Command> {
    commands
        .iter()
        .map(|(actor, action)| Command::new(actor.clone(), absolute_action(now, action)))
        .collect()
}

fn absolute_action(now: u64, action: &Action) -> Action {
    match action {
        Action::CreatePayment(c) => {
            let mut c = c.clone();
            c.expires_at = now + c.expires_at * SECOND;
            Action::CreatePayment(c)
        }
        Action::CreatePaymentWithParties(c) => {
            let mut c = c.clone();
            c.payment.expires_at = now + c.payment.expires_at * SECOND;
            Action::CreatePaymentWithParties(c)
        }
        Action::RequestQuote(r) => {
            let mut r = r.clone();
            r.expires_at = now + r.expires_at * SECOND;
            Action::RequestQuote(r)
        }
        Action::ReceiveMessage { msg_id, actions } => Action::ReceiveMessage {
            msg_id: msg_id.clone(),
            actions: actions.iter().map(|a| absolute_action(now, a)).collect(),
        },
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_commands_keep_invariants_and_replay_identically(
        batches in batches(),
        split in any::<prop::sample::Index>(),
    ) {
        let mut f = setup();
        let setup_now = f.now;
        let mut log = Vec::new();
        for (step_s, commands) in &batches {
            f.now += step_s * SECOND;
            let commands = absolute(f.now, commands);
            // `batch` first applies an empty batch at the same time (the expiry pass alone):
            // the sequencer journals every batch it applies, so the replay log has it too. It
            // matters: a queue release the ledger refuses (e.g. amounts that would overflow)
            // still consumes ledger timestamps on every pass.
            log.push((f.now, Vec::new()));
            log.push((f.now, commands.clone()));
            f.batch(commands); // checks invariants after every batch
        }
        // Replay: the fixture's setup, then the same batches, on a fresh hub.
        // Replay with a snapshot round trip at a random point (as recovery does).
        let mut replay = setup();
        prop_assert_eq!(replay.now, setup_now);
        let split = split.index(log.len() + 1);
        for (i, (now, commands)) in log.iter().enumerate() {
            if i == split {
                let bytes = replay.hub.encode_snapshot();
                replay.hub = Hub::decode_snapshot(&bytes).map_err(TestCaseError::fail)?;
            }
            replay.hub.apply(*now, commands);
        }
        let bytes = f.hub.encode_snapshot();
        prop_assert_eq!(&bytes, &replay.hub.encode_snapshot());
        let decoded = Hub::decode_snapshot(&bytes).map_err(TestCaseError::fail)?;
        prop_assert!(decoded == f.hub);
        prop_assert_eq!(decoded.encode_snapshot(), bytes);
    }
}

/// The generator must reach every success path, or the property above proves little.
#[test]
fn generator_reaches_every_success_path() {
    let mut runner = TestRunner::deterministic();
    let mut succeeded = BTreeSet::new();
    for _ in 0..500 {
        let batches = batches().new_tree(&mut runner).unwrap().current();
        let mut f = setup();
        for (step_s, commands) in &batches {
            f.now += step_s * SECOND;
            let commands = absolute(f.now, commands);
            for (command, outcome) in commands.iter().zip(f.batch(commands.clone())) {
                if let (
                    Action::ReceiveMessage { actions, .. },
                    Ok(Success::MessageReceived { outcomes }),
                ) = (&command.action, &outcome)
                {
                    // Reached only when a payment inside a message was created.
                    let created = actions
                        .iter()
                        .zip(outcomes)
                        .any(|(a, o)| matches!(a, Action::CreatePayment(_)) && o.is_ok());
                    if created {
                        succeeded.insert("receive_message");
                    }
                    continue;
                }
                if outcome.is_ok() {
                    let fx = matches!(&command.action, Action::CreatePayment(c) if c.instruction.fx_quote.is_some());
                    succeeded.insert(if fx {
                        "create_fx_payment"
                    } else {
                        command.action.name()
                    });
                }
            }
            // The queue's paths show in the payments, not in the outcomes.
            let all = PaymentFilter {
                limit: PAGE_LIMIT_MAX,
                ..PaymentFilter::default()
            };
            for p in f.hub.payments(&Principal::Operator, &all).payments {
                let step = |kind: StepKind| p.history.iter().any(|s| s.kind == kind);
                let offset = p.legs.iter().any(|l| l.from == SCHEME || l.to == SCHEME);
                for (reached, name) in [
                    (p.status == PaymentStatus::Queued, "queued"),
                    (
                        step(StepKind::Queued) && step(StepKind::Reserved),
                        "queue_fifo_release",
                    ),
                    (offset && p.return_of.is_none(), "queue_gridlock_release"),
                    (
                        step(StepKind::Queued) && p.status == PaymentStatus::Expired,
                        "queue_expiry",
                    ),
                ] {
                    if reached {
                        succeeded.insert(name);
                    }
                }
            }
        }
    }
    let wanted = [
        "create_payment",
        "create_fx_payment",
        "accept_payment",
        "reject_payment",
        "return_payment",
        "review_hold",
        "release_hold",
        "reject_hold",
        "request_quote",
        "publish_rate",
        "close_window",
        "settle_window",
        "abort_window",
        "suspend_participant",
        "reactivate_participant",
        "set_net_debit_cap",
        "record_liquidity",
        "set_liquidity_queue",
        // A cancel reaching a committed payment (a return request, no ledger effect) is rare
        // here; tests/cancel.rs covers it.
        "cancel_payment",
        "receive_message",
        "queued",
        "queue_fifo_release",
        "queue_gridlock_release",
        "queue_expiry",
    ];
    let missing: Vec<_> = wanted.iter().filter(|w| !succeeded.contains(*w)).collect();
    assert!(missing.is_empty(), "never succeeded: {missing:?}");
}
