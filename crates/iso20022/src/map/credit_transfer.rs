//! pacs.008 (customer) and pacs.009 (institution) credit transfers → [`CreditTransfer`], with
//! the group-level consistency rules: NbOfTxs (AM18), CtrlSum and TtlIntrBkSttlmAmt (AM10).

use super::common::{Ctx, account, amount_of, opt, opt_agent, opt_amount, opt_decimal, party};
use crate::dom::El;
use crate::model::{ChargeBearer, CreditTransfer, CreditTransferTx, GroupHeader, TransferKind};
use crate::money::{Amount, Decimal};
use crate::report::{ReasonCode, Violation};

/// Maps the message root (`FIToFICstmrCdtTrf` / `FICdtTrf`).
pub fn map(ctx: &mut Ctx, root: El<'_>, kind: TransferKind) -> Option<CreditTransfer> {
    let grp = ctx.req(root, "GrpHdr")?;
    let group = GroupHeader {
        msg_id: ctx.req_text(grp, "MsgId"),
        created: ctx.req_text(grp, "CreDtTm"),
        nb_of_txs: ctx.req_count(grp, "NbOfTxs"),
        ctrl_sum: opt_decimal(grp, "CtrlSum"),
        total_amount: opt_amount(grp, "TtlIntrBkSttlmAmt"),
        settlement_date: opt(grp, "IntrBkSttlmDt"),
        settlement: ctx.settlement(grp),
        instructing_agent: opt_agent(grp, "InstgAgt"),
        instructed_agent: opt_agent(grp, "InstdAgt"),
    };
    let tx_elements: Vec<El<'_>> = root.children_named("CdtTrfTxInf").collect();
    if tx_elements.is_empty() {
        ctx.missing(root, "CdtTrfTxInf");
    }
    let transactions: Vec<CreditTransferTx> = tx_elements
        .iter()
        .filter_map(|tx| transaction(ctx, *tx, kind))
        .collect();
    check_totals(ctx, grp, &group, &tx_elements);
    let complete = transactions.len() == tx_elements.len();
    (ctx.violations.is_empty() && complete).then_some(CreditTransfer {
        kind,
        group,
        transactions,
    })
}

