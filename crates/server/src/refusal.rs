//! The one refusal vocabulary: every code a client can be refused with, defined once with its
//! HTTP status and its ISO 20022 status reason (ExternalStatusReason1Code), and every table the
//! edge needs derived from it.
//!
//! Hub refusals keep their code and field where the hub defines them (`HubError::code`,
//! `HubError::field`: the hub cannot know HTTP); [`Code::of_hub`] gives each exactly one row here
//! (an exhaustive match, so a new hub error does not compile until it has one). Edge refusals
//! (validation, authentication, the ISO 20022 transport) are rows of their own. A code whose row
//! has no ISO reason becomes `NARR` in a pacs.002, with the message as its text.

use axum::http::StatusCode;
use hub::HubError;

/// Narrative reason (ISO `NARR`): the text says it all.
pub const NARR: &str = "NARR";

macro_rules! vocabulary {
    ($( $variant:ident => $code:literal, $status:ident, $iso:expr; )*) => {
        /// A refusal code (its `as_str` is the `code` of the JSON error body).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $( #[doc = $code] $variant, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$( Code::$variant, )*];

            /// The stable snake_case code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $code, )*
                }
            }

            /// The HTTP status of a request refused with this code.
            pub fn status(self) -> StatusCode {
                match self {
                    $( Code::$variant => StatusCode::$status, )*
                }
            }

            /// The ISO 20022 status reason, where one fits.
            pub fn iso_reason(self) -> Option<&'static str> {
                match self {
                    $( Code::$variant => $iso, )*
                }
            }
        }
    };
}

