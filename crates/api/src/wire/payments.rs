//! Wire types for payments: create, view, decisions, bulk, listing.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ErrorBody;

/// A debtor or creditor party (a customer of a participant).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyWire {
    #[schema(example = "Amina Odhiambo")]
    pub name: String,
    /// Postal address lines.
    #[serde(default)]
    pub address: Vec<String>,
    /// ISO 3166 alpha-2 country code.
    #[schema(example = "KE")]
    pub country: String,
    /// Account identifier at the participant (IBAN or local account number).
    #[schema(example = "0123456789")]
    pub account: String,
}

/// A party named besides debtor and creditor: ultimate debtor or creditor, initiating party.
/// Screened like the debtor and creditor, kept with the payment and forwarded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedPartyWire {
    #[schema(example = "Odhiambo Trading Ltd")]
    pub name: String,
    /// Postal address lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<String>,
    /// ISO 3166 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// An agent as the payment names it (screened by name; participants are the numeric ids).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
}

/// `POST /v1/payments`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentRequest {
    /// Client-chosen UUID (like ISO 20022's UETR); the idempotency key.
    pub payment_id: Uuid,
    /// End-to-end id chosen by the debtor's customer; absent means `NOTPROVIDED` (as in ISO
    /// 20022).
    #[serde(default)]
    pub end_to_end_id: String,
    pub debtor: PartyWire,
    pub creditor: PartyWire,
    pub debtor_participant: u64,
    pub creditor_participant: u64,
    /// Positive decimal amount with at most the currency's decimals.
    #[schema(example = "1234.56")]
    pub amount: String,
    #[schema(example = "KES")]
    pub currency: String,
    #[serde(default)]
    pub remittance_info: Option<String>,
    /// Seconds the creditor has to accept before the reservation is voided.
    #[serde(default)]
    pub expires_in_secs: Option<u64>,
    /// For a cross-currency payment: the FX quote to use (`amount`/`currency` are then the
    /// quote's source amount and currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx_quote_id: Option<Uuid>,
    // Everything below is screened too (a hit holds the payment and names the field), kept
    // with the payment and forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ultimate_debtor: Option<RelatedPartyWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ultimate_creditor: Option<RelatedPartyWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiating_party: Option<RelatedPartyWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_agent: Option<AgentWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_agent: Option<AgentWire>,
    /// At most three, in order (ISO 20022 `IntrmyAgt1..3`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intermediary_agents: Vec<AgentWire>,
    /// Structured remittance texts (creditor references, invoicer, invoicee ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remittance_structured: Vec<String>,
}

/// Lifecycle state of a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatusWire {
    Held,
    Reserved,
    Committed,
    Rejected,
    Expired,
    Returned,
    /// Waiting in its gross currency's liquidity queue (no funds moved yet).
    Queued,
}

/// A payment as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentView {
    pub payment_id: Uuid,
    pub end_to_end_id: String,
    pub debtor: PartyWire,
    pub creditor: PartyWire,
    pub debtor_participant: u64,
    pub creditor_participant: u64,
    pub amount: String,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remittance_info: Option<String>,
    pub status: PaymentStatusWire,
    /// Stable code of the reason for any non-success state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// ISO 20022 status reason (e.g. `AM04`) where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_reason: Option<String>,
    /// Creation time, ns since the Unix epoch (the hub's batch timestamp).
    pub created_at_ns: u64,
    /// Expiry of the reservation, ns since the Unix epoch.
    pub expires_at_ns: u64,
    /// The payment this one returns, for returns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns_payment_id: Option<Uuid>,
    /// The return that sent this payment's money back, for returned payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned_by_payment_id: Option<Uuid>,
    /// How many screening hits held the payment; 0 for a participant, which sees only that the
    /// payment is held (no tipping-off), not why.
    pub screening_hits: usize,
    /// Which fields had hits (e.g. `ultimate_creditor.name`, `remittance_information`); shown
    /// to compliance officers, the operator and auditors only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screening_hit_fields: Vec<String>,
    // What the payment named beyond debtor and creditor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ultimate_debtor: Option<RelatedPartyWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ultimate_creditor: Option<RelatedPartyWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiating_party: Option<RelatedPartyWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_agent: Option<AgentWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_agent: Option<AgentWire>,
    /// At most three, in order (ISO 20022 `IntrmyAgt1..3`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intermediary_agents: Vec<AgentWire>,
    /// Structured remittance texts (creditor references, invoicer, invoicee ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remittance_structured: Vec<String>,
    /// For a cross-currency payment: the quote, provider and what the creditor receives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx: Option<FxLegView>,
}

