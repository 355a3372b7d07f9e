//! End-to-end: the editor's year. Drafts and publication dates, links to the
//! rest of the portal, and the command line in the user's language.

mod common;
#[path = "serve/preview.rs"]
mod preview;

use common::TempSite;
use preview::Preview;

/// The sample with a fresh `portal new` report for 2025 of 冶源街道.
fn with_new_report() -> TempSite {
    let site = TempSite::sample();
    let run = site.run(&["new", "linqu-yeyuan", "2025"]);
    assert!(run.success, "{}", run.stderr);
    site
}

const NEW_MD: &str = "content/linqu-yeyuan/2025/report.md";

/// Everything a build wrote, as text, to look for the report in it.
fn everything(site: &TempSite) -> String {
    common::snapshot(&site.path("public"))
        .into_iter()
        .map(|(path, bytes)| format!("{path}\n{}", String::from_utf8_lossy(&bytes)))
        .collect()
}

/// Fills in a fresh report: text for every section, no hints, no draft, a real date.
fn finish(site: &TempSite) {
    site.write(NEW_MD, &common::finished(&site.read(NEW_MD), Some("2026-01-20")));
}

#[test]
fn a_new_report_is_a_draft_that_no_output_shows_until_finished() {
    let site = with_new_report();
    assert!(site.read(NEW_MD).contains("\ndraft = true"), "{}", site.read(NEW_MD));
    let check = site.run(&["check", "--clock", "2026-03-01"]);
    assert!(check.success, "{}", check.stderr);
    assert!(
        check.stderr.contains("warning[draft]: content/linqu-yeyuan/2025/report.md 是草稿（draft = true），不会发布"),
        "{}",
        check.stderr
    );

    let build = site.run(&["build", "--clock", "2026-03-01"]);
    assert!(build.success, "{}", build.stderr);
    let all = everything(&site);
    for leak in ["2025/linqu-yeyuan", "2025年政府信息公开工作年度报告", "2026-01-31", "31 Jan 2026"] {
        assert!(!all.contains(leak), "{leak} is in the output");
    }
    // The compliance overview of 2025 has no such year: nothing was published for it.
    assert!(!site.path("public/2025/index.html").exists());

    finish(&site);
    let build = site.run(&["build", "--clock", "2026-03-01"]);
    assert!(build.success, "{}", build.stderr);
    assert!(!build.stderr.contains("draft"), "{}", build.stderr);
    let page = site.out("2025/linqu-yeyuan/index.html");
    assert!(page.contains("本年度无此类情况。"));
    assert!(!page.contains("提示") && !page.contains("<!--"), "a hint reached the page");
    let feed = site.out("feed.xml");
    assert!(feed.contains("2025/linqu-yeyuan/"), "{feed}");
    assert!(site.out("sitemap.xml").contains("2025/linqu-yeyuan/"));
    assert!(site.out("data/index.html").contains("2025"));
}

#[test]
fn a_finished_report_with_hints_or_an_empty_section_is_an_error() {
    let site = with_new_report();
    site.edit(NEW_MD, "draft = true", "draft = false");
    let check = site.run(&["check", "--clock", "2026-03-01"]);
    assert!(!check.success);
    assert!(
        check
            .stderr
            .contains("error[hint]: 报告中还留着 portal new 写的写作提示（共 7 处）：写好各部分后请删除这些注释"),
        "{}",
        check.stderr
    );
    for section in ["一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    {
        assert!(
            check.stderr.contains(&format!("error[empty-section]: “{section}”还没有内容")),
            "{section}\n{}",
            check.stderr
        );
    }
    // Sections with a table need no words of their own.
    assert!(!check.stderr.contains("“二、主动公开政府信息情况”还没有内容"), "{}", check.stderr);
}

