//! Debian's Chromium, headless, through chromedriver on a free loopback port: starting both, one
//! browser session per [`Browser`], page helpers that click and wait for the next document, and
//! screenshots when `KLIRING_SCREENSHOTS` names a directory.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The browser window (and so the screenshots' width).
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 900;
/// Longest wait for chromedriver, a page or a condition.
const PATIENCE: Duration = Duration::from_secs(30);

/// Whether the browser and its driver are installed. When they are not, the test fails with
/// how to install them, unless `KLIRING_SKIP_BROWSER=1` (then it says why it skips).
pub fn installed() -> bool {
    let missing: Vec<&str> = [CHROMEDRIVER, CHROMIUM]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("KLIRING_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!(
            "KLIRING_SKIP_BROWSER=1: skipping the browser test ({} missing)",
            missing.join(", ")
        );
        return false;
    }
    panic!(
        "the dashboard browser test needs Debian's Chromium and chromedriver ({} missing): \
         `apt-get install chromium chromium-driver` (scripts/test installs them), \
         or set KLIRING_SKIP_BROWSER=1 to skip this test",
        missing.join(", ")
    );
}

/// A running chromedriver (in its own process group, killed with it on drop).
pub struct Driver {
    child: Child,
    url: String,
    log: PathBuf,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("address").port()
}

impl Driver {
    pub async fn start() -> Driver {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("chromedriver.log");
        let http = reqwest::Client::new();
        // The port is free when picked; another process may take it before chromedriver does.
        for _attempt in 0..5 {
            let port = free_port();
            let mut child = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("chromedriver starts");
            let url = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + PATIENCE;
            while Instant::now() < deadline {
                if child.try_wait().expect("chromedriver status").is_some() {
                    break;
                }
                let ready = match http.get(format!("{url}/status")).send().await {
                    Ok(response) => response
                        .json::<Value>()
                        .await
                        .is_ok_and(|status| status["value"]["ready"] == true),
                    Err(_) => false,
                };
                if ready {
                    return Driver {
                        child,
                        url,
                        log,
                        dir,
                    };
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("chromedriver did not start; its log:\n{}", log_tail(&log));
    }

    /// A new headless Chromium with a fresh profile, its pages relative to `base`.
    pub async fn browser(&self, base: &str) -> Browser {
        let profile = tempfile::tempdir_in(self.dir.path()).expect("profile dir");
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--window-size={WIDTH},{HEIGHT}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "no Chromium session: {error}; chromedriver's log:\n{}",
                    log_tail(&self.log)
                )
            });
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(PATIENCE),
                Some(PATIENCE),
                None,
            ))
            .await
            .expect("timeouts");
        Browser {
            client,
            base: base.to_owned(),
            driver: self.url.clone(),
            _profile: profile,
        }
    }
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let start = text.len().saturating_sub(4_000);
    text.get(start..).unwrap_or(&text).to_owned()
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group holds chromedriver and any Chromium a failed test left behind.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Refusal codes no page may show unless the step expects them: a same-origin form refused by
/// the origin guard or the CSRF check would mean the dashboard does not work in a browser.
const GUARD_CODES: [&str; 2] = ["forbidden_cross_site", "forbidden_csrf"];

const SIGN_IN_BUTTON: &str = "main.signin form button[type=submit]";

/// One browser session (its own profile, so its own cookies).
pub struct Browser {
    pub client: Client,
    base: String,
    /// chromedriver's URL (for DevTools commands).
    driver: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// `path` on the hub, or an absolute URL.
    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// The current page's HTML.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// The current URL's path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Opens `path`; returns the page, which must have loaded with a success status and show
    /// no guard refusal.
    pub async fn goto(&self, path: &str) -> String {
        let loaded = self.open(path).await;
        loaded.ok(path)
    }

    /// Opens `path`, insisting the page is the refusal `code` with HTTP `status`.
    pub async fn goto_refused(&self, path: &str, code: &str, status: u16) -> String {
        let loaded = self.open(path).await;
        loaded.refused(path, code, status)
    }

    async fn open(&self, path: &str) -> Loaded {
        self.client.goto(&self.url(path)).await.expect("navigation");
        self.loaded(path).await
    }

