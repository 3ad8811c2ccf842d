//! Creating a payment: the one path of JSON, bulk and ISO 20022 payments (authorization,
//! expiry, currency and amount, names, screening with the officers' false positives).

use std::time::{SystemTime, UNIX_EPOCH};

use hub::{
    Action, Command, CreatePayment, CreatePaymentWithParties, Outcome, ParticipantId, Party,
    PaymentId, PaymentInstruction, Principal, RelatedParties, Success,
};
use uuid::Uuid;

use crate::amount::{parse_amount, rescale};
use crate::app::unexpected;
use crate::convert;
use crate::error::{ApiError, Code, hub_error};
use crate::state::AppState;
use crate::wire::PaymentResult;

/// The end-to-end id recorded when the sender gives none (the ISO 20022 convention).
pub const NOT_PROVIDED: &str = "NOTPROVIDED";

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A payment as an adapter read it, before the hub's currency and the screening are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentDraft {
    pub payment_id: PaymentId,
    /// Empty when the sender gave none ([`NOT_PROVIDED`] is recorded).
    pub end_to_end_id: String,
    pub debtor: Party,
    pub creditor: Party,
    pub debtor_participant: ParticipantId,
    pub creditor_participant: ParticipantId,
    pub amount: DraftAmount,
    /// As sent: checked against the scheme's currencies (`currency_not_accepted`).
    pub currency: String,
    pub remittance_info: Option<String>,
    /// The payment's lifetime; the server's default when `None`.
    pub expires_in_secs: Option<u64>,
    pub fx_quote: Option<Uuid>,
    pub related: RelatedParties,
}

/// An amount as the adapter has it: the JSON API's decimal text, or the minor units an ISO
/// 20022 message stated in its currency's ISO 4217 exponent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftAmount {
    Decimal(String),
    Minor { units: u128, exponent: u8 },
}

/// Metrics label of payment creation.
pub const CREATE: &str = "create";
/// Metrics label of accept / reject decisions.
pub const DECISION: &str = "decision";
/// Metrics label of compliance hold actions.
pub const HOLD: &str = "hold";
/// Metrics label of cancellations.
pub const CANCEL: &str = "cancel";

/// The wire result of a payment command's outcome, and whether it created the payment now (a
/// creation, not its replay); counts it in the metrics under `command`.
pub fn payment_result(
    state: &AppState,
    outcome: Outcome,
    command: &'static str,
) -> Result<(bool, PaymentResult), ApiError> {
    let created = command == CREATE;
    let success = outcome.map_err(|error| {
        state.metrics.payment_command(command, error.code());
        hub_error(error)
    })?;
    match success {
        Success::Payment(payment) => {
            let result = convert::payment_result(&payment);
            state
                .metrics
                .payment_command(command, payment.status.code());
            Ok((created && !payment.replayed, result))
        }
        other => Err(unexpected(&other)),
    }
}

