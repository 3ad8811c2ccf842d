//! HTTP API tests: a real server on an ephemeral loopback port, driven with reqwest. One test
//! binary (modules below) so the suite links once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod auth_limit;
mod authz;
mod cancel;
mod dashboard;
mod false_positives;
mod flows;
mod harness;
mod iso20022;
mod iso_ids;
mod iso_messages;
mod openapi;
mod openapi_client;
mod postgres;
mod queue;
mod restart;
mod schedule;
mod screen_fields;
mod screen_lists;
mod screen_participants;
mod screening;
mod security;
mod security_tls;
mod settlement;
mod validation;
mod webhook;
