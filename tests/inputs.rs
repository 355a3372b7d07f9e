//! Inputs that are refused or named, never silently dropped or published as
//! they are: folders that are skipped, names Windows or macOS cannot hold
//! (device names, forbidden characters, names equal but for case or
//! normalisation), empty required texts, a `base_url` that is not a site's
//! address, a byte that is not UTF-8, a name that is not UTF-8, an undefined
//! template variable, a flood of problems in one file, an imported page
//! nested too deep. Each class is tested over its members, by `check` and by
//! `build` alike.

mod common;

use std::fs;
use std::path::Path;

use common::{REPO, TempSite};

const AGENCY: &str = "content/linqu-yeyuan";
const YEAR: &str = "content/linqu-yeyuan/2024";

/// What `check --format json` reported, and whether it passed.
fn check(site: &TempSite) -> (bool, Vec<serde_json::Value>) {
    let run = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}{}", run.stdout, run.stderr));
    (run.success, json["diagnostics"].as_array().cloned().unwrap_or_default())
}

fn has(found: &[serde_json::Value], severity: &str, code: &str, file: &str) -> bool {
    found.iter().any(|d| d["severity"] == severity && d["code"] == code && d["file"] == file)
}

/// `check` and `build` both fail with an error `code` at each of `files`.
fn refused_at(site: &TempSite, code: &str, files: &[String], case: &str) {
    let (ok, found) = check(site);
    assert!(!ok, "{case}: check passed");
    for file in files {
        assert!(has(&found, "error", code, file), "{case}: want {code} at {file:?}, got {found:#?}");
    }
    let build = site.run(&["build"]);
    assert!(!build.success, "{case}: build passed");
    assert!(build.stderr.contains(&format!("error[{code}]")), "{case}: build said\n{}", build.stderr);
    assert!(!site.path("public").exists(), "{case}: the build wrote an output");
}

/// `check` and `build` both fail with an error `code` whose message holds `words`.
fn refused_saying(site: &TempSite, code: &str, words: &str, case: &str) {
    let (ok, found) = check(site);
    assert!(!ok, "{case}: check passed");
    let said = found.iter().any(|d| d["code"] == code && d["message"].as_str().unwrap_or("").contains(words));
    assert!(said, "{case}: want {code} saying {words:?}, got {found:#?}");
    let build = site.run(&["build"]);
    assert!(!build.success, "{case}: build passed");
    assert!(
        build.stderr.contains(&format!("error[{code}]")) && build.stderr.contains(words),
        "{case}:\n{}",
        build.stderr
    );
}

/// Every device name Windows reserves, in lower, upper and mixed case, alone
/// and with an extension or what Windows strips before comparing.
fn reserved_names() -> Vec<String> {
    let mut bases: Vec<String> = ["con", "prn", "aux", "nul"].map(str::to_owned).to_vec();
    for n in 1..=9 {
        bases.push(format!("com{n}"));
        bases.push(format!("lpt{n}"));
    }
    let mut out = Vec::new();
    for base in bases {
        let upper = base.to_uppercase();
        let mixed = format!("{}{}", &upper[..1], &base[1..]);
        out.extend([
            base.clone(),
            upper.clone(),
            format!("{mixed}.txt"),
            format!("{base}.tar.gz"),
            format!("{upper} .pdf"),
        ]);
    }
    out
}

/// Names Windows refuses for what they contain or how they end.
fn unholdable_names() -> Vec<String> {
    let mut out: Vec<String> = ["a.", "a ", "机构.", "x. ", "附件.pdf."].map(str::to_owned).to_vec();
    for c in ['<', '>', ':', '"', '|', '?', '*', '\\', '\u{1}', '\t', '\u{1f}'] {
        out.push(format!("a{c}b"));
    }
    out
}

#[test]
fn every_skipped_folder_is_named_in_a_warning() {
    let site = TempSite::sample();
    // Complete agencies and reports, not empty folders: what would be lost.
    let agencies = ["content/.hidden", "content/...", "content/.草稿"];
    for rel in agencies {
        common::copy_dir(&site.path(AGENCY), &site.path(rel));
    }
    let years = [format!("{AGENCY}/.2023")];
    common::copy_dir(&site.path(YEAR), &site.path(&years[0]));
    let inner = [format!("{YEAR}/附件"), format!("{YEAR}/.git")];
    for rel in &inner {
        site.write(&format!("{rel}/a.pdf"), "附件");
    }
    let skipped: Vec<String> = agencies.iter().map(|s| s.to_string()).chain(years).chain(inner).collect();
    let (ok, found) = check(&site);
    assert!(ok, "warnings only: {found:#?}");
    for rel in &skipped {
        assert!(has(&found, "warning", "skipped", rel), "{rel} not named: {found:#?}");
    }
    let build = site.build_ok();
    for rel in &skipped {
        assert!(build.stderr.contains(rel.as_str()), "build did not name {rel}:\n{}", build.stderr);
    }
}

