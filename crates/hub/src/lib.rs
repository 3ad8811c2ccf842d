//! kliring hub: the pure, deterministic scheme logic on top of the ledger — currencies,
//! participants, credentials, payments with their compliance hold, inboxes.
//!
//! **Architecture Invariant**: no clock, I/O, randomness or threads. Time is the batch timestamp
//! passed to [`Hub::apply`]; everything the server knows (screening verdicts, token hashes,
//! generated ids) arrives inside commands, so replaying the journal rebuilds exactly the same
//! state, and [`state_machine::StateMachine`] is implemented for [`Hub`] (KIND `"hub"`).
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
//!   only the creditor accepts, rejects or returns (`forbidden_not_creditor`), only the debtor
//!   (or the operator) cancels (`forbidden_not_debtor`; a participant not
//!   party to the payment gets `payment_not_found`; an FX provider is a party to the payments it
//!   funds, for reading only), only compliance officers act on holds,
//!   suspended participants are refused everything (`participant_suspended`).
//! - Reading: [`Hub::principal_for_token_hash`], [`Hub::participants`], [`Hub::participant`],
//!   [`Hub::currencies`], [`Hub::balances`], [`Hub::payment`], [`Hub::payment_for`],
//!   [`Hub::payments`] (filter + cursor pagination + visibility), [`Hub::held_payments`],
//!   [`Hub::inbox`] / [`Hub::inbox_head`], [`Hub::report`], [`Hub::rates`], [`Hub::quote`],
//!   [`Hub::window`], [`Hub::windows`], [`Hub::open_window_of`],
//!   [`Hub::liquidity_queue_enabled`], [`Hub::queued_payments`], [`Hub::message`],
//!   [`Hub::messages_named`], [`Hub::check_invariants`].
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
//! Received → (Held) → Reserved → Committed | Rejected | Expired; Committed → Returned. In a
//! gross currency with its liquidity queue enabled: Received → (Held) → Queued → Reserved (as
//! above) | Committed (gridlock release, final at once) | Expired.
//! - Idempotency: CreatePayment with an existing id and identical [`PaymentInstruction`] returns
//!   the original outcome with `replayed: true`; different content →
//!   `duplicate_payment_id_different_content`. The expiry and the screening verdict are not
//!   compared (the server may default the one and a list reload may change the other).
//! - The verdict must name a UN list version, or the payment is refused (`no_un_list_loaded`).
//!   A verdict with hits holds the payment before any reservation; a first officer reviews, a
//!   second, different officer releases (→ reservation) or rejects (→ Rejected, `sanctions_hit`,
//!   RR04). "Different" means another credential (`ReviewHoldAs` / `ReleaseHoldAs` /
//!   `RejectHoldAs` name the credential, which must be the actor's and active) and another
//!   name; the original `*Hold` actions compare names only and stay for old journals.
//! - `CreatePaymentWithParties` is `CreatePayment` plus the [`RelatedParties`] the sender named
//!   (ultimate parties, initiating party, agents, structured remittance), validated, kept
//!   ([`Hub::related_parties`]) and compared by idempotency; the verdict's hits name their
//!   field ([`PartySide::field`]). Held payments do not expire while held; a release after the expiry expires it.
//! - Expiry: at the start of every batch, reserved payments with `expires_at <= now` are voided
//!   (reason `timeout`, AB05), in (expiry, id) order; then queued ones expire the same way.
//! - Cancel (`CancelPayment`, debtor participant or operator): Held, Queued or Reserved →
//!   Rejected with `cancelled_by_debtor` (DS02), a reservation voided (FX: both legs); on a
//!   Committed payment it only asks the creditor to return it (its inbox gets
//!   `ReturnRequested`; `Success::ReturnRequested`); Rejected, Expired or Returned →
//!   `payment_not_cancellable`. A repeated request answers as the first with `replayed`.
//! - Return: the creditor of a committed payment sends the full amount back as a new payment
//!   (committed at once, linked by `return_of` / `returned_by`).
//!
//! Every participant has an inbox with cursors 1, 2, ...: the creditor gets `PaymentReceived`
//! when a payment is reserved for it, and both sides get status changes (the creditor hears
//! nothing of a payment while it is held, or when compliance rejects it). Inboxes and payments
//! are kept for the life of the journal (no pruning yet).
//!
//! # Messages
//! [`message`]: `ReceiveMessage { msg_id, actions }` applies a participant's ISO 20022 message
//! as one journalled unit: a MsgId the sender used before refuses it whole
//! (`duplicate_message_id`, ISO DU01), also after a restart; otherwise each action has its own
//! outcome in `Success::MessageReceived`.
//!
//! # FX and settlement windows (issue 5)
//! - [`fx`]: providers publish mid rates with a spread (`PublishRate`); a participant asks for a
//!   quote (`RequestQuote`, id generated by the server, amount computed here with an exact
//!   integer rule rounding half to even at the target's minor unit); a payment naming the quote
//!   reserves two linked legs (debtor → provider in the source currency, provider → creditor in
//!   the target currency) that post or void together. Expired, used, foreign or mismatched
//!   quotes are refused with their own codes. The provider sees the payment (queries) and gets
//!   its status changes in its inbox once its funds are reserved.
//! - [`window`]: each deferred-net currency has one open window; `CloseWindow` nets it through
//!   `crates/settlement` into a stored [`settlement::SettlementReport`] (figures, instructions,
//!   bilateral matrix; `settlement::to_csv` exports it) and opens the next; `SettleWindow`
//!   resets positions by the window's figures; `AbortWindow` carries its obligations forward.
//! - [`queue`]: a gross currency's liquidity queue (`SetLiquidityQueue`, operator; deferred net
//!   is refused with `currency_not_gross`). Payments short of liquidity wait as `Queued` (no
//!   ledger effect, FIFO per payer) instead of failing; each batch releases those that fit
//!   alone (→ Reserved) and then settles the greatest offsetting set
//!   (`settlement::resolve_gridlock`) at once and finally (→ Committed, the creditor's accept
//!   waived) through a per-currency scheme transit account that nets to zero.
//!
//! # Trade (issue 15)
//! [`trade`]: baselines agreed by a buyer's and a seller's bank, data sets matched by versioned
//! rules, the obligor's payment obligation reserved at establishment and released per matched
//! (or accepted) shipment in the same command, the remainder voided at the deadline; queries
//! [`Hub::trade_baseline`], [`Hub::trade_baselines`], [`Hub::trade_inbox`], and the
//! clearing-union report [`Hub::trade_report`].
//!
//! # Performance
//! `cargo run --release -p bench --example hub_apply` measures `Hub::apply` alone (create +
//! accept, batches of 1,000, 100 participants): about 100,000 committed payments/s on the
//! shared 2-core machine (noisy; 98k-119k over three runs).
mod apply;
mod cancel;
pub mod command;
pub mod error;
mod false_positive;
pub mod fx;
mod hold;
mod invariants;
mod machine;
pub mod message;
pub mod model;
mod payments;
pub mod query;
pub mod queue;
mod sanction;
mod scheme;
pub mod state;
pub mod trade;
pub mod window;