    /// Clicks `css` (a link or a form's button); returns the page it leads to, which must have
    /// loaded with a success status and show no guard refusal.
    pub async fn click(&self, css: &str) -> String {
        let loaded = self.click_through(css).await;
        loaded.ok(css)
    }

    /// Clicks `css`, insisting the next page is the refusal `code` with HTTP `status`.
    pub async fn click_refused(&self, css: &str, code: &str, status: u16) -> String {
        let loaded = self.click_through(css).await;
        loaded.refused(css, code, status)
    }

    /// Clicks the element `css` selects and waits until the next document has loaded.
    async fn click_through(&self, css: &str) -> Loaded {
        let old = self
            .client
            .find(Locator::Css("html"))
            .await
            .expect("a document");
        let target = match self.client.find(Locator::Css(css)).await {
            Ok(target) => target,
            Err(error) => panic!(
                "no {css:?} on {}: {error}\n{}",
                self.path().await,
                self.source().await
            ),
        };
        target.click().await.expect("click");
        let deadline = Instant::now() + PATIENCE;
        // The old document's root goes stale once the browser has navigated away.
        while old.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "clicking {css:?} loaded no new page"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        loop {
            let state = self
                .client
                .execute("return document.readyState", vec![])
                .await;
            if matches!(state, Ok(Value::String(s)) if s == "complete") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the page after {css:?} never loaded"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.loaded(css).await
    }

    /// The page just loaded and the HTTP error statuses the console reported for it. Any other
    /// console message (a Content-Security-Policy violation, a script error) fails the step.
    async fn loaded(&self, step: &str) -> Loaded {
        let source = self.source().await;
        let mut errors = Vec::new();
        for message in self.console().await {
            let status = message
                .split_once("the server responded with a status of ")
                .and_then(|(_, rest)| rest.get(..3))
                .and_then(|code| code.parse::<u16>().ok());
            match status {
                Some(status) => errors.push((status, message)),
                None => panic!("{step}: the browser console says {message}\n{source}"),
            }
        }
        Loaded { source, errors }
    }

    /// Types `text` into the field `css` selects.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect("field");
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("typing");
    }

    /// Picks the option `value` of the `select` element `css` selects.
    pub async fn choose(&self, css: &str, value: &str) {
        let select = self.client.find(Locator::Css(css)).await.expect("select");
        select.select_by_value(value).await.expect("option");
    }

    /// The value of attribute `name` of the element `css` selects.
    pub async fn attr(&self, css: &str, name: &str) -> String {
        let element = self.client.find(Locator::Css(css)).await.expect("element");
        element
            .attr(name)
            .await
            .expect("attribute")
            .unwrap_or_default()
    }

    /// Sets attribute `name` of the element `css` selects, as a page script (or a user with
    /// the developer tools) could.
    pub async fn set_attr(&self, css: &str, name: &str, value: &str) {
        let script = "const e = document.querySelector(arguments[0]); \
                      if (!e) { throw new Error('no ' + arguments[0]); } \
                      e.setAttribute(arguments[1], arguments[2]);";
        self.client
            .execute(script, vec![json!(css), json!(name), json!(value)])
            .await
            .expect("script");
    }

