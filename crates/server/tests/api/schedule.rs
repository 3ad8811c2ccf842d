//! Settlement windows closed on a schedule (issue 5: "closed by operator command or on a
//! schedule"): the server closes a busy deferred-net window each interval, never while the
//! previous one awaits settlement, and settling stays the operator's decision.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, config};

async fn scheduled_hub(interval_secs: u64) -> TestHub {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), true);
    config.window_close_interval_secs = Some(interval_secs);
    let server = server::start(config).await.expect("server starts");
    TestHub {
        base: server.base_url(),
        server: Some(server),
        client: reqwest::Client::new(),
        dir,
    }
}

async fn pay_and_accept(s: &Scheme, amount: &str) {
    let pay = s.payment(amount);
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let path = format!("/v1/payments/{id}/accept");
    s.hub.expect(&path, &s.b_token, json!({}), 200).await;
}

async fn kes_windows(s: &Scheme) -> Vec<Value> {
    let reply = s
        .hub
        .get("/v1/settlement/windows?currency=KES", OPERATOR_TOKEN)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body.as_array().expect("windows").clone()
}

fn with_status(windows: &[Value], status: &str) -> usize {
    windows.iter().filter(|w| w["status"] == status).count()
}

/// Waits (bounded) until `done` holds for the KES windows.
async fn wait_for(s: &Scheme, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let windows = kes_windows(s).await;
        if done(&windows) || Instant::now() > deadline {
            return windows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn busy_windows_close_on_schedule_and_wait_for_settlement() {
    let s = Scheme::on(scheduled_hub(1).await).await;
    // An idle window is left open.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(with_status(&kes_windows(&s).await, "closed"), 0);

    pay_and_accept(&s, "10.00").await;
    let windows = wait_for(&s, |w| with_status(w, "closed") == 1).await;
    let closed = windows
        .iter()
        .find(|w| w["status"] == "closed")
        .expect("closed on schedule");
    let report = &closed["report"];
    assert_eq!(report["obligation_count"], 1);
    assert_eq!(report["gross_total"], "10.00");
    let nets: Vec<&str> = report["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["net"].as_str().unwrap())
        .collect();
    assert_eq!(nets, ["-10.00", "10.00"]);

    // The next window gets busy, but stays open while the closed one awaits settlement.
    pay_and_accept(&s, "2.50").await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(with_status(&kes_windows(&s).await, "closed"), 1);

    let id = closed["id"].as_u64().unwrap();
    let path = format!("/v1/settlement/windows/{id}/settle");
    s.hub.expect(&path, OPERATOR_TOKEN, json!({}), 200).await;
    let windows = wait_for(&s, |w| {
        with_status(w, "settled") == 1 && with_status(w, "closed") == 1
    })
    .await;
    assert_eq!(with_status(&windows, "settled"), 1, "{windows:?}");
    assert_eq!(with_status(&windows, "closed"), 1, "{windows:?}");
    assert_eq!(s.balance(s.a, "KES").await["position"], "-2.50");
    s.hub.shutdown().await;
}