fn transaction(ctx: &mut Ctx, tx: El<'_>, kind: TransferKind) -> Option<CreditTransferTx> {
    let pmt_id = ctx.req(tx, "PmtId");
    let amount = ctx.req_amount(tx, "IntrBkSttlmAmt");
    let charge_bearer = match tx.child("ChrgBr") {
        Some(el) => {
            let parsed = ChargeBearer::parse(el.text().trim());
            if parsed.is_none() {
                ctx.rule(
                    "xsd.enumeration",
                    format!(
                        "ChrgBr '{}' is not DEBT, CRED, SHAR or SLEV",
                        el.text().trim()
                    ),
                    el.path(),
                );
            }
            parsed
        }
        None if kind == TransferKind::Customer => {
            ctx.missing(tx, "ChrgBr");
            None
        }
        None => None,
    };
    let debtor = ctx.req(tx, "Dbtr").map(party).unwrap_or_default();
    let (debtor_agent, creditor_agent) = match kind {
        TransferKind::Customer => (
            Some(ctx.req_agent(tx, "DbtrAgt")),
            Some(ctx.req_agent(tx, "CdtrAgt")),
        ),
        TransferKind::Institution => (opt_agent(tx, "DbtrAgt"), opt_agent(tx, "CdtrAgt")),
    };
    let creditor = ctx.req(tx, "Cdtr").map(party).unwrap_or_default();
    let instructed_amount = opt_amount(tx, "InstdAmt");
    let exchange_rate = exchange_rate(ctx, tx, amount.as_ref(), instructed_amount.as_ref());
    let pmt_id = pmt_id?;
    Some(CreditTransferTx {
        instruction_id: opt(pmt_id, "InstrId"),
        end_to_end_id: ctx.req_text(pmt_id, "EndToEndId"),
        uetr: opt(pmt_id, "UETR"),
        tx_id: opt(pmt_id, "TxId"),
        amount: amount?,
        settlement_date: opt(tx, "IntrBkSttlmDt"),
        instructed_amount,
        exchange_rate,
        charge_bearer,
        instructing_agent: opt_agent(tx, "InstgAgt"),
        instructed_agent: opt_agent(tx, "InstdAgt"),
        debtor,
        debtor_account: account(tx, "DbtrAcct"),
        debtor_agent,
        creditor_agent,
        creditor,
        creditor_account: account(tx, "CdtrAcct"),
        instructions_for_next_agent: tx
            .children_named("InstrForNxtAgt")
            .filter_map(|i| i.child("InstrInf"))
            .map(|i| i.text().trim().to_owned())
            .collect(),
        remittance: tx
            .child("RmtInf")
            .map(|r| {
                r.children_named("Ustrd")
                    .map(|u| u.text().trim().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        ultimate_debtor: tx.child("UltmtDbtr").map(party),
        initiating_party: tx.child("InitgPty").map(party),
        ultimate_creditor: tx.child("UltmtCdtr").map(party),
        intermediary_agents: ["IntrmyAgt1", "IntrmyAgt2", "IntrmyAgt3"]
            .iter()
            .filter_map(|name| opt_agent(tx, name))
            .collect(),
        remittance_structured: tx
            .child("RmtInf")
            .map(structured_remittance)
            .unwrap_or_default(),
        underlying_customer_transfer: tx.child("UndrlygCstmrCdtTrf").is_some(),
    })
}

/// Every non-empty text inside `RmtInf/Strd` (leaf elements only), in document order: any of
/// them may name a party, so all of them are screened.
fn structured_remittance(rmt_inf: El<'_>) -> Vec<String> {
    rmt_inf
        .children_named("Strd")
        .flat_map(|strd| strd.descendants())
        .filter(|el| !el.has_children())
        .map(|el| el.text().trim().to_owned())
        .filter(|text| !text.is_empty())
        .collect()
}

/// `XchgRate`, checked: a decimal, and present when `InstdAmt` is in another currency than
/// `IntrBkSttlmAmt` (the message definition's InstructedAmountAndExchangeRate1Rule).
fn exchange_rate(
    ctx: &mut Ctx,
    tx: El<'_>,
    settled: Option<&Amount>,
    instructed: Option<&Amount>,
) -> Option<Decimal> {
    let element = tx.child("XchgRate");
    let rate = match element {
        Some(el) => match Decimal::parse(el.text()) {
            Ok(rate) if rate.digits > 0 => Some(rate),
            _ => {
                let text = format!("XchgRate '{}' is not a positive decimal", el.text().trim());
                ctx.rule("xsd.decimal", text, el.path());
                None
            }
        },
        None => None,
    };
    if let (Some(settled), Some(instructed), None) = (settled, instructed, element)
        && settled.currency != instructed.currency
    {
        let text = format!(
            "InstdAmt in {} and IntrBkSttlmAmt in {}: XchgRate must be present",
            instructed.currency.as_str(),
            settled.currency.as_str()
        );
        ctx.rule("InstructedAmountAndExchangeRate1Rule", text, tx.path());
    }
    rate
}

/// NbOfTxs, CtrlSum and TtlIntrBkSttlmAmt must agree with the transactions.
fn check_totals(ctx: &mut Ctx, grp: El<'_>, group: &GroupHeader, txs: &[El<'_>]) {
    ctx.check_count(grp, txs.len());
    let amounts: Option<Vec<_>> = txs
        .iter()
        .map(|tx| tx.child("IntrBkSttlmAmt").and_then(amount_of))
        .collect();
    let Some(amounts) = amounts else {
        return; // Unparseable amounts were already reported.
    };
    if let (Some(ctrl), Some(el)) = (group.ctrl_sum, grp.child("CtrlSum")) {
        // CtrlSum adds the amounts as plain numbers, whatever their currency.
        let scale = amounts
            .iter()
            .map(|a| u32::from(a.currency.exponent()))
            .chain(std::iter::once(ctrl.scale))
            .max()
            .unwrap_or(0);
        let sum = amounts.iter().try_fold(0u128, |acc, a| {
            let factor = 10u128.checked_pow(scale - u32::from(a.currency.exponent()))?;
            acc.checked_add(a.minor_units.checked_mul(factor)?)
        });
        let declared = ctrl.rescale(scale).ok();
        if sum.is_none() || sum != declared {
            ctx.violations.push(Violation::new(
                ReasonCode::AM10,
                "group.ctrl_sum",
                format!("CtrlSum {ctrl} does not equal the sum of the transaction amounts"),
                el.path(),
            ));
        }
    }
    if let (Some(total), Some(el)) = (group.total_amount, grp.child("TtlIntrBkSttlmAmt")) {
        let same_currency = amounts.iter().all(|a| a.currency == total.currency);
        let sum = amounts
            .iter()
            .try_fold(0u128, |acc, a| acc.checked_add(a.minor_units));
        if !same_currency || sum != Some(total.minor_units) {
            ctx.violations.push(Violation::new(
                ReasonCode::AM10,
                "group.total_amount",
                format!(
                    "TtlIntrBkSttlmAmt {} {} does not equal the sum of the transaction amounts",
                    total.to_decimal_string(),
                    total.currency
                ),
                el.path(),
            ));
        }
    }
}
