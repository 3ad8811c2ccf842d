//! The operator web dashboard over HTTP: sign-in by role, sessions (sign-out, revocation),
//! pages showing balances to the minor unit with escaped names, compliance four eyes and
//! settlement through the dashboard checked via the JSON API, CSRF and origin refusals, and the
//! security headers (asserted on every dashboard response these tests receive).

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{OPERATOR_TOKEN, Scheme, TestHub, admit, config, payment_json};

const CSP: &str =
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'";

/// A dashboard response.
struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Page {
    /// The CSRF token of the page's forms.
    fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF field") + marker.len();
        let end = self.body[start..].find('"').expect("closing quote");
        self.body[start..start + end].to_owned()
    }

    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A browser without JavaScript: one session cookie, no redirects followed.
struct Browser {
    base: String,
    client: reqwest::Client,
    cookie: Option<String>,
}

impl Browser {
    fn new(hub: &TestHub) -> Self {
        Self::at(&hub.base)
    }

    fn at(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser {
            base: base.to_owned(),
            client,
            cookie: None,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let request = match &self.cookie {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        };
        let response = request.send().await.expect("request sent");
        let page = Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body"),
        };
        let header = |name: &str| page.headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(
            header("content-security-policy"),
            Some(CSP),
            "{}",
            page.body
        );
        assert_eq!(header("x-content-type-options"), Some("nosniff"));
        assert_eq!(header("referrer-policy"), Some("same-origin"));
        assert_eq!(header("cache-control"), Some("no-store"));
        page
    }

    async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    /// Posts a form with extra headers.
    async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, &[]).await
    }

    /// Posts a form with this session's CSRF token (read from `from`, a page with forms).
    async fn act(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(from).await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// Signs in with `token`; keeps the session cookie when one is set.
    async fn sign_in(&mut self, token: &str) -> Page {
        let page = self.post("/dashboard/sign-in", &[("token", token)]).await;
        if let Some(set) = page.headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()) {
            self.cookie = set.split(';').next().map(str::to_owned);
        }
        page
    }
}

async fn signed_in(s: &Scheme, token: &str) -> Browser {
    let mut browser = Browser::new(&s.hub);
    let page = browser.sign_in(token).await;
    assert_eq!(page.status, 303, "{}", page.body);
    browser
}

#[tokio::test]
async fn sign_in_by_role_and_sign_out() {
    let s = Scheme::new().await;
    let mut operator = Browser::new(&s.hub);
    assert_eq!(operator.get("/dashboard").await.status, 401);
    let page = operator.sign_in(OPERATOR_TOKEN).await;
    assert_eq!((page.status, page.location()), (303, "/dashboard"));
    let set = page.headers[SET_COOKIE].to_str().expect("cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(
        set.contains("Path=/dashboard") && !set.contains(OPERATOR_TOKEN),
        "{set}"
    );
    let overview = operator.get("/dashboard").await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview.body.contains("Signed in as operator"));
    assert!(overview.body.contains("href=\"/dashboard/settlement\""));

    let officer = signed_in(&s, &s.officer1).await;
    let held = officer.get("/dashboard/compliance").await;
    assert_eq!(held.status, 200, "{}", held.body);
    assert!(
        officer
            .get("/dashboard")
            .await
            .body
            .contains("compliance officer Olive")
    );

    // Auditors read everything they may, but get no action forms besides signing out.
    let auditor = signed_in(&s, &s.auditor).await;
    let windows = auditor.get("/dashboard/settlement").await;
    assert_eq!(windows.status, 200, "{}", windows.body);
    assert_eq!(windows.body.matches("<form").count(), 1, "{}", windows.body);
    assert!(
        !auditor
            .get("/dashboard")
            .await
            .body
            .contains("/dashboard/compliance")
    );
    let refused = auditor.get("/dashboard/compliance").await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("forbidden_not_compliance_officer"));

    let mut participant = Browser::new(&s.hub);
    let page = participant.sign_in(&s.a_token).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("forbidden_dashboard_participant"));
    assert!(participant.cookie.is_none());
    let mut stranger = Browser::new(&s.hub);
    let page = stranger.sign_in("not-a-token").await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("unauthenticated") && stranger.cookie.is_none());
    assert_eq!(stranger.sign_in("").await.status, 401);

    let csrf = operator.get("/dashboard").await.csrf();
    let out = operator
        .post("/dashboard/sign-out", &[("csrf", &csrf)])
        .await;
    assert_eq!((out.status, out.location()), (303, "/dashboard/sign-in"));
    // The old cookie is dead even if the browser keeps sending it.
    assert_eq!(operator.get("/dashboard").await.status, 401);
    assert_eq!(operator.get("/dashboard/payments").await.status, 401);
    let sign_in = operator.get("/dashboard/sign-in").await;
    assert_eq!(sign_in.status, 200);
    let css = operator.get("/dashboard/style.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/css")
    );
    assert_eq!(operator.get("/dashboard/no-such-page").await.status, 404);
    s.hub.shutdown().await;
}

