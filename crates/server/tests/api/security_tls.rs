//! TLS on the server, over real connections: certificates from a throwaway CA made with
//! rcgen; a client trusting that CA is served, plain HTTP on the TLS port is not; the
//! certificate is rotated without a restart; plain HTTP on a non-loopback address is refused
//! unless the operator allows it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

use crate::harness::{TestHub, config};

/// A CA and the PEM of its certificate.
struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let key = KeyPair::generate().expect("CA key");
        Ca {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for loopback; its PEM chain and key written into `dir`.
    fn server_files(&self, dir: &Path) -> server::tls::TlsFiles {
        let params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("params");
        let key = KeyPair::generate().expect("server key");
        let cert = params.signed_by(&key, &self.issuer).expect("signed");
        let files = server::tls::TlsFiles {
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
        };
        // Key first: the reloader polls the pair, and a certificate without its key is refused.
        write(&files.key, &key.serialize_pem());
        write(&files.cert, &cert.pem());
        files
    }
}

fn write(path: &PathBuf, text: &str) {
    let temp = path.with_extension("tmp");
    std::fs::write(&temp, text).expect("written");
    std::fs::rename(&temp, path).expect("renamed");
}

/// A client trusting only `ca` (no public roots), opening a new connection per request.
fn client(ca: &Ca) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem().as_bytes()).expect("pem"))
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

async fn health(client: &reqwest::Client, base: &str) -> Result<u16, reqwest::Error> {
    let response = client.get(format!("{base}/v1/health")).send().await?;
    Ok(response.status().as_u16())
}

#[tokio::test]
async fn https_is_served_plain_http_is_not_and_the_certificate_rotates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let certs = tempfile::tempdir().expect("tempdir");
    let first = Ca::new("kliring test CA 1");
    let mut settings = config(dir.path(), false);
    settings.tls = Some(first.server_files(certs.path()));
    let hub = TestHub::start_config(dir, settings).await;
    assert!(hub.base.starts_with("https://"), "{}", hub.base);
    assert_eq!(
        health(&client(&first), &hub.base).await.expect("https"),
        200
    );

    // Plain HTTP to the TLS port gets no answer; a client not trusting the CA is refused.
    let plain = hub.base.replacen("https://", "http://", 1);
    assert!(health(&reqwest::Client::new(), &plain).await.is_err());
    let stranger = Ca::new("someone else");
    assert!(health(&client(&stranger), &hub.base).await.is_err());

    // Rotation: a certificate from another CA replaces the files; new handshakes use it.
    let second = Ca::new("kliring test CA 2");
    // Modification times have a granularity: make sure the new files' differ.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    second.server_files(certs.path());
    let mut rotated = false;
    for _ in 0..40 {
        if health(&client(&second), &hub.base).await.is_ok() {
            rotated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(rotated, "the new certificate is served without a restart");
    assert!(
        health(&client(&first), &hub.base).await.is_err(),
        "the old one is not"
    );

    // A broken file is not put in force: the current certificate keeps being served.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    write(&certs.path().join("server.pem"), "not a certificate");
    tokio::time::sleep(server::tls::RELOAD_POLL * 2).await;
    assert_eq!(
        health(&client(&second), &hub.base).await.expect("still"),
        200
    );
    hub.shutdown().await;
}

#[tokio::test]
async fn plain_http_off_loopback_needs_the_operators_word() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), false);
    settings.listen = "0.0.0.0:0".parse().expect("address");
    let refused = server::start(settings.clone())
        .await
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("refusing plain HTTP"),
        "{refused}"
    );
    settings.allow_plain_http = true;
    let server = server::start(settings).await.expect("allowed explicitly");
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn unreadable_certificate_files_refuse_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), false);
    settings.tls = Some(server::tls::TlsFiles {
        cert: dir.path().join("missing.pem"),
        key: dir.path().join("missing.key"),
    });
    let refused = server::start(settings).await.err().expect("refused");
    assert!(refused.to_string().contains("missing.pem"), "{refused}");
}

/// One HTTPS webhook receiver on loopback with a certificate of `ca`: the first request's
/// body, answered 200.
async fn https_receiver(ca: &Ca, dir: &Path) -> (String, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let files = ca.server_files(dir);
    let acceptor = server::tls::Reloadable::load(files)
        .expect("receiver certificate")
        .acceptor()
        .expect("acceptor");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("https://{}/hook", listener.local_addr().expect("address"));
    let (send, received) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut tls = acceptor.accept(tcp).await.expect("handshake");
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        let body = loop {
            let n = tls.read(&mut buf).await.expect("read");
            assert!(n > 0, "request ended early");
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).into_owned();
            let Some((head, body)) = text.split_once("\r\n\r\n") else {
                continue;
            };
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse().ok())
                .expect("content-length");
            if body.len() >= length {
                break body.to_owned();
            }
        };
        tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await
            .expect("answer");
        let _ = tls.shutdown().await;
        let _ = send.send(body);
    });
    (url, received)
}

/// Webhooks over TLS: a receiver with a certificate of the operator's private CA
/// (`webhook_ca`) gets the signed event.
#[tokio::test]
async fn webhooks_are_delivered_over_tls_with_a_private_ca() {
    let certs = tempfile::tempdir().expect("tempdir");
    let ca = Ca::new("banks' private CA");
    let ca_file = certs.path().join("ca.pem");
    write(&ca_file, &ca.pem());
    let (url, received) = https_receiver(&ca, certs.path()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), true);
    settings.webhook_ca = Some(ca_file);
    let s = crate::harness::Scheme::on(TestHub::start_config(dir, settings).await).await;
    let path = format!("/v1/participants/{}/webhook", s.b);
    let reply = s
        .hub
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&s.b_token),
            Some(serde_json::json!({ "url": url })),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let created = s
        .hub
        .expect("/v1/payments", &s.a_token, s.payment("3.00"), 201)
        .await;
    let body = tokio::time::timeout(Duration::from_secs(30), received)
        .await
        .expect("delivered within the test's patience")
        .expect("receiver answered");
    let event: serde_json::Value = serde_json::from_str(&body).expect("json event");
    assert_eq!(event["payment_id"], created["payment_id"], "{event}");
    s.hub.shutdown().await;
}
