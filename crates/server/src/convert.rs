//! Conversions at the edge between wire types and hub types.
//!
//! Requests become hub values here (amounts parsed against the currency's exponent, codes
//! validated) and hub values become wire views. Everything that can be checked without hub
//! state is checked here, so an invalid request is refused before anything is journalled.

use hub::{
    AgentRecord, Bic, CountryCode, CurrencyCode, HubError, ParticipantStatus, Party,
    PaymentOutcome, PaymentStatus, Reason, RelatedParties, RelatedParty, Roles, SettlementModel,
};

use crate::error::ApiError;
use crate::error::Code;
use crate::error::hub_error_at;
use crate::wire::{
    AgentWire, CreatePaymentRequest, ParticipantRoleWire, ParticipantStatusWire, PartyWire,
    PaymentResult, PaymentStatusWire, RelatedPartyWire, SettlementModelWire,
};

/// A party from the wire; `side` prefixes field names in errors (`debtor.country`).
pub fn party(wire: PartyWire, side: &str) -> Result<Party, ApiError> {
    let country = CountryCode::new(&wire.country)
        .map_err(|error| hub_error_at(error, &format!("{side}.country")))?;
    Ok(Party {
        name: wire.name,
        address_lines: wire.address,
        country,
        account: wire.account,
    })
}

/// What a create request names beyond debtor and creditor, its countries and BICs checked
/// (fields named as on the wire, e.g. `ultimate_creditor.country`).
pub fn related(request: &CreatePaymentRequest) -> Result<RelatedParties, ApiError> {
    let party = |wire: &Option<RelatedPartyWire>, side: &str| {
        wire.as_ref()
            .map(|p| {
                let country = p
                    .country
                    .as_deref()
                    .map(|c| country(c, &format!("{side}.country")))
                    .transpose()?;
                Ok::<_, ApiError>(RelatedParty {
                    name: p.name.clone(),
                    address_lines: p.address.clone(),
                    country,
                })
            })
            .transpose()
    };
    let agent = |wire: &AgentWire, field: &str| {
        let bic = wire
            .bic
            .as_deref()
            .map(|b| Bic::new(b).map_err(|error| hub_error_at(error, &format!("{field}.bic"))))
            .transpose()?;
        Ok::<_, ApiError>(AgentRecord {
            name: wire.name.clone(),
            bic,
        })
    };
    let related = RelatedParties {
        ultimate_debtor: party(&request.ultimate_debtor, "ultimate_debtor")?,
        ultimate_creditor: party(&request.ultimate_creditor, "ultimate_creditor")?,
        initiating_party: party(&request.initiating_party, "initiating_party")?,
        debtor_agent: request
            .debtor_agent
            .as_ref()
            .map(|a| agent(a, "debtor_agent"))
            .transpose()?,
        creditor_agent: request
            .creditor_agent
            .as_ref()
            .map(|a| agent(a, "creditor_agent"))
            .transpose()?,
        intermediary_agents: request
            .intermediary_agents
            .iter()
            .map(|a| agent(a, "intermediary_agents"))
            .collect::<Result<_, _>>()?,
        remittance_structured: request.remittance_structured.clone(),
    };
    Ok(related)
}

/// The wire form of a related party.
pub fn related_party_wire(party: &RelatedParty) -> RelatedPartyWire {
    RelatedPartyWire {
        name: party.name.clone(),
        address: party.address_lines.clone(),
        country: party.country.map(|c| c.to_string()),
    }
}

/// The wire form of an agent record.
pub fn agent_wire(agent: &AgentRecord) -> AgentWire {
    AgentWire {
        name: agent.name.clone(),
        bic: agent.bic.as_ref().map(|b| b.to_string()),
    }
}

/// A reason code a participant gives; absent means `not_specified_agent`.
pub fn participant_reason(code: Option<&str>, field: &str) -> Result<Reason, ApiError> {
    let Some(code) = code else {
        return Ok(Reason::NotSpecifiedAgent);
    };
    let reason = Reason::from_code(code).ok_or_else(|| {
        ApiError::invalid(
            Code::UnknownReasonCode,
            field,
            format!("unknown reason code {code:?}"),
        )
    })?;
    if !reason.participant_may_give() {
        return Err(hub_error_at(HubError::ReasonNotAllowed, field));
    }
    Ok(reason)
}

/// Roles from the wire; an empty list means a plain participant.
pub fn roles(wire: &[ParticipantRoleWire]) -> Roles {
    if wire.is_empty() {
        return Roles {
            participant: true,
            fx_provider: false,
        };
    }
    Roles {
        participant: wire.contains(&ParticipantRoleWire::Participant),
        fx_provider: wire.contains(&ParticipantRoleWire::FxProvider),
    }
}

/// Roles to the wire.
pub fn roles_wire(roles: Roles) -> Vec<ParticipantRoleWire> {
    let mut wire = Vec::new();
    if roles.participant {
        wire.push(ParticipantRoleWire::Participant);
    }
    if roles.fx_provider {
        wire.push(ParticipantRoleWire::FxProvider);
    }
    wire
}

