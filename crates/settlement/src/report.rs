//! The settlement report of one window in one currency: totals, net figures, instructions and
//! the bilateral matrix, built in one call from the window's obligations, checkable for exact
//! reconciliation, and exportable as CSV.

use serde::{Deserialize, Serialize};

use crate::instructions::{Instruction, Party, SettlementMode, apply_instructions, instructions};
use crate::matrix::{BilateralMatrix, bilateral_matrix};
use crate::netting::{NetPosition, NettingError, net};
use crate::types::{CurrencyCode, Obligation, ParticipantId};

/// Everything the operator and participants need to settle one window in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementReport {
    /// The hub's window number.
    pub window: u64,
    /// The currency of every figure below.
    pub currency: CurrencyCode,
    /// How the instructions settle.
    pub mode: SettlementMode,
    /// Number of obligations (committed payments) in the window.
    pub obligation_count: u64,
    /// Their gross sum in minor units.
    pub gross_total: u128,
    /// What moves at settlement: the sum of the positive figures.
    pub net_total: u128,
    /// One per participant that sent or received, ascending by id.
    pub positions: Vec<NetPosition>,
    /// The settlement instructions for `mode`.
    pub instructions: Vec<Instruction>,
    /// Gross sums per ordered pair.
    pub bilateral: BilateralMatrix,
}

/// A report whose parts do not agree with each other.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReconcileError {
    /// The matrix cells do not add up to the report's totals.
    #[error("bilateral matrix totals differ from the report totals")]
    TotalsMismatch,
    /// A participant's gross sums or figure differ from its matrix row and column.
    #[error("position of participant {participant} does not match the matrix")]
    PositionMismatch {
        /// The participant.
        participant: ParticipantId,
    },
    /// Applying the instructions leaves a figure other than zero.
    #[error("instructions do not bring every figure to zero")]
    InstructionsDoNotSettle,
    /// The instructions are malformed or overflow.
    #[error(transparent)]
    Netting(#[from] NettingError),
}

impl ReconcileError {
    /// Stable snake_case code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TotalsMismatch => "report_totals_mismatch",
            Self::PositionMismatch { .. } => "report_position_mismatch",
            Self::InstructionsDoNotSettle => "report_instructions_do_not_settle",
            Self::Netting(e) => e.code(),
        }
    }
}

impl SettlementReport {
    /// Nets the window's obligations and assembles the report. Errors as for [`net`].
    pub fn build(
        window: u64,
        currency: CurrencyCode,
        mode: SettlementMode,
        obligations: &[Obligation],
    ) -> Result<Self, NettingError> {
        let positions = net(obligations)?;
        let bilateral = bilateral_matrix(obligations)?;
        Ok(Self {
            window,
            currency,
            mode,
            obligation_count: positions.obligation_count(),
            gross_total: positions.gross_total(),
            net_total: positions.net_total(),
            instructions: instructions(&positions, mode),
            positions: positions.positions().to_vec(),
            bilateral,
        })
    }

    /// Checks that the parts reconcile exactly: the matrix adds up to the totals, each
    /// participant's gross sums are its matrix row and column, each figure is received − sent,
    /// and the instructions bring every figure (and the settlement account) to zero.
    pub fn reconcile(&self) -> Result<(), ReconcileError> {
        if self.bilateral.totals() != (self.obligation_count, self.gross_total) {
            return Err(ReconcileError::TotalsMismatch);
        }
        // Rebuilding the figures from the matrix cells re-derives every position independently
        // of the obligation scan that produced them.
        let cells: Vec<Obligation> = self
            .bilateral
            .entries
            .iter()
            .map(|e| Obligation {
                debtor: e.debtor,
                creditor: e.creditor,
                amount: e.gross,
            })
            .collect();
        let rebuilt = net(&cells)?;
        if rebuilt.positions().len() != self.positions.len() {
            return Err(ReconcileError::TotalsMismatch);
        }
        for (want, have) in rebuilt.positions().iter().zip(&self.positions) {
            if want != have {
                return Err(ReconcileError::PositionMismatch {
                    participant: have.participant,
                });
            }
        }
        if rebuilt.net_total() != self.net_total
            || !apply_instructions(&rebuilt, &self.instructions)?.is_zero()
        {
            return Err(ReconcileError::InstructionsDoNotSettle);
        }
        Ok(())
    }
}

