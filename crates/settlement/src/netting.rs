//! Multilateral netting: many obligations in one currency become one figure per participant.
//!
//! The figure is `received − sent` (positive = the participant receives at settlement). Gross
//! sums are kept per participant so that a report can show how each figure arose.

use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::types::{Obligation, ParticipantId};

/// Ids up to this bound are netted through a dense vector indexed by id (16 MiB of sums at the
/// bound); larger or sparse ids go through a hash map. The hub numbers participants 1, 2, 3, …
const DENSE_IDS_MAX: u64 = 1 << 20;
/// Below this many ids the dense vector is always cheap, whatever the input size.
const DENSE_IDS_SMALL: u64 = 4096;

/// Why a set of obligations (or instructions) cannot be netted or applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NettingError {
    /// An obligation or instruction of zero; upstream only produces positive amounts.
    #[error("item {index} has a zero amount")]
    ZeroAmount {
        /// Position in the input slice.
        index: usize,
    },
    /// The sum of all amounts exceeds `u128::MAX`.
    #[error("gross total overflows at item {index}")]
    GrossTotalOverflow {
        /// Position in the input slice where the running sum overflowed.
        index: usize,
    },
    /// A participant's net figure (or residual) does not fit in `i128`.
    #[error("net figure of participant {participant} does not fit in i128")]
    NetPositionOverflow {
        /// The participant whose figure overflowed.
        participant: ParticipantId,
    },
    /// An instruction names a participant that has no net position.
    #[error("instruction {index} names participant {participant}, who has no net position")]
    UnknownParticipant {
        /// Position of the instruction.
        index: usize,
        /// The unknown participant.
        participant: ParticipantId,
    },
    /// Applying instructions moved the settlement account beyond `i128`.
    #[error("settlement account residual overflows at instruction {index}")]
    SettlementAccountOverflow {
        /// Position of the instruction.
        index: usize,
    },
    /// An instruction pays a party to itself.
    #[error("instruction {index} has the same payer and payee")]
    PayerIsPayee {
        /// Position of the instruction.
        index: usize,
    },
}

impl NettingError {
    /// Stable snake_case code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ZeroAmount { .. } => "zero_amount",
            Self::GrossTotalOverflow { .. } => "gross_total_overflow",
            Self::NetPositionOverflow { .. } => "net_position_overflow",
            Self::UnknownParticipant { .. } => "unknown_participant",
            Self::SettlementAccountOverflow { .. } => "settlement_account_overflow",
            Self::PayerIsPayee { .. } => "payer_is_payee",
        }
    }
}

/// One participant's outcome of netting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetPosition {
    /// The participant.
    pub participant: ParticipantId,
    /// Gross sum of the obligations it owes.
    pub sent: u128,
    /// Gross sum of the obligations owed to it.
    pub received: u128,
    /// `received − sent`: positive = receives at settlement, negative = pays.
    pub net: i128,
}

/// Net figures of every participant that appears in the obligations, sorted by id, with the
/// totals of the obligations they came from. Only [`net`] builds one, so the figures always sum
/// to zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NetPositions {
    positions: Vec<NetPosition>,
    obligation_count: u64,
    gross_total: u128,
}

impl NetPositions {
    /// All positions, ascending by participant id (including those whose figure is zero).
    pub fn positions(&self) -> &[NetPosition] {
        &self.positions
    }

    /// The position of one participant, if it took part.
    pub fn get(&self, participant: ParticipantId) -> Option<&NetPosition> {
        self.positions
            .binary_search_by_key(&participant, |p| p.participant)
            .ok()
            .and_then(|i| self.positions.get(i))
    }

    /// Number of obligations netted.
    pub fn obligation_count(&self) -> u64 {
        self.obligation_count
    }

    /// Sum of all obligations netted.
    pub fn gross_total(&self) -> u128 {
        self.gross_total
    }

    /// Sum of the positive figures, equal to the sum of the negative ones' magnitudes: the money
    /// that actually moves at settlement.
    pub fn net_total(&self) -> u128 {
        // Cannot overflow: each positive figure is at most that participant's received sum,
        // and those sum to the gross total, which fitted in u128.
        self.positions
            .iter()
            .filter(|p| p.net > 0)
            .fold(0u128, |sum, p| sum.saturating_add(p.net.unsigned_abs()))
    }

    /// Number of participants whose figure is not zero.
    pub fn nonzero_count(&self) -> usize {
        self.positions.iter().filter(|p| p.net != 0).count()
    }
}

#[derive(Clone, Copy, Default)]
struct Gross {
    sent: u128,
    received: u128,
}

