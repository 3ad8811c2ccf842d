//! kliring hub: the pure, deterministic scheme logic on top of the ledger — currencies,
//! participants, credentials, payments with their compliance hold, inboxes.
//!
//! **Architecture Invariant**: no clock, I/O, randomness or threads. Time is the batch timestamp
//! passed to [`Hub::apply`]; everything the server knows (screening verdicts, token hashes,
//! generated ids) arrives inside commands, so replaying the journal rebuilds exactly the same
//! state, and [`journal::StateMachine`] is implemented for [`Hub`] (KIND `"hub"`).
//!
//! # Public API (used by the server, the CLI and `kliring verify`)
//! - Writing: [`Hub::apply`]`(now, &[Command]) -> Vec<Outcome>`. A [`Command`] is
//!   `{ actor: Principal, action: Action }`; [`Action`] variants are append-only (journalled by
//!   index). [`Outcome`] = `Result<Success, HubError>`; an `Err` changed nothing.
//!   [`HubError::code`] and [`Reason::code`] are stable snake_case codes, `iso_code()` gives the
//!   ISO 20022 status reason where one fits (AM04, AB05, RR04, AC01, ...), `HubError::field()`
//!   the offending field. The server maps codes to HTTP statuses.
//! - Authorization is repeated here (defence in depth): operator-only actions
//!   (`forbidden_operator_only`), only the debtor participant creates (`forbidden_not_debtor`),
//!   only the creditor accepts, rejects or returns (`forbidden_not_creditor`; a participant not
//!   party to the payment gets `payment_not_found`), only compliance officers act on holds,
//!   suspended participants are refused everything (`participant_suspended`).
//! - Reading: [`Hub::principal_for_token_hash`], [`Hub::participants`], [`Hub::participant`],
//!   [`Hub::currencies`], [`Hub::balances`], [`Hub::payment`], [`Hub::payment_for`],
//!   [`Hub::payments`] (filter + cursor pagination + visibility), [`Hub::held_payments`],
//!   [`Hub::inbox`] / [`Hub::inbox_head`], [`Hub::report`], [`Hub::check_invariants`].
//!
//! # Money model
//! Per accepted currency the scheme has a settlement account (owner 0, no limit) and every
//! participant a position account (net debit cap, default 0) and a pre-funded liquidity account
//! (debits must not exceed credits); ledger account ids are derived from (participant,
//! currency, kind) by [`account_id`]. A payment in a deferred-net currency reserves (a pending
//! ledger transfer) debtor position → creditor position; in a gross currency debtor liquidity →
//! creditor liquidity. Accept posts, reject and expiry void. Deposits and withdrawals move money
//! between the settlement account and the liquidity account.
//!
//! # Payment lifecycle
//! Received → (Held) → Reserved → Committed | Rejected | Expired; Committed → Returned.
//! - Idempotency: CreatePayment with an existing id and identical [`PaymentInstruction`] returns
//!   the original outcome with `replayed: true`; different content →
//!   `duplicate_payment_id_different_content`. The expiry and the screening verdict are not
//!   compared (the server may default the one and a list reload may change the other).
//! - The verdict must name a UN list version, or the payment is refused (`no_un_list_loaded`).
//!   A verdict with hits holds the payment before any reservation; a first officer reviews, a
//!   second, different officer releases (→ reservation) or rejects (→ Rejected, `sanctions_hit`,
//!   RR04). Held payments do not expire while held; a release after the expiry expires it.
//! - Expiry: at the start of every batch, reserved payments with `expires_at <= now` are voided
//!   (reason `timeout`, AB05), in (expiry, id) order.
//! - Return: the creditor of a committed payment sends the full amount back as a new payment
//!   (committed at once, linked by `return_of` / `returned_by`).
//!
//! Every participant has an inbox with cursors 1, 2, ...: the creditor gets `PaymentReceived`
//! when a payment is reserved for it, and both sides get status changes (the creditor hears
//! nothing of a payment while it is held, or when compliance rejects it).
mod apply;
pub mod command;
pub mod error;
pub mod fx;
mod hold;
mod invariants;
mod machine;
pub mod model;
mod payments;
pub mod query;
mod scheme;
pub mod state;
pub mod window;

pub use command::{
    Action, Command, CreatePayment, LiquidityDirection, Outcome, PaymentOutcome, Success,
};
pub use error::{HubError, Reason};
pub use fx::{PublishedRate, Quote, QuoteRequest, Rate, convert};
pub use model::*;
pub use payments::PAYMENT_EXPIRY_MAX_NS;
pub use query::{
    Balance, CurrencyReport, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, ParticipantReport, PaymentFilter,
    PaymentPage,
};
pub use scheme::{CREDENTIALS_MAX, CURRENCIES_MAX, PARTICIPANTS_MAX};
pub use state::{
    AccountKind, Credential, CurrencyConfig, FxTerms, Hold, Hub, InboxEvent, InboxKind, Leg,
    OfficerStamp, Participant, Payment, SCHEME, Step, StepKind, account_id,
};
pub use window::{InstructionMode, Window, WindowStatus};
