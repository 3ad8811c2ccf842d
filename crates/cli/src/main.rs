//! The `kliring` binary: the command line over the library crates.
//!
//! Each subcommand lives in its own module and calls into a library crate; no money logic
//! lives here (Architecture Invariant: the CLI decides nothing the hub or ledger decides). The
//! `server` feature (default) adds the subcommands that run a hub (`serve`, `demo`, `bench`);
//! without it the binary is a client that links neither axum nor a database driver.

#[cfg(feature = "server")]
mod bench;
#[cfg(feature = "server")]
mod demo;
mod iso;
mod lists;
mod remote;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kliring",
    version,
    about = "Cross-border clearing and settlement hub"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub: HTTP API on --listen, journal and lists in --data.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Act on a running hub as a participant, officer or operator.
    Client(remote::ClientArgs),
    /// Run a demonstration: a hub (in a temporary directory, or kept in --data DIR to serve
    /// again), payments, and a report; settlement CSVs go to --out.
    #[cfg(feature = "server")]
    Demo(demo::DemoArgs),
    /// Replay a journal from scratch and check checksums, hash chain and invariants.
    Verify {
        /// The data directory holding the journal (wins over --postgres, which a serving
        /// host may set through KLIRING_POSTGRES).
        #[arg(long, required_unless_present = "postgres")]
        data: Option<PathBuf>,
        /// Verify the journal kept in this PostgreSQL database instead.
        #[arg(
            long,
            value_name = "URL",
            env = "KLIRING_POSTGRES",
            hide_env_values = true
        )]
        postgres: Option<String>,
        /// A directory holding archived journal segments (`kliring journal archive`); repeat
        /// for several.
        #[arg(long, value_name = "DIR")]
        archive: Vec<PathBuf>,
        /// The day-to-day check: start from the newest snapshot once its record is found in
        /// the hash chain, and replay only the records after it (every record is still read
        /// and checksummed; archived segments before the snapshot are not needed).
        #[arg(long)]
        from_snapshot: bool,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Maintain a stopped or running hub's journal.
    Journal {
        #[command(subcommand)]
        command: verify::JournalCommand,
    },
    /// Benchmarks with machine-readable results (one JSON object per line with --json).
    #[cfg(feature = "server")]
    Bench {
        #[command(subcommand)]
        which: bench::BenchCommand,
    },
    /// Sanctions lists: import, download, show.
    Lists {
        #[command(subcommand)]
        command: lists::ListsCommand,
    },
    /// Screen names against sanctions lists (arguments, or one per line on stdin; a line may be a
    /// JSON query {"name":…,"country":…,"birth_date":…,"kind":"individual"|"entity"}).
    Screen {
        /// A list file as SOURCE=FILE (un, ofac-sdn, ofac-alt, ofac-add, eu, uk); repeatable. Without
        /// it, the lists imported into --data are used.
        #[arg(long = "list")]
        lists: Vec<String>,
        /// The data directory whose imported lists (DATA/lists) are used without --list.
        #[arg(long, value_name = "DIR", default_value = "kliring-data")]
        data: PathBuf,
        /// Score at or above which a candidate is a hit.
        #[arg(long, default_value_t = screening::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// One JSON object per name.
        #[arg(long)]
        json: bool,
        /// Screen each input as free text (remittance information, an address line): a listed
        /// name anywhere in it hits.
        #[arg(long)]
        text: bool,
        /// Names (or texts, with --text) to screen; read one per line from stdin when none.
        names: Vec<String>,
    },
    /// ISO 20022 messages: offline checks, and sending a file to a running hub.
    Iso20022 {
        #[command(subcommand)]
        command: iso::IsoCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(if cli.command.is_serve() {
        "info"
    } else {
        "warn"
    });
    let result = match cli.command {
        #[cfg(feature = "server")]
        Command::Serve(args) => serve(args),
        Command::Client(args) => remote::run(args),
        #[cfg(feature = "server")]
        Command::Demo(args) => demo::run(args),
        Command::Verify {
            data,
            archive,
            from_snapshot,
            postgres,
            json,
        } => verify::run(
            data.as_deref(),
            &archive,
            from_snapshot,
            postgres.as_deref(),
            json,
        ),
        Command::Journal { command } => verify::journal(command),
        #[cfg(feature = "server")]
        Command::Bench { which } => bench::run(which),
        Command::Lists { command } => lists::run(command),
        Command::Screen {
            lists,
            data,
            threshold,
            json,
            text,
            names,
        } => lists::screen(&lists, &data, threshold, json, text, names),
        Command::Iso20022 { command } => match iso::run(command) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kliring: {error:#}");
            ExitCode::FAILURE
        }
    }
}

impl Command {
    /// The server logs its life at info; one-shot commands only warn.
    fn is_serve(&self) -> bool {
        #[cfg(feature = "server")]
        if matches!(self, Command::Serve(_)) {
            return true;
        }
        false
    }
}

