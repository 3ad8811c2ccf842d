//! camt.053 (statement of a participant's position for a period) and camt.054 (debit/credit
//! notification of one payment), built from the hub's payments.
//!
//! The statement covers money moved by payments only: each committed leg of a payment (FX legs
//! included) that debits or credits the participant in the currency, booked at the time it was
//! committed; reserved payments are not booked yet and appear only in camt.054 (as pending).
//! Liquidity deposits, withdrawals and window settlements are not payments and are not shown,
//! so the balances are the participant's net payment position (opening: every such leg before
//! `from`; closing: opening plus the entries of the period).

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::response::Response;
use hub::state::{Payment, StepKind};
use hub::{CurrencyCode, ParticipantId, PaymentId, PaymentStatus, Principal, Timestamp};
use iso20022::emit::{
    self, Balance, BankTxCode, CreditDebit, Entry, EntryStatus, Notification, Statement,
    StatementAccount,
};
use iso20022::model::{AccountId, Party, PostalAddress};
use iso20022::{Amount, Currency};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};

use super::Shared;
use super::answer;
use super::lookup::Member;
use crate::auth::Caller;
use crate::error::Code;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// `GET /v1/iso20022/camt.053` query: whose account, which currency, and the period
/// (`from` inclusive, `to` exclusive; RFC 3339 date-times, or dates meaning 00:00 UTC of `from`
/// and the end of `to`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    pub participant: u64,
    pub currency: String,
    pub from: String,
    pub to: String,
}

/// `GET /v1/iso20022/camt.054/{id}` query: the participant whose side is notified (default:
/// the calling participant; required for the operator and auditors).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    pub participant: Option<u64>,
}

/// One leg of a committed payment as it touches the participant.
struct Movement {
    at: Timestamp,
    amount: u128,
    side: CreditDebit,
    payment: PaymentId,
    end_to_end_id: String,
    counterparty: hub::Party,
    remittance: Option<String>,
    is_return: bool,
    booked: bool,
}

/// camt.053.001.12 statement of a participant's payment movements in a currency for a period.
#[utoipa::path(get, path = "/v1/iso20022/camt.053", tag = "iso20022",
    params(("participant" = u64, Query, description = "Participant id"),
        ("currency" = String, Query, description = "ISO 4217 code"),
        ("from" = String, Query, description = "Start (inclusive): RFC 3339 date-time or date"),
        ("to" = String, Query, description = "End (exclusive): RFC 3339 date-time, or a date (to its end)")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/xml", body = String),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn camt053(
    State(state): State<AppState>,
    Extension(shared): Extension<Arc<Shared>>,
    caller: Caller,
    ApiQuery(q): ApiQuery<StatementQuery>,
) -> Result<Response, ApiError> {
    let participant = ParticipantId(q.participant);
    caller.require_sees_participant(participant)?;
    let from = instant(&q.from, "from", false)?;
    let to = instant(&q.to, "to", true)?;
    if to <= from {
        return Err(ApiError::invalid(
            Code::InvalidPeriod,
            "to",
            "to must be after from",
        ));
    }
    let (hub_currency, currency) = currencies(&state, &q.currency).await?;
    let member = member(&state, &shared, participant).await?;
    let (from_ns, to_ns) = (nanos(from)?, nanos(to)?);
    let viewer = caller.0.clone();
    let movements = state
        .read(move |hub| {
            let mut out = Vec::new();
            for_each_payment(hub, &viewer, participant, |p| {
                out.extend(
                    movements(p, participant, hub_currency).filter(|m| m.booked && m.at < to_ns),
                );
            });
            out
        })
        .await?;
    let mut opening: i128 = 0;
    let mut entries = Vec::new();
    for m in &movements {
        if m.at < from_ns {
            opening = add_signed(opening, m)?;
        } else {
            entries.push(entry(m, currency)?);
        }
    }
    let closing = movements
        .iter()
        .filter(|m| m.at >= from_ns)
        .try_fold(opening, add_signed)?;
    let created = answer::now()?;
    let last_day = OffsetDateTime::from_unix_timestamp_nanos(to_ns.saturating_sub(1).into())
        .map_err(|_| ApiError::Internal)?;
    let statement = Statement {
        msg_id: answer::msg_id(),
        created,
        statement_id: format!("S{}{}{}", participant.0, currency, from.unix_timestamp()),
        account: account(&member, currency),
        from: emit::iso_datetime(from).map_err(answer::emit_failed)?,
        to: emit::iso_datetime(to).map_err(answer::emit_failed)?,
        opening: balance(opening, currency, from.date())?,
        closing: balance(closing, currency, last_day.date())?,
        entries,
    };
    answer::xml(emit::camt053(&statement))
}