#[tokio::test]
async fn a_revoked_credential_ends_its_sessions() {
    let s = Scheme::new().await;
    let issued = s
        .hub
        .expect(
            "/v1/credentials",
            OPERATOR_TOKEN,
            json!({ "role": "compliance_officer", "officer": "Rita" }),
            201,
        )
        .await;
    let token = issued["token"].as_str().expect("token");
    let rita = signed_in(&s, token).await;
    assert_eq!(rita.get("/dashboard").await.status, 200);
    let id = issued["id"].as_u64().expect("credential id");
    s.hub
        .expect(
            &format!("/v1/credentials/{id}/revoke"),
            OPERATOR_TOKEN,
            json!({}),
            200,
        )
        .await;
    let page = rita.get("/dashboard").await;
    assert_eq!(page.status, 401, "{}", page.body);
    assert!(page.body.contains("revoked"));
    s.hub.shutdown().await;
}

#[tokio::test]
async fn pages_show_balances_to_the_minor_unit_and_escape_names() {
    let s = Scheme::new().await;
    let pay = s.payment("12.34");
    let id = pay["payment_id"].as_str().expect("id").to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    let accept = format!("/v1/payments/{id}/accept");
    s.hub.expect(&accept, &s.b_token, json!({}), 200).await;
    let deposit = json!({ "currency": "JPY", "amount": "5000" });
    let path = format!("/v1/participants/{}/liquidity/deposits", s.c);
    s.hub.expect(&path, OPERATOR_TOKEN, deposit, 200).await;
    let evil = admit(&s.hub, "<script>alert(1)</script>", "EVILKENA").await;

    let operator = signed_in(&s, OPERATOR_TOKEN).await;
    let page = operator.get("/dashboard/participants").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<script>"), "unescaped name");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.body.contains(&format!("<dd>{evil}</dd>")));
    // Position, liquidity and cap to each currency's minor unit, grouped, with the currency.
    for figure in [
        ">-12.34 KES<",
        ">12.34 KES<",
        ">1,000.00 KES<",
        ">5,000 JPY<",
        ">987.66 KES<",
    ] {
        assert!(page.body.contains(figure), "{figure} missing");
    }

    let overview = operator.get("/dashboard").await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview.body.contains("demo data"), "{}", overview.body);
    // It keeps itself current without a script.
    assert_eq!(
        overview
            .headers
            .get("refresh")
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    assert!(
        overview
            .body
            .contains("status=committed\">committed</a></td><td class=\"num\">1<")
    );

    let list = operator.get("/dashboard/payments?status=committed").await;
    assert_eq!(list.status, 200, "{}", list.body);
    // Filters by currency and by a bank's BIC or id.
    let kes = operator
        .get("/dashboard/payments?currency=kes&participant=ALPHKENA")
        .await;
    assert_eq!(kes.status, 200, "{}", kes.body);
    assert!(kes.body.contains(&id), "{}", kes.body);
    let jpy = operator.get("/dashboard/payments?currency=JPY").await;
    assert!(jpy.body.contains("No payments match."), "{}", jpy.body);
    let unknown = operator
        .get("/dashboard/payments?participant=NOPEKENA")
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert!(
        unknown.body.contains("no participant has id or BIC"),
        "{}",
        unknown.body
    );
    assert!(list.body.contains(&id) && list.body.contains("12.34 KES"));
    let none = operator.get("/dashboard/payments?status=held").await;
    assert!(!none.body.contains(&id) && none.body.contains("No payments match"));
    assert_eq!(
        operator
            .get("/dashboard/payments?status=bogus")
            .await
            .status,
        400
    );
    let detail = operator.get(&format!("/dashboard/payments/{id}")).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    for step in ["received", "reserved", "committed", "participant "] {
        assert!(detail.body.contains(step), "{step} missing from the trail");
    }
    let missing = operator
        .get(&format!("/dashboard/payments/{}", Uuid::new_v4()))
        .await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("payment_not_found"));
    assert!(
        missing.body.contains("<title>Not found · kliring</title>")
            || missing.body.contains("<h1>Not found</h1>"),
        "{}",
        missing.body
    );
    // A bad id is explained in words, not by the UUID parser.
    let bad = operator.get("/dashboard/payments/not-a-uuid").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("<h1>Bad request</h1>"), "{}", bad.body);
    s.hub.shutdown().await;
}

