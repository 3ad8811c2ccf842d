//! `kliring bench payments`: a load generator of many concurrent HTTP clients on loopback that
//! create and accept payments through the real API, single and batched (bulk endpoints).
//!
//! One server is started on a temporary data directory (durable journal, fdatasync per batch)
//! with the labelled demo sanctions lists, one deferred-net currency and four participants paying
//! each other in a ring (so positions stay balanced). For each configuration every client loops:
//! create (`POST /v1/payments`, or `/bulk` with `batch` items) as the debtor, then accept
//! (`/accept`, or `/bulk-decisions`) as the creditor. A payment counts once it is committed.
//! Latency is the round trip of one HTTP request as its client sees it (a create or an accept;
//! for batches, the whole bulk request); each includes the journal's fdatasync.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use api::client::{ClientError, HubClient};
use api::wire::{
    AddCurrencyRequest, AdmitParticipantRequest, CreateCredentialRequest, CreatePaymentRequest,
    CredentialRoleWire, CredentialView, NetDebitCapRequest, ParticipantView, PartyWire,
    SettlementModelWire,
};
use server::ServerConfig;
use server::{ServerError, start};

/// Participants paying each other in a ring.
const PARTICIPANTS: usize = 4;

/// What to run.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Committed payments to aim for per configuration.
    pub payments: usize,
    /// (clients, batch) pairs; batch 1 uses the single-payment endpoints.
    pub runs: Vec<(usize, usize)>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            payments: 20_000,
            runs: vec![(1, 1), (16, 1), (8, 250), (16, 1_000)],
        }
    }
}

/// One configuration's measurement (one JSON object per line in `kliring bench payments --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchResult {
    /// `single` or `bulk`.
    pub workload: String,
    /// Concurrent HTTP clients.
    pub clients: usize,
    /// Payments per request (1: the single-payment endpoints).
    pub batch: usize,
    /// Payments committed.
    pub payments: usize,
    /// Payments that did not commit (should be 0).
    pub failed: usize,
    /// Wall-clock seconds of the configuration.
    pub seconds: f64,
    /// Committed payments per second.
    pub payments_per_sec: f64,
    /// Median request round trip, ms.
    pub p50_ms: f64,
    /// 99th percentile request round trip, ms.
    pub p99_ms: f64,
    /// CPU seconds this process used during the run (server and load generator together):
    /// `payments / cpu_seconds` shows the cost independently of other load on the machine.
    pub cpu_seconds: f64,
    /// CPU seconds of the sequencer thread alone (journal append, fdatasync wait, hub apply).
    pub sequencer_cpu_seconds: f64,
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The hub did not start or stop cleanly.
    #[error("server: {0}")]
    Server(#[from] ServerError),
    /// The scratch data directory could not be created.
    #[error("creating the temporary data directory: {0}")]
    TempDir(std::io::Error),
    /// Setting up the scheme failed.
    #[error("setup request {what} failed: {source}")]
    Setup {
        /// Which setup step.
        what: &'static str,
        /// How it failed.
        source: ClientError,
    },
    /// The demo sanctions lists did not load.
    #[error("screening fixture: {0}")]
    Lists(String),
    /// A request body could not be encoded.
    #[error("encoding a request: {0}")]
    Encode(serde_json::Error),
}

/// Runs every configuration against one fresh server and returns one result per configuration.
pub async fn payments(config: BenchConfig) -> Result<Vec<BenchResult>, BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::TempDir)?;
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let mut server_config = ServerConfig::new(dir.path(), listen);
    let operator = server::token::generate();
    server_config.operator_token = Some(operator.clone());
    server_config.lists =
        screening::fixtures::demo_lists().map_err(|e| BenchError::Lists(e.to_string()))?;
    let server = start(server_config).await?;
    let client = reqwest::Client::new();
    let base = server.base_url();
    let tokens = setup(&HubClient::new(client.clone(), &base, &operator)).await?;
    let mut results = Vec::new();
    for &(clients, batch) in &config.runs {
        let result = run(
            &client,
            &base,
            &tokens,
            clients.max(1),
            batch.max(1),
            config.payments,
        )
        .await?;
        tracing::info!(?result, "bench configuration done");
        results.push(result);
    }
    server.shutdown().await?;
    Ok(results)
}

