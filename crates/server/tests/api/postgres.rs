//! PostgreSQL as the journal's system of record, end to end: a payment over HTTP, then a hub on
//! an empty data directory against the same database shows it. Needs the cluster scripts/test
//! starts (`KLIRING_TEST_POSTGRES`); skips loudly without it, fails under CI.

use server::config::PostgresConfig;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, config};

async fn start_on(url: &str) -> TestHub {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), true);
    config.postgres = Some(PostgresConfig {
        url: url.to_owned(),
        require_sync_replication: false,
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
