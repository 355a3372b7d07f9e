//! End-to-end: bad input gets a clear error naming the file (and line and
//! column where there is one), never a panic, and nothing is written.

mod common;

use std::fs;

use common::{Run, TempSite};

const DATA: &str = "content/linqu-yeyuan/2024/data.toml";
const REPORT_MD: &str = "content/linqu-yeyuan/2024/report.md";

fn build_fails(site: &TempSite) -> Run {
    let run = site.run(&["build"]);
    assert!(!run.success, "build succeeded:\n{}", run.stdout);
    assert_eq!(run.code, Some(1));
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!site.path("public").exists(), "nothing may be written");
    run
}

fn assert_mentions(run: &Run, needles: &[&str]) {
    for n in needles {
        assert!(run.stderr.contains(n), "stderr lacks {n:?}:\n{}", run.stderr);
    }
}

#[test]
fn missing_site_toml() {
    let site = TempSite::yeyuan();
    fs::remove_file(site.path("site.toml")).unwrap();
    let run = build_fails(&site);
    assert_mentions(&run, &["找不到 site.toml", "portal init", "--root"]);
}

#[test]
fn unknown_key_in_site_toml() {
    let site = TempSite::yeyuan();
    site.edit("site.toml", "theme = \"default\"", "theme = \"default\"\ntitel = \"x\"");
    let run = build_fails(&site);
    assert_mentions(&run, &["site.toml:6:1", "titel"]);
}

#[test]
fn malformed_site_toml_names_line_and_column() {
    let site = TempSite::yeyuan();
    site.edit("site.toml", "language = \"zh-CN\"", "language = \"zh-CN");
    let run = build_fails(&site);
    assert_mentions(&run, &["site.toml:4:", "TOML"]);
}

#[test]
fn base_url_without_scheme() {
    let site = TempSite::yeyuan();
    site.edit("site.toml", "https://www.example.gov.cn/xxgk/", "www.example.gov.cn/xxgk/");
    let run = build_fails(&site);
    assert_mentions(&run, &["site.toml:3:", "http://"]);
}

#[test]
fn empty_content() {
    let site = TempSite::yeyuan();
    fs::remove_dir_all(site.path("content/linqu-yeyuan")).unwrap();
    let run = build_fails(&site);
    assert_mentions(&run, &["content/ 中没有任何机构", "agency.toml"]);
}

#[test]
fn agency_without_agency_toml() {
    let site = TempSite::yeyuan();
    fs::remove_file(site.path("content/linqu-yeyuan/agency.toml")).unwrap();
    let run = build_fails(&site);
    assert_mentions(&run, &["content/linqu-yeyuan 缺少 agency.toml", "请创建"]);
}

#[test]
fn year_without_report_or_data() {
    let site = TempSite::yeyuan();
    fs::remove_file(site.path(REPORT_MD)).unwrap();
    fs::create_dir_all(site.path("content/linqu-yeyuan/2025")).unwrap();
    let run = build_fails(&site);
    assert_mentions(&run, &["2024 缺少 report.md", "2025 缺少 report.md", "2025 缺少 data.toml"]);
}

#[test]
fn folder_that_is_not_a_year() {
    let site = TempSite::yeyuan();
    fs::create_dir_all(site.path("content/linqu-yeyuan/二〇二四")).unwrap();
    let run = build_fails(&site);
    assert_mentions(&run, &["不是年份"]);
}

#[test]
fn front_matter_not_closed() {
    let site = TempSite::yeyuan();
    site.edit(REPORT_MD, "signed_by = \"冶源街道办事处\"\n+++", "signed_by = \"冶源街道办事处\"\n");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{REPORT_MD}:1:1"), "+++"]);
}

#[test]
fn malformed_front_matter_points_into_the_file() {
    let site = TempSite::yeyuan();
    site.edit(REPORT_MD, "date = 2025-01-10", "date = 2025-01-10 oops");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{REPORT_MD}:3:"), "TOML"]);
}

#[test]
fn impossible_publication_date() {
    let site = TempSite::yeyuan();
    site.edit(REPORT_MD, "date = 2025-01-10", "date = \"2025-02-30\"");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{REPORT_MD}:3:8"), "不是有效日期"]);
}

#[test]
fn unknown_section_heading() {
    let site = TempSite::yeyuan();
    site.edit(REPORT_MD, "## 五、政府信息公开工作存在的主要问题及改进情况", "## 五、存在问题");
    let run = build_fails(&site);
    assert_mentions(&run, &["不是年度报告格式规定的六个部分之一", "是否想写 ## 五、存在的主要问题及改进情况"]);
    // The misnamed heading is the one error, not also a missing section.
    assert!(!run.stderr.contains("缺少“五"), "{}", run.stderr);
}

#[test]
fn malformed_data_toml() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "licensing = 0", "licensing = ");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{DATA}:11:"), "TOML"]);
}

