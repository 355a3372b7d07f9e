//! End-to-end: `portal build` on the bundled sample and on temporary sites.

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::{TempSite, attr_values, percent_decode, row_cells, snapshot, text_of};

const REPORT: &str = "2024/linqu-yeyuan/index.html";

#[test]
fn sample_builds_every_page() {
    let site = TempSite::sample();
    let run = site.build_ok();
    assert!(run.stdout.contains("个页面"), "summary line missing: {}", run.stdout);
    for page in [
        "index.html",
        "404.html",
        "2024/index.html",
        REPORT,
        "2024/linqu-yeyuan/data.json",
        "2024/linqu-yeyuan/data.csv",
        "agencies/index.html",
        "agencies/linqu-yeyuan/index.html",
        "feed.xml",
        "sitemap.xml",
        "assets/style.css",
    ] {
        assert!(site.path("public").join(page).is_file(), "missing {page}");
    }
    // Every report in content/ has its page, and the years and agencies have theirs.
    for agency in fs::read_dir(site.path("content")).unwrap() {
        let agency = agency.unwrap();
        let slug = agency.file_name().to_string_lossy().into_owned();
        assert!(site.path(&format!("public/agencies/{slug}/index.html")).is_file());
        for year in fs::read_dir(agency.path()).unwrap() {
            let year = year.unwrap();
            if year.path().is_dir() {
                let y = year.file_name().to_string_lossy().into_owned();
                assert!(site.path(&format!("public/{y}/{slug}/index.html")).is_file(), "{y}/{slug}");
                assert!(site.path(&format!("public/{y}/index.html")).is_file());
            }
        }
    }
}