#[test]
fn agency_folders_windows_cannot_hold_are_refused() {
    let site = TempSite::yeyuan();
    let names: Vec<String> = reserved_names().into_iter().chain(unholdable_names()).collect();
    for name in &names {
        common::copy_dir(&site.path(AGENCY), &site.path(&format!("content/{name}")));
    }
    let files: Vec<String> = names.iter().map(|n| format!("content/{n}")).collect();
    refused_at(&site, "name", &files, "agency folders");
}

#[test]
fn attachments_windows_cannot_hold_are_refused() {
    let site = TempSite::yeyuan();
    let names: Vec<String> = reserved_names().into_iter().chain(unholdable_names()).collect();
    for name in &names {
        site.write(&format!("{YEAR}/{name}"), "附件");
    }
    let files: Vec<String> = names.iter().map(|n| format!("{YEAR}/{n}")).collect();
    refused_at(&site, "name", &files, "attachments");
}

#[test]
fn names_that_only_start_like_a_device_are_published() {
    let site = TempSite::yeyuan();
    for name in ["console.pdf", "con-2024.pdf", "com10.txt", "nul1.pdf", "auxiliary.doc", "a.con", "附件（一）.pdf"]
    {
        site.write(&format!("{YEAR}/{name}"), "附件");
    }
    common::copy_dir(&site.path(AGENCY), &site.path("content/conference"));
    site.edit("content/conference/agency.toml", "临朐县冶源街道办事处", "临朐县会议中心");
    site.build_ok();
    assert!(site.path("public/2024/linqu-yeyuan/console.pdf").is_file());
    assert!(site.path("public/2024/conference/index.html").is_file());
}

/// Pairs of names Windows and macOS take for the same.
const SAME_NAMES: &[(&str, &str)] = &[
    ("yeyuan", "YeYuan"),
    ("yeyuan", "YEYUAN"),
    ("caf\u{e9}", "cafe\u{301}"),
    ("CAF\u{c9}", "cafe\u{301}"),
    ("\u{212b}ngstrom", "\u{c5}ngstrom"),
];

#[test]
fn agency_folders_equal_but_for_case_or_normalisation_are_refused() {
    for (a, b) in SAME_NAMES {
        let site = TempSite::yeyuan();
        // Different agencies: the folders alone clash.
        for (folder, name) in [(a, "临朐县甲街道办事处"), (b, "临朐县乙街道办事处")] {
            common::copy_dir(&site.path(AGENCY), &site.path(&format!("content/{folder}")));
            site.edit(&format!("content/{folder}/agency.toml"), "临朐县冶源街道办事处", name);
        }
        let (ok, found) = check(&site);
        assert!(!ok, "{a} / {b}");
        let clash = found.iter().filter(|d| d["code"] == "duplicate").count();
        assert_eq!(clash, 1, "{a} / {b}: {found:#?}");
        assert!(!site.run(&["build"]).success, "{a} / {b}");
    }
}

#[test]
fn attachments_equal_but_for_case_or_normalisation_are_refused() {
    let mut pairs: Vec<(String, String)> =
        SAME_NAMES.iter().map(|(a, b)| (format!("{a}.pdf"), format!("{b}.pdf"))).collect();
    pairs.push(("a.pdf".into(), "A.PDF".into()));
    pairs.push(("Report.md".into(), "report.md".into()));
    pairs.push(("DATA.TOML".into(), "data.toml".into()));
    for (a, b) in &pairs {
        let site = TempSite::yeyuan();
        for name in [a, b] {
            if !site.path(&format!("{YEAR}/{name}")).exists() {
                site.write(&format!("{YEAR}/{name}"), "附件");
            }
        }
        let (ok, found) = check(&site);
        assert!(!ok, "{a} / {b}");
        assert!(found.iter().any(|d| d["code"] == "duplicate"), "{a} / {b}: {found:#?}");
        assert!(!site.run(&["build"]).success, "{a} / {b}");
    }
}