#[cfg(feature = "server")]
#[derive(clap::Args)]
struct ServeArgs {
    /// The data directory: journal, snapshots, DATA/lists, DATA/operator.token (created at
    /// first start).
    #[arg(long, value_name = "DIR", default_value = "kliring-data")]
    data: PathBuf,
    /// Address and port to serve HTTP on (the dashboard is at http://ADDR/dashboard). An
    /// address other than loopback needs --tls-cert/--tls-key or --allow-plain-http.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7700")]
    listen: std::net::SocketAddr,
    /// Serve HTTPS with this PEM certificate chain (leaf first); reloaded on SIGHUP and when
    /// the file changes.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback --listen (behind a TLS-terminating proxy only:
    /// tokens would otherwise cross the network in clear).
    #[arg(long)]
    allow_plain_http: bool,
    /// Longest wait for a request head, and for the next request on an idle connection.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    header_read_timeout: u64,
    /// Longest wait for a whole request body.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    body_read_timeout: u64,
    /// Most open connections in all.
    #[arg(long, value_name = "N", default_value_t = 4_096)]
    connections_max: usize,
    /// Most open connections from one client address (raise it behind a proxy).
    #[arg(long, value_name = "N", default_value_t = 256)]
    connections_per_address_max: usize,
    /// Operator token to register at first start (default: generated and written to
    /// DATA/operator.token).
    #[arg(long, env = "KLIRING_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
    /// Extra sanctions list files to load (UN, EU or UK XML; OFAC sdn.csv with alt/add
    /// beside it).
    #[arg(long = "list")]
    lists: Vec<PathBuf>,
    /// Screening score at or above which a name is a hit.
    #[arg(long, default_value_t = screening::DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Put a UN list in force even if it does not look like the published one (fewer than
    /// 500 entries, no or an older dateGenerated). The override is journalled and raised on
    /// /v1/health and the dashboard.
    #[arg(long)]
    accept_unverified_un_list: bool,
    /// Days after its dateGenerated the UN list in force raises the un_list_stale alarm.
    #[arg(long, value_name = "DAYS", default_value_t = server::screen::UN_LIST_MAX_AGE_DAYS_DEFAULT)]
    un_list_max_age_days: u32,
    /// Close busy deferred-net settlement windows on this schedule (seconds); settling
    /// them stays the operator's confirmation.
    #[arg(long, value_name = "SECS")]
    close_windows_every: Option<u64>,
    /// Failed token lookups a client address may make per minute before it must wait for
    /// the next minute (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 30)]
    auth_failures_per_minute: u32,
    /// Let participants' webhooks point at loopback, private, link-local and other
    /// special-purpose addresses over plain http:// too (tests, banks on the operator's own
    /// network); by default webhooks must be https:// to a public address.
    #[arg(long)]
    webhook_private_targets: bool,
    /// Trust this PEM CA certificate for https:// webhooks, besides the public roots.
    #[arg(long, value_name = "FILE")]
    webhook_ca: Option<PathBuf>,
    /// Keep the journal in PostgreSQL too (its system of record, e.g.
    /// postgres://kliring:PASSWORD@db.example/kliring): every batch is committed there
    /// before callers are answered; an empty --data is rebuilt from it.
    #[arg(
        long,
        value_name = "URL",
        env = "KLIRING_POSTGRES",
        hide_env_values = true
    )]
    postgres: Option<String>,
    /// With --postgres: refuse to start unless PostgreSQL replicates commits synchronously
    /// (synchronous_standby_names set).
    #[arg(long, requires = "postgres")]
    require_sync_replication: bool,
    /// With --postgres: longest wait for one commit, in ms (a vanished synchronous standby,
    /// a stuck primary); the batch is then answered 503 and never acknowledged, and the hub
    /// follows what PostgreSQL decided once it reaches it again.
    #[arg(
        long,
        requires = "postgres",
        value_name = "MS",
        default_value_t = 5_000
    )]
    postgres_commit_timeout: u64,
    /// With --postgres: start as a standby hub that follows the leader's journal in
    /// PostgreSQL, refuses writes (503 not_leader) and takes over when the leader's session
    /// ends.
    #[arg(long, requires = "postgres")]
    standby: bool,
}

#[cfg(feature = "server")]
fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = server::ServerConfig::new(args.data, args.listen);
    config.operator_token = args.operator_token;
    config.list_files = args.lists;
    config.screening_threshold = args.threshold;
    config.accept_unverified_un_list = args.accept_unverified_un_list;
    config.un_list_max_age_days = args.un_list_max_age_days;
    config.window_close_interval_secs = args.close_windows_every;
    config.auth_failures_per_minute = args.auth_failures_per_minute;
    config.webhook_private_targets = args.webhook_private_targets;
    config.tls = args
        .tls_cert
        .zip(args.tls_key)
        .map(|(cert, key)| server::tls::TlsFiles { cert, key });
    config.allow_plain_http = args.allow_plain_http;
    config.webhook_ca = args.webhook_ca;
    config.listen_limits = server::listen::ListenLimits {
        header_read_timeout: std::time::Duration::from_secs(args.header_read_timeout),
        body_read_timeout: std::time::Duration::from_secs(args.body_read_timeout),
        connections_max: args.connections_max,
        connections_per_address_max: args.connections_per_address_max,
    };
    config.postgres = args.postgres.map(|url| server::config::PostgresConfig {
        url,
        require_sync_replication: args.require_sync_replication,
        commit_timeout_ms: args.postgres_commit_timeout,
        standby: args.standby,
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(server::serve(config))?;
    Ok(())
}

fn init_tracing(default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("KLIRING_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every subcommand says what it is (units, formats).
    #[test]
    fn every_argument_has_help() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in command.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "kliring", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:#?}");
    }

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
