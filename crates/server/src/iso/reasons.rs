//! Reason codes between the hub and ISO 20022: hub refusals and payment reasons become
//! ExternalStatusReason1Codes for pacs.002; a creditor's `RJCT` or return reason becomes a hub
//! [`Reason`].

use hub::{HubError, Reason};
use iso20022::emit::StatusReason;

use crate::error::ApiError;

/// ISO reasons for refusal codes of the hub and the edge (`ApiError::code`), where the hub's
/// own `iso_code` is missing or is not what a pacs.002 should say.
const REFUSAL_CODES: &[(&str, &str)] = &[
    ("duplicate_payment_id_different_content", "DUPL"),
    ("amount_too_many_decimals", "AM12"),
    ("amount_not_numeric", "AM12"),
    ("amount_too_large", "AM12"),
    ("amount_negative", "AM12"),
    ("amount_not_positive", "AM01"),
    ("amount_must_not_be_zero", "AM01"),
    ("amount_overflow", "AM12"),
    ("currency_not_accepted", "AM03"),
    ("invalid_currency_code", "AM03"),
    ("insufficient_funds", "AM04"),
    ("forbidden_not_debtor", "AG01"),
    ("forbidden_not_creditor", "AG01"),
    ("participants_must_differ", "AG01"),
    ("debtor_participant_not_found", "RC01"),
    ("creditor_participant_not_found", "RC04"),
    ("debtor_participant_suspended", "AG01"),
    ("creditor_participant_suspended", "AG01"),
    ("participant_suspended", "AG01"),
    ("no_un_list_loaded", "RR04"),
    ("payment_expired", "AB05"),
    ("invalid_text", "FF02"),
    ("invalid_country_code", "FF02"),
];

/// Narrative reason (ISO `NARR`): the text says it all.
pub const NARR: &str = "NARR";

fn refusal_code(code: &str) -> Option<&'static str> {
    REFUSAL_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, iso)| *iso)
}

/// A status reason with `text` as additional information.
pub fn with_text(code: &str, text: impl Into<String>) -> StatusReason {
    StatusReason {
        code: code.to_owned(),
        additional_info: Some(text.into()),
    }
}

/// The reason for an edge refusal (validation, screening, authorisation).
pub fn for_api_error(error: &ApiError, context: &str) -> StatusReason {
    let body = error.body();
    let code = refusal_code(&body.code).unwrap_or(NARR);
    let field = body.field.map(|f| format!(" ({f})")).unwrap_or_default();
    with_text(
        code,
        format!("{context}{}: {}{field}", body.code, body.message),
    )
}

/// The reason for a hub refusal of a command.
pub fn for_hub_error(error: &HubError, context: &str) -> StatusReason {
    let code = refusal_code(error.code())
        .or_else(|| error.iso_code())
        .unwrap_or(NARR);
    with_text(code, format!("{context}{}: {error}", error.code()))
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
        let decimals = ApiError::invalid("amount_too_many_decimals", "amount", "3 decimals");
        assert_eq!(for_api_error(&decimals, "tx 1: ").code, "AM12");
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