#[test]
fn attachments_named_as_a_generated_file_are_refused() {
    for name in ["index.html", "Index.html", "INDEX.HTML", "data.json", "Data.Json", "data.csv", "DATA.CSV"] {
        let site = TempSite::yeyuan();
        site.write(&format!("{YEAR}/{name}"), "<p>附件</p>");
        refused_at(&site, "duplicate", &[format!("{YEAR}/{name}")], name);
    }
}

/// A file written at each `rel` (under `static/` or a theme's) is refused as
/// `name`, in a message that names `shown`.
fn output_files_refused(cases: &[(&str, &str)]) {
    for (rel, shown) in cases {
        let site = TempSite::yeyuan();
        site.write(rel, "x");
        if rel.starts_with("themes/mine") {
            site.edit("site.toml", "theme = \"default\"", "theme = \"mine\"");
            common::copy_dir(&Path::new(REPO).join("themes/default/templates"), &site.path("themes/mine/templates"));
        }
        refused_saying(&site, "name", shown, rel);
    }
}

#[test]
fn output_names_windows_cannot_hold_are_refused() {
    // Files of `static/` land in the output as they are named; so do a theme's.
    output_files_refused(&[
        ("static/con.txt", "con.txt"),
        ("static/assets/AUX.css", "AUX.css"),
        ("static/lpt1/x.txt", "lpt1"),
        ("static/a./x.txt", "a."),
        ("static/x|y.txt", "x|y.txt"),
        ("themes/mine/static/com1.css", "com1.css"),
    ]);
}

#[test]
fn output_names_equal_but_for_case_are_refused() {
    output_files_refused(&[
        ("static/Index.html", "Index.html"),
        ("static/Assets/x.css", "Assets"),
        ("static/assets/Style.css", "Style.css"),
        ("static/2024/LINQU-YEYUAN/x.txt", "LINQU-YEYUAN"),
        ("static/Feed.xml", "Feed.xml"),
        ("static/data/Reports.csv", "Reports.csv"),
        ("themes/mine/static/Feed.xml", "Feed.xml"),
    ]);
}

#[test]
fn empty_required_texts_are_refused_at_their_line() {
    // (file, the line as written, the same line emptied)
    let cases = [
        ("site.toml", "title = \"临朐县政府信息公开工作年度报告（示例站点）\"", "title = \"\""),
        ("site.toml", "sponsor = \"示例县人民政府办公室\"", "sponsor = \"  \""),
        ("site.toml", "site_code = \"0000000000\"", "site_code = \"\""),
        ("site.toml", "icp = \"示ICP备00000000号\"", "icp = \"\""),
        ("site.toml", "police_record = \"示公网安备 00000000000000号\"", "police_record = \"　\""),
        ("content/linqu-yeyuan/agency.toml", "name = \"临朐县冶源街道办事处\"", "name = \"\""),
        ("content/linqu-yeyuan/agency.toml", "short_name = \"冶源街道\"", "short_name = \"\""),
        ("content/linqu-yeyuan/agency.toml", "parent = \"临朐县人民政府\"", "parent = \" \""),
        ("content/linqu-yeyuan/agency.toml", "region = \"山东省潍坊市临朐县\"", "region = \"\""),
        (
            "content/linqu-yeyuan/2024/report.md",
            "title = \"临朐县冶源街道办事处2024年政府信息公开工作年度报告\"",
            "title = \"\"",
        ),
        ("content/linqu-yeyuan/2024/report.md", "signed_by = \"冶源街道办事处\"", "signed_by = \"\""),
    ];
    for (file, from, to) in cases {
        let site = TempSite::yeyuan();
        site.edit(file, from, to);
        let line = site.read(file).lines().position(|l| l.starts_with(to)).unwrap() + 1;
        let (ok, found) = check(&site);
        assert!(!ok, "{to} in {file}");
        let at = found.iter().find(|d| d["code"] == "empty" && d["file"] == file);
        assert_eq!(at.map(|d| d["line"].clone()), Some(line.into()), "{to} in {file}: {found:#?}");
        assert!(!site.run(&["build"]).success, "{to} in {file}");
    }
}

