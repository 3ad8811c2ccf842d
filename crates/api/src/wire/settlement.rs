//! Wire types for FX rates and quotes, and for settlement windows and their reports.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /v1/fx/rates` (FX providers): the provider's mid rate for a pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRateRequest {
    #[schema(example = "EUR")]
    pub base: String,
    #[schema(example = "KES")]
    pub quote: String,
    /// Units of `quote` per unit of `base`, an exact decimal ("140.25").
    #[schema(example = "140.25")]
    pub rate: String,
    /// The provider's margin in basis points (at most 1000).
    pub spread_bp: u16,
}

/// A published rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RateView {
    pub provider: u64,
    pub base: String,
    pub quote: String,
    pub rate: String,
    pub spread_bp: u16,
    pub published_at_ns: u64,
}

/// `POST /v1/fx/quotes`: ask a provider to convert `source_amount`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequestWire {
    pub provider: u64,
    pub source_currency: String,
    pub target_currency: String,
    /// Decimal amount in the source currency.
    pub source_amount: String,
    /// How long the quote stays valid (default 60 s, at most one hour).
    #[serde(default)]
    pub expires_in_secs: Option<u64>,
}

/// A firm quote; name it as `fx_quote_id` in a payment to use it (once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuoteView {
    pub quote_id: Uuid,
    pub provider: u64,
    pub requester: u64,
    pub source_currency: String,
    pub target_currency: String,
    pub source_amount: String,
    pub target_amount: String,
    /// The mid rate used (base/quote of the provider's pair).
    pub rate: String,
    /// Whether the conversion used the inverse of `rate`.
    pub inverse: bool,
    pub spread_bp: u16,
    pub expires_at_ns: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by_payment_id: Option<Uuid>,
}

/// How a closed window's instructions settle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstructionModeWire {
    /// Each participant pays to or receives from the settlement account.
    ViaSettlementAccount,
    /// Participants pay each other (at most n − 1 instructions).
    Direct,
}

/// `POST /v1/settlement/windows/close`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseWindowRequest {
    pub currency: String,
    #[serde(default = "default_mode")]
    pub mode: InstructionModeWire,
}

fn default_mode() -> InstructionModeWire {
    InstructionModeWire::ViaSettlementAccount
}

/// Lifecycle of a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatusWire {
    Open,
    Closed,
    Settled,
    Aborted,
}

/// One participant's figures in a window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NetPositionView {
    pub participant: u64,
    pub sent: String,
    pub received: String,
    /// Positive: receives at settlement; negative: pays.
    pub net: String,
}

/// One settlement instruction; `payer`/`payee` are participant ids or `settlement_account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstructionView {
    pub payer: String,
    pub payee: String,
    pub amount: String,
}

/// Gross obligations from one participant to another within the window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BilateralView {
    pub debtor: u64,
    pub creditor: u64,
    pub count: u64,
    pub amount: String,
}

/// The netting report of a closed window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SettlementReportView {
    pub mode: InstructionModeWire,
    pub obligation_count: u64,
    pub gross_total: String,
    /// What moves at settlement (sum of the positive figures).
    pub net_total: String,
    pub positions: Vec<NetPositionView>,
    pub instructions: Vec<InstructionView>,
    pub bilateral: Vec<BilateralView>,
}

/// A settlement window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WindowView {
    pub id: u64,
    pub currency: String,
    pub status: WindowStatusWire,
    pub opened_at_ns: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at_ns: Option<u64>,
    /// Committed legs recorded in the window so far.
    pub obligations: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<SettlementReportView>,
    /// For an aborted window: the window its obligations moved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_to: Option<u64>,
}

/// Query of `GET /v1/settlement/windows`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    pub currency: String,
}
