//! The events the ledger applies and the result code it gives for each one.
//!
//! Every rejection has its own variant with a stable snake_case code (`EventResult::code`), so
//! callers, journals and reports can name exactly why an event was refused.

use serde::{Deserialize, Serialize};

use crate::types::{AccountId, NewAccount, NewTransfer};

/// One state change requested of the ledger.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Open an account.
    CreateAccount(NewAccount),
    /// Move, reserve, post or void money.
    CreateTransfer(NewTransfer),
    /// Change (or remove, with `None`) an account's net debit cap. Lowering it below the
    /// current net debit position is allowed: existing positions stay, new debits are refused.
    /// This event carries no `LINKED` flag, so it can only end a chain.
    SetNetDebitCap {
        /// The account whose cap changes.
        account_id: AccountId,
        /// The new cap in minor units; `None` removes it.
        net_debit_cap: Option<u128>,
    },
}

impl Event {
    /// Whether this event links to the next one in the batch.
    pub fn is_linked(&self) -> bool {
        match self {
            Self::CreateAccount(a) => a.flags.contains(crate::AccountFlags::LINKED),
            Self::CreateTransfer(t) => t.flags.contains(crate::TransferFlags::LINKED),
            Self::SetNetDebitCap { .. } => false,
        }
    }
}

macro_rules! event_results {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// The outcome of one event. Anything but `Ok` and `Exists` means nothing was applied.
        #[derive(
            Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        #[allow(missing_docs, reason = "a self-describing name is the variant's code; groups are commented")]
        pub enum EventResult {
            $($(#[$doc])* $variant,)*
        }

        impl EventResult {
            /// Every result, in declaration order (for tables and exhaustive tests).
            pub const ALL: &'static [EventResult] = &[$(Self::$variant,)*];

            /// Stable snake_case reason code, e.g. `"exceeds_net_debit_cap"`.
            pub const fn code(&self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

event_results! {
    /// Applied.
    Ok => "ok",
    /// An object with this id and identical fields already exists; nothing was applied.
    Exists => "exists",
    /// Another event of the same linked chain failed; this one was rolled back or skipped.
    LinkedEventFailed => "linked_event_failed",
    /// The batch ended inside a linked chain (its last event had the `LINKED` flag).
    LinkedEventChainOpen => "linked_event_chain_open",
    /// The batch's timestamps would pass `u64::MAX`.
    TimestampOverflow => "timestamp_overflow",
    /// A flag bit without a meaning is set.
    ReservedFlag => "reserved_flag",
    IdMustNotBeZero => "id_must_not_be_zero",
    IdMustNotBeIntMax => "id_must_not_be_int_max",
    /// Two flags that exclude each other are set.
    FlagsAreMutuallyExclusive => "flags_are_mutually_exclusive",
    /// The currency code is not three uppercase letters or its exponent is too large.
    InvalidCurrency => "invalid_currency",
    ExistsWithDifferentFlags => "exists_with_different_flags",
    ExistsWithDifferentCurrency => "exists_with_different_currency",
    ExistsWithDifferentOwner => "exists_with_different_owner",
    ExistsWithDifferentCode => "exists_with_different_code",
    ExistsWithDifferentNetDebitCap => "exists_with_different_net_debit_cap",
    ExistsWithDifferentDebitAccountId => "exists_with_different_debit_account_id",
    ExistsWithDifferentCreditAccountId => "exists_with_different_credit_account_id",
    ExistsWithDifferentAmount => "exists_with_different_amount",
    ExistsWithDifferentPendingId => "exists_with_different_pending_id",
    ExistsWithDifferentTimeout => "exists_with_different_timeout",
    ExistsWithDifferentUserData => "exists_with_different_user_data",
    /// `SetNetDebitCap` names an unknown account.
    AccountNotFound => "account_not_found",
    /// Only post and void transfers name a pending transfer.
    PendingIdMustBeNone => "pending_id_must_be_none",
    /// Post and void transfers must name a pending transfer.
    PendingIdMustBeSet => "pending_id_must_be_set",
    PendingIdMustBeDifferent => "pending_id_must_be_different",
    /// Only pending transfers may have a timeout.
    TimeoutReservedForPendingTransfer => "timeout_reserved_for_pending_transfer",
    AmountMustNotBeZero => "amount_must_not_be_zero",
    AccountsMustBeDifferent => "accounts_must_be_different",
    DebitAccountNotFound => "debit_account_not_found",
    CreditAccountNotFound => "credit_account_not_found",
    /// The two accounts hold different currencies.
    CurrencyMismatch => "currency_mismatch",
    PendingTransferNotFound => "pending_transfer_not_found",
    /// The transfer named by `pending_id` is not a pending transfer.
    PendingTransferNotPending => "pending_transfer_not_pending",
    PendingTransferHasDifferentDebitAccountId => "pending_transfer_has_different_debit_account_id",
    PendingTransferHasDifferentCreditAccountId => "pending_transfer_has_different_credit_account_id",
    PendingTransferHasDifferentCode => "pending_transfer_has_different_code",
    /// A void must carry zero or exactly the pending amount.
    PendingTransferHasDifferentAmount => "pending_transfer_has_different_amount",
    /// A post may not post more than was reserved.
    AmountExceedsPendingAmount => "amount_exceeds_pending_amount",
    PendingTransferAlreadyPosted => "pending_transfer_already_posted",
    PendingTransferAlreadyVoided => "pending_transfer_already_voided",
    PendingTransferExpired => "pending_transfer_expired",
    /// `timestamp + timeout_ns` would pass `u64::MAX`.
    OverflowsTimeout => "overflows_timeout",
    OverflowsDebitsPending => "overflows_debits_pending",
    OverflowsCreditsPending => "overflows_credits_pending",
    OverflowsDebitsPosted => "overflows_debits_posted",
    OverflowsCreditsPosted => "overflows_credits_posted",
    /// `debits_posted + debits_pending + amount` would pass `u128::MAX`.
    OverflowsDebits => "overflows_debits",
    /// `credits_posted + credits_pending + amount` would pass `u128::MAX`.
    OverflowsCredits => "overflows_credits",
    /// The debit account is pre-funded and this debit exceeds its posted credits.
    ExceedsCredits => "exceeds_credits",
    /// The credit account may not be credited beyond its posted debits.
    ExceedsDebits => "exceeds_debits",
    /// The debit would take the account's net debit position beyond its cap.
    ExceedsNetDebitCap => "exceeds_net_debit_cap",
}

impl EventResult {
    /// Whether the event was applied.
    pub const fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }

    /// Whether the event left the ledger as the caller wanted: applied now (`Ok`) or earlier
    /// (`Exists`). Inside a linked chain such results do not break the chain.
    pub const fn is_success(&self) -> bool {
        matches!(self, Self::Ok | Self::Exists)
    }
}

impl core::fmt::Display for EventResult {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())
    }
}
