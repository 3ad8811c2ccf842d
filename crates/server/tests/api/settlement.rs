//! Issue 5 over HTTP: three banks in three currencies and an FX provider, payments in all
//! directions (cross-currency through quotes, and same-currency), a window closed, netted and
//! settled, with balances checked to the minor unit.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, TestHub, admit, credential};

struct Fx {
    hub: TestHub,
    ids: Vec<u64>,
    tokens: Vec<String>,
}

const KES: usize = 0;
const UGX: usize = 1;
const TZS: usize = 2;
const PROVIDER: usize = 3;

async fn scheme() -> Fx {
    let hub = TestHub::start().await;
    for (code, exponent) in [("KES", 2), ("UGX", 0), ("TZS", 2)] {
        let body =
            json!({ "code": code, "exponent": exponent, "settlement_model": "deferred_net" });
        hub.expect("/v1/currencies", OPERATOR_TOKEN, body, 201)
            .await;
    }
    let mut ids = Vec::new();
    for (name, bic) in [
        ("Kenya Bank", "KENBKENA"),
        ("Uganda Bank", "UGABUGKA"),
        ("Tanzania Bank", "TANBTZTZ"),
    ] {
        ids.push(admit(&hub, name, bic).await);
    }
    let body = json!({ "name": "FX House", "bic": "FXHOKENA", "country": "KE", "roles": ["participant", "fx_provider"] });
    ids.push(
        hub.expect("/v1/participants", OPERATOR_TOKEN, body, 201)
            .await["id"]
            .as_u64()
            .unwrap(),
    );
    let mut tokens = Vec::new();
    for &id in &ids {
        tokens.push(credential(&hub, json!({ "role": "participant", "participant_id": id })).await);
        for currency in ["KES", "UGX", "TZS"] {
            let cap = json!({ "currency": currency, "cap": "1000000" });
            let path = format!("/v1/participants/{id}/net-debit-cap");
            let reply = hub
                .call(Method::PUT, &path, Some(OPERATOR_TOKEN), Some(cap))
                .await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
        }
    }
    Fx { hub, ids, tokens }
}

impl Fx {
    async fn pay(
        &self,
        from: usize,
        to: usize,
        amount: &str,
        currency: &str,
        quote: Option<&str>,
    ) -> String {
        let id = Uuid::new_v4();
        let party = |name: &str| json!({ "name": name, "country": "KE", "account": "12345" });
        let mut body = json!({
            "payment_id": id, "debtor": party("Amina Odhiambo"), "creditor": party("Grace Nakato"),
            "debtor_participant": self.ids[from], "creditor_participant": self.ids[to],
            "amount": amount, "currency": currency,
        });
        if let Some(quote) = quote {
            body["fx_quote_id"] = json!(quote);
        }
        let created = self
            .hub
            .expect("/v1/payments", &self.tokens[from], body, 201)
            .await;
        assert_eq!(created["status"], "reserved");
        let path = format!("/v1/payments/{id}/accept");
        let accepted = self
            .hub
            .expect(&path, &self.tokens[to], json!({}), 200)
            .await;
        assert_eq!(accepted["status"], "committed");
        id.to_string()
    }

    async fn quote(&self, requester: usize, source: &str, target: &str, amount: &str) -> Value {
        let body = json!({ "provider": self.ids[PROVIDER], "source_currency": source,
            "target_currency": target, "source_amount": amount });
        self.hub
            .expect("/v1/fx/quotes", &self.tokens[requester], body, 201)
            .await
    }

