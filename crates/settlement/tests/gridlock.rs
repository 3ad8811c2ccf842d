//! Gridlock resolution: table tests, and property tests against a brute-force search over
//! every subset of small queues.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use settlement::{GridlockError, ParticipantId, QueuedPayment, resolve_gridlock};

fn q(payer: u64, payee: u64, amount: u128) -> QueuedPayment {
    QueuedPayment::new(payer, payee, amount)
}

fn liquidity(pairs: &[(u64, u128)]) -> BTreeMap<ParticipantId, u128> {
    pairs
        .iter()
        .map(|&(id, l)| (ParticipantId(id), l))
        .collect()
}

#[test]
fn resolution_table() {
    // (liquidity, queue, settled indices, balances after, rounds)
    type Row<'a> = (
        &'a [(u64, u128)],
        &'a [QueuedPayment],
        &'a [usize],
        &'a [(u64, u128)],
        usize,
    );
    let table: &[Row] = &[
        (&[(1, 5)], &[], &[], &[(1, 5)], 0),
        // The classic gridlock: nobody can pay alone, all can pay together.
        (
            &[(1, 0), (2, 0), (3, 0)],
            &[q(1, 2, 100), q(2, 3, 100), q(3, 1, 100)],
            &[0, 1, 2],
            &[(1, 0), (2, 0), (3, 0)],
            0,
        ),
        // 1 lacks 50: its payment goes, which starves 2, which starves 3.
        (
            &[(1, 0), (2, 0), (3, 0)],
            &[q(1, 2, 100), q(2, 3, 100), q(3, 1, 50)],
            &[],
            &[(1, 0), (2, 0), (3, 0)],
            3,
        ),
        // The same with 50 of liquidity at 1 settles everything.
        (
            &[(1, 50), (2, 0), (3, 0)],
            &[q(1, 2, 100), q(2, 3, 100), q(3, 1, 50)],
            &[0, 1, 2],
            &[(1, 0), (2, 0), (3, 50)],
            0,
        ),
        // FIFO per payer: the later 100 is dropped, the earlier 10 settles.
        (
            &[(1, 20), (2, 0)],
            &[q(1, 2, 10), q(1, 2, 100)],
            &[0],
            &[(1, 10), (2, 10)],
            1,
        ),
        // FIFO per payer: the later 10 would fit alone, but may not overtake the 100.
        (
            &[(1, 20), (2, 0)],
            &[q(1, 2, 100), q(1, 2, 10)],
            &[],
            &[(1, 20), (2, 0)],
            2,
        ),
        // Bilateral offset with partial liquidity: 2's second payment cannot be funded.
        (
            &[(1, 0), (2, 10)],
            &[q(1, 2, 30), q(2, 1, 30), q(2, 1, 50)],
            &[0, 1],
            &[(1, 0), (2, 10)],
            1,
        ),
        // A payment to oneself changes nothing and settles with its payer's prefix.
        (
            &[(1, 0), (2, 0)],
            &[q(1, 1, 7), q(1, 2, 5)],
            &[0],
            &[(1, 0), (2, 0)],
            1,
        ),
        // Participants without queued payments keep their liquidity.
        (
            &[(1, 0), (2, 0), (9, 77)],
            &[q(1, 2, 1), q(2, 1, 1)],
            &[0, 1],
            &[(1, 0), (2, 0), (9, 77)],
            0,
        ),
    ];
    for &(liq, queue, settle, after, rounds) in table {
        let got = resolve_gridlock(&liquidity(liq), queue).unwrap();
        assert_eq!(got.settle, settle, "{queue:?}");
        let after: Vec<(ParticipantId, u128)> = after
            .iter()
            .map(|&(id, b)| (ParticipantId(id), b))
            .collect();
        assert_eq!(got.balances_after, after, "{queue:?}");
        assert_eq!(got.rounds, rounds, "{queue:?}");
    }
}

#[test]
fn errors_table() {
    type Row<'a> = (&'a [(u64, u128)], &'a [QueuedPayment], GridlockError);
    let table: &[Row] = &[
        (
            &[(1, 0), (2, 0)],
            &[q(1, 2, 5), q(2, 1, 0)],
            GridlockError::ZeroAmount { index: 1 },
        ),
        (
            &[(1, 0)],
            &[q(1, 2, 5)],
            GridlockError::MissingBalance {
                index: 0,
                participant: ParticipantId(2),
            },
        ),
        (
            &[(2, 0)],
            &[q(1, 2, 5)],
            GridlockError::MissingBalance {
                index: 0,
                participant: ParticipantId(1),
            },
        ),
        // Liquidity plus incoming beyond u128.
        (
            &[(1, 0), (2, u128::MAX)],
            &[q(1, 2, 1)],
            GridlockError::BalanceOverflow {
                participant: ParticipantId(2),
            },
        ),
        // Incoming alone beyond u128.
        (
            &[(1, 0), (2, 0), (3, 0)],
            &[q(1, 3, u128::MAX), q(2, 3, 1)],
            GridlockError::BalanceOverflow {
                participant: ParticipantId(3),
            },
        ),
    ];
    for (liq, queue, want) in table {
        let got = resolve_gridlock(&liquidity(liq), queue).unwrap_err();
        assert_eq!(got, *want, "{queue:?}");
    }
    let codes: Vec<&str> = table.iter().map(|(_, _, e)| e.code()).collect();
    assert_eq!(
        codes,
        [
            "zero_amount",
            "missing_balance",
            "missing_balance",
            "balance_overflow",
            "balance_overflow"
        ]
    );
}