#[test]
fn a_base_url_that_is_not_a_sites_address_is_refused_as_config() {
    let bad = [
        "https://www.example.gov.cn/xxgk/\\\"><script>alert(1)</script>",
        "https://www.example.gov.cn/x xgk/",
        " https://www.example.gov.cn/",
        "https://www.example.gov.cn:99999/",
        "https://www.example.gov.cn:0/",
        "https://www.example.gov.cn:http/",
        "ftp://www.example.gov.cn/",
        "javascript:alert(1)//",
        "www.example.gov.cn/xxgk/",
        "https:///xxgk/",
        "https://user:pass@www.example.gov.cn/",
        "https://www.example.gov.cn/xxgk/?a=1",
        "https://www.example.gov.cn/xxgk/#top",
        "https://www.example.gov.cn/xx'gk/",
        "https://www.example.gov.cn/xx<gk/",
    ];
    for value in bad {
        let site = TempSite::yeyuan();
        site.edit("site.toml", "base_url = \"https://www.example.gov.cn/xxgk/\"", &format!("base_url = \"{value}\""));
        let (ok, found) = check(&site);
        assert!(!ok, "{value}");
        let at = found.iter().find(|d| d["code"] == "config" && d["file"] == "site.toml");
        assert_eq!(at.map(|d| d["line"].clone()), Some(3.into()), "{value}: {found:#?}");
        assert!(!site.run(&["build"]).success, "{value}");
    }
    // Not a text at all: a type error, in words.
    let site = TempSite::yeyuan();
    site.edit("site.toml", "base_url = \"https://www.example.gov.cn/xxgk/\"", "base_url = 5");
    let (ok, found) = check(&site);
    assert!(!ok && found.iter().any(|d| d["code"] == "type" && d["line"] == 3), "{found:#?}");
}

#[test]
fn a_base_url_is_published_in_its_canonical_form() {
    let good = [
        ("HTTPS://WWW.EXAMPLE.GOV.CN/xxgk/", "https://www.example.gov.cn/xxgk/"),
        ("https://www.example.gov.cn:443/xxgk", "https://www.example.gov.cn/xxgk/"),
        ("Http://www.example.gov.cn:8080/xxgk/", "http://www.example.gov.cn:8080/xxgk/"),
    ];
    for (value, canonical) in good {
        let site = TempSite::yeyuan();
        site.edit("site.toml", "base_url = \"https://www.example.gov.cn/xxgk/\"", &format!("base_url = \"{value}\""));
        site.build_ok();
        let feed = site.out("feed.xml");
        assert!(feed.contains(&format!("<link>{canonical}</link>")), "{value}:\n{feed}");
        assert!(site.out("sitemap.xml").contains(&format!("<loc>{canonical}</loc>")), "{value}");
    }
}

#[test]
fn a_byte_that_is_not_utf8_is_placed_by_line_and_column() {
    // A byte that cannot start a character, a truncated character, an overlong
    // form, a surrogate, and GBK: in the middle of each kind of file.
    let bad: [&[u8]; 5] = [&[0xFF], &[0xE5, 0xB9], &[0xC0, 0xAF], &[0xED, 0xA0, 0x80], &[0xC4, 0xEA]];
    let files = [
        "site.toml",
        "content/linqu-yeyuan/agency.toml",
        "content/linqu-yeyuan/2024/report.md",
        "content/linqu-yeyuan/2024/data.toml",
    ];
    for file in files {
        for bytes in bad {
            let site = TempSite::yeyuan();
            let text = site.read(file);
            // After the third line's first two characters.
            let line_start: usize = text.split_inclusive('\n').take(2).map(str::len).sum();
            let at = line_start + text[line_start..].chars().take(2).map(char::len_utf8).sum::<usize>();
            let mut changed = text.as_bytes()[..at].to_vec();
            changed.extend_from_slice(bytes);
            changed.extend_from_slice(&text.as_bytes()[at..]);
            site.write_bytes(file, &changed);
            let (ok, found) = check(&site);
            assert!(!ok, "{file} {bytes:x?}");
            let d = found.iter().find(|d| d["code"] == "encoding" && d["file"] == file);
            let d = d.unwrap_or_else(|| panic!("{file} {bytes:x?}: {found:#?}"));
            assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(3)), "{file} {bytes:x?}: {d:#}");
            assert!(d["message"].as_str().unwrap().contains("第 3 行第 3 列"), "{d:#}");
            let build = site.run(&["build"]);
            assert!(!build.success && build.stderr.contains(&format!("{file}:3:3")), "{file}:\n{}", build.stderr);
        }
    }
}

