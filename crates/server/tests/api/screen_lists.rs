//! A UN list must look like the published one to be put in force (issue 10): a one-entry "UN
//! list" is refused at start and on reload, and payments stay refused; the operator's override
//! puts it in force, is journalled once and raised on health; a list older than the one in force
//! is refused; a list older than the configured age raises `un_list_stale`.

use screening::{ListStore, RawList};
use serde_json::{Value, json};

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, config};

pub fn real_un_xml() -> String {
    let path = format!(
        "{}/../../../shared/data/sanctions/un_sc_consolidated_2026-02-27.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).expect("real UN list")
}

/// A "UN list" with one entry of the real one (the schema and the entry are real).
fn one_entry_un_xml() -> String {
    let xml = real_un_xml();
    let first = xml.find("<INDIVIDUAL>").expect("an individual");
    let first_end = first + xml[first..].find("</INDIVIDUAL>").unwrap() + "</INDIVIDUAL>".len();
    let individuals_end = xml.find("</INDIVIDUALS>").expect("individuals end");
    let entities = xml.find("<ENTITIES>").expect("entities");
    let entities_end = xml.find("</ENTITIES>").expect("entities end") + "</ENTITIES>".len();
    format!(
        "{}{}<ENTITIES/>{}",
        &xml[..first_end],
        &xml[individuals_end..entities],
        &xml[entities_end..]
    )
}

/// Stores `xml` as the UN list in `dir`/lists, as `kliring lists import --accept-unverified-un-list`
/// would; returns its version hash.
pub fn store_un(dir: &std::path::Path, xml: String) -> String {
    let raw = RawList::Un {
        xml: xml.into_bytes(),
    };
    let list = screening::import(&raw, None, &mut screening::no_progress).expect("parses");
    ListStore::new(dir.join("lists"))
        .save(&raw, &list.version)
        .expect("stored");
    list.version.content_hash
}

pub async fn start(dir: tempfile::TempDir, accept: bool, max_age_days: Option<u32>) -> TestHub {
    let mut config = config(dir.path(), false);
    config.accept_unverified_un_list = accept;
    if let Some(days) = max_age_days {
        config.un_list_max_age_days = days;
    }
    TestHub::start_config(dir, config).await
}

pub fn alarm_codes(health: &Value) -> Vec<String> {
    health["alarms"]
        .as_array()
        .expect("alarms")
        .iter()
        .map(|a| a["code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn a_one_entry_un_list_is_refused_at_start_and_payments_stay_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = store_un(dir.path(), one_entry_un_xml());
    let s = Scheme::on(start(dir, false, None).await).await;
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(health["un_list_loaded"], false, "{health}");
    let codes = alarm_codes(&health);
    assert!(codes.contains(&"no_un_list".to_owned()), "{codes:?}");
    assert!(codes.contains(&"un_list_refused".to_owned()), "{codes:?}");
    let refused = health["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "un_list_refused")
        .unwrap();
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains(&small) && message.contains("1 entries"),
        "{message}"
    );
    let pay = s
        .hub
        .post("/v1/payments", &s.a_token, s.payment("1.00"))
        .await;
    assert_eq!(pay.code(), "no_un_list_loaded", "{:?}", pay.body);
}

#[tokio::test]
async fn the_override_puts_a_small_list_in_force_journalled_once_and_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = store_un(dir.path(), one_entry_un_xml());
    let mut hub = start(dir, true, None).await;
    let health = hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(health["un_list_loaded"], true, "{health}");
    assert!(alarm_codes(&health).contains(&"un_list_override".to_owned()));
    let overrides = health["list_overrides"].as_array().expect("overrides");
    assert_eq!(overrides.len(), 1, "{health}");
    assert_eq!(overrides[0]["version"], small.as_str());
    assert_eq!(overrides[0]["entries"], 1);
    assert!(
        overrides[0]["reason"]
            .as_str()
            .unwrap()
            .contains("fewer than the 500")
    );
    // A restart with the same list and the override records nothing new: the journal keeps
    // the first record (replayed), and the alarm stays.
    let recorded_at = overrides[0]["recorded_at_ns"].clone();
    if let Some(server) = hub.server.take() {
        server.shutdown().await.expect("clean shutdown");
    }
    let mut again = config(hub.dir.path(), false);
    again.accept_unverified_un_list = true;
    let server = server::start(again).await.expect("restarts");
    hub.base = server.base_url();
    hub.server = Some(server);
    let health = hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    let overrides = health["list_overrides"].as_array().expect("overrides");
    assert_eq!(overrides.len(), 1, "{health}");
    assert_eq!(overrides[0]["recorded_at_ns"], recorded_at);
    // Without the override the same stored list is refused again; the journal still shows the
    // earlier override.
    if let Some(server) = hub.server.take() {
        server.shutdown().await.expect("clean shutdown");
    }
    let server = server::start(config(hub.dir.path(), false))
        .await
        .expect("restarts");
    hub.base = server.base_url();
    hub.server = Some(server);
    let health = hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(health["un_list_loaded"], false, "{health}");
    assert!(alarm_codes(&health).contains(&"un_list_refused".to_owned()));
    assert_eq!(health["list_overrides"].as_array().unwrap().len(), 1);
    hub.shutdown().await;
}

#[tokio::test]
async fn reload_refuses_a_small_or_older_un_list_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = store_un(dir.path(), real_un_xml());
    let hub = start(dir, false, None).await;
    let version = |health: &Value| {
        health["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["source"] == "un")
            .map(|l| l["version"].as_str().unwrap().to_owned())
    };
    let health = hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(version(&health), Some(real.clone()));
    assert_eq!(health["un_list_generated"], "2026-02-27T00:00:09.554Z");
    assert!(
        !alarm_codes(&health)
            .iter()
            .any(|c| c == "un_list_refused" || c == "un_list_override")
    );

    let older = real_un_xml().replacen(
        "dateGenerated=\"2026-02-27T00:00:09.554Z\"",
        "dateGenerated=\"2025-06-01T00:00:00.000Z\"",
        1,
    );
    let undated = real_un_xml().replacen(" dateGenerated=\"2026-02-27T00:00:09.554Z\"", "", 1);
    for (xml, expect) in [
        (one_entry_un_xml(), "fewer than the 500"),
        (older, "older than the UN list in force"),
        (undated, "no dateGenerated"),
    ] {
        store_un(hub.dir.path(), xml);
        let reply = hub
            .post("/v1/lists/reload", OPERATOR_TOKEN, json!({}))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "un_list_refused"),
            "{:?}",
            reply.body
        );
        assert!(
            reply.body["message"].as_str().unwrap().contains(expect),
            "{expect}: {:?}",
            reply.body
        );
        let health = hub.get("/v1/health", OPERATOR_TOKEN).await.body;
        assert_eq!(version(&health), Some(real.clone()), "nothing changed");
        assert!(alarm_codes(&health).contains(&"un_list_refused".to_owned()));
    }
    hub.shutdown().await;
}

