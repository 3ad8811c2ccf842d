//! Unauthenticated system endpoints (health, metrics, OpenAPI) and the operator's list reload.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use time::OffsetDateTime;

use crate::auth::Caller;
use crate::error::Code;
use crate::error::{ApiError, ErrorBody};
use crate::screen;
use crate::state::AppState;
use crate::wire::{AlarmView, HealthView, ListOverrideView, ListVersionView, ReadyView};

fn list_views(state: &AppState) -> Vec<ListVersionView> {
    state
        .screener
        .snapshot()
        .versions()
        .into_iter()
        .map(|v| ListVersionView {
            source: v.source.as_str().to_owned(),
            version: v.content_hash,
            label: v.label,
        })
        .collect()
}

/// Nanoseconds in a day.
const DAY_NS: i128 = 86_400 * 1_000_000_000;

/// How long health waits for the hub's own alarms (list overrides, sanctioned participants)
/// before answering without them: health answers at once whatever the sequencer waits for.
const HEALTH_READ_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// The role and database state the sequencer published (never a sequencer read):
/// (`role`, `database`, the problem if any).
fn published(state: &AppState) -> (&'static str, &'static str, Option<String>) {
    let status = state.sequencer.status();
    let role = match status.role {
        journal::Role::Leader => "leader",
        journal::Role::Standby => "standby",
    };
    let database = match (state.config.replication, &status.problem) {
        (crate::config::Replication::Embedded, _) => "embedded",
        (_, None) => "ok",
        (_, Some(_)) => "unavailable",
    };
    (role, database, status.problem)
}

/// Health with the lists' and the database's alarms; the hub read shows the sequencer answers.
async fn health_view(state: &AppState) -> Result<HealthView, ApiError> {
    let (role, database, problem) = published(state);
    let read = state.read(|hub| {
        let overrides = hub
            .list_overrides()
            .iter()
            .map(|o| ListOverrideView {
                source: o.record.source.clone(),
                version: o.record.version.clone(),
                entries: o.record.entries,
                generated: o.record.generated.clone(),
                reason: o.record.reason.clone(),
                recorded_at_ns: o.at,
            })
            .collect();
        let sanctioned = hub
            .sanctions()
            .iter()
            .filter(|(_, s)| s.cleared_at.is_none())
            .filter_map(|(id, s)| {
                let p = hub.participant(*id)?;
                let hits: Vec<String> = s
                    .screening
                    .hits
                    .iter()
                    .map(|h| format!("{} {} {:?}", h.list, h.reference, h.name))
                    .collect();
                Some(format!(
                    "participant {} {:?} ({}) is suspended: its name hits {}",
                    id.0,
                    p.name,
                    p.bic.as_str(),
                    hits.join(", ")
                ))
            })
            .collect();
        (overrides, sanctioned)
    });
    let (overrides, sanctioned, busy): (Vec<ListOverrideView>, Vec<String>, bool) =
        match tokio::time::timeout(HEALTH_READ_WAIT, read).await {
            Ok(read) => {
                let (overrides, sanctioned) = read?;
                (overrides, sanctioned, false)
            }
            Err(_) => (Vec::new(), Vec::new(), true),
        };
    let un = state.screener.installed_un();
    let un_state = state.screener.un_state();
    let age_days = un.as_ref().and_then(screen::generated_at).map(|generated| {
        let age = (OffsetDateTime::now_utc() - generated).whole_nanoseconds();
        u64::try_from(age.max(0) / DAY_NS).unwrap_or(u64::MAX)
    });
    let mut alarms = Vec::new();
    let mut alarm = |code: &str, message: String| {
        alarms.push(AlarmView {
            code: code.to_owned(),
            message,
        })
    };
    if let Some(problem) = &problem {
        alarm(
            "database_unavailable",
            format!("the journal's PostgreSQL cannot be written, writes get 503: {problem}"),
        );
    }
    if busy {
        alarm(
            "sequencer_busy",
            format!(
                "the sequencer did not answer within {} ms (a commit waits on the database?); \
                 list overrides and sanctioned participants are left out",
                HEALTH_READ_WAIT.as_millis()
            ),
        );
    }
    if un.is_none() {
        alarm("no_un_list", screen::NO_UN_LIST_MESSAGE.to_owned());
    }
    for message in sanctioned {
        alarm("participant_sanctioned", message);
    }
    if let Some(reason) = un_state.refused {
        alarm("un_list_refused", reason);
    }
    if let Some(record) = &un_state.overridden {
        alarm(
            "un_list_override",
            format!(
                "UN list {} is in force by the operator's override: {}",
                record.version, record.reason
            ),
        );
    }
    let max_age = u64::from(state.config.un_list_max_age_days);
    if let Some(days) = age_days.filter(|days| *days > max_age) {
        alarm(
            "un_list_stale",
            format!(
                "the UN list in force was generated {days} days ago (more than {max_age}); import the current one"
            ),
        );
    }
    if un.as_ref().and_then(|v| v.label.as_deref()) == Some(screening::fixtures::DEMO_LABEL) {
        alarm(
            "un_list_demo_data",
            "the UN list in force is the bundled demo data, not the published list".to_owned(),
        );
    }
    let degraded = problem.is_some() || busy;
    Ok(HealthView {
        status: if degraded { "degraded" } else { "ok" }.to_owned(),
        role: role.to_owned(),
        database: database.to_owned(),
        un_list_loaded: un.is_some(),
        lists: list_views(state),
        replication: state.config.replication.as_str().to_owned(),
        un_list_generated: un.and_then(|v| v.generated),
        un_list_age_days: age_days,
        alarms,
        list_overrides: overrides,
    })
}

