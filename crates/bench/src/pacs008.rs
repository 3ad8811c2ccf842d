//! Throughput benchmark: parse + validate + map of a representative CBPR+-style pacs.008
//! (SWIFT envelope, business application header, one transaction with full parties), on the
//! calling thread. `kliring bench iso20022` prints the result.

use iso20022::model::Message;
use serde::Serialize;
use std::time::Instant;

/// The message the benchmark reads.
pub const PACS008_SAMPLE: &str = include_str!("../../iso20022/tests/samples/pacs008_cbpr.xml");

/// Benchmark outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    /// The benchmarked message, e.g. `pacs.008.001.08`.
    pub message: &'static str,
    /// Messages processed.
    pub iterations: u64,
    /// Messages parsed, validated and mapped per second over the whole run, one thread.
    pub messages_per_sec: f64,
    /// The fastest of the run's batches (each a tenth of the iterations): on a shared machine
    /// this is the best estimate of one uncontended core.
    pub best_batch_messages_per_sec: f64,
    /// Messages that did not come out as a valid credit transfer (must be 0).
    pub failures: u64,
}

/// Batches per run, for `best_batch_messages_per_sec`.
const BATCHES: u64 = 10;

/// Parses, validates and maps [`PACS008_SAMPLE`] `iterations` times.
pub fn pacs008(iterations: u64) -> BenchResult {
    let bytes = PACS008_SAMPLE.as_bytes();
    let mut failures = 0u64;
    let batch = (iterations / BATCHES).max(1);
    let mut best = 0.0f64;
    let mut done = 0u64;
    let start = Instant::now();
    while done < iterations {
        let n = batch.min(iterations - done);
        let batch_start = Instant::now();
        for _ in 0..n {
            match iso20022::parse(std::hint::black_box(bytes)) {
                Ok(p) if matches!(p.message, Some(Message::CreditTransfer(_))) => {}
                _ => failures += 1,
            }
        }
        best = best.max(rate(n, batch_start.elapsed().as_secs_f64()));
        done += n;
    }
    BenchResult {
        message: "pacs.008.001.08",
        iterations,
        messages_per_sec: rate(iterations, start.elapsed().as_secs_f64()),
        best_batch_messages_per_sec: best,
        failures,
    }
}

fn rate(count: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        // Iteration counts stay far below 2^53, so the conversion is exact.
        count as f64 / secs
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sample_is_a_valid_credit_transfer() {
        let r = super::pacs008(3);
        assert_eq!(r.failures, 0);
        assert_eq!(r.iterations, 3);
        assert!(r.messages_per_sec.is_finite() && r.best_batch_messages_per_sec.is_finite());
    }
}
