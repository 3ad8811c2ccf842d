//! Wire types for the inbox, compliance holds, ad hoc screening and health.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::payments::{PaymentStatusWire, PaymentView};

/// Query of `GET /v1/inbox`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Return events after this cursor (0 or absent: from the beginning).
    #[serde(default)]
    pub after: Option<u64>,
    /// Wait up to this many seconds for an event when none is there yet (long-poll).
    #[serde(default)]
    pub wait: Option<u64>,
    /// Most events to return (default 100, capped by the server).
    #[serde(default)]
    pub limit: Option<usize>,
    /// For operators and officers: whose inbox to read.
    #[serde(default)]
    pub participant: Option<u64>,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxEventKind {
    /// A payment to this participant is reserved and waits for accept or reject.
    IncomingPayment,
    /// A payment this participant is party to changed status.
    StatusChanged,
    /// The debtor side asks this (creditor) participant to return a committed payment
    /// (`reason_code` is the debtor's reason); `POST /v1/payments/{id}/return` does it.
    ReturnRequested,
}

/// One inbox event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InboxEvent {
    /// Strictly increasing per participant; pass the last one seen as `after`.
    pub cursor: u64,
    pub kind: InboxEventKind,
    pub payment_id: Uuid,
    pub status: PaymentStatusWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Hub time of the event, ns since the Unix epoch.
    pub at_ns: u64,
}

/// Response of `GET /v1/inbox`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InboxPage {
    pub events: Vec<InboxEvent>,
    /// The cursor to pass as `after` next time (unchanged when no event came).
    pub next_cursor: u64,
}

/// One screening match recorded on a held payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HoldHitView {
    /// The party or part of the payment: `debtor`, `creditor`, `ultimate_debtor`,
    /// `ultimate_creditor`, `initiating_party`, `debtor_agent`, `creditor_agent`,
    /// `intermediary_agents[n]`, `remittance_information`.
    pub party: String,
    /// The field that matched: `debtor.name`, `creditor.address`, `ultimate_creditor.name`,
    /// `initiating_party.name`, `debtor_agent.name`, `intermediary_agents[1].name`,
    /// `remittance_information`, ...
    pub field: String,
    pub list: String,
    pub reference: String,
    pub name: String,
    pub matched_name: String,
    /// Score in basis points (10000 = identical).
    pub score_bp: u16,
}

/// A list version a screening used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListVersionView {
    pub source: String,
    pub version: String,
    /// How the list was labelled when imported, e.g. "demo data" for the bundled fixture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A payment held for compliance, with its matches and the review so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeldPaymentView {
    pub payment: PaymentView,
    pub hits: Vec<HoldHitView>,
    pub lists: Vec<ListVersionView>,
    /// Officer who reviewed it, if anyone has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
}

/// `POST /v1/screening/match`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningMatchRequest {
    pub name: String,
    /// Overrides the server's threshold for this query (0..=1).
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// One match of an ad hoc screening.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScreeningHitView {
    pub list: String,
    pub reference: String,
    pub name: String,
    pub matched_name: String,
    pub score: f64,
    pub explanation: String,
}

/// Response of `POST /v1/screening/match`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScreeningMatchResponse {
    pub query: String,
    pub hits: Vec<ScreeningHitView>,
    pub lists: Vec<ListVersionView>,
}

/// Response of `GET /v1/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthView {
    /// `ok` while the sequencer answers and its database (if any) commits; `degraded` when an
    /// alarm says why not (`database_unavailable`, `sequencer_busy`).
    pub status: String,
    /// `leader` (takes writes) or `standby` (follows the leader's journal in PostgreSQL and
    /// refuses writes with `not_leader`); a hub without PostgreSQL always leads.
    #[serde(default)]
    pub role: String,
    /// The journal's database: `embedded` (none), `ok`, or `unavailable` (the reason is in the
    /// `database_unavailable` alarm).
    #[serde(default)]
    pub database: String,
    /// Whether a UN Security Council list is loaded (without one, payments are refused).
    pub un_list_loaded: bool,
    pub lists: Vec<ListVersionView>,
    /// Where committed records are kept: `embedded` (this machine's disk), or in PostgreSQL,
    /// `postgres_synchronous` (a standby confirms every commit) or `postgres_not_synchronous`
    /// (no synchronous standby: the operator should configure `synchronous_standby_names`).
    pub replication: String,
    /// The `dateGenerated` of the UN list in force, and its age in whole days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub un_list_generated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub un_list_age_days: Option<u64>,
    /// What the operator must look at: `no_un_list`, `un_list_refused` (a UN list that does not
    /// look like the published one was not put in force), `un_list_override` (the one in force
    /// is there by the operator's override), `un_list_stale` (older than the configured
    /// maximum age), `un_list_demo_data` (the bundled demo list). Empty when all is well.
    #[serde(default)]
    pub alarms: Vec<AlarmView>,
    /// List versions put in force by the operator's override (journalled), oldest first.
    #[serde(default)]
    pub list_overrides: Vec<ListOverrideView>,
}

/// Response of `GET /v1/ready` (200 when the hub leads and can commit, 503 otherwise), for
/// load balancers and readiness probes: it never waits for the sequencer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReadyView {
    /// Whether this hub takes writes now.
    pub ready: bool,
    /// `leader` or `standby`, as in [`HealthView::role`].
    pub role: String,
    /// As in [`HealthView::database`].
    pub database: String,
    /// Why the database cannot be written, when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// A condition `/v1/health` raises.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlarmView {
    pub code: String,
    pub message: String,
}

/// A journalled override of the list checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListOverrideView {
    pub source: String,
    pub version: String,
    pub entries: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// What the checks found.
    pub reason: String,
    /// When it was journalled, ns since the Unix epoch.
    pub recorded_at_ns: u64,
}

/// `POST /v1/compliance/false-positives`: an officer proposes that a hit on a held payment's
/// party is a false positive for that party (the participant's customer by name) and that
/// listed entry. A second officer confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FalsePositiveRequest {
    /// The held payment whose screening had the hit.
    pub payment_id: Uuid,
    /// The hit's field: `debtor.name`, `creditor.name`, `ultimate_debtor.name`,
    /// `ultimate_creditor.name` or `initiating_party.name`.
    pub field: String,
    /// The hit's list (`un`, `ofac-sdn`, `eu`, `uk`).
    pub list: String,
    /// The listed entry's reference.
    pub reference: String,
    /// Why the party is not the listed entry (required; kept in the record).
    pub note: String,
}

/// A false positive and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FalsePositiveView {
    pub id: u64,
    /// `proposed` (waiting for a second officer), `in_force` or `revoked`.
    pub status: String,
    /// The participant whose customer the party is.
    pub participant: u64,
    /// The party's name exactly as screened: the false positive covers this name only.
    pub party_name: String,
    pub list: String,
    pub reference: String,
    /// The listed entry's primary name.
    pub listed_name: String,
    pub entry_fingerprint: String,
    /// Whether the entry is still published as it was when the false positive was proposed;
    /// if not (amended or delisted), it no longer clears any hit.
    pub entry_current: bool,
    pub note: String,
    pub seen_on_payment: Uuid,
    pub proposed_by: String,
    pub proposed_at_ns: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at_ns: Option<u64>,
}