    async fn position(&self, who: usize, currency: &str) -> String {
        let path = format!("/v1/participants/{}/balances", self.ids[who]);
        let reply = self.hub.get(&path, OPERATOR_TOKEN).await;
        let balance = reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == currency)
            .unwrap()
            .clone();
        balance["position"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn cross_currency_payments_net_and_settle() {
    let s = scheme().await;
    let rates = [("KES", "UGX", "28.5"), ("KES", "TZS", "20")];
    for (base, quote, rate) in rates {
        let body = json!({ "base": base, "quote": quote, "rate": rate, "spread_bp": 50 });
        s.hub
            .expect("/v1/fx/rates", &s.tokens[PROVIDER], body, 201)
            .await;
    }
    let not_provider = json!({ "base": "KES", "quote": "UGX", "rate": "1", "spread_bp": 0 });
    let refused = s
        .hub
        .post("/v1/fx/rates", &s.tokens[KES], not_provider)
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (403, "forbidden_not_fx_provider")
    );

    // Kenya → Uganda: 100.00 KES at 28.5 less 0.5 % = 2835.75 UGX, half-even → 2836.
    let q1 = s.quote(KES, "KES", "UGX", "100.00").await;
    assert_eq!(
        (q1["target_amount"].as_str(), q1["inverse"].as_bool()),
        (Some("2836"), Some(false))
    );
    let p1 = s
        .pay(KES, UGX, "100.00", "KES", q1["quote_id"].as_str())
        .await;
    let used = s
        .hub
        .expect(
            "/v1/payments",
            &s.tokens[KES],
            json!({
        "payment_id": Uuid::new_v4(), "debtor": { "name": "A B", "country": "KE", "account": "1" },
        "creditor": { "name": "C D", "country": "UG", "account": "2" },
        "debtor_participant": s.ids[KES], "creditor_participant": s.ids[UGX],
        "amount": "100.00", "currency": "KES", "fx_quote_id": q1["quote_id"] }),
            409,
        )
        .await;
    assert_eq!(used["code"], "quote_already_used");
    let view = s
        .hub
        .get(&format!("/v1/payments/{p1}"), &s.tokens[UGX])
        .await;
    assert_eq!(view.body["fx"]["target_amount"], "2836");

    // Tanzania → Kenya: 1000.00 TZS at 1/20 less 0.5 % = 49.75 KES (inverse of KES/TZS).
    let q2 = s.quote(TZS, "TZS", "KES", "1000.00").await;
    assert_eq!(
        (q2["target_amount"].as_str(), q2["inverse"].as_bool()),
        (Some("49.75"), Some(true))
    );
    s.pay(TZS, KES, "1000.00", "TZS", q2["quote_id"].as_str())
        .await;

    // Same-currency payments in every direction of KES.
    s.pay(UGX, TZS, "12.34", "KES", None).await;
    s.pay(TZS, KES, "0.66", "KES", None).await;

    // Positions to the minor unit before settlement.
    assert_eq!(s.position(KES, "KES").await, "-49.59"); // -100.00 + 49.75 + 0.66
    assert_eq!(s.position(UGX, "KES").await, "-12.34");
    assert_eq!(s.position(TZS, "KES").await, "11.68"); // +12.34 - 0.66
    assert_eq!(s.position(PROVIDER, "KES").await, "50.25"); // +100.00 - 49.75
    assert_eq!(s.position(UGX, "UGX").await, "2836");
    assert_eq!(s.position(PROVIDER, "UGX").await, "-2836");
    assert_eq!(s.position(TZS, "TZS").await, "-1000.00");
    assert_eq!(s.position(PROVIDER, "TZS").await, "1000.00");

    // Close, net and settle the KES window.
    let closed = s
        .hub
        .expect(
            "/v1/settlement/windows/close",
            OPERATOR_TOKEN,
            json!({ "currency": "KES" }),
            200,
        )
        .await;
    assert_eq!(closed["status"], "closed");
    let report = &closed["report"];
    assert_eq!(report["obligation_count"], 4);
    assert_eq!(report["gross_total"], "162.75"); // 100.00 + 49.75 + 12.34 + 0.66
    assert_eq!(report["net_total"], "61.93"); // 11.68 + 50.25
    let nets: Vec<(u64, String)> = report["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["participant"].as_u64().unwrap(),
                p["net"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        nets,
        vec![
            (s.ids[KES], "-49.59".to_owned()),
            (s.ids[UGX], "-12.34".to_owned()),
            (s.ids[TZS], "11.68".to_owned()),
            (s.ids[PROVIDER], "50.25".to_owned()),
        ]
    );
    assert_eq!(report["instructions"].as_array().unwrap().len(), 4);

    // A payment after the close belongs to the next window.
    s.pay(KES, UGX, "1.00", "KES", None).await;
    let id = closed["id"].as_u64().unwrap();
    let csv = s
        .hub
        .client
        .get(format!(
            "{}/v1/settlement/windows/{id}/report.csv",
            s.hub.base
        ))
        .bearer_auth(OPERATOR_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().count() > 4, "{csv}");
    // Decimal units as in JSON (not minor units a reader would misread by 100), BICs for
    // participants.
    assert!(
        csv.contains(&format!("totals,{id},KES,,,4,,,162.75")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("net_total,{id},KES,,,,,,61.93")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("position,{id},KES,FXHOKENA,,,")),
        "{csv}"
    );
    assert!(csv.contains(",50.25\n"), "{csv}");
    assert!(!csv.contains("16275") && !csv.contains("6193"), "{csv}");
    let settled = s
        .hub
        .expect(
            &format!("/v1/settlement/windows/{id}/settle"),
            OPERATOR_TOKEN,
            json!({}),
            200,
        )
        .await;
    assert_eq!(settled["status"], "settled");
    assert_eq!(s.position(KES, "KES").await, "-1.00");
    assert_eq!(s.position(UGX, "KES").await, "1.00");
    assert_eq!(s.position(TZS, "KES").await, "0.00");
    assert_eq!(s.position(PROVIDER, "KES").await, "0.00");
    // Other currencies are untouched by the KES settlement.
    assert_eq!(s.position(UGX, "UGX").await, "2836");

    let windows = s
        .hub
        .get("/v1/settlement/windows?currency=KES", OPERATOR_TOKEN)
        .await;
    let statuses: Vec<&str> = windows
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["settled", "open"]);
    let participant = s
        .hub
        .get("/v1/settlement/windows?currency=KES", &s.tokens[KES])
        .await;
    assert_eq!(participant.status, 403);
    s.hub.shutdown().await;
}
