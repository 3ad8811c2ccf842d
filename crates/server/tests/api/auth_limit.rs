//! Failed authentications per client address: past the limit, unknown tokens get 429 with
//! `Retry-After` (no hub lookup), while tokens the server already knows keep working.

use crate::harness::{OPERATOR_TOKEN, config};

#[tokio::test]
async fn guessing_tokens_is_limited_per_address_and_known_tokens_still_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), true);
    settings.auth_failures_per_minute = 3;
    let server = server::start(settings).await.expect("server starts");
    let base = server.base_url();
    let client = reqwest::Client::new();
    let get = |token: &str| {
        client
            .get(format!("{base}/v1/participants"))
            .bearer_auth(token)
            .send()
    };
    // The operator's token is known before the guessing starts.
    assert_eq!(get(OPERATOR_TOKEN).await.expect("sent").status(), 200);
    for n in 0..3 {
        let reply = get(&format!("guess-{n}")).await.expect("sent");
        assert_eq!(reply.status(), 401, "failure {n} is an ordinary 401");
    }
    let limited = get("guess-3").await.expect("sent");
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=61).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = limited.json().await.expect("json");
    assert_eq!(body["code"], "too_many_failed_authentications");
    // The operator, already known, is not locked out from the same address.
    assert_eq!(get(OPERATOR_TOKEN).await.expect("sent").status(), 200);
    // A missing token costs no lookup: still a plain 401.
    let anonymous = client
        .get(format!("{base}/v1/participants"))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);
    server.shutdown().await.expect("clean shutdown");
}
