//! Plain data types of the ledger: identifiers, currencies, flags, accounts and transfers.
//!
//! These are the values that enter the state machine (`NewAccount`, `NewTransfer`) and the
//! values it stores (`Account`, `Transfer`). They carry no behaviour beyond validation helpers
//! and derived figures, so that other crates can build and inspect them freely.

use core::fmt;

use serde::{Deserialize, Serialize};

/// Nanoseconds since the Unix epoch. Always an input to the ledger, never read from a clock.
pub type Timestamp = u64;

/// Identifier of an account. Zero and `u128::MAX` are reserved and rejected.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub u128);

/// Identifier of a transfer. Zero and `u128::MAX` are reserved and rejected.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TransferId(pub u128);

/// Largest ISO 4217 minor-unit exponent (CLF and UYW use four decimals).
pub const CURRENCY_EXPONENT_MAX: u8 = 4;

/// An ISO 4217 currency: its alphabetic code and the exponent of its minor unit.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Currency {
    /// Three uppercase ASCII letters, e.g. `*b"JPY"`.
    pub code: [u8; 3],
    /// Number of decimals of the minor unit: JPY 0, EUR 2, BHD 3.
    pub exponent: u8,
}

/// Why a currency could not be built.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CurrencyError {
    /// The code is not exactly three uppercase ASCII letters.
    InvalidCode,
    /// The exponent is above [`CURRENCY_EXPONENT_MAX`].
    InvalidExponent,
}

impl fmt::Display for CurrencyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCode => f.write_str("currency code must be three uppercase ASCII letters"),
            Self::InvalidExponent => write!(
                f,
                "currency exponent must be at most {CURRENCY_EXPONENT_MAX}"
            ),
        }
    }
}

impl std::error::Error for CurrencyError {}

impl Currency {
    /// Builds a currency from its alphabetic code, e.g. `Currency::new("JPY", 0)`.
    pub fn new(code: &str, exponent: u8) -> Result<Self, CurrencyError> {
        let bytes: [u8; 3] = code
            .as_bytes()
            .try_into()
            .map_err(|_| CurrencyError::InvalidCode)?;
        let currency = Self {
            code: bytes,
            exponent,
        };
        currency.validate()?;
        Ok(currency)
    }

    /// Checks a currency built directly from its public fields.
    pub fn validate(&self) -> Result<(), CurrencyError> {
        if !self.code.iter().all(u8::is_ascii_uppercase) {
            return Err(CurrencyError::InvalidCode);
        }
        if self.exponent > CURRENCY_EXPONENT_MAX {
            return Err(CurrencyError::InvalidExponent);
        }
        Ok(())
    }

    /// The alphabetic code as text; `"???"` only for a currency that fails [`Self::validate`].
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.code).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Flags of an account (a bit set over `u16`).
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct AccountFlags(pub u16);

impl AccountFlags {
    /// No flag set.
    pub const NONE: Self = Self(0);
    /// This event and the next one form a linked chain (all or nothing).
    pub const LINKED: Self = Self(1 << 0);
    /// Pre-funded: `debits_posted + debits_pending` may never exceed `credits_posted`.
    pub const DEBITS_MUST_NOT_EXCEED_CREDITS: Self = Self(1 << 1);
    /// `credits_posted + credits_pending` may never exceed `debits_posted`.
    pub const CREDITS_MUST_NOT_EXCEED_DEBITS: Self = Self(1 << 2);
    /// Every bit with a meaning; the others are reserved and rejected.
    pub const ALL: Self = Self(0b111);

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Union of two flag sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl core::ops::BitOr for AccountFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

/// Flags of a transfer (a bit set over `u16`).
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct TransferFlags(pub u16);

impl TransferFlags {
    /// No flag set: a single-phase, posted transfer.
    pub const NONE: Self = Self(0);
    /// This event and the next one form a linked chain (all or nothing).
    pub const LINKED: Self = Self(1 << 0);
    /// Reserve the amount (two-phase, first phase).
    pub const PENDING: Self = Self(1 << 1);
    /// Post (commit) the pending transfer named by `pending_id`, fully or partially.
    pub const POST_PENDING: Self = Self(1 << 2);
    /// Void (release) the pending transfer named by `pending_id`.
    pub const VOID_PENDING: Self = Self(1 << 3);
    /// Every bit with a meaning; the others are reserved and rejected.
    pub const ALL: Self = Self(0b1111);

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Union of two flag sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl core::ops::BitOr for TransferFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

/// Request to open an account.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    /// Chosen by the layer above; unique across accounts.
    pub id: AccountId,
    /// The one currency every transfer of the account moves.
    pub currency: Currency,
    /// The participant that holds the account.
    pub owner: u128,
    /// Kind of account, chosen by the layer above (position, settlement, fees, ...).
    pub code: u16,
    /// Balance limits and other behaviour.
    pub flags: AccountFlags,
    /// Largest allowed net debit position (`debits - credits_posted`); `None` = no cap.
    pub net_debit_cap: Option<u128>,
}

/// A stored account with its four running totals.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// As in [`NewAccount::id`].
    pub id: AccountId,
    /// As in [`NewAccount::currency`].
    pub currency: Currency,
    /// As in [`NewAccount::owner`].
    pub owner: u128,
    /// As in [`NewAccount::code`].
    pub code: u16,
    /// As in [`NewAccount::flags`].
    pub flags: AccountFlags,
    /// As in [`NewAccount::net_debit_cap`] (changed by [`crate::Event::SetNetDebitCap`]).
    pub net_debit_cap: Option<u128>,
    /// Sum of posted transfers debiting the account, in minor units.
    pub debits_posted: u128,
    /// Sum of pending (reserved) transfers debiting the account.
    pub debits_pending: u128,
    /// Sum of posted transfers crediting the account.
    pub credits_posted: u128,
    /// Sum of pending (reserved) transfers crediting the account.
    pub credits_pending: u128,
    /// Assigned by the ledger when the account was created.
    pub timestamp: Timestamp,
}

