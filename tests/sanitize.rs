//! End-to-end: raw HTML in `report.md` and `intro` reaches the pages only
//! through the sanitizer, each removal a warning at its line in `build` and
//! `check`; `[security] allow_raw_html` lets it through with one warning.

mod common;

use common::TempSite;

const REPORT_MD: &str = "content/linqu-yeyuan/2024/report.md";
const REPORT_PAGE: &str = "2024/linqu-yeyuan/index.html";
const ANCHOR: &str = "收到政府信息依申请6条";

/// Hostile HTML, one construct a line, added after the paragraph with [`ANCHOR`].
const HOSTILE: &[&str] = &[
    "<script>alert('s1')</script>",
    "<img src=\"附件.png\" alt=\"图\" onerror=\"alert('s2')\">",
    "<iframe srcdoc=\"<script>alert('s3')</script>\"></iframe>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
    "<svg onload=\"alert('s4')\"></svg>",
    "<a href=\"java&#x73;cript:alert('s5')\">链</a>",
];

/// The `(code, line)` of the warnings in `file` of `portal check --format json`.
fn warnings(site: &TempSite, command: &str, file: &str) -> Vec<(String, u64)> {
    let run = site.run(&[command, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"].as_str() == Some(file) && d["severity"] == "warning")
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["line"].as_u64().unwrap_or(0)))
        .collect()
}

fn hostile_site() -> (TempSite, u64) {
    let site = TempSite::yeyuan();
    let text = site.read(REPORT_MD);
    let at = text.find(ANCHOR).unwrap();
    let end = at + text[at..].find('\n').unwrap();
    let first = text[..end].matches('\n').count() as u64 + 3;
    site.write(REPORT_MD, &format!("{}\n\n{}\n{}", &text[..end], HOSTILE.join("\n"), &text[end..]));
    site.write("content/linqu-yeyuan/2024/附件.png", "png");
    site.edit("site.toml", "intro = \"\"\"\n", "intro = \"\"\"\n<script>alert('intro')</script>\n");
    (site, first)
}

#[test]
fn hostile_html_is_removed_and_each_removal_reported_at_its_line() {
    let (site, first) = hostile_site();
    let found = warnings(&site, "check", REPORT_MD);
    for (i, _) in HOSTILE.iter().enumerate() {
        let line = first + i as u64;
        assert!(found.contains(&("unsafe-html".to_owned(), line)), "nothing at line {line}: {found:?}");
    }
    let intro = warnings(&site, "check", "site.toml");
    assert!(intro.iter().any(|(c, l)| c == "unsafe-html" && *l == 8), "{intro:?}");
    // The build says the same, and publishes.
    let build = site.build_ok();
    for (i, _) in HOSTILE.iter().enumerate() {
        let place = format!("{REPORT_MD}:{}:", first + i as u64);
        assert!(build.stderr.contains(&place), "build: nothing at {place}:\n{}", build.stderr);
    }
    assert!(build.stderr.contains("warning[unsafe-html]") && build.stderr.contains("site.toml:8:"), "{}", build.stderr);
    // The theme's own script is the one a page carries.
    let page = site.out(REPORT_PAGE).replacen("<script src=\"/xxgk/assets/site.js\"></script>", "", 1);
    for s in ["s1", "s2", "s3", "s4", "s5"] {
        assert!(!page.contains(&format!("alert('{s}')")), "{s} published");
    }
    for gone in ["<script", "onerror", "<iframe", "srcdoc", "<meta http-equiv=\"refresh\"", "<svg onload", "cript:"] {
        assert!(!page.contains(gone), "{gone} published");
    }
    assert!(page.contains("<img src=\"附件.png\" alt=\"图\">"), "the image is kept");
    assert!(!site.out("index.html").contains("alert('intro')"));
}

#[test]
fn allow_raw_html_publishes_as_written_with_one_warning() {
    let (site, _) = hostile_site();
    // A `javascript:` link published as written is a broken link, as before.
    site.edit(REPORT_MD, HOSTILE[5], "");
    let config = site.read("site.toml");
    site.write("site.toml", &format!("{config}\n[security]\nallow_raw_html = true\n"));
    let found = warnings(&site, "check", "site.toml");
    assert_eq!(found.iter().filter(|(c, _)| c == "raw-html").count(), 1, "{found:?}");
    assert!(!found.iter().any(|(c, _)| c == "unsafe-html"), "{found:?}");
    assert!(!warnings(&site, "check", REPORT_MD).iter().any(|(c, _)| c == "unsafe-html"));
    site.build_ok();
    assert!(site.out(REPORT_PAGE).contains("<script>alert('s1')</script>"));
    assert!(site.out("index.html").contains("<script>alert('intro')</script>"));
}

#[test]
fn the_feed_escapes_the_agency_name() {
    let site = TempSite::yeyuan();
    let toml = "content/linqu-yeyuan/agency.toml";
    let text = site.read(toml);
    let name_line = text.lines().find(|l| l.starts_with("name")).unwrap().to_owned();
    site.edit(toml, &name_line, "name = \"临朐县冶源街道<script>alert(1)</script>&\"");
    site.build_ok();
    let xml = site.out("feed.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("feed-rs parses feed.xml");
    let description =
        feed.entries.iter().filter_map(|e| e.summary.as_ref()).map(|s| s.content.clone()).find(|d| d.contains("冶源"));
    let description = description.expect("the report's item");
    assert!(description.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"), "{description}");
    assert!(!description.contains("<script>"), "{description}");
}
