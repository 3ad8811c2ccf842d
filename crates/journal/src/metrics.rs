//! Sequencer counters and a batch commit latency histogram, lock-free, readable from any thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

/// Exact buckets for latencies below this many microseconds.
const LINEAR_US: u64 = 16;
/// Sub-buckets per power of two above that (relative precision 1/8).
const SUB_BUCKETS: u64 = 8;
/// Buckets covering up to 2^40 µs (about 12 days); larger values share the last bucket.
const BUCKETS: usize = 16 + 36 * 8;

/// Shared by the sequencer thread (writer) and handles (readers).
pub(crate) struct Metrics {
    records: AtomicU64,
    commands: AtomicU64,
    bytes: AtomicU64,
    head_sequence: AtomicU64,
    snapshots: AtomicU64,
    latency: Vec<AtomicU64>,
}

/// A copy of the sequencer's counters at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricsSnapshot {
    /// Records appended by this sequencer since it started.
    pub records: u64,
    /// Commands in those records.
    pub commands: u64,
    /// Bytes appended.
    pub bytes: u64,
    /// Sequence of the last durable record.
    pub head_sequence: u64,
    /// Snapshots written.
    pub snapshots: u64,
    /// Commit latency histogram (write + fdatasync + apply per record); see
    /// [`MetricsSnapshot::latency_percentile_us`].
    pub latency_buckets: Vec<u64>,
}

impl Metrics {
    pub fn new(head_sequence: u64) -> Self {
        Metrics {
            records: AtomicU64::new(0),
            commands: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            head_sequence: AtomicU64::new(head_sequence),
            snapshots: AtomicU64::new(0),
            latency: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    pub fn record_commit(&self, sequence: u64, commands: u64, bytes: u64, latency: Duration) {
        self.records.fetch_add(1, Ordering::Relaxed);
        self.commands.fetch_add(commands, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.head_sequence.store(sequence, Ordering::Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency[bucket_of(micros)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_snapshot(&self) {
        self.snapshots.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            records: self.records.load(Ordering::Relaxed),
            commands: self.commands.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            head_sequence: self.head_sequence.load(Ordering::Relaxed),
            snapshots: self.snapshots.load(Ordering::Relaxed),
            latency_buckets: self
                .latency
                .iter()
                .map(|b| b.load(Ordering::Relaxed))
                .collect(),
        }
    }
}

impl MetricsSnapshot {
    /// The counters accumulated between `earlier` and `self`.
    pub fn since(&self, earlier: &MetricsSnapshot) -> MetricsSnapshot {
        MetricsSnapshot {
            records: self.records.saturating_sub(earlier.records),
            commands: self.commands.saturating_sub(earlier.commands),
            bytes: self.bytes.saturating_sub(earlier.bytes),
            head_sequence: self.head_sequence,
            snapshots: self.snapshots.saturating_sub(earlier.snapshots),
            latency_buckets: self
                .latency_buckets
                .iter()
                .zip(earlier.latency_buckets.iter().chain(std::iter::repeat(&0)))
                .map(|(now, before)| now.saturating_sub(*before))
                .collect(),
        }
    }

    /// Upper bound (µs, within 1/8) of the commit latency below which `percent`% of records fall;
    /// `None` when no record was committed.
    pub fn latency_percentile_us(&self, percent: u8) -> Option<u64> {
        let total: u64 = self.latency_buckets.iter().sum();
        if total == 0 {
            return None;
        }
        // Rank of the wanted sample, rounded up, at least 1.
        let rank = (u128::from(total) * u128::from(percent.min(100)))
            .div_ceil(100)
            .max(1);
        let mut seen = 0u128;
        for (index, count) in self.latency_buckets.iter().enumerate() {
            seen += u128::from(*count);
            if seen >= rank {
                return Some(bucket_upper_us(index));
            }
        }
        self.latency_buckets
            .len()
            .checked_sub(1)
            .map(bucket_upper_us)
    }
}

fn bucket_of(micros: u64) -> usize {
    if micros < LINEAR_US {
        return usize::try_from(micros).unwrap_or(0);
    }
    let msb = u64::from(63 - micros.leading_zeros());
    let sub = (micros >> (msb - 3)) & (SUB_BUCKETS - 1);
    let index = LINEAR_US + (msb - 4) * SUB_BUCKETS + sub;
    usize::try_from(index)
        .unwrap_or(BUCKETS - 1)
        .min(BUCKETS - 1)
}

fn bucket_upper_us(index: usize) -> u64 {
    let index = u64::try_from(index).unwrap_or(u64::MAX);
    if index < LINEAR_US {
        return index;
    }
    let msb = (index - LINEAR_US) / SUB_BUCKETS + 4;
    let sub = (index - LINEAR_US) % SUB_BUCKETS;
    // Values in this bucket are [(8 + sub) << (msb - 3), (9 + sub) << (msb - 3)).
    ((SUB_BUCKETS + sub + 1) << (msb - 3)) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_bound_their_values() {
        for micros in [0, 1, 15, 16, 17, 100, 1_000, 1_234_567, 1 << 39] {
            let upper = bucket_upper_us(bucket_of(micros));
            assert!(upper >= micros, "{micros} -> {upper}");
            assert!(upper <= micros + micros / 8 + 1, "{micros} -> {upper}");
        }
    }

    #[test]
    fn percentiles_pick_the_right_rank() {
        let metrics = Metrics::new(0);
        for ms in 1..=100u64 {
            metrics.record_commit(ms, 1, 1, Duration::from_millis(ms));
        }
        let snap = metrics.snapshot();
        let p50 = snap.latency_percentile_us(50).expect("samples");
        let p99 = snap.latency_percentile_us(99).expect("samples");
        assert!((50_000..=56_250).contains(&p50), "{p50}");
        assert!((99_000..=111_375).contains(&p99), "{p99}");
        assert_eq!(snap.since(&snap).latency_percentile_us(50), None);
    }
}
