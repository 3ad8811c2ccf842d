//! Unauthenticated system endpoints (health, metrics, OpenAPI) and the operator's list reload.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::wire::{HealthView, ListVersionView};

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

/// Liveness and readiness: the sequencer answers a read, and whether a UN list is loaded.
#[utoipa::path(get, path = "/v1/health", tag = "system",
    responses((status = 200, body = HealthView), (status = 503, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<HealthView>, ApiError> {
    state.read(|_| ()).await?;
    Ok(Json(HealthView {
        status: "ok".to_owned(),
        un_list_loaded: state.screener.snapshot().has_un(),
        lists: list_views(&state),
        replication: state.config.replication.as_str().to_owned(),
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.metrics.set_journal(&state.sequencer.metrics());
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// The OpenAPI 3 document of this API, generated from the code.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "system",
    responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn openapi() -> impl IntoResponse {
    Json(crate::openapi::document())
}

/// Re-reads `DATA/lists` (after `kliring lists import`) and swaps the lists in atomically.
#[utoipa::path(post, path = "/v1/lists/reload", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = HealthView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn reload_lists(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<HealthView>, ApiError> {
    caller.require_operator()?;
    state.screener.reload().map_err(|error| {
        tracing::error!(%error, "list reload failed; previous lists stay active");
        ApiError::Internal
    })?;
    Ok(Json(HealthView {
        status: "ok".to_owned(),
        un_list_loaded: state.screener.snapshot().has_un(),
        lists: list_views(&state),
        replication: state.config.replication.as_str().to_owned(),
    }))
}
