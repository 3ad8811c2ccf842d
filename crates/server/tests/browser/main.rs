//! The operator dashboard in a real browser: Debian's Chromium, headless, driven through
//! chromedriver (fantoccini) against a hub on loopback. Sign-in by form, every page, four eyes
//! by two officers, a settlement window closed and settled, and the same-origin and CSRF guards
//! met by a real browser's headers (`Sec-Fetch-Site`, `Origin`, `SameSite` cookies), with every
//! outcome checked through the JSON API.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`scripts/test` installs them); fails
//! without them unless `KLIRING_SKIP_BROWSER=1`. With `KLIRING_SCREENSHOTS=DIR` it also saves
//! PNGs of the main pages in `DIR` (`scripts/screenshots`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod driver;
#[path = "../api/harness.rs"]
#[allow(
    dead_code,
    reason = "the API tests' harness; this test uses part of it"
)]
mod harness;

use serde_json::{Value, json};
use uuid::Uuid;

use driver::{Browser, Driver};
use harness::{OPERATOR_TOKEN, Scheme, payment_json};

/// A payment the demo lists hold for compliance (the creditor matches a listed name).
const LISTED: &str = "Doku Umarov";

/// The ids of the payments set up through the API before the browser starts.
struct Payments {
    committed: String,
    reserved: String,
    /// Held; reviewed by Olive, released by Oscar.
    released: String,
    /// Held; reviewed by Olive, rejected by Oscar.
    rejected: String,
}

async fn pay(s: &Scheme, body: Value, status: &str) -> String {
    let id = body["payment_id"].as_str().expect("id").to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, body, 201).await;
    assert_eq!(created["status"], status, "{created}");
    id
}

async fn set_up(s: &Scheme) -> Payments {
    let committed = pay(s, s.payment("12.34"), "reserved").await;
    let accept = format!("/v1/payments/{committed}/accept");
    s.hub.expect(&accept, &s.b_token, json!({}), 200).await;
    let reserved = pay(s, s.payment("7.00"), "reserved").await;
    let held = |amount| payment_json(Uuid::new_v4(), s.a, s.b, amount, LISTED);
    let released = pay(s, held("40.00"), "held").await;
    let rejected = pay(s, held("15.00"), "held").await;
    Payments {
        committed,
        reserved,
        released,
        rejected,
    }
}

async fn payment_status(s: &Scheme, id: &str) -> String {
    let reply = s.hub.get(&format!("/v1/payments/{id}"), &s.a_token).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["status"].as_str().expect("status").to_owned()
}

/// The KES windows as the API lists them: (id, status).
async fn kes_windows(s: &Scheme) -> Vec<(u64, String)> {
    let reply = s
        .hub
        .get("/v1/settlement/windows?currency=KES", OPERATOR_TOKEN)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply
        .body
        .as_array()
        .expect("windows")
        .iter()
        .map(|w| {
            let id = w["id"].as_u64().expect("id");
            (id, w["status"].as_str().expect("status").to_owned())
        })
        .collect()
}

fn nav(href: &str) -> String {
    format!("header nav a[href=\"{href}\"]")
}

fn compliance_button(id: &str, action: &str) -> String {
    format!("form[action=\"/dashboard/compliance/{id}/{action}\"] button")
}

fn false_positive_button(id: u64, action: &str) -> String {
    format!("form[action=\"/dashboard/false-positives/{id}/{action}\"] button")
}

const CLOSE_FORM: &str = "form[action=\"/dashboard/settlement/close\"]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_chromium() {
    if !driver::installed() {
        return;
    }
    let s = Scheme::new().await;
    let payments = set_up(&s).await;
    let driver = Driver::start().await;
    let browser = driver.browser(&s.hub.base).await;
    let client = browser.client.clone();
    // The scenario runs in a task so that a failing step still ends the browser session.
    let outcome = tokio::spawn(async move {
        operator_pages(&s, &browser, &payments).await;
        settlement(&s, &browser).await;
        cross_site(&s, &browser).await;
        browser.sign_out().await;
        four_eyes(&s, &browser, &payments).await;
        (s, browser)
    })
    .await;
    match outcome {
        Ok((s, browser)) => {
            browser.close().await;
            s.hub.shutdown().await;
        }
        Err(failure) => {
            let _ = client.close().await;
            std::panic::resume_unwind(failure.into_panic());
        }
    }
    drop(driver);
}