vocabulary! {
    // --- refusals of the hub (code and field defined by `HubError`) ---
    ForbiddenOperatorOnly => "forbidden_operator_only", FORBIDDEN, Some("AG01");
    ForbiddenNotDebtor => "forbidden_not_debtor", FORBIDDEN, Some("AG01");
    ForbiddenNotCreditor => "forbidden_not_creditor", FORBIDDEN, Some("AG01");
    ForbiddenNotComplianceOfficer => "forbidden_not_compliance_officer", FORBIDDEN, None;
    ForbiddenNotOwnParticipant => "forbidden_not_own_participant", FORBIDDEN, None;
    ForbiddenNotFxProvider => "forbidden_not_fx_provider", FORBIDDEN, None;
    ForbiddenNotParticipantRole => "forbidden_not_participant_role", FORBIDDEN, None;
    InvalidBic => "invalid_bic", UNPROCESSABLE_ENTITY, Some("RC01");
    InvalidCountryCode => "invalid_country_code", UNPROCESSABLE_ENTITY, Some("FF02");
    InvalidCurrencyCode => "invalid_currency_code", UNPROCESSABLE_ENTITY, Some("AM03");
    InvalidExponent => "invalid_exponent", UNPROCESSABLE_ENTITY, None;
    InvalidText => "invalid_text", UNPROCESSABLE_ENTITY, Some("FF02");
    InvalidOfficerName => "invalid_officer_name", UNPROCESSABLE_ENTITY, None;
    AmountMustNotBeZero => "amount_must_not_be_zero", UNPROCESSABLE_ENTITY, Some("AM01");
    AmountOverflow => "amount_overflow", UNPROCESSABLE_ENTITY, Some("AM12");
    ParticipantsMustDiffer => "participants_must_differ", UNPROCESSABLE_ENTITY, Some("AG01");
    NoRoles => "no_roles", UNPROCESSABLE_ENTITY, None;
    InvalidScreeningVerdict => "invalid_screening_verdict", UNPROCESSABLE_ENTITY, None;
    NoUnListLoaded => "no_un_list_loaded", UNPROCESSABLE_ENTITY, Some("RR04");
    ExpiryInPast => "expiry_in_past", UNPROCESSABLE_ENTITY, Some("AB05");
    ExpiryTooFar => "expiry_too_far", UNPROCESSABLE_ENTITY, None;
    CurrencyExists => "currency_exists", CONFLICT, None;
    CurrencyNotAccepted => "currency_not_accepted", UNPROCESSABLE_ENTITY, Some("AM03");
    TooManyCurrencies => "too_many_currencies", UNPROCESSABLE_ENTITY, None;
    TooManyParticipants => "too_many_participants", UNPROCESSABLE_ENTITY, None;
    TooManyCredentials => "too_many_credentials", UNPROCESSABLE_ENTITY, None;
    BicAlreadyAdmitted => "bic_already_admitted", CONFLICT, None;
    ParticipantNotFound => "participant_not_found", NOT_FOUND, None;
    DebtorParticipantNotFound => "debtor_participant_not_found", UNPROCESSABLE_ENTITY, Some("RC01");
    CreditorParticipantNotFound => "creditor_participant_not_found", UNPROCESSABLE_ENTITY, Some("RC04");
    ParticipantSuspended => "participant_suspended", UNPROCESSABLE_ENTITY, Some("AG01");
    DebtorParticipantSuspended => "debtor_participant_suspended", UNPROCESSABLE_ENTITY, Some("AG01");
    CreditorParticipantSuspended => "creditor_participant_suspended", UNPROCESSABLE_ENTITY, Some("AG01");
    ParticipantAlreadyActive => "participant_already_active", CONFLICT, None;
    ParticipantAlreadySuspended => "participant_already_suspended", CONFLICT, None;
    CredentialExists => "credential_exists", CONFLICT, None;
    CredentialNotFound => "credential_not_found", NOT_FOUND, None;
    CredentialAlreadyRevoked => "credential_already_revoked", CONFLICT, None;
    InsufficientLiquidity => "insufficient_liquidity", UNPROCESSABLE_ENTITY, Some("AM04");
    PaymentNotFound => "payment_not_found", NOT_FOUND, None;
    DuplicatePaymentIdDifferentContent => "duplicate_payment_id_different_content", CONFLICT, Some("DUPL");
    InsufficientFunds => "insufficient_funds", UNPROCESSABLE_ENTITY, Some("AM04");
    PaymentNotReserved => "payment_not_reserved", CONFLICT, None;
    PaymentExpired => "payment_expired", CONFLICT, Some("AB05");
    PaymentNotCommitted => "payment_not_committed", CONFLICT, None;
    PaymentAlreadyReturned => "payment_already_returned", CONFLICT, None;
    ReturnOfReturn => "return_of_return", UNPROCESSABLE_ENTITY, None;
    ReasonNotAllowed => "reason_not_allowed", UNPROCESSABLE_ENTITY, None;
    QuoteNotFound => "quote_not_found", UNPROCESSABLE_ENTITY, None;
    PaymentNotCancellable => "payment_not_cancellable", CONFLICT, None;
    PaymentNotHeld => "payment_not_held", CONFLICT, None;
    HoldNotReviewed => "hold_not_reviewed", CONFLICT, None;
    HoldAlreadyReviewed => "hold_already_reviewed", CONFLICT, None;
    FourEyesSameOfficer => "four_eyes_same_officer", CONFLICT, None;
    InvalidRate => "invalid_rate", UNPROCESSABLE_ENTITY, None;
    InvalidSpread => "invalid_spread", UNPROCESSABLE_ENTITY, None;
    CurrenciesMustDiffer => "currencies_must_differ", UNPROCESSABLE_ENTITY, None;
    RateNotPublished => "rate_not_published", UNPROCESSABLE_ENTITY, None;
    QuoteExists => "quote_exists", CONFLICT, None;
    QuoteExpired => "quote_expired", UNPROCESSABLE_ENTITY, None;
    QuoteAlreadyUsed => "quote_already_used", CONFLICT, None;
    QuoteMismatch => "quote_mismatch", UNPROCESSABLE_ENTITY, None;
    FxProviderUnavailable => "fx_provider_unavailable", UNPROCESSABLE_ENTITY, None;
    FxProviderInsufficientFunds => "fx_provider_insufficient_funds", UNPROCESSABLE_ENTITY, Some("AM04");
    ConvertedAmountZero => "converted_amount_zero", UNPROCESSABLE_ENTITY, None;
    CurrencyNotDeferredNet => "currency_not_deferred_net", UNPROCESSABLE_ENTITY, None;
    WindowAwaitingSettlement => "window_awaiting_settlement", CONFLICT, None;
    WindowNotFound => "window_not_found", NOT_FOUND, None;
    CurrencyNotGross => "currency_not_gross", UNPROCESSABLE_ENTITY, None;
    LiquidityQueueFull => "liquidity_queue_full", UNPROCESSABLE_ENTITY, None;
    WindowNotClosed => "window_not_closed", CONFLICT, None;
    NettingFailed => "netting_failed", INTERNAL_SERVER_ERROR, None;
    LedgerRejected => "ledger_rejected", INTERNAL_SERVER_ERROR, None;
    DuplicateMessageId => "duplicate_message_id", CONFLICT, Some("DU01");
    ForbiddenNotParticipant => "forbidden_not_participant", FORBIDDEN, None;
    NestedMessage => "nested_message", UNPROCESSABLE_ENTITY, None;
    MessageTooLarge => "message_too_large", UNPROCESSABLE_ENTITY, None;
    CredentialNotOfActor => "credential_not_of_actor", UNPROCESSABLE_ENTITY, None;
    TooManyListOverrides => "too_many_list_overrides", UNPROCESSABLE_ENTITY, None;
    SanctionWithoutHits => "sanction_without_hits", UNPROCESSABLE_ENTITY, None;
    FalsePositiveHitNotFound => "false_positive_hit_not_found", UNPROCESSABLE_ENTITY, None;
    FalsePositiveFieldNotAParty => "false_positive_field_not_a_party", UNPROCESSABLE_ENTITY, None;
    FalsePositiveNotFound => "false_positive_not_found", NOT_FOUND, None;
    FalsePositiveAlreadyConfirmed => "false_positive_already_confirmed", CONFLICT, None;
    FalsePositiveRevoked => "false_positive_revoked", CONFLICT, None;
    FalsePositiveNotApplicable => "false_positive_not_applicable", UNPROCESSABLE_ENTITY, None;
    TooManyFalsePositives => "too_many_false_positives", UNPROCESSABLE_ENTITY, None;
    // trade finance
    TradeBaselineNotFound => "trade_baseline_not_found", NOT_FOUND, None;
    TradeBaselineExists => "trade_baseline_exists", CONFLICT, None;
    TradeForbiddenNotParty => "trade_forbidden_not_party", FORBIDDEN, None;
    TradeForbiddenNotCounterparty => "trade_forbidden_not_counterparty", FORBIDDEN, None;
    TradeForbiddenNotSellerBank => "trade_forbidden_not_seller_bank", FORBIDDEN, None;
    TradeForbiddenNotObligor => "trade_forbidden_not_obligor", FORBIDDEN, None;
    TradeLineCount => "trade_line_count", UNPROCESSABLE_ENTITY, None;
    TradeDuplicateLineId => "trade_duplicate_line_id", UNPROCESSABLE_ENTITY, None;
    TradeTotalMismatch => "trade_total_mismatch", UNPROCESSABLE_ENTITY, None;
    TradeShipmentRangeInvalid => "trade_shipment_range_invalid", UNPROCESSABLE_ENTITY, None;
    TradeObligationBanks => "trade_obligation_banks", UNPROCESSABLE_ENTITY, None;
    TradeDeadlineInvalid => "trade_deadline_invalid", UNPROCESSABLE_ENTITY, None;
    TradeBankSuspended => "trade_bank_suspended", UNPROCESSABLE_ENTITY, None;
    TradeScreeningHit => "trade_screening_hit", UNPROCESSABLE_ENTITY, None;
    TradeBaselineNotProposed => "trade_baseline_not_proposed", CONFLICT, None;
    TradeBaselineNotLive => "trade_baseline_not_live", CONFLICT, None;
    TradeAmendmentPending => "trade_amendment_pending", CONFLICT, None;
    TradeAmendmentNotFound => "trade_amendment_not_found", NOT_FOUND, None;
    TradeAmendmentInvalid => "trade_amendment_invalid", UNPROCESSABLE_ENTITY, None;
    TradeDataSetCount => "trade_data_set_count", UNPROCESSABLE_ENTITY, None;
    TradeCommercialDataSetMissing => "trade_commercial_data_set_missing", UNPROCESSABLE_ENTITY, None;
    TradeDataSetHashUsed => "trade_data_set_hash_used", CONFLICT, None;
    TradeSubmissionExists => "trade_submission_exists", CONFLICT, None;
    TradeSubmissionNotFound => "trade_submission_not_found", NOT_FOUND, None;
    TradeShipmentNotAwaitingDecision => "trade_shipment_not_awaiting_decision", CONFLICT, None;
    TradeReleaseExceedsObligation => "trade_release_exceeds_obligation", UNPROCESSABLE_ENTITY, None;
    TradeToleranceTooLarge => "trade_tolerance_too_large", UNPROCESSABLE_ENTITY, None;
    // --- refusals of the edge ---
    Unauthenticated => "unauthenticated", UNAUTHORIZED, None;
    TooManyFailedAuthentications => "too_many_failed_authentications", TOO_MANY_REQUESTS, None;
    ForbiddenOperatorOrAuditorOnly => "forbidden_operator_or_auditor_only", FORBIDDEN, None;
    ForbiddenDashboardParticipant => "forbidden_dashboard_participant", FORBIDDEN, None;
    MalformedJson => "malformed_json", BAD_REQUEST, None;
    UnknownField => "unknown_field", BAD_REQUEST, None;
    MissingField => "missing_field", BAD_REQUEST, None;
    InvalidField => "invalid_field", BAD_REQUEST, None;
    InvalidQuery => "invalid_query", BAD_REQUEST, None;
    InvalidPath => "invalid_path", BAD_REQUEST, None;
    BodyUnreadable => "body_unreadable", BAD_REQUEST, None;
    Iso20022Unreadable => "iso20022_unreadable", BAD_REQUEST, None;
    RouteNotFound => "route_not_found", NOT_FOUND, None;
    ActionNotFound => "action_not_found", NOT_FOUND, None;
    WebhookNotFound => "webhook_not_found", NOT_FOUND, None;
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED, None;
    OfficerNameConfusable => "officer_name_confusable", CONFLICT, None;
    PaymentNotForwarded => "payment_not_forwarded", CONFLICT, None;
    PaymentNotBooked => "payment_not_booked", CONFLICT, None;
    BodyTooLarge => "body_too_large", PAYLOAD_TOO_LARGE, None;
    TooManyItems => "too_many_items", PAYLOAD_TOO_LARGE, None;
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, None;
    UriTooLong => "uri_too_long", URI_TOO_LONG, None;
    HeadersTooLarge => "headers_too_large", REQUEST_HEADER_FIELDS_TOO_LARGE, None;
    AmountNegative => "amount_negative", UNPROCESSABLE_ENTITY, Some("AM12");
    AmountNotNumeric => "amount_not_numeric", UNPROCESSABLE_ENTITY, Some("AM12");
    AmountTooManyDecimals => "amount_too_many_decimals", UNPROCESSABLE_ENTITY, Some("AM12");
    AmountTooLarge => "amount_too_large", UNPROCESSABLE_ENTITY, Some("AM12");
    AmountNotPositive => "amount_not_positive", UNPROCESSABLE_ENTITY, Some("AM01");
    InvalidExpiry => "invalid_expiry", UNPROCESSABLE_ENTITY, None;
    NameUnreadable => "name_unreadable", UNPROCESSABLE_ENTITY, None;
    UnknownReasonCode => "unknown_reason_code", UNPROCESSABLE_ENTITY, None;
    CredentialFieldsMismatch => "credential_fields_mismatch", UNPROCESSABLE_ENTITY, None;
    InvalidThreshold => "invalid_threshold", UNPROCESSABLE_ENTITY, None;
    ListedEntryNotFound => "listed_entry_not_found", UNPROCESSABLE_ENTITY, None;
    InvalidUrl => "invalid_url", UNPROCESSABLE_ENTITY, None;
    WebhookTargetNotAllowed => "webhook_target_not_allowed", UNPROCESSABLE_ENTITY, None;
    ParticipantSanctioned => "participant_sanctioned", UNPROCESSABLE_ENTITY, None;
    UnListRefused => "un_list_refused", UNPROCESSABLE_ENTITY, None;
    InvalidPeriod => "invalid_period", UNPROCESSABLE_ENTITY, None;
    InvalidDatetime => "invalid_datetime", UNPROCESSABLE_ENTITY, None;
    ParticipantRequired => "participant_required", UNPROCESSABLE_ENTITY, None;
    CurrencyNotIso => "currency_not_iso", UNPROCESSABLE_ENTITY, None;
    Iso20022NotConsumed => "iso20022_not_consumed", UNPROCESSABLE_ENTITY, None;
    Internal => "internal", INTERNAL_SERVER_ERROR, None;
    Unavailable => "unavailable", SERVICE_UNAVAILABLE, None;
    NotLeader => "not_leader", SERVICE_UNAVAILABLE, None;
    Iso20022ParseBusy => "iso20022_parse_busy", SERVICE_UNAVAILABLE, None;
}

