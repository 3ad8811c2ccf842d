//! Serde support for `Ledger`, used for snapshots.
//!
//! The serialized form lists accounts and transfers sorted by id, so equal ledgers always give
//! equal bytes whatever their history. The expiry index is derived, so it is rebuilt on load
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
            transfers: self.transfers().collect(),
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
        for transfer in snapshot.transfers {
            if ledger.transfers.insert(transfer.id, transfer).is_some() {
                return Err(D::Error::custom(format!(
                    "duplicate transfer {:?}",
                    transfer.id
                )));
            }
            if transfer.state == crate::TransferState::Pending
                && let Some(expires_at) = transfer.expires_at()
            {
                ledger.expiry.insert((expires_at, transfer.id));
            }
        }
        ledger.check_invariants().map_err(D::Error::custom)?;
        Ok(ledger)
    }
}
