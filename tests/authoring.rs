//! End-to-end: `portal init` and `portal new` write drafts that already carry
//! the official structure, pass `portal check --drafts` with no diagnostic,
//! and build with `--drafts` (a draft is never published: see tests/editor.rs).

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::{REPO, Run, TempSite, row_cells, text_of};

/// An empty temporary folder.
fn empty() -> TempSite {
    TempSite { dir: tempfile::tempdir().unwrap() }
}

/// A new site made by `portal init` (example report for 2024).
fn initialized() -> TempSite {
    let site = empty();
    ok(&site.run(&["init", "--year", "2024"]));
    site
}

fn ok(run: &Run) -> &Run {
    assert!(run.success, "failed:\nstdout: {}\nstderr: {}", run.stdout, run.stderr);
    run
}

fn fails<'r>(run: &'r Run, needles: &[&str]) -> &'r Run {
    assert!(!run.success, "succeeded:\n{}", run.stdout);
    assert_eq!(run.code, Some(1));
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for n in needles {
        assert!(run.stderr.contains(n), "stderr lacks {n:?}:\n{}", run.stderr);
    }
    run
}

/// `portal check --drafts --format json` reports no error and no warning.
fn check_clean(site: &TempSite) {
    let run = site.run(&["check", "--drafts", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(json["errors"], 0, "{json:#}");
    assert_eq!(json["warnings"], 0, "{json:#}");
    assert!(run.success);
}

/// `portal build --drafts`, which publishes the drafts `init` and `new` write.
fn build_drafts(site: &TempSite) {
    ok(&site.run(&["build", "--drafts"]));
}

/// The numbers of a row of `data.toml`, from its `key = [..]` line.
fn toml_row(text: &str, key: &str) -> Vec<String> {
    let line = text.lines().find(|l| l.starts_with(&format!("{key} "))).unwrap_or_else(|| panic!("no row {key}"));
    let value = line.split_once('=').unwrap().1.split_once('#').map_or(line, |(v, _)| v);
    value.trim().trim_start_matches('[').trim_end_matches(']').split(',').map(|s| s.trim().to_owned()).collect()
}

#[test]
fn init_then_build_in_an_empty_folder() {
    let site = empty();
    let run = site.run(&["init"]);
    ok(&run);
    for file in ["site.toml", "README.md", "content/example-bureau/agency.toml"] {
        assert!(site.path(file).is_file(), "missing {file}");
        assert!(run.stdout.contains(file), "{file} not reported:\n{}", run.stdout);
    }
    // The example report is for last year, whatever year it is now.
    let years: Vec<String> = fs::read_dir(site.path("content/example-bureau"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let [year] = &years[..] else { panic!("{years:?}") };
    assert!(site.path(&format!("content/example-bureau/{year}/data.toml")).is_file());
    assert!(site.read("site.toml").contains("theme = \"default\""));
    assert!(!site.path("templates").exists() && !site.path("themes").exists(), "the default theme is built in");
    assert!(site.read("README.md").contains("portal new"));

    check_clean(&site);
    build_drafts(&site);
    let page = site.out(&format!("{year}/example-bureau/index.html"));
    assert!(page.contains(&format!("示例局{year}年政府信息公开工作年度报告")));
    for n in 1..=6 {
        assert!(page.contains(&format!("<section id=\"section-{n}\"")), "section {n}");
    }
    // Hints are for authors only: not on the page.
    assert!(!text_of(&page).contains("提示："));
    assert_eq!(row_cells(&page, "二、上年结转政府信息公开申请数量"), ["0"; 7]);
}

#[test]
fn init_refuses_a_non_empty_folder_unless_forced() {
    let site = empty();
    site.write("notes.txt", "keep me");
    fails(&site.run(&["init"]), &["不是空文件夹", "--force"]);
    assert!(!site.path("site.toml").exists(), "nothing may be written");

    ok(&site.run(&["init", "--force", "--year", "2024"]));
    assert_eq!(site.read("notes.txt"), "keep me");
    check_clean(&site);
}

#[test]
fn init_accepts_a_folder_holding_only_git_and_a_dir_argument() {
    let parent = empty();
    parent.write("site/.git/HEAD", "ref: refs/heads/main\n");
    let dir = parent.path("site");
    let run = common::Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_portal")).arg("init").arg(&dir).output().unwrap(),
    );
    ok(&run);
    assert!(dir.join("site.toml").is_file());
}

#[test]
fn new_agency_and_year_with_chinese_names() {
    let site = initialized();
    let run = site.run(&["new", "示例县教育局"]);
    ok(&run);
    assert!(run.stdout.contains("content/示例县教育局/agency.toml"), "{}", run.stdout);
    let agency: toml::Table = toml::from_str(&site.read("content/示例县教育局/agency.toml")).unwrap();
    assert_eq!(agency["name"].as_str(), Some("示例县教育局"));

    let run = site.run(&["new", "示例县教育局", "2024"]);
    ok(&run);
    assert!(run.stdout.contains("没有 2023 年度报告"), "{}", run.stdout);
    assert!(run.stdout.contains("2025-01-31") && run.stdout.contains("实际发布日期"), "{}", run.stdout);
    let md = site.read("content/示例县教育局/2024/report.md");
    assert!(md.contains("title = \"示例县教育局2024年政府信息公开工作年度报告\""), "{md}");
    assert!(md.contains("signed_by = \"示例县教育局\""), "{md}");
    assert!(md.contains("date = 2025-01-31    # 请改为实际发布日期"), "{md}");
    check_clean(&site);
    build_drafts(&site);
    assert!(site.path("public/2024/示例县教育局/index.html").is_file());
}

#[test]
fn new_agency_with_an_ascii_folder_needs_a_name() {
    let site = initialized();
    fails(&site.run(&["new", "jiaoyu"]), &["--name"]);
    assert!(!site.path("content/jiaoyu").exists());
    ok(&site.run(&["new", "jiaoyu", "--name", "示例县教育局"]));
    ok(&site.run(&["new", "jiaoyu", "2024"]));
    let md = site.read("content/jiaoyu/2024/report.md");
    assert!(md.contains("示例县教育局2024年政府信息公开工作年度报告"));
    check_clean(&site);
}

/// 示例县教育局 (example-education) has a 2024 report: 2025 starts from its
/// 结转下年度继续办理 and 现行有效件数, and says so.
#[test]
fn new_year_carries_over_from_last_year() {
    let site = TempSite::sample();
    let run = site.run(&["new", "example-education", "2025"]);
    ok(&run);
    assert!(run.stdout.contains("已按 2024 年度报告填入"), "{}", run.stdout);
    assert!(run.stdout.contains("二、上年结转政府信息公开申请数量"), "{}", run.stdout);
    assert!(run.stdout.contains("现行有效件数"), "{}", run.stdout);

    let last = site.read("content/example-education/2024/data.toml");
    let this = site.read("content/example-education/2025/data.toml");
    let forward = toml_row(&last, "carried_forward");
    assert_eq!(toml_row(&this, "carried_over"), forward);
    assert!(forward.iter().any(|n| n != "0"), "the sample should carry something over: {forward:?}");
    for row in ["rules", "normative_documents"] {
        assert_eq!(toml_row(&this, row)[2], toml_row(&last, row)[2], "现行有效件数 of {row}");
        assert_eq!(toml_row(&this, row)[..2], ["0", "0"]);
    }
    check_clean(&site);

    build_drafts(&site);
    let page = site.out("2025/example-education/index.html");
    assert_eq!(row_cells(&page, "二、上年结转政府信息公开申请数量"), forward);
    let last_page = site.out("2024/example-education/index.html");
    assert_eq!(row_cells(&page, "行政规范性文件")[2], row_cells(&last_page, "行政规范性文件")[2]);
}

#[test]
fn broken_previous_year_falls_back_to_zeros() {
    let site = TempSite::sample();
    site.edit("content/example-education/2024/data.toml", "carried_over = ", "carried_overr = ");
    let run = site.run(&["new", "example-education", "2025"]);
    ok(&run);
    assert!(run.stdout.contains("2024 年度报告有错误"), "{}", run.stdout);
    assert!(!run.stdout.contains("已按 2024 年度报告填入"), "{}", run.stdout);
    let this = site.read("content/example-education/2025/data.toml");
    assert_eq!(toml_row(&this, "carried_over"), ["0"; 7]);
}

#[test]
fn refuses_to_overwrite_unless_forced() {
    let site = initialized();
    let md = "content/example-bureau/2024/report.md";
    site.edit(md, "## 一、总体情况\n", "## 一、总体情况\n\n已经写好的正文。\n");
    let run = site.run(&["new", "example-bureau", "2024"]);
    fails(&run, &[md, "content/example-bureau/2024/data.toml", "已存在", "--force"]);
    assert!(site.read(md).contains("已经写好的正文。"));

    fails(&site.run(&["new", "example-bureau", "--name", "示例局"]), &["agency.toml", "已存在"]);

    ok(&site.run(&["new", "example-bureau", "2024", "--force"]));
    assert!(!site.read(md).contains("已经写好的正文。"));
    check_clean(&site);
}

#[test]
fn bad_arguments_get_clear_errors() {
    let site = initialized();
    fails(&site.run(&["new", "agencies", "--name", "示例"]), &["“agencies”", "不能用"]);
    fails(&site.run(&["new", "a b", "--name", "示例"]), &["不能用"]);
    fails(&site.run(&["new", "../x", "--name", "示例"]), &["不能用"]);
    fails(&site.run(&["new", "example-bureau", "24"]), &["“24”不是年份"]);
    fails(&site.run(&["new", "nobody", "2024"]), &["找不到机构", "portal new nobody --name"]);
    fails(&site.run(&["new", "示例局", "2025"]), &["portal new example-bureau"]);
    fails(&site.run(&["new", "other", "--name", "示例局"]), &["content/example-bureau/"]);
    // --name belongs to a new agency, not to a year (a usage error, from clap).
    assert!(!site.run(&["new", "example-bureau", "2024", "--name", "x"]).success);
    assert!(!site.path("content/other").exists() && !site.path("content/nobody").exists());

    let bare = empty();
    fails(&bare.run(&["new", "示例局"]), &["site.toml", "portal init"]);
}

/// Keys listed in the first column of the Markdown tables of a doc, in `backticks`.
fn documented_keys(doc: &str) -> BTreeSet<String> {
    doc.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .flat_map(|rest| {
            let cell = rest.split(" |").next().unwrap_or("");
            cell.split('`')
                .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'))
                .map(str::to_owned)
        })
        .filter(|k| !k.is_empty())
        .collect()
}

fn leaf_keys(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v.as_table() {
            Some(t) => leaf_keys(t, &key, out),
            None => {
                out.insert(key);
            }
        }
    }
}

/// The files `init` and `new` write have exactly the keys the docs describe.
#[test]
fn written_files_match_the_documented_schema() {
    let site = initialized();
    let doc = |name: &str| fs::read_to_string(format!("{REPO}/docs/{name}")).unwrap();

    // data.toml: every key of docs/data-format.md's "Every key", under its table.
    let data: toml::Table = toml::from_str(&site.read("content/example-bureau/2024/data.toml")).unwrap();
    let schema = doc("data-format.md");
    let every_key = &schema[schema.find("## Every key").unwrap()..schema.find("## The consistency rules").unwrap()];
    let mut documented = BTreeSet::new();
    for part in every_key.split("### `[").skip(1) {
        let table = &part[..part.find("]`").unwrap()];
        documented.extend(documented_keys(part).into_iter().map(|k| format!("{table}.{k}")));
    }
    let mut written = BTreeSet::new();
    leaf_keys(&data, "", &mut written);
    assert_eq!(written, documented);

    // site.toml: every key of docs/site-toml.md, each table's keys under its `## `[table]`` heading.
    let site_toml: toml::Table = toml::from_str(&site.read("site.toml")).unwrap();
    let settings = doc("site-toml.md");
    let mut parts = settings.split("\n## `[");
    let mut documented: BTreeSet<String> = documented_keys(parts.next().unwrap());
    for part in parts {
        let table = &part[..part.find("]`").unwrap()];
        documented.extend(documented_keys(part).into_iter().map(|k| format!("{table}.{k}")));
    }
    let mut written = BTreeSet::new();
    leaf_keys(&site_toml, "", &mut written);
    assert_eq!(written, documented);

    // agency.toml: the keys of the documented example, optional ones commented out.
    let content = doc("content.md");
    let example = content.split("## `agency.toml`").nth(1).unwrap().split("```").nth(1).unwrap();
    let example: toml::Table = toml::from_str(example.trim_start_matches("toml")).unwrap();
    let mut documented = BTreeSet::new();
    leaf_keys(&example, "", &mut documented);
    let agency = site.read("content/example-bureau/agency.toml");
    let uncommented: String = agency
        .lines()
        .map(|l| l.strip_prefix("# ").filter(|r| r.contains(" = ")).unwrap_or(l).to_owned() + "\n")
        .collect();
    let mut written = BTreeSet::new();
    leaf_keys(&toml::from_str(&uncommented).unwrap(), "", &mut written);
    assert_eq!(written, documented);
}