/// camt.054.001.12 debit/credit notification of one payment for one participant's side.
#[utoipa::path(get, path = "/v1/iso20022/camt.054/{id}", tag = "iso20022",
    params(("id" = Uuid, Path, description = "Payment id"),
        ("participant" = Option<u64>, Query, description = "Whose side (default: the caller)")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/xml", body = String),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn camt054(
    State(state): State<AppState>,
    Extension(shared): Extension<Arc<Shared>>,
    caller: Caller,
    ApiPath(id): ApiPath<PaymentId>,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> Result<Response, ApiError> {
    let participant = match (&caller.0, q.participant) {
        (Principal::Participant(me), None) => *me,
        (_, Some(p)) => ParticipantId(p),
        (_, None) => {
            return Err(ApiError::invalid(
                Code::ParticipantRequired,
                "participant",
                "name the participant whose side to notify",
            ));
        }
    };
    caller.require_sees_participant(participant)?;
    let viewer = caller.0.clone();
    let payment = state
        .read(move |hub| hub.payment_for(&viewer, id).cloned())
        .await?
        .filter(|p| p.involves(participant))
        .ok_or_else(|| ApiError::not_found(Code::PaymentNotFound, "payment not found"))?;
    let Some(currency) = payment
        .legs
        .iter()
        .find(|l| l.from == participant || l.to == participant)
        .map(|l| l.currency)
    else {
        return Err(not_booked());
    };
    let moves: Vec<Movement> = movements(&payment, participant, currency).collect();
    if moves.is_empty() {
        return Err(not_booked());
    }
    let (_, iso_currency) = currencies(&state, currency.as_str()).await?;
    let member = member(&state, &shared, participant).await?;
    let entries = moves
        .iter()
        .map(|m| entry(m, iso_currency))
        .collect::<Result<Vec<_>, _>>()?;
    let notification = Notification {
        msg_id: answer::msg_id(),
        created: answer::now()?,
        notification_id: format!("N{}", payment.id().simple()),
        account: account(&member, iso_currency),
        entries,
    };
    answer::xml(emit::camt054(&notification))
}

fn not_booked() -> ApiError {
    ApiError::Refused {
        code: Code::PaymentNotBooked,
        message: "the payment has no reserved or committed movement on this participant".to_owned(),
        field: None,
    }
}

/// Every payment of `participant` that `viewer` may see, page by page.
fn for_each_payment(
    hub: &hub::Hub,
    viewer: &Principal,
    participant: ParticipantId,
    mut f: impl FnMut(&Payment),
) {
    let mut filter = hub::query::PaymentFilter {
        participant: Some(participant),
        ..hub::query::PaymentFilter::default()
    };
    loop {
        let page = hub.payments(viewer, &filter);
        page.payments.iter().for_each(|p| f(p));
        match page.next_cursor {
            Some(cursor) => filter.after = Some(cursor),
            None => break,
        }
    }
}

/// The legs of `payment` that move money of `participant` in `currency`: booked when the
/// payment is committed (or later returned), pending while reserved; none otherwise.
fn movements(
    payment: &Payment,
    participant: ParticipantId,
    currency: CurrencyCode,
) -> impl Iterator<Item = Movement> + '_ {
    let booked = matches!(
        payment.status,
        PaymentStatus::Committed | PaymentStatus::Returned
    );
    let pending = payment.status == PaymentStatus::Reserved;
    let at = payment
        .history
        .iter()
        .rev()
        .find(|s| s.kind == StepKind::Committed)
        .map_or(payment.updated_at, |s| s.at);
    let i = &payment.instruction;
    payment
        .legs
        .iter()
        .filter(move |l| (booked || pending) && l.currency == currency)
        .filter_map(move |l| {
            let (side, counterparty) = if l.from == participant {
                (CreditDebit::Debit, &i.creditor)
            } else if l.to == participant {
                (CreditDebit::Credit, &i.debtor)
            } else {
                return None;
            };
            Some(Movement {
                at,
                amount: l.amount,
                side,
                payment: payment.id(),
                end_to_end_id: i.end_to_end_id.clone(),
                counterparty: counterparty.clone(),
                remittance: i.remittance_info.clone(),
                is_return: payment.return_of.is_some(),
                booked,
            })
        })
}

fn add_signed(total: i128, m: &Movement) -> Result<i128, ApiError> {
    let amount = i128::try_from(m.amount).map_err(|_| ApiError::Internal)?;
    match m.side {
        CreditDebit::Credit => total.checked_add(amount),
        CreditDebit::Debit => total.checked_sub(amount),
    }
    .ok_or(ApiError::Internal)
}

