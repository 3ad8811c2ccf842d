//! `ledger`: kliring's deterministic money core.
//!
//! Accounts hold four running totals (debits and credits, posted and pending) in the integer
//! minor unit of one ISO 4217 currency. Transfers move money between two accounts of the same
//! currency: single-phase (posted at once) or two-phase (pending, then posted in full or in
//! part, voided, or expired). Events may be linked into all-or-nothing chains; re-submitting an
//! id is idempotent. Every rejection has its own [`EventResult`] code, and arithmetic is checked
//! everywhere: an overflow rejects the event, it never wraps or panics.
//!
//! **Architecture Invariant:** this crate does no I/O, reads no clock, uses no randomness and
//! starts no threads. [`Ledger::apply`] is a pure function of (state, `now`, events): replaying
//! the same batches gives the same state and results, byte for byte. Time is always an input.
//!
//! ```
//! use ledger::*;
//! let eur = Currency::new("EUR", 2).unwrap();
//! let open = |id, flags| Event::CreateAccount(NewAccount {
//!     id: AccountId(id), currency: eur, owner: id, code: 1, flags, net_debit_cap: None,
//! });
//! let mut ledger = Ledger::new();
//! let results = ledger.apply(1_000, &[
//!     open(1, AccountFlags::NONE),
//!     open(2, AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS),
//!     Event::CreateTransfer(NewTransfer {
//!         id: TransferId(10), debit_account_id: AccountId(2), credit_account_id: AccountId(1),
//!         amount: 500, pending_id: None, timeout_ns: 0, code: 1, user_data: 0,
//!         flags: TransferFlags::NONE,
//!     }),
//! ]);
//! assert_eq!(results[2], EventResult::ExceedsCredits);
//! assert!(ledger.check_invariants().is_ok());
//! ```

#![deny(missing_docs)]

mod accounts;
mod event;
mod hash;
mod invariants;
mod ledger;
pub mod machine;
mod snapshot;
mod transfers;
mod types;

pub use event::{Event, EventResult};
pub use invariants::InvariantViolation;
pub use ledger::Ledger;
pub use types::{
    Account, AccountFlags, AccountId, CURRENCY_EXPONENT_MAX, Currency, CurrencyError, NewAccount,
    NewTransfer, Timestamp, Transfer, TransferFlags, TransferId, TransferState,
};
