//! The `kliring` binary as a user runs it: the demo end to end (then `verify` on its journal),
//! the hub a demo leaves behind served again and driven with `kliring client`, offline ISO 20022
//! checks, and ad hoc screening.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{Served, client, kliring, refused, stdout_json};

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
    let out = data.path().join("reports");
    let report = stdout_json(&kliring(&[
        "demo",
        "--payments",
        "400",
        "--json",
        "--data",
        dir,
        "--out",
        out.to_str().unwrap(),
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
        let csv = Path::new(summary["csv"].as_str().unwrap());
        assert!(csv.is_absolute() && csv.exists(), "{csv:?}");
        assert!(csv.starts_with(out.canonicalize().unwrap()), "{csv:?}");
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
    let out = parent.join("reports");
    stdout_json(&kliring(&[
        "demo",
        "--payments",
        payments,
        "--json",
        "--data",
        &dir,
        "--out",
        out.to_str().unwrap(),
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

/// A token the demo left in its data directory.
fn token(dir: &Path, file: &str) -> String {
    let path = dir.join(file);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{path:?} is private");
    }
    std::fs::read_to_string(&path).unwrap().trim().to_owned()
}

/// A clear refusal: failed, said why, and did not panic.
fn refused_clearly(output: &std::process::Output, expected: &str) {
    let stderr = refused(output);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
}

fn pay_args<'a>(from: &'a str, to: &'a str, amount: &'a str, creditor: &'a str) -> Vec<&'a str> {
    vec![
        "pay",
        "--from",
        from,
        "--to",
        to,
        "--amount",
        amount,
        "--currency",
        "KES",
        "--debtor-name",
        "Amina Odhiambo",
        "--debtor-country",
        "KE",
        "--debtor-account",
        "0123456789",
        "--creditor-name",
        creditor,
        "--creditor-country",
        "NG",
        "--creditor-account",
        "9876543210",
    ]
}

#[test]
fn demo_data_is_served_again_and_driven_with_the_client() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("hub");
    let out = parent.path().join("reports");
    let report = stdout_json(&kliring(&[
        "demo",
        "--payments",
        "30",
        "--json",
        "--data",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let kept = &report["kept"];
    assert_eq!(
        kept["serve_command"].as_str().unwrap(),
        format!(
            "kliring serve --data {}",
            dir.canonicalize().unwrap().display()
        )
    );
    assert_eq!(kept["tokens"].as_array().unwrap().len(), 8, "{kept}");
    assert!(dir.join("lists/un.version.json").exists());
    // A second demo into the same directory is refused before it touches anything.
    refused_clearly(
        &kliring(&["demo", "--payments", "1", "--data", dir.to_str().unwrap()]),
        "not empty",
    );

    let operator = token(&dir, "operator.token");
    assert_eq!(operator, kept["operator_token"]);
    let kenya = token(&dir, "tokens/eqblkena.token");
    let nigeria = token(&dir, "tokens/abngngla.token");
    let provider = token(&dir, "tokens/afriegcx.token");
    let officer_1 = token(&dir, "tokens/officer-achieng.token");
    let officer_2 = token(&dir, "tokens/officer-adeyemi.token");

    let served = Served::start(&dir, &[]);
    let hub = served.base_url.as_str();
    assert!(
        served
            .banner
            .contains(&format!("dashboard: {hub}/dashboard")),
        "{}",
        served.banner
    );

    // A payment with the written tokens, participants named by BIC (any case) or id.
    let paid = stdout_json(&client(
        hub,
        &kenya,
        &pay_args("EQBLKENA", "abngngla", "1250.50", "Chukwuemeka Obi"),
    ));
    assert_eq!(paid["status"], "reserved", "{paid}");
    let payment = paid["payment_id"].as_str().unwrap().to_owned();
    let accepted = stdout_json(&client(hub, &nigeria, &["accept", &payment]));
    assert_eq!(accepted["status"], "committed");
    let by_id = stdout_json(&client(
        hub,
        &kenya,
        &pay_args("1", "2", "10.00", "Chukwuemeka Obi"),
    ));
    assert_eq!(by_id["status"], "reserved", "{by_id}");

    // BIC or id wherever a participant is named; bad ones are clear refusals.
    let by_bic = stdout_json(&client(hub, &operator, &["balances", "EQBLKENA"]));
    let by_number = stdout_json(&client(hub, &operator, &["balances", "1"]));
    assert_eq!(by_bic, by_number);
    refused_clearly(
        &client(hub, &operator, &["balances", "ZZZZKEAA"]),
        "no participant has BIC ZZZZKEAA",
    );
    refused_clearly(
        &client(hub, &operator, &["balances", "12ab"]),
        "neither a participant id",
    );
    refused_clearly(
        &client(hub, &operator, &["deposit", "99", "EUR", "1.00"]),
        "participant_not_found",
    );

    // Listing payments, filtered, every page.
    let listed = stdout_json(&client(
        hub,
        &operator,
        &[
            "payments",
            "--participant",
            "EQBLKENA",
            "--status",
            "committed",
            "--limit",
            "2",
            "--all",
        ],
    ));
    let ids: Vec<&str> = listed["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["payment_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&payment.as_str()), "{listed}");
    assert!(
        listed["payments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "committed")
    );
    let own = stdout_json(&client(hub, &nigeria, &["payments", "--limit", "1"]));
    assert_eq!(own["payments"].as_array().unwrap().len(), 1);
    assert!(own["next_cursor"].is_string(), "{own}");

    // Returning a committed payment, with a reason a participant may give.
    refused_clearly(
        &client(
            hub,
            &nigeria,
            &["return", &payment, "--reason", "sanctions_hit"],
        ),
        "requested_by_customer",
    );
    let returned = stdout_json(&client(
        hub,
        &nigeria,
        &["return", &payment, "--reason", "requested_by_customer"],
    ));
    assert_eq!(returned["status"], "committed", "{returned}");
    assert_eq!(returned["reason_code"], "requested_by_customer");
    let original = stdout_json(&client(hub, &kenya, &["payment", &payment]));
    assert_eq!(original["status"], "returned", "{original}");

    // FX: the provider publishes, a bank gets a quote (provider named by BIC) and pays with it.
    let rate = stdout_json(&client(
        hub,
        &provider,
        &["publish-rate", "KES", "NGN", "12.0500", "--spread-bp", "30"],
    ));
    assert_eq!(rate["rate"], "12.05", "{rate}");
    let rates = stdout_json(&client(hub, &kenya, &["rates"]));
    assert!(
        rates
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["spread_bp"] == 30)
    );
    let quote = stdout_json(&client(
        hub,
        &kenya,
        &[
            "quote",
            "--provider",
            "AFRIEGCX",
            "--source-currency",
            "KES",
            "--target-currency",
            "NGN",
            "--amount",
            "100.00",
        ],
    ));
    let quote_id = quote["quote_id"].as_str().unwrap().to_owned();
    let shown = stdout_json(&client(hub, &kenya, &["show-quote", &quote_id]));
    assert_eq!(shown["target_amount"], quote["target_amount"]);
    let mut fx_pay = pay_args("EQBLKENA", "ABNGNGLA", "100.00", "Chukwuemeka Obi");
    fx_pay.extend(["--quote", &quote_id]);
    let converted = stdout_json(&client(hub, &kenya, &fx_pay));
    assert_eq!(converted["status"], "reserved", "{converted}");

    // An auditor reads the settlement windows; the operator closes, downloads and settles.
    let auditor = stdout_json(&client(hub, &operator, &["add-auditor"]));
    assert_eq!(auditor["role"], "auditor");
    let auditor = auditor["token"].as_str().unwrap().to_owned();
    let closed = stdout_json(&client(hub, &operator, &["close-window", "KES"]));
    assert_eq!(closed["status"], "closed", "{closed}");
    let window = closed["id"].as_u64().unwrap().to_string();
    let csv_path = parent.path().join("window.csv");
    let written = common::ok(&client(
        hub,
        &auditor,
        &[
            "window-report",
            &window,
            "--out",
            csv_path.to_str().unwrap(),
        ],
    ));
    assert!(Path::new(written.trim()).is_absolute(), "{written}");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(csv.lines().count() > 1, "{csv}");
    let to_stdout = common::ok(&client(hub, &operator, &["window-report", &window]));
    assert_eq!(to_stdout, csv);
    refused_clearly(
        &client(hub, &auditor, &["settle-window", &window]),
        "forbidden_operator_only",
    );
    let settled = stdout_json(&client(hub, &operator, &["settle-window", &window]));
    assert_eq!(settled["status"], "settled");
    let seen = stdout_json(&client(hub, &auditor, &["window", &window]));
    assert_eq!(seen["status"], "settled");
    let windows = stdout_json(&client(hub, &auditor, &["windows", "KES"]));
    assert!(windows.as_array().unwrap().len() >= 2, "{windows}");
    let open = windows.as_array().unwrap().last().unwrap()["id"]
        .as_u64()
        .unwrap()
        .to_string();
    refused_clearly(
        &client(hub, &operator, &["window-report", &open]),
        "HTTP 409",
    );

    // False positives: a payment to a listed name is held; one officer proposes from its hit,
    // a second confirms, the operator revokes.
    let held = stdout_json(&client(
        hub,
        &kenya,
        &pay_args("EQBLKENA", "ABNGNGLA", "75.00", "Doku Khamatovich Umarov"),
    ));
    assert_eq!(held["status"], "held", "{held}");
    let held_id = held["payment_id"].as_str().unwrap().to_owned();
    let holds = stdout_json(&client(hub, &officer_1, &["held"]));
    let hold = holds
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["payment"]["payment_id"] == held_id.as_str())
        .unwrap();
    let hit = hold["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "creditor.name" && h["list"] == "un")
        .unwrap_or_else(|| panic!("no UN hit on the creditor: {hold}"));
    let proposed = stdout_json(&client(
        hub,
        &officer_1,
        &[
            "propose-false-positive",
            &held_id,
            "--field",
            "creditor.name",
            "--list",
            "un",
            "--reference",
            hit["reference"].as_str().unwrap(),
            "--note",
            "a namesake: customer since 2009, born 1990 in Lagos",
        ],
    ));
    assert_eq!(proposed["status"], "proposed", "{proposed}");
    let fp = proposed["id"].as_u64().unwrap().to_string();
    refused_clearly(
        &client(hub, &officer_1, &["confirm-false-positive", &fp]),
        "HTTP 409",
    );
    let confirmed = stdout_json(&client(hub, &officer_2, &["confirm-false-positive", &fp]));
    assert_eq!(confirmed["status"], "in_force", "{confirmed}");
    let listed = stdout_json(&client(hub, &operator, &["false-positives"]));
    assert_eq!(listed[0]["id"].as_u64().unwrap().to_string(), fp);
    let revoked = stdout_json(&client(hub, &operator, &["revoke-false-positive", &fp]));
    assert_eq!(revoked["status"], "revoked");
    refused_clearly(
        &client(hub, &kenya, &["false-positives"]),
        "forbidden_not_compliance_officer",
    );
    drop(served);

    // Everything the client did went through the journal.
    let verified = stdout_json(&kliring(&[
        "verify",
        "--json",
        "--data",
        dir.to_str().unwrap(),
    ]));
    assert_eq!(verified["kind"], "hub");
}

#[test]
fn demo_writes_its_reports_where_the_user_can_open_them() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("new/reports");
    let report = stdout_json(&kliring(&[
        "demo",
        "--payments",
        "20",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(report["data_dir"].is_null(), "the temporary hub is gone");
    assert!(report.get("kept").is_none());
    for summary in report["windows"].as_array().unwrap() {
        let csv = Path::new(summary["csv"].as_str().unwrap());
        assert!(csv.is_absolute(), "{csv:?}");
        assert!(csv.exists(), "{csv:?} outlives the demo");
    }
}

#[test]
fn client_refuses_bad_input_clearly() {
    // Refused before any request: nothing listens on this port.
    let hub = "http://127.0.0.1:9";
    refused_clearly(
        &client(hub, "t", &["reject", "not-a-uuid"]),
        "invalid value 'not-a-uuid'",
    );
    refused_clearly(
        &client(
            hub,
            "t",
            &[
                "reject",
                "6f1f7e0e-8f5d-4a6e-9f55-3a3c3e6a8a11",
                "--reason",
                "timeout",
            ],
        ),
        "incorrect_account_number",
    );
    refused_clearly(
        &client(hub, "t", &["set-cap", "EQ", "KES", "1.00"]),
        "neither a participant id",
    );
    refused_clearly(
        &client(hub, "t", &["payments", "--status", "pending"]),
        "committed",
    );
    refused_clearly(
        &client(hub, "t", &["participants"]),
        "no answer from the hub",
    );
    let help = common::ok(&kliring(&["client", "--token", "t", "deposit", "--help"]));
    assert!(help.contains("not minor units"), "{help}");
}