/// Liveness and readiness: the sequencer answers a read, whether a UN list is loaded, and the
/// alarms about the lists (refused, overridden, stale, demo data).
#[utoipa::path(get, path = "/v1/health", tag = "system",
    responses((status = 200, body = HealthView), (status = 503, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<HealthView>, ApiError> {
    health_view(&state).await.map(Json)
}

/// Readiness for a load balancer or a Kubernetes probe: 200 when this hub leads and its
/// database commits, 503 for a standby or a hub that cannot commit. Answers from the status the
/// sequencer publishes, never waiting for it.
#[utoipa::path(get, path = "/v1/ready", tag = "system",
    responses((status = 200, body = ReadyView), (status = 503, body = ReadyView)))]
pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let (role, database, problem) = published(&state);
    let ready = role == "leader" && problem.is_none();
    let status = if ready {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    let view = ReadyView {
        ready,
        role: role.to_owned(),
        database: database.to_owned(),
        problem,
    };
    (status, Json(view))
}

/// Prometheus metrics in the text exposition format, for the operator or an auditor (the
/// counts tell how many payments are held: not for participants or the public).
#[utoipa::path(get, path = "/metrics", tag = "system", security(("bearer" = [])),
    responses((status = 200, content_type = "text/plain", body = String),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_metrics_view()?;
    state.metrics.set_journal(&state.sequencer.metrics());
    Ok((
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    ))
}

/// The OpenAPI 3 document of this API, generated from the code.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "system",
    responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn openapi() -> impl IntoResponse {
    Json(crate::openapi::document())
}

/// Re-reads `DATA/lists` (after `kliring lists import`) and swaps the lists in atomically. A UN
/// list that does not look like the published one is refused (422 `un_list_refused`, nothing
/// changes) unless the server runs with `--accept-unverified-un-list` (then the override is
/// journalled and raised on health).
#[utoipa::path(post, path = "/v1/lists/reload", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = HealthView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
pub async fn reload_lists(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<HealthView>, ApiError> {
    caller.require_operator()?;
    match state.screener.reload() {
        Ok(()) => {}
        Err(screen::ListLoadError::UnRefused(reason)) => {
            return Err(ApiError::refused(Code::UnListRefused, reason));
        }
        Err(error) => {
            tracing::error!(%error, "list reload failed; previous lists stay active");
            return Err(ApiError::Internal);
        }
    }
    screen::journal_override(&state).await?;
    screen::screen_participants(&state).await?;
    health_view(&state).await.map(Json)
}
