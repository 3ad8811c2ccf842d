//! PostgreSQL as the journal's system of record, end to end: a payment over HTTP, then a hub on
//! an empty data directory against the same database shows it; a standby hub names its role,
//! refuses writes and takes over when the leader goes. Needs the cluster scripts/test
//! starts (`KLIRING_TEST_POSTGRES`); skips loudly without it, fails under CI.

use server::config::PostgresConfig;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, config};

async fn start_on(url: &str) -> TestHub {
    start_as(url, false).await
}

async fn start_as(url: &str, standby: bool) -> TestHub {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), true);
    config.postgres = Some(PostgresConfig {
        url: url.to_owned(),
        require_sync_replication: false,
        commit_timeout_ms: 5_000,
        standby,
    });
    let server = server::start(config).await.expect("server starts");
    TestHub {
        base: server.base_url(),
        server: Some(server),
        client: reqwest::Client::new(),
        dir,
    }
}

#[tokio::test]
async fn a_payment_survives_on_an_empty_data_dir_through_postgres() {
    // The sync client runs its own runtime, so not on this test's.
    let Some(url) = tokio::task::spawn_blocking(journal_pg::testing::scratch_database)
        .await
        .expect("joined")
    else {
        return;
    };
    let s = Scheme::on(start_on(&url).await).await;
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await;
    // scripts/test gives the server a synchronous standby; a bare server has none.
    let expected = match std::env::var("KLIRING_TEST_POSTGRES_STANDBY") {
        Ok(_) => "postgres_synchronous",
        Err(_) => "postgres_not_synchronous",
    };
    assert_eq!(health.body["replication"], expected);
    let payment = s.payment("12.34");
    let id = payment["payment_id"].as_str().expect("id").to_owned();
    s.hub.expect("/v1/payments", &s.a_token, payment, 201).await;
    let a_token = s.a_token.clone();
    s.hub.shutdown().await;

    let hub = start_on(&url).await;
    let shown = hub.get(&format!("/v1/payments/{id}"), &a_token).await;
    assert_eq!(shown.status, 200, "{:?}", shown.body);
    assert_eq!(shown.body["amount"], "12.34");
    hub.shutdown().await;
}

#[tokio::test]
async fn a_standby_hub_refuses_writes_by_role_and_takes_over_when_the_leader_goes() {
    let Some(url) = tokio::task::spawn_blocking(journal_pg::testing::scratch_database)
        .await
        .expect("joined")
    else {
        return;
    };
    let s = Scheme::on(start_on(&url).await).await;
    let first = s.payment("1.00");
    let first_id = first["payment_id"].as_str().expect("id").to_owned();
    s.hub.expect("/v1/payments", &s.a_token, first, 201).await;
    let ready = s.hub.get("/v1/ready", OPERATOR_TOKEN).await;
    assert_eq!((ready.status, &ready.body["role"]), (200, &"leader".into()));

    let standby = start_as(&url, true).await;
    let health = standby.get("/v1/health", OPERATOR_TOKEN).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["role"], "standby");
    assert_eq!(health.body["database"], "ok");
    let ready = standby.get("/v1/ready", OPERATOR_TOKEN).await;
    assert_eq!((ready.status, &ready.body["ready"]), (503, &false.into()));
    let response = standby
        .client
        .post(format!("{}/v1/payments", standby.base))
        .bearer_auth(&s.a_token)
        .json(&s.payment("2.00"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let refused: serde_json::Value = response.json().await.expect("json");
    assert_eq!(refused["code"], "not_leader");

    let a_token = s.a_token.clone();
    let next = s.payment("3.00");
    s.hub.shutdown().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while standby.get("/v1/ready", OPERATOR_TOKEN).await.status != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the standby never took over"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    standby.expect("/v1/payments", &a_token, next, 201).await;
    let shown = standby
        .get(&format!("/v1/payments/{first_id}"), &a_token)
        .await;
    assert_eq!(shown.status, 200, "{:?}", shown.body);
    standby.shutdown().await;
}