#[test]
fn a_date_after_today_is_published_on_that_day() {
    let site = with_new_report();
    finish(&site);
    site.edit(NEW_MD, "date = 2026-01-20", "date = 2026-01-25");
    let (before, _) = site.run_restoring(&["build", "--clock", "2026-01-24"]);
    assert!(before.success, "{}", before.stderr);
    assert!(
        before
            .stderr
            .contains("warning[scheduled]: 发布日期 2026-01-25 在今天（2026-01-24）之后：这份报告到那一天才会发布"),
        "{}",
        before.stderr
    );
    assert!(!site.path("public/2025/linqu-yeyuan/index.html").exists());
    // Nothing changed but the day: the kept state must not hide the report.
    let (on_the_day, restored) = site.run_restoring(&["build", "--clock", "2026-01-25"]);
    assert!(on_the_day.success && !restored, "{}", on_the_day.stderr);
    assert!(site.out("2025/linqu-yeyuan/index.html").contains("本年度无此类情况。"));
    assert!(site.out("feed.xml").contains("2025/linqu-yeyuan/"));
    // The variable does what --clock does.
    let run = common::Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["check", "--root"])
            .arg(site.root())
            .env("PORTAL_CLOCK", "2026-01-24")
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    );
    assert!(run.stderr.contains("warning[scheduled]"), "{}", run.stderr);
    let bad = site.run(&["build", "--clock", "2026-02-30"]);
    assert!(!bad.success);
    assert!(bad.stderr.contains("“2026-02-30”不是有效日期"), "{}", bad.stderr);
}

#[test]
fn serve_shows_drafts_with_a_banner_unless_told_not_to() {
    let site = with_new_report();
    let preview = Preview::start(&site, &["--clock", "2026-03-01"]);
    let page = preview.get("/xxgk/2025/linqu-yeyuan/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<strong>草稿</strong>本报告是草稿（draft = true），只在本机预览中显示"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("提示："), "a hint reached the preview");
    drop(preview);
    let preview = Preview::start(&site, &["--clock", "2026-03-01", "--no-drafts"]);
    assert_eq!(preview.get("/xxgk/2025/linqu-yeyuan/").status, 404);
    assert!(!preview.get("/xxgk/").body.contains("2025/linqu-yeyuan"));
}

/// A local mirror of the portal: `/xxgk/` and what is under it exist, nothing else.
fn mirror() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let asked: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let seen = std::sync::Arc::clone(&asked);
    std::thread::spawn(move || {
        while let Ok(request) = server.recv() {
            let path = request.url().to_owned();
            seen.lock().unwrap().push(path.clone());
            let status = if path.starts_with("/xxgk/") && !path.contains("gone") { 200 } else { 404 };
            let _ = request.respond(tiny_http::Response::from_string("页").with_status_code(status));
        }
    });
    (base, asked)
}

