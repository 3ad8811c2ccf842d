//! Settlement instructions: who pays whom so that every net figure reaches zero.
//!
//! Two shapes, chosen by the operator: every participant settles against the scheme's
//! settlement account (one instruction per non-zero figure), or participants pay each other
//! directly (at most n − 1 instructions for n participants with non-zero figures).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use crate::netting::{NetPositions, NettingError};
use crate::types::ParticipantId;

/// One side of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The scheme's settlement account in the currency (held by the operator).
    SettlementAccount,
    /// A participant.
    Participant(ParticipantId),
}

/// `payer` pays `amount` minor units to `payee`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Instruction {
    /// Who pays.
    pub payer: Party,
    /// Who receives.
    pub payee: Party,
    /// Minor units, never zero.
    pub amount: u128,
}

/// How the operator settles a window's net figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementMode {
    /// Every participant pays to or receives from the settlement account.
    ViaSettlementAccount,
    /// Participants pay each other; at most n − 1 instructions.
    Direct,
}

/// The instructions for `positions` in the given mode.
pub fn instructions(positions: &NetPositions, mode: SettlementMode) -> Vec<Instruction> {
    match mode {
        SettlementMode::ViaSettlementAccount => instructions_via_settlement_account(positions),
        SettlementMode::Direct => instructions_direct(positions),
    }
}

/// One instruction per participant with a non-zero figure: payers pay into the settlement
/// account, receivers are paid out of it. Pay-ins come first (ascending id), then pay-outs
/// (ascending id), the order in which a settlement bank can execute them without credit.
pub fn instructions_via_settlement_account(positions: &NetPositions) -> Vec<Instruction> {
    let pay_ins = positions
        .positions()
        .iter()
        .filter(|p| p.net < 0)
        .map(|p| Instruction {
            payer: Party::Participant(p.participant),
            payee: Party::SettlementAccount,
            amount: p.net.unsigned_abs(),
        });
    let pay_outs = positions
        .positions()
        .iter()
        .filter(|p| p.net > 0)
        .map(|p| Instruction {
            payer: Party::SettlementAccount,
            payee: Party::Participant(p.participant),
            amount: p.net.unsigned_abs(),
        });
    pay_ins.chain(pay_outs).collect()
}

/// Participant-to-participant instructions by greedy matching: the largest remaining payer
/// pays the largest remaining receiver the smaller of the two amounts (ties broken by the lower
/// id, so the output is deterministic).
///
/// Bound: each instruction reduces at least one of the two to zero, and the last one reduces
/// both (the payers' and receivers' totals are equal), so with D payers and C receivers there
/// are at most D + C − 1 ≤ n − 1 instructions. Finding the fewest possible is NP-hard (it
/// contains subset-sum), which is why a greedy bound is the guarantee offered.
pub fn instructions_direct(positions: &NetPositions) -> Vec<Instruction> {
    let mut payers: BinaryHeap<(u128, Reverse<ParticipantId>)> = BinaryHeap::new();
    let mut receivers: BinaryHeap<(u128, Reverse<ParticipantId>)> = BinaryHeap::new();
    for p in positions.positions() {
        let entry = (p.net.unsigned_abs(), Reverse(p.participant));
        if p.net < 0 {
            payers.push(entry);
        } else if p.net > 0 {
            receivers.push(entry);
        }
    }
    let mut out = Vec::with_capacity(payers.len() + receivers.len());
    while let (Some((owed, Reverse(payer))), Some((due, Reverse(payee)))) =
        (payers.pop(), receivers.pop())
    {
        let amount = owed.min(due);
        out.push(Instruction {
            payer: Party::Participant(payer),
            payee: Party::Participant(payee),
            amount,
        });
        if owed > amount {
            payers.push((owed - amount, Reverse(payer)));
        }
        if due > amount {
            receivers.push((due - amount, Reverse(payee)));
        }
    }
    out
}

/// What is left of each figure after applying instructions: positive = still to receive,
/// negative = still to pay. The settlement account starts at zero and should end there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Residual {
    /// Every participant of the positions, ascending by id.
    pub participants: Vec<(ParticipantId, i128)>,
    /// Paid in minus paid out, negated (it owes onward what it took in).
    pub settlement_account: i128,
}

impl Residual {
    /// True when the instructions settled every figure exactly.
    pub fn is_zero(&self) -> bool {
        self.settlement_account == 0 && self.participants.iter().all(|(_, r)| *r == 0)
    }
}

/// Applies instructions to net figures: a payer's figure rises by the amount, a payee's falls.
///
/// Errors: [`NettingError::ZeroAmount`], [`NettingError::PayerIsPayee`],
/// [`NettingError::UnknownParticipant`], [`NettingError::NetPositionOverflow`],
/// [`NettingError::SettlementAccountOverflow`].
pub fn apply_instructions(
    positions: &NetPositions,
    instructions: &[Instruction],
) -> Result<Residual, NettingError> {
    let mut participants: Vec<(ParticipantId, i128)> = positions
        .positions()
        .iter()
        .map(|p| (p.participant, p.net))
        .collect();
    let mut settlement_account = 0i128;
    for (index, instruction) in instructions.iter().enumerate() {
        if instruction.amount == 0 {
            return Err(NettingError::ZeroAmount { index });
        }
        if instruction.payer == instruction.payee {
            return Err(NettingError::PayerIsPayee { index });
        }
        for (party, paying) in [(instruction.payer, true), (instruction.payee, false)] {
            let (figure, overflow) = match party {
                Party::SettlementAccount => (
                    &mut settlement_account,
                    NettingError::SettlementAccountOverflow { index },
                ),
                Party::Participant(id) => {
                    let unknown = NettingError::UnknownParticipant {
                        index,
                        participant: id,
                    };
                    let slot = participants
                        .binary_search_by_key(&id, |(p, _)| *p)
                        .map_err(|_| unknown.clone())?;
                    let figure = participants.get_mut(slot).map(|(_, r)| r).ok_or(unknown)?;
                    (
                        figure,
                        NettingError::NetPositionOverflow { participant: id },
                    )
                }
            };
            *figure = shift(*figure, instruction.amount, paying).ok_or(overflow)?;
        }
    }
    Ok(Residual {
        participants,
        settlement_account,
    })
}

fn shift(figure: i128, amount: u128, up: bool) -> Option<i128> {
    let amount = i128::try_from(amount).ok()?;
    if up {
        figure.checked_add(amount)
    } else {
        figure.checked_sub(amount)
    }
}
