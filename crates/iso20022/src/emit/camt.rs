//! camt.029.001.09 (resolution of a cancellation request), camt.053.001.12 (statement of a
//! participant's position account for a period) and camt.054.001.12 (debit/credit
//! notification).

use super::pacs::{StatusReason, original_ids, truncate};
use super::parts::{Xml, check_date, check_datetime, check_id, check_len, invalid};
use super::{CAMT029_VERSION, CAMT053_VERSION, CAMT054_VERSION, EmitError};
use crate::model::{AccountId, Agent, OriginalRef, Party};
use crate::money::{Amount, Currency};
use serde::Serialize;

/// Outcome of a cancellation request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CancellationOutcome {
    /// Cancelled as requested (`Conf` CNCL, `TxCxlSts` ACCR).
    Cancelled,
    /// Cancellation refused (`RJCR`), e.g. the payment is already committed.
    Rejected,
    /// Still pending (`PDCR`), e.g. waiting for the creditor participant.
    Pending,
}

impl CancellationOutcome {
    fn confirmation(&self) -> &'static str {
        match self {
            Self::Cancelled => "CNCL",
            Self::Rejected => "RJCR",
            Self::Pending => "PDCR",
        }
    }

    fn transaction_status(&self) -> &'static str {
        match self {
            Self::Cancelled => "ACCR",
            Self::Rejected => "RJCR",
            Self::Pending => "PDCR",
        }
    }
}

/// Status of one transaction named in the cancellation request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CancellationStatus {
    pub original: OriginalRef,
    pub outcome: CancellationOutcome,
    /// Reason codes (ExternalPaymentCancellationRejection1Code, e.g. `LEGL`, `ARDT`).
    pub reasons: Vec<StatusReason>,
}

/// A camt.029 to emit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub assignment_id: String,
    pub assigner: Agent,
    pub assignee: Agent,
    pub created: String,
    /// Case id and creator of the resolved case, when the request named one.
    pub case: Option<(String, Agent)>,
    pub outcome: CancellationOutcome,
    pub original_msg_id: String,
    pub original_msg_name_id: String,
    pub transactions: Vec<CancellationStatus>,
}

/// Emits camt.029.001.09.
pub fn camt029(r: &Resolution) -> Result<Vec<u8>, EmitError> {
    check_id("Assgnmt/Id", &r.assignment_id)?;
    check_datetime("CreDtTm", &r.created)?;
    check_id("OrgnlMsgId", &r.original_msg_id)?;
    check_id("OrgnlMsgNmId", &r.original_msg_name_id)?;
    let mut x = Xml::document(CAMT029_VERSION)?;
    x.open("RsltnOfInvstgtn")?;
    x.open("Assgnmt")?;
    x.leaf("Id", &r.assignment_id)?;
    party_agent(&mut x, "Assgnr", &r.assigner)?;
    party_agent(&mut x, "Assgne", &r.assignee)?;
    x.leaf("CreDtTm", &r.created)?;
    x.close("Assgnmt")?;
    if let Some((id, creator)) = &r.case {
        check_id("RslvdCase/Id", id)?;
        x.open("RslvdCase")?;
        x.leaf("Id", id)?;
        party_agent(&mut x, "Cretr", creator)?;
        x.close("RslvdCase")?;
    }
    x.open("Sts")?;
    x.leaf("Conf", r.outcome.confirmation())?;
    x.close("Sts")?;
    x.open("CxlDtls")?;
    for tx in &r.transactions {
        x.open("TxInfAndSts")?;
        x.open("OrgnlGrpInf")?;
        x.leaf("OrgnlMsgId", &r.original_msg_id)?;
        x.leaf("OrgnlMsgNmId", &r.original_msg_name_id)?;
        x.close("OrgnlGrpInf")?;
        original_ids(&mut x, &tx.original)?;
        x.leaf("TxCxlSts", tx.outcome.transaction_status())?;
        for reason in &tx.reasons {
            check_len("CxlStsRsnInf/Rsn/Cd", &reason.code, 4)?;
            x.open("CxlStsRsnInf")?;
            x.open("Rsn")?;
            x.leaf("Cd", &reason.code)?;
            x.close("Rsn")?;
            if let Some(info) = &reason.additional_info {
                x.leaf("AddtlInf", &truncate(info, 105))?;
            }
            x.close("CxlStsRsnInf")?;
        }
        x.close("TxInfAndSts")?;
    }
    x.close("CxlDtls")?;
    x.close("RsltnOfInvstgtn")?;
    x.finish()
}

fn party_agent(x: &mut Xml, name: &'static str, agent: &Agent) -> Result<(), EmitError> {
    x.open(name)?;
    x.agent("Agt", agent)?;
    x.close(name)
}

