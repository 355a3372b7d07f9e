//! End-to-end: the real `portal serve` on an ephemeral port, spoken to over
//! real sockets. Requests are written by hand so that traversal tricks reach
//! the server exactly as sent (an HTTP client would normalise them).

mod common;
#[path = "serve/preview.rs"]
mod preview;

use std::fs;
use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::TempSite;
use preview::{DATA, PATIENCE, Preview, REPORT_MD, REPORT_PAGE, Reply};

#[test]
fn serves_the_site_under_its_base_path() {
    let site = TempSite::sample();
    site.write("static/附件/说明.txt", "说明文字");
    let preview = Preview::start(&site, &[]);

    assert!(preview.banner.contains("native"), "{}", preview.banner);
    assert!(preview.banner.contains(&format!("http://{}/xxgk/", preview.host)), "{}", preview.banner);
    let home = preview.get("/xxgk/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("Content-Type"), Some("text/html; charset=utf-8"));
    assert!(home.body.contains("<script src=\"__portal/livereload.js\"></script>"));

    let report = preview.get(REPORT_PAGE);
    assert_eq!(report.status, 200);
    assert!(report.body.contains("收到政府信息依申请6条"));
    // The script is found relative to the page, so any proxy prefix works.
    assert!(report.body.contains("<script src=\"../../__portal/livereload.js\"></script>"));

    let script = preview.get("/xxgk/__portal/livereload.js");
    assert_eq!(script.header("Content-Type"), Some("text/javascript; charset=utf-8"));
    assert!(script.body.contains("EventSource"));

    for (path, content_type) in [
        ("/xxgk/assets/style.css", "text/css; charset=utf-8"),
        ("/xxgk/feed.xml", "application/xml; charset=utf-8"),
        ("/xxgk/sitemap.xml", "application/xml; charset=utf-8"),
        ("/xxgk/2024/linqu-yeyuan/data.json", "application/json; charset=utf-8"),
        ("/xxgk/2024/linqu-yeyuan/data.csv", "text/csv; charset=utf-8"),
    ] {
        let reply = preview.get(path);
        assert_eq!((reply.status, reply.header("Content-Type")), (200, Some(content_type)), "{path}");
        assert!(!reply.body.contains("__portal"), "only HTML gets the script: {path}");
    }

    let chinese = preview.get("/xxgk/%E9%99%84%E4%BB%B6/%E8%AF%B4%E6%98%8E.txt");
    assert_eq!((chinese.status, chinese.body.as_str()), (200, "说明文字"));

    let root = preview.get("/");
    assert_eq!((root.status, root.header("Location")), (302, Some("/xxgk/")));
    let dir = preview.get("/xxgk/2024?x=1");
    assert_eq!((dir.status, dir.header("Location")), (302, Some("/xxgk/2024/?x=1")));

    let missing = preview.get("/xxgk/2019/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("页面不存在"), "the site's own 404 page");

    let head = preview.raw(&format!("HEAD {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let post = preview
        .raw(&format!("POST {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    assert_eq!(post.status, 405);

    // The preview wrote nothing to disk.
    assert!(!site.path("public").exists());
}

#[test]
fn no_request_reads_outside_the_site() {
    let site = TempSite::yeyuan();
    let secret_dir = tempfile::tempdir().unwrap();
    let secret = secret_dir.path().join("secret.txt");
    fs::write(&secret, "TOP-SECRET").unwrap();
    fs::create_dir_all(site.path("static")).unwrap();
    std::os::unix::fs::symlink(&secret, site.path("static/leak.txt")).unwrap();
    // A file beside the site root that `..` would reach.
    fs::write(site.path("content/../outside.txt"), "TOP-SECRET").unwrap();
    let preview = Preview::start(&site, &[]);

    for target in [
        "/xxgk/../outside.txt",
        "/xxgk/../../../../../../etc/passwd",
        "/xxgk/%2e%2e/outside.txt",
        "/xxgk/%2E%2E%2Foutside.txt",
        "/xxgk/..%2foutside.txt",
        "/xxgk/..%5coutside.txt",
        "/xxgk/..\\outside.txt",
        "/xxgk//etc/passwd",
        "/xxgk/%2fetc%2fpasswd",
        "/xxgk/site.toml",
        "/xxgk/content/linqu-yeyuan/2024/data.toml",
        "/xxgk/index.html%00.txt",
        "/xxgk/leak.txt",
        "/etc/passwd",
        "http://127.0.0.1/etc/passwd",
        &secret.display().to_string(),
    ] {
        let reply = preview.raw(&format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        // The link out of the site fails the check: inside the base path, the failure page answers.
        assert!(matches!(reply.status, 400 | 404 | 500), "{target}: status {}", reply.status);
        assert!(!reply.body.contains("TOP-SECRET") && !reply.body.contains("root:x:0"), "{target} leaked");
    }
    let page = preview.raw(&format!("GET {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    assert!(page.status == 500 && page.body.contains("outside-root"), "{} {}", page.status, page.body);
    // Malformed requests and clients that hang up do not hurt the server.
    let garbage = preview.raw("\x00\x01 NONSENSE\r\n\r\n");
    assert_eq!(garbage.status, 400);
    for _ in 0..5 {
        let mut s = TcpStream::connect(&preview.host).unwrap();
        s.write_all(format!("GET {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).unwrap();
        drop(s);
    }
    // Still answering: with the failure page, as before them.
    assert_eq!(preview.get(REPORT_PAGE).status, 500);
}

#[test]
fn an_edit_reloads_the_tab_with_the_new_text() {
    let site = TempSite::yeyuan();
    let mut preview = Preview::start(&site, &[]);
    let mut events = preview.events();

    site.edit(REPORT_MD, "收到政府信息依申请6条", "收到政府信息依申请6条。本句为预览测试新增");
    events.expect_reload();
    // The event is sent only once the new build is served.
    assert!(preview.get(REPORT_PAGE).body.contains("本句为预览测试新增"));
    preview.wait_for_line("检测到修改：content/linqu-yeyuan/2024/report.md");

    // Editors that save by writing a temporary file and renaming it over the original.
    let text = site.read(REPORT_MD).replace("本句为预览测试新增", "改名保存的新句");
    fs::write(site.path("content/linqu-yeyuan/2024/.report.md.swp"), "swap").unwrap();
    fs::write(site.path("content/linqu-yeyuan/2024/report.md.tmp"), text).unwrap();
    fs::rename(site.path("content/linqu-yeyuan/2024/report.md.tmp"), site.path(REPORT_MD)).unwrap();
    events.expect_reload();
    assert!(preview.get(REPORT_PAGE).body.contains("改名保存的新句"));
}

/// Like a build, serve starts from the state the previous run kept: what
/// was edited since is read again, the rest comes from the state.
#[test]
fn starts_from_the_state_a_build_kept() {
    let site = TempSite::yeyuan();
    site.build_ok();
    site.edit(REPORT_MD, "收到政府信息依申请6条", "收到政府信息依申请6条。本句在预览之前新增");
    let preview = Preview::start_with(&site, &[], &[("PORTAL_TIMINGS", "1")]);
    assert!(preview.passed.iter().any(|l| l.starts_with("timing: restore")), "{:?}", preview.passed);
    let page = preview.get(REPORT_PAGE);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("本句在预览之前新增"), "the edit made before the start is shown");
    let mut events = preview.events();
    site.edit(REPORT_MD, "本句在预览之前新增", "本句在预览期间改写");
    events.expect_reload();
    assert!(preview.get(REPORT_PAGE).body.contains("本句在预览期间改写"));
}

#[test]
fn a_broken_edit_shows_the_diagnostics_and_the_fix_brings_the_page_back() {
    let site = TempSite::yeyuan();
    let mut preview = Preview::start(&site, &[]);
    let mut events = preview.events();

    site.edit(DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [7, 0, 0, 0, 0, 0, 7]");
    events.expect_reload();
    let overlay = preview.get(REPORT_PAGE);
    assert_eq!(overlay.status, 500);
    assert!(overlay.body.contains("站点生成失败：刚保存的修改有错误"));
    assert!(
        overlay.body.contains("请按下面列出的问题（每条都写明了文件和行号）改正并保存，本页会自动刷新为改好后的页面。")
            && overlay.body.contains("这只是本机预览：正式网站和输出文件夹都没有任何改动。"),
        "{}",
        overlay.body
    );
    assert!(!overlay.body.contains("修改前的页面没有发布"));
    assert!(overlay.body.contains("error[R1]"), "{}", overlay.body);
    assert!(overlay.body.contains("content/linqu-yeyuan/2024/data.toml:23:17"));
    assert!(overlay.body.contains("../../__portal/livereload.js"), "the overlay reloads itself too");
    // Assets of the last good build keep loading.
    assert_eq!(preview.get("/xxgk/assets/style.css").status, 200);
    preview.wait_for_line("error[R1]");

    // Malformed TOML is no different.
    site.edit(DATA, "new          = [7, 0, 0, 0, 0, 0, 7]", "new          = [7, 0, 0,");
    events.expect_reload();
    assert!(preview.get(REPORT_PAGE).body.contains("TOML 格式错误"));

    site.edit(DATA, "new          = [7, 0, 0,", "new          = [6, 0, 0, 0, 0, 0, 6]");
    events.expect_reload();
    let fixed = preview.get(REPORT_PAGE);
    assert_eq!(fixed.status, 200);
    assert!(fixed.body.contains("收到政府信息依申请6条"));
}

#[test]
fn a_failed_first_build_still_serves_and_recovers() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "licensing = 0", "licensing = ");
    let mut preview = Preview::start(&site, &[]);
    assert!(preview.banner.contains("/xxgk/"), "{}", preview.banner);
    let overlay = preview.get(REPORT_PAGE);
    assert_eq!(overlay.status, 500);
    assert!(overlay.body.contains("content/linqu-yeyuan/2024/data.toml:11:"), "{}", overlay.body);
    let mut events = preview.events();

    site.edit(DATA, "licensing = ", "licensing = 0");
    events.expect_reload();
    assert_eq!(preview.get(REPORT_PAGE).status, 200);
    preview.wait_for_line("已生成 1 份报告");
}

#[test]
fn a_broken_site_toml_shows_the_diagnostics_at_every_path() {
    let site = TempSite::yeyuan();
    site.edit("site.toml", "theme = \"default\"", "theme = \"default\"\ntitel = \"x\"");
    let preview = Preview::start(&site, &[]);
    // Without a readable site.toml the base path is unknown: the overlay is everywhere.
    for path in ["/", "/xxgk/", REPORT_PAGE] {
        let overlay = preview.get(path);
        assert_eq!(overlay.status, 500, "{path}");
        assert!(overlay.body.contains("titel"), "{path}");
    }
    let mut events = preview.events_at("/__portal/events");
    site.edit("site.toml", "\ntitel = \"x\"", "");
    events.expect_reload();
    assert_eq!(preview.get("/xxgk/").status, 200);
    assert_eq!(preview.get("/").header("Location"), Some("/xxgk/"));
}

#[test]
fn agencies_and_years_appear_and_disappear() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &[]);
    assert_eq!(preview.get("/xxgk/2024/copy-agency/").status, 404);

    // A new agency folder, as a file manager's copy makes it.
    let copy = tempfile::tempdir().unwrap();
    common::copy_dir(&site.path("content/linqu-yeyuan"), &copy.path().join("copy-agency"));
    let agency = copy.path().join("copy-agency/agency.toml");
    let text = fs::read_to_string(&agency).unwrap();
    let name_line = text.lines().find(|l| l.starts_with("name")).unwrap().to_owned();
    fs::write(&agency, text.replace(&name_line, "name = \"示例复制街道办事处\"")).unwrap();
    fs::rename(copy.path().join("copy-agency"), site.path("content/copy-agency")).unwrap();
    let page = preview.wait_for_page("/xxgk/agencies/copy-agency/", "示例复制街道办事处");
    assert_eq!(page.status, 200);

    fs::remove_dir_all(site.path("content/copy-agency")).unwrap();
    let deadline = Instant::now() + PATIENCE;
    while preview.get("/xxgk/agencies/copy-agency/").status != 404 {
        assert!(Instant::now() < deadline, "deleted agency still served");
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn pages_stay_available_while_rebuilding() {
    let site = TempSite::sample();
    let mut preview = Preview::start(&site, &[]);
    let mut events = preview.events();
    let host = preview.host.clone();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let hammer = thread::spawn(move || {
        let mut statuses = Vec::new();
        while stop_rx.try_recv().is_err() {
            let mut stream = TcpStream::connect(&host).unwrap();
            write!(stream, "GET {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            statuses.push(Reply::parse(&bytes).status);
        }
        statuses
    });
    for i in 0..5 {
        site.edit(REPORT_MD, "收到政府信息依申请6条", &format!("收到政府信息依申请6条{i}"));
        events.expect_reload();
        site.edit(REPORT_MD, &format!("收到政府信息依申请6条{i}"), "收到政府信息依申请6条");
        events.expect_reload();
    }
    stop_tx.send(()).unwrap();
    let statuses = hammer.join().unwrap();
    assert!(statuses.len() > 10, "too few requests to mean anything: {}", statuses.len());
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    preview.wait_for_line("已生成");
}

#[test]
fn a_burst_of_saves_is_one_rebuild() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &[]);
    let mut events = preview.events();
    for i in 0..10 {
        site.edit(REPORT_MD, "收到政府信息依申请6条", &format!("收到政府信息依申请6条{i}"));
        site.edit(REPORT_MD, &format!("收到政府信息依申请6条{i}"), "收到政府信息依申请6条");
    }
    site.edit(REPORT_MD, "收到政府信息依申请6条", "收到政府信息依申请6条（连续保存）");
    events.expect_reload();
    // The burst of 21 saves settled into that build. A machine stalled for
    // longer than the settling time mid-burst may split it once; never more.
    events.reader.get_ref().set_read_timeout(Some(Duration::from_millis(1500))).unwrap();
    let mut line = String::new();
    let mut more = String::new();
    while events.reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        more.push_str(&line);
        line.clear();
    }
    assert!(more.matches("event: reload").count() <= 1, "21 saves, too many rebuilds: {more}");
    assert!(preview.get(REPORT_PAGE).body.contains("（连续保存）"));
}

#[test]
fn polling_works_where_events_do_not() {
    let site = TempSite::yeyuan();
    let mut preview = Preview::start(&site, &["--poll"]);
    assert!(preview.banner.contains("定时扫描"), "{}", preview.banner);
    let mut events = preview.events();
    site.edit(REPORT_MD, "收到政府信息依申请6条", "收到政府信息依申请6条。轮询发现");
    events.expect_reload();
    assert!(preview.get(REPORT_PAGE).body.contains("轮询发现"));
    drop(events);
    let _ = preview.wait_for_line("检测到修改");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = TempSite::yeyuan();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = site.run(&["serve", "--port", &port]);
    assert!(!run.success);
    assert!(run.stderr.contains("已被占用") && run.stderr.contains("--port 0"), "{}", run.stderr);
}

#[test]
fn serves_over_ipv6() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &["--bind", "::1"]);
    assert!(preview.host.starts_with("[::1]:"), "{}", preview.host);
    assert_eq!(preview.get(REPORT_PAGE).status, 200);
}

#[test]
fn the_built_site_carries_no_trace_of_the_preview() {
    let site = TempSite::sample();
    site.build_ok();
    for (path, bytes) in common::snapshot(&site.path("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("__portal"), "{path}");
    }
}

#[test]
fn a_template_error_is_shown_and_survived() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &[]);
    let mut events = preview.events();
    site.write("templates/report.html", "{% extends \"base.html\" %}{% block main %}{{ report.title }{% endblock %}");
    events.expect_reload();
    let overlay = preview.get(REPORT_PAGE);
    assert_eq!(overlay.status, 500);
    assert!(overlay.body.contains("report.html"), "{}", overlay.body);

    fs::remove_file(site.path("templates/report.html")).unwrap();
    events.expect_reload();
    assert_eq!(preview.get(REPORT_PAGE).status, 200);
}

#[test]
fn each_run_announces_itself_so_tabs_reload_after_a_restart() {
    let site = TempSite::yeyuan();
    let first = Preview::start(&site, &[]).events().hello;
    let second = Preview::start(&site, &[]).events().hello;
    assert_ne!(first, second, "the script compares these to decide to reload");
}
