//! `impl state_machine::StateMachine for Hub`: the journal records hub command batches (KIND "hub")
//! and snapshots the hub as postcard bytes (deterministic: only ordered containers).

use crate::command::{Command, Outcome};
use crate::state::Hub;

impl state_machine::StateMachine for Hub {
    type Command = Command;
    type Outcome = Outcome;
    const KIND: &'static str = "hub";

    fn apply(&mut self, timestamp: u64, commands: &[Command]) -> Vec<Outcome> {
        Hub::apply(self, timestamp, commands)
    }

    fn encode_snapshot(&self) -> Vec<u8> {
        // Serializing plain data into a Vec cannot fail; an empty snapshot would be refused by
        // decode (and the journal's checksum) rather than accepted.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    fn decode_snapshot(bytes: &[u8]) -> Result<Self, String> {
        let hub: Hub = postcard::from_bytes(bytes).map_err(|e| format!("hub snapshot: {e}"))?;
        hub.check_invariants()?;
        Ok(hub)
    }

    fn check_invariants(&self) -> Result<(), String> {
        Hub::check_invariants(self)
    }

    fn check_batch_invariants(&self) -> Result<(), String> {
        Hub::check_batch_invariants(self)
    }

    fn fresh() -> Self {
        Hub::new()
    }
}