pub use command::{
    Action, ClearedHit, Command, CreatePayment, CreatePaymentWithParties, FalsePositiveProposal,
    LiquidityDirection, ListOverrideRecord, Outcome, ParticipantSanction, PaymentOutcome, Success,
};
pub use error::{HubError, Reason};
pub use false_positive::{FALSE_POSITIVE_NOTE_LEN_MAX, FALSE_POSITIVES_MAX, party_of};
pub use fx::{PublishedRate, Quote, QuoteRequest, Rate, convert};
pub use model::*;
pub use payments::PAYMENT_EXPIRY_MAX_NS;
pub use query::{
    Balance, CurrencyReport, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, PAGE_SCAN_MAX, ParticipantReport,
    PaymentFilter, PaymentPage,
};
pub use queue::{LIQUIDITY_QUEUE_MAX, LiquidityQueue};
pub use scheme::{CREDENTIALS_MAX, CURRENCIES_MAX, LIST_OVERRIDES_MAX, PARTICIPANTS_MAX};
pub use state::{
    AccountKind, Credential, CurrencyConfig, FalsePositive, FxTerms, Hold, HoldCredentials, Hub,
    InboxEvent, InboxKind, Leg, ListOverride, OfficerStamp, Participant, Payment, SCHEME, Sanction,
    Step, StepKind, account_id,
};
pub use window::{InstructionMode, Window, WindowStatus};
