//! The `Ledger` state machine: batch application, linked chains with an undo log, expiry of
//! pending transfers, and read access.
//!
//! Time rule: a batch's events get the timestamps `base, base + 1, ...` where
//! `base = max(now, last_timestamp + 1)`. A caller whose clock steps backwards (or who sends two
//! batches within the same nanosecond) therefore still gets unique, increasing timestamps; the
//! ledger's clock never runs backwards. Pendings whose expiry is `<= base` are expired before
//! the batch's first event.

use std::collections::BTreeSet;

use crate::event::{Event, EventResult};
use crate::hash::IdMap;
use crate::types::{Account, AccountId, Timestamp, Transfer, TransferId, TransferState};

/// The deterministic money state machine. See the crate documentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ledger {
    pub(crate) accounts: IdMap<AccountId, Account>,
    /// Every stored transfer in creation (= timestamp) order. A vector plus a small index
    /// rather than one map of whole transfers: growth then moves 32-byte index entries
    /// instead of whole transfers, and a rolled-back transfer is always the last one.
    pub(crate) transfers: Vec<Transfer>,
    /// Position of each transfer in `transfers`.
    pub(crate) transfer_index: IdMap<TransferId, usize>,
    /// Open pending transfers with a timeout, ordered by `(expires_at, id)` so that expiry
    /// visits them in one defined order.
    pub(crate) expiry: BTreeSet<(Timestamp, TransferId)>,
    /// The last timestamp used (for an object, or as a batch's base).
    pub(crate) last_timestamp: Timestamp,
}

/// The four running totals of an account, saved before a change so it can be undone.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Balances {
    pub(crate) debits_posted: u128,
    pub(crate) debits_pending: u128,
    pub(crate) credits_posted: u128,
    pub(crate) credits_pending: u128,
}

impl Balances {
    pub(crate) fn of(account: &Account) -> Self {
        Self {
            debits_posted: account.debits_posted,
            debits_pending: account.debits_pending,
            credits_posted: account.credits_posted,
            credits_pending: account.credits_pending,
        }
    }

    pub(crate) fn store(self, account: &mut Account) {
        account.debits_posted = self.debits_posted;
        account.debits_pending = self.debits_pending;
        account.credits_posted = self.credits_posted;
        account.credits_pending = self.credits_pending;
    }
}

