//! Serde support for `Ledger`, used for snapshots.
//!
//! The serialized form lists accounts sorted by id and transfers in creation order (which is
//! timestamp order), so equal ledgers always give equal bytes. The expiry index is derived, so it is rebuilt on load
//! rather than stored. Loading checks every invariant and refuses a state that breaks one.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ledger::Ledger;
use crate::types::{Account, Timestamp, Transfer};

#[derive(Serialize)]
struct SnapshotRef<'a> {
    last_timestamp: Timestamp,
    accounts: Vec<&'a Account>,
    transfers: Vec<&'a Transfer>,
}

#[derive(Deserialize)]
struct SnapshotOwned {
    last_timestamp: Timestamp,
    accounts: Vec<Account>,
    transfers: Vec<Transfer>,
}

impl Serialize for Ledger {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SnapshotRef {
            last_timestamp: self.last_timestamp,
            accounts: self.accounts().collect(),
            transfers: self.transfers.iter().collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Ledger {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let snapshot = SnapshotOwned::deserialize(deserializer)?;
        let mut ledger = Ledger {
            last_timestamp: snapshot.last_timestamp,
            ..Ledger::default()
        };
        ledger.accounts.reserve(snapshot.accounts.len());
        for account in snapshot.accounts {
            if ledger.accounts.insert(account.id, account).is_some() {
                return Err(D::Error::custom(format!(
                    "duplicate account {:?}",
                    account.id
                )));
            }
        }
        ledger.transfers.reserve(snapshot.transfers.len());
        ledger.transfer_index.reserve(snapshot.transfers.len());
        for transfer in snapshot.transfers {
            if ledger.transfer(transfer.id).is_some() {
                return Err(D::Error::custom(format!(
                    "duplicate transfer {:?}",
                    transfer.id
                )));
            }
            // Creation order is part of the state (it is what a replay rebuilds).
            if ledger
                .transfers
                .last()
                .is_some_and(|last| last.timestamp >= transfer.timestamp)
            {
                return Err(D::Error::custom(format!(
                    "transfer {:?} out of timestamp order",
                    transfer.id
                )));
            }
            ledger.push_transfer(transfer);
        }
        ledger.check_invariants().map_err(D::Error::custom)?;
        Ok(ledger)
    }
}