    /// Counts the elements `css` selects.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("elements")
            .len()
    }

    /// Signs in through the sign-in form with `token`; returns the page it leads to.
    pub async fn sign_in(&self, token: &str) -> String {
        self.goto("/dashboard/sign-in").await;
        self.fill("#token", token).await;
        self.click(SIGN_IN_BUTTON).await
    }

    /// Signs in with `token`, insisting the form refuses it with `code` and HTTP `status`.
    pub async fn sign_in_refused(&self, token: &str, code: &str, status: u16) -> String {
        self.goto("/dashboard/sign-in").await;
        self.fill("#token", token).await;
        self.click_refused(SIGN_IN_BUTTON, code, status).await
    }

    /// Signs out with the header's button; insists it lands on the sign-in form.
    pub async fn sign_out(&self) {
        let page = self.click("form.signout button[type=submit]").await;
        assert_eq!(self.path().await, "/dashboard/sign-in");
        assert!(page.contains("id=\"token\""), "{page}");
    }

    /// The browser console's messages since the last call (chromedriver's log endpoint).
    async fn console(&self) -> Vec<String> {
        let session = self
            .client
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        let url = format!("{}/session/{session}/se/log", self.driver);
        let response = reqwest::Client::new()
            .post(url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .expect("log request sent");
        assert!(
            response.status().is_success(),
            "console log: {}",
            response.status()
        );
        let body: Value = response.json().await.expect("console log");
        body["value"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| format!("{} {}", e["level"], e["message"]))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Runs the Chrome DevTools command `cmd` through chromedriver.
    async fn devtools(&self, cmd: &str, params: Value) -> Value {
        let session = self
            .client
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver);
        let response = reqwest::Client::new()
            .post(url)
            .json(&json!({ "cmd": cmd, "params": params }))
            .send()
            .await
            .expect("devtools command sent");
        assert!(
            response.status().is_success(),
            "{cmd}: {}",
            response.status()
        );
        response.json().await.expect("devtools answer")
    }

    /// Saves the whole current page, [`WIDTH`] pixels wide, as `NAME.png` in
    /// `$KLIRING_SCREENSHOTS`, if that is set.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("KLIRING_SCREENSHOTS") else {
            return;
        };
        let height = self
            .client
            .execute(
                "return Math.ceil(document.documentElement.getBoundingClientRect().height)",
                vec![],
            )
            .await
            .expect("page height")
            .as_u64()
            .unwrap_or(u64::from(HEIGHT))
            .clamp(u64::from(HEIGHT) / 2, 4_000);
        // A viewport as tall as the page, so one screenshot holds all of it.
        let metrics = json!({
            "width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": false,
        });
        self.devtools("Emulation.setDeviceMetricsOverride", metrics)
            .await;
        let png = self.client.screenshot().await.expect("screenshot");
        self.devtools("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        let file = dir.join(format!("{name}.png"));
        std::fs::write(&file, png).expect("screenshot written");
        eprintln!("screenshot {}", file.display());
    }

    /// Whether the current page is wider than a phone's screen (390 CSS pixels): laid out
    /// again at that width, the document scrolls sideways.
    pub async fn too_wide_for_a_phone(&self) -> bool {
        let metrics =
            json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true });
        self.devtools("Emulation.setDeviceMetricsOverride", metrics)
            .await;
        let wide = self
            .client
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth",
                vec![],
            )
            .await
            .expect("page width")
            .as_bool()
            .unwrap_or(true);
        self.devtools("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
        wide
    }

    /// Ends the session (chromedriver quits this Chromium).
    pub async fn close(self) {
        self.client.close().await.expect("session closed");
    }
}

/// A page as loaded: its HTML and the HTTP errors the console reported while loading it.
struct Loaded {
    source: String,
    errors: Vec<(u16, String)>,
}

impl Loaded {
    /// The page, insisting it loaded without an HTTP error and shows no guard refusal.
    fn ok(self, step: &str) -> String {
        assert!(
            self.errors.is_empty(),
            "{step}: {:?}\n{}",
            self.errors,
            self.source
        );
        for code in GUARD_CODES {
            assert!(
                !self.source.contains(code),
                "{step}: the dashboard refused a same-origin request with {code}:\n{}",
                self.source
            );
        }
        self.source
    }

    /// The page, insisting it is the refusal `code` answered with HTTP `status` (and nothing
    /// else failed).
    fn refused(self, step: &str, code: &str, status: u16) -> String {
        let statuses: Vec<u16> = self.errors.iter().map(|(status, _)| *status).collect();
        assert_eq!(statuses, [status], "{step}: {:?}", self.errors);
        assert!(
            self.source.contains(&format!("<code>{code}</code>")),
            "{step} should have been refused with {code}:\n{}",
            self.source
        );
        self.source
    }
}

/// A second origin on loopback serving one fixed HTML page to every request: the attacker's
/// site, whose forms post to the hub.
pub async fn serve_page(html: String) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let html = html.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65_536 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    port
}
