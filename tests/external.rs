//! End-to-end: `portal check --external` against real HTTP servers on
//! 127.0.0.1. No test touches any other address: the sample's own external
//! links (beian, linqu.gov.cn) are excluded.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::TempSite;
use tiny_http::{Header, Response, Server};

/// A local web server with one behaviour per path; counts requests per path.
struct Remote {
    base: String,
    hits: Arc<std::sync::Mutex<HashMap<String, usize>>>,
}

impl Remote {
    fn start() -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").unwrap());
        let base = format!("http://{}", server.server_addr().to_ip().unwrap());
        let hits: Arc<std::sync::Mutex<HashMap<String, usize>>> = Arc::default();
        for _ in 0..8 {
            let (server, hits) = (Arc::clone(&server), Arc::clone(&hits));
            thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    let path = request.url().to_owned();
                    let n = {
                        let mut hits = hits.lock().unwrap();
                        let n = hits.entry(path.clone()).or_default();
                        *n += 1;
                        *n
                    };
                    let head = request.method() == &tiny_http::Method::Head;
                    let respond = |status: u16, headers: &[(&str, &str)]| {
                        let mut r = Response::from_string("body").with_status_code(status);
                        for (k, v) in headers {
                            r = r.with_header(Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
                        }
                        r
                    };
                    let response = match path.as_str() {
                        "/ok" => respond(200, &[]),
                        "/gone-404" => respond(404, &[]),
                        "/gone-410" => respond(410, &[]),
                        "/error-500" => respond(500, &[]),
                        "/flaky" if n == 1 => respond(503, &[]),
                        "/flaky" => respond(200, &[]),
                        "/moved" => respond(301, &[("Location", "/ok")]),
                        "/found" => respond(302, &[("Location", "/hop")]),
                        "/hop" => respond(307, &[("Location", "/ok")]),
                        "/loop-a" => respond(302, &[("Location", "/loop-b")]),
                        "/loop-b" => respond(302, &[("Location", "/loop-a")]),
                        "/slow" => {
                            thread::sleep(Duration::from_millis(2500));
                            respond(200, &[])
                        }
                        "/rate" if n == 1 => respond(429, &[("Retry-After", "1")]),
                        "/rate" => respond(200, &[]),
                        "/rate-always" => respond(429, &[("Retry-After", "0")]),
                        "/forbidden" => respond(403, &[]),
                        "/no-head" if head => respond(405, &[]),
                        "/no-head" => respond(200, &[]),
                        _ => respond(404, &[]),
                    };
                    let _ = request.respond(response);
                }
            });
        }
        Self { base, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// A port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

const PATHS: &[&str] = &[
    "/ok",
    "/gone-404",
    "/gone-410",
    "/error-500",
    "/flaky",
    "/moved",
    "/found",
    "/loop-a",
    "/slow",
    "/rate",
    "/rate-always",
    "/forbidden",
    "/no-head",
];

/// The Yeyuan sample with `links` (Markdown) written into its 2024 report.
fn yeyuan_with_links(links: &str) -> TempSite {
    let site = TempSite::yeyuan();
    site.edit(
        "content/linqu-yeyuan/2024/report.md",
        "收到政府信息依申请6条",
        &format!("收到政府信息依申请6条（{links}）"),
    );
    site
}

fn site_linking_to(remote: &Remote, refused: &str) -> TempSite {
    let mut links: Vec<String> = PATHS.iter().map(|p| format!("[{p}]({})", remote.url(p))).collect();
    links.push(format!("[refused]({refused})"));
    let site = yeyuan_with_links(&links.join("、"));
    // A broken link on the home page too: it must be listed first.
    site.edit("site.toml", "intro = \"\"\"", &format!("intro = \"\"\"\n[首页链接]({})\n", remote.url("/gone-404")));
    site
}

/// url → (kind, reason) of every problem link, and the counts.
fn run_check(site: &TempSite, extra: &[&str]) -> (Option<i32>, HashMap<String, (String, String)>, serde_json::Value) {
    let mut args = vec!["check", "--external", "--format", "json", "--timeout", "1", "--exclude", "beian|linqu"];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    let mut found = HashMap::new();
    for page in json["links"]["pages"].as_array().unwrap() {
        for e in page["entries"].as_array().unwrap() {
            found.insert(
                e["url"].as_str().unwrap().to_owned(),
                (e["kind"].as_str().unwrap().to_owned(), e["reason"].as_str().unwrap().to_owned()),
            );
        }
    }
    (run.code, found, json)
}

#[test]
fn three_outcomes_for_every_kind_of_answer() {
    let remote = Remote::start();
    let refused = format!("http://127.0.0.1:{}/x", closed_port());
    let site = site_linking_to(&remote, &refused);
    let (code, found, json) = run_check(&site, &["--no-cache"]);
    assert_eq!(code, Some(1), "broken links fail the check");

    let kind = |path: &str| found.get(&remote.url(path)).map(|(k, r)| (k.as_str(), r.as_str()));
    let broken = |path: &str, needle: &str| {
        let (k, r) = kind(path).unwrap_or_else(|| panic!("{path} not reported: {json:#}"));
        assert_eq!(k, "broken", "{path}: {r}");
        assert!(r.contains(needle), "{path}: {r}");
    };
    broken("/gone-404", "HTTP 404");
    broken("/gone-410", "HTTP 410");
    broken("/error-500", "HTTP 500");
    broken("/loop-a", "重定向循环");
    let (k, r) = &found[&refused];
    assert_eq!(k, "broken");
    assert!(r.contains("连接被拒绝") || r.contains("无法连接"), "{r}");
    assert!(r.contains("：") && r.len() > 20, "the cause chain is printed: {r}");

    for path in ["/slow", "/rate-always", "/forbidden"] {
        assert_eq!(kind(path).map(|k| k.0), Some("unverifiable"), "{path}: {json:#}");
    }
    // A permanent redirect works but is reported, so the link can be updated.
    let (k, r) = kind("/moved").unwrap();
    assert_eq!(k, "redirected");
    assert!(r.contains(&remote.url("/ok")), "{r}");
    // Temporary redirects, a 503 that recovers, 429 with Retry-After and servers rejecting HEAD all work.
    for path in ["/ok", "/found", "/flaky", "/rate", "/no-head"] {
        assert_eq!(kind(path), None, "{path} flagged: {json:#}");
    }
    assert_eq!(remote.hits("/flaky"), 2, "retried once");
    assert!(remote.hits("/rate") >= 2, "retried after Retry-After");
    assert!(remote.hits("/slow") >= 2, "timeouts are retried");

    let counts = &json["links"]["counts"];
    assert_eq!(counts["unverifiable"], 3);
    assert_eq!(counts["redirected"], 2);
    assert!(counts["skipped"].as_u64().unwrap() >= 3, "beian and linqu excluded: {counts}");
    // The home page's problems come first.
    assert_eq!(json["links"]["pages"][0]["page"], "index.html");
}

#[test]
fn results_are_cached_and_strict_counts_unverifiable() {
    let remote = Remote::start();
    let site = yeyuan_with_links(&format!("[a]({})、[b]({})", remote.url("/ok"), remote.url("/forbidden")));
    let (code, found, _) = run_check(&site, &[]);
    assert_eq!(code, Some(0), "unverifiable is not broken: {found:?}");
    let hits = remote.hits("/ok");
    assert!(hits >= 1);
    let (code, _, _) = run_check(&site, &["--strict"]);
    assert_eq!(code, Some(1), "--strict counts unverifiable links as dead");
    assert_eq!(remote.hits("/ok"), hits, "the second check within the hour used the cache");
    run_check(&site, &["--no-cache"]);
    assert!(remote.hits("/ok") > hits);
}

#[test]
fn an_html_report_lists_the_home_page_first() {
    let remote = Remote::start();
    let refused = format!("http://127.0.0.1:{}/x", closed_port());
    let site = site_linking_to(&remote, &refused);
    let report = site.path("链接检查报告.html");
    let run = site.run(&[
        "check",
        "--external",
        "--no-cache",
        "--timeout",
        "1",
        "--exclude",
        "beian|linqu",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(!run.success);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("链接检查报告"));
    let home = html.find("<td>index.html</td>").expect("home page row");
    let report_page = html.find("<td>2024/linqu-yeyuan/index.html</td>").expect("report page row");
    assert!(home < report_page, "home page first");
    assert!(html.contains("content/linqu-yeyuan/2024/report.md:21:"), "source line of the Markdown link");
    // The console groups by page and counts.
    assert!(run.stdout.contains("2024/linqu-yeyuan/index.html\n"), "{}", run.stdout);
    assert!(run.stdout.contains("链接：共检查"), "{}", run.stdout);
}

#[test]
fn an_invalid_exclusion_is_a_clear_error() {
    let site = TempSite::yeyuan();
    let run = site.run(&["check", "--external", "--exclude", "(unclosed"]);
    assert!(!run.success);
    assert!(run.stderr.contains("不是有效的正则表达式"), "{}", run.stderr);
}

/// One dead address on many pages is one dead link, on that many pages: the
/// totals count addresses, not the places they are written.
#[test]
fn totals_count_addresses_and_say_on_how_many_pages() {
    let remote = Remote::start();
    let site = TempSite::sample();
    let dead = remote.url("/gone-404");
    for (report, phrase) in [
        ("content/example-county/2024/report.md", "上年结转3件。"),
        ("content/example-town/2024/report.md", "上年结转1件，"),
        ("content/example-education/2024/report.md", "上年结转2件，"),
    ] {
        site.edit(report, phrase, &format!("{phrase}[一]({dead})、[二]({dead})"));
    }
    let run = site.run(&["check", "--external", "--no-cache", "--timeout", "1", "--exclude", "^https?://[a-z]"]);
    assert!(!run.success);
    let listed = run.stdout.lines().filter(|l| l.contains(&dead)).count();
    assert_eq!(listed, 6, "every place is listed: {}", run.stdout);
    let totals = run.stdout.lines().find(|l| l.starts_with("链接：")).expect("totals line");
    assert!(totals.contains("失效 1 个") && totals.contains("列出的链接在 3 个页面上"), "{totals}");
    assert!(totals.contains("按地址计（同一地址出现在多个页面上只算一次）"), "{totals}");
}

/// On a terminal the external check counts its progress on one line; with
/// `--quiet` it says nothing but the problems. Run under `script`, which
/// gives the binary a terminal.
#[test]
fn progress_shows_on_a_terminal_and_not_with_quiet() {
    let remote = Remote::start();
    let site = yeyuan_with_links(&format!("[在线]({})", remote.url("/ok")));
    let on_terminal = |quiet: bool| -> String {
        let command = format!(
            "'{}' check --external --no-cache --timeout 1 --exclude 'beian|linqu' --root '{}'{}",
            env!("CARGO_BIN_EXE_portal"),
            site.root().display(),
            if quiet { " --quiet" } else { "" }
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("NO_COLOR", "1")
            .output()
            .expect("script (util-linux) runs the check on a terminal");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal(false);
    // One line, rewritten as each address is answered, up to all of them.
    let last = shown.rsplit("\r检查外部链接：").next().and_then(|l| l.lines().next()).unwrap_or_default();
    let (done, total) = last.split_once('/').unwrap_or_else(|| panic!("no progress line: {shown}"));
    assert!(shown.contains("\r检查外部链接：") && done == total, "{shown}");
    let quiet = on_terminal(true);
    assert!(!quiet.contains("检查外部链接"), "{quiet}");
}