#[tokio::test]
async fn a_list_older_than_the_maximum_age_raises_the_stale_alarm() {
    // The stored list was generated on 2026-02-27: stale after 30 days, not after ten years.
    let generated = time::macros::datetime!(2026-02-27 00:00 UTC);
    let age_days = (time::OffsetDateTime::now_utc() - generated).whole_days();
    for (max_age_days, stale) in [(30, age_days > 30), (3_650, false)] {
        let dir = tempfile::tempdir().expect("tempdir");
        store_un(dir.path(), real_un_xml());
        let hub = start(dir, false, Some(max_age_days)).await;
        let health = hub.get("/v1/health", OPERATOR_TOKEN).await.body;
        assert_eq!(
            alarm_codes(&health).contains(&"un_list_stale".to_owned()),
            stale,
            "{max_age_days}: {health}"
        );
        assert_eq!(health["un_list_age_days"], age_days);
        hub.shutdown().await;
    }
}

#[tokio::test]
async fn the_demo_list_is_labelled_and_raises_its_own_alarm() {
    let s = Scheme::new().await;
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(health["un_list_loaded"], true);
    assert!(alarm_codes(&health).contains(&"un_list_demo_data".to_owned()));
}

#[tokio::test]
async fn the_bundled_demo_list_stored_on_disk_is_served_but_a_relabelled_file_is_not() {
    use screening::fixtures::{DEMO_LABEL, demo_un_raw};
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = demo_un_raw();
    let demo = screening::import(&raw, Some(DEMO_LABEL), &mut screening::no_progress)
        .expect("demo list parses");
    ListStore::new(dir.path().join("lists"))
        .save(&raw, &demo.version)
        .expect("stored");
    let s = Scheme::on(start(dir, false, Some(100_000)).await).await;
    let health = s.hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(health["un_list_loaded"], true, "{health}");
    assert!(alarm_codes(&health).contains(&"un_list_demo_data".to_owned()));
    let pay = s
        .hub
        .post("/v1/payments", &s.a_token, s.payment("1.00"))
        .await;
    assert_eq!(pay.status, 201, "{:?}", pay.body);

    // Another small file claiming the label is checked like any UN list, and refused.
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = RawList::Un {
        xml: one_entry_un_xml().into_bytes(),
    };
    let forged =
        screening::import(&raw, Some(DEMO_LABEL), &mut screening::no_progress).expect("parses");
    ListStore::new(dir.path().join("lists"))
        .save(&raw, &forged.version)
        .expect("stored");
    let hub = start(dir, false, None).await;
    let health = hub.get("/v1/health", OPERATOR_TOKEN).await.body;
    assert_eq!(health["un_list_loaded"], false, "{health}");
    assert!(alarm_codes(&health).contains(&"un_list_refused".to_owned()));
}
