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

/// `kliring client ARGS` against `hub` as the principal holding `token`.
pub fn client(hub: &str, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kliring"))
        .arg("client")
        .args(args)
        .env("KLIRING_HUB", hub)
        .env("KLIRING_TOKEN", token)
        .output()
        .expect("the kliring binary runs")
}

/// A `kliring serve` process on a free port, stopped when dropped.
pub struct Served {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// What it printed on stdout at start (listening address, dashboard URL).
    pub banner: String,
}

impl Served {
    /// Runs `kliring serve --data DIR --listen 127.0.0.1:0 EXTRA...` and waits for it to listen;
    /// its log goes to DIR/../serve.log.
    pub fn start(data: &std::path::Path, extra: &[&str]) -> Served {
        use std::io::BufRead;
        let log_path = data.with_extension("serve.log");
        let log = std::fs::File::create(&log_path).expect("serve log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_kliring"))
            .arg("serve")
            .arg("--data")
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env_remove("KLIRING_OPERATOR_TOKEN")
            .env_remove("KLIRING_POSTGRES")
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("kliring serve starts");
        let stdout = child.stdout.take().expect("serve stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut banner = String::new();
        let mut base_url = None;
        while let Some(Ok(line)) = lines.next() {
            banner.push_str(&line);
            banner.push('\n');
            if let Some(url) = line.strip_prefix("kliring listening on ") {
                base_url = Some(url.trim().to_owned());
            }
            if line.starts_with("dashboard: ") {
                break;
            }
        }
        let Some(base_url) = base_url else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "kliring serve did not start: {banner}\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
        };
        // Keep reading stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Served {
            child,
            base_url,
            banner,
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
