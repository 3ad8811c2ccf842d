//! The settlement report: exact CSV and JSON for a small window, and reconciliation that
//! catches every kind of tampering.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use settlement::{
    CurrencyCode, MinorUnits, Obligation, ParticipantId, Party, ReconcileError, SettlementMode,
    SettlementReport, to_csv,
};

fn window() -> Vec<Obligation> {
    [
        (1, 2, 10_000),
        (2, 1, 2_500),
        (1, 3, 700),
        (3, 2, 200),
        (1, 2, 50),
    ]
    .map(|(d, c, a)| Obligation::new(d, c, a))
    .to_vec()
}

fn report(mode: SettlementMode) -> SettlementReport {
    SettlementReport::build(4, CurrencyCode::parse("KES").unwrap(), mode, &window()).unwrap()
}

#[test]
fn csv_via_settlement_account() {
    let want = "\
record,window,currency,party,counterparty,count,sent,received,amount
totals,4,KES,,,5,,,13450
net_total,4,KES,,,,,,8250
position,4,KES,1,,,10750,2500,-8250
position,4,KES,2,,,2500,10250,7750
position,4,KES,3,,,200,700,500
instruction,4,KES,1,settlement_account,,,,8250
instruction,4,KES,settlement_account,2,,,,7750
instruction,4,KES,settlement_account,3,,,,500
bilateral,4,KES,1,2,2,,,10050
bilateral,4,KES,1,3,1,,,700
bilateral,4,KES,2,1,1,,,2500
bilateral,4,KES,3,2,1,,,200
";
    assert_eq!(
        to_csv(&report(SettlementMode::ViaSettlementAccount), &MinorUnits).unwrap(),
        want
    );
}

#[test]
fn csv_direct_and_empty() {
    let csv = to_csv(&report(SettlementMode::Direct), &MinorUnits).unwrap();
    let instructions: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("instruction"))
        .collect();
    assert_eq!(
        instructions,
        [
            "instruction,4,KES,1,2,,,,7750",
            "instruction,4,KES,1,3,,,,500"
        ]
    );
    let empty = SettlementReport::build(
        1,
        CurrencyCode::parse("EUR").unwrap(),
        SettlementMode::Direct,
        &[],
    )
    .unwrap();
    assert_eq!(
        to_csv(&empty, &MinorUnits).unwrap(),
        "record,window,currency,party,counterparty,count,sent,received,amount\n\
         totals,1,EUR,,,0,,,0\nnet_total,1,EUR,,,,,,0\n"
    );
}

#[test]
fn json_shape_and_round_trip() {
    let report = report(SettlementMode::ViaSettlementAccount);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["currency"], "KES");
    assert_eq!(json["mode"], "via_settlement_account");
    assert_eq!(json["gross_total"], 13450);
    assert_eq!(
        json["positions"][0],
        serde_json::json!({"participant": 1, "sent": 10750, "received": 2500, "net": -8250})
    );
    assert_eq!(
        json["instructions"][0],
        serde_json::json!({"payer": {"participant": 1}, "payee": "settlement_account", "amount": 8250})
    );
    assert_eq!(
        json["bilateral"]["entries"][0],
        serde_json::json!({"debtor": 1, "creditor": 2, "count": 2, "gross": 10050})
    );
    let back: SettlementReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn reconcile_catches_tampering() {
    type Tamper = fn(&mut SettlementReport);
    let table: &[(&str, Tamper, &str)] = &[
        ("untouched", |_| {}, ""),
        (
            "count",
            |r| r.obligation_count += 1,
            "report_totals_mismatch",
        ),
        ("gross", |r| r.gross_total -= 1, "report_totals_mismatch"),
        (
            "cell moved",
            |r| r.bilateral.entries[0].creditor = ParticipantId(3),
            "report_position_mismatch",
        ),
        (
            "figure",
            |r| {
                r.positions[0].net += 1;
                r.positions[1].net -= 1;
            },
            "report_position_mismatch",
        ),
        (
            "position dropped",
            |r| {
                r.positions.pop();
            },
            "report_totals_mismatch",
        ),
        (
            "instruction dropped",
            |r| {
                r.instructions.pop();
            },
            "report_instructions_do_not_settle",
        ),
        (
            "instruction amount",
            |r| r.instructions[0].amount += 1,
            "report_instructions_do_not_settle",
        ),
        (
            "net total",
            |r| r.net_total += 1,
            "report_instructions_do_not_settle",
        ),
        (
            "instruction to a stranger",
            |r| r.instructions[1].payee = Party::Participant(ParticipantId(99)),
            "unknown_participant",
        ),
    ];
    for mode in [SettlementMode::ViaSettlementAccount, SettlementMode::Direct] {
        for (name, tamper, code) in table {
            let mut r = report(mode);
            tamper(&mut r);
            let got = r
                .reconcile()
                .err()
                .map(|e: ReconcileError| e.code())
                .unwrap_or("");
            assert_eq!(got, *code, "{name} {mode:?}");
        }
    }
}

#[test]
fn build_rejects_bad_obligations() {
    let kes = CurrencyCode::parse("KES").unwrap();
    let zero = [Obligation::new(1, 2, 0)];
    let err = SettlementReport::build(1, kes, SettlementMode::Direct, &zero).unwrap_err();
    assert_eq!(err.code(), "zero_amount");
    let huge = [Obligation::new(1, 2, u128::MAX), Obligation::new(2, 1, 1)];
    let err = SettlementReport::build(1, kes, SettlementMode::Direct, &huge).unwrap_err();
    assert_eq!(err.code(), "gross_total_overflow");
}
