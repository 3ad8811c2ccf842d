//! Table tests for netting, instructions and the bilateral matrix on hand-checked examples.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use settlement::{
    Instruction, NettingError, Obligation, ParticipantId, Party, apply_instructions,
    bilateral_matrix, instructions_direct, instructions_via_settlement_account, net,
};

fn o(debtor: u64, creditor: u64, amount: u128) -> Obligation {
    Obligation::new(debtor, creditor, amount)
}

fn figures(obligations: &[Obligation]) -> Vec<(u64, i128)> {
    net(obligations)
        .unwrap()
        .positions()
        .iter()
        .map(|p| (p.participant.0, p.net))
        .collect()
}

fn p(id: u64) -> Party {
    Party::Participant(ParticipantId(id))
}

fn pay(payer: Party, payee: Party, amount: u128) -> Instruction {
    Instruction {
        payer,
        payee,
        amount,
    }
}

#[test]
fn net_figures_table() {
    type Row<'a> = (&'a [Obligation], &'a [(u64, i128)]);
    let table: &[Row] = &[
        (&[], &[]),
        (&[o(1, 2, 100)], &[(1, -100), (2, 100)]),
        // A cycle nets to nothing, but all three still appear.
        (
            &[o(1, 2, 50), o(2, 3, 50), o(3, 1, 50)],
            &[(1, 0), (2, 0), (3, 0)],
        ),
        (
            &[o(1, 2, 100), o(2, 1, 30), o(3, 1, 5)],
            &[(1, -65), (2, 70), (3, -5)],
        ),
        // On-us payment: counted, no effect on the figure.
        (&[o(7, 7, 10), o(7, 8, 1)], &[(7, -1), (8, 1)]),
        // Sparse ids go through the map path and come out sorted.
        (
            &[o(u64::MAX, 5, 9), o(1 << 40, u64::MAX, 4)],
            &[(5, 9), (1 << 40, -4), (u64::MAX, -5)],
        ),
        // Id 0 is an ordinary id.
        (&[o(0, 1, 3)], &[(0, -3), (1, 3)]),
    ];
    for (obligations, want) in table {
        assert_eq!(figures(obligations), *want, "{obligations:?}");
    }
}

#[test]
fn gross_sums_and_totals() {
    let positions = net(&[o(1, 2, 100), o(2, 1, 30), o(3, 1, 5), o(1, 1, 7)]).unwrap();
    assert_eq!(positions.obligation_count(), 4);
    assert_eq!(positions.gross_total(), 142);
    assert_eq!(positions.net_total(), 70);
    assert_eq!(positions.nonzero_count(), 3);
    let one = positions.get(ParticipantId(1)).unwrap();
    assert_eq!((one.sent, one.received, one.net), (107, 42, -65));
    assert!(positions.get(ParticipantId(4)).is_none());
}

#[test]
fn netting_errors_table() {
    let half = 1u128 << 127;
    let table: &[(&[Obligation], NettingError, &str)] = &[
        (
            &[o(1, 2, 5), o(2, 1, 0)],
            NettingError::ZeroAmount { index: 1 },
            "zero_amount",
        ),
        (
            &[o(1, 2, u128::MAX), o(3, 4, 1)],
            NettingError::GrossTotalOverflow { index: 1 },
            "gross_total_overflow",
        ),
        // 2¹²⁷ fits in u128 but not as a positive i128 figure.
        (
            &[o(1, 2, half)],
            NettingError::NetPositionOverflow {
                participant: ParticipantId(1),
            },
            "net_position_overflow",
        ),
        (
            &[o(1 << 50, 2, half)],
            NettingError::NetPositionOverflow {
                participant: ParticipantId(2),
            },
            "net_position_overflow",
        ),
    ];
    for (obligations, want, code) in table {
        let got = net(obligations).unwrap_err();
        assert_eq!(got, *want, "{obligations:?}");
        assert_eq!(got.code(), *code);
    }
    // The largest figures that fit are accepted.
    let max = i128::MAX.unsigned_abs();
    assert_eq!(figures(&[o(1, 2, max)]), [(1, -i128::MAX), (2, i128::MAX)]);
}

#[test]
fn dense_and_sparse_paths_agree() {
    let obligations: Vec<Obligation> = (0..200u64)
        .map(|i| o(1 + i % 13, 1 + (i * 7 + 3) % 17, u128::from(i + 1)))
        .collect();
    let shifted: Vec<Obligation> = obligations
        .iter()
        .map(|x| o(x.debtor.0 << 40, x.creditor.0 << 40, x.amount))
        .collect();
    let dense = figures(&obligations);
    let sparse = figures(&shifted);
    let unshifted: Vec<(u64, i128)> = sparse.iter().map(|&(id, f)| (id >> 40, f)).collect();
    assert_eq!(dense, unshifted);
}