#[tokio::test]
async fn payments_page_by_cursor() {
    let s = Scheme::new().await;
    let mut ids = Vec::new();
    for _ in 0..55 {
        let created = s
            .hub
            .expect("/v1/payments", &s.a_token, s.payment("1.00"), 201)
            .await;
        ids.push(created["payment_id"].as_str().expect("id").to_owned());
    }
    // The API keeps creation order unless asked for the newest first.
    let newest = s
        .hub
        .get("/v1/payments?order=newest_first&limit=2", OPERATOR_TOKEN)
        .await
        .body;
    assert_eq!(newest["payments"][0]["payment_id"], ids[54].as_str());
    assert_eq!(newest["payments"][1]["payment_id"], ids[53].as_str());
    let oldest = s.hub.get("/v1/payments?limit=1", OPERATOR_TOKEN).await.body;
    assert_eq!(oldest["payments"][0]["payment_id"], ids[0].as_str());
    let auditor = signed_in(&s, &s.auditor).await;
    let first = auditor.get("/dashboard/payments?status=reserved").await;
    assert_eq!(first.body.matches("1.00 KES").count(), 50);
    // The dashboard shows the newest first: the last payment on page one, the first on two.
    assert!(first.body.contains(&ids[54]) && !first.body.contains(&ids[0]));
    let marker = "href=\"/dashboard/payments?";
    let start = first.body.find(marker).expect("next page link") + marker.len() - 1;
    let end = first.body[start..].find('"').expect("quote");
    let next = first.body[start..start + end].replace("&amp;", "&");
    assert!(next.contains("status=reserved"), "{next}");
    let second = auditor.get(&format!("/dashboard/payments{next}")).await;
    assert_eq!(
        second.body.matches("1.00 KES").count(),
        5,
        "{}",
        second.body
    );
    assert!(!second.body.contains("Next page"));
    assert!(second.body.contains(&ids[0]), "{}", second.body);
    s.hub.shutdown().await;
}

