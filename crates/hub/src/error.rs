//! Why a command was refused (`HubError`, nothing changed) and why a payment did not succeed
//! (`Reason`, recorded on the payment). Both have stable snake_case codes; the server's refusal
//! vocabulary (`server/src/refusal.rs`) gives each `HubError` its HTTP status and ISO reason.

use serde::{Deserialize, Serialize};

/// A refused command. A command that returns an error has changed nothing in the hub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum HubError {
    // --- authorization ---
    #[error("only the scheme operator may do this")]
    ForbiddenOperatorOnly,
    #[error("only the debtor participant may create this payment")]
    ForbiddenNotDebtor,
    #[error("only the creditor participant may accept, reject or return this payment")]
    ForbiddenNotCreditor,
    #[error("only a compliance officer may do this")]
    ForbiddenNotComplianceOfficer,
    /// Reading another participant's accounts or inbox: refused by the server's read paths
    /// (queries are not commands), with this shared code.
    #[error("only the participant itself or the operator may do this")]
    ForbiddenNotOwnParticipant,
    #[error("the participant does not have the FX provider role")]
    ForbiddenNotFxProvider,
    #[error("the participant does not have the participant role")]
    ForbiddenNotParticipantRole,

    // --- validation of values ---
    #[error(
        "invalid BIC: 4 letters bank, 2 letters country, 2 alphanumerics location, optional 3 alphanumerics branch"
    )]
    InvalidBic,
    #[error("invalid country code: expected ISO 3166 alpha-2 (two uppercase letters)")]
    InvalidCountryCode,
    #[error("invalid currency code: expected ISO 4217 (three uppercase letters)")]
    InvalidCurrencyCode,
    #[error("invalid currency exponent: at most 4 minor-unit digits")]
    InvalidExponent,
    #[error("invalid text in {field}: empty, too long, or containing control characters")]
    InvalidText { field: String },
    #[error("invalid compliance officer name")]
    InvalidOfficerName,
    #[error("amount must not be zero")]
    AmountMustNotBeZero,
    #[error("amount overflows the account's totals")]
    AmountOverflow,
    #[error("debtor and creditor participants must differ")]
    ParticipantsMustDiffer,
    #[error("a participant needs at least one role")]
    NoRoles,
    #[error("screening verdict is malformed (too many hits or lists, or a score above 1)")]
    InvalidScreeningVerdict,
    #[error(
        "no UN Security Council list loaded; import one with kliring lists import FILE \
         (the verdict names no UN list version)"
    )]
    NoUnListLoaded,
    #[error("expiry is not after the current time")]
    ExpiryInPast,
    #[error("expiry is further away than the scheme allows")]
    ExpiryTooFar,

    // --- scheme state ---
    #[error("currency already accepted by the scheme")]
    CurrencyExists,
    #[error("currency not accepted by the scheme")]
    CurrencyNotAccepted,
    #[error("the scheme accepts no more currencies")]
    TooManyCurrencies,
    #[error("the scheme admits no more participants")]
    TooManyParticipants,
    #[error("the hub holds no more credentials")]
    TooManyCredentials,
    #[error("a participant with this BIC is already admitted")]
    BicAlreadyAdmitted,
    #[error("participant not found")]
    ParticipantNotFound,
    #[error("debtor participant not found")]
    DebtorParticipantNotFound,
    #[error("creditor participant not found")]
    CreditorParticipantNotFound,
    #[error("participant is suspended")]
    ParticipantSuspended,
    #[error("debtor participant is suspended")]
    DebtorParticipantSuspended,
    #[error("creditor participant is suspended")]
    CreditorParticipantSuspended,
    #[error("participant is already active")]
    ParticipantAlreadyActive,
    #[error("participant is already suspended")]
    ParticipantAlreadySuspended,
    #[error("a credential with this token hash already exists")]
    CredentialExists,
    #[error("credential not found")]
    CredentialNotFound,
    #[error("credential already revoked")]
    CredentialAlreadyRevoked,
    #[error("insufficient pre-funded liquidity for this withdrawal")]
    InsufficientLiquidity,

    // --- payments ---
    #[error("payment not found")]
    PaymentNotFound,
    #[error("a payment with this id exists with different content")]
    DuplicatePaymentIdDifferentContent,
    #[error("insufficient funds: the reservation exceeds the net debit cap or liquidity")]
    InsufficientFunds,
    #[error("payment is not reserved (awaiting the creditor's decision)")]
    PaymentNotReserved,
    #[error("payment has expired")]
    PaymentExpired,
    #[error("payment is not committed")]
    PaymentNotCommitted,
    #[error("payment has already been returned")]
    PaymentAlreadyReturned,
    #[error("a return cannot itself be returned")]
    ReturnOfReturn,
    #[error("this reason code cannot be given by a creditor or returning participant")]
    ReasonNotAllowed,
    #[error("FX quote not found")]
    QuoteNotFound,
    #[error("payment can no longer be cancelled: already rejected, expired or returned")]
    PaymentNotCancellable,

    // --- compliance hold ---
    #[error("payment is not held for compliance")]
    PaymentNotHeld,
    #[error("held payment has not been reviewed yet")]
    HoldNotReviewed,
    #[error("held payment has already been reviewed")]
    HoldAlreadyReviewed,
    #[error("four eyes: the deciding officer must differ from the reviewing officer")]
    FourEyesSameOfficer,

    // --- FX ---
    #[error("invalid rate: a positive decimal with at most 12 decimals")]
    InvalidRate,
    #[error("invalid spread: at most 1000 basis points")]
    InvalidSpread,
    #[error("the two currencies must differ")]
    CurrenciesMustDiffer,
    #[error("the provider has published no rate for this currency pair")]
    RateNotPublished,
    #[error("a quote with this id exists")]
    QuoteExists,
    #[error("FX quote has expired")]
    QuoteExpired,
    #[error("FX quote has already been used")]
    QuoteAlreadyUsed,
    #[error("payment currency or amount differs from the quote's source")]
    QuoteMismatch,
    #[error("FX provider not found, suspended, or without the FX provider role")]
    FxProviderUnavailable,
    #[error("the FX provider's funds do not cover the target leg")]
    FxProviderInsufficientFunds,
    #[error("the amount converts to zero minor units")]
    ConvertedAmountZero,

    // --- settlement windows ---
    #[error("currency does not settle deferred net")]
    CurrencyNotDeferredNet,
    #[error("a closed window of this currency awaits settlement")]
    WindowAwaitingSettlement,
    #[error("settlement window not found")]
    WindowNotFound,
    #[error("currency does not settle gross")]
    CurrencyNotGross,
    #[error("the currency's liquidity queue is full")]
    LiquidityQueueFull,
    #[error("settlement window is not closed")]
    WindowNotClosed,
    #[error("netting failed: {0}")]
    NettingFailed(String),

    // --- internal ---
    #[error("the ledger refused an operation the hub considered valid: {0}")]
    LedgerRejected(String),

    // --- messages (appended: the variant order is stable) ---
    #[error("this sender already used the message id")]
    DuplicateMessageId,
    #[error("only a participant sends messages")]
    ForbiddenNotParticipant,
    #[error("a message cannot contain another message")]
    NestedMessage,
    #[error("a message carries more actions than the hub applies at once")]
    MessageTooLarge,
    #[error("the credential is not an active credential of the acting principal")]
    CredentialNotOfActor,
    #[error("too many list overrides recorded")]
    TooManyListOverrides,
    #[error("a participant sanction needs at least one screening hit")]
    SanctionWithoutHits,
    #[error("the payment's screening has no such hit on that field")]
    FalsePositiveHitNotFound,
    #[error(
        "a false positive concerns a party's name (debtor, creditor, ultimate parties, initiating party)"
    )]
    FalsePositiveFieldNotAParty,
    #[error("false positive not found")]
    FalsePositiveNotFound,
    #[error("the false positive is already confirmed")]
    FalsePositiveAlreadyConfirmed,
    #[error("the false positive was revoked")]
    FalsePositiveRevoked,
    #[error("a cleared hit is not covered by a false positive in force for this party and entry")]
    FalsePositiveNotApplicable,
    #[error("too many false positives recorded")]
    TooManyFalsePositives,

    // --- trade (appended) ---
    #[error("trade baseline not found")]
    TradeBaselineNotFound,
    #[error("a trade baseline with this id exists with different content")]
    TradeBaselineExists,
    #[error("only the buyer's or the seller's bank of the baseline may do this")]
    TradeForbiddenNotParty,
    #[error("the other bank of the baseline must answer this proposal")]
    TradeForbiddenNotCounterparty,
    #[error("only the seller's bank submits data sets")]
    TradeForbiddenNotSellerBank,
    #[error("only the obligor bank decides on mismatches")]
    TradeForbiddenNotObligor,
    #[error("a baseline or data set has no lines or too many")]
    TradeLineCount,
    #[error("a line id appears twice")]
    TradeDuplicateLineId,
    #[error("the baseline's total differs from the sum of its lines")]
    TradeTotalMismatch,
    #[error("the shipment date range ends before it starts")]
    TradeShipmentRangeInvalid,
    #[error("the obligor must be the buyer's bank and the recipient the seller's bank")]
    TradeObligationBanks,
    #[error("the latest match date is after the obligation's expiry")]
    TradeDeadlineInvalid,
    #[error("a bank of the baseline is suspended")]
    TradeBankSuspended,
    #[error("a party of the trade hit a sanctions list")]
    TradeScreeningHit,
    #[error("the baseline is not awaiting acceptance")]
    TradeBaselineNotProposed,
    #[error("the baseline is not established or active (proposed, completed or closed)")]
    TradeBaselineNotLive,
    #[error("an amendment of this baseline already awaits an answer")]
    TradeAmendmentPending,
    #[error("no amendment of this baseline awaits an answer")]
    TradeAmendmentNotFound,
    #[error(
        "an amendment keeps the banks, the currency, every shipped line and at least the released amount"
    )]
    TradeAmendmentInvalid,
    #[error("a submission carries one to 16 data sets")]
    TradeDataSetCount,
    #[error("a submission needs exactly one commercial data set, stating the amount")]
    TradeCommercialDataSetMissing,
    #[error("a document with this hash was already presented")]
    TradeDataSetHashUsed,
    #[error("a submission with this id exists with different content")]
    TradeSubmissionExists,
    #[error("submission not found")]
    TradeSubmissionNotFound,
    #[error("the shipment does not await a decision on mismatches")]
    TradeShipmentNotAwaitingDecision,
    #[error("the release exceeds what remains of the obligation")]
    TradeReleaseExceedsObligation,
    #[error("tolerance in {field} above 100 %")]
    TradeToleranceTooLarge { field: String },
}