/// The target side of a cross-currency payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FxLegView {
    pub quote_id: Uuid,
    pub provider: u64,
    pub target_currency: String,
    pub target_amount: String,
}

/// A payment's status after a command (create, accept, reject, release, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentResult {
    pub payment_id: Uuid,
    pub status: PaymentStatusWire,
    /// Stable code of the reason for any non-success state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// ISO 20022 status reason (e.g. `AM04`) where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_reason: Option<String>,
    /// True when this answer repeats the original result of an identical earlier request.
    #[serde(default)]
    pub replayed: bool,
}

/// `POST /v1/payments/{id}/reject`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectPaymentRequest {
    /// Reason code (e.g. `incorrect_account_number`); default `not_specified_agent`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /v1/payments/{id}/return`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnPaymentRequest {
    /// Id of the new payment that carries the money back.
    pub return_payment_id: Uuid,
    /// Reason code (e.g. `requested_by_customer`); default `not_specified_agent`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /v1/payments/{id}/cancel`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelPaymentRequest {
    /// The debtor's reason code (e.g. `duplicate_payment`, `requested_by_customer`); default
    /// `not_specified_agent`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a cancellation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelOutcomeWire {
    /// Not yet committed: the payment is rejected (`cancelled_by_debtor`), any reservation
    /// voided.
    Cancelled,
    /// Already committed: the creditor participant was asked to return it (its inbox has a
    /// `return_requested` event); nothing moved.
    ReturnRequested,
}

/// The answer to `POST /v1/payments/{id}/cancel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CancelPaymentResult {
    pub payment_id: Uuid,
    pub outcome: CancelOutcomeWire,
    /// The payment's status now (`rejected`, or `committed` for a return request).
    pub status: PaymentStatusWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_reason: Option<String>,
    /// True when an earlier identical request already had this outcome.
    #[serde(default)]
    pub replayed: bool,
}

/// `POST /v1/payments/bulk`: each item is answered on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkPaymentsRequest {
    /// Items in `CreatePaymentRequest` shape; one that does not parse fails alone.
    #[schema(value_type = Vec<CreatePaymentRequest>)]
    pub payments: Vec<serde_json::Value>,
}

/// Accept or reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionWire {
    Accept,
    Reject,
}

/// One item of `POST /v1/payments/bulk-decisions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionItem {
    pub payment_id: Uuid,
    pub decision: DecisionWire,
    /// For rejections: the reason code; default `not_specified_agent`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /v1/payments/bulk-decisions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDecisionsRequest {
    /// Items in `DecisionItem` shape; one that does not parse fails alone.
    #[schema(value_type = Vec<DecisionItem>)]
    pub decisions: Vec<serde_json::Value>,
}

/// The answer to one bulk item, at the same index as the request's item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BulkItemResult {
    pub index: usize,
    /// The HTTP status this item would have had as a single request.
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// Response of both bulk endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BulkResponse {
    pub results: Vec<BulkItemResult>,
    /// Items that succeeded.
    pub succeeded: usize,
    /// Items that failed.
    pub failed: usize,
}

/// Query of `GET /v1/payments`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentListQuery {
    /// Only payments where this participant is debtor or creditor participant.
    #[serde(default)]
    pub participant: Option<u64>,
    #[serde(default)]
    pub status: Option<PaymentStatusWire>,
    #[serde(default)]
    pub currency: Option<String>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size (default 100, capped by the server).
    #[serde(default)]
    pub limit: Option<usize>,
    /// `oldest_first` (creation order, the default) or `newest_first`; a cursor continues in
    /// the order it was issued for.
    #[serde(default)]
    pub order: Option<PaymentOrderWire>,
}

/// The order of a payment list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentOrderWire {
    OldestFirst,
    NewestFirst,
}

/// A page of payments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentPage {
    pub payments: Vec<PaymentView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
