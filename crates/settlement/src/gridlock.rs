//! Gridlock resolution for a gross-settlement queue (a liquidity-saving mechanism).
//!
//! Payments that cannot settle one by one for lack of liquidity wait in a FIFO queue. Often a
//! set of them can settle *together*, because each payer's incoming payments in the set fund
//! its outgoing ones. [`resolve_gridlock`] finds that set with the classic multilateral
//! offsetting algorithm used in RTGS liquidity-saving mechanisms (Bech & Soramäki 2001;
//! Güntzer, Jungnickel & Leclerc 1998):
//!
//! 1. Take every queued payment.
//! 2. Compute each participant's balance after settling the taken set:
//!    `liquidity + incoming − outgoing`.
//! 3. If none is negative, settle the taken set. Otherwise, of the participant with the largest
//!    shortfall (lowest id on a tie), drop its most recent taken payment and go to 2.
//!
//! Guarantees (each checked by the tests, the last against a brute-force search):
//! - **No balance goes negative**: the loop only stops when every balance is ≥ 0.
//! - **FIFO per payer**: only a payer's most recent taken payment is ever dropped, so each
//!   payer's settled payments are a prefix of its queue; a later payment never overtakes an
//!   earlier one of the same payer.
//! - **Termination**: each round drops one payment, so there are at most as many rounds as
//!   queued payments; a participant short of liquidity always has a taken outgoing payment to
//!   drop, since its shortfall comes from outgoing payments alone.
//! - **Maximal**: the result is the *greatest* FIFO-respecting settleable set, which contains
//!   every other one, so it settles the most payments and the most value possible under FIFO.
//!   Proof sketch: if payer prefixes `k` and `k'` are both settleable, so is their
//!   component-wise maximum (a participant that takes its longer prefix pays what it paid
//!   there and receives at least as much). Hence a greatest settleable `k*` exists. A
//!   participant whose prefix already equals its part of `k*` cannot be short (it receives at
//!   least what it receives in `k*`), so the algorithm never drops a payment of `k*` and stops
//!   exactly at `k*`. The order of drops (largest shortfall first) therefore only affects the
//!   work done, never the result.
//!
//! Bilateral offsetting as a first pass would add nothing: any set it settles is a
//! FIFO-respecting settleable set and so is contained in the result.
//!
//! Cost: O(m log m) for m queued payments (a heap of shortfalls with lazy deletion).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use serde::{Deserialize, Serialize};

use crate::types::ParticipantId;

/// A queued payment, in FIFO (arrival) order within the queue slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueuedPayment {
    /// The participant whose liquidity it draws on.
    pub payer: ParticipantId,
    /// The participant it credits.
    pub payee: ParticipantId,
    /// Minor units; must be non-zero.
    pub amount: u128,
}

impl QueuedPayment {
    /// Shorthand for tables.
    pub fn new(payer: u64, payee: u64, amount: u128) -> Self {
        Self {
            payer: ParticipantId(payer),
            payee: ParticipantId(payee),
            amount,
        }
    }
}

/// Which queued payments settle together, and the balances that result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridlockResolution {
    /// Indices into the queue slice, ascending.
    pub settle: Vec<usize>,
    /// Every participant of the liquidity map after settling `settle`, ascending by id.
    pub balances_after: Vec<(ParticipantId, u128)>,
    /// Payments dropped before the rest could settle (≤ queue length).
    pub rounds: usize,
}

/// Why a queue cannot be resolved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GridlockError {
    /// A queued payment of zero.
    #[error("queued payment {index} has a zero amount")]
    ZeroAmount {
        /// Position in the queue.
        index: usize,
    },
    /// A queued payment names a participant absent from the liquidity map.
    #[error("queued payment {index} names participant {participant}, who has no balance")]
    MissingBalance {
        /// Position in the queue.
        index: usize,
        /// The participant without a balance.
        participant: ParticipantId,
    },
    /// Liquidity plus all queued incoming payments exceeds `u128::MAX` for a participant.
    #[error("balance of participant {participant} would overflow")]
    BalanceOverflow {
        /// The participant.
        participant: ParticipantId,
    },
}

impl GridlockError {
    /// Stable snake_case code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ZeroAmount { .. } => "zero_amount",
            Self::MissingBalance { .. } => "missing_balance",
            Self::BalanceOverflow { .. } => "balance_overflow",
        }
    }
}

/// Working state, indexed by participant slot (position in the liquidity map): liquidity,
/// taken inflow and outflow, and the queue indices of taken outgoing payments in FIFO order.
/// Slots and queue indices are produced here, so direct indexing cannot go out of bounds.
struct Books {
    ids: Vec<ParticipantId>,
    liquidity: Vec<u128>,
    inflow: Vec<u128>,
    outflow: Vec<u128>,
    taken: Vec<Vec<usize>>,
}