#[tokio::test]
async fn compliance_four_eyes_through_the_dashboard() {
    let s = Scheme::new().await;
    let pay = payment_json(Uuid::new_v4(), s.a, s.b, "40.00", "Doku Umarov");
    let id = pay["payment_id"].as_str().expect("id").to_owned();
    let created = s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    assert_eq!(created["status"], "held");

    let olive = signed_in(&s, &s.officer1).await;
    let queue = olive.get("/dashboard/compliance").await;
    assert!(queue.body.contains("Doku Umarov") && queue.body.contains("demo data"));
    let base = format!("/dashboard/compliance/{id}");
    let reviewed = olive
        .act("/dashboard/compliance", &format!("{base}/review"), &[])
        .await;
    assert_eq!(
        (reviewed.status, reviewed.location()),
        (303, "/dashboard/compliance")
    );
    let after = olive.get("/dashboard/compliance").await;
    assert!(after.body.contains("review done"), "{}", after.body);
    // The reviewer gets no release button, but a crafted POST is refused by the hub itself.
    assert!(
        after
            .body
            .contains("a second officer releases or rejects it")
    );
    assert!(!after.body.contains(&format!("{base}/release")));

    let same = olive
        .act("/dashboard/compliance", &format!("{base}/release"), &[])
        .await;
    assert_eq!(same.status, 409, "{}", same.body);
    assert!(
        same.body.contains("four_eyes_same_officer"),
        "{}",
        same.body
    );
    let payment = format!("/v1/payments/{id}");
    assert_eq!(s.hub.get(&payment, &s.a_token).await.body["status"], "held");

    let oscar = signed_in(&s, &s.officer2).await;
    let queue = oscar.get("/dashboard/compliance").await.body;
    assert!(
        queue.contains(&format!("{base}/release")) && queue.contains(&format!("{base}/reject"))
    );
    assert!(!queue.contains(&format!("{base}/review")));
    let released = oscar
        .act("/dashboard/compliance", &format!("{base}/release"), &[])
        .await;
    assert_eq!(released.status, 303, "{}", released.body);
    assert_eq!(
        s.hub.get(&payment, &s.a_token).await.body["status"],
        "reserved"
    );
    let trail = oscar.get(&format!("/dashboard/payments/{id}")).await.body;
    assert!(trail.contains("hold reviewed") && trail.contains("compliance officer Olive"));
    assert!(trail.contains("hold released") && trail.contains("compliance officer Oscar"));
    assert!(trail.contains("Doku Umarov") && trail.contains("demo data"));

    // The operator watches the queue but has no buttons; its POST is refused by the API's rule.
    let operator = signed_in(&s, OPERATOR_TOKEN).await;
    let watched = operator.get("/dashboard/compliance").await;
    assert_eq!(
        (watched.status, watched.body.matches("<form").count()),
        (200, 1)
    );
    let refused = operator
        .act("/dashboard", &format!("{base}/reject"), &[])
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("forbidden_not_compliance_officer"));
    s.hub.shutdown().await;
}

#[tokio::test]
async fn settlement_windows_through_the_dashboard() {
    let s = Scheme::new().await;
    let pay = s.payment("25.50");
    let id = pay["payment_id"].as_str().expect("id").to_owned();
    s.hub.expect("/v1/payments", &s.a_token, pay, 201).await;
    s.hub
        .expect(
            &format!("/v1/payments/{id}/accept"),
            &s.b_token,
            json!({}),
            200,
        )
        .await;

    let operator = signed_in(&s, OPERATOR_TOKEN).await;
    let fields = [("currency", "KES"), ("mode", "direct")];
    let closed = operator
        .act(
            "/dashboard/settlement",
            "/dashboard/settlement/close",
            &fields,
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    let window_page = closed.location().to_owned();
    assert!(window_page.starts_with("/dashboard/settlement/windows/"));
    let windows = s
        .hub
        .get("/v1/settlement/windows?currency=KES", OPERATOR_TOKEN)
        .await;
    let first = &windows.body[0];
    assert_eq!(
        (
            first["status"].as_str(),
            first["report"]["net_total"].as_str()
        ),
        (Some("closed"), Some("25.50"))
    );
    let report = operator.get(&window_page).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report.body.contains("(KES) closed. Net total 25.50 KES."),
        "{}",
        report.body
    );
    assert!(report.body.contains("-25.50") && report.body.contains("Net positions"));
    // The window page links its CSV, in decimal units with BICs.
    let csv_path = format!("{window_page}/report.csv");
    assert!(report.body.contains(&csv_path), "{}", report.body);
    let csv = operator.get(&csv_path).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(
        csv.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        csv.body.contains(",-25.50\n") && csv.body.contains("ALPHKENA"),
        "{}",
        csv.body
    );

    // A second close while one awaits settlement: the hub's refusal, shown with its status.
    let again = operator
        .act(
            "/dashboard/settlement",
            "/dashboard/settlement/close",
            &fields,
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body.contains("window_awaiting_settlement"),
        "{}",
        again.body
    );

    let window = first["id"].as_u64().expect("window id");
    let settled = operator
        .act(
            "/dashboard/settlement",
            &format!("/dashboard/settlement/windows/{window}/settle"),
            &[],
        )
        .await;
    assert_eq!(settled.status, 303, "{}", settled.body);
    let after = s
        .hub
        .get(&format!("/v1/settlement/windows/{window}"), OPERATOR_TOKEN)
        .await;
    assert_eq!(after.body["status"], "settled");

    let officer = signed_in(&s, &s.officer1).await;
    let refused = officer.get("/dashboard/settlement").await;
    assert_eq!(refused.status, 403);
    let posted = officer
        .act(
            "/dashboard",
            "/dashboard/settlement/close",
            &[("currency", "KES"), ("mode", "direct")],
        )
        .await;
    assert_eq!(posted.status, 403, "{}", posted.body);
    s.hub.shutdown().await;
}

