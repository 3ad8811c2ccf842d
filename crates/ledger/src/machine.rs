//! The ledger as a journalled state machine: commands are [`Event`]s, outcomes
//! [`EventResult`]s. Used by the ledger benchmark, the journal's crash tests and
//! `kliring verify` of a ledger journal.

use state_machine::StateMachine;

use crate::{Event, EventResult, Ledger};

/// A [`Ledger`] driven through the journal (kind `"ledger"`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LedgerMachine(pub Ledger);

impl LedgerMachine {
    /// The ledger inside.
    pub fn ledger(&self) -> &Ledger {
        &self.0
    }
}

impl StateMachine for LedgerMachine {
    type Command = Event;
    type Outcome = EventResult;
    const KIND: &'static str = "ledger";

    fn apply(&mut self, timestamp: u64, commands: &[Event]) -> Vec<EventResult> {
        self.0.apply(timestamp, commands)
    }

    fn encode_snapshot(&self) -> Vec<u8> {
        // The ledger serialises accounts and transfers sorted by id, so equal ledgers give equal
        // bytes. Serialising into a Vec cannot fail for these types; should it ever, the empty
        // payload fails to decode and recovery falls back to an older snapshot or genesis.
        postcard::to_allocvec(&self.0).unwrap_or_default()
    }

    fn decode_snapshot(bytes: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(bytes)
            .map(LedgerMachine)
            .map_err(|e| e.to_string())
    }

    fn check_invariants(&self) -> Result<(), String> {
        self.0.check_invariants().map_err(|e| e.to_string())
    }

    /// Per-currency debits equal credits and every account within its limits: O(accounts),
    /// unlike the full check, which also walks every transfer.
    fn check_batch_invariants(&self) -> Result<(), String> {
        self.0.check_balances().map_err(|e| e.to_string())
    }

    fn fresh() -> Self {
        LedgerMachine(Ledger::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AccountFlags, AccountId, Currency, NewAccount, NewTransfer, TransferFlags, TransferId,
    };

    fn account(id: u128) -> Event {
        let currency = Currency::new("EUR", 2).expect("valid currency");
        Event::CreateAccount(NewAccount {
            id: AccountId(id),
            currency,
            owner: id,
            code: 1,
            flags: AccountFlags::NONE,
            net_debit_cap: None,
        })
    }

    fn transfer(id: u128, debit: u128, credit: u128, amount: u128) -> Event {
        Event::CreateTransfer(NewTransfer {
            id: TransferId(id),
            debit_account_id: AccountId(debit),
            credit_account_id: AccountId(credit),
            amount,
            pending_id: None,
            timeout_ns: 0,
            code: 1,
            user_data: 0,
            flags: TransferFlags::NONE,
        })
    }

    #[test]
    fn snapshot_round_trips_to_identical_bytes() {
        let mut machine = LedgerMachine::fresh();
        let results = machine.apply(10, &[account(2), account(1), transfer(7, 1, 2, 300)]);
        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
        let bytes = machine.encode_snapshot();
        let restored = LedgerMachine::decode_snapshot(&bytes).expect("decodes");
        assert_eq!(restored, machine);
        assert_eq!(restored.encode_snapshot(), bytes);
        assert!(LedgerMachine::decode_snapshot(&bytes[..bytes.len() / 2]).is_err());
    }
}
