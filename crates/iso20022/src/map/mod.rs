//! Mapping from a located ISO `Document` to the version-neutral models. One mapping per
//! business message reads every supported version: element names that stayed stable across
//! versions are read directly, and the few that moved are read from both places.

mod common;
mod credit_transfer;
mod exceptions;
mod trade;

use crate::catalog::MessageType;
use crate::dom::El;
use crate::model::{Message, TransferKind};
use crate::report::Violation;
use crate::trade::TradeMessage;
use common::Ctx;
pub(crate) use common::institution;

/// Maps the message root element (the child of `Document`). Returns the model (if the hub
/// consumes this type and it could be built) and the structural violations found.
pub fn map(ty: MessageType, root: El<'_>) -> (Option<Message>, Vec<Violation>) {
    let mut ctx = Ctx::new();
    let message = match ty {
        MessageType::Pacs008 => credit_transfer::map(&mut ctx, root, TransferKind::Customer)
            .map(Message::CreditTransfer),
        MessageType::Pacs009 => credit_transfer::map(&mut ctx, root, TransferKind::Institution)
            .map(Message::CreditTransfer),
        MessageType::Pacs004 => {
            exceptions::payment_return(&mut ctx, root).map(Message::PaymentReturn)
        }
        MessageType::Camt056 => {
            exceptions::cancellation_request(&mut ctx, root).map(Message::CancellationRequest)
        }
        MessageType::Pacs028 => {
            exceptions::status_request(&mut ctx, root).map(Message::StatusRequest)
        }
        MessageType::Pacs002 => {
            exceptions::status_report(&mut ctx, root).map(Message::StatusReport)
        }
        MessageType::Camt029 => {
            let asg = ctx.req(root, "Assgnmt");
            if let Some(asg) = asg {
                ctx.req(asg, "Id");
                ctx.req(asg, "CreDtTm");
            }
            None
        }
        // The trade messages' model is `trade::parse`'s; here they are only validated.
        MessageType::Tsmt009
        | MessageType::Tsmt014
        | MessageType::Tsmt019
        | MessageType::Tsmt020
        | MessageType::Tsmt022 => {
            trade::map(&mut ctx, ty, root);
            None
        }
        MessageType::Tsmt010 | MessageType::Tsmt011 | MessageType::Tsmt013 => {
            trade::produced(&mut ctx, root, "RptId");
            None
        }
        MessageType::Tsmt021 => {
            trade::produced(&mut ctx, root, "NtfctnId");
            None
        }
        MessageType::Camt052
        | MessageType::Camt053
        | MessageType::Camt054
        | MessageType::Pain001
        | MessageType::Pain002 => {
            if let Some(grp) = ctx.req(root, "GrpHdr") {
                ctx.req(grp, "MsgId");
                ctx.req(grp, "CreDtTm");
            }
            None
        }
    };
    (message, ctx.violations)
}

/// Maps a consumed trade message (tsmt.019/.009/.014/.020/.022) into its model; `None` for any
/// other type. The violations are the mapping's structural ones.
pub fn trade_message(ty: MessageType, root: El<'_>) -> (Option<TradeMessage>, Vec<Violation>) {
    let mut ctx = Ctx::new();
    let message = trade::map(&mut ctx, ty, root);
    (message, ctx.violations)
}