impl Code {
    /// The one row of a hub refusal.
    pub fn of_hub(error: &HubError) -> Code {
        match error {
            HubError::ForbiddenOperatorOnly => Code::ForbiddenOperatorOnly,
            HubError::ForbiddenNotDebtor => Code::ForbiddenNotDebtor,
            HubError::ForbiddenNotCreditor => Code::ForbiddenNotCreditor,
            HubError::ForbiddenNotComplianceOfficer => Code::ForbiddenNotComplianceOfficer,
            HubError::ForbiddenNotOwnParticipant => Code::ForbiddenNotOwnParticipant,
            HubError::ForbiddenNotFxProvider => Code::ForbiddenNotFxProvider,
            HubError::ForbiddenNotParticipantRole => Code::ForbiddenNotParticipantRole,
            HubError::InvalidBic => Code::InvalidBic,
            HubError::InvalidCountryCode => Code::InvalidCountryCode,
            HubError::InvalidCurrencyCode => Code::InvalidCurrencyCode,
            HubError::InvalidExponent => Code::InvalidExponent,
            HubError::InvalidText { .. } => Code::InvalidText,
            HubError::InvalidOfficerName => Code::InvalidOfficerName,
            HubError::AmountMustNotBeZero => Code::AmountMustNotBeZero,
            HubError::AmountOverflow => Code::AmountOverflow,
            HubError::ParticipantsMustDiffer => Code::ParticipantsMustDiffer,
            HubError::NoRoles => Code::NoRoles,
            HubError::InvalidScreeningVerdict => Code::InvalidScreeningVerdict,
            HubError::NoUnListLoaded => Code::NoUnListLoaded,
            HubError::ExpiryInPast => Code::ExpiryInPast,
            HubError::ExpiryTooFar => Code::ExpiryTooFar,
            HubError::CurrencyExists => Code::CurrencyExists,
            HubError::CurrencyNotAccepted => Code::CurrencyNotAccepted,
            HubError::TooManyCurrencies => Code::TooManyCurrencies,
            HubError::TooManyParticipants => Code::TooManyParticipants,
            HubError::TooManyCredentials => Code::TooManyCredentials,
            HubError::BicAlreadyAdmitted => Code::BicAlreadyAdmitted,
            HubError::ParticipantNotFound => Code::ParticipantNotFound,
            HubError::DebtorParticipantNotFound => Code::DebtorParticipantNotFound,
            HubError::CreditorParticipantNotFound => Code::CreditorParticipantNotFound,
            HubError::ParticipantSuspended => Code::ParticipantSuspended,
            HubError::DebtorParticipantSuspended => Code::DebtorParticipantSuspended,
            HubError::CreditorParticipantSuspended => Code::CreditorParticipantSuspended,
            HubError::ParticipantAlreadyActive => Code::ParticipantAlreadyActive,
            HubError::ParticipantAlreadySuspended => Code::ParticipantAlreadySuspended,
            HubError::CredentialExists => Code::CredentialExists,
            HubError::CredentialNotFound => Code::CredentialNotFound,
            HubError::CredentialAlreadyRevoked => Code::CredentialAlreadyRevoked,
            HubError::InsufficientLiquidity => Code::InsufficientLiquidity,
            HubError::PaymentNotFound => Code::PaymentNotFound,
            HubError::DuplicatePaymentIdDifferentContent => {
                Code::DuplicatePaymentIdDifferentContent
            }
            HubError::InsufficientFunds => Code::InsufficientFunds,
            HubError::PaymentNotReserved => Code::PaymentNotReserved,
            HubError::PaymentExpired => Code::PaymentExpired,
            HubError::PaymentNotCommitted => Code::PaymentNotCommitted,
            HubError::PaymentAlreadyReturned => Code::PaymentAlreadyReturned,
            HubError::ReturnOfReturn => Code::ReturnOfReturn,
            HubError::ReasonNotAllowed => Code::ReasonNotAllowed,
            HubError::QuoteNotFound => Code::QuoteNotFound,
            HubError::PaymentNotCancellable => Code::PaymentNotCancellable,
            HubError::PaymentNotHeld => Code::PaymentNotHeld,
            HubError::HoldNotReviewed => Code::HoldNotReviewed,
            HubError::HoldAlreadyReviewed => Code::HoldAlreadyReviewed,
            HubError::FourEyesSameOfficer => Code::FourEyesSameOfficer,
            HubError::InvalidRate => Code::InvalidRate,
            HubError::InvalidSpread => Code::InvalidSpread,
            HubError::CurrenciesMustDiffer => Code::CurrenciesMustDiffer,
            HubError::RateNotPublished => Code::RateNotPublished,
            HubError::QuoteExists => Code::QuoteExists,
            HubError::QuoteExpired => Code::QuoteExpired,
            HubError::QuoteAlreadyUsed => Code::QuoteAlreadyUsed,
            HubError::QuoteMismatch => Code::QuoteMismatch,
            HubError::FxProviderUnavailable => Code::FxProviderUnavailable,
            HubError::FxProviderInsufficientFunds => Code::FxProviderInsufficientFunds,
            HubError::ConvertedAmountZero => Code::ConvertedAmountZero,
            HubError::CurrencyNotDeferredNet => Code::CurrencyNotDeferredNet,
            HubError::WindowAwaitingSettlement => Code::WindowAwaitingSettlement,
            HubError::WindowNotFound => Code::WindowNotFound,
            HubError::CurrencyNotGross => Code::CurrencyNotGross,
            HubError::LiquidityQueueFull => Code::LiquidityQueueFull,
            HubError::WindowNotClosed => Code::WindowNotClosed,
            HubError::NettingFailed(_) => Code::NettingFailed,
            HubError::LedgerRejected(_) => Code::LedgerRejected,
            HubError::DuplicateMessageId => Code::DuplicateMessageId,
            HubError::ForbiddenNotParticipant => Code::ForbiddenNotParticipant,
            HubError::NestedMessage => Code::NestedMessage,
            HubError::MessageTooLarge => Code::MessageTooLarge,
            HubError::CredentialNotOfActor => Code::CredentialNotOfActor,
            HubError::TooManyListOverrides => Code::TooManyListOverrides,
            HubError::SanctionWithoutHits => Code::SanctionWithoutHits,
            HubError::FalsePositiveHitNotFound => Code::FalsePositiveHitNotFound,
            HubError::FalsePositiveFieldNotAParty => Code::FalsePositiveFieldNotAParty,
            HubError::FalsePositiveNotFound => Code::FalsePositiveNotFound,
            HubError::FalsePositiveAlreadyConfirmed => Code::FalsePositiveAlreadyConfirmed,
            HubError::FalsePositiveRevoked => Code::FalsePositiveRevoked,
            HubError::FalsePositiveNotApplicable => Code::FalsePositiveNotApplicable,
            HubError::TooManyFalsePositives => Code::TooManyFalsePositives,
            HubError::TradeBaselineNotFound => Code::TradeBaselineNotFound,
            HubError::TradeBaselineExists => Code::TradeBaselineExists,
            HubError::TradeForbiddenNotParty => Code::TradeForbiddenNotParty,
            HubError::TradeForbiddenNotCounterparty => Code::TradeForbiddenNotCounterparty,
            HubError::TradeForbiddenNotSellerBank => Code::TradeForbiddenNotSellerBank,
            HubError::TradeForbiddenNotObligor => Code::TradeForbiddenNotObligor,
            HubError::TradeLineCount => Code::TradeLineCount,
            HubError::TradeDuplicateLineId => Code::TradeDuplicateLineId,
            HubError::TradeTotalMismatch => Code::TradeTotalMismatch,
            HubError::TradeShipmentRangeInvalid => Code::TradeShipmentRangeInvalid,
            HubError::TradeObligationBanks => Code::TradeObligationBanks,
            HubError::TradeDeadlineInvalid => Code::TradeDeadlineInvalid,
            HubError::TradeBankSuspended => Code::TradeBankSuspended,
            HubError::TradeScreeningHit => Code::TradeScreeningHit,
            HubError::TradeBaselineNotProposed => Code::TradeBaselineNotProposed,
            HubError::TradeBaselineNotLive => Code::TradeBaselineNotLive,
            HubError::TradeAmendmentPending => Code::TradeAmendmentPending,
            HubError::TradeAmendmentNotFound => Code::TradeAmendmentNotFound,
            HubError::TradeAmendmentInvalid => Code::TradeAmendmentInvalid,
            HubError::TradeDataSetCount => Code::TradeDataSetCount,
            HubError::TradeCommercialDataSetMissing => Code::TradeCommercialDataSetMissing,
            HubError::TradeDataSetHashUsed => Code::TradeDataSetHashUsed,
            HubError::TradeSubmissionExists => Code::TradeSubmissionExists,
            HubError::TradeSubmissionNotFound => Code::TradeSubmissionNotFound,
            HubError::TradeShipmentNotAwaitingDecision => Code::TradeShipmentNotAwaitingDecision,
            HubError::TradeReleaseExceedsObligation => Code::TradeReleaseExceedsObligation,
            HubError::TradeToleranceTooLarge { .. } => Code::TradeToleranceTooLarge,
        }
    }

