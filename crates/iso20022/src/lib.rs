//! ISO 20022 for kliring: read pacs/camt messages in any supported version (bare `Document`,
//! `AppHdr` + `Document`, SWIFT `Envelope`, FedNow wrappers), validate them with ISO reason
//! codes, map them into version-neutral models, and emit the hub's own messages (pacs.002,
//! pacs.008, camt.029, camt.053, camt.054). Trade services messages (tsmt, the bank payment
//! obligation's baselines, data sets and match reports) are read with [`trade::parse`] and
//! written by the `emit::tsmt*` emitters.
//!
//! Entry points: [`check`] (offline verdict for the CLI), [`parse`] (model for the hub),
//! [`emit`] (outgoing XML). The throughput benchmark lives in the `bench` crate.
//!
//! **Architecture Invariant:** this crate does no I/O and knows nothing of the hub's state;
//! business outcomes (DUPL, AM04, AG01 ...) are decided by the hub and only rendered here.

pub mod catalog;
pub mod dom;
pub mod emit;
pub mod envelope;
mod map;
pub mod model;
pub mod money;
mod read;
pub mod report;
pub mod rules;
pub mod trade;

pub use envelope::BusinessHeader;
pub use model::Message;
pub use money::{Amount, Currency};
pub use read::{MessageInfo, Parsed, Rejection, check, parse};
pub use report::{CheckReport, Inbound, ReasonCode, Verdict, Violation, Wrapper};
