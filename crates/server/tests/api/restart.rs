//! Restart: everything the API showed before a shutdown is identical after a restart on the same
//! data directory; and the first-start operator bootstrap.

use serde_json::{Value, json};

use crate::harness::{OPERATOR_TOKEN, Scheme};

async fn everything(s: &Scheme) -> (Value, Vec<Value>) {
    let payments = s.hub.get("/v1/payments?limit=1000", OPERATOR_TOKEN).await;
    assert_eq!(payments.status, 200);
    let mut balances = Vec::new();
    for id in [s.a, s.b, s.c] {
        balances.push(
            s.hub
                .get(&format!("/v1/participants/{id}/balances"), OPERATOR_TOKEN)
                .await
                .body,
        );
    }
    (payments.body, balances)
}

#[tokio::test]
async fn payments_and_balances_survive_restart() {
    let mut s = Scheme::new().await;
    let mut ids = Vec::new();
    for amount in ["1.00", "2.50", "3.75", "4.01"] {
        let pay = s.payment(amount);
        ids.push(pay["payment_id"].as_str().unwrap().to_owned());
        s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    }
    s.hub
        .expect(
            &format!("/v1/payments/{}/accept", ids[0]),
            &s.b_token,
            json!({}),
            200,
        )
        .await;
    s.hub
        .expect(
            &format!("/v1/payments/{}/reject", ids[1]),
            &s.b_token,
            json!({}),
            200,
        )
        .await;
    s.hub
        .expect(
            &format!("/v1/payments/{}/accept", ids[2]),
            &s.b_token,
            json!({}),
            200,
        )
        .await;
    let before = everything(&s).await;
    assert_eq!(before.0["payments"].as_array().unwrap().len(), 4);

    s.hub.restart().await;
    let after = everything(&s).await;
    assert_eq!(before, after);
    // Tokens issued before the restart still work, and the hub continues where it stopped.
    s.hub
        .expect(
            &format!("/v1/payments/{}/accept", ids[3]),
            &s.b_token,
            json!({}),
            200,
        )
        .await;
    assert_eq!(s.balance(s.b, "KES").await["position"], "8.76");
    s.hub.shutdown().await;
}

#[tokio::test]
async fn first_start_writes_a_private_operator_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::harness::config(dir.path(), true);
    config.operator_token = None;
    let server = server::start(config.clone()).await.unwrap();
    let generated = server
        .operator_token
        .clone()
        .expect("first start registers a token");
    let path = dir.path().join("operator.token");
    assert_eq!(std::fs::read_to_string(&path).unwrap().trim(), generated);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let client = reqwest::Client::new();
    let status = |url: String, token: String| {
        let client = client.clone();
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        status(
            format!("{}/v1/participants", server.base_url()),
            generated.clone()
        )
        .await,
        200
    );
    server.shutdown().await.unwrap();

    let server = server::start(config).await.unwrap();
    assert_eq!(server.operator_token, None, "no second registration");
    assert_eq!(std::fs::read_to_string(&path).unwrap().trim(), generated);
    assert_eq!(
        status(format!("{}/v1/participants", server.base_url()), generated).await,
        200
    );
    server.shutdown().await.unwrap();
}