    /// The ISO reason of this code, `NARR` where none fits.
    pub fn iso_reason_or_narr(self) -> &'static str {
        self.iso_reason().unwrap_or(NARR)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every hub error, one per variant.
    fn every_hub_error() -> Vec<HubError> {
        use HubError::*;
        vec![
            ForbiddenOperatorOnly,
            ForbiddenNotDebtor,
            ForbiddenNotCreditor,
            ForbiddenNotComplianceOfficer,
            ForbiddenNotOwnParticipant,
            ForbiddenNotFxProvider,
            ForbiddenNotParticipantRole,
            InvalidBic,
            InvalidCountryCode,
            InvalidCurrencyCode,
            InvalidExponent,
            InvalidText {
                field: "name".into(),
            },
            InvalidOfficerName,
            AmountMustNotBeZero,
            AmountOverflow,
            ParticipantsMustDiffer,
            NoRoles,
            InvalidScreeningVerdict,
            NoUnListLoaded,
            ExpiryInPast,
            ExpiryTooFar,
            CurrencyExists,
            CurrencyNotAccepted,
            TooManyCurrencies,
            TooManyParticipants,
            TooManyCredentials,
            BicAlreadyAdmitted,
            ParticipantNotFound,
            DebtorParticipantNotFound,
            CreditorParticipantNotFound,
            ParticipantSuspended,
            DebtorParticipantSuspended,
            CreditorParticipantSuspended,
            ParticipantAlreadyActive,
            ParticipantAlreadySuspended,
            CredentialExists,
            CredentialNotFound,
            CredentialAlreadyRevoked,
            InsufficientLiquidity,
            PaymentNotFound,
            DuplicatePaymentIdDifferentContent,
            InsufficientFunds,
            PaymentNotReserved,
            PaymentExpired,
            PaymentNotCommitted,
            PaymentAlreadyReturned,
            ReturnOfReturn,
            ReasonNotAllowed,
            QuoteNotFound,
            PaymentNotCancellable,
            PaymentNotHeld,
            HoldNotReviewed,
            HoldAlreadyReviewed,
            FourEyesSameOfficer,
            InvalidRate,
            InvalidSpread,
            CurrenciesMustDiffer,
            RateNotPublished,
            QuoteExists,
            QuoteExpired,
            QuoteAlreadyUsed,
            QuoteMismatch,
            FxProviderUnavailable,
            FxProviderInsufficientFunds,
            ConvertedAmountZero,
            CurrencyNotDeferredNet,
            WindowAwaitingSettlement,
            WindowNotFound,
            CurrencyNotGross,
            LiquidityQueueFull,
            WindowNotClosed,
            NettingFailed("x".into()),
            LedgerRejected("x".into()),
            DuplicateMessageId,
            ForbiddenNotParticipant,
            NestedMessage,
            MessageTooLarge,
            CredentialNotOfActor,
            TooManyListOverrides,
            SanctionWithoutHits,
            FalsePositiveHitNotFound,
            FalsePositiveFieldNotAParty,
            FalsePositiveNotFound,
            FalsePositiveAlreadyConfirmed,
            FalsePositiveRevoked,
            FalsePositiveNotApplicable,
            TooManyFalsePositives,
            TradeBaselineNotFound,
            TradeBaselineExists,
            TradeForbiddenNotParty,
            TradeForbiddenNotCounterparty,
            TradeForbiddenNotSellerBank,
            TradeForbiddenNotObligor,
            TradeLineCount,
            TradeDuplicateLineId,
            TradeTotalMismatch,
            TradeShipmentRangeInvalid,
            TradeObligationBanks,
            TradeDeadlineInvalid,
            TradeBankSuspended,
            TradeScreeningHit,
            TradeBaselineNotProposed,
            TradeBaselineNotLive,
            TradeAmendmentPending,
            TradeAmendmentNotFound,
            TradeAmendmentInvalid,
            TradeDataSetCount,
            TradeCommercialDataSetMissing,
            TradeDataSetHashUsed,
            TradeSubmissionExists,
            TradeSubmissionNotFound,
            TradeShipmentNotAwaitingDecision,
            TradeReleaseExceedsObligation,
            TradeToleranceTooLarge {
                field: "tolerance".into(),
            },
        ]
    }