fn entry(m: &Movement, currency: Currency) -> Result<Entry, ApiError> {
    let date = date_of(m.at)?;
    let family = match m.side {
        CreditDebit::Credit => "RCDT",
        CreditDebit::Debit => "ICDT",
    };
    let payment = hub_payment_refs(m);
    Ok(Entry {
        reference: Some(m.payment.simple().to_string()),
        amount: Amount {
            currency,
            minor_units: m.amount,
        },
        side: m.side,
        status: if m.booked {
            EntryStatus::Booked
        } else {
            EntryStatus::Pending
        },
        booking_date: m.booked.then(|| date.clone()),
        value_date: Some(date),
        bank_tx_code: BankTxCode {
            domain: "PMNT".to_owned(),
            family: family.to_owned(),
            sub_family: if m.is_return { "RRTN" } else { "XBCT" }.to_owned(),
        },
        refs: payment,
        counterparty: Some(Party {
            name: Some(m.counterparty.name.clone()),
            address: Some(PostalAddress {
                country: Some(m.counterparty.country.as_str().to_owned()),
                lines: m.counterparty.address_lines.clone(),
                ..PostalAddress::default()
            }),
            ..Party::default()
        }),
        remittance: m.remittance.iter().cloned().collect(),
    })
}

fn hub_payment_refs(m: &Movement) -> iso20022::model::OriginalRef {
    let id = m.payment.to_string();
    iso20022::model::OriginalRef {
        end_to_end_id: Some(m.end_to_end_id.clone()),
        uetr: iso20022::rules::is_uuid_v4(&id).then_some(id),
        ..iso20022::model::OriginalRef::default()
    }
}

/// The participant's position account in `currency`, identified as `BIC-CCY`.
fn account(member: &Member, currency: Currency) -> StatementAccount {
    StatementAccount {
        id: AccountId::Other {
            id: format!("{}-{currency}", member.bic),
            scheme: None,
        },
        currency,
        owner: Some(Party {
            name: Some(member.name.clone()),
            bic: Some(member.bic.clone()),
            ..Party::default()
        }),
        servicer: None,
    }
}

fn balance(net: i128, currency: Currency, date: Date) -> Result<Balance, ApiError> {
    Ok(Balance {
        amount: Amount {
            currency,
            minor_units: net.unsigned_abs(),
        },
        side: if net < 0 {
            CreditDebit::Debit
        } else {
            CreditDebit::Credit
        },
        date: iso_date(date),
    })
}

async fn member(
    state: &AppState,
    shared: &Shared,
    participant: ParticipantId,
) -> Result<Member, ApiError> {
    shared
        .directory
        .get(state, &[participant], &[])
        .await?
        .by_id(participant)
        .cloned()
        .ok_or_else(|| ApiError::not_found(Code::ParticipantNotFound, "participant not found"))
}

/// The scheme's currency and its ISO form; their exponents must agree, since the statement
/// writes hub minor units with the ISO exponent.
pub(super) async fn currencies(
    state: &AppState,
    code: &str,
) -> Result<(CurrencyCode, Currency), ApiError> {
    let (hub_currency, exponent) = state.exponent(code, "currency").await?;
    match Currency::new(code) {
        Some(c) if c.exponent() == exponent => Ok((hub_currency, c)),
        _ => Err(ApiError::invalid(
            Code::CurrencyNotIso,
            "currency",
            format!("{code} with {exponent} decimals is not an ISO 4217 currency ISO can report"),
        )),
    }
}

/// A period bound: an RFC 3339 date-time, or a date (its start; for `to`, the next day's).
fn instant(text: &str, field: &str, end: bool) -> Result<OffsetDateTime, ApiError> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(text, &format).map_err(|_| {
        ApiError::invalid(
            Code::InvalidDatetime,
            field,
            format!("{field} must be an RFC 3339 date-time or a YYYY-MM-DD date"),
        )
    })?;
    let start = date.with_time(Time::MIDNIGHT).assume_utc();
    if end {
        // The day after 9999-12-31 is beyond `time`'s range: refuse, do not panic.
        return start.checked_add(time::Duration::DAY).ok_or_else(|| {
            ApiError::invalid(Code::InvalidDatetime, field, "date-time is out of range")
        });
    }
    Ok(start)
}

fn nanos(t: OffsetDateTime) -> Result<Timestamp, ApiError> {
    // Before 1970 there are no payments; clamp to the epoch.
    let ns = t.unix_timestamp_nanos().max(0);
    Timestamp::try_from(ns)
        .map_err(|_| ApiError::invalid(Code::InvalidDatetime, "to", "date-time is out of range"))
}

fn date_of(at: Timestamp) -> Result<String, ApiError> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at))
        .map_err(|_| ApiError::Internal)?;
    Ok(iso_date(t.date()))
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_bounds_accept_dates_and_datetimes() {
        let from = instant("2026-11-26", "from", false).expect("date");
        let to = instant("2026-11-26", "to", true).expect("date");
        assert_eq!(to - from, time::Duration::DAY);
        let t = instant("2026-11-26T10:00:00+02:00", "from", false).expect("datetime");
        assert_eq!(t.unix_timestamp(), from.unix_timestamp() + 8 * 3600);
        assert!(instant("26/11/2026", "from", false).is_err());
        assert_eq!(iso_date(from.date()), "2026-11-26");
    }
}