/// One CSV line; columns a record does not use are left empty. Amounts and parties are written
/// as the [`CsvFormat`] says, as text (so that no reader rounds them).
#[derive(Serialize)]
struct CsvRow<'a> {
    record: &'static str,
    window: u64,
    currency: &'a str,
    party: Option<String>,
    counterparty: Option<String>,
    count: Option<u64>,
    sent: Option<String>,
    received: Option<String>,
    amount: String,
}

/// Why a report could not be written as CSV.
#[derive(Debug, thiserror::Error)]
#[error("csv: {0}")]
pub struct CsvError(String);

impl CsvError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        "report_csv_failed"
    }
}

/// How a CSV export writes participants and amounts. The report holds participant ids and
/// minor units; people reading the file want names or BICs and decimal amounts, which only the
/// caller knows (the scheme's participants, the currency's exponent).
pub trait CsvFormat {
    /// The label of a participant in the `party` / `counterparty` columns.
    fn participant(&self, id: ParticipantId) -> String;
    /// An amount (`sent`, `received`, gross and instruction amounts).
    fn unsigned(&self, minor: u128) -> String;
    /// A signed figure (a position's net).
    fn signed(&self, minor: i128) -> String;
}

/// Participant ids and integer minor units, exactly as the report holds them.
pub struct MinorUnits;

impl CsvFormat for MinorUnits {
    fn participant(&self, id: ParticipantId) -> String {
        id.to_string()
    }
    fn unsigned(&self, minor: u128) -> String {
        minor.to_string()
    }
    fn signed(&self, minor: i128) -> String {
        minor.to_string()
    }
}

/// The report as CSV with header
/// `record,window,currency,party,counterparty,count,sent,received,amount`. Records, in order:
/// `totals` (count, gross sum), `net_total`, one `position` per participant (sent, received,
/// signed figure), one `instruction` each (payer as party, payee as counterparty), one
/// `bilateral` per matrix cell (debtor, creditor, count, gross sum). The settlement account is
/// written as `settlement_account`; participants and amounts as `format` writes them.
pub fn to_csv(report: &SettlementReport, format: &impl CsvFormat) -> Result<String, CsvError> {
    let blank = |record| CsvRow {
        record,
        window: report.window,
        currency: report.currency.as_str(),
        party: None,
        counterparty: None,
        count: None,
        sent: None,
        received: None,
        amount: String::new(),
    };
    let head = [
        CsvRow {
            count: Some(report.obligation_count),
            amount: format.unsigned(report.gross_total),
            ..blank("totals")
        },
        CsvRow {
            amount: format.unsigned(report.net_total),
            ..blank("net_total")
        },
    ];
    let positions = report.positions.iter().map(|p| CsvRow {
        party: Some(format.participant(p.participant)),
        sent: Some(format.unsigned(p.sent)),
        received: Some(format.unsigned(p.received)),
        amount: format.signed(p.net),
        ..blank("position")
    });
    let instructions = report.instructions.iter().map(|i| CsvRow {
        party: Some(party_name(i.payer, format)),
        counterparty: Some(party_name(i.payee, format)),
        amount: format.unsigned(i.amount),
        ..blank("instruction")
    });
    let bilateral = report.bilateral.entries.iter().map(|e| CsvRow {
        party: Some(format.participant(e.debtor)),
        counterparty: Some(format.participant(e.creditor)),
        count: Some(e.count),
        amount: format.unsigned(e.gross),
        ..blank("bilateral")
    });
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in head
        .into_iter()
        .chain(positions)
        .chain(instructions)
        .chain(bilateral)
    {
        writer.serialize(row).map_err(|e| CsvError(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| CsvError(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| CsvError(e.to_string()))
}

fn party_name(party: Party, format: &impl CsvFormat) -> String {
    match party {
        Party::SettlementAccount => "settlement_account".into(),
        Party::Participant(id) => format.participant(id),
    }
}
