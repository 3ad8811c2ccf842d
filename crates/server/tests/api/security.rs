//! The attack pass's findings (issue 13), one test each: the ISO parser's limits, the failed-
//! authentication limiter with valid credentials, slow clients, tipping off, webhook targets,
//! and hygiene.

use serde_json::json;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, config, credential};
use crate::iso20022::{Transfer, post_xml};

/// A pacs.008 with 120,000 attributes on one element (1.3 MB) used to take seconds of CPU on
/// the async workers (quadratic duplicate checks). Now the reader stops at the limit: `FF01`
/// naming it, nothing applied, and the hub keeps answering.
#[tokio::test]
async fn an_element_with_too_many_attributes_is_ff01() {
    let s = Scheme::new().await;
    let attrs: String = (0..120_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let xml = Transfer::kes("A-ATTR-1", None, "1.00")
        .xml()
        .replace("<CdtTrfTxInf>", &format!("<CdtTrfTxInf{attrs}>"));
    assert!(xml.len() > 1_300_000);
    let (status, body) = post_xml(&s.hub, Some(&s.a_token), xml).await;
    assert_eq!(status, 400, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["code"], "iso20022_unreadable");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("FF01") && message.contains("attributes"),
        "{message}"
    );
    // The same transfer without the attributes is accepted: the MsgId was not used up.
    let ok = Transfer::kes("A-ATTR-1", None, "1.00").xml();
    let (status, body) = post_xml(&s.hub, Some(&s.a_token), ok).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("ACSP"), "{body}");
    s.hub.shutdown().await;
}

/// Junk tokens from one address (all banks share one behind a TLS proxy) must not lock out a
/// valid credential the server has not seen yet (after a restart, the cache is empty).
#[tokio::test]
async fn junk_tokens_never_lock_out_a_valid_credential() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), true);
    settings.auth_failures_per_minute = 3;
    let hub = TestHub::start_config(dir, settings).await;
    let participant = crate::harness::admit(&hub, "Alpha Bank", "ALPHKENA").await;
    let token = credential(
        &hub,
        json!({ "role": "participant", "participant_id": participant }),
    )
    .await;
    let auditor = credential(&hub, json!({ "role": "auditor" })).await;
    for n in 0..40 {
        let reply = hub.get("/v1/participants", &format!("junk-{n}")).await;
        let expected = if n < 3 { 401 } else { 429 };
        assert_eq!(reply.status, expected, "junk {n}: {:?}", reply.body);
    }
    // Never presented before, so not cached: checked (in a coalesced read) and let in.
    let reply = hub
        .get(&format!("/v1/participants/{participant}"), &token)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let reply = hub.get("/v1/participants", &auditor).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    // Junk is still refused with 429 while the address is limited.
    let reply = hub.get("/v1/participants", "junk-again").await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.code(), "too_many_failed_authentications");
    let reply = hub.get("/v1/participants", OPERATOR_TOKEN).await;
    assert_eq!(reply.status, 200);
    hub.shutdown().await;
}

/// Tipping off: while compliance holds a payment its creditor bank must not learn of it (not
/// by id, not in its list, not in its inbox); the debtor bank sees `held` without the hits;
/// once released and reserved, the creditor sees it, still without screening details.
#[tokio::test]
async fn a_held_payment_is_invisible_to_its_creditor_until_released() {
    let s = Scheme::new().await;
    let pay = crate::harness::payment_json(uuid::Uuid::new_v4(), s.a, s.b, "50.00", "Doku Umarov");
    let id = pay["payment_id"].as_str().expect("id").to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(created["status"], "held");
    let path = format!("/v1/payments/{id}");

    let debtor = s.hub.get(&path, &s.a_token).await;
    assert_eq!(debtor.status, 200);
    assert_eq!(debtor.body["status"], "held");
    assert_eq!(debtor.body["screening_hits"], 0);
    let fields = debtor.body["screening_hit_fields"].as_array();
    assert!(fields.is_none_or(Vec::is_empty), "{:?}", debtor.body);

    let creditor = s.hub.get(&path, &s.b_token).await;
    assert_eq!(creditor.status, 404, "{:?}", creditor.body);
    let listed = s.hub.get("/v1/payments", &s.b_token).await;
    assert_eq!(listed.status, 200);
    assert!(!listed.body.to_string().contains(&id), "{:?}", listed.body);
    let inbox = s.hub.get("/v1/inbox", &s.b_token).await;
    assert!(!inbox.body.to_string().contains(&id), "{:?}", inbox.body);

    for (step, officer) in [("review", &s.officer1), ("release", &s.officer2)] {
        let url = format!("/v1/compliance/held/{id}/{step}");
        s.hub.expect(&url, officer, json!({}), 200).await;
    }
    let creditor = s.hub.get(&path, &s.b_token).await;
    assert_eq!(creditor.status, 200, "{:?}", creditor.body);
    assert_eq!(creditor.body["status"], "reserved");
    assert_eq!(creditor.body["screening_hits"], 0);
    let fields = creditor.body["screening_hit_fields"].as_array();
    assert!(fields.is_none_or(Vec::is_empty), "{:?}", creditor.body);
    let inbox = s.hub.get("/v1/inbox", &s.b_token).await;
    assert!(inbox.body.to_string().contains(&id), "{:?}", inbox.body);
    s.hub.shutdown().await;
}