// Linux and most Unix file systems hold names that are not UTF-8; Windows does not.
#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_named_as_such() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9");
    for parent in ["content", AGENCY, YEAR] {
        let site = TempSite::yeyuan();
        let path = site.path(parent).join(bad);
        if parent == YEAR {
            fs::write(&path, "附件").unwrap();
        } else if parent == AGENCY {
            common::copy_dir(&site.path(YEAR), &path);
        } else {
            common::copy_dir(&site.path(AGENCY), &path);
        }
        let (ok, found) = check(&site);
        assert!(!ok, "{parent}");
        let file = format!("{parent}/caf\u{fffd}");
        assert!(has(&found, "error", "encoding", &file), "{parent}: {found:#?}");
        assert!(!found.iter().any(|d| d["code"] == "missing-file"), "{parent}: {found:#?}");
    }
}

/// Expressions that name nothing the template is given, in every position a
/// template can use one.
const UNDEFINED: &[&str] = &[
    "{{ nosuch }}",
    "{{ nosuch.thing }}",
    "{{ site.nosuch }}",
    "{% if nosuch %}x{% endif %}",
    "{% for x in nosuch %}{% endfor %}",
    "{{ nosuch | length }}",
];

#[test]
fn an_undefined_template_variable_is_an_error_at_its_line() {
    let templates = Path::new(REPO).join("themes/default/templates");
    let mut names: Vec<String> =
        fs::read_dir(&templates).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in &names {
        for (i, expr) in UNDEFINED.iter().enumerate() {
            // Every template with one expression; one template with each.
            if i > 0 && name != "report.html" {
                continue;
            }
            let site = TempSite::yeyuan();
            let text = fs::read_to_string(templates.join(name)).unwrap();
            let anchor = if name == "base.html" { "<body>\n" } else { "{% block main %}\n" };
            assert!(text.contains(anchor), "{name}");
            let changed = text.replacen(anchor, &format!("{anchor}{expr}\n"), 1);
            let line = changed[..changed.find(expr).unwrap()].matches('\n').count() + 1;
            site.write(&format!("templates/{name}"), &changed);
            let words = format!("templates/{name} 第 {line} 行");
            refused_saying(&site, "template", &words, &format!("{name}: {expr}"));
        }
    }
}

#[test]
fn a_tested_optional_variable_renders() {
    let site = TempSite::yeyuan();
    let text = fs::read_to_string(Path::new(REPO).join("themes/default/templates/404.html")).unwrap();
    let changed = text.replacen(
        "{% block main %}\n",
        "{% block main %}\n{% if nosuch is defined %}有{% else %}<p>无此变量</p>{% endif %}{{ nosuch | default('默认') }}\n",
        1,
    );
    site.write("templates/404.html", &changed);
    site.build_ok();
    assert!(site.out("404.html").contains("<p>无此变量</p>默认"));
}

