//! Scheduled closing of deferred-net settlement windows.
//!
//! With `ServerConfig::window_close_interval_secs` set, every interval the server closes each
//! deferred-net currency's open window that has obligations, as the operator would with
//! `POST /v1/settlement/windows/close` (instructions via the settlement account). Closing is a
//! journalled command like any other, so replay needs no schedule. A currency whose previous
//! window still awaits the operator's settlement confirmation is skipped until it is settled:
//! the hub allows one unsettled window per currency. Settling stays a human decision.

use std::time::Duration;

use hub::{Action, Command, InstructionMode, Principal, SettlementModel, WindowStatus};

use crate::state::AppState;

/// Runs until the server starts stopping.
pub fn spawn_window_closer(state: AppState, interval: Duration) {
    let mut stopping = state.stopping.subscribe();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await; // the first tick is immediate; the first close is one interval in
        loop {
            tokio::select! {
                _ = ticks.tick() => close_due_windows(&state).await,
                _ = stopping.changed() => return,
            }
        }
    });
}

async fn close_due_windows(state: &AppState) {
    let due = state
        .read(|hub| {
            hub.currencies()
                .filter(|c| c.model == SettlementModel::DeferredNet)
                .map(|c| c.code)
                .filter(|&code| {
                    let awaiting = hub.windows(code).any(|w| w.status == WindowStatus::Closed);
                    let busy = hub
                        .open_window_of(code)
                        .is_some_and(|w| !w.obligations.is_empty());
                    busy && !awaiting
                })
                .collect::<Vec<_>>()
        })
        .await;
    let due = match due {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(?error, "scheduled window close: cannot read the hub");
            return;
        }
    };
    for currency in due {
        let action = Action::CloseWindow {
            currency,
            mode: InstructionMode::ViaSettlementAccount,
        };
        match state
            .submit(Command::new(Principal::Operator, action))
            .await
        {
            Ok(Ok(_)) => tracing::info!(%currency, "settlement window closed on schedule"),
            Ok(Err(error)) => {
                tracing::warn!(%currency, code = error.code(), "scheduled window close refused")
            }
            Err(error) => tracing::warn!(%currency, ?error, "scheduled window close failed"),
        }
    }
}
