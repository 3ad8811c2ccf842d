//! Exceptions and investigations: pacs.004 returns, camt.056 cancellation requests, pacs.028
//! status requests and pacs.002 status reports → their version-neutral models, with kliring's
//! required-for-processing rules.

use super::common::{Ctx, amount_of, opt, opt_agent, opt_amount, original_ref, reason};
use crate::dom::El;
use crate::model::{
    CancellationRequest, CancellationTx, GroupStatus, PaymentReturn, ReturnTx, StatusReport,
    StatusRequest, StatusRequestTx, TxStatus, TxStatusReport,
};

/// pacs.004 `PmtRtr`.
pub fn payment_return(ctx: &mut Ctx, root: El<'_>) -> Option<PaymentReturn> {
    let grp = ctx.req(root, "GrpHdr")?;
    let msg_id = ctx.req_text(grp, "MsgId");
    let created = ctx.req_text(grp, "CreDtTm");
    let nb_of_txs = ctx.req_count(grp, "NbOfTxs");
    let settlement = ctx.settlement(grp);
    let tx_elements: Vec<El<'_>> = root.children_named("TxInf").collect();
    if tx_elements.is_empty() {
        ctx.missing(root, "TxInf");
    }
    ctx.check_count(grp, tx_elements.len());
    let mut transactions = Vec::new();
    for tx in tx_elements {
        let returned = ctx.req(tx, "RtrdIntrBkSttlmAmt").and_then(amount_of);
        if let Some(returned_amount) = returned {
            transactions.push(ReturnTx {
                return_id: opt(tx, "RtrId"),
                original: original_ref(tx),
                original_amount: opt_amount(tx, "OrgnlIntrBkSttlmAmt"),
                returned_amount,
                settlement_date: opt(tx, "IntrBkSttlmDt"),
                reason: tx.child("RtrRsnInf").map(reason),
                instructing_agent: opt_agent(tx, "InstgAgt"),
                instructed_agent: opt_agent(tx, "InstdAgt"),
            });
        }
    }
    Some(PaymentReturn {
        msg_id,
        created,
        nb_of_txs,
        settlement,
        transactions,
    })
}

/// camt.056 `FIToFIPmtCxlReq`. `Case` sits at message level in .08 and per transaction in .11;
/// both places are read.
pub fn cancellation_request(ctx: &mut Ctx, root: El<'_>) -> Option<CancellationRequest> {
    let asg = ctx.req(root, "Assgnmt")?;
    let assignment_id = ctx.req_text(asg, "Id");
    let assigner = party_agent(ctx, asg, "Assgnr");
    let assignee = party_agent(ctx, asg, "Assgne");
    let created = ctx.req_text(asg, "CreDtTm");
    let case_id = root.at(&["Case", "Id"]).map(|e| e.text().trim().to_owned());
    let tx_elements: Vec<El<'_>> = root
        .children_named("Undrlyg")
        .flat_map(|u| u.children_named("TxInf"))
        .collect();
    if tx_elements.is_empty() {
        ctx.rule(
            "kliring.cxl.transaction",
            "a cancellation request must name at least one transaction (Undrlyg/TxInf)",
            format!("{}/Undrlyg/TxInf", root.path()),
        );
    }
    let mut transactions = Vec::new();
    for tx in tx_elements {
        let Some(rsn) = tx.child("CxlRsnInf") else {
            ctx.rule(
                "kliring.cxl.reason",
                "cancellation request without CxlRsnInf: the creditor participant needs the reason",
                format!("{}/CxlRsnInf", tx.path()),
            );
            continue;
        };
        transactions.push(CancellationTx {
            cancellation_id: opt(tx, "CxlId"),
            case_id: tx
                .at(&["Case", "Id"])
                .map(|e| e.text().trim().to_owned())
                .or_else(|| case_id.clone()),
            original: original_ref(tx),
            original_amount: opt_amount(tx, "OrgnlIntrBkSttlmAmt"),
            reason: reason(rsn),
        });
    }
    Some(CancellationRequest {
        assignment_id,
        assigner,
        assignee,
        created,
        case_id,
        transactions,
    })
}