/// Balances after settling the chosen subset (bit i = queue[i]), or None if any is negative.
fn settle_subset(
    liq: &BTreeMap<ParticipantId, u128>,
    queue: &[QueuedPayment],
    subset: u32,
) -> Option<Vec<(ParticipantId, u128)>> {
    let mut balances: BTreeMap<ParticipantId, i128> = liq
        .iter()
        .map(|(&id, &l)| (id, i128::try_from(l).unwrap()))
        .collect();
    for (i, p) in queue.iter().enumerate() {
        if subset & (1 << i) != 0 {
            let amount = i128::try_from(p.amount).unwrap();
            *balances.get_mut(&p.payer).unwrap() -= amount;
            *balances.get_mut(&p.payee).unwrap() += amount;
        }
    }
    balances
        .into_iter()
        .map(|(id, b)| u128::try_from(b).ok().map(|b| (id, b)))
        .collect()
}

/// True when, for every payer, the subset holds a prefix of that payer's queued payments.
fn respects_fifo(queue: &[QueuedPayment], subset: u32) -> bool {
    queue.iter().enumerate().all(|(i, p)| {
        subset & (1 << i) != 0
            || queue
                .iter()
                .enumerate()
                .skip(i + 1)
                .all(|(j, later)| later.payer != p.payer || subset & (1 << j) == 0)
    })
}

fn queue_strategy() -> impl Strategy<Value = (Vec<u128>, Vec<QueuedPayment>)> {
    let payment = (1u64..=4, 1u64..=4, 1u128..=100).prop_map(|(a, b, x)| q(a, b, x));
    (
        proptest::collection::vec(0u128..=120, 4),
        proptest::collection::vec(payment, 0..=10),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Checks every guarantee of the module documentation against all 2^m subsets.
    #[test]
    fn greatest_fifo_settleable_set((liq, queue) in queue_strategy()) {
        let liq: BTreeMap<ParticipantId, u128> =
            (1u64..).zip(liq).map(|(id, l)| (ParticipantId(id), l)).collect();
        let got = resolve_gridlock(&liq, &queue).unwrap();
        let chosen: u32 = got.settle.iter().map(|&i| 1u32 << i).sum();

        // No balance negative, and the reported balances are the real ones.
        prop_assert_eq!(settle_subset(&liq, &queue, chosen), Some(got.balances_after.clone()));
        prop_assert!(respects_fifo(&queue, chosen));
        prop_assert_eq!(got.rounds, queue.len() - got.settle.len());
        prop_assert!(got.settle.windows(2).all(|w| w[0] < w[1]));

        // Every FIFO-respecting settleable set is contained in the result.
        let value = |subset: u32| -> u128 {
            queue.iter().enumerate().filter(|(i, _)| subset & (1 << i) != 0).map(|(_, p)| p.amount).sum()
        };
        for subset in 0u32..(1 << queue.len()) {
            if respects_fifo(&queue, subset) && settle_subset(&liq, &queue, subset).is_some() {
                prop_assert_eq!(subset & !chosen, 0, "subset {:b} not within {:b}", subset, chosen);
                prop_assert!(value(subset) <= value(chosen));
            }
        }
    }

    /// When the whole queue can settle, it does, with no rounds.
    #[test]
    fn feasible_queue_settles_whole((liq, queue) in queue_strategy()) {
        let liq: BTreeMap<ParticipantId, u128> =
            (1u64..).zip(liq).map(|(id, l)| (ParticipantId(id), l.saturating_mul(10))).collect();
        let everything = (1u32 << queue.len()) - 1;
        let got = resolve_gridlock(&liq, &queue).unwrap();
        if settle_subset(&liq, &queue, everything).is_some() {
            prop_assert_eq!(got.settle.len(), queue.len());
            prop_assert_eq!(got.rounds, 0);
        } else {
            prop_assert!(got.rounds > 0);
        }
    }
}

#[test]
fn long_queue_is_fast_and_sound() {
    // 200 participants, 20,000 payments in rings with thin liquidity; checks the heap-based
    // loop scales (quadratic work would take seconds even here).
    let participants = 200u64;
    let queue: Vec<QueuedPayment> = (0..20_000u64)
        .map(|i| {
            let payer = 1 + i % participants;
            let payee = 1 + (i * 31 + 7) % participants;
            q(payer, payee, u128::from(1 + (i * 7919) % 1000))
        })
        .collect();
    let liq = liquidity(
        &(1..=participants)
            .map(|id| (id, u128::from(id * 50)))
            .collect::<Vec<_>>(),
    );
    let got = resolve_gridlock(&liq, &queue).unwrap();
    let chosen: std::collections::BTreeSet<usize> = got.settle.iter().copied().collect();
    let mut balances: BTreeMap<ParticipantId, i128> = liq
        .iter()
        .map(|(&id, &l)| (id, i128::try_from(l).unwrap()))
        .collect();
    for (i, p) in queue.iter().enumerate() {
        if chosen.contains(&i) {
            *balances.get_mut(&p.payer).unwrap() -= i128::try_from(p.amount).unwrap();
            *balances.get_mut(&p.payee).unwrap() += i128::try_from(p.amount).unwrap();
        }
    }
    assert!(balances.values().all(|&b| b >= 0));
    assert_eq!(got.rounds + got.settle.len(), queue.len());
    assert!(!got.settle.is_empty());
}