#[test]
fn sample_has_three_agencies_and_three_years() {
    let site = TempSite::sample();
    site.build_ok();
    let home = site.out("index.html");
    let agencies = attr_values(&home, "href")
        .into_iter()
        .filter(|h| h.starts_with("/xxgk/agencies/") && h.len() > 15)
        .collect::<BTreeSet<_>>();
    assert!(agencies.len() >= 3, "{agencies:?}");
    let years: BTreeSet<String> = attr_values(&home, "href")
        .into_iter()
        .filter(|h| h.len() == "/xxgk/2024/".len() && h[6..10].bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert!(years.len() >= 3, "{years:?}");
    assert!(text_of(&home).contains("示例"));
}

/// The whole narrative of the published report is on the page, paragraph by
/// paragraph (lines of the original text, which the extraction broke mid-paragraph).
#[test]
fn report_page_carries_the_whole_sample_narrative() {
    let site = TempSite::yeyuan();
    site.build_ok();
    let page = text_of(&site.out(REPORT));
    let original =
        fs::read_to_string(format!("{}/tests/fixtures/sample-report-yeyuan-2024.txt", common::REPO)).unwrap();
    let lines: Vec<&str> = original.lines().map(str::trim).collect();
    let table_start = lines.iter().position(|l| l.starts_with("第二十条第（一）项")).unwrap();
    let table_end = lines.iter().position(|l| l.starts_with("五、政府信息公开工作存在")).unwrap();
    let narrative = lines[4..table_start].iter().chain(&lines[table_end..]).filter(|l| !l.is_empty());
    let mut checked = 0;
    for line in narrative {
        let line = line
            .replace(['<', '>'], "")
            .replace("政府信息公开 工作", "政府信息公开工作")
            .replace("诉讼 情况", "诉讼情况");
        if line.starts_with("二、") || line.starts_with("三、") {
            continue;
        }
        assert!(page.contains(&line), "missing from the page: {line}");
        checked += 1;
    }
    assert!(checked > 40, "only {checked} lines checked");
    // Title, signature and date.
    assert!(page.contains("临朐县冶源街道办事处2024年政府信息公开工作年度报告"));
    assert!(page.contains("冶源街道办事处2025年1月10日"));
}

#[test]
fn report_page_has_six_sections_in_order_with_anchors() {
    let site = TempSite::yeyuan();
    site.build_ok();
    let html = site.out(REPORT);
    let mut last = 0;
    for n in 1..=6 {
        let at = html.find(&format!("<section id=\"section-{n}\"")).unwrap_or_else(|| panic!("section {n}"));
        assert!(at > last, "section {n} out of order");
        last = at;
        assert!(html.contains(&format!("<a href=\"#section-{n}\">")), "toc entry {n}");
    }
    for title in [
        "一、总体情况",
        "二、行政机关主动公开政府信息情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ] {
        assert!(html.contains(&format!("-title\">{title}</h2>")), "{title}");
    }
    // Official wording, not the sample's variant.
    assert!(html.contains(">2.其他法律行政法规禁止公开</th>"));
    assert!(!html.contains("其他法律法规禁止公开"));
}

#[test]
fn table_cells_hold_the_published_figures_under_the_right_headers() {
    let site = TempSite::yeyuan();
    site.build_ok();
    let html = site.out(REPORT);
    assert_eq!(row_cells(&html, "一、本年新收政府信息公开申请数量"), ["6", "0", "0", "0", "0", "0", "6"]);
    assert_eq!(row_cells(&html, "1.本机关不掌握相关政府信息"), ["6", "0", "0", "0", "0", "0", "6"]);
    assert_eq!(row_cells(&html, "（七）总计"), ["6", "0", "0", "0", "0", "0", "6"]);
    assert_eq!(row_cells(&html, "四、结转下年度继续办理"), ["0"; 7]);
    // The first cell of 本年新收 names 申请人情况 › 自然人 and its row header.
    let row = &html[html.find(">一、本年新收政府信息公开申请数量</th>").unwrap()..];
    let headers = attr_values(row, "headers").remove(0);
    let ids: Vec<&str> = headers.split(' ').collect();
    let label_of = |id: &str| {
        let at = html.find(&format!("id=\"{id}\"")).unwrap();
        let cell = &html[at..at + html[at..].find("</th>").unwrap()];
        text_of(cell.split_once('>').unwrap().1)
    };

    let labels: Vec<String> = ids.iter().map(|id| label_of(id)).collect();
    assert_eq!(labels, ["申请人情况", "自然人", "一、本年新收政府信息公开申请数量"]);
}

#[test]
fn every_internal_link_resolves_under_the_subpath() {
    let site = TempSite::sample();
    site.build_ok();
    let public = site.path("public");
    let mut checked = 0;
    for (rel, bytes) in snapshot(&public) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for link in attr_values(&html, "href").into_iter().chain(attr_values(&html, "src")) {
            if link.starts_with("http") || link.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() {
                rel.clone()
            } else {
                let rest = path.strip_prefix("/xxgk/").unwrap_or_else(|| panic!("{rel}: {link} is not under /xxgk/"));
                let rest = percent_decode(rest);
                if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest }
            };
            let file = public.join(&target);
            assert!(file.is_file(), "{rel}: {link} → {target} does not exist");
            if !fragment.is_empty() {
                let page = fs::read_to_string(&file).unwrap();
                assert!(page.contains(&format!("id=\"{fragment}\"")), "{rel}: #{fragment} not in {target}");
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links");
}

#[test]
fn feed_parses_with_an_independent_parser() {
    let site = TempSite::sample();
    site.build_ok();
    let xml = site.out("feed.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("feed-rs parses feed.xml");
    let reports = snapshot(&site.path("content")).iter().filter(|(p, _)| p.ends_with("report.md")).count();
    assert_eq!(feed.entries.len(), reports);
    let dates: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
    let yeyuan = feed.entries.iter().find(|e| e.title.as_ref().unwrap().content.contains("冶源")).unwrap();
    assert_eq!(yeyuan.links[0].href, "https://www.example.gov.cn/xxgk/2024/linqu-yeyuan/");
    assert_eq!(yeyuan.id, "https://www.example.gov.cn/xxgk/2024/linqu-yeyuan/");
    assert_eq!(yeyuan.published.unwrap().to_rfc3339(), "2025-01-09T16:00:00+00:00");
}

#[test]
fn sitemap_and_open_data() {
    let site = TempSite::yeyuan();
    site.build_ok();
    let sitemap = site.out("sitemap.xml");
    assert!(sitemap.contains("<loc>https://www.example.gov.cn/xxgk/2024/linqu-yeyuan/</loc>"));
    assert!(!sitemap.contains("404"));
    let json: serde_json::Value = serde_json::from_str(&site.out("2024/linqu-yeyuan/data.json")).unwrap();
    assert_eq!(json["agency_name"], "临朐县冶源街道办事处");
    // Compact: tables → blocks → rows → numbers, in the format's order; labels live in the schema.
    let requests = &json["tables"]["requests"][0];
    assert_eq!(requests.as_array().unwrap().len(), 25);
    assert_eq!(requests[0][0], 6, "一、本年新收 · 自然人");
    assert_eq!(json["tables"]["appeals"][0][0].as_array().unwrap().len(), 15);
    assert_eq!(json["tables"]["active"].as_array().unwrap().len(), 4);
    // A report's data.csv: its tables in the page's shape (tests/opendata.rs reads them further).
    let csv = fs::read(site.path("public/2024/linqu-yeyuan/data.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "CSV starts with a BOM for spreadsheet software");
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("\n,（四）无法提供,1.本机关不掌握相关政府信息,6,0,0,0,0,0,6\n"), "{csv}");
    // The bulk file: one row per report, one column per cell, headed by codes.
    let bulk = site.out("data/reports.csv");
    let (header, row) = bulk.trim_start_matches('\u{feff}').split_once('\n').unwrap();
    let at = header.split(',').position(|c| c == "requests.results.unavailable.not_held.natural").unwrap();
    assert!(row.starts_with("linqu-yeyuan,临朐县冶源街道办事处,山东省潍坊市临朐县,临朐县人民政府,,2024,"), "{row}");
    assert_eq!(row.split(',').nth(at), Some("6"));
}

#[test]
fn csv_text_that_would_start_a_formula_is_defused() {
    let site = TempSite::yeyuan();
    let name = "=HYPERLINK(\"http://evil.example/\",\"点击查看\")";
    site.edit(
        "content/linqu-yeyuan/agency.toml",
        "name = \"临朐县冶源街道办事处\"",
        &format!("name = {}", toml::Value::from(name)),
    );
    site.edit("content/linqu-yeyuan/agency.toml", "region = \"", "region = \"-");
    let title = "@临朐县冶源街道办事处2024年政府信息公开工作年度报告";
    site.edit("content/linqu-yeyuan/2024/report.md", "title = \"", "title = \"@");
    site.build_ok();
    let quoted = format!("\"'{}\"", name.replace('"', "\"\""));
    for file in ["public/data/reports.csv", "public/data/2024.csv"] {
        let csv = site.read(file);
        let lines: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(lines.len(), 1, "{file}");
        // The name is the second field: guarded, then quoted; the region guarded; the figures stay bare numbers.
        assert!(lines[0].starts_with(&format!("linqu-yeyuan,{quoted},'-山东省潍坊市临朐县,")), "{file}: {}", lines[0]);
        let figures = lines[0].rsplit(',').take(200);
        assert!(figures.into_iter().all(|v| v.parse::<f64>().is_ok()), "{file}: {}", lines[0]);
    }
    let sheet = site.read("public/2024/linqu-yeyuan/data.csv");
    assert!(sheet.starts_with(&format!("\u{feff}'{title}\n")), "{sheet}");
    // JSON carries the name as it is: only spreadsheets read a leading `=` as a formula.
    let json: serde_json::Value = serde_json::from_str(&site.read("public/2024/linqu-yeyuan/data.json")).unwrap();
    assert_eq!(json["agency_name"], name);
}

#[test]
fn output_is_byte_identical_across_builds() {
    let site = TempSite::sample();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for out in [a.path().join("site"), b.path().join("site")] {
        let run = site.run(&["build", "--out", out.to_str().unwrap()]);
        assert!(run.success, "{}", run.stderr);
    }
    let (sa, sb) = (snapshot(&a.path().join("site")), snapshot(&b.path().join("site")));
    assert!(sa.len() > 20);
    assert_eq!(sa.iter().map(|f| &f.0).collect::<Vec<_>>(), sb.iter().map(|f| &f.0).collect::<Vec<_>>());
    for ((name, x), (_, y)) in sa.iter().zip(&sb) {
        assert!(x == y, "{name} differs between builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = TempSite::sample();
    site.build_ok();
    let before = snapshot(&site.path("public"));
    site.edit("content/linqu-yeyuan/2024/data.toml", "new          = [6,", "new          = [7,");
    let run = site.run(&["build"]);
    assert!(!run.success);
    assert!(run.stderr.contains("content/linqu-yeyuan/2024/data.toml:"), "{}", run.stderr);
    assert_eq!(snapshot(&site.path("public")), before);
    // Nothing left behind but the output's lock and spare, and the cache of fingerprints.
    let kept = [".portal-cache", ".portal-lock-public", ".portal-spare-public"];
    let leftovers: Vec<_> = fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            (n.starts_with(".portal-") && !kept.contains(&n.as_str())).then_some(n)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn open_data_made_from_unchanged_inputs_is_not_made_again() {
    let site = TempSite::sample();
    site.build_ok();
    let csv = site.path("public/data/reports.csv");
    let modified = || fs::metadata(&csv).unwrap().modified().unwrap();
    let first = modified();
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.build_ok();
    assert_eq!(modified(), first, "same inputs: the bulk file is left as it is");

    site.edit("content/linqu-yeyuan/2024/report.md", "date = 2025-01-10", "date = 2025-01-11");
    site.build_ok();
    let bytes = fs::read_to_string(&csv).unwrap();
    assert!(bytes.contains("2025-01-11") && !bytes.contains("2025-01-10"), "a changed date is in the new file");

    fs::write(&csv, "edited by hand").unwrap();
    site.build_ok();
    assert_eq!(fs::read_to_string(&csv).unwrap(), bytes, "a file changed in the output is made again");
}

#[test]
fn a_successful_rebuild_replaces_stale_files() {
    let site = TempSite::sample();
    site.build_ok();
    site.write("public/stale.html", "old");
    site.build_ok();
    assert!(!site.path("public/stale.html").exists());
    assert!(site.path("public/index.html").is_file());
}

#[test]
fn templates_and_static_files_can_be_overridden() {
    let site = TempSite::yeyuan();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<p>找不到页面（本站自定义）</p>{% endblock %}",
    );
    site.write("static/robots.txt", "User-agent: *\n");
    site.write("static/assets/extra.css", "body{}");
    site.build_ok();
    assert!(site.out("404.html").contains("找不到页面（本站自定义）"));
    assert!(site.out("404.html").contains("/xxgk/assets/style.css"), "base.html still from the theme");
    assert_eq!(site.out("robots.txt"), "User-agent: *\n");
    assert_eq!(site.out("assets/extra.css"), "body{}");
}

/// The tables are rendered apart and spliced in where the template put their
/// placeholder; a template that uses one twice (or not at all) still gets
/// what it asked for, and the page is then inspected whole.
#[test]
fn a_template_that_repeats_a_table_gets_it_twice() {
    let site = TempSite::yeyuan();
    let report = fs::read_to_string(format!("{}/themes/default/templates/report.html", common::REPO)).unwrap();
    let twice = report.replace("{{ s.table_html|safe }}", "{{ s.table_html|safe }}{{ s.table_html|safe }}");
    assert_ne!(report, twice, "report.html places s.table_html");
    site.write("templates/report.html", &twice);
    site.build_ok();
    let page = site.out(REPORT);
    assert_eq!(page.matches("<table class=\"stats\" id=\"table-requests\">").count(), 2);
    assert!(!page.contains("portal:part"), "no placeholder is left");
}

#[test]
fn a_broken_template_is_an_error_not_a_panic() {
    let site = TempSite::yeyuan();
    site.write("templates/404.html", "{% if %}");
    let run = site.run(&["build"]);
    assert!(!run.success);
    assert!(run.stderr.contains("404.html"), "{}", run.stderr);
    assert!(!site.path("public").exists());
}

#[test]
fn output_inside_the_sources_is_refused() {
    let site = TempSite::yeyuan();
    for out in [".", "content", "content/public"] {
        let out = site.path(out);
        let run = site.run(&["build", "--out", out.to_str().unwrap()]);
        assert!(!run.success, "{out:?} accepted");
        assert!(run.stderr.contains("不安全"), "{}", run.stderr);
    }
    assert!(site.path("content/linqu-yeyuan/agency.toml").is_file());
}

#[test]
fn crlf_and_bom_give_the_same_site() {
    let plain = TempSite::sample();
    plain.build_ok();
    let windows = TempSite::sample();
    for (rel, bytes) in snapshot(&windows.path("content"))
        .into_iter()
        .chain([("../site.toml".to_owned(), fs::read(windows.path("site.toml")).unwrap())])
        // Attachments (the sample's PDF) are published as they are: only the sources are text.
        .filter(|(rel, _)| rel.ends_with(".md") || rel.ends_with(".toml"))
    {
        let text = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
        fs::write(windows.path("content").join(rel), format!("\u{feff}{text}")).unwrap();
    }
    windows.build_ok();
    let (a, b) = (snapshot(&plain.path("public")), snapshot(&windows.path("public")));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if name.ends_with(".html") || name.ends_with(".json") {
            let (x, y) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
            assert_eq!(x.replace("\r\n", "\n"), y.replace("\r\n", "\n"), "{name}");
        }
    }
}

#[test]
fn chinese_agency_folder_names_are_encoded_in_links() {
    let site = TempSite::yeyuan();
    fs::rename(site.path("content/linqu-yeyuan"), site.path("content/冶源街道")).unwrap();
    site.build_ok();
    assert!(site.path("public/2024/冶源街道/index.html").is_file());
    assert!(site.out("2024/index.html").contains("href=\"/xxgk/2024/%E5%86%B6%E6%BA%90%E8%A1%97%E9%81%93/\""));
    assert!(site.out("sitemap.xml").contains("/xxgk/2024/%E5%86%B6"));
}

/// `portal serve` checks an edited report alone (its agency, the summaries
/// that count it, the pages that show it); the outcome must be what a full
/// check of the edited site gives: the same diagnostics and the same files.
#[test]
fn an_edited_report_checked_alone_gives_what_a_full_check_gives() {
    use portal::pipeline::{preview, preview_edit};
    let site = TempSite::sample();
    let same_as_full = |what: &str, live: &portal::pipeline::Live| -> (Option<portal::pipeline::Live>, usize) {
        let (edited, next) = preview_edit(site.root(), live, "example-town", 2024).expect("checked alone");
        let (full, full_live) =
            preview(site.root(), &portal::publish::Publish::from_env(portal::publish::Drafts::Show));
        assert_eq!(
            edited.diagnostics.to_plain_string(&edited.sources),
            full.diagnostics.to_plain_string(&full.sources),
            "{what}: diagnostics"
        );
        assert_eq!(edited.result.is_ok(), full.result.is_ok(), "{what}");
        assert_eq!(next.is_some(), full_live.is_some(), "{what}");
        if let (Ok(a), Ok(b)) = (&edited.result, &full.result) {
            assert_eq!(a.entries.len(), b.entries.len());
            for entry in a.entries.iter() {
                let other = b.entry(&entry.path).expect("same files");
                assert!(a.produce(entry).unwrap() == b.produce(other).unwrap(), "{what}: {} differs", entry.path);
            }
        }
        (next, edited.diagnostics.warnings() + edited.diagnostics.errors())
    };
    let (first, live) = preview(site.root(), &portal::publish::Publish::from_env(portal::publish::Drafts::Show));
    assert!(first.result.is_ok());
    let live = live.expect("a good site is kept for edits");

    // Figures that the county's summary sums, and the prose that states them.
    site.edit("content/example-town/2024/data.toml", "licensing = 23", "licensing = 25");
    site.edit("content/example-town/2024/report.md", "行政许可决定23件", "行政许可决定25件");
    let (live, found) = same_as_full("figures changed", &live);
    let live = live.expect("still good");
    assert_eq!(found, 0);
    assert!(live.prepared.produce(live.prepared.entry("2024/example-county/index.html").unwrap()).is_ok());

    // Prose that no longer matches the table: a warning, filed to the report.
    site.edit("content/example-town/2024/report.md", "行政许可决定25件", "行政许可决定24件");
    let (live, found) = same_as_full("prose against the table", &live);
    let live = live.expect("warnings pass");
    assert!(found > 0, "the prose no longer matches");

    // A broken sum: the failure a full check reports.
    site.edit(
        "content/example-town/2024/data.toml",
        "new          = [9, 2, 0, 0, 0, 0]",
        "new          = [9, 2, 0, 0, 0, 0, 12]",
    );
    let (live, found) = same_as_full("a broken sum", &live);
    assert!(live.is_none() && found > 0, "a failed check is not kept for edits");
}

/// A run keeps its state; the next, after edits to reports, reads only those
/// again and renders only the pages that show them. What it gives must be
/// what a full run of the same sources gives: the same messages, the same files.
#[test]
fn a_run_after_edits_gives_what_a_full_run_gives() {
    let site = TempSite::sample();
    let (first, restored) = site.run_restoring(&["build"]);
    assert!(first.success && !restored, "{}", first.stderr);
    let (again, restored) = site.run_restoring(&["build"]);
    assert!(again.success && restored, "an unchanged site uses the state: {}", again.stderr);
    assert!(again.stdout.contains("其中 0 个有变化"), "{}", again.stdout);

    let same_as_full = |what: &str, build_ok: bool| {
        let (check, restored) = site.run_restoring(&["check"]);
        assert!(restored, "{what}: check did not use the state");
        let (build, restored) = site.run_restoring(&["build"]);
        assert!(restored, "{what}: build did not use the state");
        assert_eq!(build.success, build_ok, "{what}: {}", build.stderr);
        let full = site.sources_copy();
        let (full_check, restored) = full.run_restoring(&["check"]);
        assert!(!restored);
        assert_eq!(
            (check.success, &check.stdout, &check.stderr),
            (full_check.success, &full_check.stdout, &full_check.stderr),
            "{what}: check"
        );
        let (full_build, _) = full.run_restoring(&["build"]);
        let rooted = |text: &str, site: &TempSite| text.replace(site.root().to_str().unwrap(), "<root>");
        assert_eq!(rooted(&full_build.stderr, &full), rooted(&build.stderr, &site), "{what}: build messages");
        if build_ok {
            let (ours, theirs) = (snapshot(&site.path("public")), snapshot(&full.path("public")));
            assert_eq!(ours.len(), theirs.len(), "{what}: files");
            for ((name, a), (other, b)) in ours.iter().zip(&theirs) {
                assert_eq!(name, other, "{what}");
                assert!(a == b, "{what}: {name} differs from a full build's");
            }
        }
    };

    // Figures that the county's summary sums, and the prose that states them.
    site.edit("content/example-town/2024/data.toml", "licensing = 23", "licensing = 25");
    site.edit("content/example-town/2024/report.md", "行政许可决定23件", "行政许可决定25件");
    same_as_full("figures changed", true);
    // A title, shown on the agency's, the year's and the neighbours' pages, and in the feed.
    site.edit(
        "content/example-town/2024/report.md",
        "2024年政府信息公开工作年度报告",
        "2024年政府信息公开工作年度报告（修订）",
    );
    same_as_full("title changed", true);
    // Prose that no longer matches the table: a warning, shown on the report's page.
    site.edit("content/example-town/2024/report.md", "行政许可决定25件", "行政许可决定24件");
    same_as_full("prose against the table", true);
    // A broken sum fails the build and leaves the output as it was.
    let before = snapshot(&site.path("public"));
    site.edit(
        "content/example-town/2024/data.toml",
        "new          = [9, 2, 0, 0, 0, 0]",
        "new          = [9, 2, 0, 0, 0, 0, 12]",
    );
    same_as_full("a broken sum", false);
    assert!(snapshot(&site.path("public")) == before, "a failed build changed the output");
}

/// A build into an empty folder makes every file again. A file made to the
/// same bytes as the previous run made it keeps the links found in it then,
/// so what the build reports must be what a full build of the same sources reports.
#[test]
fn a_build_into_an_empty_folder_reports_what_a_full_build_reports() {
    let site = TempSite::sample();
    site.write("site.toml", &format!("{}\n[links]\ninternal = \"warning\"\n", site.read("site.toml")));
    let md = "content/example-education/2022/report.md";
    site.write(md, &format!("{}\n详见[往年报告](../../2021/example-education/)。\n", site.read(md)));
    let (first, restored) = site.run_restoring(&["build"]);
    assert!(first.success && !restored, "{}", first.stderr);
    assert!(first.stderr.contains("2021/example-education/"), "the broken link is reported: {}", first.stderr);
    let before = snapshot(&site.path("public"));
    fs::remove_dir_all(site.path("public")).unwrap();
    let (again, restored) = site.run_restoring(&["build"]);
    assert!(again.success && restored, "{}", again.stderr);
    assert_eq!(again.stderr, first.stderr, "the same messages as the full build");
    assert!(snapshot(&site.path("public")) == before, "the same files as the full build");
}

/// A build does not list external links; a `check --report` after it must
/// not take the pages' links from the build's state, and reports what a full
/// run reports.
#[test]
fn a_run_that_lists_external_links_does_not_take_them_from_a_build() {
    let site = TempSite::sample();
    let md = "content/example-education/2022/report.md";
    site.write(md, &format!("{}\n参见[中国政府网](https://www.gov.cn/zhengce/)。\n", site.read(md)));
    let (build, _) = site.run_restoring(&["build"]);
    assert!(build.success, "{}", build.stderr);
    let report = |site: &TempSite| {
        let path = site.path("links.html");
        let (run, restored) = site.run_restoring(&["check", "--report", path.to_str().unwrap()]);
        assert!(run.success, "{}", run.stderr);
        (fs::read_to_string(path).unwrap(), restored)
    };
    let (after_build, restored) = report(&site);
    assert!(restored, "the site as loaded still comes from the state");
    let (full, restored) = report(&site.sources_copy());
    assert!(!restored);
    assert!(full.contains("，未检查 ") && !full.contains("，未检查 0 个"), "external links are counted: {full}");
    assert_eq!(after_build, full);
}

/// A run that reaches the same site by another relative `--root` restores
/// the state and still reads the site's files: R8 quotes its phrase from
/// `report.md`, and a build renders every report page from it.
#[test]
fn a_state_kept_from_another_folder_still_reads_the_files() {
    let site = TempSite::yeyuan();
    site.edit("content/linqu-yeyuan/2024/report.md", "收到政府信息依申请6条", "收到政府信息依申请5条");
    let (parent, name) = (site.root().parent().unwrap(), site.root().file_name().unwrap());
    let check = |cwd: &std::path::Path, root: &std::ffi::OsStr| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["check", "--format", "json", "--root"])
            .arg(root)
            .current_dir(cwd)
            .env("PORTAL_TIMINGS", "1")
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let r8: Vec<String> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "R8")
            .map(|d| d["message"].as_str().unwrap_or_default().to_owned())
            .collect();
        (r8, String::from_utf8_lossy(&out.stderr).contains("timing: restore"))
    };
    let (first, restored) = check(parent, name);
    assert!(!restored);
    assert_eq!(first.len(), 1);
    assert!(first[0].contains("“收到政府信息依申请5条”"), "{first:?}");
    let (again, restored) = check(site.root(), std::ffi::OsStr::new("."));
    assert!(restored, "the same site, reached from inside it");
    assert_eq!(again, first);
    // A build into a new folder renders every page, each reading its report.md again.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["build", "--root", ".", "--out"])
        .arg(elsewhere.path().join("public"))
        .current_dir(site.root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Anything but an edit of a report's files, and a state that cannot be
/// read, make a full run; the result is the same.
#[test]
fn a_state_that_does_not_apply_is_not_used() {
    let site = TempSite::sample();
    site.build_ok();
    let expected = snapshot(&site.path("public"));
    // A file added to a report's folder (an attachment to copy).
    site.write("content/example-town/2024/extra.txt", "附件");
    let (run, restored) = site.run_restoring(&["build"]);
    assert!(run.success && !restored, "a new file makes a full run: {}", run.stderr);
    assert!(site.path("public/2024/example-town/extra.txt").is_file());
    fs::remove_file(site.path("content/example-town/2024/extra.txt")).unwrap();
    // agency.toml, which only a full load reads.
    site.edit("content/example-town/agency.toml", "name = \"", "name = \"新");
    let (run, restored) = site.run_restoring(&["build"]);
    assert!(run.success && !restored, "{}", run.stderr);
    site.edit("content/example-town/agency.toml", "name = \"新", "name = \"");
    // A state cut short.
    let state = site.path(".portal-cache/state.bin");
    let bytes = fs::read(&state).unwrap();
    fs::write(&state, &bytes[..bytes.len() / 2]).unwrap();
    let (run, restored) = site.run_restoring(&["build"]);
    assert!(run.success && !restored, "{}", run.stderr);
    assert!(snapshot(&site.path("public")) == expected, "the site is as it was");
    let (_, restored) = site.run_restoring(&["build"]);
    assert!(restored, "the full run kept a new state");
}

/// The narrative is not held from loading to rendering: `report.md` is read
/// again for its page. If it changed in between, the page is not made from a
/// text its checks did not see.
#[test]
fn a_report_edited_during_a_build_is_not_published_unchecked() {
    let site = TempSite::sample();
    let prepared =
        portal::pipeline::prepare(site.root(), &portal::publish::Publish::from_env(portal::publish::Drafts::Hold))
            .result
            .expect("the sample is valid");
    let page = prepared.entry("2024/example-town/index.html").expect("the report's page");
    assert!(prepared.produce(page).is_ok());
    site.edit("content/example-town/2024/report.md", "行政许可决定23件", "行政许可决定25件");
    let error = prepared.produce(page).expect_err("the edited report is refused").to_string();
    assert!(error.contains("report.md") && error.contains("生成期间被修改"), "{error}");
    // Other pages are made as before.
    assert!(prepared.produce(prepared.entry("2024/index.html").unwrap()).is_ok());
}

/// A `report.md` that is a link to a file elsewhere in the site: editing that file is an
/// edit of the report, seen by the next run.
#[test]
fn an_edit_through_a_linked_file_is_seen() {
    let site = TempSite::sample();
    // Elsewhere in the site: a link out of it is refused (tests/security.rs).
    fs::create_dir(site.path("shared")).unwrap();
    let target = site.path("shared/report.md");
    fs::rename(site.path("content/example-town/2024/report.md"), &target).unwrap();
    std::os::unix::fs::symlink(&target, site.path("content/example-town/2024/report.md")).unwrap();
    site.build_ok();
    let text = fs::read_to_string(&target).unwrap();
    fs::write(&target, text.replace("行政许可决定23件", "行政许可决定23件（经核实）")).unwrap();
    let (run, restored) = site.run_restoring(&["build"]);
    assert!(run.success && restored, "{}", run.stderr);
    assert!(site.out("2024/example-town/index.html").contains("经核实"));
}

/// Each output folder has its manifest in `.portal-cache`; a build forgets the
/// manifests of folders that are gone, so building into a new temporary folder
/// each time does not fill the cache.
#[test]
fn the_cache_keeps_manifests_only_for_output_folders_that_exist() {
    let site = TempSite::sample();
    let manifests = || -> Vec<String> {
        let mut found: Vec<String> = fs::read_dir(site.path(".portal-cache"))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.starts_with("build-").then(|| site.read(&format!(".portal-cache/{name}")))
            })
            .collect();
        found.sort();
        found
    };
    let (out_a, out_b) = (site.path("out-a"), site.path("out-b"));
    let (a, b) = (out_a.to_str().unwrap(), out_b.to_str().unwrap());
    for out in [a, b] {
        assert!(site.run(&["build", "--out", out]).success);
    }
    assert_eq!(manifests().len(), 2, "one manifest per output folder");
    fs::remove_dir_all(&out_a).unwrap();
    assert!(site.run(&["build", "--out", b]).success);
    let left = manifests();
    assert_eq!(left.len(), 1, "the manifest of the deleted folder is gone");
    let named = format!("# output: {}", out_b.canonicalize().unwrap().display());
    assert_eq!(left[0].lines().next(), Some(named.as_str()));
    // A manifest with its new first line still reads: a build over the output finds nothing changed.
    let run = site.run(&["build", "--out", b]);
    assert!(run.stdout.contains("其中 0 个有变化"), "{}", run.stdout);
}

/// The default output (`public/` under a relative root) does not exist before
/// the first build and does after: both builds name its manifest alike.
#[test]
fn a_first_build_and_the_next_share_one_manifest() {
    let site = TempSite::sample();
    let build = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .arg("build")
            .current_dir(site.root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let _ = fs::remove_dir_all(site.path("public"));
    build();
    build();
    let manifests = fs::read_dir(site.path(".portal-cache"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("build-"))
        .count();
    assert_eq!(manifests, 1);
}
