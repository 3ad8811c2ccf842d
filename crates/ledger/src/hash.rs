//! A fixed, fast hasher for the 128-bit ids used as map keys.
//!
//! The standard library's default hasher is randomly seeded per process, which would make
//! iteration order (and anything derived from it) differ between runs. This hasher has no seed,
//! so the ledger stays a pure function of its inputs. Ledger output never depends on map
//! iteration order anyway: listings and snapshots sort by id.
//!
//! A fixed hash can be attacked by someone who picks many colliding ids. Ids reaching the
//! ledger should therefore be chosen by the hub (sequential, or derived from a UUID), not taken
//! verbatim from outside callers.

use core::hash::{BuildHasher, Hasher};

/// A `HashMap` keyed by ledger ids with the fixed [`IdHashBuilder`].
#[allow(
    clippy::disallowed_types,
    reason = "seeded by nothing: see the module doc"
)]
pub(crate) type IdMap<K, V> = std::collections::HashMap<K, V, IdHashBuilder>;

/// Builds [`IdHasher`]s; stateless, so every process hashes alike.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IdHashBuilder;

impl BuildHasher for IdHashBuilder {
    type Hasher = IdHasher;

    fn build_hasher(&self) -> IdHasher {
        IdHasher(SEED)
    }
}

// Arbitrary odd constants (digits of pi); folding a multiply by them spreads every input bit
// over the high bits that the table uses for bucket choice and control bytes.
const SEED: u64 = 0x243F_6A88_85A3_08D3;
const MULTIPLIER: u64 = 0x1319_8A2E_0370_7345;

/// A folded-multiply hasher (the scheme of foldhash and wyhash) specialised for `u128` keys.
#[derive(Copy, Clone, Debug)]
pub(crate) struct IdHasher(u64);

fn halves(value: u128) -> (u64, u64) {
    let bytes = value.to_le_bytes();
    let mut low = [0u8; 8];
    let mut high = [0u8; 8];
    low.copy_from_slice(&bytes[..8]);
    high.copy_from_slice(&bytes[8..]);
    (u64::from_le_bytes(low), u64::from_le_bytes(high))
}

fn folded_multiply(a: u64, b: u64) -> u64 {
    let (low, high) = halves(u128::from(a) * u128::from(b));
    low ^ high
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = folded_multiply(self.0 ^ value, MULTIPLIER);
    }

    fn write_u128(&mut self, value: u128) {
        let (low, high) = halves(value);
        self.0 = folded_multiply(self.0 ^ low, MULTIPLIER ^ high);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_hash_and_neighbours_differ() {
        let hash = |v: u128| IdHashBuilder.hash_one(v);
        assert_eq!(hash(42), hash(42));
        assert_ne!(hash(1), hash(2));
        assert_ne!(hash(1), hash(1 << 64));
    }

    #[test]
    fn sequential_ids_spread_over_buckets() {
        let buckets: std::collections::BTreeSet<u64> = (0u128..1024)
            .map(|v| IdHashBuilder.hash_one(v) >> 54)
            .collect();
        // 1024 keys into 1024 top-bit buckets: a decent mix fills well over half of them.
        assert!(buckets.len() > 600, "only {} buckets used", buckets.len());
    }
}
