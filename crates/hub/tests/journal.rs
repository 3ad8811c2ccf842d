//! The hub through the real journal: commands are journalled (postcard), a restart recovers the
//! same state, and `journal::verify` replays it from genesis with every invariant holding.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;
use journal::{Sequencer, SequencerConfig, StateMachine, verify};

fn config() -> SequencerConfig {
    SequencerConfig {
        tick_interval: None,
        snapshot_every_records: 3,
        ..SequencerConfig::default()
    }
}

fn setup_commands() -> Vec<Command> {
    let op = |action| Command::new(Principal::Operator, action);
    let mut commands = vec![
        op(Action::RegisterCredential {
            token_hash: [1; 32],
            principal: Principal::Operator,
        }),
        op(Action::AddCurrency {
            currency: eur(),
            exponent: 2,
            model: SettlementModel::DeferredNet,
        }),
        op(Action::AddCurrency {
            currency: kes(),
            exponent: 2,
            model: SettlementModel::Gross,
        }),
    ];
    for (name, bic) in [("Alpha", "ALPHKENA"), ("Beta", "BETADEFF")] {
        commands.push(op(Action::AdmitParticipant {
            name: name.into(),
            bic: Bic::new(bic).unwrap(),
            country: CountryCode::new(&bic[4..6]).unwrap(),
            roles: Roles {
                participant: true,
                fx_provider: false,
            },
        }));
    }
    commands.push(op(Action::SetNetDebitCap {
        participant: A,
        currency: eur(),
        cap: 1_000_000,
    }));
    commands
}

#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the test plays the sequencer, which reads the clock"
)]
fn wall_clock_ns() -> u64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    u64::try_from(since_epoch.as_nanos()).unwrap()
}

fn create(id: u128, verdict: ScreeningVerdict) -> Command {
    Command::new(
        participant(A),
        Action::CreatePayment(Box::new(CreatePayment {
            instruction: instruction(id, A, B, 1_000 * id, eur()),
            // The sequencer stamps batches with the wall clock.
            expires_at: wall_clock_ns() + 3_600 * SECOND,
            screening: verdict,
        })),
    )
}

#[test]
fn journalled_hub_survives_restart_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let sequencer = Sequencer::<Hub>::start(dir.path(), config()).unwrap();
    let handle = sequencer.handle();
    let outcomes = handle.submit_many_blocking(setup_commands()).unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    let payments: Vec<Command> = (1..=5).map(|id| create(id, clear())).collect();
    assert!(
        handle
            .submit_many_blocking(payments)
            .unwrap()
            .iter()
            .all(Result::is_ok)
    );
    for id in 1..=3 {
        let accept = Command::new(participant(B), Action::AcceptPayment { payment: pid(id) });
        handle.submit_blocking(accept).unwrap().unwrap();
    }
    handle.submit_blocking(create(6, hit())).unwrap().unwrap();
    let close = Command::new(
        Principal::Operator,
        Action::CloseWindow {
            currency: eur(),
            mode: InstructionMode::ViaSettlementAccount,
        },
    );
    handle.submit_blocking(close).unwrap().unwrap();
    let before = handle
        .read_blocking(|hub: &Hub| hub.encode_snapshot())
        .unwrap();
    sequencer.shutdown().unwrap();

    let sequencer = Sequencer::<Hub>::start(dir.path(), config()).unwrap();
    let handle = sequencer.handle();
    let after = handle
        .read_blocking(|hub: &Hub| hub.encode_snapshot())
        .unwrap();
    assert_eq!(before, after, "restart rebuilt a different state");
    let principal = handle
        .read_blocking(|hub: &Hub| hub.principal_for_token_hash(&[1; 32]))
        .unwrap();
    assert_eq!(principal, Some(Principal::Operator));
    sequencer.shutdown().unwrap();

    let report = verify::<Hub>(dir.path()).unwrap();
    assert_eq!(report.kind, "hub");
    assert_eq!(report.commands, 6 + 5 + 3 + 1 + 1);
    assert!(report.snapshots_checked >= 1);
}