/// A BIC from the wire.
pub fn bic(text: &str) -> Result<Bic, ApiError> {
    Bic::new(text).map_err(|error| hub_error_at(error, "bic"))
}

/// A country code from the wire.
pub fn country(text: &str, field: &str) -> Result<CountryCode, ApiError> {
    CountryCode::new(text).map_err(|error| hub_error_at(error, field))
}

pub fn settlement_model(wire: SettlementModelWire) -> SettlementModel {
    match wire {
        SettlementModelWire::Gross => SettlementModel::Gross,
        SettlementModelWire::DeferredNet => SettlementModel::DeferredNet,
    }
}

pub fn settlement_model_wire(model: SettlementModel) -> SettlementModelWire {
    match model {
        SettlementModel::Gross => SettlementModelWire::Gross,
        SettlementModel::DeferredNet => SettlementModelWire::DeferredNet,
    }
}

pub fn status_wire(status: PaymentStatus) -> PaymentStatusWire {
    match status {
        PaymentStatus::Held => PaymentStatusWire::Held,
        PaymentStatus::Reserved => PaymentStatusWire::Reserved,
        PaymentStatus::Committed => PaymentStatusWire::Committed,
        PaymentStatus::Rejected => PaymentStatusWire::Rejected,
        PaymentStatus::Expired => PaymentStatusWire::Expired,
        PaymentStatus::Returned => PaymentStatusWire::Returned,
        PaymentStatus::Queued => PaymentStatusWire::Queued,
    }
}

pub fn status_hub(wire: PaymentStatusWire) -> PaymentStatus {
    match wire {
        PaymentStatusWire::Held => PaymentStatus::Held,
        PaymentStatusWire::Reserved => PaymentStatus::Reserved,
        PaymentStatusWire::Committed => PaymentStatus::Committed,
        PaymentStatusWire::Rejected => PaymentStatus::Rejected,
        PaymentStatusWire::Expired => PaymentStatus::Expired,
        PaymentStatusWire::Returned => PaymentStatus::Returned,
        PaymentStatusWire::Queued => PaymentStatus::Queued,
    }
}

pub fn participant_status_wire(status: ParticipantStatus) -> ParticipantStatusWire {
    match status {
        ParticipantStatus::Active => ParticipantStatusWire::Active,
        ParticipantStatus::Suspended => ParticipantStatusWire::Suspended,
    }
}

/// The wire result of a payment command.
pub fn payment_result(outcome: &PaymentOutcome) -> PaymentResult {
    PaymentResult {
        payment_id: outcome.payment,
        status: status_wire(outcome.status),
        reason_code: outcome.reason.map(|r| r.code().to_owned()),
        iso_reason: outcome.reason.and_then(|r| r.iso_code()).map(str::to_owned),
        replayed: outcome.replayed,
    }
}

/// A currency code from the wire (422 `invalid_currency_code` on `field`).
pub fn currency(text: &str, field: &str) -> Result<CurrencyCode, ApiError> {
    CurrencyCode::new(text).map_err(|error| hub_error_at(error, field))
}

/// The wire form of a hub inbox event (also the webhook payload).
pub fn event_wire(event: &hub::state::InboxEvent) -> crate::wire::InboxEvent {
    let (kind, status, reason) = match &event.kind {
        hub::state::InboxKind::PaymentReceived => (
            crate::wire::InboxEventKind::IncomingPayment,
            hub::PaymentStatus::Reserved,
            None,
        ),
        hub::state::InboxKind::StatusChanged { status, reason } => {
            (crate::wire::InboxEventKind::StatusChanged, *status, *reason)
        }
        // Only committed payments can be asked back.
        hub::state::InboxKind::ReturnRequested { reason } => (
            crate::wire::InboxEventKind::ReturnRequested,
            hub::PaymentStatus::Committed,
            Some(*reason),
        ),
    };
    crate::wire::InboxEvent {
        cursor: event.cursor,
        kind,
        payment_id: event.payment,
        status: status_wire(status),
        reason_code: reason.map(|r| r.code().to_owned()),
        at_ns: event.at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_from_the_wire() {
        assert_eq!(
            participant_reason(None, "reason"),
            Ok(Reason::NotSpecifiedAgent)
        );
        assert_eq!(
            participant_reason(Some("incorrect_account_number"), "reason"),
            Ok(Reason::IncorrectAccountNumber)
        );
        let code = |r: Result<Reason, ApiError>| r.err().map(|e| e.code().to_owned());
        assert_eq!(
            code(participant_reason(Some("nope"), "reason")).as_deref(),
            Some("unknown_reason_code")
        );
        assert_eq!(
            code(participant_reason(Some("timeout"), "reason")).as_deref(),
            Some("reason_not_allowed")
        );
    }

    #[test]
    fn roles_default_to_participant() {
        assert_eq!(
            roles(&[]),
            Roles {
                participant: true,
                fx_provider: false
            }
        );
        let both = [
            ParticipantRoleWire::Participant,
            ParticipantRoleWire::FxProvider,
        ];
        assert_eq!(roles_wire(roles(&both)), both.to_vec());
    }
}