#[test]
fn via_settlement_account_table() {
    let positions = net(&[
        o(1, 2, 100),
        o(2, 1, 30),
        o(3, 1, 5),
        o(4, 5, 9),
        o(5, 4, 9),
    ])
    .unwrap();
    let sa = Party::SettlementAccount;
    // Pay-ins first, then pay-outs; participants 4 and 5 net to zero and get none.
    assert_eq!(
        instructions_via_settlement_account(&positions),
        [pay(p(1), sa, 65), pay(p(3), sa, 5), pay(sa, p(2), 70)]
    );
}

#[test]
fn direct_table() {
    type Row<'a> = (&'a [Obligation], &'a [(u64, u64, u128)]);
    let table: &[Row] = &[
        (&[], &[]),
        (&[o(1, 2, 50), o(2, 1, 50)], &[]),
        (&[o(1, 2, 10)], &[(1, 2, 10)]),
        // Largest payer (1: −60) meets largest receiver (3: +40), then the remainders.
        (
            &[o(1, 2, 20), o(1, 3, 40), o(4, 2, 10)],
            &[(1, 3, 40), (1, 2, 20), (4, 2, 10)],
        ),
        // Equal amounts: lower ids first, and each instruction clears both sides.
        (&[o(3, 4, 5), o(1, 2, 5)], &[(1, 2, 5), (3, 4, 5)]),
    ];
    for (obligations, want) in table {
        let got: Vec<(u64, u64, u128)> = instructions_direct(&net(obligations).unwrap())
            .iter()
            .map(|i| match (i.payer, i.payee) {
                (Party::Participant(a), Party::Participant(b)) => (a.0, b.0, i.amount),
                _ => panic!("direct instructions never use the settlement account"),
            })
            .collect();
        assert_eq!(got, *want, "{obligations:?}");
    }
}

#[test]
fn apply_zeroes_positions() {
    let positions = net(&[o(1, 2, 100), o(2, 3, 30), o(3, 1, 5)]).unwrap();
    for instructions in [
        instructions_via_settlement_account(&positions),
        instructions_direct(&positions),
    ] {
        assert!(
            apply_instructions(&positions, &instructions)
                .unwrap()
                .is_zero()
        );
    }
    // Dropping any instruction leaves something unsettled.
    let full = instructions_via_settlement_account(&positions);
    for skip in 0..full.len() {
        let partial: Vec<Instruction> = full
            .iter()
            .enumerate()
            .filter_map(|(i, x)| (i != skip).then_some(*x))
            .collect();
        assert!(!apply_instructions(&positions, &partial).unwrap().is_zero());
    }
}

#[test]
fn apply_errors_table() {
    let positions = net(&[o(1, 2, 100)]).unwrap();
    let sa = Party::SettlementAccount;
    let big = 1u128 << 127;
    let table: &[(&[Instruction], &str)] = &[
        (&[pay(p(1), sa, 0)], "zero_amount"),
        (&[pay(p(1), p(1), 5)], "payer_is_payee"),
        (&[pay(sa, sa, 5)], "payer_is_payee"),
        (&[pay(p(1), p(9), 5)], "unknown_participant"),
        (&[pay(p(2), p(1), big)], "net_position_overflow"),
        (&[pay(sa, p(1), u128::MAX)], "settlement_account_overflow"),
        (
            &[pay(sa, p(2), i128::MAX.unsigned_abs()), pay(sa, p(1), 5)],
            "settlement_account_overflow",
        ),
    ];
    for (instructions, code) in table {
        let got = apply_instructions(&positions, instructions).unwrap_err();
        assert_eq!(got.code(), *code, "{instructions:?}");
    }
}

#[test]
fn bilateral_matrix_table() {
    let obligations = [o(1, 2, 10), o(2, 1, 3), o(1, 2, 5), o(3, 1, 1), o(1, 1, 2)];
    let matrix = bilateral_matrix(&obligations).unwrap();
    let cells: Vec<(u64, u64, u64, u128)> = matrix
        .entries
        .iter()
        .map(|e| (e.debtor.0, e.creditor.0, e.count, e.gross))
        .collect();
    assert_eq!(
        cells,
        [(1, 1, 1, 2), (1, 2, 2, 15), (2, 1, 1, 3), (3, 1, 1, 1)]
    );
    assert_eq!(matrix.totals(), (5, 21));
    assert_eq!(
        matrix
            .get(ParticipantId(1), ParticipantId(2))
            .unwrap()
            .gross,
        15
    );
    assert!(matrix.get(ParticipantId(2), ParticipantId(3)).is_none());
    assert_eq!(
        bilateral_matrix(&[o(1, 2, 0)]).unwrap_err().code(),
        "zero_amount"
    );
    assert_eq!(
        bilateral_matrix(&[o(1, 2, u128::MAX), o(1, 2, 1)])
            .unwrap_err()
            .code(),
        "gross_total_overflow"
    );
}
