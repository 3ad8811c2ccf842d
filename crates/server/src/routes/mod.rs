//! The JSON handlers under `/v1` (their routes are assembled in `router.rs`), and helpers
//! they share.

pub mod bulk;
pub mod compliance;
pub mod credentials;
pub mod false_positives;
pub mod fx;
pub mod hooks;
pub mod inbox;
pub mod participants;
pub mod payments;
pub mod queries;
pub mod queue;
pub mod system;
pub mod windows;

// The handlers reach these through `routes::`, as before the service layer had them.
pub use crate::app::{submit_expect, unexpected};