#[test]
fn wrong_type_in_data_toml() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "licensing = 0", "licensing = \"无\"");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{DATA}:11:13"), "不要加引号", "没有就写 0"]);
}

#[test]
fn negative_count() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "carried_over = [0,", "carried_over = [-1,");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{DATA}:24:17"), "不能为负数"]);
}

#[test]
fn unknown_row_key_gets_a_suggestion() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "carried_over =", "carried_ovr =");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{DATA}:24:1"), "carried_ovr", "是否想写 carried_over", "缺少 carried_over"]);
}

#[test]
fn wrong_number_of_cells() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [6, 0, 0, 0, 6]");
    let run = build_fails(&site);
    assert_mentions(&run, &[&format!("{DATA}:23:16"), "有 5 个数字"]);
}

#[test]
fn missing_table() {
    let site = TempSite::yeyuan();
    let text = site.read(DATA);
    let cut = text.find("# ── 四").unwrap();
    site.write(DATA, &text[..cut]);
    let run = build_fails(&site);
    assert_mentions(&run, &["缺少表四（[appeals]）"]);
}

#[test]
fn broken_sum_names_both_sides() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [7, 0, 0, 0, 0, 0, 7]");
    let run = build_fails(&site);
    assert_mentions(
        &run,
        &[
            &format!("{DATA}:23:17"),
            "error[R1]",
            "「申请人情况 自然人」列",
            "7 + 0 = 7",
            "（七）总计 + 四、结转下年度继续办理 = 6 + 0 = 6",
        ],
    );
}

#[test]
fn row_total_that_does_not_add_up() {
    let site = TempSite::yeyuan();
    site.edit(
        DATA,
        "reconsideration                  = [0, 0, 0, 0, 0]",
        "reconsideration                  = [0, 1, 0, 0, 0]",
    );
    let run = build_fails(&site);
    assert_mentions(&run, &["error[R4]", "行政复议总计", &format!("{DATA}:57:")]);
}

#[test]
fn omitted_totals_are_computed_and_still_checked() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [6, 0, 0, 0, 0, 0]");
    site.edit(DATA, "results.total = [6, 0, 0, 0, 0, 0, 6]   # （七）总计（可省略）\n", "");
    site.build_ok();
    assert_eq!(
        common::row_cells(&site.out("2024/linqu-yeyuan/index.html"), "（七）总计"),
        ["6", "0", "0", "0", "0", "0", "6"]
    );
    site.edit(DATA, "results.unavailable.not_held       = [6,", "results.unavailable.not_held       = [5,");
    let run = site.run(&["build"]);
    assert!(!run.success);
    assert!(run.stderr.contains("error[R2]") || run.stderr.contains("error[R1]"), "{}", run.stderr);
}

#[test]
fn gbk_file_is_named_as_such() {
    let site = TempSite::yeyuan();
    // `name = "临朐县"` with the Chinese in GBK.
    let mut bytes = b"name = \"".to_vec();
    bytes.extend([0xC1, 0xD9, 0xEB, 0xC4, 0xCF, 0xD8]);
    bytes.extend(b"\"\n");
    fs::write(site.path("content/linqu-yeyuan/agency.toml"), bytes).unwrap();
    let run = build_fails(&site);
    assert_mentions(&run, &["content/linqu-yeyuan/agency.toml", "GBK", "UTF-8"]);
}

#[test]
fn utf16_file_is_named_as_such() {
    let site = TempSite::yeyuan();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "name = \"冶源\"\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    fs::write(site.path("content/linqu-yeyuan/agency.toml"), bytes).unwrap();
    let run = build_fails(&site);
    assert_mentions(&run, &["UTF-16"]);
}

#[test]
fn all_problems_in_one_run() {
    let site = TempSite::yeyuan();
    site.edit(DATA, "licensing = 0", "licensing = -1");
    site.edit(DATA, "penalty     = 0", "penalty     = 1.5");
    site.edit(REPORT_MD, "date = 2025-01-10", "date = 2025-13-01");
    let run = build_fails(&site);
    assert_mentions(&run, &["licensing", "行政处罚", "report.md:3:"]);
    assert!(run.stderr.contains("发现 3 个错误"), "{}", run.stderr);
}

#[test]
fn check_reports_without_writing() {
    let site = TempSite::sample();
    let run = site.run(&["check"]);
    assert!(run.success, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("检查通过"), "{}", run.stderr);
    assert!(!site.path("public").exists());
}

#[test]
fn late_publication_is_a_warning_only() {
    let site = TempSite::yeyuan();
    site.edit(REPORT_MD, "date = 2025-01-10", "date = 2026-03-01");
    let run = site.build_ok();
    assert!(run.stderr.contains("warning[date]"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{REPORT_MD}:3:8")), "{}", run.stderr);
}
