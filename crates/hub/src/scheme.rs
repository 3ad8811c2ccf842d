//! Operator commands: credentials, currencies, participants, net debit caps and liquidity.

use ledger::{AccountFlags, Currency, Event, NewAccount, NewTransfer, TransferFlags};

use crate::command::{LiquidityDirection, Success};
use crate::error::HubError;
use crate::model::{
    Bic, CountryCode, CredentialId, CurrencyCode, NAME_LEN_MAX, OFFICER_NAME_LEN_MAX,
    ParticipantId, ParticipantStatus, Principal, Roles, SettlementModel, Timestamp, check_text,
};
use crate::state::{
    AccountKind, Credential, CurrencyConfig, Hub, Participant, SCHEME, account_id, funds_error,
    transfer_code,
};

/// Most currencies the scheme accepts.
pub const CURRENCIES_MAX: usize = 64;
/// Most participants the scheme admits.
pub const PARTICIPANTS_MAX: usize = 100_000;
/// Most credentials (including revoked ones).
pub const CREDENTIALS_MAX: usize = 1_000_000;
/// Most list overrides recorded (one per list version the operator forced in).
pub const LIST_OVERRIDES_MAX: usize = 10_000;
/// Longest list source, version hash or generation date in an override record.
pub const LIST_FIELD_LEN_MAX: usize = 128;
/// Longest reason in an override record.
pub const LIST_OVERRIDE_REASON_LEN_MAX: usize = 512;

impl Hub {
    pub(crate) fn register_credential(
        &mut self,
        now: Timestamp,
        token_hash: [u8; 32],
        principal: &Principal,
    ) -> Result<Success, HubError> {
        match principal {
            Principal::Participant(p) if self.participant_ref(*p).is_none() => {
                return Err(HubError::ParticipantNotFound);
            }
            Principal::ComplianceOfficer(name) => {
                check_text("officer", name, OFFICER_NAME_LEN_MAX)
                    .map_err(|_| HubError::InvalidOfficerName)?;
            }
            _ => {}
        }
        if self.tokens.contains_key(&token_hash) {
            return Err(HubError::CredentialExists);
        }
        if self.credentials.len() >= CREDENTIALS_MAX {
            return Err(HubError::TooManyCredentials);
        }
        let id = CredentialId(next_id(
            self.credentials.len(),
            HubError::TooManyCredentials,
        )?);
        self.credentials.push(Credential {
            id,
            token_hash,
            principal: principal.clone(),
            created_at: now,
            revoked_at: None,
        });
        self.tokens.insert(token_hash, id);
        Ok(Success::CredentialRegistered { credential: id })
    }

    pub(crate) fn record_list_override(
        &mut self,
        now: Timestamp,
        record: &crate::command::ListOverrideRecord,
    ) -> Result<Success, HubError> {
        check_text("source", &record.source, LIST_FIELD_LEN_MAX)?;
        check_text("version", &record.version, LIST_FIELD_LEN_MAX)?;
        check_text("reason", &record.reason, LIST_OVERRIDE_REASON_LEN_MAX)?;
        if let Some(generated) = &record.generated {
            check_text("generated", generated, LIST_FIELD_LEN_MAX)?;
        }
        let replayed = self
            .list_overrides
            .iter()
            .any(|o| o.record.source == record.source && o.record.version == record.version);
        if !replayed {
            if self.list_overrides.len() >= LIST_OVERRIDES_MAX {
                return Err(HubError::TooManyListOverrides);
            }
            self.list_overrides.push(crate::state::ListOverride {
                record: record.clone(),
                at: now,
            });
        }
        Ok(Success::ListOverrideRecorded {
            version: record.version.clone(),
            replayed,
        })
    }

    pub(crate) fn revoke_credential(
        &mut self,
        now: Timestamp,
        credential: CredentialId,
    ) -> Result<Success, HubError> {
        let index = credential
            .0
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or(HubError::CredentialNotFound)?;
        let stored = self
            .credentials
            .get_mut(index)
            .ok_or(HubError::CredentialNotFound)?;
        if stored.revoked_at.is_some() {
            return Err(HubError::CredentialAlreadyRevoked);
        }
        stored.revoked_at = Some(now);
        Ok(Success::CredentialRevoked { credential })
    }

