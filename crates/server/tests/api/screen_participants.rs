//! Participants are screened whenever the lists change (issue 10): a bank listed after it was
//! admitted is suspended through the journal, its reserved payments held for two officers, and
//! health raises `participant_sanctioned`; the operator's reactivation clears it for these list
//! versions, and a restart does not sanction it again.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, payment_json};
use crate::screen_lists::{alarm_codes, real_un_xml, start, store_un};

/// The real UN list, generated a day later, with one more entity: "ALPHA BANK".
fn un_listing_alpha_bank() -> String {
    let entity = "<ENTITIES>\n    <ENTITY>\n      <DATAID>9999999</DATAID>\n      <VERSIONNUM>1</VERSIONNUM>\n      <FIRST_NAME>ALPHA BANK</FIRST_NAME>\n      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>\n      <REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER>\n      <LISTED_ON>2026-02-28</LISTED_ON>\n      <LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>\n      <ENTITY_ALIAS><QUALITY/><ALIAS_NAME/></ENTITY_ALIAS>\n      <ENTITY_ADDRESS><COUNTRY>Kenya</COUNTRY></ENTITY_ADDRESS>\n    </ENTITY>";
    real_un_xml().replacen("<ENTITIES>", entity, 1).replacen(
        "dateGenerated=\"2026-02-27T00:00:09.554Z\"",
        "dateGenerated=\"2026-02-28T00:00:00.000Z\"",
        1,
    )
}

fn sanctioned_alarms(health: &Value) -> usize {
    alarm_codes(health)
        .iter()
        .filter(|c| *c == "participant_sanctioned")
        .count()
}

#[tokio::test]
async fn a_bank_listed_after_admission_is_suspended_and_its_payments_held() {
    let dir = tempfile::tempdir().expect("tempdir");
    store_un(dir.path(), real_un_xml());
    let mut s = Scheme::on(start(dir, false, Some(100_000)).await).await;
    let out = s
        .hub
        .expect("/v1/payments", &s.a_token, s.payment("10.00"), 201)
        .await;
    let paid_by_a = out["payment_id"].as_str().expect("id").to_owned();
    assert_eq!(out["status"], "reserved", "{out}");
    let to_a = payment_json(Uuid::new_v4(), s.b, s.a, "5.00", "Juma Mwangi");
    let out = s.hub.expect("/v1/payments", &s.b_token, to_a, 201).await;
    let paid_to_a = out["payment_id"].as_str().expect("id").to_owned();
    assert_eq!(out["status"], "reserved", "{out}");
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(sanctioned_alarms(&health), 0, "{health}");

    // The Council lists "Alpha Bank"; the operator imports the list and reloads.
    store_un(s.hub.dir.path(), un_listing_alpha_bank());
    let health = s
        .hub
        .expect("/v1/lists/reload", OPERATOR_TOKEN, json!({}), 200)
        .await;
    assert_eq!(sanctioned_alarms(&health), 1, "{health}");
    let alarm = health["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "participant_sanctioned")
        .unwrap();
    let message = alarm["message"].as_str().unwrap();
    assert!(
        message.contains("KPe.999") && message.contains("ALPHKENA"),
        "{message}"
    );

    let participant = s
        .hub
        .get(&format!("/v1/participants/{}", s.a), OPERATOR_TOKEN)
        .await
        .body;
    assert_eq!(participant["status"], "suspended", "{participant}");
    for (id, field) in [
        (&paid_by_a, "debtor_participant"),
        (&paid_to_a, "creditor_participant"),
    ] {
        let view = s
            .hub
            .get(&format!("/v1/payments/{id}"), OPERATOR_TOKEN)
            .await
            .body;
        assert_eq!(view["status"], "held", "{view}");
        let fields = view["screening_hit_fields"].as_array().expect("fields");
        assert!(fields.iter().any(|f| f == field), "{view}");
    }
    // Nothing of the bank's money moves: its creditor cannot accept, it cannot pay.
    let accept = s
        .hub
        .post(
            &format!("/v1/payments/{paid_by_a}/accept"),
            &s.b_token,
            json!({}),
        )
        .await;
    assert_eq!(accept.code(), "payment_not_reserved", "{:?}", accept.body);
    let pay = s
        .hub
        .post("/v1/payments", &s.a_token, s.payment("1.00"))
        .await;
    assert_eq!(pay.code(), "participant_suspended", "{:?}", pay.body);
    let balance = s.balance(s.a, "KES").await;
    assert_eq!(balance["pending_debits"], "0.00", "{balance}");

    // A restart screens again and sanctions nobody twice.
    restart_without_demo_lists(&mut s).await;
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(sanctioned_alarms(&health), 1, "{health}");

    // The operator clears it (a false positive): reactivation; a reload of the same lists does
    // not sanction it again.
    s.hub
        .expect(
            &format!("/v1/participants/{}/reactivate", s.a),
            OPERATOR_TOKEN,
            json!({}),
            200,
        )
        .await;
    let health = s
        .hub
        .expect("/v1/lists/reload", OPERATOR_TOKEN, json!({}), 200)
        .await;
    assert_eq!(sanctioned_alarms(&health), 0, "{health}");
    let participant = s
        .hub
        .get(&format!("/v1/participants/{}", s.a), OPERATOR_TOKEN)
        .await
        .body;
    assert_eq!(participant["status"], "active", "{participant}");
}

async fn restart_without_demo_lists(s: &mut Scheme) {
    if let Some(server) = s.hub.server.take() {
        server.shutdown().await.expect("clean shutdown");
    }
    let mut config = crate::harness::config(s.hub.dir.path(), false);
    config.un_list_max_age_days = 100_000;
    let server = server::start(config).await.expect("restarts");
    s.hub.base = server.base_url();
    s.hub.server = Some(server);
}