fn party_agent(ctx: &mut Ctx, parent: El<'_>, name: &str) -> crate::model::Agent {
    let Some(el) = ctx.req(parent, name) else {
        return crate::model::Agent::default();
    };
    match el.child("Agt") {
        Some(agt) => ctx.agent(agt),
        None => {
            ctx.rule(
                "kliring.assignment.agent",
                format!("{name} must be an agent (Agt): only participants talk to the hub"),
                el.path(),
            );
            crate::model::Agent::default()
        }
    }
}

/// pacs.028 `FIToFIPmtStsReq`.
pub fn status_request(ctx: &mut Ctx, root: El<'_>) -> Option<StatusRequest> {
    let grp = ctx.req(root, "GrpHdr")?;
    let msg_id = ctx.req_text(grp, "MsgId");
    let created = ctx.req_text(grp, "CreDtTm");
    let group_level = root.child("OrgnlGrpInf");
    let tx_elements: Vec<El<'_>> = root.children_named("TxInf").collect();
    if tx_elements.is_empty() {
        ctx.missing(root, "TxInf");
    }
    let mut transactions = Vec::new();
    for tx in tx_elements {
        let mut original = original_ref(tx);
        if original.msg_id.is_none()
            && let Some(g) = group_level
        {
            original.msg_id = opt(g, "OrgnlMsgId");
            original.msg_name_id = opt(g, "OrgnlMsgNmId");
            original.created = opt(g, "OrgnlCreDtTm");
        }
        if original.msg_id.is_none() {
            // The answering pacs.002 must carry OrgnlGrpInf (OrgnlMsgId + OrgnlMsgNmId).
            ctx.rule(
                "kliring.sts_req.original_group",
                "status request without OrgnlGrpInf: the original message must be named",
                format!("{}/OrgnlGrpInf", tx.path()),
            );
            continue;
        }
        transactions.push(StatusRequestTx {
            status_request_id: opt(tx, "StsReqId"),
            original,
            instructing_agent: opt_agent(tx, "InstgAgt"),
            instructed_agent: opt_agent(tx, "InstdAgt"),
        });
    }
    Some(StatusRequest {
        msg_id,
        created,
        transactions,
    })
}

/// pacs.002 `FIToFIPmtStsRpt`.
pub fn status_report(ctx: &mut Ctx, root: El<'_>) -> Option<StatusReport> {
    let grp = ctx.req(root, "GrpHdr")?;
    let msg_id = ctx.req_text(grp, "MsgId");
    let created = ctx.req_text(grp, "CreDtTm");
    let mut groups = Vec::new();
    for g in root.children_named("OrgnlGrpInfAndSts") {
        let status = status_code(ctx, g, "GrpSts");
        let reasons: Vec<_> = g.children_named("StsRsnInf").map(reason).collect();
        groups.push(GroupStatus {
            original_msg_id: ctx.req_text(g, "OrgnlMsgId"),
            original_msg_name_id: ctx.req_text(g, "OrgnlMsgNmId"),
            status,
            reasons,
        });
    }
    let mut transactions = Vec::new();
    for tx in root.children_named("TxInfAndSts") {
        let status = status_code(ctx, tx, "TxSts");
        let reasons: Vec<_> = tx.children_named("StsRsnInf").map(reason).collect();
        transactions.push(TxStatusReport {
            original: original_ref(tx),
            status,
            reasons,
            instructing_agent: opt_agent(tx, "InstgAgt"),
            instructed_agent: opt_agent(tx, "InstdAgt"),
        });
    }
    if groups.is_empty() && transactions.is_empty() {
        ctx.rule(
            "kliring.sts_rpt.content",
            "status report with neither OrgnlGrpInfAndSts nor TxInfAndSts",
            root.path(),
        );
    }
    Some(StatusReport {
        msg_id,
        created,
        groups,
        transactions,
    })
}

fn status_code(ctx: &mut Ctx, parent: El<'_>, name: &str) -> Option<TxStatus> {
    let el = parent.child(name)?;
    let code = el.text().trim();
    let status = TxStatus::parse(code);
    if status.is_none() {
        ctx.rule(
            "iso.status_code",
            format!("{name} '{code}' is not an ISO payment status code"),
            el.path(),
        );
    }
    status
}
