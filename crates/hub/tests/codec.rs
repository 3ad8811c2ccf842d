//! Journal encoding: every `Action` variant round-trips through postcard, and each keeps its
//! variant index (the journal identifies variants by index: append-only, never reorder).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

/// One action of every variant, in declaration order (index = position).
fn every_action() -> Vec<Action> {
    let create = CreatePayment {
        instruction: instruction(1, A, B, 100, eur()),
        expires_at: T0,
        screening: hit(),
    };
    vec![
        Action::RegisterCredential {
            token_hash: [7; 32],
            principal: officer("ann"),
        },
        Action::RevokeCredential {
            credential: CredentialId(3),
        },
        Action::AddCurrency {
            currency: eur(),
            exponent: 2,
            model: SettlementModel::Gross,
        },
        Action::AdmitParticipant {
            name: "Alpha".into(),
            bic: Bic::new("ALPHKENA").unwrap(),
            country: CountryCode::new("KE").unwrap(),
            roles: Roles {
                participant: true,
                fx_provider: true,
            },
        },
        Action::SuspendParticipant { participant: A },
        Action::ReactivateParticipant { participant: A },
        Action::SetNetDebitCap {
            participant: A,
            currency: eur(),
            cap: u128::MAX,
        },
        Action::RecordLiquidity {
            participant: A,
            currency: kes(),
            direction: LiquidityDirection::Withdrawal,
            amount: 5,
        },
        Action::CreatePayment(Box::new(create)),
        Action::AcceptPayment { payment: pid(1) },
        Action::RejectPayment {
            payment: pid(1),
            reason: Reason::BlockedAccount,
        },
        Action::ReturnPayment {
            payment: pid(1),
            return_id: pid(2),
            reason: Reason::RequestedByCustomer,
        },
        Action::ReviewHold { payment: pid(1) },
        Action::ReleaseHold { payment: pid(1) },
        Action::RejectHold { payment: pid(1) },
        Action::PublishRate {
            base: eur(),
            quote: kes(),
            rate: "140.25".parse().unwrap(),
            spread_bp: 30,
        },
        Action::RequestQuote(QuoteRequest {
            quote_id: pid(9),
            provider: ParticipantId(4),
            source_currency: eur(),
            target_currency: kes(),
            source_amount: 10_000,
            expires_at: T0,
        }),
        Action::CloseWindow {
            currency: eur(),
            mode: InstructionMode::Direct,
        },
        Action::SettleWindow {
            window: WindowId(1),
        },
        Action::AbortWindow {
            window: WindowId(2),
        },
        Action::SetLiquidityQueue {
            currency: eur(),
            enabled: true,
        },
        Action::CancelPayment {
            payment: pid(1),
            reason: Reason::DuplicatePayment,
        },
        Action::ReceiveMessage {
            msg_id: "MSG-1".into(),
            actions: vec![Action::AcceptPayment { payment: pid(1) }],
        },
        Action::CreatePaymentWithParties(Box::new(CreatePaymentWithParties {
            payment: CreatePayment {
                instruction: instruction(2, A, B, 100, eur()),
                expires_at: T0,
                screening: hit(),
            },
            parties: related(),
            cleared: vec![ClearedHit {
                hit: hit().hits.remove(0),
                false_positive: FalsePositiveId(1),
                entry_fingerprint: "blake3:entry".into(),
            }],
        })),
        Action::ReviewHoldAs {
            payment: pid(1),
            credential: CredentialId(2),
        },
        Action::ReleaseHoldAs {
            payment: pid(1),
            credential: CredentialId(3),
        },
        Action::RejectHoldAs {
            payment: pid(1),
            credential: CredentialId(3),
        },
        Action::RecordListOverride(list_override("blake3:small")),
        Action::SanctionParticipant(Box::new(ParticipantSanction {
            participant: A,
            screening: hit(),
        })),
        Action::ProposeFalsePositive(Box::new(FalsePositiveProposal {
            payment: pid(1),
            party: PartySide::Creditor,
            list: "un".into(),
            reference: "KPi.033".into(),
            entry_fingerprint: "blake3:entry".into(),
            note: "not the listed person".into(),
            credential: CredentialId(2),
        })),
        Action::ConfirmFalsePositive {
            false_positive: FalsePositiveId(1),
            credential: CredentialId(3),
        },
        Action::RevokeFalsePositive {
            false_positive: FalsePositiveId(1),
        },
    ]
}

