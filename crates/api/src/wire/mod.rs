//! Wire types: the JSON shapes of the API (serde + utoipa schemas).
//!
//! They are deliberately separate from the hub's types: the hub's types are journalled with
//! postcard and evolve under its own rules, while these are a public contract. Conversions happen
//! at the edge, in the server's route handlers (functions that return its `ApiError`).
//! Request types deny unknown fields so that a misspelt optional field is an error, not a silent
//! default.

mod events;
mod participants;
mod payments;
mod settlement;

pub use events::*;
pub use participants::*;
pub use payments::*;
pub use settlement::*;
