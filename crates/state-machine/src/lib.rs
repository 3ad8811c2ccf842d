//! The contract between kliring's journal and the deterministic machines it drives (the ledger,
//! the hub). It lives in its own crate, with serde as its only dependency, so that the pure cores
//! implement it without depending on the journal's I/O: `hub` and `ledger` know nothing of
//! files, threads or clocks, and the journal (which re-exports the trait as
//! `journal::StateMachine`) knows nothing of payments.

#![deny(missing_docs)]

use serde::{Serialize, de::DeserializeOwned};

/// A deterministic state machine whose command batches the journal records.
///
/// `apply` must be a pure function of (state, timestamp, commands): no clock, I/O or randomness,
/// so that replaying the journal reproduces the state exactly.
pub trait StateMachine: Sized + Send + 'static {
    /// One journalled input. Postcard-encoded: append new enum variants, never reorder them.
    type Command: Serialize + DeserializeOwned + Clone + Send + 'static;
    /// The result of one command, returned to the caller that submitted it.
    type Outcome: Send + 'static;
    /// Names the machine ("ledger", "hub"); recorded in the journal header and snapshots.
    const KIND: &'static str;

    /// Applies one batch at `timestamp` (ns), returning exactly one outcome per command.
    fn apply(&mut self, timestamp: u64, commands: &[Self::Command]) -> Vec<Self::Outcome>;
    /// Serialises the whole state; equal states must give equal bytes.
    fn encode_snapshot(&self) -> Vec<u8>;
    /// Restores a state from [`StateMachine::encode_snapshot`] bytes.
    fn decode_snapshot(bytes: &[u8]) -> Result<Self, String>;
    /// Checks all of the machine's invariants (e.g. debits equal credits, indexes consistent).
    fn check_invariants(&self) -> Result<(), String>;
    /// The invariants `journal::verify` checks after *every* batch. Override with a cheaper subset
    /// when the full check is proportional to the whole history (verify runs the full check at
    /// every snapshot and at the end), so that verification stays linear in journal length.
    fn check_batch_invariants(&self) -> Result<(), String> {
        self.check_invariants()
    }
    /// The genesis state, before the first record.
    fn fresh() -> Self;
}