/// Slowloris: hundreds of connections that send part of a request head and then nothing. The
/// ones over the per-address cap are closed at once, the rest when the header read timeout
/// runs out; meanwhile `/v1/health` answers another address, and afterwards this one too. A
/// kept-alive connection left idle is closed by the same timer.
#[tokio::test]
async fn partial_headers_are_timed_out_and_capped_and_health_still_answers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), true);
    settings.listen_limits.header_read_timeout = std::time::Duration::from_secs(2);
    settings.listen_limits.connections_per_address_max = 100;
    let hub = TestHub::start_config(dir, settings).await;
    let address = hub.server.as_ref().expect("running").local_addr;
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut tcp = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        // Refused connections may already be closed: a failed write is part of the test.
        let _ = tcp
            .write_all(b"GET /v1/health HTTP/1.1\r\nHost: kliring\r\nX-Slow: ")
            .await;
        slow.push(tcp);
    }
    let other = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().expect("address")))
        .build()
        .expect("client");
    let health = other
        .get(format!("{}/v1/health", hub.base))
        .send()
        .await
        .expect("health answers while 300 slow connections are open");
    assert_eq!(health.status(), 200);
    // Every slow connection is closed by the server: at once over the cap, else by the timer.
    for (n, tcp) in slow.iter_mut().enumerate() {
        let mut buf = [0u8; 1024];
        let read = tokio::time::timeout(std::time::Duration::from_secs(30), tcp.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("slow connection {n} is still open"));
        // EOF, a reset, or hyper's 408 followed by EOF.
        if let Ok(len) = read {
            let text = String::from_utf8_lossy(&buf[..len]);
            assert!(len == 0 || text.starts_with("HTTP/1.1 408"), "{n}: {text}");
        }
    }
    let health = hub
        .client
        .get(format!("{}/v1/health", hub.base))
        .send()
        .await;
    assert_eq!(health.expect("health answers").status(), 200);

    // A kept-alive connection that goes quiet is closed by the same timer.
    let mut idle = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    idle.write_all(b"GET /v1/health HTTP/1.1\r\nHost: kliring\r\n\r\n")
        .await
        .expect("request");
    let mut answer = vec![0u8; 4096];
    let len = idle.read(&mut answer).await.expect("response");
    assert!(String::from_utf8_lossy(&answer[..len]).starts_with("HTTP/1.1 200"));
    let closed = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            match idle.read(&mut answer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "an idle kept-alive connection is closed");
    hub.shutdown().await;
}

/// 414 and 431 carry the JSON error body with a code, like every other refusal.
#[tokio::test]
async fn long_targets_and_large_headers_get_json_codes() {
    let hub = TestHub::start_with(false).await;
    let long = format!("/v1/health?{}", "x".repeat(server::listen::URI_BYTES_MAX));
    let reply = hub.raw(reqwest::Method::GET, &long, None, None).await;
    assert_eq!((reply.status, reply.code()), (414, "uri_too_long"));
    let big = "y".repeat(server::listen::HEADER_BYTES_MAX);
    let response = hub
        .client
        .get(format!("{}/v1/health", hub.base))
        .header("x-big", big)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 431);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["code"], "headers_too_large");
    hub.shutdown().await;
}

/// The attack pass's webhook targets, refused at registration without the operator's flag:
/// special-purpose ranges, IPv4-embedding IPv6 forms, trailing-dot and internal host names,
/// and plain `http://` even to a public name.
#[tokio::test]
async fn special_purpose_webhook_targets_and_plain_http_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), true);
    settings.webhook_private_targets = false;
    let hub = TestHub::start_config(dir, settings).await;
    let participant = crate::harness::admit(&hub, "Alpha Bank", "ALPHKENA").await;
    let path = format!("/v1/participants/{participant}/webhook");
    for url in [
        "http://hooks.alpha.example/kliring",
        "https://localhost.:9/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://[::127.0.0.1]/hook",
        "https://[64:ff9b::7f00:1]/hook",
        "https://[2002:7f00:1::]/hook",
        "https://[::ffff:7f00:1]/hook",
        "https://[fec0::1]/hook",
        "https://198.18.0.1/hook",
        "https://240.0.0.1/hook",
    ] {
        let reply = hub
            .call(
                reqwest::Method::PUT,
                &path,
                Some(OPERATOR_TOKEN),
                Some(json!({ "url": url })),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "webhook_target_not_allowed"),
            "{url}: {:?}",
            reply.body
        );
    }
    let reply = hub
        .call(
            reqwest::Method::PUT,
            &path,
            Some(OPERATOR_TOKEN),
            Some(json!({ "url": "https://hooks.alpha.example/kliring" })),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    hub.shutdown().await;
}

/// Data at rest: the data directory is 0700 and every file the server and the journal create
/// in it (journal segment, head marker, snapshots, the generated operator token, webhook
/// registrations) is 0600. The generated token is written only to its file.
#[tokio::test]
async fn data_files_are_private_and_weak_operator_tokens_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut settings = config(&data, false);
    settings.operator_token = None;
    let server = server::start(settings).await.expect("server starts");
    let token = server
        .operator_token
        .clone()
        .expect("generated on first start");
    let written = std::fs::read_to_string(data.join("operator.token")).expect("token file");
    assert_eq!(written.trim(), token);
    server.shutdown().await.expect("clean shutdown");
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data), 0o700, "data directory");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&data).expect("listing") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            files.push(
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    for expected in ["journal.log", "journal.head", "operator.token"] {
        assert!(
            files.iter().any(|f| f == expected),
            "{expected} in {files:?}"
        );
    }
    assert!(files.iter().any(|f| f.starts_with("snapshot")), "{files:?}");

    // An operator token too weak to resist guessing is refused at start.
    let other = tempfile::tempdir().expect("tempdir");
    for weak in [
        "a",
        "0123456789abcdef",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        let mut settings = config(other.path(), false);
        settings.operator_token = Some(weak.to_owned());
        let refused = server::start(settings).await.err().expect("refused");
        assert!(
            refused.to_string().contains("too weak"),
            "{weak}: {refused}"
        );
    }
}