/// One reversible step taken by an applied event; replayed backwards to roll a chain back.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Undo {
    AccountCreated(AccountId),
    Balances(AccountId, Balances),
    NetDebitCap(AccountId, Option<u128>),
    TransferCreated(TransferId),
    /// A pending transfer was posted or voided; it goes back to `Pending`.
    PendingResolved(TransferId),
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty ledger with room for `accounts` accounts and `transfers` transfers, so that
    /// a large load does not pay for growing its tables on the way.
    pub fn with_capacity(accounts: usize, transfers: usize) -> Self {
        let mut ledger = Self::default();
        ledger.accounts.reserve(accounts);
        ledger.transfers.reserve(transfers);
        ledger.transfer_index.reserve(transfers);
        ledger
    }

    /// Applies a batch at time `now` and returns one result per event, in order.
    ///
    /// First expires due pendings, then applies the events. Linked runs (events flagged
    /// `LINKED` plus the next event without the flag) are all or nothing: the failing event
    /// gets its own code and the other members `LinkedEventFailed`; a run still open at the
    /// end of the batch ends with `LinkedEventChainOpen`. `Exists` does not break a chain, so
    /// a retried chain answers `Exists` for every member.
    pub fn apply(&mut self, now: Timestamp, events: &[Event]) -> Vec<EventResult> {
        let Some(base) = self.batch_base(now, events.len()) else {
            return vec![EventResult::TimestampOverflow; events.len()];
        };
        self.expire_pendings(base);
        let mut results = Vec::with_capacity(events.len());
        let mut undo = Vec::new();
        let mut chain_start: Option<usize> = None;
        let mut chain_broken = false;
        let mut timestamp = base;
        for (index, event) in events.iter().enumerate() {
            let linked = event.is_linked();
            if linked && chain_start.is_none() {
                chain_start = Some(index);
            }
            let result = if linked && index + 1 == events.len() {
                EventResult::LinkedEventChainOpen
            } else if chain_broken {
                EventResult::LinkedEventFailed
            } else {
                self.apply_event(event, timestamp, &mut undo)
            };
            results.push(result);
            if let Some(start) = chain_start {
                if !chain_broken && !result.is_success() {
                    chain_broken = true;
                    self.roll_back(&mut undo);
                    for earlier in &mut results[start..index] {
                        *earlier = EventResult::LinkedEventFailed;
                    }
                }
                if !linked {
                    chain_start = None;
                    chain_broken = false;
                }
            }
            if chain_start.is_none() {
                undo.clear();
            }
            // Cannot overflow: `batch_base` checked that the last event's timestamp fits.
            timestamp = timestamp.saturating_add(1);
        }
        debug_assert_eq!(self.check_balances(), Ok(()), "ledger invariant broken");
        results
    }

    /// The first timestamp of a batch of `len` events, after recording the batch's last one.
    fn batch_base(&mut self, now: Timestamp, len: usize) -> Option<Timestamp> {
        let base = now.max(self.last_timestamp.checked_add(1)?);
        let span = u64::try_from(len.saturating_sub(1)).ok()?;
        self.last_timestamp = base.checked_add(span)?;
        Some(base)
    }

    fn apply_event(
        &mut self,
        event: &Event,
        timestamp: Timestamp,
        undo: &mut Vec<Undo>,
    ) -> EventResult {
        match event {
            Event::CreateAccount(account) => self.create_account(account, timestamp, undo),
            Event::CreateTransfer(transfer) => self.create_transfer(transfer, timestamp, undo),
            Event::SetNetDebitCap {
                account_id,
                net_debit_cap,
            } => self.set_net_debit_cap(*account_id, *net_debit_cap, undo),
        }
    }

    /// Undoes every step in `undo`, newest first, and empties it.
    fn roll_back(&mut self, undo: &mut Vec<Undo>) {
        while let Some(step) = undo.pop() {
            match step {
                Undo::AccountCreated(id) => {
                    self.accounts.remove(&id);
                }
                Undo::Balances(id, balances) => {
                    if let Some(account) = self.accounts.get_mut(&id) {
                        balances.store(account);
                    }
                }
                Undo::NetDebitCap(id, cap) => {
                    if let Some(account) = self.accounts.get_mut(&id) {
                        account.net_debit_cap = cap;
                    }
                }
                Undo::TransferCreated(id) => {
                    // Undo runs newest first, so the transfer to drop is the last one stored.
                    debug_assert_eq!(self.transfers.last().map(|t| t.id), Some(id));
                    if let Some(transfer) = self.transfers.pop_if(|t| t.id == id) {
                        self.transfer_index.remove(&id);
                        if let Some(expires_at) = transfer.expires_at() {
                            self.expiry.remove(&(expires_at, id));
                        }
                    }
                }
                Undo::PendingResolved(id) => {
                    if let Some(transfer) = self.transfer_mut(id) {
                        transfer.state = TransferState::Pending;
                        if let Some(expires_at) = transfer.expires_at() {
                            self.expiry.insert((expires_at, id));
                        }
                    }
                }
            }
        }
    }

    /// The account with this id, if it exists.
    pub fn account(&self, id: AccountId) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// The transfer with this id, if it exists.
    pub fn transfer(&self, id: TransferId) -> Option<&Transfer> {
        let position = *self.transfer_index.get(&id)?;
        self.transfers.get(position)
    }

    pub(crate) fn transfer_mut(&mut self, id: TransferId) -> Option<&mut Transfer> {
        let position = *self.transfer_index.get(&id)?;
        self.transfers.get_mut(position)
    }

    /// Stores a new transfer (its id must be unused) and indexes its expiry.
    pub(crate) fn push_transfer(&mut self, transfer: Transfer) {
        self.transfer_index
            .insert(transfer.id, self.transfers.len());
        if transfer.state == TransferState::Pending
            && let Some(expires_at) = transfer.expires_at()
        {
            self.expiry.insert((expires_at, transfer.id));
        }
        self.transfers.push(transfer);
    }

    /// All accounts in id order. Sorts on each call: meant for reports, not hot paths.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        let mut accounts: Vec<&Account> = self.accounts.values().collect();
        accounts.sort_unstable_by_key(|account| account.id);
        accounts.into_iter()
    }

    /// All transfers in id order. Sorts on each call: meant for reports, not hot paths.
    pub fn transfers(&self) -> impl Iterator<Item = &Transfer> {
        let mut transfers: Vec<&Transfer> = self.transfers.iter().collect();
        transfers.sort_unstable_by_key(|transfer| transfer.id);
        transfers.into_iter()
    }

    /// Number of accounts.
    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    /// Number of stored transfers (of every kind, including post and void records).
    pub fn transfer_count(&self) -> usize {
        self.transfers.len()
    }

    /// Number of open pending transfers that have a timeout.
    pub fn expiring_pending_count(&self) -> usize {
        self.expiry.len()
    }

    /// The last timestamp the ledger used; the next batch starts strictly after it.
    pub fn last_timestamp(&self) -> Timestamp {
        self.last_timestamp
    }
}