#[test]
fn links_to_the_rest_of_the_portal_are_checked_with_the_external_ones() {
    let site = TempSite::sample();
    site.edit(
        "site.toml",
        "base_url = \"https://www.example.gov.cn/xxgk/\"",
        "base_url = \"https://www.example.gov.cn/zwgk/nb/\"",
    );
    site.edit(
        "content/linqu-yeyuan/2024/report.md",
        "收到政府信息依申请6条",
        "收到政府信息依申请6条（见[门户首页](https://www.example.gov.cn/xxgk/)、[栏目](/xxgk/zcwj/?id=3)、[旧栏目](/xxgk/gone/)）",
    );
    let check = site.run(&["check"]);
    assert!(check.success, "{}", check.stderr);
    assert!(!check.stderr.contains("link-outside"), "{}", check.stderr);
    site.build_ok();

    let (base, asked) = mirror();
    let run = site.run(&["check", "--external", "--mirror", &base, "--exclude", "beian|linqu", "--timeout", "2"]);
    assert!(!run.success, "the gone page must fail:\n{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("失效  https://www.example.gov.cn/xxgk/gone/"), "{}", run.stdout);
    assert!(!run.stdout.contains("https://www.example.gov.cn/xxgk/zcwj/"), "{}", run.stdout);
    let asked = asked.lock().unwrap().clone();
    for path in ["/xxgk/", "/xxgk/zcwj/?id=3", "/xxgk/gone/"] {
        assert!(asked.iter().any(|p| p == path), "{path} not fetched from the mirror: {asked:?}");
    }

    // A link that climbs above the host's root is still an error, of the internal inspection.
    site.edit("content/linqu-yeyuan/2024/report.md", "[旧栏目](/xxgk/gone/)", "[错](../../../../../../x)");
    let check = site.run(&["check"]);
    assert!(!check.success);
    assert!(
        check.stderr.contains("error[link-outside]: 链接“../../../../../../x”的 ../ 比网站根目录还多了几层"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_template_link_error_names_the_template_and_line() {
    let site = TempSite::yeyuan();
    let base = std::fs::read_to_string(format!("{}/themes/default/templates/base.html", common::REPO)).unwrap();
    let line = base[..base.find("</main>").unwrap()].matches('\n').count() + 1;
    let broken = base.replacen(
        "</main>",
        "<a href=\"/xxgk/nowhere.html\">写死的地址</a><a href=\"{{ url('agencies/' ~ 'gone/') }}\">算出的地址</a></main>",
        1,
    );
    site.write("templates/base.html", &broken);
    let check = site.run(&["check"]);
    assert!(!check.success);
    assert!(check.stderr.contains(&format!("┌─ templates/base.html:{line}:")), "{}", check.stderr);
    assert!(check.stderr.contains("error[link]: 链接“/xxgk/nowhere.html”指向的页面或文件不存在"), "{}", check.stderr);
    // A computed link has no line of its own: the message says so and where to look.
    assert!(
        check.stderr.contains("这个链接由模板中的变量或表达式算出（不是写在模板里的地址），无法对应到模板的某一行"),
        "{}",
        check.stderr
    );
}

/// The compliance row of `name` on a year's compliance page, as text.
fn compliance_row(page: &str, name: &str) -> Option<String> {
    page.split("<tr").map(common::text_of).find(|row| row.contains(name))
}

#[test]
fn an_agency_that_never_published_is_unpublished_until_it_is_dissolved() {
    let site = TempSite::sample();
    site.write("content/weijian/agency.toml", "name = \"示例县卫生健康局\"\n");
    let check = site.run(&["check"]);
    assert!(check.success, "{}", check.stderr);
    assert!(check.stderr.contains("未发布：下列机构应发布而没有年度报告"), "{}", check.stderr);
    assert!(
        check.stderr.contains("  示例县卫生健康局（content/weijian/）：2015、2020、2022、2023、2024 年度"),
        "{}",
        check.stderr
    );
    site.build_ok();
    for year in ["2015", "2020", "2022", "2023", "2024"] {
        let row = compliance_row(&site.out(&format!("compliance/{year}/index.html")), "示例县卫生健康局");
        assert!(row.as_deref().is_some_and(|r| r.contains("未发布")), "{year}: {row:?}");
        // The year page lists it in its place among the reports, marked, linked to its page.
        let page = site.out(&format!("{year}/index.html"));
        assert_eq!(year_line(&page, "示例县卫生健康局").as_deref(), Some("示例县卫生健康局 未发布"), "{year}");
        assert!(page.contains("个机构应发布而未发布"), "{year}");
        assert!(!page.contains(&format!("{year}/weijian/")), "{year}: a link to a report it does not have");
        assert!(page.contains("/agencies/weijian/\">示例县卫生健康局</a> <span class=\"status\">未发布</span>"));
    }

    // From a first year on, until the last year of a dissolved agency.
    site.write(
        "content/weijian/agency.toml",
        "name = \"示例县卫生健康局\"\nfirst_year = 2023\n\n[dissolved]\nlast_year = 2023\nreason = \"2024年1月机构改革，并入示例县人民政府办公室\"\n",
    );
    let check = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let owed: Vec<&serde_json::Value> =
        json["unpublished"].as_array().unwrap().iter().filter(|u| u["slug"] == "weijian").collect();
    assert_eq!(owed.len(), 1, "{json:#}");
    assert_eq!(owed[0]["years"], serde_json::json!([2023]), "{json:#}");
    site.build_ok();
    assert!(compliance_row(&site.out("compliance/2022/index.html"), "示例县卫生健康局").is_none());
    assert!(compliance_row(&site.out("compliance/2023/index.html"), "示例县卫生健康局").unwrap().contains("未发布"));
    assert!(compliance_row(&site.out("compliance/2024/index.html"), "示例县卫生健康局").is_none());
    assert_eq!(year_line(&site.out("2023/index.html"), "示例县卫生健康局").as_deref(), Some("示例县卫生健康局 未发布"));
    for year in ["2022", "2024"] {
        assert!(year_line(&site.out(&format!("{year}/index.html")), "示例县卫生健康局").is_none(), "{year}");
    }
    let agency = common::text_of(&site.out("agencies/weijian/index.html"));
    assert!(
        agency.contains("机构变动2024年1月机构改革，并入示例县人民政府办公室（已撤销或合并，年度报告发布至2023年度）"),
        "{agency}"
    );
    // An agency that was not dissolved says nothing of it.
    assert!(!common::text_of(&site.out("agencies/linqu-yeyuan/index.html")).contains("机构变动"));
}

/// The line of `name` in a year page's list of reports, as text.
fn year_line(page: &str, name: &str) -> Option<String> {
    page.split("<li")
        .skip(1)
        .map(|li| common::text_of(&format!("<li{}", li.split("</li>").next().unwrap_or(li))).trim().to_owned())
        .find(|line| line.starts_with(name))
}

/// Every page the build wrote with its links (`href` and `src`), and the sitemap.
fn pages_and_links(site: &TempSite) -> (Vec<String>, Vec<String>, String) {
    let mut files = Vec::new();
    let mut links = Vec::new();
    for (path, bytes) in common::snapshot(&site.path("public")) {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            links.extend(common::attr_values(&html, "href").into_iter().map(|h| format!("{path}: {h}")));
            links.extend(common::attr_values(&html, "src").into_iter().map(|h| format!("{path}: {h}")));
        }
        files.push(path);
    }
    let sitemap = fs_read(&site.path("public/sitemap.xml"));
    (files, links, sitemap)
}

fn fs_read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn each_page_turned_off_in_site_toml_is_gone_and_unlinked() {
    // (key, the published path the page or file has, what a link to it contains)
    let switches = [
        ("rankings", "rankings/2024/index.html", "/xxgk/rankings/"),
        ("compliance", "compliance/2024/index.html", "/xxgk/compliance/"),
        ("feed", "feed.xml", "/xxgk/feed.xml"),
        ("sitemap", "sitemap.xml", "/xxgk/sitemap.xml"),
    ];
    // By default each is published and linked (the sitemap is listed in no page).
    let site = TempSite::sample();
    site.build_ok();
    let (files, links, sitemap) = pages_and_links(&site);
    for (key, path, link) in switches {
        assert!(files.iter().any(|f| f == path), "{key}: {path} is not published by default");
        if key != "sitemap" {
            assert!(links.iter().any(|l| l.contains(link)), "{key}: nothing links {link}");
        }
    }
    assert!(sitemap.contains("/xxgk/rankings/2024/") && sitemap.contains("/xxgk/compliance/2024/"), "{sitemap}");

    for (key, path, link) in switches {
        let site = TempSite::sample();
        site.write("site.toml", &format!("{}\n[pages]\n{key} = false\n", site.read("site.toml")));
        // The build's link inspection passes: no page links to what is left out.
        let build = site.build_ok();
        assert!(!build.stderr.contains("error"), "{key}: {}", build.stderr);
        let (files, links, sitemap) = pages_and_links(&site);
        let prefix = path.trim_end_matches("2024/index.html");
        assert!(!files.iter().any(|f| f.starts_with(prefix)), "{key}: {prefix} is still published");
        let stray: Vec<&String> = links.iter().filter(|l| l.contains(link)).collect();
        assert!(stray.is_empty(), "{key}: still linked: {stray:?}");
        assert!(!sitemap.contains(link.trim_end_matches(".xml")), "{key}: the sitemap lists it");
        // The other pages stay.
        for (other, other_path, _) in switches {
            if other != key {
                assert!(files.iter().any(|f| f == other_path), "{key} off removed {other_path}");
            }
        }
        if key == "sitemap" {
            assert!(sitemap.is_empty());
        } else {
            assert!(sitemap.contains("/xxgk/2024/"), "{key}: {sitemap}");
        }
        let check = site.run(&["check"]);
        assert!(check.success, "{key}: {}", check.stderr);
    }
}