#[tokio::test]
async fn posts_without_a_valid_csrf_token_or_from_elsewhere_are_refused() {
    let s = Scheme::new().await;
    let operator = signed_in(&s, OPERATOR_TOKEN).await;
    let csrf = operator.get("/dashboard/settlement").await.csrf();
    let close = "/dashboard/settlement/close";
    let fields =
        |token: &'static str| vec![("csrf", token), ("currency", "KES"), ("mode", "direct")];
    let missing = operator
        .post(close, &[("currency", "KES"), ("mode", "direct")])
        .await;
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("forbidden_csrf"));
    let wrong = operator.post(close, &fields("0000")).await;
    assert_eq!(
        (wrong.status, wrong.body.contains("forbidden_csrf")),
        (403, true)
    );

    let mut good = vec![("csrf", csrf.as_str())];
    good.extend_from_slice(&[("currency", "KES"), ("mode", "direct")]);
    let cross = [("sec-fetch-site", "cross-site")];
    let refused = operator.post_with(close, &good, &cross).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("forbidden_cross_site"));
    let elsewhere = [("origin", "http://attacker.example")];
    assert_eq!(
        operator.post_with(close, &good, &elsewhere).await.status,
        403
    );
    let login = Browser::new(&s.hub)
        .post_with(
            "/dashboard/sign-in",
            &[("token", OPERATOR_TOKEN)],
            &elsewhere,
        )
        .await;
    assert_eq!(login.status, 403);
    // Another session's token does not do either.
    let other = signed_in(&s, OPERATOR_TOKEN).await;
    let other_csrf = other.get("/dashboard").await.csrf();
    assert_ne!(other_csrf, csrf);
    let mut foreign = vec![("csrf", other_csrf.as_str())];
    foreign.extend_from_slice(&[("currency", "KES"), ("mode", "direct")]);
    assert_eq!(operator.post(close, &foreign).await.status, 403);

    let windows = s
        .hub
        .get("/v1/settlement/windows?currency=KES", OPERATOR_TOKEN)
        .await;
    let statuses: Vec<&str> = windows
        .body
        .as_array()
        .expect("windows")
        .iter()
        .filter_map(|w| w["status"].as_str())
        .collect();
    assert_eq!(statuses, ["open"], "nothing was closed");

    // The same form with the right token and a same-origin header goes through.
    let origin = s.hub.base.clone();
    let done = operator
        .post_with(close, &good, &[("origin", &origin)])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    s.hub.shutdown().await;
}

#[tokio::test]
async fn wrong_sign_ins_count_against_the_address_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = config(dir.path(), true);
    settings.auth_failures_per_minute = 3;
    let server = server::start(settings).await.expect("server starts");
    let mut browser = Browser::at(&server.base_url());
    for n in 0..3 {
        let page = browser.sign_in(&format!("guess-{n}")).await;
        assert_eq!(page.status, 401, "guess {n}");
    }
    let limited = browser.sign_in("guess-3").await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(limited.body.contains("too_many_failed_authentications"));
    assert!(limited.headers.contains_key("retry-after"));
    assert!(browser.cookie.is_none());
    server.shutdown().await.expect("clean shutdown");
}
