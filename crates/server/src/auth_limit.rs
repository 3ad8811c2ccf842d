//! Failed authentications per client address. Every unknown token costs a credential lookup on
//! the sequencer thread (it closes the batch being gathered), so a client guessing tokens, or a
//! misconfigured one retrying a revoked token in a loop, would slow every payment.
//!
//! The limit must never lock out a valid credential: behind a TLS-terminating proxy every bank
//! shares one address, and a restart empties the principal cache, so refusing *lookups* per
//! address let 31 junk tokens turn every bank's valid token into a 429. Keying by a token
//! prefix does not help (a guesser picks a fresh prefix each time). What is limited instead is
//! the *cost*: after `max_failures` failed lookups within one window, the address's unknown
//! tokens are no longer looked up one read each but gathered for [`COALESCE`] and checked
//! together in one sequencer read ([`AuthFailures::enqueue`]). Every presented token is still
//! checked, so a valid one is let in (a few milliseconds later, once: then it is cached); a
//! junk one is answered 429 `too_many_failed_authentications` with a `Retry-After` until the
//! window ends, however many arrive, and they cost the sequencer at most one read per
//! [`COALESCE`] together.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hub::Principal;
use tokio::sync::oneshot;

/// How long lookups from limited addresses are gathered before they are checked in one read.
pub const COALESCE: Duration = Duration::from_millis(10);

/// One token hash waiting for the next coalesced read, and who waits for its principal.
pub type PendingLookup = ([u8; 32], oneshot::Sender<Option<Principal>>);

/// Most addresses tracked at once; past it, expired windows are dropped, and if every window
/// is still live, new addresses are not tracked (the map must not grow without bound).
const ADDRESSES_MAX: usize = 100_000;

/// Failure counts per address, in fixed windows.
pub struct AuthFailures {
    max_failures: u32,
    window: Duration,
    counts: Mutex<HashMap<IpAddr, Count>>,
    pending: Mutex<Vec<PendingLookup>>,
}

#[derive(Clone, Copy)]
struct Count {
    started: Instant,
    failures: u32,
}

impl AuthFailures {
    /// `max_failures` per `window` and address; 0 disables the limit.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            counts: Mutex::new(HashMap::new()),
            pending: Mutex::new(Vec::new()),
        }
    }

    /// Queues `token_hash` for the next coalesced read. `true` when the queue was empty: the
    /// caller must then arrange one [`AuthFailures::take_pending`] after [`COALESCE`].
    pub fn enqueue(&self, token_hash: [u8; 32]) -> (oneshot::Receiver<Option<Principal>>, bool) {
        let (send, receive) = oneshot::channel();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let first = pending.is_empty();
        pending.push((token_hash, send));
        (receive, first)
    }

    /// Every lookup queued since the last call.
    pub fn take_pending(&self) -> Vec<PendingLookup> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// `Err(retry_after)` when `address` used up its failures in the current window.
    pub fn check(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.max_failures == 0 {
            return Ok(());
        }
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        match counts.get(&address) {
            Some(count) if count.failures >= self.max_failures => {
                let ends = count.started + self.window;
                match ends.checked_duration_since(now) {
                    Some(left) if !left.is_zero() => Err(left),
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts one failed lookup from `address`.
    pub fn record_failure(&self, address: IpAddr, now: Instant) {
        if self.max_failures == 0 {
            return;
        }
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let window = self.window;
        let live = |c: &Count| now.saturating_duration_since(c.started) < window;
        if counts.len() >= ADDRESSES_MAX && !counts.contains_key(&address) {
            counts.retain(|_, c| live(c));
            if counts.len() >= ADDRESSES_MAX {
                return;
            }
        }
        let count = counts.entry(address).or_insert(Count {
            started: now,
            failures: 0,
        });
        if !live(count) {
            *count = Count {
                started: now,
                failures: 0,
            };
        }
        count.failures = count.failures.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_limited_for_the_rest_of_its_window_only() {
        let limit = AuthFailures::new(3, Duration::from_secs(60));
        let (a, b) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limit.check(a, t0), Ok(()));
            limit.record_failure(a, t0);
        }
        let later = t0 + Duration::from_secs(20);
        assert_eq!(limit.check(a, later), Err(Duration::from_secs(40)));
        assert_eq!(
            limit.check(b, later),
            Ok(()),
            "other addresses are not affected"
        );
        let next_window = t0 + Duration::from_secs(60);
        assert_eq!(limit.check(a, next_window), Ok(()));
        limit.record_failure(a, next_window);
        assert_eq!(
            limit.check(a, next_window),
            Ok(()),
            "a new window counts afresh"
        );
    }

    #[test]
    fn lookups_queue_until_taken_and_the_first_is_told_to_flush() {
        let limit = AuthFailures::new(3, Duration::from_secs(60));
        let (_a, first) = limit.enqueue([1; 32]);
        let (_b, second) = limit.enqueue([2; 32]);
        assert!(first && !second);
        let taken: Vec<_> = limit.take_pending().into_iter().map(|(h, _)| h).collect();
        assert_eq!(taken, [[1; 32], [2; 32]]);
        let (_c, again) = limit.enqueue([3; 32]);
        assert!(again, "an emptied queue needs a new flush");
    }

    #[test]
    fn zero_disables_the_limit() {
        let limit = AuthFailures::new(0, Duration::from_secs(60));
        let a = "10.0.0.1".parse().unwrap();
        let now = Instant::now();
        for _ in 0..100 {
            limit.record_failure(a, now);
        }
        assert_eq!(limit.check(a, now), Ok(()));
    }
}