/// Participant ids and tokens, index = ring position.
struct Ring {
    ids: Vec<u64>,
    tokens: Vec<String>,
}

/// The scheme's setup goes through the typed client; only the timed loop sends pre-encoded
/// bodies, so that it measures the hub rather than the client's serialisation.
async fn setup(operator: &HubClient) -> Result<Ring, BenchError> {
    let failed = |what: &'static str| move |e: ClientError| BenchError::Setup { what, source: e };
    let currency = AddCurrencyRequest {
        code: "KES".into(),
        exponent: 2,
        settlement_model: SettlementModelWire::DeferredNet,
    };
    let _: serde_json::Value = operator
        .post("/v1/currencies", &currency)
        .await
        .map_err(failed("add currency"))?;
    let mut ring = Ring {
        ids: Vec::new(),
        tokens: Vec::new(),
    };
    for i in 0..PARTICIPANTS {
        let admit = AdmitParticipantRequest {
            name: format!("Bench Bank {i}"),
            bic: format!("BNCHKE{i}0"),
            country: "KE".into(),
            roles: Vec::new(),
        };
        let participant: ParticipantView = operator
            .post("/v1/participants", &admit)
            .await
            .map_err(failed("admit"))?;
        let cap = NetDebitCapRequest {
            currency: "KES".into(),
            cap: "1000000000000.00".into(),
        };
        let _: serde_json::Value = operator
            .put(
                &format!("/v1/participants/{}/net-debit-cap", participant.id),
                &cap,
            )
            .await
            .map_err(failed("cap"))?;
        let credential = CreateCredentialRequest {
            role: CredentialRoleWire::Participant,
            participant_id: Some(participant.id),
            officer: None,
        };
        let issued: CredentialView = operator
            .post("/v1/credentials", &credential)
            .await
            .map_err(failed("credential"))?;
        ring.ids.push(participant.id);
        ring.tokens.push(issued.token);
    }
    Ok(ring)
}

fn payment(ring: &Ring, from: usize, to: usize) -> CreatePaymentRequest {
    let party = |name: &str| PartyWire {
        name: name.into(),
        address: vec!["1 Bench Street".into()],
        country: "KE".into(),
        account: "0123456789".into(),
    };
    CreatePaymentRequest {
        payment_id: Uuid::new_v4(),
        end_to_end_id: "bench".into(),
        debtor: party("Amina Odhiambo"),
        creditor: party("Juma Mwangi"),
        debtor_participant: ring.ids[from],
        creditor_participant: ring.ids[to],
        amount: "1.00".into(),
        currency: "KES".into(),
        remittance_info: None,
        expires_in_secs: None,
        fx_quote_id: None,
        ..CreatePaymentRequest::default()
    }
}

/// One client's tally.
#[derive(Default)]
struct Tally {
    committed: usize,
    failed: usize,
    latencies: Vec<Duration>,
}

