//! kliring hub: the pure, deterministic scheme logic on top of the ledger.
//!
//! **Architecture Invariant**: no clock, I/O, randomness or threads. Time is the batch timestamp
//! passed to `apply`; everything the server knows (screening verdicts, token hashes, generated
//! ids) arrives inside commands, so replaying the journal rebuilds exactly the same state.
//!
//! Public API (used by the server, the CLI and `kliring verify`):
//! - [`Command`] `{ actor: Principal, action: Action }` — journalled; [`Action`] variants are
//!   append-only. [`Outcome`] = `Result<Success, HubError>`; an `Err` changed nothing.
//!   [`HubError::code`] / [`Reason::code`] are stable snake_case codes, `iso_code()` the ISO 20022
//!   status reason where one fits; the server maps codes to HTTP statuses.
//! - Value types with validating constructors: [`CurrencyCode`], [`CountryCode`], [`Bic`],
//!   [`PaymentInstruction`], [`ScreeningVerdict`].
pub mod command;
pub mod error;
pub mod model;

pub use command::{
    Action, Command, CreatePayment, LiquidityDirection, Outcome, PaymentOutcome, Success,
};
pub use error::{HubError, Reason};
pub use model::*;
