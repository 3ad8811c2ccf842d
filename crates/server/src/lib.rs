//! The HTTP/JSON API of the kliring hub (axum on tokio).
//!
//! Work in progress: modules are wired as the hub and journal land.

pub mod amount;
pub mod config;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod token;
pub mod wire;

pub use config::ServerConfig;
pub use error::{ApiError, ErrorBody};