impl HubError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        use HubError::*;
        match self {
            ForbiddenOperatorOnly => "forbidden_operator_only",
            ForbiddenNotDebtor => "forbidden_not_debtor",
            ForbiddenNotCreditor => "forbidden_not_creditor",
            ForbiddenNotComplianceOfficer => "forbidden_not_compliance_officer",
            ForbiddenNotOwnParticipant => "forbidden_not_own_participant",
            ForbiddenNotFxProvider => "forbidden_not_fx_provider",
            ForbiddenNotParticipantRole => "forbidden_not_participant_role",
            InvalidBic => "invalid_bic",
            InvalidCountryCode => "invalid_country_code",
            InvalidCurrencyCode => "invalid_currency_code",
            InvalidExponent => "invalid_exponent",
            InvalidText { .. } => "invalid_text",
            InvalidOfficerName => "invalid_officer_name",
            AmountMustNotBeZero => "amount_must_not_be_zero",
            AmountOverflow => "amount_overflow",
            ParticipantsMustDiffer => "participants_must_differ",
            NoRoles => "no_roles",
            InvalidScreeningVerdict => "invalid_screening_verdict",
            NoUnListLoaded => "no_un_list_loaded",
            ExpiryInPast => "expiry_in_past",
            ExpiryTooFar => "expiry_too_far",
            CurrencyExists => "currency_exists",
            CurrencyNotAccepted => "currency_not_accepted",
            TooManyCurrencies => "too_many_currencies",
            TooManyParticipants => "too_many_participants",
            TooManyCredentials => "too_many_credentials",
            BicAlreadyAdmitted => "bic_already_admitted",
            ParticipantNotFound => "participant_not_found",
            DebtorParticipantNotFound => "debtor_participant_not_found",
            CreditorParticipantNotFound => "creditor_participant_not_found",
            ParticipantSuspended => "participant_suspended",
            DebtorParticipantSuspended => "debtor_participant_suspended",
            CreditorParticipantSuspended => "creditor_participant_suspended",
            ParticipantAlreadyActive => "participant_already_active",
            ParticipantAlreadySuspended => "participant_already_suspended",
            CredentialExists => "credential_exists",
            CredentialNotFound => "credential_not_found",
            CredentialAlreadyRevoked => "credential_already_revoked",
            InsufficientLiquidity => "insufficient_liquidity",
            PaymentNotFound => "payment_not_found",
            DuplicatePaymentIdDifferentContent => "duplicate_payment_id_different_content",
            InsufficientFunds => "insufficient_funds",
            PaymentNotReserved => "payment_not_reserved",
            PaymentExpired => "payment_expired",
            PaymentNotCommitted => "payment_not_committed",
            PaymentAlreadyReturned => "payment_already_returned",
            ReturnOfReturn => "return_of_return",
            ReasonNotAllowed => "reason_not_allowed",
            QuoteNotFound => "quote_not_found",
            PaymentNotCancellable => "payment_not_cancellable",
            PaymentNotHeld => "payment_not_held",
            HoldNotReviewed => "hold_not_reviewed",
            HoldAlreadyReviewed => "hold_already_reviewed",
            FourEyesSameOfficer => "four_eyes_same_officer",
            InvalidRate => "invalid_rate",
            InvalidSpread => "invalid_spread",
            CurrenciesMustDiffer => "currencies_must_differ",
            RateNotPublished => "rate_not_published",
            QuoteExists => "quote_exists",
            QuoteExpired => "quote_expired",
            QuoteAlreadyUsed => "quote_already_used",
            QuoteMismatch => "quote_mismatch",
            FxProviderUnavailable => "fx_provider_unavailable",
            FxProviderInsufficientFunds => "fx_provider_insufficient_funds",
            ConvertedAmountZero => "converted_amount_zero",
            CurrencyNotDeferredNet => "currency_not_deferred_net",
            WindowAwaitingSettlement => "window_awaiting_settlement",
            WindowNotFound => "window_not_found",
            CurrencyNotGross => "currency_not_gross",
            LiquidityQueueFull => "liquidity_queue_full",
            WindowNotClosed => "window_not_closed",
            NettingFailed(_) => "netting_failed",
            LedgerRejected(_) => "ledger_rejected",
            DuplicateMessageId => "duplicate_message_id",
            ForbiddenNotParticipant => "forbidden_not_participant",
            NestedMessage => "nested_message",
            MessageTooLarge => "message_too_large",
            CredentialNotOfActor => "credential_not_of_actor",
            TooManyListOverrides => "too_many_list_overrides",
            SanctionWithoutHits => "sanction_without_hits",
            FalsePositiveHitNotFound => "false_positive_hit_not_found",
            FalsePositiveFieldNotAParty => "false_positive_field_not_a_party",
            FalsePositiveNotFound => "false_positive_not_found",
            FalsePositiveAlreadyConfirmed => "false_positive_already_confirmed",
            FalsePositiveRevoked => "false_positive_revoked",
            FalsePositiveNotApplicable => "false_positive_not_applicable",
            TooManyFalsePositives => "too_many_false_positives",
            TradeBaselineNotFound => "trade_baseline_not_found",
            TradeBaselineExists => "trade_baseline_exists",
            TradeForbiddenNotParty => "trade_forbidden_not_party",
            TradeForbiddenNotCounterparty => "trade_forbidden_not_counterparty",
            TradeForbiddenNotSellerBank => "trade_forbidden_not_seller_bank",
            TradeForbiddenNotObligor => "trade_forbidden_not_obligor",
            TradeLineCount => "trade_line_count",
            TradeDuplicateLineId => "trade_duplicate_line_id",
            TradeTotalMismatch => "trade_total_mismatch",
            TradeShipmentRangeInvalid => "trade_shipment_range_invalid",
            TradeObligationBanks => "trade_obligation_banks",
            TradeDeadlineInvalid => "trade_deadline_invalid",
            TradeBankSuspended => "trade_bank_suspended",
            TradeScreeningHit => "trade_screening_hit",
            TradeBaselineNotProposed => "trade_baseline_not_proposed",
            TradeBaselineNotLive => "trade_baseline_not_live",
            TradeAmendmentPending => "trade_amendment_pending",
            TradeAmendmentNotFound => "trade_amendment_not_found",
            TradeAmendmentInvalid => "trade_amendment_invalid",
            TradeDataSetCount => "trade_data_set_count",
            TradeCommercialDataSetMissing => "trade_commercial_data_set_missing",
            TradeDataSetHashUsed => "trade_data_set_hash_used",
            TradeSubmissionExists => "trade_submission_exists",
            TradeSubmissionNotFound => "trade_submission_not_found",
            TradeShipmentNotAwaitingDecision => "trade_shipment_not_awaiting_decision",
            TradeReleaseExceedsObligation => "trade_release_exceeds_obligation",
            TradeToleranceTooLarge { .. } => "trade_tolerance_too_large",
        }
    }

    /// The offending field, where the error concerns one.
    pub fn field(&self) -> Option<&str> {
        use HubError::*;
        match self {
            InvalidText { field } | TradeToleranceTooLarge { field } => Some(field.as_str()),
            InvalidBic => Some("bic"),
            InvalidCountryCode => Some("country"),
            InvalidCurrencyCode | CurrencyNotAccepted => Some("currency"),
            InvalidExponent => Some("exponent"),
            AmountMustNotBeZero | AmountOverflow => Some("amount"),
            DebtorParticipantNotFound | DebtorParticipantSuspended | ForbiddenNotDebtor => {
                Some("debtor_participant")
            }
            CreditorParticipantNotFound | CreditorParticipantSuspended => {
                Some("creditor_participant")
            }
            ExpiryInPast | ExpiryTooFar => Some("expires_at"),
            InvalidScreeningVerdict | NoUnListLoaded => Some("screening"),
            InvalidRate => Some("rate"),
            InvalidSpread => Some("spread_bp"),
            QuoteNotFound | QuoteExpired | QuoteAlreadyUsed | QuoteMismatch => Some("fx_quote"),
            DuplicateMessageId => Some("msg_id"),
            TradeDataSetHashUsed => Some("data_sets.hash"),
            TradeScreeningHit => Some("screening"),
            _ => None,
        }
    }
}

