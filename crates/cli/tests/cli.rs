//! The `kliring` binary as a user runs it: the demo end to end (then `verify` on its journal),
//! offline ISO 20022 checks, and ad hoc screening.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{kliring, stdout_json};

use std::path::Path;

use serde_json::Value;

fn shared(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(path);
    path.to_str().expect("utf-8 path").to_owned()
}

#[test]
fn demo_runs_end_to_end_and_its_journal_verifies() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("hub");
    let dir = dir.to_str().unwrap();
    let report = stdout_json(&kliring(&[
        "demo",
        "--payments",
        "400",
        "--json",
        "--data",
        dir,
    ]));

    let outcomes = report["outcomes"].as_object().unwrap();
    let taken: u64 = outcomes.values().map(|n| n.as_u64().unwrap()).sum();
    let refused: u64 = report["refused"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(
        taken + refused,
        400,
        "every payment is accounted for: {report}"
    );
    for status in ["committed", "rejected", "expired"] {
        assert!(
            outcomes.get(status).is_some(),
            "no {status} payment: {report}"
        );
    }
    assert_eq!(outcomes.get("reserved"), None, "nothing left reserved");

    // Deferred-net windows: closed, netted to figures that sum to zero, settled, positions reset.
    let windows = report["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2);
    for summary in windows {
        let window = &summary["window"];
        assert_eq!(window["status"], "settled");
        let nets: i128 = window["report"]["positions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["net"]
                    .as_str()
                    .unwrap()
                    .replace('.', "")
                    .parse::<i128>()
                    .unwrap()
            })
            .sum();
        assert_eq!(nets, 0);
        assert!(Path::new(summary["csv"].as_str().unwrap()).exists());
    }
    for participant in report["participants"].as_array().unwrap() {
        for balance in participant["balances"].as_array().unwrap() {
            if balance["currency"] != "EUR" {
                assert_eq!(balance["position"], "0.00", "{participant}");
            }
        }
    }
    for list in report["lists"].as_array().unwrap() {
        assert!(list["version"].as_str().unwrap().len() >= 16);
        assert_eq!(
            list["label"], "demo data",
            "the demo's lists say what they are"
        );
    }

    let verified = stdout_json(&kliring(&["verify", "--json", "--data", dir]));
    assert_eq!(verified["kind"], "hub");
    assert!(verified["commands"].as_u64().unwrap() > 400);
    let quick = stdout_json(&kliring(&[
        "verify",
        "--json",
        "--from-snapshot",
        "--data",
        dir,
    ]));
    assert!(quick["replayed_from"].as_u64().unwrap() > 0, "{quick}");
    assert_eq!(quick["head_hash"], verified["head_hash"]);
}

/// Runs the demo with `payments` into `parent/hub`, returning that data directory.
fn demo_journal(parent: &Path, payments: &str) -> String {
    let dir = parent.join("hub");
    let dir = dir.to_str().unwrap().to_owned();
    stdout_json(&kliring(&[
        "demo",
        "--payments",
        payments,
        "--json",
        "--data",
        &dir,
    ]));
    dir
}

#[test]
fn verify_fails_on_a_tampered_journal() {
    let data = tempfile::tempdir().unwrap();
    let dir = demo_journal(data.path(), "50");
    let dir = dir.as_str();
    let log = Path::new(dir).join("journal.log");
    let mut bytes = std::fs::read(&log).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&log, bytes).unwrap();
    let output = kliring(&["verify", "--data", dir]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("journal.log"), "names the file: {stderr}");
}

#[test]
fn verify_fails_when_the_last_acknowledged_record_is_damaged() {
    let data = tempfile::tempdir().unwrap();
    let dir = demo_journal(data.path(), "20");
    let dir = dir.as_str();
    let verified = stdout_json(&kliring(&["verify", "--json", "--data", dir]));
    assert_eq!(verified["head_marker"], "valid");
    assert_eq!(verified["acknowledged_sequence"], verified["head_sequence"]);
    // Without the head marker this read as a torn write: cut, and verify passed.
    let log = Path::new(dir).join("journal.log");
    let mut bytes = std::fs::read(&log).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&log, bytes).unwrap();
    let output = kliring(&["verify", "--data", dir]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("journal.log") && stderr.contains("acknowledged"),
        "names the file and the loss: {stderr}"
    );
}

#[test]
fn iso20022_check_accepts_positive_and_rejects_negative_files() {
    let valid = kliring(&[
        "iso20022",
        "check",
        "--json",
        &shared("iso20022/pacs.028/fednowoss__pacs028_valid.xml"),
    ]);
    assert_eq!(stdout_json(&valid)["verdict"]["status"], "valid");

    let invalid = kliring(&[
        "iso20022",
        "check",
        "--json",
        &shared("iso20022/negative/pm4ml__pacs.008.outgoing.invalid.xml"),
    ]);
    assert!(
        !invalid.status.success(),
        "a rejected file fails the command"
    );
    let report: Value = serde_json::from_slice(&invalid.stdout).unwrap();
    assert_eq!(report["verdict"]["status"], "rejected", "{report}");
    assert!(
        report["verdict"]["violations"][0]["code"].is_string(),
        "{report}"
    );
}

#[test]
fn screen_finds_listed_names_in_other_scripts_and_spellings() {
    let un = shared("sanctions/un_sc_consolidated_2026-02-27.xml");
    let list = format!("un={un}");
    let output = kliring(&[
        "screen",
        "--list",
        &list,
        "--json",
        "Умаров Доку",
        "Jane Ordinary",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["hits"][0]["list"], "un");
    assert!(
        lines[0]["hits"][0]["name"]
            .as_str()
            .unwrap()
            .contains("UMAROV")
    );
    assert_eq!(lines[1]["hits"].as_array().unwrap().len(), 0);
    assert_eq!(lines[1]["lists"][0]["source"], "un");
}

#[test]
fn screen_refuses_to_run_without_a_un_list() {
    let empty = tempfile::tempdir().unwrap();
    let output = kliring(&["screen", "--data", empty.path().to_str().unwrap(), "Anyone"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no UN Security Council list"));
}
