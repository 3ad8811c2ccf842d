//! Prometheus metrics served at `/metrics` (text exposition format, via `prometheus-client`).
//!
//! - `kliring_payments_total{command, outcome}`: payment commands (`create`, `decision`,
//!   `hold`) by outcome: the payment's status afterwards (`reserved`, `held`, `committed`,
//!   `rejected`, ...) or the refusal code (`insufficient_funds`, ...).
//! - `kliring_batch_commands`: commands per submission to the sequencer (1 for single requests,
//!   the item count for bulk requests).
//! - `kliring_commit_latency_seconds`: from handing a command to the sequencer until its durable
//!   outcome came back (journal append + fdatasync + apply).
//! - `kliring_http_responses_total{status}`: responses by HTTP status code.
//! - `kliring_journal_records`, `kliring_journal_commands`, `kliring_journal_head_sequence`: the
//!   sequencer's own counters (commands / records = mean journal batch size).

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    command: &'static str,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: u16,
}

/// The server's metrics; cheap to clone (shared handles).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    payments: Family<OutcomeLabels, Counter>,
    responses: Family<StatusLabels, Counter>,
    batch_commands: Histogram,
    commit_latency: Histogram,
    journal_records: Gauge<u64, AtomicU64>,
    journal_commands: Gauge<u64, AtomicU64>,
    journal_head: Gauge<u64, AtomicU64>,
}

impl Metrics {
    /// Creates and registers all metrics.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let payments = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "kliring_payments",
            "Payment commands by outcome",
            payments.clone(),
        );
        let responses = Family::<StatusLabels, Counter>::default();
        registry.register(
            "kliring_http_responses",
            "HTTP responses by status",
            responses.clone(),
        );
        // 1, 2, 4, ... 16384 commands.
        let batch_commands = Histogram::new(exponential_buckets(1.0, 2.0, 15));
        registry.register(
            "kliring_batch_commands",
            "Commands per submission to the sequencer",
            batch_commands.clone(),
        );
        // 50 µs .. ~1.6 s.
        let commit_latency = Histogram::new(exponential_buckets(0.000_05, 2.0, 16));
        registry.register(
            "kliring_commit_latency_seconds",
            "Time from submission to durable outcome",
            commit_latency.clone(),
        );
        let journal_records = Gauge::<u64, AtomicU64>::default();
        registry.register(
            "kliring_journal_records",
            "Journal records appended since start",
            journal_records.clone(),
        );
        let journal_commands = Gauge::<u64, AtomicU64>::default();
        registry.register(
            "kliring_journal_commands",
            "Commands in those records",
            journal_commands.clone(),
        );
        let journal_head = Gauge::<u64, AtomicU64>::default();
        registry.register(
            "kliring_journal_head_sequence",
            "Sequence number of the last durable record",
            journal_head.clone(),
        );
        Metrics {
            journal_records,
            journal_commands,
            journal_head,
            registry: Arc::new(registry),
            payments,
            responses,
            batch_commands,
            commit_latency,
        }
    }

    /// Counts one payment creation with its outcome: the payment's status afterwards, or the
    /// refusal code.
    pub fn payment(&self, outcome: &str) {
        self.payment_command("create", outcome);
    }

    /// Counts one payment command (`create`, `decision`, `hold`) with its outcome.
    pub fn payment_command(&self, command: &'static str, outcome: &str) {
        let labels = OutcomeLabels {
            command,
            outcome: outcome.to_owned(),
        };
        self.payments.get_or_create(&labels).inc();
    }

    /// Counts one HTTP response.
    pub fn response(&self, status: u16) {
        self.responses.get_or_create(&StatusLabels { status }).inc();
    }

    /// Records one submission of `commands` commands that took `latency` to become durable.
    pub fn submission(&self, commands: usize, latency: Duration) {
        // Precision loss above 2^53 commands is irrelevant for a histogram bucket.
        self.batch_commands.observe(commands as f64);
        self.commit_latency.observe(latency.as_secs_f64());
    }

    /// Copies the sequencer's counters into the journal gauges.
    pub fn set_journal(&self, journal: &journal::MetricsSnapshot) {
        self.journal_records.set(journal.records);
        self.journal_commands.set(journal.commands);
        self.journal_head.set(journal.head_sequence);
    }

    /// Renders all metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(%error, "encoding metrics failed");
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_recorded_values() {
        let metrics = Metrics::new();
        metrics.payment("reserved");
        metrics.payment_command("create", "reserved");
        metrics.response(201);
        metrics.submission(3, Duration::from_millis(2));
        let text = metrics.render();
        assert!(
            text.contains("kliring_payments_total{command=\"create\",outcome=\"reserved\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("kliring_http_responses_total{status=\"201\"} 1"),
            "{text}"
        );
        assert!(text.contains("kliring_batch_commands_sum 3.0"), "{text}");
        assert!(
            text.contains("kliring_commit_latency_seconds_count 1"),
            "{text}"
        );
    }
}
