//! kliring's benchmarks and load generators, behind `kliring bench <x> [--json]`. They live
//! here, not in the crates they measure, so that no library's public API carries a load
//! generator, a timer or a `/proc` parser, and the pure crates stay free of clocks.
//!
//! - [`ledger_durable`]: transfers per second through the journal's sequencer (`bench ledger`);
//!   [`ledger_postgres`] the same with every record committed in PostgreSQL.
//! - [`payments`]: payments per second end to end over HTTP (`bench payments`).
//! - [`netting`]: multilateral netting on one core (`bench netting`).
//! - [`soak`]: a long run of payments through the hub's sequencer, reporting memory, journal
//!   and snapshot bytes, latency and restart time as history grows (`bench soak`).
//! - [`pacs008`]: ISO 20022 pacs.008 parse + validate + map on one core (`bench iso20022`).
//! - [`trade`]: trade data sets matched per second and the trade report (`bench trade`).
//! - [`cpu`]: CPU time from Linux `/proc`, so figures are comparable on a busy machine.
//!
//! `kliring bench screening` runs `screening::bench`, which stays with the matcher it evaluates
//! (its labelled set is also the matcher's precision/recall test).

#![deny(missing_docs)]

pub mod cpu;
pub mod ledger_durable;
pub mod ledger_postgres;
pub mod netting;
pub mod pacs008;
pub mod payments;
pub mod soak;
pub mod trade;