/// Turns a draft into a screened, journal-ready command, checking everything that needs no
/// hub state first (so a bad request is refused before it is journalled).
pub async fn create_command(
    state: &AppState,
    actor: &Principal,
    draft: PaymentDraft,
) -> Result<Command, ApiError> {
    match actor {
        Principal::Participant(id) if *id == draft.debtor_participant => {}
        Principal::Participant(_) => {
            return Err(hub_error(hub::HubError::ForbiddenNotDebtor));
        }
        _ => {
            return Err(ApiError::refused(
                Code::ForbiddenNotParticipant,
                "only the debtor participant may create a payment",
            ));
        }
    }
    let secs = draft
        .expires_in_secs
        .unwrap_or(state.config.payment_expiry_default_secs);
    let expires_at = expiry_from_now(
        secs,
        state.config.payment_expiry_max_secs,
        "expires_in_secs",
    )?;
    let (currency, exponent) = state.exponent(&draft.currency, "currency").await?;
    check_names(&draft)?;
    draft.related.validate().map_err(hub_error)?;
    let amount = match &draft.amount {
        DraftAmount::Decimal(text) => parse_amount(text, exponent, "amount")?,
        DraftAmount::Minor {
            units,
            exponent: from,
        } => rescale(*units, *from, exponent, "amount")?,
    };
    let related = draft.related;
    let instruction = PaymentInstruction {
        payment_id: draft.payment_id,
        end_to_end_id: if draft.end_to_end_id.is_empty() {
            NOT_PROVIDED.to_owned()
        } else {
            draft.end_to_end_id
        },
        debtor: draft.debtor,
        creditor: draft.creditor,
        debtor_participant: draft.debtor_participant,
        creditor_participant: draft.creditor_participant,
        amount,
        currency,
        remittance_info: draft.remittance_info,
        fx_quote: draft.fx_quote,
    };
    instruction.validate().map_err(hub_error)?;
    let screened = state.screener.verdict(&instruction, &related)?;
    let (screening, cleared) =
        crate::screen::clear_false_positives(state, &instruction, &related, screened).await?;
    let payment = CreatePayment {
        instruction,
        expires_at,
        screening,
    };
    // A payment naming nothing more keeps the original command (and its journal shape).
    let action = if related.is_empty() && cleared.is_empty() {
        Action::CreatePayment(Box::new(payment))
    } else {
        Action::CreatePaymentWithParties(Box::new(CreatePaymentWithParties {
            payment,
            parties: related,
            cleared,
        }))
    };
    Ok(Command::new(actor.clone(), action))
}

/// Every name of the draft must read as a name (fields named as on the JSON wire).
fn check_names(draft: &PaymentDraft) -> Result<(), ApiError> {
    readable_name(&draft.debtor.name, "debtor.name")?;
    readable_name(&draft.creditor.name, "creditor.name")?;
    let related = &draft.related;
    for (party, side) in [
        (&related.ultimate_debtor, "ultimate_debtor"),
        (&related.ultimate_creditor, "ultimate_creditor"),
        (&related.initiating_party, "initiating_party"),
    ] {
        if let Some(party) = party {
            readable_name(&party.name, &format!("{side}.name"))?;
        }
    }
    let agents = [
        (related.debtor_agent.as_ref(), "debtor_agent"),
        (related.creditor_agent.as_ref(), "creditor_agent"),
    ]
    .into_iter()
    .chain(
        related
            .intermediary_agents
            .iter()
            .map(|a| (Some(a), "intermediary_agents")),
    );
    for (agent, field) in agents {
        if let Some(name) = agent.and_then(|a| a.name.as_deref()) {
            readable_name(name, &format!("{field}.name"))?;
        }
    }
    Ok(())
}

/// A name must keep a letter or digit once invisible characters are removed: a name made only
/// of zero-width spaces, filler characters or punctuation alone would pass screening as nobody.
pub fn readable_name(name: &str, field: &str) -> Result<(), ApiError> {
    // An empty name is the hub's `invalid_text`; this is for names that only look filled in.
    if name.trim().is_empty()
        || screening::canonical_form(name)
            .chars()
            .any(char::is_alphanumeric)
    {
        Ok(())
    } else {
        Err(ApiError::invalid(
            Code::NameUnreadable,
            field,
            format!("{field} has no letter or digit once invisible characters are removed"),
        ))
    }
}

/// Now plus `secs` in ns since the Unix epoch; `secs` must be in `1..=max` (422
/// `invalid_expiry` on `field` otherwise).
pub fn expiry_from_now(secs: u64, max: u64, field: &str) -> Result<u64, ApiError> {
    if secs == 0 || secs > max {
        return Err(ApiError::invalid(
            Code::InvalidExpiry,
            field,
            format!("{field} must be between 1 and {max}"),
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| ApiError::Internal)?;
    let now = u64::try_from(now.as_nanos()).map_err(|_| ApiError::Internal)?;
    secs.checked_mul(NANOS_PER_SEC)
        .and_then(|d| now.checked_add(d))
        .ok_or(ApiError::Internal)
}
