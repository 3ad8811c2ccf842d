//! `kliring verify --data DIR` (or `--postgres URL`): replays a journal from genesis through the
//! state machine it was written by, and prints counts and the head hash. Any failure is a
//! non-zero exit. A journal in PostgreSQL is first copied, as stored, into a temporary
//! `journal.log`, so that both are checked by the same verifier.

use std::path::Path;

use anyhow::{Context, bail};
use journal::{StateMachine, VerifyReport, ledger_machine::LedgerMachine};

pub fn run(data: Option<&Path>, postgres: Option<&str>, json: bool) -> anyhow::Result<()> {
    match (data, postgres) {
        (Some(data), _) => run_dir(data, json),
        (None, Some(url)) => {
            let temp = tempfile::Builder::new()
                .prefix("kliring-verify-")
                .tempdir()?;
            let exported = journal_pg::export(url, temp.path())
                .context("cannot read the journal from PostgreSQL")?;
            if !json {
                println!("PostgreSQL holds {} records", exported.records);
            }
            run_dir(temp.path(), json)
        }
        (None, None) => bail!("give --data DIR or --postgres URL"),
    }
}

fn run_dir(data: &Path, json: bool) -> anyhow::Result<()> {
    let kind = journal::read_kind(data)
        .with_context(|| format!("cannot read the journal in {}", data.display()))?;
    let report = match kind.as_str() {
        LedgerMachine::KIND => journal::verify::<LedgerMachine>(data)?,
        hub::Hub::KIND => journal::verify::<hub::Hub>(data)?,
        other => bail!("{}: unknown journal kind {other:?}", data.display()),
    };
    print(&report, json)
}

fn print(report: &VerifyReport, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
        return Ok(());
    }
    println!("journal ok ({})", report.kind);
    println!("  records      {}", report.records);
    println!("  commands     {}", report.commands);
    println!(
        "  head         #{} {}",
        report.head_sequence, report.head_hash
    );
    println!("  snapshots    {} checked", report.snapshots_checked);
    match (report.head_marker, report.acknowledged_sequence) {
        (_, Some(sequence)) => println!("  acknowledged #{sequence} (journal.head)"),
        ("damaged", None) => println!(
            "  acknowledged unknown: journal.head is damaged (the hub rewrites it at start)"
        ),
        _ => println!("  acknowledged unknown: no journal.head (a journal from before markers)"),
    }
    if report.torn_tail_bytes > 0 {
        println!(
            "  torn tail    {} bytes (an unacknowledged partial write; recovery cuts it)",
            report.torn_tail_bytes
        );
    }
    Ok(())
}
