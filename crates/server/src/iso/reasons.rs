//! Reason codes between the hub and ISO 20022: hub refusals and payment reasons become
//! ExternalStatusReason1Codes for pacs.002; a creditor's `RJCT` or return reason becomes a hub
//! [`Reason`].

use hub::{HubError, Reason};
use iso20022::emit::StatusReason;

use crate::error::ApiError;
use crate::error::Code;

pub use crate::refusal::NARR;

/// A status reason with `text` as additional information.
pub fn with_text(code: &str, text: impl Into<String>) -> StatusReason {
    StatusReason {
        code: code.to_owned(),
        additional_info: Some(text.into()),
    }
}

/// The reason for a refused request or command: its code's row in [`crate::refusal`].
pub fn for_api_error(error: &ApiError, context: &str) -> StatusReason {
    let body = error.body();
    let field = body.field.map(|f| format!(" ({f})")).unwrap_or_default();
    with_text(
        error.refusal().iso_reason_or_narr(),
        format!("{context}{}: {}{field}", body.code, body.message),
    )
}

/// The reason for a hub refusal of a command.
pub fn for_hub_error(error: &HubError, context: &str) -> StatusReason {
    let code = Code::of_hub(error);
    with_text(
        code.iso_reason_or_narr(),
        format!("{context}{}: {error}", error.code()),
    )
}

/// The reason recorded on a payment that did not succeed (or was returned).
pub fn for_reason(reason: Reason) -> StatusReason {
    with_text(reason.iso_code().unwrap_or(NARR), reason.code())
}

/// ISO codes a creditor may give when rejecting or returning, and the hub reason each means.
const PARTICIPANT_CODES: &[(&str, Reason)] = &[
    ("AC01", Reason::IncorrectAccountNumber),
    ("AC03", Reason::IncorrectAccountNumber),
    ("AC04", Reason::ClosedAccountNumber),
    ("AC06", Reason::BlockedAccount),
    ("AG01", Reason::TransactionForbidden),
    ("RC07", Reason::InvalidCreditorName),
    ("BE06", Reason::InvalidCreditorName),
    ("AM05", Reason::DuplicatePayment),
    ("DUPL", Reason::DuplicatePayment),
    ("CUST", Reason::RequestedByCustomer),
    ("FOCR", Reason::RequestedByCustomer),
    ("MS02", Reason::NotSpecifiedCustomer),
    ("MS03", Reason::NotSpecifiedAgent),
];

/// The hub reason for a creditor's ISO code. Codes with no hub counterpart, and codes only the
/// hub may assign (AM04, AB05, RR04 ...), become `NotSpecifiedAgent` (MS03): the decision
/// stands, the narrative is not kept.
pub fn from_iso(code: Option<&str>) -> Reason {
    code.and_then(|c| PARTICIPANT_CODES.iter().find(|(iso, _)| *iso == c))
        .map_or(Reason::NotSpecifiedAgent, |(_, reason)| *reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_refusals_become_iso_codes() {
        let table = [
            (HubError::InsufficientFunds, "AM04"),
            (HubError::DuplicatePaymentIdDifferentContent, "DUPL"),
            (HubError::CurrencyNotAccepted, "AM03"),
            (HubError::ForbiddenNotCreditor, "AG01"),
            (HubError::PaymentNotReserved, "NARR"),
        ];
        for (error, code) in table {
            assert_eq!(for_hub_error(&error, "").code, code, "{error:?}");
        }
        let decimals = ApiError::invalid(Code::AmountTooManyDecimals, "amount", "3 decimals");
        assert_eq!(for_api_error(&decimals, "tx 1: ").code, "AM12");
        // A hub refusal reaches a pacs.002 with the same reason on either path.
        let hub = crate::error::hub_error(HubError::DuplicatePaymentIdDifferentContent);
        assert_eq!(for_api_error(&hub, "").code, "DUPL");
    }

    #[test]
    fn creditor_codes_become_hub_reasons() {
        assert_eq!(from_iso(Some("AC04")), Reason::ClosedAccountNumber);
        assert_eq!(from_iso(Some("AM04")), Reason::NotSpecifiedAgent);
        assert_eq!(from_iso(None), Reason::NotSpecifiedAgent);
        for (_, reason) in PARTICIPANT_CODES {
            assert!(reason.participant_may_give(), "{reason:?}");
        }
        assert_eq!(for_reason(Reason::SanctionsHit).code, "RR04");
    }
}
