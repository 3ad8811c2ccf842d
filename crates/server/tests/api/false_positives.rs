//! False positives over HTTP (issue 10): one officer proposes from a held payment's hit, a
//! second officer confirms; then the same participant's customer of the same name is not held
//! for that entry again — another name, another participant's customer or a revoked false
//! positive are held as before; participants see none of it.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, payment_json};

/// A near-match of the demo UN list's QDi.290 (Doku Umarov) that an officer judges innocent.
const CUSTOMER: &str = "Dokka Umarov";

async fn pay(s: &Scheme, creditor_participant: u64, creditor: &str) -> Value {
    let body = payment_json(Uuid::new_v4(), s.a, creditor_participant, "10.00", creditor);
    s.hub.expect("/v1/payments", &s.a_token, body, 201).await
}

fn proposal(payment: &Value) -> Value {
    json!({
        "payment_id": payment["payment_id"],
        "field": "creditor.name",
        "list": "un",
        "reference": "QDi.290",
        "note": "customer since 2009, Kenyan national born 1988; the listed person is Russian, born 1964"
    })
}

#[tokio::test]
async fn two_officers_clear_one_customer_for_one_entry() {
    let mut s = Scheme::new().await;
    let held = pay(&s, s.b, CUSTOMER).await;
    assert_eq!(held["status"], "held", "{held}");

    // Refusals first: each names its reason.
    let mut bad_field = proposal(&held);
    bad_field["field"] = json!("remittance_information");
    let mut unlisted = proposal(&held);
    unlisted["reference"] = json!("QDi.999");
    let mut no_note = proposal(&held);
    no_note["note"] = json!("  ");
    let mut no_hit = proposal(&held);
    no_hit["field"] = json!("debtor.name");
    for (token, body, status, code) in [
        (
            &s.a_token,
            proposal(&held),
            403,
            "forbidden_not_compliance_officer",
        ),
        (
            &s.officer1,
            bad_field,
            422,
            "false_positive_field_not_a_party",
        ),
        (&s.officer1, unlisted, 422, "listed_entry_not_found"),
        (&s.officer1, no_note, 422, "invalid_text"),
        (&s.officer1, no_hit, 422, "false_positive_hit_not_found"),
    ] {
        let reply = s
            .hub
            .post("/v1/compliance/false-positives", token, body)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{:?}",
            reply.body
        );
    }

    let proposed = s
        .hub
        .expect(
            "/v1/compliance/false-positives",
            &s.officer1,
            proposal(&held),
            201,
        )
        .await;
    assert_eq!(proposed["status"], "proposed", "{proposed}");
    assert_eq!(proposed["party_name"], CUSTOMER);
    assert_eq!(proposed["participant"], s.b);
    assert_eq!(proposed["entry_current"], true);
    let id = proposed["id"].as_u64().expect("id");
    // Not in force yet: still held.
    assert_eq!(pay(&s, s.b, CUSTOMER).await["status"], "held");

    let confirm = format!("/v1/compliance/false-positives/{id}/confirm");
    let same = s.hub.post(&confirm, &s.officer1, json!({})).await;
    assert_eq!((same.status, same.code()), (409, "four_eyes_same_officer"));
    let confirmed = s.hub.expect(&confirm, &s.officer2, json!({}), 200).await;
    assert_eq!(confirmed["status"], "in_force", "{confirmed}");
    assert_eq!(confirmed["confirmed_by"], "Oscar");

    // In force: the same customer of the same bank passes this entry...
    let cleared = pay(&s, s.b, CUSTOMER).await;
    assert_eq!(cleared["status"], "reserved", "{cleared}");
    // ...but not another spelling, nor the same name at another bank.
    assert_eq!(pay(&s, s.b, "Doku Umarov").await["status"], "held");
    assert_eq!(pay(&s, s.c, CUSTOMER).await["status"], "held");
    // The original hold still needs its own four-eyes decision.
    let original = s
        .hub
        .get(
            &format!("/v1/payments/{}", held["payment_id"].as_str().unwrap()),
            OPERATOR_TOKEN,
        )
        .await
        .body;
    assert_eq!(original["status"], "held");

    // Compliance only.
    let listed = s
        .hub
        .get("/v1/compliance/false-positives", OPERATOR_TOKEN)
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{:?}",
        listed.body
    );
    let peek = s
        .hub
        .get("/v1/compliance/false-positives", &s.b_token)
        .await;
    assert_eq!(peek.status, 403);

    // Revoked: held again.
    let revoked = s
        .hub
        .expect(
            &format!("/v1/compliance/false-positives/{id}/revoke"),
            &s.officer2,
            json!({}),
            200,
        )
        .await;
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(pay(&s, s.b, CUSTOMER).await["status"], "held");
    let again = s.hub.post(&confirm, &s.officer2, json!({})).await;
    assert_eq!(
        (again.status, again.code()),
        (409, "false_positive_revoked")
    );

    // The journal replays all of it: the record and the cleared payment.
    s.hub.restart().await;
    let listed = s
        .hub
        .get("/v1/compliance/false-positives", OPERATOR_TOKEN)
        .await;
    assert_eq!(listed.body[0]["status"], "revoked", "{:?}", listed.body);
    let after = s
        .hub
        .get(
            &format!("/v1/payments/{}", cleared["payment_id"].as_str().unwrap()),
            OPERATOR_TOKEN,
        )
        .await
        .body;
    assert_eq!(after["status"], "reserved", "{after}");
}
