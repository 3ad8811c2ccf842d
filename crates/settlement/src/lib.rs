//! Settlement algorithms for kliring: pure, deterministic functions over integer money.
//!
//! No clock, no I/O, no threads, no randomness; every amount is
//! an integer in the currency's minor unit and every sum is checked, so overflow is an error and
//! never a wrap or a panic.
//!
//! The hub calls, at window close, per currency:
//! - [`SettlementReport::build`]`(window, currency, mode, &obligations)` — nets, produces the
//!   instructions for the chosen [`SettlementMode`], and the bilateral matrix;
//!   [`SettlementReport::reconcile`] re-checks it; [`to_csv`] exports it.
//! - or the parts: [`net`], [`instructions_via_settlement_account`], [`instructions_direct`],
//!   [`bilateral_matrix`], [`apply_instructions`].
//!
//! For a gross-settlement queue: [`resolve_gridlock`] (algorithm and guarantees in
//! [`gridlock`]). `kliring bench netting` lives in the `bench` crate.

#![deny(missing_docs)]

pub mod gridlock;
mod instructions;
mod matrix;
mod netting;
mod report;
mod types;

pub use gridlock::{GridlockError, GridlockResolution, QueuedPayment, resolve_gridlock};
pub use instructions::{
    Instruction, Party, Residual, SettlementMode, apply_instructions, instructions,
    instructions_direct, instructions_via_settlement_account,
};
pub use matrix::{BilateralEntry, BilateralMatrix, bilateral_matrix};
pub use netting::{NetPosition, NetPositions, NettingError, net};
pub use report::{CsvError, CsvFormat, MinorUnits, ReconcileError, SettlementReport, to_csv};
pub use types::{CurrencyCode, InvalidCurrencyCode, Obligation, ParticipantId};
