//! pacs.002.001.10 (payment status report) and pacs.008.001.08 (credit transfer forwarded to the
//! creditor participant).

use super::parts::{Xml, check_date, check_datetime, check_id, check_len, check_uetr, invalid};
use super::{EmitError, PACS002_VERSION, PACS008_VERSION};
use crate::model::{Agent, CreditTransfer, OriginalRef, TransferKind, TxStatus};
use crate::read::Rejection;
use crate::report::ReasonCode;
use serde::Serialize;

/// A status reason: ISO code plus optional narrative (`AddtlInf`, at most 105 characters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusReason {
    /// ExternalStatusReason1Code, 1 to 4 characters (e.g. `AC01`, `DUPL`).
    pub code: String,
    pub additional_info: Option<String>,
}

impl StatusReason {
    /// A reason with one of kliring's codes.
    pub fn new(code: ReasonCode, additional_info: Option<String>) -> Self {
        Self {
            code: code.as_str().to_owned(),
            additional_info,
        }
    }
}

/// Status of one original transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxStatusOut {
    pub original: OriginalRef,
    pub status: TxStatus,
    pub reasons: Vec<StatusReason>,
    pub instructing_agent: Option<Agent>,
    pub instructed_agent: Option<Agent>,
}

/// A pacs.002 to emit: group status and/or per-transaction statuses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusReportOut {
    pub msg_id: String,
    pub created: String,
    pub original_msg_id: String,
    /// e.g. `pacs.008.001.08`.
    pub original_msg_name_id: String,
    pub original_created: Option<String>,
    /// Group status (e.g. `RJCT` for a whole-message rejection such as FF01).
    pub group_status: Option<TxStatus>,
    pub group_reasons: Vec<StatusReason>,
    pub transactions: Vec<TxStatusOut>,
}

/// Most reasons listed in one rejection (the rest are summarised by the first ones).
const REJECTION_REASONS_MAX: usize = 10;

impl StatusReportOut {
    /// The pacs.002 RJCT answering a message kliring refused: group status `RJCT` with one
    /// `StsRsnInf` per violation (its code, and "text at path" as `AddtlInf`). `None` when the
    /// refused message cannot be referenced in ISO form (unidentified type, or no message id of
    /// 1 to 35 characters): the endpoint answers HTTP 400 with the violations instead.
    pub fn rejecting(rejection: &Rejection, msg_id: String, created: String) -> Option<Self> {
        let original_msg_id = rejection.info.msg_id.clone()?;
        let original_msg_name_id = rejection.info.version.clone()?;
        let id_len = original_msg_id.chars().count();
        if id_len == 0 || id_len > 35 {
            return None;
        }
        Some(Self {
            msg_id,
            created,
            original_msg_id,
            original_msg_name_id,
            original_created: None,
            group_status: Some(TxStatus::RJCT),
            group_reasons: rejection
                .violations
                .iter()
                .take(REJECTION_REASONS_MAX)
                .map(|v| StatusReason::new(v.code, Some(format!("{} at {}", v.text, v.path))))
                .collect(),
            transactions: Vec::new(),
        })
    }
}

/// Emits a pacs.002.001.10 document.
pub fn pacs002(report: &StatusReportOut) -> Result<Vec<u8>, EmitError> {
    check_id("MsgId", &report.msg_id)?;
    check_datetime("CreDtTm", &report.created)?;
    check_id("OrgnlMsgId", &report.original_msg_id)?;
    check_id("OrgnlMsgNmId", &report.original_msg_name_id)?;
    if report.group_status.is_none() && report.transactions.is_empty() {
        return Err(invalid(
            "TxInfAndSts",
            "neither a group status nor transactions",
        ));
    }
    let mut x = Xml::document(PACS002_VERSION)?;
    x.open("FIToFIPmtStsRpt")?;
    x.open("GrpHdr")?;
    x.leaf("MsgId", &report.msg_id)?;
    x.leaf("CreDtTm", &report.created)?;
    x.close("GrpHdr")?;
    x.open("OrgnlGrpInfAndSts")?;
    x.leaf("OrgnlMsgId", &report.original_msg_id)?;
    x.leaf("OrgnlMsgNmId", &report.original_msg_name_id)?;
    if let Some(c) = &report.original_created {
        check_datetime("OrgnlCreDtTm", c)?;
        x.leaf("OrgnlCreDtTm", c)?;
    }
    x.opt_leaf("GrpSts", report.group_status.as_ref().map(TxStatus::as_str))?;
    reasons(&mut x, &report.group_reasons)?;
    x.close("OrgnlGrpInfAndSts")?;
    for tx in &report.transactions {
        x.open("TxInfAndSts")?;
        original_ids(&mut x, &tx.original)?;
        x.leaf("TxSts", tx.status.as_str())?;
        reasons(&mut x, &tx.reasons)?;
        x.opt_agent("InstgAgt", tx.instructing_agent.as_ref())?;
        x.opt_agent("InstdAgt", tx.instructed_agent.as_ref())?;
        x.close("TxInfAndSts")?;
    }
    x.close("FIToFIPmtStsRpt")?;
    x.finish()
}

