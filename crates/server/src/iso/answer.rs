//! Building the hub's XML answers: message ids, timestamps, pacs.002 for refused messages, the
//! status of a payment as ISO sees it, and the HTTP response around the XML.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use hub::state::Payment;
use hub::{PaymentStatus, Reason};
use iso20022::Rejection;
use iso20022::emit::{self, EmitError, StatusReason, StatusReportOut};
use iso20022::model::{OriginalRef, TxStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use super::reasons::{self, NARR};
use crate::error::ApiError;
use crate::error::Code;

/// A fresh message id: `KLR` and 32 hex digits (35 characters, the ISO maximum).
pub fn msg_id() -> String {
    format!("KLR{}", Uuid::new_v4().simple())
}

/// The current time as an ISO `CreDtTm`.
pub fn now() -> Result<String, ApiError> {
    emit::iso_datetime(OffsetDateTime::now_utc()).map_err(emit_failed)
}

/// An emitter refusing the hub's own output is a bug: log it, answer 500.
pub fn emit_failed(error: EmitError) -> ApiError {
    tracing::error!(%error, "emitting an ISO 20022 answer failed");
    ApiError::Internal
}

/// 200 with an XML body.
pub fn xml(bytes: Result<Vec<u8>, EmitError>) -> Result<Response, ApiError> {
    let bytes = bytes.map_err(emit_failed)?;
    Ok((
        StatusCode::OK,
        [(CONTENT_TYPE, "application/xml; charset=utf-8")],
        bytes,
    )
        .into_response())
}

/// The answer to a message the reader refused: pacs.002 RJCT with every violation, or 400
/// `iso20022_unreadable` when the message cannot be referenced in ISO form.
pub fn refused(rejection: &Rejection) -> Result<Response, ApiError> {
    if let Some(report) = StatusReportOut::rejecting(rejection, msg_id(), now()?) {
        return xml(emit::pacs002(&report));
    }
    let summary: Vec<String> = rejection
        .violations
        .iter()
        .take(5)
        .map(ToString::to_string)
        .collect();
    Err(ApiError::refused(
        Code::Iso20022Unreadable,
        summary.join("; "),
    ))
}

/// A pacs.002 answering message `original_msg_id` (of version `version`).
pub struct Report {
    out: StatusReportOut,
}

impl Report {
    pub fn new(
        original_msg_id: &str,
        version: &str,
        original_created: Option<&str>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            out: StatusReportOut {
                msg_id: msg_id(),
                created: now()?,
                original_msg_id: original_msg_id.to_owned(),
                original_msg_name_id: version.to_owned(),
                original_created: original_created.map(str::to_owned),
                group_status: None,
                group_reasons: Vec::new(),
                transactions: Vec::new(),
            },
        })
    }

    /// The whole message is refused with `reason`; nothing was applied.
    pub fn reject_all(mut self, reason: StatusReason) -> Result<Response, ApiError> {
        self.out.group_status = Some(TxStatus::RJCT);
        self.out.group_reasons = vec![reason];
        self.out.transactions.clear();
        self.finish()
    }

    pub fn tx(&mut self, original: OriginalRef, status: TxStatus, reasons: Vec<StatusReason>) {
        self.out.transactions.push(emit::TxStatusOut {
            original,
            status,
            reasons,
            instructing_agent: None,
            instructed_agent: None,
        });
    }

    /// Group status: the transactions' common status; `PART` when some but not all were
    /// rejected; none otherwise (each transaction says its own).
    pub fn finish(mut self) -> Result<Response, ApiError> {
        let txs = &self.out.transactions;
        if let Some(first) = txs.first()
            && self.out.group_status.is_none()
        {
            let rejected = txs.iter().filter(|t| t.status == TxStatus::RJCT).count();
            self.out.group_status = if txs.iter().all(|t| t.status == first.status) {
                Some(first.status)
            } else if rejected > 0 {
                Some(TxStatus::PART)
            } else {
                None
            };
        }
        xml(emit::pacs002(&self.out))
    }
}

/// How ISO reports a payment's state: held (or queued for liquidity) `PDNG`, reserved `ACSP`, committed `ACSC`,
/// returned `ACSC` with a narrative naming the return, rejected or expired `RJCT` with the
/// reason.
pub fn payment_status(payment: &Payment) -> (TxStatus, Vec<StatusReason>) {
    if payment.status == PaymentStatus::Returned {
        let by = payment
            .returned_by
            .map(|id| id.to_string())
            .unwrap_or_default();
        let text = format!("settled, then returned by payment {by}");
        return (TxStatus::ACSC, vec![reasons::with_text(NARR, text)]);
    }
    status_of(payment.status, payment.reason)
}

/// The ISO status for a hub payment status and reason (see [`payment_status`]).
pub fn status_of(status: PaymentStatus, reason: Option<Reason>) -> (TxStatus, Vec<StatusReason>) {
    match status {
        PaymentStatus::Reserved => (TxStatus::ACSP, Vec::new()),
        PaymentStatus::Committed | PaymentStatus::Returned => (TxStatus::ACSC, Vec::new()),
        PaymentStatus::Rejected | PaymentStatus::Expired => {
            let reason = reason.map_or_else(
                || reasons::with_text(NARR, status.code()),
                reasons::for_reason,
            );
            (TxStatus::RJCT, vec![reason])
        }
        // Held for compliance, or waiting for liquidity: not decided yet.
        _ => (TxStatus::PDNG, Vec::new()),
    }
}

/// The references by which a payment is reported: its end-to-end id, and its id as UETR when
/// it has the UUID v4 form ISO requires.
pub fn payment_refs(payment: &Payment) -> OriginalRef {
    let id = payment.id().to_string();
    OriginalRef {
        end_to_end_id: Some(payment.instruction.end_to_end_id.clone()),
        uetr: iso20022::rules::is_uuid_v4(&id).then_some(id),
        ..OriginalRef::default()
    }
}
