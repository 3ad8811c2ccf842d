//! Version-neutral business models. Every supported version of a message maps into the same
//! struct; emitters write these structs back out in one chosen version.

use crate::money::{Amount, Decimal};
use serde::Serialize;

/// A financial institution (participant) as ISO identifies it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Agent {
    pub bic: Option<String>,
    /// Clearing-system member id (e.g. a US ABA routing number) when no BIC is used.
    pub member: Option<ClearingMember>,
    pub lei: Option<String>,
    pub name: Option<String>,
}

/// `ClrSysMmbId`: optional clearing-system code and the member id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClearingMember {
    pub system_code: Option<String>,
    pub member_id: String,
}

/// Structured or unstructured postal address (the fields kliring carries forward).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PostalAddress {
    pub department: Option<String>,
    pub street: Option<String>,
    pub building_number: Option<String>,
    pub post_code: Option<String>,
    pub town: Option<String>,
    pub country_subdivision: Option<String>,
    pub country: Option<String>,
    pub lines: Vec<String>,
}

/// A debtor or creditor: a person or organisation (pacs.008) or an institution (pacs.009).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    pub name: Option<String>,
    pub address: Option<PostalAddress>,
    pub country_of_residence: Option<String>,
    /// `OrgId/AnyBIC` of an organisation, or `BICFI` of an institution party.
    pub bic: Option<String>,
    pub lei: Option<String>,
}

/// An account identifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountId {
    Iban(String),
    Other { id: String, scheme: Option<String> },
}

/// Who pays the charges (`ChrgBr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ChargeBearer {
    DEBT,
    CRED,
    SHAR,
    SLEV,
}

impl ChargeBearer {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "DEBT" => Some(Self::DEBT),
            "CRED" => Some(Self::CRED),
            "SHAR" => Some(Self::SHAR),
            "SLEV" => Some(Self::SLEV),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::DEBT => "DEBT",
            Self::CRED => "CRED",
            Self::SHAR => "SHAR",
            Self::SLEV => "SLEV",
        }
    }
}

/// `SttlmInf`: settlement method (INDA, INGA, COVE, CLRG) and clearing system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settlement {
    pub method: String,
    pub clearing_system: Option<String>,
}

/// Customer (pacs.008) or financial-institution (pacs.009) credit transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    Customer,
    Institution,
}

/// pacs.008 / pacs.009 group header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupHeader {
    pub msg_id: String,
    /// ISODateTime exactly as sent (validated).
    pub created: String,
    pub nb_of_txs: u32,
    pub ctrl_sum: Option<Decimal>,
    pub total_amount: Option<Amount>,
    pub settlement_date: Option<String>,
    pub settlement: Settlement,
    pub instructing_agent: Option<Agent>,
    pub instructed_agent: Option<Agent>,
}

/// One credit transfer transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditTransferTx {
    pub instruction_id: Option<String>,
    pub end_to_end_id: String,
    pub uetr: Option<String>,
    pub tx_id: Option<String>,
    pub amount: Amount,
    pub settlement_date: Option<String>,
    pub instructed_amount: Option<Amount>,
    /// `XchgRate`: units of the settlement currency per unit of the instructed one; required
    /// when `InstdAmt` is in another currency than `IntrBkSttlmAmt`.
    pub exchange_rate: Option<Decimal>,
    pub charge_bearer: Option<ChargeBearer>,
    pub instructing_agent: Option<Agent>,
    pub instructed_agent: Option<Agent>,
    pub debtor: Party,
    pub debtor_account: Option<AccountId>,
    /// Required in pacs.008; optional in pacs.009, where the debtor and creditor are agents.
    pub debtor_agent: Option<Agent>,
    pub creditor_agent: Option<Agent>,
    pub creditor: Party,
    pub creditor_account: Option<AccountId>,
    /// Free-text instructions to the next agent, the hub (`InstrForNxtAgt/InstrInf`), e.g.
    /// `/FXQUOTE/{quote id}` naming the FX quote of a cross-currency payment.
    pub instructions_for_next_agent: Vec<String>,
    /// Unstructured remittance lines (`RmtInf/Ustrd`).
    pub remittance: Vec<String>,
    /// `UltmtDbtr`, `InitgPty`, `UltmtCdtr`.
    pub ultimate_debtor: Option<Party>,
    pub initiating_party: Option<Party>,
    pub ultimate_creditor: Option<Party>,
    /// `IntrmyAgt1..3`, in order.
    pub intermediary_agents: Vec<Agent>,
    /// Every text of structured remittance information (`RmtInf/Strd`: referred documents,
    /// creditor references, invoicer and invoicee names, additional remittance lines ...).
    pub remittance_structured: Vec<String>,
    /// pacs.009 COV: the message carries the underlying customer credit transfer
    /// (`UndrlygCstmrCdtTrf`), whose customers are not read into this model.
    pub underlying_customer_transfer: bool,
}

/// pacs.008 / pacs.009: one or more payments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditTransfer {
    pub kind: TransferKind,
    pub group: GroupHeader,
    pub transactions: Vec<CreditTransferTx>,
}

