//! `GET /v1/inbox`: a participant's events after a cursor, with long-polling, so that a bank
//! needs no public server to learn about incoming payments and status changes.
//!
//! The handler registers for the "something committed" notification *before* reading, so an
//! event committed between the read and the wait still wakes it. Expiries happen inside the
//! sequencer's idle ticks without a submission from this server, so the wait also re-reads at
//! least every [`RECHECK_MS`].

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use hub::{ParticipantId, Principal};

use crate::auth::Caller;
use crate::convert;
use crate::error::Code;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::wire::{InboxPage, InboxQuery};

/// Longest sleep between two reads of a waiting long-poll, in ms.
pub const RECHECK_MS: u64 = 1_000;

/// Events after `after`; waits up to `wait` seconds for the first one.
#[utoipa::path(get, path = "/v1/inbox", tag = "participants",
    params(
        ("after" = Option<u64>, Query, description = "Last cursor seen (default 0)"),
        ("wait" = Option<u64>, Query, description = "Seconds to wait for an event"),
        ("limit" = Option<usize>, Query, description = "Most events (default 100)"),
        ("participant" = Option<u64>, Query, description = "Whose inbox (operator, officers, auditors)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, body = InboxPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> Result<Json<InboxPage>, ApiError> {
    let participant = match (&caller.0, query.participant) {
        (Principal::Participant(own), None) => *own,
        (_, Some(id)) => {
            let id = ParticipantId(id);
            caller.require_sees_participant(id)?;
            id
        }
        (_, None) => {
            return Err(ApiError::invalid(
                Code::MissingField,
                "participant",
                "name the participant whose inbox to read",
            ));
        }
    };
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(0).min(state.config.page_limit_max);
    let wait = Duration::from_secs(
        query
            .wait
            .unwrap_or(0)
            .min(state.config.inbox_wait_max_secs),
    );
    // `validate` bounds the wait, so the deadline is representable; saturate all the same.
    let now = Instant::now();
    let deadline = now.checked_add(wait).unwrap_or(now);
    let mut stopping = state.stopping.subscribe();
    loop {
        let notified = state.changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let events: Vec<crate::wire::InboxEvent> = state
            .read(move |hub| {
                hub.inbox(participant, after, limit)
                    .iter()
                    .map(convert::event_wire)
                    .collect()
            })
            .await?;
        let now = Instant::now();
        if !events.is_empty() || now >= deadline || *stopping.borrow() {
            let next_cursor = events.last().map_or(after, |e| e.cursor);
            return Ok(Json(InboxPage {
                events,
                next_cursor,
            }));
        }
        let nap = (deadline - now).min(Duration::from_millis(RECHECK_MS));
        // A commit happened, the recheck interval passed, or the server is stopping: read again.
        tokio::select! {
            _ = tokio::time::timeout(nap, notified) => {}
            _ = stopping.changed() => {}
        }
    }
}