async fn run(
    client: &reqwest::Client,
    base: &str,
    ring: &Ring,
    clients: usize,
    batch: usize,
    payments: usize,
) -> Result<BenchResult, BenchError> {
    let cycles = payments.div_ceil(clients * batch).max(1);
    // Serialize every request body before the clock starts, so the measured CPU is the hub's
    // and HTTP's, not the load generator building JSON.
    let mut work = Vec::with_capacity(clients);
    for c in 0..clients {
        let (from, to) = (c % PARTICIPANTS, (c + 1) % PARTICIPANTS);
        let mut cycles_of_client = Vec::with_capacity(cycles);
        for _ in 0..cycles {
            let items: Vec<CreatePaymentRequest> =
                (0..batch).map(|_| payment(ring, from, to)).collect();
            cycles_of_client.push(Cycle::new(base, &items).map_err(BenchError::Encode)?);
        }
        work.push((from, to, cycles_of_client));
    }
    let started = Instant::now();
    let (cpu_before, sequencer_before) = (
        crate::cpu::process_seconds(),
        crate::cpu::sequencer_seconds(<hub::Hub as journal::StateMachine>::KIND),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for (from, to, cycles) in work {
        let client = client.clone();
        let (debtor, creditor) = (ring.tokens[from].clone(), ring.tokens[to].clone());
        tasks.spawn(async move {
            let mut tally = Tally::default();
            for cycle in cycles {
                let committed = cycle.run(&client, &debtor, &creditor, &mut tally).await;
                tally.committed += committed;
                tally.failed += cycle.items - committed;
            }
            tally
        });
    }
    let mut all = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(tally) => {
                all.committed += tally.committed;
                all.failed += tally.failed;
                all.latencies.extend(tally.latencies);
            }
            Err(error) => tracing::error!(%error, "bench client task failed"),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = crate::cpu::process_seconds() - cpu_before;
    let sequencer_cpu =
        crate::cpu::sequencer_seconds(<hub::Hub as journal::StateMachine>::KIND) - sequencer_before;
    all.latencies.sort_unstable();
    let percentile = |p: usize| {
        let n = all.latencies.len();
        if n == 0 {
            return 0.0;
        }
        let index = (n * p / 100).min(n - 1);
        all.latencies[index].as_secs_f64() * 1_000.0
    };
    Ok(BenchResult {
        workload: if batch == 1 {
            "single".into()
        } else {
            "bulk".into()
        },
        clients,
        batch,
        payments: all.committed,
        failed: all.failed,
        seconds,
        // Counts are far below 2^53, so the float conversion is exact.
        payments_per_sec: if seconds > 0.0 {
            all.committed as f64 / seconds
        } else {
            0.0
        },
        p50_ms: percentile(50),
        p99_ms: percentile(99),
        cpu_seconds: cpu,
        sequencer_cpu_seconds: sequencer_cpu,
    })
}

/// One create + accept cycle of one client, with its request bodies already serialized.
struct Cycle {
    items: usize,
    create_url: String,
    create_body: Vec<u8>,
    accept_url: String,
    accept_body: Vec<u8>,
}

/// The part of a bulk answer the load generator checks.
#[derive(Deserialize)]
struct BulkCount {
    succeeded: usize,
}

impl Cycle {
    /// Single endpoints for one item, bulk endpoints for more.
    fn new(base: &str, items: &[CreatePaymentRequest]) -> Result<Self, serde_json::Error> {
        if let [one] = items {
            return Ok(Cycle {
                items: 1,
                create_url: format!("{base}/v1/payments"),
                create_body: serde_json::to_vec(one)?,
                accept_url: format!("{base}/v1/payments/{}/accept", one.payment_id),
                accept_body: b"{}".to_vec(),
            });
        }
        let decisions: Vec<serde_json::Value> = items
            .iter()
            .map(|p| serde_json::json!({ "payment_id": p.payment_id, "decision": "accept" }))
            .collect();
        Ok(Cycle {
            items: items.len(),
            create_url: format!("{base}/v1/payments/bulk"),
            create_body: serde_json::to_vec(&serde_json::json!({ "payments": items }))?,
            accept_url: format!("{base}/v1/payments/bulk-decisions"),
            accept_body: serde_json::to_vec(&serde_json::json!({ "decisions": decisions }))?,
        })
    }

    /// Creates as the debtor, accepts as the creditor; returns how many payments committed.
    async fn run(
        &self,
        client: &reqwest::Client,
        debtor: &str,
        creditor: &str,
        tally: &mut Tally,
    ) -> usize {
        let created = send(
            client,
            &self.create_url,
            debtor,
            &self.create_body,
            tally,
            self.items,
        )
        .await;
        if created < self.items {
            tracing::warn!(
                created,
                items = self.items,
                "bench create did not reserve all"
            );
        }
        send(
            client,
            &self.accept_url,
            creditor,
            &self.accept_body,
            tally,
            self.items,
        )
        .await
    }
}

/// Posts a prepared body and records the round trip; returns how many items succeeded.
async fn send(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &[u8],
    tally: &mut Tally,
    items: usize,
) -> usize {
    let began = Instant::now();
    let response = client
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await;
    let answer = match response {
        Ok(response) if response.status().is_success() => response.bytes().await.ok(),
        Ok(response) => {
            tracing::warn!(status = %response.status(), url, "bench request refused");
            None
        }
        Err(error) => {
            tracing::warn!(%error, url, "bench request failed");
            None
        }
    };
    tally.latencies.push(began.elapsed());
    match answer {
        // A single payment's answer is its result; a bulk answer counts its successes.
        Some(_) if items == 1 => 1,
        Some(bytes) => serde_json::from_slice::<BulkCount>(&bytes).map_or(0, |b| b.succeeded),
        None => 0,
    }
}
