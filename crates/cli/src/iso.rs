//! `kliring iso20022 check`: offline verdicts on ISO 20022 message files, no hub needed.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;

#[derive(Subcommand)]
pub enum IsoCommand {
    /// Parse and validate message files; exit status 1 if any is rejected.
    Check {
        /// One JSON object per file.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Serialize)]
struct FileVerdict<'a> {
    file: String,
    #[serde(flatten)]
    report: &'a iso20022::CheckReport,
}

/// Returns whether every file was valid.
pub fn run(command: IsoCommand) -> anyhow::Result<bool> {
    let IsoCommand::Check { json, files } = command;
    let mut all_valid = true;
    for file in files {
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let report = iso20022::check(&bytes);
        all_valid &= report.is_valid();
        if json {
            let verdict = FileVerdict {
                file: file.display().to_string(),
                report: &report,
            };
            println!("{}", serde_json::to_string(&verdict)?);
            continue;
        }
        let kind = report.version.as_deref().unwrap_or("unidentified message");
        if report.is_valid() {
            println!("{}: {kind}: valid", file.display());
        } else {
            println!("{}: {kind}: rejected", file.display());
        }
        for violation in report.violations() {
            println!(
                "  {} {} at {}: {}",
                violation.code, violation.rule, violation.path, violation.text
            );
        }
        for note in &report.notes {
            println!("  note: {note}");
        }
    }
    Ok(all_valid)
}
