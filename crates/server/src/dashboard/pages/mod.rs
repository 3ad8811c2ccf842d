//! The dashboard's pages, one module per section.

pub mod compliance;
pub mod overview;
pub mod participants;
pub mod payments;
pub mod settlement;
pub mod sign_in;
