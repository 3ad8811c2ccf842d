//! Property test: random acknowledged batches followed by a random torn last write (a prefix of
//! the in-flight record, never acknowledged in the head marker, possibly with zeroed or garbage
//! bytes) always recover to exactly the
//! acknowledged batches (plus the in-flight one only if it reached the disk whole), and the
//! journal keeps working afterwards. Failing cases print their seed (proptest).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod common;

use common::{Tape, model, read_log, write_batches, write_log, write_unacknowledged};
use journal::{recover, verify};
use proptest::prelude::*;

/// How the in-flight record's bytes reached the disk.
#[derive(Clone, Debug)]
enum Damage {
    /// Only the first `keep` bytes (0 = none, >= len = all).
    Prefix { keep: usize },
    /// All bytes, but a range overwritten with zeros (an unwritten page).
    Zeros { from: usize, len: usize },
    /// A prefix, followed by garbage up to the full length.
    Garbage { keep: usize, seed: u8 },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0usize..400).prop_map(|keep| Damage::Prefix { keep }),
        (0usize..300, 1usize..100).prop_map(|(from, len)| Damage::Zeros { from, len }),
        (0usize..300, any::<u8>()).prop_map(|(keep, seed)| Damage::Garbage { keep, seed }),
    ]
}

fn batches() -> impl Strategy<Value = Vec<Vec<u64>>> {
    prop::collection::vec(prop::collection::vec(any::<u64>(), 0..12), 0..8)
}

/// Applies `damage` to the record occupying `record` in `bytes`; returns whether it is intact.
fn tear(bytes: &mut Vec<u8>, start: usize, damage: &Damage) -> bool {
    let len = bytes.len() - start;
    match damage {
        Damage::Prefix { keep } => {
            bytes.truncate(start + (*keep).min(len));
            *keep >= len
        }
        Damage::Zeros { from, len: zeros } => {
            let from = (*from).min(len);
            let to = (from + zeros).min(len);
            let changed = bytes[start + from..start + to].iter().any(|b| *b != 0);
            bytes[start + from..start + to].fill(0);
            !changed
        }
        Damage::Garbage { keep, seed } => {
            let keep = (*keep).min(len);
            let mut x = *seed;
            let mut changed = false;
            for b in &mut bytes[start + keep..] {
                x = x.wrapping_mul(37).wrapping_add(11);
                changed |= *b != x;
                *b = x;
            }
            !changed
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn torn_tails_recover_to_the_acknowledged_prefix(
        acked in batches(),
        in_flight in prop::collection::vec(any::<u64>(), 0..30),
        damage in damage(),
        after in prop::collection::vec(any::<u64>(), 0..5),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        write_batches(dir.path(), &acked);
        let start = read_log(dir.path()).len();
        write_unacknowledged(dir.path(), &in_flight);
        let mut bytes = read_log(dir.path());
        let intact = tear(&mut bytes, start, &damage);
        write_log(dir.path(), &bytes);

        let mut expected = acked.clone();
        if intact {
            expected.push(in_flight.clone());
        }
        let recovered = recover::<Tape>(dir.path()).expect("a torn tail never blocks startup");
        prop_assert_eq!(&recovered.state, &model(&expected));
        prop_assert_eq!(recovered.report.head_sequence, u64::try_from(expected.len()).expect("small"));
        drop(recovered);

        // Appending after the cut continues the chain; verify agrees.
        write_batches(dir.path(), std::slice::from_ref(&after));
        expected.push(after);
        let report = verify::<Tape>(dir.path()).expect("verifies");
        prop_assert_eq!(report.records, u64::try_from(expected.len()).expect("small"));
        prop_assert_eq!(report.torn_tail_bytes, 0);
        let recovered = recover::<Tape>(dir.path()).expect("recovers again");
        prop_assert_eq!(recovered.state, model(&expected));
    }
}