impl Books {
    /// Liquidity plus taken inflow. Checked against overflow up front with every payment
    /// taken; inflow only shrinks afterwards.
    fn funds(&self, who: usize) -> u128 {
        self.liquidity[who] + self.inflow[who]
    }

    /// How much the participant lacks to pay its taken payments; 0 if nothing.
    fn shortfall(&self, who: usize) -> u128 {
        self.outflow[who].saturating_sub(self.funds(who))
    }

    /// A heap entry carrying the current shortfall, if the participant is short.
    fn entry(&self, who: usize) -> Option<(u128, Reverse<ParticipantId>, usize)> {
        let shortfall = self.shortfall(who);
        (shortfall > 0).then_some((shortfall, Reverse(self.ids[who]), who))
    }
}

/// Finds the greatest set of queued payments that can settle simultaneously with the given
/// liquidity, keeping FIFO order per payer (see the module documentation for the algorithm and
/// its guarantees). Every payer and payee must appear in `liquidity`.
///
/// Errors: [`GridlockError::ZeroAmount`], [`GridlockError::MissingBalance`],
/// [`GridlockError::BalanceOverflow`].
pub fn resolve_gridlock(
    liquidity: &BTreeMap<ParticipantId, u128>,
    queue: &[QueuedPayment],
) -> Result<GridlockResolution, GridlockError> {
    let (mut books, legs) = take_all(liquidity, queue)?;

    // Every short participant always has an entry holding its current shortfall (pushed
    // whenever its shortfall changes); entries whose value no longer matches are stale.
    let mut heap: BinaryHeap<_> = (0..books.ids.len())
        .filter_map(|who| books.entry(who))
        .collect();
    let mut settles = vec![true; queue.len()];
    let mut rounds = 0usize;
    while let Some((shortfall, _, who)) = heap.pop() {
        if books.shortfall(who) != shortfall {
            continue;
        }
        // A shortfall means outflow > funds ≥ 0, and outflow is the sum of the taken stack.
        let Some(dropped) = books.taken[who].pop() else {
            unreachable!("a short participant has a taken outgoing payment");
        };
        let (payer, payee, amount) = legs[dropped];
        books.outflow[payer] -= amount;
        books.inflow[payee] -= amount;
        settles[dropped] = false;
        rounds += 1;
        heap.extend(books.entry(payer));
        if payee != payer {
            heap.extend(books.entry(payee));
        }
    }

    let settle = (0..queue.len()).filter(|&i| settles[i]).collect();
    // The loop ended, so nobody is short: funds ≥ outflow for every slot.
    let balances_after = (0..books.ids.len())
        .map(|who| (books.ids[who], books.funds(who) - books.outflow[who]))
        .collect();
    Ok(GridlockResolution {
        settle,
        balances_after,
        rounds,
    })
}

/// A queued payment as (payer slot, payee slot, amount).
type Leg = (usize, usize, u128);

/// Validates the queue and builds the books with every payment taken; returns the
/// leg of each queued payment.
fn take_all(
    liquidity: &BTreeMap<ParticipantId, u128>,
    queue: &[QueuedPayment],
) -> Result<(Books, Vec<Leg>), GridlockError> {
    let ids: Vec<ParticipantId> = liquidity.keys().copied().collect();
    let n = ids.len();
    let mut books = Books {
        liquidity: liquidity.values().copied().collect(),
        ids,
        inflow: vec![0; n],
        outflow: vec![0; n],
        taken: vec![Vec::new(); n],
    };
    let mut legs = Vec::with_capacity(queue.len());
    for (index, payment) in queue.iter().enumerate() {
        if payment.amount == 0 {
            return Err(GridlockError::ZeroAmount { index });
        }
        let slot = |participant| {
            books
                .ids
                .binary_search(&participant)
                .map_err(|_| GridlockError::MissingBalance { index, participant })
        };
        let (payer, payee) = (slot(payment.payer)?, slot(payment.payee)?);
        let overflow = |who: usize| GridlockError::BalanceOverflow {
            participant: books.ids[who],
        };
        books.outflow[payer] = books.outflow[payer]
            .checked_add(payment.amount)
            .ok_or_else(|| overflow(payer))?;
        books.inflow[payee] = books.inflow[payee]
            .checked_add(payment.amount)
            .ok_or_else(|| overflow(payee))?;
        books.taken[payer].push(index);
        legs.push((payer, payee, payment.amount));
    }
    if let Some(who) = (0..n).find(|&who| {
        books.liquidity[who]
            .checked_add(books.inflow[who])
            .is_none()
    }) {
        return Err(GridlockError::BalanceOverflow {
            participant: books.ids[who],
        });
    }
    Ok((books, legs))
}