/// The position account a statement or notification reports on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementAccount {
    pub id: AccountId,
    pub currency: Currency,
    pub owner: Option<Party>,
    /// The hub (or settlement bank) servicing the account.
    pub servicer: Option<Agent>,
}

/// Credit or debit (`CdtDbtInd`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CreditDebit {
    Credit,
    Debit,
}

impl CreditDebit {
    fn code(&self) -> &'static str {
        match self {
            Self::Credit => "CRDT",
            Self::Debit => "DBIT",
        }
    }
}

/// A balance line: opening booked (OPBD) or closing booked (CLBD).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub amount: Amount,
    pub side: CreditDebit,
    /// ISODate.
    pub date: String,
}

/// Entry status (`Sts/Cd`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EntryStatus {
    Booked,
    Pending,
}

/// Bank transaction code (`BkTxCd/Domn`), e.g. PMNT / RCDT / XBCT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankTxCode {
    pub domain: String,
    pub family: String,
    pub sub_family: String,
}

/// One booked or pending movement on the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub reference: Option<String>,
    pub amount: Amount,
    pub side: CreditDebit,
    pub status: EntryStatus,
    pub booking_date: Option<String>,
    pub value_date: Option<String>,
    pub bank_tx_code: BankTxCode,
    /// References of the underlying payment (message id, end-to-end id, UETR ...).
    pub refs: OriginalRef,
    /// The other side of the payment (debtor for credits, creditor for debits).
    pub counterparty: Option<Party>,
    pub remittance: Vec<String>,
}

/// A camt.053 to emit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub msg_id: String,
    pub created: String,
    pub statement_id: String,
    pub account: StatementAccount,
    /// Period start and end (ISODateTime).
    pub from: String,
    pub to: String,
    pub opening: Balance,
    pub closing: Balance,
    pub entries: Vec<Entry>,
}

/// A camt.054 to emit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub msg_id: String,
    pub created: String,
    pub notification_id: String,
    pub account: StatementAccount,
    pub entries: Vec<Entry>,
}

/// Emits camt.053.001.12.
pub fn camt053(s: &Statement) -> Result<Vec<u8>, EmitError> {
    check_id("MsgId", &s.msg_id)?;
    check_datetime("CreDtTm", &s.created)?;
    check_id("Stmt/Id", &s.statement_id)?;
    check_datetime("FrDtTm", &s.from)?;
    check_datetime("ToDtTm", &s.to)?;
    let mut x = Xml::document(CAMT053_VERSION)?;
    x.open("BkToCstmrStmt")?;
    group_header(&mut x, &s.msg_id, &s.created)?;
    x.open("Stmt")?;
    x.leaf("Id", &s.statement_id)?;
    x.leaf("CreDtTm", &s.created)?;
    x.open("FrToDt")?;
    x.leaf("FrDtTm", &s.from)?;
    x.leaf("ToDtTm", &s.to)?;
    x.close("FrToDt")?;
    account(&mut x, &s.account)?;
    balance(&mut x, "OPBD", &s.opening, s.account.currency)?;
    balance(&mut x, "CLBD", &s.closing, s.account.currency)?;
    for e in &s.entries {
        entry(&mut x, e, s.account.currency)?;
    }
    x.close("Stmt")?;
    x.close("BkToCstmrStmt")?;
    x.finish()
}

/// Emits camt.054.001.12.
pub fn camt054(n: &Notification) -> Result<Vec<u8>, EmitError> {
    check_id("MsgId", &n.msg_id)?;
    check_datetime("CreDtTm", &n.created)?;
    check_id("Ntfctn/Id", &n.notification_id)?;
    if n.entries.is_empty() {
        return Err(invalid("Ntry", "a notification reports at least one entry"));
    }
    let mut x = Xml::document(CAMT054_VERSION)?;
    x.open("BkToCstmrDbtCdtNtfctn")?;
    group_header(&mut x, &n.msg_id, &n.created)?;
    x.open("Ntfctn")?;
    x.leaf("Id", &n.notification_id)?;
    x.leaf("CreDtTm", &n.created)?;
    account(&mut x, &n.account)?;
    for e in &n.entries {
        entry(&mut x, e, n.account.currency)?;
    }
    x.close("Ntfctn")?;
    x.close("BkToCstmrDbtCdtNtfctn")?;
    x.finish()
}

fn group_header(x: &mut Xml, msg_id: &str, created: &str) -> Result<(), EmitError> {
    x.open("GrpHdr")?;
    x.leaf("MsgId", msg_id)?;
    x.leaf("CreDtTm", created)?;
    x.close("GrpHdr")
}

