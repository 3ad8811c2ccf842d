//! Table tests for operator commands, credentials and the actor checks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::*;
use hub::*;

fn admit(name: &str, bic: &str) -> Action {
    Action::AdmitParticipant {
        name: name.into(),
        bic: Bic::new(bic).unwrap(),
        country: CountryCode::new("KE").unwrap(),
        roles: Roles {
            participant: true,
            fx_provider: false,
        },
    }
}

fn liquidity(direction: LiquidityDirection, amount: u128) -> Action {
    Action::RecordLiquidity {
        participant: A,
        currency: kes(),
        direction,
        amount,
    }
}

fn credential(byte: u8, principal: Principal) -> Action {
    Action::RegisterCredential {
        token_hash: [byte; 32],
        principal,
    }
}

#[test]
fn operator_commands_table() {
    use LiquidityDirection::*;
    let jpy = CurrencyCode::new("JPY").unwrap();
    let usd = CurrencyCode::new("USD").unwrap();
    let add = |currency, exponent| Action::AddCurrency {
        currency,
        exponent,
        model: SettlementModel::Gross,
    };
    let suspend = |participant| Action::SuspendParticipant { participant };
    let reactivate = |participant| Action::ReactivateParticipant { participant };
    let cap = |currency| Action::SetNetDebitCap {
        participant: A,
        currency,
        cap: 5,
    };
    let no_roles = Action::AdmitParticipant {
        name: "X".into(),
        bic: Bic::new("XXXXKENA").unwrap(),
        country: CountryCode::new("KE").unwrap(),
        roles: Roles {
            participant: false,
            fx_provider: false,
        },
    };
    // (setup, actor, action, expected code)
    let rows: Vec<(Vec<Action>, Principal, Action, &str)> = vec![
        (vec![], Principal::Operator, add(jpy, 0), "ok"),
        (
            vec![],
            participant(A),
            add(jpy, 0),
            "forbidden_operator_only",
        ),
        (
            vec![],
            Principal::Auditor,
            add(jpy, 0),
            "forbidden_operator_only",
        ),
        (vec![], officer("x"), add(jpy, 0), "forbidden_operator_only"),
        (
            vec![],
            Principal::Operator,
            add(eur(), 2),
            "currency_exists",
        ),
        (vec![], Principal::Operator, add(jpy, 5), "invalid_exponent"),
        (
            vec![],
            Principal::Operator,
            admit("Epsilon", "EPSIKENA"),
            "ok",
        ),
        (
            vec![],
            Principal::Operator,
            admit("Dup", "ALPHKENA"),
            "bic_already_admitted",
        ),
        (
            vec![],
            Principal::Operator,
            admit(" ", "EPSIKENA"),
            "invalid_text",
        ),
        (vec![], Principal::Operator, no_roles, "no_roles"),
        (
            vec![],
            participant(B),
            admit("E", "EPSIKENA"),
            "forbidden_operator_only",
        ),
        (vec![], Principal::Operator, suspend(A), "ok"),
        (
            vec![],
            Principal::Operator,
            suspend(ParticipantId(99)),
            "participant_not_found",
        ),
        (
            vec![],
            Principal::Operator,
            suspend(ParticipantId(0)),
            "participant_not_found",
        ),
        (
            vec![suspend(A)],
            Principal::Operator,
            suspend(A),
            "participant_already_suspended",
        ),
        (vec![suspend(A)], Principal::Operator, reactivate(A), "ok"),
        (
            vec![],
            Principal::Operator,
            reactivate(A),
            "participant_already_active",
        ),
        (vec![], Principal::Operator, cap(eur()), "ok"),
        (
            vec![],
            Principal::Operator,
            cap(usd),
            "currency_not_accepted",
        ),
        (
            vec![],
            participant(A),
            cap(eur()),
            "forbidden_operator_only",
        ),
        (vec![], Principal::Operator, liquidity(Deposit, 1), "ok"),
        (
            vec![],
            Principal::Operator,
            liquidity(Deposit, 0),
            "amount_must_not_be_zero",
        ),
        (
            vec![],
            Principal::Operator,
            liquidity(Withdrawal, 50_000),
            "ok",
        ),
        (
            vec![],
            Principal::Operator,
            liquidity(Withdrawal, 50_001),
            "insufficient_liquidity",
        ),
        (
            vec![],
            Principal::Operator,
            liquidity(Deposit, u128::MAX),
            "amount_overflow",
        ),
        (
            vec![suspend(A)],
            Principal::Operator,
            liquidity(Deposit, 7),
            "ok",
        ),
        (
            vec![suspend(A)],
            participant(A),
            Action::AcceptPayment { payment: pid(1) },
            "participant_suspended",
        ),
        (
            vec![],
            participant(ParticipantId(42)),
            Action::AcceptPayment { payment: pid(1) },
            "participant_not_found",
        ),
        (
            vec![],
            Principal::Operator,
            credential(1, participant(A)),
            "ok",
        ),
        (
            vec![],
            Principal::Operator,
            credential(1, participant(ParticipantId(9))),
            "participant_not_found",
        ),
        (
            vec![],
            Principal::Operator,
            credential(1, officer("")),
            "invalid_officer_name",
        ),
        (
            vec![credential(1, Principal::Auditor)],
            Principal::Operator,
            credential(1, Principal::Operator),
            "credential_exists",
        ),
        (
            vec![],
            participant(A),
            credential(1, Principal::Operator),
            "forbidden_operator_only",
        ),
        (
            vec![credential(1, Principal::Auditor)],
            Principal::Operator,
            Action::RevokeCredential {
                credential: CredentialId(1),
            },
            "ok",
        ),
        (
            vec![],
            Principal::Operator,
            Action::RevokeCredential {
                credential: CredentialId(1),
            },
            "credential_not_found",
        ),
        (
            vec![],
            Principal::Operator,
            Action::RevokeCredential {
                credential: CredentialId(0),
            },
            "credential_not_found",
        ),
    ];
    for (setup, actor, action, expected) in rows {
        let mut f = Fixture::new();
        for s in setup {
            f.ok_op(s);
        }
        let what = format!("{actor:?} {action:?}");
        let outcome = f.run(actor, action);
        assert_eq!(code(&outcome), expected, "{what}");
    }
}

