//! Wire types for currencies, participants, credentials, liquidity and balances.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Settlement model of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettlementModelWire {
    /// Payments draw on pre-funded liquidity and are final at commit.
    Gross,
    /// Positions accumulate within net debit caps and settle net per window.
    DeferredNet,
}

/// `POST /v1/currencies`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCurrencyRequest {
    /// ISO 4217 alphabetic code, e.g. `KES`.
    #[schema(example = "KES")]
    pub code: String,
    /// Minor-unit digits, e.g. 2 for KES, 0 for JPY.
    pub exponent: u8,
    /// How the currency settles.
    pub settlement_model: SettlementModelWire,
}

/// A currency the scheme accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CurrencyView {
    pub code: String,
    pub exponent: u8,
    pub settlement_model: SettlementModelWire,
}

/// Role of a participant in the scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantRoleWire {
    /// Sends and receives payments.
    Participant,
    /// Quotes conversions between currencies.
    FxProvider,
}

/// `POST /v1/participants`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdmitParticipantRequest {
    #[schema(example = "Equity Bank Kenya")]
    pub name: String,
    /// BIC of 8 or 11 characters.
    #[schema(example = "EQBLKENA")]
    pub bic: String,
    /// ISO 3166 alpha-2 country code.
    #[schema(example = "KE")]
    pub country: String,
    /// Roles; defaults to `[participant]`.
    #[serde(default)]
    pub roles: Vec<ParticipantRoleWire>,
}

/// Whether a participant may transact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantStatusWire {
    Active,
    Suspended,
}

/// A participant of the scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParticipantView {
    pub id: u64,
    pub name: String,
    pub bic: String,
    pub country: String,
    pub roles: Vec<ParticipantRoleWire>,
    pub status: ParticipantStatusWire,
}

/// `PUT /v1/participants/{id}/net-debit-cap`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetDebitCapRequest {
    pub currency: String,
    /// Decimal amount; `"0"` allows no net debit at all.
    #[schema(example = "1000000.00")]
    pub cap: String,
}

/// `POST /v1/participants/{id}/liquidity/deposits` and `.../withdrawals`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiquidityRequest {
    pub currency: String,
    /// Positive decimal amount with at most the currency's decimals.
    #[schema(example = "25000.00")]
    pub amount: String,
}

/// A participant's money in one currency; all amounts are decimal strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BalanceView {
    pub currency: String,
    /// Position balance (credits − debits, posted); negative when the participant owes.
    pub position: String,
    /// Pre-funded liquidity balance (posted).
    pub liquidity: String,
    /// Outgoing amounts reserved but not yet accepted or voided.
    pub pending_debits: String,
    /// Incoming amounts reserved but not yet accepted or voided.
    pub pending_credits: String,
    /// Net debit cap on the position.
    pub net_debit_cap: String,
    /// What the participant can still send now.
    pub available: String,
}

/// Role a credential is issued for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialRoleWire {
    Operator,
    Participant,
    ComplianceOfficer,
    Auditor,
}

/// `POST /v1/credentials`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCredentialRequest {
    pub role: CredentialRoleWire,
    /// Required for `participant`.
    #[serde(default)]
    pub participant_id: Option<u64>,
    /// Required for `compliance_officer` (the name recorded on reviews and decisions).
    #[serde(default)]
    pub officer: Option<String>,
}

/// A new credential; the token is shown only in this response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CredentialView {
    /// Id for listing and revoking.
    pub id: u64,
    pub token: String,
    pub role: CredentialRoleWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
}

/// A credential as the operator sees it (never the token or its hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CredentialInfo {
    pub id: u64,
    pub role: CredentialRoleWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    pub created_at_ns: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at_ns: Option<u64>,
}

/// `PUT /v1/participants/{id}/webhook`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// Where inbox events are POSTed (http or https).
    pub url: String,
}

/// A participant's webhook; `secret` (for verifying `X-Kliring-Signature`) only when set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}