/// Nets obligations of one currency into one figure per participant.
///
/// Errors: [`NettingError::ZeroAmount`], [`NettingError::GrossTotalOverflow`],
/// [`NettingError::NetPositionOverflow`]. An obligation whose debtor is its creditor (an "on-us"
/// payment) counts in both gross sums and in the totals and leaves the figure unchanged.
///
/// Cost: two passes over the input and O(participants) memory; dense ids use no hashing.
pub fn net(obligations: &[Obligation]) -> Result<NetPositions, NettingError> {
    let Some(max_id) = obligations
        .iter()
        .map(|o| o.debtor.0.max(o.creditor.0))
        .max()
    else {
        return Ok(NetPositions {
            positions: Vec::new(),
            obligation_count: 0,
            gross_total: 0,
        });
    };
    let count = u64::try_from(obligations.len()).unwrap_or(u64::MAX);
    let dense_limit = count
        .saturating_mul(4)
        .clamp(DENSE_IDS_SMALL, DENSE_IDS_MAX);
    let (gross_total, sums) = match usize::try_from(max_id) {
        Ok(max) if max_id < dense_limit => net_dense(obligations, max)?,
        _ => net_sparse(obligations)?,
    };
    let positions = sums
        .into_iter()
        .map(|(participant, g)| to_position(participant, g))
        .collect::<Result<Vec<_>, _>>()?;
    check_sums_to_zero(&positions);
    Ok(NetPositions {
        positions,
        obligation_count: count,
        gross_total,
    })
}

type Sums = Vec<(ParticipantId, Gross)>;

fn net_dense(obligations: &[Obligation], max: usize) -> Result<(u128, Sums), NettingError> {
    let mut slots = vec![Gross::default(); max.saturating_add(1)];
    let mut total = 0u128;
    for (index, o) in obligations.iter().enumerate() {
        total = add_amount(total, o, index)?;
        // Ids are ≤ max, checked when choosing this path, so both lookups succeed; a miss
        // would be reported as an overflow rather than a panic.
        let overflow = || NettingError::GrossTotalOverflow { index };
        let debtor = usize::try_from(o.debtor.0)
            .ok()
            .and_then(|i| slots.get_mut(i));
        add_to(&mut debtor.ok_or_else(overflow)?.sent, o.amount, index)?;
        let creditor = usize::try_from(o.creditor.0)
            .ok()
            .and_then(|i| slots.get_mut(i));
        add_to(
            &mut creditor.ok_or_else(overflow)?.received,
            o.amount,
            index,
        )?;
    }
    let sums = slots
        .into_iter()
        .zip(0u64..)
        .filter(|(g, _)| g.sent != 0 || g.received != 0)
        .map(|(g, id)| (ParticipantId(id), g))
        .collect();
    Ok((total, sums))
}

/// Hashes participant ids with the SplitMix64 finaliser: about 3× faster than the default
/// SipHash here, and ids are assigned by the hub, so resistance to chosen keys buys nothing.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = self.0.rotate_left(32) ^ value;
    }
}

#[allow(
    clippy::disallowed_types,
    reason = "IdHasher is unseeded and the result is sorted"
)]
fn net_sparse(obligations: &[Obligation]) -> Result<(u128, Sums), NettingError> {
    let mut map: std::collections::HashMap<ParticipantId, Gross, BuildHasherDefault<IdHasher>> =
        Default::default();
    let mut total = 0u128;
    for (index, o) in obligations.iter().enumerate() {
        total = add_amount(total, o, index)?;
        add_to(&mut map.entry(o.debtor).or_default().sent, o.amount, index)?;
        add_to(
            &mut map.entry(o.creditor).or_default().received,
            o.amount,
            index,
        )?;
    }
    let mut sums: Sums = map.into_iter().collect();
    sums.sort_unstable_by_key(|(id, _)| *id);
    Ok((total, sums))
}

fn add_amount(total: u128, o: &Obligation, index: usize) -> Result<u128, NettingError> {
    if o.amount == 0 {
        return Err(NettingError::ZeroAmount { index });
    }
    total
        .checked_add(o.amount)
        .ok_or(NettingError::GrossTotalOverflow { index })
}

/// Adds to one participant's gross sum. Each such sum is bounded by the checked gross total,
/// so this cannot fail once `add_amount` succeeded; it stays checked to keep the path total.
fn add_to(sum: &mut u128, amount: u128, index: usize) -> Result<(), NettingError> {
    *sum = sum
        .checked_add(amount)
        .ok_or(NettingError::GrossTotalOverflow { index })?;
    Ok(())
}

fn to_position(participant: ParticipantId, g: Gross) -> Result<NetPosition, NettingError> {
    let net = signed_difference(g.received, g.sent)
        .ok_or(NettingError::NetPositionOverflow { participant })?;
    Ok(NetPosition {
        participant,
        sent: g.sent,
        received: g.received,
        net,
    })
}

/// `a − b` as i128, or None when it does not fit.
fn signed_difference(a: u128, b: u128) -> Option<i128> {
    if a >= b {
        i128::try_from(a - b).ok()
    } else {
        i128::try_from(b - a).ok().map(|m| -m)
    }
}

/// Every obligation adds its amount to one participant's figure and subtracts it from
/// another's, so the figures sum to zero by construction; this checks it on every netting
/// (compared as unsigned sums of each sign, which cannot overflow, see `net_total`).
fn check_sums_to_zero(positions: &[NetPosition]) {
    let (mut credits, mut debits) = (0u128, 0u128);
    for p in positions {
        if p.net > 0 {
            credits = credits.saturating_add(p.net.unsigned_abs());
        } else {
            debits = debits.saturating_add(p.net.unsigned_abs());
        }
    }
    assert_eq!(credits, debits, "net figures must sum to zero");
}
