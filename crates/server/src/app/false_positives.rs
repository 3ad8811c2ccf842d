//! False positives (issue 10): one officer proposes, from a held payment's hit, that the party
//! is not the listed entry; a second officer (another credential, not a look-alike name)
//! confirms; then that participant's customer of that exact name is no longer held for that
//! entry while the entry is published unchanged. Officers or the operator revoke. See the
//! hub's `false_positive` module for the rules the journal enforces.

use hub::{Action, Command, FalsePositive, FalsePositiveId, PartySide, Principal, Success};

use crate::app::{
    acting_credential, require_compliance_view, require_officer, submit_expect, unexpected,
};
use crate::error::{ApiError, Code, hub_error};
use crate::officer;
use crate::state::AppState;
use crate::wire::{FalsePositiveRequest, FalsePositiveView};

/// The party-name fields a false positive may concern.
const PARTY_FIELDS: [PartySide; 5] = [
    PartySide::Debtor,
    PartySide::Creditor,
    PartySide::UltimateDebtor,
    PartySide::UltimateCreditor,
    PartySide::InitiatingParty,
];

fn view(state: &AppState, fp: &FalsePositive) -> FalsePositiveView {
    let status = if fp.revoked.is_some() {
        "revoked"
    } else if fp.in_force() {
        "in_force"
    } else {
        "proposed"
    };
    let current = state.screener.entry_fingerprint(&fp.list, &fp.reference);
    FalsePositiveView {
        id: fp.id.0,
        status: status.to_owned(),
        participant: fp.participant.0,
        party_name: fp.party_name.clone(),
        list: fp.list.clone(),
        reference: fp.reference.clone(),
        listed_name: fp.listed_name.clone(),
        entry_fingerprint: fp.entry_fingerprint.clone(),
        entry_current: current.as_deref() == Some(fp.entry_fingerprint.as_str()),
        note: fp.note.clone(),
        seen_on_payment: fp.seen_on,
        proposed_by: fp.proposed.officer.clone(),
        proposed_at_ns: fp.proposed.at,
        confirmed_by: fp.confirmed.as_ref().map(|s| s.officer.clone()),
        confirmed_at_ns: fp.confirmed.as_ref().map(|s| s.at),
        revoked_by: fp.revoked.as_ref().map(|s| s.officer.clone()),
        revoked_at_ns: fp.revoked.as_ref().map(|s| s.at),
    }
}

fn record_view(state: &AppState, success: &Success) -> Result<FalsePositiveView, ApiError> {
    match success {
        Success::FalsePositive(record) => Ok(view(state, record)),
        other => Err(unexpected(other)),
    }
}

/// Proposes a false positive from a hit of a held payment (compliance officer).
pub async fn propose(
    state: &AppState,
    caller: &Principal,
    token_hash: [u8; 32],
    request: FalsePositiveRequest,
) -> Result<FalsePositiveView, ApiError> {
    require_officer(caller)?;
    let party = PARTY_FIELDS
        .into_iter()
        .find(|side| side.field() == request.field)
        .ok_or_else(|| {
            ApiError::invalid(Code::FalsePositiveFieldNotAParty,
                "field",
                "field must be one of debtor.name, creditor.name, ultimate_debtor.name, ultimate_creditor.name, initiating_party.name",
            )
        })?;
    let entry_fingerprint = state
        .screener
        .entry_fingerprint(&request.list, &request.reference)
        .ok_or_else(|| {
            ApiError::invalid(
                Code::ListedEntryNotFound,
                "reference",
                format!(
                    "{} {} is not an entry of the lists in force",
                    request.list, request.reference
                ),
            )
        })?;
    let credential = acting_credential(state, caller, token_hash).await?;
    let action = Action::ProposeFalsePositive(Box::new(hub::FalsePositiveProposal {
        payment: request.payment_id,
        party,
        list: request.list,
        reference: request.reference,
        entry_fingerprint,
        note: request.note,
        credential,
    }));
    let success = submit_expect(state, Command::new(caller.clone(), action)).await?;
    record_view(state, &success)
}

/// Confirms a proposed false positive (a second compliance officer: another credential, not a
/// look-alike of the proposer's name). It is in force from then on.
pub async fn confirm(
    state: &AppState,
    caller: &Principal,
    token_hash: [u8; 32],
    id: FalsePositiveId,
) -> Result<FalsePositiveView, ApiError> {
    let officer = require_officer(caller)?.to_owned();
    let credential = acting_credential(state, caller, token_hash).await?;
    let proposer = state
        .read(move |hub| hub.false_positive(id).map(|fp| fp.proposed.officer.clone()))
        .await?;
    if proposer.is_some_and(|proposer| officer::look_alike(&proposer, &officer)) {
        return Err(hub_error(hub::HubError::FourEyesSameOfficer));
    }
    let action = Action::ConfirmFalsePositive {
        false_positive: id,
        credential,
    };
    let success = submit_expect(state, Command::new(caller.clone(), action)).await?;
    record_view(state, &success)
}

/// Revokes a false positive (a compliance officer or the operator): hits it covered hold
/// payments again.
pub async fn revoke(
    state: &AppState,
    caller: &Principal,
    id: FalsePositiveId,
) -> Result<FalsePositiveView, ApiError> {
    require_compliance_view(caller)?;
    let action = Action::RevokeFalsePositive { false_positive: id };
    let success = submit_expect(state, Command::new(caller.clone(), action)).await?;
    record_view(state, &success)
}

/// Every false positive, oldest first (compliance officers and the operator).
pub async fn list(
    state: &AppState,
    caller: &Principal,
) -> Result<Vec<FalsePositiveView>, ApiError> {
    require_compliance_view(caller)?;
    let records = state.read(|hub| hub.false_positives().to_vec()).await?;
    Ok(records.iter().map(|fp| view(state, fp)).collect())
}