/// Sign-in as the operator (after a wrong token and a participant's, both refused), then every
/// page by its navigation link.
async fn operator_pages(s: &Scheme, browser: &Browser, p: &Payments) {
    let page = browser
        .goto_refused("/dashboard", "unauthenticated", 401)
        .await;
    assert!(page.contains("sign in to use the dashboard"), "{page}");
    assert!(page.contains("id=\"token\""), "{page}");
    browser
        .sign_in_refused("not-a-token", "unauthenticated", 401)
        .await;
    browser
        .sign_in_refused(&s.a_token, "forbidden_dashboard_participant", 403)
        .await;
    assert_eq!(browser.path().await, "/dashboard/sign-in");

    let overview = browser.sign_in(OPERATOR_TOKEN).await;
    assert_eq!(browser.path().await, "/dashboard");
    assert!(overview.contains("Signed in as operator"), "{overview}");
    for text in ["Health", "Journal position", "Sanctions lists", "demo data"] {
        assert!(overview.contains(text), "{text} missing: {overview}");
    }
    for (status, count) in [("held", 2), ("reserved", 1), ("committed", 1)] {
        let row = format!("status={status}\">{status}</a></td><td class=\"num\">{count}<");
        assert!(overview.contains(&row), "{row} missing: {overview}");
    }
    assert!(overview.contains("<dt>Held for compliance, waiting</dt><dd>2</dd>"));
    browser.screenshot("overview").await;

    let page = browser.click(&nav("/dashboard/participants")).await;
    assert_eq!(browser.path().await, "/dashboard/participants");
    for text in [
        "Alpha Bank",
        "ALPHKENA",
        "Beta Bank",
        "Gamma Bank",
        "1,000.00 KES",
        "-12.34 KES",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    browser.screenshot("participants").await;
    assert!(
        !browser.too_wide_for_a_phone().await,
        "participants page at phone width"
    );

    let page = browser.click(&nav("/dashboard/payments")).await;
    assert_eq!(browser.path().await, "/dashboard/payments");
    for id in [&p.committed, &p.reserved, &p.released, &p.rejected] {
        assert!(page.contains(id.as_str()), "{id} missing: {page}");
    }
    assert!(page.contains("12.34 KES") && page.contains("40.00 KES"));
    // Banks by name and BIC, not by id.
    assert!(
        page.contains("Alpha Bank (ALPHKENA) → Beta Bank (BETAKENA)"),
        "{page}"
    );
    browser.screenshot("payments").await;
    assert!(
        !browser.too_wide_for_a_phone().await,
        "payments page at phone width"
    );
    browser.choose("select#status", "held").await;
    let page = browser.click("form.filter button[type=submit]").await;
    assert_eq!(
        browser.path().await,
        "/dashboard/payments?status=held&currency=&participant="
    );
    assert!(page.contains(p.released.as_str()) && page.contains(p.rejected.as_str()));
    assert!(!page.contains(p.committed.as_str()) && !page.contains(p.reserved.as_str()));

    let page = browser
        .click(&format!("a[href=\"/dashboard/payments/{}\"]", p.released))
        .await;
    assert_eq!(
        browser.path().await,
        format!("/dashboard/payments/{}", p.released)
    );
    for text in [
        "held for compliance",
        "Audit trail",
        "Screening hits",
        LISTED,
        "demo data",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    browser.screenshot("payment").await;

    // The operator watches the queue without buttons (the only form is signing out).
    let page = browser.click(&nav("/dashboard/compliance")).await;
    assert_eq!(browser.path().await, "/dashboard/compliance");
    assert_eq!(page.matches("nobody yet").count(), 2, "{page}");
    assert!(page.contains(p.released.as_str()) && page.contains(p.rejected.as_str()));
    assert_eq!(browser.count("form").await, 1);
    assert_eq!(payment_status(s, &p.released).await, "held");
}

/// Closing the KES window from the settlement page (after a refused tampered form), then
/// marking it settled.
async fn settlement(s: &Scheme, browser: &Browser) {
    let page = browser.click(&nav("/dashboard/settlement")).await;
    assert_eq!(browser.path().await, "/dashboard/settlement");
    assert!(page.contains("<h2>KES</h2>") && page.contains("Close the KES window"));
    // JPY settles gross: no windows.
    assert!(!page.contains("<h2>JPY</h2>"), "{page}");
    let open = kes_windows(s).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].1, "open");

    // A form whose CSRF token was tampered with is refused, and changes nothing.
    let csrf = format!("{CLOSE_FORM} input[name=csrf]");
    browser.set_attr(&csrf, "value", "0000").await;
    browser
        .click_refused(&format!("{CLOSE_FORM} button"), "forbidden_csrf", 403)
        .await;
    assert_eq!(kes_windows(s).await, open);

    browser.goto("/dashboard/settlement").await;
    browser
        .choose(&format!("{CLOSE_FORM} select[name=mode]"), "direct")
        .await;
    let page = browser.click(&format!("{CLOSE_FORM} button")).await;
    let window = open[0].0;
    assert_eq!(
        browser.path().await,
        format!("/dashboard/settlement/windows/{window}")
    );
    let done = format!("Window {window} (KES) closed. Net total 12.34 KES.");
    assert!(page.contains(&done), "{page}");
    assert!(page.contains("Net positions") && page.contains("-12.34"));
    assert!(page.contains("<dd>direct</dd>"), "{page}");
    let windows = kes_windows(s).await;
    assert!(
        windows.contains(&(window, "closed".to_owned())),
        "{windows:?}"
    );
    let reply = s
        .hub
        .get(&format!("/v1/settlement/windows/{window}"), OPERATOR_TOKEN)
        .await;
    assert_eq!(
        reply.body["report"]["net_total"], "12.34",
        "{:?}",
        reply.body
    );
    assert_eq!(reply.body["report"]["mode"], "direct", "{:?}", reply.body);

    let page = browser.click("a[href=\"/dashboard/settlement\"]").await;
    let settle = format!("form[action=\"/dashboard/settlement/windows/{window}/settle\"] button");
    assert!(
        page.contains("Mark settled") && page.contains("Abort"),
        "{page}"
    );
    browser.screenshot("settlement").await;
    let page = browser.click(&settle).await;
    assert!(
        page.contains(&format!("Window {window} (KES) settled.")),
        "{page}"
    );
    let reply = s
        .hub
        .get(&format!("/v1/settlement/windows/{window}"), OPERATOR_TOKEN)
        .await;
    assert_eq!(reply.body["status"], "settled", "{:?}", reply.body);
}

