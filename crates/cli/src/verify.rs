//! `kliring verify --data DIR [--archive DIR]...` (or `--postgres URL`): replays a journal from
//! genesis through the state machine it was written by, across all its segments (archived ones
//! too), and prints counts and the head hash. Any failure is a non-zero exit. A journal in
//! PostgreSQL is first copied, as stored, into a temporary `journal.log`, so that both are
//! checked by the same verifier. `kliring journal archive` moves segments that a verified
//! snapshot makes unnecessary for recovery.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use journal::{StateMachine, VerifyReport};
use ledger::machine::LedgerMachine;

#[derive(Subcommand)]
pub enum JournalCommand {
    /// Verify the journal from genesis, then move its segments whose records all come before
    /// the newest verified snapshot's record into an archive directory (the hub may be running:
    /// it appends only to the last segment, and recovers from that snapshot).
    Archive {
        /// The data directory holding the journal.
        #[arg(long)]
        data: PathBuf,
        /// Where the segments go (segments archived earlier are read from there for the
        /// verification).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
}

pub fn run(
    data: Option<&Path>,
    archives: &[PathBuf],
    from_snapshot: bool,
    postgres: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    match (data, postgres) {
        (Some(data), _) => print(&verify_dir(data, archives, from_snapshot)?, json),
        #[cfg(feature = "server")]
        (None, Some(url)) => {
            let temp = tempfile::Builder::new()
                .prefix("kliring-verify-")
                .tempdir()?;
            let exported = journal_pg::export(url, temp.path())
                .context("cannot read the journal from PostgreSQL")?;
            if !json {
                println!("PostgreSQL holds {} records", exported.records);
            }
            print(&verify_dir(temp.path(), &[], from_snapshot)?, json)
        }
        #[cfg(not(feature = "server"))]
        (None, Some(_)) => bail!(
            "this kliring was built without the `server` feature, so without a PostgreSQL \
             driver: export the journal elsewhere, or verify --data DIR"
        ),
        (None, None) => bail!("give --data DIR or --postgres URL"),
    }
}

pub fn journal(command: JournalCommand) -> anyhow::Result<()> {
    match command {
        JournalCommand::Archive { data, to } => {
            let report = verify_dir(&data, std::slice::from_ref(&to), false)?;
            let Some(snapshot) = report.newest_snapshot else {
                bail!(
                    "{}: no snapshot to recover from, so every segment is still needed",
                    data.display()
                );
            };
            let moved = journal::segment::archive(&data, &to, snapshot)?;
            println!(
                "journal verified (head #{}); {} segment(s) before record {snapshot} (a verified snapshot) moved to {}",
                report.head_sequence,
                moved.len(),
                to.display()
            );
            for path in moved {
                println!("  {}", path.display());
            }
            Ok(())
        }
    }
}

/// Verifies the journal in `data` with the state machine its header names, from genesis or
/// (`from_snapshot`) from its newest snapshot.
fn verify_dir(
    data: &Path,
    archives: &[PathBuf],
    from_snapshot: bool,
) -> anyhow::Result<VerifyReport> {
    fn with<S: StateMachine>(
        data: &Path,
        archives: &[&Path],
        from_snapshot: bool,
    ) -> Result<VerifyReport, journal::VerifyError> {
        if from_snapshot {
            journal::verify_from_snapshot::<S>(data, archives)
        } else {
            journal::verify_with_archives::<S>(data, archives)
        }
    }
    let kind = journal::read_kind(data)
        .with_context(|| format!("cannot read the journal in {}", data.display()))?;
    let archives: Vec<&Path> = archives.iter().map(PathBuf::as_path).collect();
    Ok(match kind.as_str() {
        LedgerMachine::KIND => with::<LedgerMachine>(data, &archives, from_snapshot)?,
        hub::Hub::KIND => with::<hub::Hub>(data, &archives, from_snapshot)?,
        other => bail!("{}: unknown journal kind {other:?}", data.display()),
    })
}

fn print(report: &VerifyReport, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
        return Ok(());
    }
    if report.replayed_from > 0 {
        println!(
            "journal ok ({}), replayed from the snapshot at record {}",
            report.kind, report.replayed_from
        );
    } else {
        println!("journal ok ({})", report.kind);
    }
    if report.replayed_from > 0 {
        println!(
            "  records      {} replayed after the snapshot",
            report.records
        );
    } else {
        println!("  records      {}", report.records);
    }
    println!("  commands     {}", report.commands);
    println!(
        "  head         #{} {}",
        report.head_sequence, report.head_hash
    );
    println!("  segments     {}", report.segments);
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