/// Why a payment ended without success (Rejected, Expired) or was returned. Recorded on the
/// payment and in the participants' inboxes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reason {
    /// The reservation exceeded the debtor's net debit cap or liquidity (after a hold release).
    InsufficientFunds,
    /// No decision from the creditor before the expiry.
    Timeout,
    /// Rejected by compliance after a screening hit.
    SanctionsHit,
    /// A participant was suspended while the payment was held.
    ParticipantSuspended,
    /// The FX quote expired while the payment was held.
    QuoteExpired,
    // Reasons a creditor may give when rejecting, or a returning participant when returning:
    IncorrectAccountNumber,
    ClosedAccountNumber,
    BlockedAccount,
    TransactionForbidden,
    InvalidCreditorName,
    DuplicatePayment,
    RequestedByCustomer,
    NotSpecifiedCustomer,
    NotSpecifiedAgent,
    /// Cancelled by the debtor participant (or the operator) before it was committed (appended
    /// last: postcard encodes variant indexes).
    CancelledByDebtor,
}

impl Reason {
    pub fn code(&self) -> &'static str {
        use Reason::*;
        match self {
            InsufficientFunds => "insufficient_funds",
            Timeout => "timeout",
            SanctionsHit => "sanctions_hit",
            ParticipantSuspended => "participant_suspended",
            QuoteExpired => "quote_expired",
            IncorrectAccountNumber => "incorrect_account_number",
            ClosedAccountNumber => "closed_account_number",
            BlockedAccount => "blocked_account",
            TransactionForbidden => "transaction_forbidden",
            InvalidCreditorName => "invalid_creditor_name",
            DuplicatePayment => "duplicate_payment",
            RequestedByCustomer => "requested_by_customer",
            NotSpecifiedCustomer => "not_specified_customer",
            NotSpecifiedAgent => "not_specified_agent",
            CancelledByDebtor => "cancelled_by_debtor",
        }
    }

    /// ISO 20022 ExternalStatusReason1Code / ExternalReturnReason1Code.
    pub fn iso_code(&self) -> Option<&'static str> {
        use Reason::*;
        match self {
            InsufficientFunds => Some("AM04"),
            Timeout => Some("AB05"),
            SanctionsHit => Some("RR04"),
            ParticipantSuspended => Some("AG01"),
            QuoteExpired => None,
            IncorrectAccountNumber => Some("AC01"),
            ClosedAccountNumber => Some("AC04"),
            BlockedAccount => Some("AC06"),
            TransactionForbidden => Some("AG01"),
            InvalidCreditorName => Some("RC07"),
            DuplicatePayment => Some("AM05"),
            RequestedByCustomer => Some("CUST"),
            NotSpecifiedCustomer => Some("MS02"),
            NotSpecifiedAgent => Some("MS03"),
            // DS02 "OrderCancelled": an authorised user cancelled the order. (CUST is a
            // cancellation *request* reason, not a status reason.)
            CancelledByDebtor => Some("DS02"),
        }
    }

    /// Reasons the hub itself assigns may not be claimed by a participant.
    pub fn participant_may_give(&self) -> bool {
        use Reason::*;
        !matches!(
            self,
            InsufficientFunds
                | Timeout
                | SanctionsHit
                | ParticipantSuspended
                | QuoteExpired
                | CancelledByDebtor
        )
    }

    /// Parses a code as produced by `code()` (for wire types).
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.code() == code)
    }

    pub const ALL: [Reason; 15] = [
        Reason::InsufficientFunds,
        Reason::Timeout,
        Reason::SanctionsHit,
        Reason::ParticipantSuspended,
        Reason::QuoteExpired,
        Reason::IncorrectAccountNumber,
        Reason::ClosedAccountNumber,
        Reason::BlockedAccount,
        Reason::TransactionForbidden,
        Reason::InvalidCreditorName,
        Reason::DuplicatePayment,
        Reason::RequestedByCustomer,
        Reason::NotSpecifiedCustomer,
        Reason::NotSpecifiedAgent,
        Reason::CancelledByDebtor,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_are_unique_and_parse_back() {
        let mut seen = std::collections::BTreeSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.code()), "duplicate {}", r.code());
            assert_eq!(Reason::from_code(r.code()), Some(r));
        }
        assert_eq!(Reason::from_code("nope"), None);
        assert_eq!(Reason::SanctionsHit.iso_code(), Some("RR04"));
        assert!(!Reason::Timeout.participant_may_give());
        assert!(Reason::IncorrectAccountNumber.participant_may_give());
    }
}
