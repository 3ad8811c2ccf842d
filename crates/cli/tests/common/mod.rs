//! Running the `kliring` binary from the CLI test suites.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::process::{Command, Output};

use serde_json::Value;

pub fn kliring(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kliring"))
        .args(args)
        .output()
        .expect("the kliring binary runs")
}

/// Stdout of a run that must succeed.
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

/// Stdout of a run that must succeed, as JSON.
pub fn stdout_json(output: &Output) -> Value {
    serde_json::from_str(&ok(output)).expect("stdout is JSON")
}

/// Stderr of a run that must fail.
pub fn refused(output: &Output) -> String {
    assert!(!output.status.success(), "expected a refusal");
    String::from_utf8_lossy(&output.stderr).into_owned()
}