fn account(x: &mut Xml, a: &StatementAccount) -> Result<(), EmitError> {
    x.open("Acct")?;
    x.account_id(&a.id)?;
    x.leaf("Ccy", a.currency.as_str())?;
    if let Some(owner) = &a.owner {
        x.party("Ownr", owner)?;
    }
    x.opt_agent("Svcr", a.servicer.as_ref())?;
    x.close("Acct")
}

fn balance(x: &mut Xml, code: &str, b: &Balance, ccy: Currency) -> Result<(), EmitError> {
    if b.amount.currency != ccy {
        return Err(invalid(
            "Bal/Amt",
            "balance currency differs from the account's",
        ));
    }
    check_date("Bal/Dt", &b.date)?;
    x.open("Bal")?;
    x.open("Tp")?;
    x.open("CdOrPrtry")?;
    x.leaf("Cd", code)?;
    x.close("CdOrPrtry")?;
    x.close("Tp")?;
    x.amount("Amt", &b.amount)?;
    x.leaf("CdtDbtInd", b.side.code())?;
    x.open("Dt")?;
    x.leaf("Dt", &b.date)?;
    x.close("Dt")?;
    x.close("Bal")
}

fn entry(x: &mut Xml, e: &Entry, ccy: Currency) -> Result<(), EmitError> {
    if e.amount.currency != ccy {
        return Err(invalid(
            "Ntry/Amt",
            "entry currency differs from the account's",
        ));
    }
    x.open("Ntry")?;
    if let Some(r) = &e.reference {
        check_id("NtryRef", r)?;
        x.leaf("NtryRef", r)?;
    }
    x.amount("Amt", &e.amount)?;
    x.leaf("CdtDbtInd", e.side.code())?;
    x.open("Sts")?;
    x.leaf(
        "Cd",
        match e.status {
            EntryStatus::Booked => "BOOK",
            EntryStatus::Pending => "PDNG",
        },
    )?;
    x.close("Sts")?;
    for (name, date) in [("BookgDt", &e.booking_date), ("ValDt", &e.value_date)] {
        if let Some(d) = date {
            check_date(name, d)?;
            x.open(name)?;
            x.leaf("Dt", d)?;
            x.close(name)?;
        }
    }
    let code = &e.bank_tx_code;
    check_len("BkTxCd/Domn/Cd", &code.domain, 4)?;
    check_len("BkTxCd/Fmly/Cd", &code.family, 4)?;
    check_len("BkTxCd/Fmly/SubFmlyCd", &code.sub_family, 4)?;
    x.open("BkTxCd")?;
    x.open("Domn")?;
    x.leaf("Cd", &code.domain)?;
    x.open("Fmly")?;
    x.leaf("Cd", &code.family)?;
    x.leaf("SubFmlyCd", &code.sub_family)?;
    x.close("Fmly")?;
    x.close("Domn")?;
    x.close("BkTxCd")?;
    entry_details(x, e)?;
    x.close("Ntry")
}

fn entry_details(x: &mut Xml, e: &Entry) -> Result<(), EmitError> {
    x.open("NtryDtls")?;
    x.open("TxDtls")?;
    let r = &e.refs;
    let refs = [
        ("MsgId", &r.msg_id),
        ("InstrId", &r.instruction_id),
        ("EndToEndId", &r.end_to_end_id),
        ("UETR", &r.uetr),
        ("TxId", &r.tx_id),
    ];
    if refs.iter().any(|(_, v)| v.is_some()) {
        x.open("Refs")?;
        for (name, value) in refs {
            if let Some(v) = value {
                if name == "UETR" {
                    super::parts::check_uetr(v)?;
                } else {
                    check_id(name, v)?;
                }
                x.leaf(name, v)?;
            }
        }
        x.close("Refs")?;
    }
    x.amount("Amt", &e.amount)?;
    x.leaf("CdtDbtInd", e.side.code())?;
    if let Some(p) = &e.counterparty {
        // Credits name the debtor who paid; debits name the creditor who was paid.
        let role = match e.side {
            CreditDebit::Credit => "Dbtr",
            CreditDebit::Debit => "Cdtr",
        };
        x.open("RltdPties")?;
        x.open(role)?;
        x.party("Pty", p)?;
        x.close(role)?;
        x.close("RltdPties")?;
    }
    if !e.remittance.is_empty() {
        x.open("RmtInf")?;
        for line in &e.remittance {
            check_len("Ustrd", line, 140)?;
            x.leaf("Ustrd", line)?;
        }
        x.close("RmtInf")?;
    }
    x.close("TxDtls")?;
    x.close("NtryDtls")
}