/// Forms on another origin posting to the dashboard, even with the session's real CSRF token:
/// from the same host on another port (same-site, so the `SameSite=Strict` cookie is sent) and
/// from `localhost` (cross-site). Both are refused by the origin guard; nothing changes and the
/// operator's session lives on.
async fn cross_site(s: &Scheme, browser: &Browser) {
    browser.goto("/dashboard/settlement").await;
    let stolen = browser
        .attr(&format!("{CLOSE_FORM} input[name=csrf]"), "value")
        .await;
    assert_eq!(stolen.len(), 64, "{stolen}");
    let before = kes_windows(s).await;
    let hub = &s.hub.base;
    let html = format!(
        "<!DOCTYPE html><html><head><title>elsewhere</title></head><body>\
         <form id=\"close\" method=\"post\" action=\"{hub}/dashboard/settlement/close\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{stolen}\">\
         <input type=\"hidden\" name=\"currency\" value=\"KES\">\
         <input type=\"hidden\" name=\"mode\" value=\"direct\">\
         <button type=\"submit\">Win a prize</button></form>\
         <form id=\"sign-in\" method=\"post\" action=\"{hub}/dashboard/sign-in\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <button type=\"submit\">Sign in</button></form>\
         </body></html>",
        s.officer1
    );
    let port = driver::serve_page(html).await;
    for site in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
    ] {
        let page = browser.goto(&site).await;
        assert!(page.contains("Win a prize"), "{page}");
        browser
            .click_refused("#close button", "forbidden_cross_site", 403)
            .await;
        assert_eq!(browser.path().await, "/dashboard/settlement/close");
        assert_eq!(kes_windows(s).await, before, "from {site}");
        // Login CSRF: signing the victim in as someone else is refused too.
        browser.goto(&site).await;
        browser
            .click_refused("#sign-in button", "forbidden_cross_site", 403)
            .await;
    }
    let page = browser.goto("/dashboard").await;
    assert!(page.contains("Signed in as operator"), "{page}");
}