impl Account {
    /// Posted balance seen from the holder: `credits_posted - debits_posted`.
    /// `None` only if the difference does not fit an `i128`.
    pub fn balance(&self) -> Option<i128> {
        signed_difference(self.credits_posted, self.debits_posted)
    }

    /// What the holder could still spend from its own funds:
    /// `credits_posted - debits_posted - debits_pending`. `None` if it does not fit an `i128`.
    pub fn available(&self) -> Option<i128> {
        let debits = self.debits_posted.checked_add(self.debits_pending)?;
        signed_difference(self.credits_posted, debits)
    }

    /// Net debit position counted against the cap: `debits_posted + debits_pending -
    /// credits_posted`, or zero when credits cover the debits. `None` if the debits overflow.
    pub fn net_debit_position(&self) -> Option<u128> {
        let debits = self.debits_posted.checked_add(self.debits_pending)?;
        Some(debits.saturating_sub(self.credits_posted))
    }
}

/// `a - b` as a signed number, if it fits.
fn signed_difference(a: u128, b: u128) -> Option<i128> {
    if a >= b {
        i128::try_from(a - b).ok()
    } else {
        i128::try_from(b - a).ok().map(|d| -d)
    }
}

/// Request to move money (or reserve, post or void a reservation).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTransfer {
    /// Chosen by the layer above; unique across transfers (re-submitting it is idempotent).
    pub id: TransferId,
    /// For post/void: zero means "the pending transfer's account".
    pub debit_account_id: AccountId,
    /// For post/void: zero means "the pending transfer's account".
    pub credit_account_id: AccountId,
    /// Minor units. For a post: the amount to post (at most the pending amount). For a void:
    /// zero or exactly the pending amount.
    pub amount: u128,
    /// The pending transfer to post or void; `None` for every other kind.
    pub pending_id: Option<TransferId>,
    /// For a pending transfer: expires `timeout_ns` after its timestamp; 0 = never.
    pub timeout_ns: u64,
    /// For post/void: zero means "the pending transfer's code".
    pub code: u16,
    /// Opaque reference chosen by the caller (e.g. the payment id).
    pub user_data: u128,
    /// The transfer's kind (pending, post, void, linked, ...).
    pub flags: TransferFlags,
}

/// Where a stored transfer stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransferState {
    /// A single-phase transfer, a post record, or a pending transfer that was posted.
    Posted,
    /// A pending transfer whose amount is still reserved.
    Pending,
    /// A void record, or a pending transfer that was voided.
    Voided,
    /// A pending transfer released because its timeout passed.
    Expired,
}

/// A stored transfer. Post and void records hold the resolved accounts and code of their
/// pending transfer, and the amount they posted or released.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// As in [`NewTransfer::id`].
    pub id: TransferId,
    /// The account debited (resolved from the pending transfer for a post or void).
    pub debit_account_id: AccountId,
    /// The account credited (resolved likewise).
    pub credit_account_id: AccountId,
    /// Minor units moved, reserved, posted or released.
    pub amount: u128,
    /// As in [`NewTransfer::pending_id`].
    pub pending_id: Option<TransferId>,
    /// As in [`NewTransfer::timeout_ns`].
    pub timeout_ns: u64,
    /// As in [`NewTransfer::code`] (resolved for a post or void).
    pub code: u16,
    /// As in [`NewTransfer::user_data`].
    pub user_data: u128,
    /// As in [`NewTransfer::flags`].
    pub flags: TransferFlags,
    /// Assigned by the ledger; unique and increasing across all accounts and transfers.
    pub timestamp: Timestamp,
    /// Where the transfer stands now.
    pub state: TransferState,
}

impl Transfer {
    /// When a pending transfer with a timeout expires (`timestamp + timeout_ns`); `None` for
    /// transfers that never expire. Creation rejects timeouts that would overflow.
    pub fn expires_at(&self) -> Option<Timestamp> {
        if self.flags.contains(TransferFlags::PENDING) && self.timeout_ns != 0 {
            self.timestamp.checked_add(self.timeout_ns)
        } else {
            None
        }
    }
}
