//! The bilateral matrix: gross sums and counts per ordered (debtor, creditor) pair, for the
//! settlement report. It shows what netting saved and lets a reader trace each figure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::netting::NettingError;
use crate::types::{Obligation, ParticipantId};

/// One cell of the matrix: everything `debtor` owed `creditor` in the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilateralEntry {
    /// Row: the participant that owes.
    pub debtor: ParticipantId,
    /// Column: the participant owed.
    pub creditor: ParticipantId,
    /// Number of obligations in the cell.
    pub count: u64,
    /// Their gross sum in minor units.
    pub gross: u128,
}

/// The non-empty cells, ascending by (debtor, creditor).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilateralMatrix {
    /// Non-empty cells only; a 1,000-participant scheme has up to ~10⁶ of them.
    pub entries: Vec<BilateralEntry>,
}

impl BilateralMatrix {
    /// The cell for an ordered pair, if any obligation fell in it.
    pub fn get(&self, debtor: ParticipantId, creditor: ParticipantId) -> Option<&BilateralEntry> {
        self.entries
            .binary_search_by_key(&(debtor, creditor), |e| (e.debtor, e.creditor))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// Sum of the cells' counts and gross sums; equal to the input totals by construction.
    /// Saturates only if the cells were edited to exceed what [`bilateral_matrix`] accepts.
    pub fn totals(&self) -> (u64, u128) {
        self.entries.iter().fold((0u64, 0u128), |(c, g), e| {
            (c.saturating_add(e.count), g.saturating_add(e.gross))
        })
    }
}

/// Gross sums per ordered pair. Errors: [`NettingError::ZeroAmount`],
/// [`NettingError::GrossTotalOverflow`] (as for [`crate::net`], so both accept the same inputs).
pub fn bilateral_matrix(obligations: &[Obligation]) -> Result<BilateralMatrix, NettingError> {
    let mut cells: BTreeMap<(ParticipantId, ParticipantId), (u64, u128)> = BTreeMap::new();
    let mut total = 0u128;
    for (index, o) in obligations.iter().enumerate() {
        if o.amount == 0 {
            return Err(NettingError::ZeroAmount { index });
        }
        let overflow = NettingError::GrossTotalOverflow { index };
        total = total.checked_add(o.amount).ok_or(overflow.clone())?;
        let cell = cells.entry((o.debtor, o.creditor)).or_default();
        // A cell's sum is bounded by the checked total above, and its count by the input
        // length, so neither can overflow; checked anyway to keep the path panic-free.
        cell.0 = cell.0.checked_add(1).ok_or(overflow.clone())?;
        cell.1 = cell.1.checked_add(o.amount).ok_or(overflow)?;
    }
    // Ordered by (debtor, creditor): the map's key order.
    let entries: Vec<BilateralEntry> = cells
        .into_iter()
        .map(|((debtor, creditor), (count, gross))| BilateralEntry {
            debtor,
            creditor,
            count,
            gross,
        })
        .collect();
    Ok(BilateralMatrix { entries })
}
