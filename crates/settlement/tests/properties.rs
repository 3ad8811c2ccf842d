//! Property tests: random obligation sets against a reference model, and the settlement
//! instructions checked to zero every position and reproduce every figure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use settlement::{
    CurrencyCode, Instruction, NetPositions, Obligation, ParticipantId, Party, SettlementMode,
    SettlementReport, apply_instructions, bilateral_matrix, instructions_direct,
    instructions_via_settlement_account, net,
};

/// The obvious model: ordered maps, checked sums, figures as received − sent.
fn reference(obligations: &[Obligation]) -> Option<BTreeMap<ParticipantId, (u128, u128, i128)>> {
    let mut total = 0u128;
    let mut sums: BTreeMap<ParticipantId, (u128, u128)> = BTreeMap::new();
    for o in obligations {
        if o.amount == 0 {
            return None;
        }
        total = total.checked_add(o.amount)?;
        let d = sums.entry(o.debtor).or_default();
        d.0 = d.0.checked_add(o.amount)?;
        let c = sums.entry(o.creditor).or_default();
        c.1 = c.1.checked_add(o.amount)?;
    }
    sums.into_iter()
        .map(|(id, (sent, received))| {
            // The figure must fit in i128 even where the gross sums do not.
            let net = if received >= sent {
                i128::try_from(received - sent).ok()?
            } else {
                -i128::try_from(sent - received).ok()?
            };
            Some((id, (sent, received, net)))
        })
        .collect()
}

/// Per participant: received − paid over the instructions.
fn instructed(instructions: &[Instruction]) -> BTreeMap<Party, i128> {
    let mut flows: BTreeMap<Party, i128> = BTreeMap::new();
    for i in instructions {
        let amount = i128::try_from(i.amount).unwrap();
        *flows.entry(i.payee).or_default() += amount;
        *flows.entry(i.payer).or_default() -= amount;
    }
    flows.retain(|_, f| *f != 0);
    flows
}

fn nonzero_figures(positions: &NetPositions) -> BTreeMap<Party, i128> {
    positions
        .positions()
        .iter()
        .filter(|p| p.net != 0)
        .map(|p| (Party::Participant(p.participant), p.net))
        .collect()
}

fn obligations(ids: u64, amount_max: u128, len: usize) -> impl Strategy<Value = Vec<Obligation>> {
    proptest::collection::vec(
        (1..=ids, 1..=ids, 1..=amount_max).prop_map(|(d, c, a)| Obligation::new(d, c, a)),
        0..=len,
    )
}

fn sparse_obligations() -> impl Strategy<Value = Vec<Obligation>> {
    let id = prop_oneof![0u64..5, Just(u64::MAX), (1u64 << 30)..(1u64 << 30) + 3];
    proptest::collection::vec(
        (id.clone(), id, 1u128..1_000_000).prop_map(|(d, c, a)| Obligation::new(d, c, a)),
        0..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn netting_matches_reference(obs in obligations(30, 1_000_000_000_000, 300)) {
        let positions = net(&obs).unwrap();
        let want = reference(&obs).unwrap();
        let got: BTreeMap<_, _> = positions
            .positions()
            .iter()
            .map(|p| (p.participant, (p.sent, p.received, p.net)))
            .collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(positions.positions().iter().map(|p| p.net).sum::<i128>(), 0);
        prop_assert_eq!(positions.obligation_count(), obs.len() as u64);
        prop_assert_eq!(positions.gross_total(), obs.iter().map(|o| o.amount).sum::<u128>());
        let matrix = bilateral_matrix(&obs).unwrap();
        prop_assert_eq!(matrix.totals(), (positions.obligation_count(), positions.gross_total()));
    }

    #[test]
    fn sparse_ids_match_reference(obs in sparse_obligations()) {
        let got: BTreeMap<_, _> = net(&obs)
            .unwrap()
            .positions()
            .iter()
            .map(|p| (p.participant, (p.sent, p.received, p.net)))
            .collect();
        prop_assert_eq!(got, reference(&obs).unwrap());
    }

    /// Near the limits, netting fails exactly when the reference model overflows.
    #[test]
    fn overflow_is_an_error(obs in obligations(4, u128::MAX, 6)) {
        match (net(&obs), reference(&obs)) {
            (Ok(positions), Some(want)) => {
                let got: BTreeMap<_, _> = positions
                    .positions()
                    .iter()
                    .map(|p| (p.participant, (p.sent, p.received, p.net)))
                    .collect();
                prop_assert_eq!(got, want);
            }
            (Err(e), None) => prop_assert!(
                ["gross_total_overflow", "net_position_overflow"].contains(&e.code())
            ),
            (got, want) => prop_assert!(false, "net {:?} vs reference {:?}", got, want),
        }
    }

    #[test]
    fn instructions_settle_and_reproduce(obs in obligations(25, 1_000_000_000, 200)) {
        let positions = net(&obs).unwrap();
        let figures = nonzero_figures(&positions);
        let nonzero = positions.nonzero_count();

        let via = instructions_via_settlement_account(&positions);
        prop_assert_eq!(via.len(), nonzero);
        prop_assert!(apply_instructions(&positions, &via).unwrap().is_zero());
        let mut flows = instructed(&via);
        // The settlement account passes money through and keeps none.
        prop_assert_eq!(flows.remove(&Party::SettlementAccount), None);
        prop_assert_eq!(flows, figures.clone());

        let direct = instructions_direct(&positions);
        prop_assert!(direct.len() <= nonzero.saturating_sub(1));
        prop_assert!(direct.len() < positions.positions().len().max(1));
        prop_assert!(apply_instructions(&positions, &direct).unwrap().is_zero());
        prop_assert_eq!(instructed(&direct), figures);

        for i in via.iter().chain(&direct) {
            prop_assert!(i.amount > 0);
            prop_assert_ne!(i.payer, i.payee);
        }
    }

    /// Per currency: each currency's report reconciles and its figures sum to zero.
    #[test]
    fn reports_per_currency_reconcile(
        obs in proptest::collection::vec((0usize..3, 1u64..=12, 1u64..=12, 1u128..=1_000_000), 0..150),
        direct in any::<bool>(),
    ) {
        let currencies = ["EUR", "KES", "JPY"].map(|c| CurrencyCode::parse(c).unwrap());
        let mode = if direct { SettlementMode::Direct } else { SettlementMode::ViaSettlementAccount };
        for (index, currency) in currencies.into_iter().enumerate() {
            let mine: Vec<Obligation> = obs
                .iter()
                .filter(|o| o.0 == index)
                .map(|&(_, d, c, a)| Obligation::new(d, c, a))
                .collect();
            let report = SettlementReport::build(9, currency, mode, &mine).unwrap();
            prop_assert_eq!(report.reconcile(), Ok(()));
            prop_assert_eq!(report.positions.iter().map(|p| p.net).sum::<i128>(), 0);
            prop_assert_eq!(report.obligation_count, mine.len() as u64);
            prop_assert_eq!(report.gross_total, mine.iter().map(|o| o.amount).sum::<u128>());
        }
    }
}