    pub(crate) fn add_currency(
        &mut self,
        now: Timestamp,
        code: CurrencyCode,
        exponent: u8,
        model: SettlementModel,
    ) -> Result<Success, HubError> {
        let currency =
            Currency::new(code.as_str(), exponent).map_err(|_| HubError::InvalidExponent)?;
        if self.currencies.contains_key(&code) {
            return Err(HubError::CurrencyExists);
        }
        if self.currencies.len() >= CURRENCIES_MAX {
            return Err(HubError::TooManyCurrencies);
        }
        let mut events = vec![open_account(
            SCHEME,
            code,
            currency,
            AccountKind::Settlement,
        )];
        for p in &self.participants {
            events.push(open_account(p.id, code, currency, AccountKind::Position));
            events.push(open_account(p.id, code, currency, AccountKind::Liquidity));
        }
        link_all(&mut events);
        self.ledger_apply(now, &events).map_err(funds_error)?;
        self.currencies.insert(
            code,
            CurrencyConfig {
                code,
                exponent,
                model,
                added_at: now,
            },
        );
        if model == SettlementModel::DeferredNet {
            self.open_window(now, code);
        }
        Ok(Success::CurrencyAdded { currency: code })
    }

    pub(crate) fn admit_participant(
        &mut self,
        now: Timestamp,
        name: &str,
        bic: &Bic,
        country: CountryCode,
        roles: Roles,
    ) -> Result<Success, HubError> {
        check_text("name", name, NAME_LEN_MAX)?;
        if !roles.participant && !roles.fx_provider {
            return Err(HubError::NoRoles);
        }
        if self.bics.contains_key(bic) {
            return Err(HubError::BicAlreadyAdmitted);
        }
        if self.participants.len() >= PARTICIPANTS_MAX {
            return Err(HubError::TooManyParticipants);
        }
        let id = ParticipantId(next_id(
            self.participants.len(),
            HubError::TooManyParticipants,
        )?);
        let mut events = Vec::with_capacity(self.currencies.len() * 2);
        for config in self.currencies.values() {
            let currency = ledger_currency(config)?;
            events.push(open_account(
                id,
                config.code,
                currency,
                AccountKind::Position,
            ));
            events.push(open_account(
                id,
                config.code,
                currency,
                AccountKind::Liquidity,
            ));
        }
        link_all(&mut events);
        self.ledger_apply(now, &events).map_err(funds_error)?;
        self.participants.push(Participant {
            id,
            name: name.to_owned(),
            bic: bic.clone(),
            country,
            roles,
            status: ParticipantStatus::Active,
            admitted_at: now,
        });
        self.bics.insert(bic.clone(), id);
        Ok(Success::ParticipantAdmitted { participant: id })
    }

    pub(crate) fn set_status(
        &mut self,
        participant: ParticipantId,
        status: ParticipantStatus,
    ) -> Result<Success, HubError> {
        let p = self
            .participant_mut(participant)
            .ok_or(HubError::ParticipantNotFound)?;
        if p.status == status {
            return Err(match status {
                ParticipantStatus::Active => HubError::ParticipantAlreadyActive,
                ParticipantStatus::Suspended => HubError::ParticipantAlreadySuspended,
            });
        }
        p.status = status;
        Ok(Success::ParticipantStatusChanged {
            participant,
            status,
        })
    }

    pub(crate) fn set_net_debit_cap(
        &mut self,
        now: Timestamp,
        participant: ParticipantId,
        currency: CurrencyCode,
        cap: u128,
    ) -> Result<Success, HubError> {
        self.participant_ref(participant)
            .ok_or(HubError::ParticipantNotFound)?;
        if !self.currencies.contains_key(&currency) {
            return Err(HubError::CurrencyNotAccepted);
        }
        let event = Event::SetNetDebitCap {
            account_id: account_id(participant, currency, AccountKind::Position),
            net_debit_cap: Some(cap),
        };
        self.ledger_apply(now, &[event]).map_err(funds_error)?;
        Ok(Success::NetDebitCapSet {
            participant,
            currency,
            cap,
        })
    }