    #[test]
    fn every_hub_error_has_exactly_one_row_with_its_own_code() {
        let errors = every_hub_error();
        let mut rows = BTreeMap::new();
        for error in &errors {
            let code = Code::of_hub(error);
            assert_eq!(code.as_str(), error.code(), "{error:?}");
            assert!(
                rows.insert(code.as_str(), error.clone()).is_none(),
                "{code:?} twice"
            );
        }
        // The list above names every variant: `of_hub` is exhaustive and each variant has its
        // own code, so the rows reached are as many as the hub's codes.
        let hub_rows = Code::ALL
            .iter()
            .take_while(|c| **c != Code::Unauthenticated)
            .count();
        assert_eq!(rows.len(), hub_rows);
        assert_eq!(errors.len(), hub_rows);
    }

    #[test]
    fn codes_are_unique_and_iso_reasons_are_four_letters() {
        let mut seen = BTreeMap::new();
        for code in Code::ALL {
            assert!(
                seen.insert(code.as_str(), *code).is_none(),
                "{code:?} twice"
            );
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code:?}"
            );
            if let Some(iso) = code.iso_reason() {
                assert!(
                    iso.len() == 4 && iso.bytes().all(|b| b.is_ascii_alphanumeric()),
                    "{iso}"
                );
            }
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }

    #[test]
    fn one_reason_per_refusal() {
        let table = [
            (Code::InsufficientFunds, "AM04"),
            (Code::DuplicatePaymentIdDifferentContent, "DUPL"),
            (Code::DuplicateMessageId, "DU01"),
            (Code::CurrencyNotAccepted, "AM03"),
            (Code::ForbiddenNotCreditor, "AG01"),
            (Code::AmountTooManyDecimals, "AM12"),
            (Code::PaymentNotReserved, NARR),
        ];
        for (code, iso) in table {
            assert_eq!(code.iso_reason_or_narr(), iso, "{code:?}");
        }
        assert_eq!(
            Code::of_hub(&HubError::LedgerRejected("x".into())).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            Code::of_hub(&HubError::PaymentNotFound).status(),
            StatusCode::NOT_FOUND
        );
    }
}