#[test]
fn one_file_lists_a_bounded_number_of_problems_and_counts_the_rest() {
    let site = TempSite::yeyuan();
    let n = 20_000;
    let data = site.read(&format!("{YEAR}/data.toml"));
    let extra: String = (0..n).map(|i| format!("unknown_{i} = 1\n")).collect();
    site.write(&format!("{YEAR}/data.toml"), &data.replacen("[requests]\n", &format!("[requests]\n{extra}"), 1));
    // And a narrative with a heading and a script per line.
    let md = site.read(&format!("{YEAR}/report.md"));
    let junk: String = (0..n).map(|i| format!("\n## 第{i}部分\n\n<script>x()</script>\n")).collect();
    site.write(&format!("{YEAR}/report.md"), &format!("{md}{junk}"));

    let run = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let all = json["diagnostics"].as_array().unwrap();
    for (file, errors) in [(format!("{YEAR}/data.toml"), n), (format!("{YEAR}/report.md"), n)] {
        let listed: Vec<&serde_json::Value> =
            all.iter().filter(|d| d["file"] == file.as_str() && d["code"] != "omitted").collect();
        assert_eq!(listed.len(), 50, "{file}");
        let omitted: u64 =
            all.iter().filter(|d| d["file"] == file.as_str()).filter_map(|d| d["omitted"].as_u64()).sum();
        assert!(omitted as usize >= errors - 50, "{file}: {omitted}");
    }
    // The keys listed are the first written, in order.
    let keys: Vec<String> = all
        .iter()
        .filter(|d| d["code"] == "unknown-key")
        .map(|d| d["message"].as_str().unwrap().rsplit(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(keys, (0..50).map(|i| format!("unknown_{i}")).collect::<Vec<_>>());
    assert!(json["errors"].as_u64().unwrap() >= 2 * n as u64, "every problem is counted");

    let text = site.run(&["check"]);
    assert!(
        text.stderr.contains("另有 19950 个错误未列出"),
        "{}",
        &text.stderr[text.stderr.len().saturating_sub(2000)..]
    );
    assert!(
        text.stderr.lines().count() < 2_000,
        "the text lists a bounded number: {} lines",
        text.stderr.lines().count()
    );
}

#[test]
fn import_refuses_a_page_nested_deeper_than_a_browser_shows() {
    let site = TempSite::yeyuan();
    let report = "<p>临朐县冶源街道办事处2024年政府信息公开工作年度报告</p><p>一、总体情况</p><p>正文。</p>";
    let nestings = [
        ("<div>", "</div>"),
        ("<span>", "</span>"),
        ("<b>", "</b>"),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<div>\n", ""),
    ];
    for (open, close) in nestings {
        for depth in [513, 10_000, 100_000] {
            let page = format!("<html><body>{}{report}{}</body></html>", open.repeat(depth), close.repeat(depth));
            let file = site.path("deep.html");
            fs::write(&file, page).unwrap();
            let run = site.run(&["import", "--agency", "deep", "--year", "2024", file.to_str().unwrap()]);
            assert_eq!(run.code, Some(1), "{open} × {depth}: {}", run.stderr);
            assert!(run.stderr.contains("超过上限 512 层"), "{open} × {depth}: {}", run.stderr);
            assert!(!site.path("content/deep").exists(), "{open} × {depth}: nothing is written");
        }
    }
}

/// Raw HTML that nests `depth` elements of one kind around a line of text.
fn nested_html(open: &str, close: &str, depth: usize) -> String {
    format!("{}嵌套的文字{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn raw_html_nested_deeper_than_a_browser_shows_is_refused_at_its_line() {
    let nestings = [
        ("<div>", "</div>"),
        ("<span>", "</span>"),
        ("<b>", "</b>"),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<div>\n\n", ""),
    ];
    for (open, close) in nestings {
        for depth in [600, 100_000] {
            let case = format!("{open:?} × {depth}");
            let site = TempSite::yeyuan();
            let file = format!("{YEAR}/report.md");
            let html = nested_html(open, close, depth);
            site.edit(
                &file,
                "## 五、政府信息公开工作存在的主要问题及改进情况\n",
                &format!("## 五、政府信息公开工作存在的主要问题及改进情况\n\n{html}\n"),
            );
            let (ok, found) = check(&site);
            assert!(!ok, "{case}: check passed");
            let line = site.read(&file).lines().position(|l| l.starts_with(open.trim_end())).unwrap() + 1;
            let at = found.iter().find(|d| d["code"] == "html-depth");
            assert_eq!(
                at.map(|d| (d["file"].clone(), d["line"].clone())),
                Some((file.clone().into(), line.into())),
                "{case}: {found:#?}"
            );
            refused_saying(&site, "html-depth", "超过上限 512 层", &case);
        }
    }
    // Below the limit, deep but ordinary, the page is built and sanitized.
    let site = TempSite::yeyuan();
    site.edit(
        &format!("{YEAR}/report.md"),
        "## 五、政府信息公开工作存在的主要问题及改进情况\n",
        &format!("## 五、政府信息公开工作存在的主要问题及改进情况\n\n{}\n", nested_html("<div>", "</div>", 400)),
    );
    site.build_ok();
}

#[test]
fn an_intro_nested_deeper_than_a_browser_shows_is_refused() {
    for allow_raw in [false, true] {
        let site = TempSite::yeyuan();
        let html = nested_html("<div>", "</div>", 5_000);
        site.edit("site.toml", "intro = \"\"\"\n", &format!("intro = \"\"\"\n{html}\n"));
        if allow_raw {
            let text = site.read("site.toml");
            site.write("site.toml", &format!("{text}\n[security]\nallow_raw_html = true\n"));
        }
        refused_saying(&site, "html-depth", "超过上限 512 层", &format!("allow_raw_html = {allow_raw}"));
    }
}
