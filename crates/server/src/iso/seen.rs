//! The MsgIds each participant has used, for `DUPL`: in memory, per server, bounded.
//!
//! A MsgId is claimed before the message is applied and released again if the message is
//! refused before reaching the hub, so a corrected resend with the same MsgId is accepted.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use hub::ParticipantId;

/// Most MsgIds remembered; the oldest are forgotten first (they are then caught only by the
/// hub's payment-id idempotency, see the module doc of `iso`).
const SEEN_MSG_IDS_MAX: usize = 200_000;

type Key = (ParticipantId, String);

/// MsgIds in use, with their insertion order for eviction.
#[derive(Default)]
pub struct SeenMessages {
    inner: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    ids: HashSet<Key>,
    order: VecDeque<Key>,
}

impl SeenMessages {
    /// Claims `msg_id` for `sender`; `None` when the sender used it before.
    pub fn claim(&self, sender: ParticipantId, msg_id: &str) -> Option<Claim<'_>> {
        let key = (sender, msg_id.to_owned());
        let mut seen = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.ids.insert(key.clone()) {
            return None;
        }
        seen.order.push_back(key.clone());
        while seen.order.len() > SEEN_MSG_IDS_MAX {
            if let Some(old) = seen.order.pop_front() {
                seen.ids.remove(&old);
            }
        }
        Some(Claim {
            owner: self,
            key: Some(key),
        })
    }

    fn release(&self, key: &Key) {
        let mut seen = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        seen.ids.remove(key);
        if let Some(at) = seen.order.iter().rposition(|k| k == key) {
            seen.order.remove(at);
        }
    }
}

/// A claimed MsgId: released on drop unless [`Claim::keep`] is called.
pub struct Claim<'a> {
    owner: &'a SeenMessages,
    key: Option<Key>,
}

impl Claim<'_> {
    /// The message reached the hub: its MsgId stays used.
    pub fn keep(mut self) {
        self.key = None;
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.owner.release(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_per_sender_and_released_unless_kept() {
        let seen = SeenMessages::default();
        let (a, b) = (ParticipantId(1), ParticipantId(2));
        seen.claim(a, "M1").expect("first use").keep();
        assert!(seen.claim(a, "M1").is_none(), "kept claim stays used");
        assert!(
            seen.claim(b, "M1").is_some(),
            "another sender's MsgId space"
        );
        drop(seen.claim(a, "M2").expect("first use"));
        assert!(seen.claim(a, "M2").is_some(), "a dropped claim is released");
    }
}