/// Olive reviews both held payments and is refused when she tries to release one herself;
/// Oscar releases one and rejects the other.
async fn four_eyes(s: &Scheme, browser: &Browser, p: &Payments) {
    // Signed out: the old session is gone.
    let page = browser
        .goto_refused("/dashboard", "unauthenticated", 401)
        .await;
    assert!(page.contains("sign in to use the dashboard"), "{page}");

    let page = browser.sign_in(&s.officer1).await;
    assert!(
        page.contains("Signed in as compliance officer Olive"),
        "{page}"
    );
    assert!(page.contains("href=\"/dashboard/compliance\""));
    assert!(!page.contains("href=\"/dashboard/settlement\""), "{page}");
    browser.click(&nav("/dashboard/compliance")).await;
    let page = browser
        .click(&compliance_button(&p.released, "review"))
        .await;
    assert_eq!(browser.path().await, "/dashboard/compliance");
    let done = format!("Payment {}: review done; it is now held.", p.released);
    assert!(page.contains(&done), "{page}");
    assert!(page.contains("You reviewed this payment"), "{page}");
    assert!(page.contains("<dd>Olive</dd>"), "{page}");
    assert_eq!(
        browser
            .count(&compliance_button(&p.released, "release"))
            .await,
        0
    );
    // The page offers Olive no release; a form pointed at it anyway meets the hub's four eyes.
    let other = format!(
        "form[action=\"/dashboard/compliance/{}/review\"]",
        p.rejected
    );
    let release = format!("/dashboard/compliance/{}/release", p.released);
    browser.set_attr(&other, "id", "crafted").await;
    browser.set_attr("#crafted", "action", &release).await;
    let page = browser
        .click_refused("#crafted button", "four_eyes_same_officer", 409)
        .await;
    assert_eq!(browser.path().await, release);
    assert_eq!(payment_status(s, &p.released).await, "held");
    // The refusal re-renders the queue: Olive goes on with the other review from there.
    let review = format!("/dashboard/compliance/{}/review", p.rejected);
    assert!(page.contains(&review), "{page}");
    let page = browser
        .click(&compliance_button(&p.rejected, "review"))
        .await;
    let done = format!("Payment {}: review done; it is now held.", p.rejected);
    assert!(page.contains(&done), "{page}");
    // Olive proposes that the creditor of one held payment is not the listed person.
    let proposal = format!(
        "form[action=\"/dashboard/compliance/{}/false-positive\"]",
        p.rejected
    );
    browser
        .fill(
            &format!("{proposal} input[name=\"note\"]"),
            "pensioner in Nairobi, born 1950",
        )
        .await;
    let page = browser.click(&format!("{proposal} button")).await;
    assert!(
        page.contains("False positive 1 proposed; a second officer confirms it."),
        "{page}"
    );
    assert!(page.contains("pensioner in Nairobi, born 1950"), "{page}");
    // She cannot confirm her own proposal: no button is offered.
    assert_eq!(browser.count(&false_positive_button(1, "confirm")).await, 0);
    // Nothing waits for her now: both holds need a second officer.
    let page = browser.goto("/dashboard/compliance?mine=1").await;
    assert!(page.contains("No payments are held."), "{page}");
    browser.sign_out().await;

    let page = browser.sign_in(&s.officer2).await;
    assert!(
        page.contains("Signed in as compliance officer Oscar"),
        "{page}"
    );
    let page = browser.goto("/dashboard/compliance?mine=1").await;
    assert_eq!(
        page.matches("<dd>Olive</dd>").count(),
        2,
        "both wait for Oscar: {page}"
    );
    let page = browser.click(&nav("/dashboard/compliance")).await;
    assert_eq!(page.matches("<dd>Olive</dd>").count(), 2, "{page}");
    for id in [&p.released, &p.rejected] {
        for action in ["release", "reject"] {
            assert_eq!(browser.count(&compliance_button(id, action)).await, 1);
        }
        assert_eq!(browser.count(&compliance_button(id, "review")).await, 0);
    }
    let page = browser.click(&false_positive_button(1, "confirm")).await;
    assert!(
        page.contains("False positive 1: confirm done; it is now in_force."),
        "{page}"
    );
    let listed = s
        .hub
        .get("/v1/compliance/false-positives", OPERATOR_TOKEN)
        .await
        .body;
    assert_eq!(listed[0]["status"], "in_force", "{listed}");
    assert_eq!(listed[0]["proposed_by"], "Olive");
    assert_eq!(listed[0]["confirmed_by"], "Oscar");
    browser.screenshot("compliance").await;
    let page = browser
        .click(&compliance_button(&p.released, "release"))
        .await;
    let done = format!("Payment {}: release done; it is now reserved.", p.released);
    assert!(page.contains(&done), "{page}");
    let page = browser
        .click(&compliance_button(&p.rejected, "reject"))
        .await;
    let done = format!(
        "Payment {}: reject done; it is now rejected (sanctions_hit).",
        p.rejected
    );
    assert!(page.contains(&done), "{page}");
    assert!(page.contains("No payments are held."), "{page}");
    assert_eq!(payment_status(s, &p.released).await, "reserved");
    assert_eq!(payment_status(s, &p.rejected).await, "rejected");

    let page = browser
        .goto(&format!("/dashboard/payments/{}", p.released))
        .await;
    for text in [
        "hold reviewed",
        "compliance officer Olive",
        "hold released",
        "compliance officer Oscar",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    browser.sign_out().await;
    // The confirmed false positive clears the same customer of the same bank from now on.
    let again = payment_json(Uuid::new_v4(), s.a, s.b, "3.00", LISTED);
    pay(s, again, "reserved").await;
}
