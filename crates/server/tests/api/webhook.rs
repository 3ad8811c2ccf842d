//! Webhooks: inbox events are POSTed to the registered URL with a verifiable HMAC signature,
//! failed deliveries are retried, and only the participant (or the operator) manages its hook.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::harness::{OPERATOR_TOKEN, Scheme};

/// A receiver on loopback that fails its first `failures` deliveries, then records them.
async fn receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<(String, String, Bytes)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let failed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let (tx, failed) = (tx.clone(), failed.clone());
            async move {
                if failed.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < failures {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                let _ = tx.send((
                    header("x-kliring-signature"),
                    header("x-kliring-cursor"),
                    body,
                ));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test]
async fn events_are_delivered_signed_and_retried() {
    let s = Scheme::new().await;
    let (url, mut deliveries) = receiver(1).await;
    let path = format!("/v1/participants/{}/webhook", s.b);
    let put = |token: String, body: Value| {
        let path = path.clone();
        let hub = &s.hub;
        async move { hub.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };
    let denied = put(s.a_token.clone(), json!({ "url": url })).await;
    assert_eq!(
        (denied.status, denied.code()),
        (403, "forbidden_not_own_participant")
    );
    let bad = put(s.b_token.clone(), json!({ "url": "ftp://example" })).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_url"));
    let registered = put(s.b_token.clone(), json!({ "url": url })).await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    let secret = registered.body["secret"].as_str().unwrap().to_owned();
    let shown = s.hub.get(&path, OPERATOR_TOKEN).await;
    assert_eq!(
        (shown.body["url"].as_str(), shown.body.get("secret")),
        (Some(url.as_str()), None)
    );

    let pay = s.payment("4.20");
    let id = pay["payment_id"].as_str().unwrap().to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let (signature, cursor, body) =
        tokio::time::timeout(Duration::from_secs(10), deliveries.recv())
            .await
            .expect("delivered after one failed attempt")
            .expect("receiver alive");
    assert_eq!(signature, server::webhook::signature(&secret, &body));
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (event["kind"].as_str(), event["payment_id"].as_str()),
        (Some("incoming_payment"), Some(id.as_str()))
    );
    assert_eq!(cursor, event["cursor"].to_string());

    let removed = s
        .hub
        .call(Method::DELETE, &path, Some(&s.b_token), None)
        .await;
    assert_eq!(removed.status, 204);
    let gone = s.hub.get(&path, &s.b_token).await;
    assert_eq!((gone.status, gone.code()), (404, "webhook_not_found"));
    s.hub.shutdown().await;
}

/// By default a webhook may not point into the operator's network (loopback, private or
/// link-local addresses, `localhost`): 422 `webhook_target_not_allowed`, nothing registered.
#[tokio::test]
async fn internal_webhook_targets_are_refused_by_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = crate::harness::config(dir.path(), true);
    settings.webhook_private_targets = false;
    let server = server::start(settings).await.expect("server starts");
    let base = server.base_url();
    let client = reqwest::Client::new();
    let admitted: Value = client
        .post(format!("{base}/v1/participants"))
        .bearer_auth(OPERATOR_TOKEN)
        .json(&json!({ "name": "Alpha Bank", "bic": "ALPHKENA", "country": "KE" }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let hook = format!("{base}/v1/participants/{}/webhook", admitted["id"]);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ] {
        let reply = client
            .put(&hook)
            .bearer_auth(OPERATOR_TOKEN)
            .json(&json!({ "url": url }))
            .send()
            .await
            .expect("sent");
        assert_eq!(reply.status(), 422, "{url}");
        let body: Value = reply.json().await.expect("json");
        assert_eq!(body["code"], "webhook_target_not_allowed", "{url}");
    }
    let shown = client
        .get(&hook)
        .bearer_auth(OPERATOR_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(shown.status(), 404, "nothing registered");
    server.shutdown().await.expect("clean shutdown");
}