/// `OrgnlInstrId`, `OrgnlEndToEndId`, `OrgnlTxId`, `OrgnlUETR` in schema order.
pub(super) fn original_ids(x: &mut Xml, o: &OriginalRef) -> Result<(), EmitError> {
    let ids = [
        ("OrgnlInstrId", &o.instruction_id),
        ("OrgnlEndToEndId", &o.end_to_end_id),
        ("OrgnlTxId", &o.tx_id),
    ];
    for (name, value) in ids {
        if let Some(v) = value {
            check_id(name, v)?;
            x.leaf(name, v)?;
        }
    }
    if let Some(u) = &o.uetr {
        check_uetr(u)?;
        x.leaf("OrgnlUETR", u)?;
    }
    Ok(())
}

fn reasons(x: &mut Xml, reasons: &[StatusReason]) -> Result<(), EmitError> {
    for r in reasons {
        check_len("StsRsnInf/Rsn/Cd", &r.code, 4)?;
        x.open("StsRsnInf")?;
        x.open("Rsn")?;
        x.leaf("Cd", &r.code)?;
        x.close("Rsn")?;
        if let Some(info) = &r.additional_info {
            x.leaf("AddtlInf", &truncate(info, 105))?;
        }
        x.close("StsRsnInf")?;
    }
    Ok(())
}

/// Cuts narrative text to the schema's limit (AddtlInf is Max105Text); empty becomes "-".
pub(super) fn truncate(text: &str, max: usize) -> String {
    let t: String = text.chars().take(max).collect();
    if t.trim().is_empty() {
        "-".to_owned()
    } else {
        t
    }
}

/// Emits a customer credit transfer as pacs.008.001.08 (the hub forwarding a payment).
pub fn pacs008(ct: &CreditTransfer) -> Result<Vec<u8>, EmitError> {
    if ct.kind != TransferKind::Customer {
        return Err(invalid(
            "kind",
            "only customer credit transfers are emitted as pacs.008",
        ));
    }
    if ct.transactions.is_empty() {
        return Err(invalid("CdtTrfTxInf", "no transactions"));
    }
    let g = &ct.group;
    check_id("MsgId", &g.msg_id)?;
    check_datetime("CreDtTm", &g.created)?;
    check_len("SttlmMtd", &g.settlement.method, 4)?;
    let mut x = Xml::document(PACS008_VERSION)?;
    x.open("FIToFICstmrCdtTrf")?;
    x.open("GrpHdr")?;
    x.leaf("MsgId", &g.msg_id)?;
    x.leaf("CreDtTm", &g.created)?;
    x.leaf("NbOfTxs", &ct.transactions.len().to_string())?;
    if let Some(d) = &g.settlement_date {
        check_date("IntrBkSttlmDt", d)?;
        x.leaf("IntrBkSttlmDt", d)?;
    }
    x.open("SttlmInf")?;
    x.leaf("SttlmMtd", &g.settlement.method)?;
    if let Some(cs) = &g.settlement.clearing_system {
        check_len("ClrSys/Cd", cs, 5)?;
        x.open("ClrSys")?;
        x.leaf("Cd", cs)?;
        x.close("ClrSys")?;
    }
    x.close("SttlmInf")?;
    x.opt_agent("InstgAgt", g.instructing_agent.as_ref())?;
    x.opt_agent("InstdAgt", g.instructed_agent.as_ref())?;
    x.close("GrpHdr")?;
    for tx in &ct.transactions {
        credit_transfer_tx(&mut x, tx)?;
    }
    x.close("FIToFICstmrCdtTrf")?;
    x.finish()
}

