//! Test harness: a real server on an ephemeral loopback port, a reqwest client, and helpers that
//! set up a small scheme (one currency, three participants, officers, an auditor).

use reqwest::Method;
use serde_json::{Value, json};
use server::{RunningServer, ServerConfig};
use uuid::Uuid;

pub const OPERATOR_TOKEN: &str = "op-test-token-0123456789abcdef";

/// A running server on a temporary data directory.
pub struct TestHub {
    pub server: Option<RunningServer>,
    pub base: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

/// A response: status and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

pub fn config(dir: &std::path::Path, with_lists: bool) -> ServerConfig {
    let mut config = ServerConfig::new(dir, "127.0.0.1:0".parse().expect("address"));
    config.operator_token = Some(OPERATOR_TOKEN.to_owned());
    config.tick_interval_ms = 50;
    // The webhook receivers of the tests listen on loopback.
    config.webhook_private_targets = true;
    if with_lists {
        config.lists = screening::fixtures::demo_lists().expect("demo lists parse");
    }
    config
}

impl TestHub {
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    pub async fn start_with(with_lists: bool) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config(dir.path(), with_lists);
        Self::start_config(dir, config).await
    }

    /// A server on `dir` with `config` (made by [`config`] on `dir` and adjusted).
    pub async fn start_config(dir: tempfile::TempDir, config: ServerConfig) -> Self {
        let server = server::start(config).await.expect("server starts");
        TestHub {
            base: server.base_url(),
            server: Some(server),
            client: reqwest::Client::new(),
            dir,
        }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        let server = server::start(config(self.dir.path(), true))
            .await
            .expect("restart");
        self.base = server.base_url();
        self.server = Some(server);
    }

    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
    }

    /// Sends a request with an optional bearer token and raw body.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body read");
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.raw(method, path, token, body.map(|b| b.to_string()))
            .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Posts and insists on `status`, returning the body.
    pub async fn expect(&self, path: &str, token: &str, body: Value, status: u16) -> Value {
        let reply = self.post(path, token, body).await;
        assert_eq!(reply.status, status, "POST {path}: {:?}", reply.body);
        reply.body
    }
}

/// A scheme ready for payments: KES (2 decimals, deferred net) and JPY (0, gross), participants
/// A (debtor), B (creditor), C (unrelated), two officers, an auditor.
pub struct Scheme {
    pub hub: TestHub,
    pub a: u64,
    pub b: u64,
    pub c: u64,
    pub a_token: String,
    pub b_token: String,
    pub c_token: String,
    pub officer1: String,
    pub officer2: String,
    pub auditor: String,
}

pub async fn admit(hub: &TestHub, name: &str, bic: &str) -> u64 {
    let body = json!({ "name": name, "bic": bic, "country": "KE" });
    let reply = hub
        .expect("/v1/participants", OPERATOR_TOKEN, body, 201)
        .await;
    reply["id"].as_u64().expect("participant id")
}

pub async fn credential(hub: &TestHub, body: Value) -> String {
    let reply = hub
        .expect("/v1/credentials", OPERATOR_TOKEN, body, 201)
        .await;
    reply["token"].as_str().expect("token").to_owned()
}

impl Scheme {
    pub async fn new() -> Self {
        Self::on(TestHub::start().await).await
    }

    pub async fn on(hub: TestHub) -> Self {
        for (code, exponent, model) in [("KES", 2, "deferred_net"), ("JPY", 0, "gross")] {
            let body = json!({ "code": code, "exponent": exponent, "settlement_model": model });
            hub.expect("/v1/currencies", OPERATOR_TOKEN, body, 201)
                .await;
        }
        let a = admit(&hub, "Alpha Bank", "ALPHKENA").await;
        let b = admit(&hub, "Beta Bank", "BETAKENA").await;
        let c = admit(&hub, "Gamma Bank", "GAMMKENA").await;
        let token = |id: u64| json!({ "role": "participant", "participant_id": id });
        let a_token = credential(&hub, token(a)).await;
        let b_token = credential(&hub, token(b)).await;
        let c_token = credential(&hub, token(c)).await;
        let officer = |name: &str| json!({ "role": "compliance_officer", "officer": name });
        let officer1 = credential(&hub, officer("Olive")).await;
        let officer2 = credential(&hub, officer("Oscar")).await;
        let auditor = credential(&hub, json!({ "role": "auditor" })).await;
        for id in [a, b, c] {
            let cap = json!({ "currency": "KES", "cap": "1000.00" });
            let reply = hub
                .call(
                    Method::PUT,
                    &format!("/v1/participants/{id}/net-debit-cap"),
                    Some(OPERATOR_TOKEN),
                    Some(cap),
                )
                .await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
        }
        Scheme {
            hub,
            a,
            b,
            c,
            a_token,
            b_token,
            c_token,
            officer1,
            officer2,
            auditor,
        }
    }

    /// A KES payment A → B as JSON.
    pub fn payment(&self, amount: &str) -> Value {
        payment_json(Uuid::new_v4(), self.a, self.b, amount, "Juma Mwangi")
    }

    /// Balance of `participant` in `currency` as seen by the operator.
    pub async fn balance(&self, participant: u64, currency: &str) -> Value {
        let reply = self
            .hub
            .get(
                &format!("/v1/participants/{participant}/balances"),
                OPERATOR_TOKEN,
            )
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply
            .body
            .as_array()
            .expect("balances")
            .iter()
            .find(|b| b["currency"] == currency)
            .cloned()
            .expect("currency")
    }
}

pub fn payment_json(
    id: Uuid,
    debtor: u64,
    creditor: u64,
    amount: &str,
    creditor_name: &str,
) -> Value {
    json!({
        "payment_id": id,
        "end_to_end_id": "E2E-1",
        "debtor": { "name": "Amina Odhiambo", "address": ["1 Moi Avenue", "Nairobi"], "country": "KE", "account": "0011223344" },
        "creditor": { "name": creditor_name, "country": "KE", "account": "5566778899" },
        "debtor_participant": debtor,
        "creditor_participant": creditor,
        "amount": amount,
        "currency": "KES",
        "remittance_info": "invoice 42"
    })
}
