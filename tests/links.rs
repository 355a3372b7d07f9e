//! End-to-end: the dead-link inspection of every build finds planted broken
//! links wherever they come from, and leaves tricky valid ones alone.

mod common;

use std::fs;

use common::TempSite;

const REPORT_MD: &str = "content/linqu-yeyuan/2024/report.md";
const ANCHOR: &str = "收到政府信息依申请6条";

/// `(code, place)` of every diagnostic of `portal check --format json`.
fn diagnostics(site: &TempSite) -> (Vec<(String, String)>, serde_json::Value) {
    let run = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    let found = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let place = match d["line"].as_u64() {
                Some(line) => format!("{}:{line}:{}", d["file"].as_str().unwrap(), d["column"]),
                None => d["file"].as_str().unwrap_or("").to_owned(),
            };
            (d["code"].as_str().unwrap().to_owned(), place)
        })
        .collect();
    (found, json)
}

/// A site where each kind of broken link is planted once.
fn planted() -> TempSite {
    let site = TempSite::yeyuan();
    site.edit(
        REPORT_MD,
        ANCHOR,
        &format!("{ANCHOR}（见[附件](附件.pdf)、[上年报告](../../2023/linqu-yeyuan/)、[表三](#table-requestz)）"),
    );
    // A template override with a dead link and a dead asset reference.
    let base = fs::read_to_string(format!("{}/themes/default/templates/base.html", common::REPO)).unwrap();
    let broken = base.replacen(
        "</main>",
        "<p><a href=\"{{ url('agencies/nobody/') }}\">无此机构</a><img src=\"{{ url('assets/logo.png') }}\" alt=\"\"></p></main>",
        1,
    );
    assert_ne!(base, broken, "base.html has no </main>");
    site.write("templates/base.html", &broken);
    // A static page of the site's own with a dead link, a dead fragment and javascript:.
    site.write(
        "static/about.html",
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><title>关于</title></head><body>\n\
         <a href=\"2024/\">年度</a>\n<a href=\"2025/\">没有的年度</a>\n<a href=\"index.html#nowhere\">首页</a>\n\
         <a href=\"javascript:void(0)\">脚本</a>\n<a href=\"/portal/\">门户</a>\n<a href=\"../../x\">站外</a>\n</body></html>\n",
    );
    site
}

#[test]
fn every_planted_broken_link_is_found() {
    let site = planted();
    let (found, _) = diagnostics(&site);
    let md = "content/linqu-yeyuan/2024/report.md:21:";
    let expect = [
        ("link", format!("{md}79")),
        ("link", format!("{md}92")),
        ("link-fragment", format!("{md}125")),
        ("link", "static/about.html:3".to_owned()),
        ("link-fragment", "static/about.html:4".to_owned()),
        ("link-javascript", "static/about.html:5".to_owned()),
        ("link-outside", "static/about.html:7".to_owned()),
    ];
    for (code, place) in &expect {
        assert!(
            found.iter().any(|(c, p)| c == code && p.contains(place.as_str())),
            "{code} at {place} not in {found:#?}"
        );
    }
    // `/portal/` is the rest of the portal on the same host: for `check --external`, not an error.
    assert!(!found.iter().any(|(_, p)| p.contains("static/about.html:6")), "{found:#?}");
    // The template's two dead links are on every page built from base.html:
    // one diagnostic each, not one per page, at its line in the template.
    let generated: Vec<&(String, String)> =
        found.iter().filter(|(_, p)| p.starts_with("templates/base.html:")).collect();
    assert_eq!(generated.len(), 2, "{found:#?}");
    assert_eq!(found.len(), expect.len() + 2, "{found:#?}");
}

#[test]
fn messages_say_where_and_what() {
    let site = planted();
    let run = site.run(&["check"]);
    assert!(!run.success);
    let base = fs::read_to_string(format!("{}/themes/default/templates/base.html", common::REPO)).unwrap();
    let main_end = base[..base.find("</main>").unwrap()].matches('\n').count() + 1;
    let template_line = format!("┌─ templates/base.html:{main_end}:21");
    for needle in [
        "链接“附件.pdf”指向的页面或文件不存在",
        "report.md:21:79",
        "生成的页面 2024/linqu-yeyuan/index.html 第",
        "链接“/xxgk/agencies/nobody/”指向的页面或文件不存在",
        &template_line,
        "共 11 个生成的页面有这个链接",
        "#table-requestz",
        "javascript:",
        "链接“../../x”的 ../ 比网站根目录还多了几层",
    ] {
        assert!(run.stderr.contains(needle), "{needle}:\n{}", run.stderr);
    }
}

#[test]
fn a_broken_link_fails_the_build_and_keeps_the_old_output() {
    let site = TempSite::yeyuan();
    site.build_ok();
    let before = common::snapshot(&site.path("public"));
    site.edit(REPORT_MD, ANCHOR, &format!("{ANCHOR}[失效](nowhere.html)"));
    let run = site.run(&["build"]);
    assert!(!run.success);
    assert!(run.stderr.contains("nowhere.html"), "{}", run.stderr);
    assert_eq!(common::snapshot(&site.path("public")), before);
}