    pub(crate) fn record_liquidity(
        &mut self,
        now: Timestamp,
        participant: ParticipantId,
        currency: CurrencyCode,
        direction: LiquidityDirection,
        amount: u128,
    ) -> Result<Success, HubError> {
        self.participant_ref(participant)
            .ok_or(HubError::ParticipantNotFound)?;
        if !self.currencies.contains_key(&currency) {
            return Err(HubError::CurrencyNotAccepted);
        }
        if amount == 0 {
            return Err(HubError::AmountMustNotBeZero);
        }
        let liquidity = account_id(participant, currency, AccountKind::Liquidity);
        let settlement = account_id(SCHEME, currency, AccountKind::Settlement);
        let (debit, credit, code) = match direction {
            LiquidityDirection::Deposit => (settlement, liquidity, transfer_code::DEPOSIT),
            LiquidityDirection::Withdrawal => (liquidity, settlement, transfer_code::WITHDRAWAL),
        };
        let [id] = self.peek_transfer_ids(1)?[..] else {
            return Err(HubError::LedgerRejected("transfer_id".into()));
        };
        let transfer = Event::CreateTransfer(NewTransfer {
            id,
            debit_account_id: debit,
            credit_account_id: credit,
            amount,
            pending_id: None,
            timeout_ns: 0,
            code,
            user_data: 0,
            flags: TransferFlags::NONE,
        });
        self.ledger_apply(now, &[transfer])
            .map_err(|r| match funds_error(r) {
                HubError::InsufficientFunds => HubError::InsufficientLiquidity,
                other => other,
            })?;
        self.last_transfer = id.0;
        let balance = self
            .ledger
            .account(liquidity)
            .and_then(|a| a.credits_posted.checked_sub(a.debits_posted))
            .unwrap_or(0);
        Ok(Success::LiquidityRecorded {
            participant,
            currency,
            liquidity: balance,
        })
    }
}

/// The ledger currency of a configured currency.
pub(crate) fn ledger_currency(config: &CurrencyConfig) -> Result<Currency, HubError> {
    Currency::new(config.code.as_str(), config.exponent).map_err(|_| HubError::InvalidExponent)
}

/// The next sequential id after `count` assigned ones.
fn next_id(count: usize, exhausted: HubError) -> Result<u64, HubError> {
    u64::try_from(count)
        .ok()
        .and_then(|n| n.checked_add(1))
        .ok_or(exhausted)
}

pub(crate) fn open_account(
    owner: ParticipantId,
    code: CurrencyCode,
    currency: Currency,
    kind: AccountKind,
) -> Event {
    let (flags, net_debit_cap) = match kind {
        AccountKind::Position => (AccountFlags::NONE, Some(0)),
        AccountKind::Liquidity => (AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS, None),
        AccountKind::Settlement | AccountKind::Transit => (AccountFlags::NONE, None),
    };
    Event::CreateAccount(NewAccount {
        id: account_id(owner, code, kind),
        currency,
        owner: u128::from(owner.0),
        code: kind as u16,
        flags,
        net_debit_cap,
    })
}

/// Links every event to the next so that the ledger applies them all or none.
pub(crate) fn link_all(events: &mut [Event]) {
    let Some((_, init)) = events.split_last_mut() else {
        return;
    };
    for event in init {
        match event {
            Event::CreateAccount(a) => a.flags = a.flags | AccountFlags::LINKED,
            Event::CreateTransfer(t) => t.flags = t.flags | TransferFlags::LINKED,
            // Cannot be linked; callers never put it inside a run.
            Event::SetNetDebitCap { .. } => {}
        }
    }
}