#[test]
fn every_action_round_trips_with_a_stable_variant_index() {
    let actions = every_action();
    let names: Vec<&str> = actions.iter().map(Action::name).collect();
    let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(
        unique.len(),
        actions.len(),
        "one action per variant: {names:?}"
    );
    for (index, action) in actions.into_iter().enumerate() {
        let command = Command::new(participant(A), action);
        let bytes = postcard::to_allocvec(&command).unwrap();
        // Principal::Participant is variant 1, then the id (1), then the action's index.
        assert_eq!(&bytes[..2], &[1, 1]);
        assert_eq!(usize::from(bytes[2]), index, "{}", command.action.name());
        let back: Command = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, command);
    }
}

#[test]
fn malformed_bytes_are_refused_not_misread() {
    let bytes = postcard::to_allocvec(&Command::new(Principal::Operator, every_action().remove(2)))
        .unwrap();
    assert!(postcard::from_bytes::<Command>(&bytes[..bytes.len() - 1]).is_err());
    // An unknown variant index (past the last one) is an error, not another command.
    let mut unknown = bytes.clone();
    unknown[1] = 120;
    assert!(postcard::from_bytes::<Command>(&unknown).is_err());
    // A currency code that fails validation is refused at decoding.
    let mut bad_code = bytes;
    let at = bad_code.windows(3).position(|w| w == b"EUR").unwrap();
    bad_code[at] = b'e';
    assert!(postcard::from_bytes::<Command>(&bad_code).is_err());
}

#[test]
fn a_snapshot_from_before_the_screening_state_is_refused_so_recovery_replays() {
    use journal::StateMachine;
    let mut f = Fixture::new();
    f.create(instruction(1, A, B, 100, eur()), clear()).unwrap();
    let bytes = f.hub.encode_snapshot();
    assert_eq!(Hub::decode_snapshot(&bytes).map(|h| h == f.hub), Ok(true));
    // Hubs before `related`, `hold_credentials` and `list_overrides` ended three (empty
    // collection) bytes earlier.
    assert_eq!(&bytes[bytes.len() - 3..], &[0, 0, 0]);
    assert!(Hub::decode_snapshot(&bytes[..bytes.len() - 3]).is_err());
}

fn list_override(version: &str) -> ListOverrideRecord {
    ListOverrideRecord {
        source: "un".into(),
        version: version.into(),
        entries: 1,
        generated: None,
        reason: "1 entry, fewer than 500".into(),
    }
}

#[test]
fn list_overrides_are_recorded_once_per_version_by_the_operator_only() {
    let mut f = Fixture::new();
    let record = Action::RecordListOverride(list_override("blake3:small"));
    assert_eq!(
        code(&f.run(participant(A), record.clone())),
        "forbidden_operator_only"
    );
    assert_eq!(
        f.ok_op(record.clone()),
        Success::ListOverrideRecorded {
            version: "blake3:small".into(),
            replayed: false
        }
    );
    assert_eq!(
        f.ok_op(record),
        Success::ListOverrideRecorded {
            version: "blake3:small".into(),
            replayed: true
        }
    );
    assert_eq!(f.hub.list_overrides().len(), 1);
    assert_eq!(
        f.hub.list_overrides()[0].record.reason,
        "1 entry, fewer than 500"
    );
    let mut blank = list_override("blake3:other");
    blank.reason = " ".into();
    assert_eq!(
        code(&f.run(Principal::Operator, Action::RecordListOverride(blank))),
        "invalid_text"
    );
}