/// References to an earlier message and transaction (`OrgnlGrpInf`, `OrgnlInstrId` ...).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OriginalRef {
    pub msg_id: Option<String>,
    /// e.g. `pacs.008.001.08`.
    pub msg_name_id: Option<String>,
    pub created: Option<String>,
    pub instruction_id: Option<String>,
    pub end_to_end_id: Option<String>,
    pub tx_id: Option<String>,
    pub uetr: Option<String>,
}

/// A reason: ISO code (or proprietary text) and additional information.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: Option<String>,
    pub proprietary: Option<String>,
    pub additional_info: Vec<String>,
}

/// One returned transaction of a pacs.004.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReturnTx {
    pub return_id: Option<String>,
    pub original: OriginalRef,
    pub original_amount: Option<Amount>,
    pub returned_amount: Amount,
    pub settlement_date: Option<String>,
    pub reason: Option<Reason>,
    pub instructing_agent: Option<Agent>,
    pub instructed_agent: Option<Agent>,
}

/// pacs.004 payment return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentReturn {
    pub msg_id: String,
    pub created: String,
    pub nb_of_txs: u32,
    pub settlement: Settlement,
    pub transactions: Vec<ReturnTx>,
}

/// One transaction whose cancellation is requested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CancellationTx {
    pub cancellation_id: Option<String>,
    pub case_id: Option<String>,
    pub original: OriginalRef,
    pub original_amount: Option<Amount>,
    pub reason: Reason,
}

/// camt.056 FI-to-FI payment cancellation request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CancellationRequest {
    pub assignment_id: String,
    pub assigner: Agent,
    pub assignee: Agent,
    pub created: String,
    pub case_id: Option<String>,
    pub transactions: Vec<CancellationTx>,
}

/// pacs.028 status request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusRequest {
    pub msg_id: String,
    pub created: String,
    pub transactions: Vec<StatusRequestTx>,
}

/// One transaction whose status is asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusRequestTx {
    pub status_request_id: Option<String>,
    pub original: OriginalRef,
    pub instructing_agent: Option<Agent>,
    pub instructed_agent: Option<Agent>,
}

/// ISO transaction status codes (ExternalPaymentTransactionStatus1Code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TxStatus {
    ACCC,
    ACCP,
    ACFC,
    ACIS,
    ACPD,
    ACSC,
    ACSP,
    ACTC,
    ACWC,
    ACWP,
    BLCK,
    CANC,
    PART,
    PATC,
    PDNG,
    PRES,
    RCVD,
    RJCT,
}

const TX_STATUSES: &[(TxStatus, &str)] = &[
    (TxStatus::ACCC, "ACCC"),
    (TxStatus::ACCP, "ACCP"),
    (TxStatus::ACFC, "ACFC"),
    (TxStatus::ACIS, "ACIS"),
    (TxStatus::ACPD, "ACPD"),
    (TxStatus::ACSC, "ACSC"),
    (TxStatus::ACSP, "ACSP"),
    (TxStatus::ACTC, "ACTC"),
    (TxStatus::ACWC, "ACWC"),
    (TxStatus::ACWP, "ACWP"),
    (TxStatus::BLCK, "BLCK"),
    (TxStatus::CANC, "CANC"),
    (TxStatus::PART, "PART"),
    (TxStatus::PATC, "PATC"),
    (TxStatus::PDNG, "PDNG"),
    (TxStatus::PRES, "PRES"),
    (TxStatus::RCVD, "RCVD"),
    (TxStatus::RJCT, "RJCT"),
];

impl TxStatus {
    pub fn parse(code: &str) -> Option<Self> {
        TX_STATUSES
            .iter()
            .find(|(_, c)| *c == code)
            .map(|(s, _)| *s)
    }

    pub fn as_str(&self) -> &'static str {
        TX_STATUSES
            .iter()
            .find(|(s, _)| s == self)
            .map_or("RJCT", |(_, c)| c)
    }

    /// Whether a creditor participant's status means "accepted, commit the payment".
    pub fn is_acceptance(&self) -> bool {
        matches!(self, Self::ACSC | Self::ACCP | Self::ACSP | Self::ACCC)
    }
}

/// Group-level status of a pacs.002 (`OrgnlGrpInfAndSts`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupStatus {
    pub original_msg_id: String,
    pub original_msg_name_id: String,
    pub status: Option<TxStatus>,
    pub reasons: Vec<Reason>,
}

/// One transaction status of a pacs.002.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxStatusReport {
    pub original: OriginalRef,
    pub status: Option<TxStatus>,
    pub reasons: Vec<Reason>,
    pub instructing_agent: Option<Agent>,
    pub instructed_agent: Option<Agent>,
}

/// pacs.002 payment status report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub msg_id: String,
    pub created: String,
    pub groups: Vec<GroupStatus>,
    pub transactions: Vec<TxStatusReport>,
}

/// A message the hub consumes, in version-neutral form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Message {
    CreditTransfer(CreditTransfer),
    PaymentReturn(PaymentReturn),
    CancellationRequest(CancellationRequest),
    StatusRequest(StatusRequest),
    StatusReport(StatusReport),
}
