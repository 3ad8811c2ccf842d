//! Compliance holds: review, release and reject a held payment (four eyes by credential and by
//! officer name).

use hub::{Action, Command, PaymentId, Principal};

use crate::app::payments::{HOLD, payment_result};
use crate::app::require_officer;
use crate::error::{ApiError, hub_error};
use crate::officer;
use crate::state::AppState;
use crate::wire::PaymentResult;

/// Which hold action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoldStep {
    Review,
    Release,
    Reject,
}

/// Submits a hold action as the credential that authenticated the request, so the hub decides
/// four eyes by credential. A decision by a look-alike of the reviewer's name (see
/// `officer.rs`) is refused here with the hub's code.
pub async fn hold(
    state: &AppState,
    caller: &Principal,
    token_hash: [u8; 32],
    payment: PaymentId,
    step: HoldStep,
) -> Result<PaymentResult, ApiError> {
    let officer = require_officer(caller)?.to_owned();
    let hash = token_hash;
    let (credential, reviewer) = state
        .read(move |hub| {
            let credential = hub.credential_for_token_hash(&hash);
            let reviewer = hub
                .payment(payment)
                .and_then(|p| p.hold.as_ref())
                .and_then(|h| h.reviewed.as_ref())
                .map(|stamp| stamp.officer.clone());
            (credential, reviewer)
        })
        .await?;
    let credential = match credential {
        Some((id, principal)) if principal == *caller => id,
        _ => return Err(ApiError::Unauthenticated),
    };
    if step != HoldStep::Review
        && reviewer.is_some_and(|reviewer| officer::look_alike(&reviewer, &officer))
    {
        return Err(hub_error(hub::HubError::FourEyesSameOfficer));
    }
    let action = match step {
        HoldStep::Review => Action::ReviewHoldAs {
            payment,
            credential,
        },
        HoldStep::Release => Action::ReleaseHoldAs {
            payment,
            credential,
        },
        HoldStep::Reject => Action::RejectHoldAs {
            payment,
            credential,
        },
    };
    let outcome = state.submit(Command::new(caller.clone(), action)).await?;
    payment_result(state, outcome, HOLD).map(|(_, result)| result)
}
