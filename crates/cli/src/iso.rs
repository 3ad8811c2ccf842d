//! `kliring iso20022 check`: offline verdicts on ISO 20022 message files, no hub needed;
//! `kliring iso20022 send`: post a message file to a running hub and print its XML answer.

use std::path::{Path, PathBuf};

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
        /// ISO 20022 XML message files (pacs, camt) to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Post one message to a running hub (`POST /v1/iso20022`) and print the hub's answer
    /// (pacs.002, camt.029, or an error body); exit status 1 unless the hub answered 2xx.
    Send {
        /// The hub's base URL; repeat it (or separate URLs with commas) to name a leader and
        /// its standbys: the message goes to the next URL on a connection error or a
        /// standby's `not_leader`.
        #[arg(
            long,
            env = "KLIRING_HUB",
            default_value = "http://127.0.0.1:7700",
            value_delimiter = ','
        )]
        hub: Vec<String>,
        /// Bearer token of the sending participant.
        #[arg(long, env = "KLIRING_TOKEN", hide_env_values = true)]
        token: String,
        /// The ISO 20022 XML message file to post (e.g. a pacs.008).
        file: PathBuf,
    },
}

#[derive(Serialize)]
struct FileVerdict<'a> {
    file: String,
    #[serde(flatten)]
    report: &'a iso20022::CheckReport,
}

/// Returns whether every file was valid (check) or the hub answered 2xx (send).
pub fn run(command: IsoCommand) -> anyhow::Result<bool> {
    match command {
        IsoCommand::Check { json, files } => check(json, files),
        IsoCommand::Send { hub, token, file } => send(&hub, &token, &file),
    }
}

fn send(hubs: &[String], token: &str, file: &Path) -> anyhow::Result<bool> {
    let body = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (status, answer) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let client = reqwest::Client::new();
            let mut last = None;
            for (index, hub) in hubs.iter().enumerate() {
                let url = format!("{}/v1/iso20022", hub.trim().trim_end_matches('/'));
                let sent = client
                    .post(&url)
                    .bearer_auth(token)
                    .header(reqwest::header::CONTENT_TYPE, "application/xml")
                    .body(body.clone())
                    .send()
                    .await;
                let response = match sent {
                    // Never reached a hub: the next one may take it.
                    Err(error) if error.is_connect() => {
                        last =
                            Some(anyhow::Error::new(error).context(format!("cannot reach {url}")));
                        continue;
                    }
                    sent => sent.with_context(|| format!("cannot reach {url}"))?,
                };
                let status = response.status();
                let text = response.text().await?;
                // A standby refuses with `not_leader` (JSON) and has done nothing: try the next.
                let standby = status == reqwest::StatusCode::SERVICE_UNAVAILABLE
                    && serde_json::from_str::<api::ErrorBody>(&text)
                        .is_ok_and(|body| body.code == "not_leader");
                if standby && index + 1 < hubs.len() {
                    last = Some(anyhow::anyhow!("{url}: this hub is a standby"));
                    continue;
                }
                return anyhow::Ok((status, text));
            }
            Err(last.unwrap_or_else(|| anyhow::anyhow!("no hub URL given")))
        })?;
    eprintln!("HTTP {status}");
    println!("{}", answer.trim_end());
    Ok(status.is_success())
}

fn check(json: bool, files: Vec<PathBuf>) -> anyhow::Result<bool> {
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
