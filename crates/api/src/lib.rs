//! kliring's HTTP API as data, shared by the server, the CLI, the benchmarks and the tests: the
//! JSON wire types ([`wire`]), the body every refusal carries ([`ErrorBody`]) and a typed client
//! ([`client::HubClient`], reqwest). It knows nothing of axum or the hub, so a client links none
//! of the server.

pub mod client;
mod error;
pub mod wire;

pub use error::ErrorBody;