/// The elements of intermediary agents 1 to 3.
const INTERMEDIARY_AGENT_NAMES: [&str; 3] = ["IntrmyAgt1", "IntrmyAgt2", "IntrmyAgt3"];

fn credit_transfer_tx(x: &mut Xml, tx: &crate::model::CreditTransferTx) -> Result<(), EmitError> {
    let Some(charge_bearer) = tx.charge_bearer else {
        return Err(invalid("ChrgBr", "charge bearer is required in pacs.008"));
    };
    x.open("CdtTrfTxInf")?;
    x.open("PmtId")?;
    if let Some(i) = &tx.instruction_id {
        check_id("InstrId", i)?;
        x.leaf("InstrId", i)?;
    }
    check_id("EndToEndId", &tx.end_to_end_id)?;
    x.leaf("EndToEndId", &tx.end_to_end_id)?;
    if let Some(t) = &tx.tx_id {
        check_id("TxId", t)?;
        x.leaf("TxId", t)?;
    }
    if let Some(u) = &tx.uetr {
        check_uetr(u)?;
        x.leaf("UETR", u)?;
    }
    x.close("PmtId")?;
    x.amount("IntrBkSttlmAmt", &tx.amount)?;
    if let Some(d) = &tx.settlement_date {
        check_date("IntrBkSttlmDt", d)?;
        x.leaf("IntrBkSttlmDt", d)?;
    }
    if let Some(a) = &tx.instructed_amount {
        x.amount("InstdAmt", a)?;
    }
    if let Some(rate) = &tx.exchange_rate {
        // BaseOneRate: at most 11 digits, 10 of them after the point.
        let digits = rate.digits.to_string().len();
        if rate.scale > 10 || digits > 11 {
            return Err(invalid(
                "XchgRate",
                format!("{rate} exceeds 11 digits, 10 fractional"),
            ));
        }
        x.leaf("XchgRate", &rate.to_string())?;
    }
    x.leaf("ChrgBr", charge_bearer.as_str())?;
    x.opt_agent("InstgAgt", tx.instructing_agent.as_ref())?;
    x.opt_agent("InstdAgt", tx.instructed_agent.as_ref())?;
    if tx.intermediary_agents.len() > INTERMEDIARY_AGENT_NAMES.len() {
        return Err(invalid("IntrmyAgt", "at most three intermediary agents"));
    }
    for (name, agent) in INTERMEDIARY_AGENT_NAMES.iter().zip(&tx.intermediary_agents) {
        x.agent(name, agent)?;
    }
    if let Some(p) = &tx.ultimate_debtor {
        x.party("UltmtDbtr", p)?;
    }
    if let Some(p) = &tx.initiating_party {
        x.party("InitgPty", p)?;
    }
    x.party("Dbtr", &tx.debtor)?;
    if let Some(a) = &tx.debtor_account {
        x.account("DbtrAcct", a)?;
    }
    let (Some(debtor_agent), Some(creditor_agent)) = (&tx.debtor_agent, &tx.creditor_agent) else {
        return Err(invalid(
            "DbtrAgt/CdtrAgt",
            "both agents are required in pacs.008",
        ));
    };
    x.agent("DbtrAgt", debtor_agent)?;
    x.agent("CdtrAgt", creditor_agent)?;
    x.party("Cdtr", &tx.creditor)?;
    if let Some(a) = &tx.creditor_account {
        x.account("CdtrAcct", a)?;
    }
    if let Some(p) = &tx.ultimate_creditor {
        x.party("UltmtCdtr", p)?;
    }
    for instruction in &tx.instructions_for_next_agent {
        check_len("InstrForNxtAgt/InstrInf", instruction, 140)?;
        x.open("InstrForNxtAgt")?;
        x.leaf("InstrInf", instruction)?;
        x.close("InstrForNxtAgt")?;
    }
    if !tx.remittance.is_empty() || !tx.remittance_structured.is_empty() {
        x.open("RmtInf")?;
        for line in &tx.remittance {
            check_len("Ustrd", line, 140)?;
            x.leaf("Ustrd", line)?;
        }
        // Structured texts travel as additional remittance information: their original
        // structure is not kept, their words are (they were screened as sent).
        for text in &tx.remittance_structured {
            check_len("Strd/AddtlRmtInf", text, 140)?;
            x.open("Strd")?;
            x.leaf("AddtlRmtInf", text)?;
            x.close("Strd")?;
        }
        x.close("RmtInf")?;
    }
    x.close("CdtTrfTxInf")
}