#[test]
fn new_currency_opens_accounts_for_every_participant() {
    let mut f = Fixture::new();
    let jpy = CurrencyCode::new("JPY").unwrap();
    f.ok_op(Action::AddCurrency {
        currency: jpy,
        exponent: 0,
        model: SettlementModel::DeferredNet,
    });
    for p in f.hub.participants() {
        let balances = f.hub.balances(p.id).unwrap();
        let currencies: Vec<&str> = balances.iter().map(|b| b.currency.as_str()).collect();
        assert_eq!(currencies, ["EUR", "JPY", "KES"], "{}", p.id);
    }
    // A participant admitted later gets accounts in all three.
    let Success::ParticipantAdmitted { participant } = f.ok_op(admit("Late", "LATEKENA")) else {
        panic!("not admitted");
    };
    assert_eq!(participant, ParticipantId(5));
    assert_eq!(f.hub.balances(participant).unwrap().len(), 3);
}

#[test]
fn liquidity_and_caps_show_in_balances() {
    let mut f = Fixture::new();
    let a = f.balance(A, kes());
    assert_eq!((a.liquidity, a.available), (50_000, 50_000));
    f.ok_op(liquidity(LiquidityDirection::Withdrawal, 20_000));
    let a = f.balance(A, kes());
    assert_eq!((a.liquidity, a.available), (30_000, 30_000));
    let e = f.balance(A, eur());
    assert_eq!(
        (e.net_debit_cap, e.available, e.position),
        (100_000, 100_000, 0)
    );
    assert_eq!(f.balance(C, eur()).available, 0, "default cap is zero");
    assert!(f.hub.balances(ParticipantId(77)).is_none());
}

#[test]
fn credentials_authenticate_until_revoked() {
    let mut f = Fixture::empty();
    // Bootstrap: the first operator credential is an ordinary command.
    assert_eq!(
        f.op(credential(7, Principal::Operator)),
        Ok(Success::CredentialRegistered {
            credential: CredentialId(1)
        })
    );
    f.ok_op(credential(8, officer("Ada")));
    assert_eq!(
        f.hub.principal_for_token_hash(&[7; 32]),
        Some(Principal::Operator)
    );
    assert_eq!(
        f.hub.principal_for_token_hash(&[8; 32]),
        Some(officer("Ada"))
    );
    assert_eq!(f.hub.principal_for_token_hash(&[9; 32]), None);
    f.ok_op(Action::RevokeCredential {
        credential: CredentialId(2),
    });
    assert_eq!(f.hub.principal_for_token_hash(&[8; 32]), None);
    assert_eq!(
        code(&f.op(Action::RevokeCredential {
            credential: CredentialId(2)
        })),
        "credential_already_revoked"
    );
}