#[test]
fn site_toml_can_downgrade_broken_links_to_warnings() {
    let site = TempSite::yeyuan();
    site.edit(REPORT_MD, ANCHOR, &format!("{ANCHOR}[失效](nowhere.html)"));
    let text = site.read("site.toml") + "\n[links]\ninternal = \"warning\"\n";
    site.write("site.toml", &text);
    let run = site.build_ok();
    assert!(run.stderr.contains("warning[link]"), "{}", run.stderr);
    assert!(site.out("2024/linqu-yeyuan/index.html").contains("nowhere.html"));
}

/// The line of the generated page a diagnostic names holds the link, for a
/// link in the narrative and for a template's link below the parts (tables)
/// that are spliced into the page after the inspection has read it.
#[test]
fn the_generated_page_line_of_a_broken_link_is_where_it_is() {
    let site = planted();
    let text = site.read("site.toml") + "\n[links]\ninternal = \"warning\"\n";
    site.write("site.toml", &text);
    let (_, json) = diagnostics(&site);
    site.build_ok();
    let page = site.out("2024/linqu-yeyuan/index.html");
    let lines: Vec<&str> = page.lines().collect();
    let mut checked = 0;
    for d in json["diagnostics"].as_array().unwrap() {
        for note in d["notes"].as_array().into_iter().flatten().filter_map(|n| n.as_str()) {
            // Pages carry the link as pulldown-cmark writes it: percent-encoded.
            for (href, marker) in [("附件.pdf", "%E9%99%84%E4%BB%B6.pdf"), ("nobody", "agencies/nobody/")] {
                let Some(at) = note.find("2024/linqu-yeyuan/index.html 第 ") else { continue };
                if !d["message"].as_str().unwrap().contains(href) {
                    continue;
                }
                let rest = &note[at + "2024/linqu-yeyuan/index.html 第 ".len()..];
                let line: usize = rest[..rest.find(' ').unwrap()].parse().unwrap();
                assert!(
                    lines[line - 1].contains(marker),
                    "line {line} of the page lacks {marker}: {}",
                    lines[line - 1]
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2, "{json:#}");
}

#[test]
fn tricky_valid_links_are_not_flagged() {
    let site = TempSite::sample();
    site.write("content/linqu-yeyuan/2024/附件 一.pdf", "%PDF-1.4");
    let links = [
        "[附件](附件%20一.pdf)",
        "[附件编码](%E9%99%84%E4%BB%B6%20%E4%B8%80.pdf)",
        "[附件尖括号](<附件 一.pdf>)",
        "[本页](#section-3)",
        "[说明](#说明)",
        "[表三](#table-requests)",
        "[上年](../../2023/example-education/)",
        "[年度首页](../../2024/index.html)",
        "[年度无斜杠](../../2024)",
        "[机构](/xxgk/agencies/linqu-yeyuan/)",
        "[数据](data.json?v=2)",
        "[订阅](https://www.example.gov.cn/xxgk/feed.xml)",
        "[本站 http](http://www.example.gov.cn/xxgk/sitemap.xml)",
        "[首页锚点](../../#main)",
        "[回到顶部](#top)",
        "[邮件](mailto:lqxyyz@wf.shandong.cn)",
        "[电话](tel:0536-3631123)",
        "[条例](https://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm)",
    ];
    site.edit(REPORT_MD, ANCHOR, &format!("{ANCHOR}（{}）", links.join("、")));
    site.edit(REPORT_MD, "### （三）政府信息管理", "### （三）政府信息管理 {#说明}");
    let (found, json) = diagnostics(&site);
    assert!(found.is_empty(), "{json:#}");
    // The external link is not fetched by a build, but it is known.
    site.build_ok();
}

#[test]
fn feed_and_sitemap_urls_are_inspected() {
    // A base_url whose feed and sitemap URLs point into the site: both must resolve.
    let site = TempSite::sample();
    site.build_ok();
    let feed = site.out("feed.xml");
    let sitemap = site.out("sitemap.xml");
    assert!(feed.contains("https://www.example.gov.cn/xxgk/2024/linqu-yeyuan/"));
    assert!(sitemap.contains("https://www.example.gov.cn/xxgk/agencies/"));
    // URLs in XML are inspected like links in pages: a hand-written sitemap in static/.
    site.write(
        "static/extra-sitemap.xml",
        "<?xml version=\"1.0\"?><urlset><url><loc>https://www.example.gov.cn/xxgk/2019/</loc></url></urlset>",
    );
    let (found, _) = diagnostics(&site);
    assert_eq!(found, [("link".to_owned(), "static/extra-sitemap.xml:1:1".to_owned())]);
}

#[test]
fn the_html_report_lists_internal_problems_with_their_sources() {
    let site = planted();
    let report = site.path("report.html");
    let run = site.run(&["check", "--report", report.to_str().unwrap()]);
    assert!(!run.success);
    let html = fs::read_to_string(&report).unwrap();
    assert!(html.contains("<td>static/about.html</td>"), "relative to the site root: {html}");
    assert!(html.contains("content/linqu-yeyuan/2024/report.md:21:79"), "{html}");
    assert!(html.contains("模板（共 11 个页面）"), "{html}");
    assert!(!html.contains(site.root().to_str().unwrap()), "no absolute paths");
}
