//! `portal import`, end to end: the real binary on the real published report
//! (text), on a `.docx` and an HTML page these tests build with the official
//! table layout, and on garbage.

mod common;
#[path = "common/documents.rs"]
mod documents;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{REPO, TempSite};
use documents::{Part, docx, html_page, sample_parts};
use portal::format::{CellAt, FORMAT_2021};
use portal::model::{Number, Report, Site};

const FIXTURE: &str = "tests/fixtures/sample-report-yeyuan-2024.txt";

/// The sample site without the report that the tests import again.
fn site_without_sample_report() -> TempSite {
    let site = TempSite::yeyuan();
    fs::remove_dir_all(site.path("content/linqu-yeyuan/2024")).unwrap();
    site
}

fn load(root: &Path) -> Site {
    let loaded = portal::load::load(root);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics.to_plain_string(&loaded.sources));
    loaded.site.unwrap()
}

fn report<'s>(site: &'s Site, slug: &str, year: u16) -> &'s Report {
    let agency = site.agencies.iter().find(|a| a.slug == slug).unwrap_or_else(|| panic!("no agency {slug}"));
    agency.reports.iter().find(|r| r.year == year).unwrap_or_else(|| panic!("no {year}"))
}

/// Every cell value of a report's figures, in format order.
fn values(report: &Report) -> Vec<Option<Number>> {
    let mut out = Vec::new();
    for grid in report.figures.tables.iter().flatten() {
        for r in 0..grid.rows {
            for c in 0..grid.cols {
                out.push(grid.value(r, c));
            }
        }
    }
    out
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The narrative, section by section, whitespace removed.
fn narrative(report: &Report) -> Vec<String> {
    let text = portal::load::narrative_text(report).expect("report.md as loaded");
    let mut out = vec![squeeze(report.narrative.preamble.markdown(&text))];
    out.extend(
        report.narrative.sections.iter().map(|s| s.as_ref().map_or(String::new(), |p| squeeze(p.markdown(&text)))),
    );
    out
}

fn sample() -> Site {
    load(Path::new(REPO))
}

fn assert_same_as_sample(root: &Path, check_narrative: bool) {
    let sample = sample();
    let expected = report(&sample, "linqu-yeyuan", 2024);
    let site = load(root);
    let got = report(&site, "linqu-yeyuan", 2024);
    assert_eq!(values(got), values(expected), "figures differ");
    assert!(values(got).iter().all(Option::is_some));
    assert_eq!(got.date, expected.date);
    assert_eq!(got.signed_by, expected.signed_by);
    assert_eq!(got.title, expected.title);
    if check_narrative {
        for (i, (g, e)) in narrative(got).iter().zip(narrative(expected)).enumerate() {
            assert_eq!(g, &e, "narrative part {i} differs");
        }
    }
}

#[test]
fn the_published_text_imports_to_the_sample() {
    let site = site_without_sample_report();
    let run = site.run(&["import", &format!("{REPO}/{FIXTURE}")]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("报告年度：2024（取自标题）"), "{}", run.stdout);
    assert!(run.stdout.contains("机构：content/linqu-yeyuan/"), "{}", run.stdout);
    assert!(run.stdout.contains("读到 200 个数字"), "{}", run.stdout);
    // The one label the published table words differently, with its line.
    assert!(run.stdout.contains("[近似对应] 第 77 行：表三行标题“2.其他法律法规禁止公开”"), "{}", run.stdout);
    assert!(run.stderr.contains("检查通过"), "{}", run.stderr);
    assert_same_as_sample(site.root(), true);
}

#[test]
fn existing_reports_are_not_overwritten_without_force() {
    let site = TempSite::yeyuan();
    let before = site.read("content/linqu-yeyuan/2024/report.md");
    let run = site.run(&["import", &format!("{REPO}/{FIXTURE}")]);
    assert!(!run.success);
    assert!(run.stderr.contains("已存在") && run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(site.read("content/linqu-yeyuan/2024/report.md"), before);
    let run = site.run(&["import", &format!("{REPO}/{FIXTURE}"), "--force"]);
    assert!(run.success, "{}", run.stderr);
    assert!(site.read("content/linqu-yeyuan/2024/report.md").contains("由 portal import"));
    // agency.toml of an existing agency is never rewritten.
    assert!(site.read("content/linqu-yeyuan/agency.toml").contains("short_name = \"冶源街道\""));
}

#[test]
fn a_new_agency_is_named_from_the_title_with_its_contact_details() {
    let site = site_without_sample_report();
    fs::remove_dir_all(site.path("content/linqu-yeyuan")).unwrap();
    site.write("site-placeholder/.keep", "");
    let run = site.run(&["import", &format!("{REPO}/{FIXTURE}")]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("机构：content/临朐县冶源街道办事处/（新机构"), "{}", run.stdout);
    let agency = site.read("content/临朐县冶源街道办事处/agency.toml");
    assert!(agency.contains("name = \"临朐县冶源街道办事处\""), "{agency}");
    assert!(agency.contains("office = \"冶源街道办事处党政办公室\""), "{agency}");
    assert!(agency.contains("phone = \"0536-3631123\""), "{agency}");
    assert!(agency.contains("email = \"lqxyyz@wf.shandong.cn\""), "{agency}");
    // With --agency, an ASCII folder name.
    let site = site_without_sample_report();
    fs::remove_dir_all(site.path("content/linqu-yeyuan")).unwrap();
    let run = site.run(&["import", &format!("{REPO}/{FIXTURE}"), "--agency", "yeyuan", "--year", "2024"]);
    assert!(run.success, "{}", run.stderr);
    assert!(site.path("content/yeyuan/2024/data.toml").is_file());
}

/// Figures that do not add up are imported as printed and flagged by the checks.
#[test]
fn inconsistent_figures_are_imported_faithfully_and_flagged() {
    let site = site_without_sample_report();
    let text = fs::read_to_string(Path::new(REPO).join(FIXTURE)).unwrap();
    let text = text.replacen("一、本年新收政府信息公开申请数量\t\t6\t0", "一、本年新收政府信息公开申请数量\t\t7\t0", 1);
    site.write("in.txt", &text);
    let run = site.run(&["import", site.path("in.txt").to_str().unwrap()]);
    assert!(!run.success);
    assert!(run.stderr.contains("error[R1]") || run.stderr.contains("error[R2]"), "{}", run.stderr);
    assert!(site.read("content/linqu-yeyuan/2024/data.toml").contains("new          = [7, 0, 0, 0, 0, 0, 6]"));
}

/// Each artefact of extracted text, with the values read.
#[test]
fn text_artefacts_are_read() {
    let text = fs::read_to_string(Path::new(REPO).join(FIXTURE)).unwrap();
    // Full-width digits and punctuation, a label broken by spaces, a stray blank line.
    let text = text
        .replacen("行政处罚\t0\t\t", "行政处罚\t１２\t\t", 1)
        .replacen("行政事业性收费\t0\t\t", "行政事业性收费\t５９４９．０８８６６７\t\t", 1)
        .replacen("1.属于国家秘密\t0\t0", "１．属于 国家 秘密\t3\t0", 1)
        .replacen("规章\t0\t0\t0", "规章\t0\t0\t0\n\n", 1);
    let reading = portal::import::read(Path::new("in.txt"), text.as_bytes()).unwrap();
    let f = &reading.read.figures;
    let active = FORMAT_2021.table_ix("active").unwrap();
    let requests = FORMAT_2021.table_ix("requests").unwrap();
    assert_eq!(f.grid(active, 2).value(0, 0), Some(Number::Count(12)));
    assert_eq!(f.grid(active, 3).value(0, 0), Some(Number::Amount(5_949_088_667)));
    let rows = FORMAT_2021.table_at(requests).blocks[0].row_leaves();
    let secret = rows.iter().position(|l| l.key == "results.withheld.state_secret").unwrap();
    assert_eq!(f.grid(requests, 0).value(secret, 0), Some(Number::Count(3)));
    // Table 四: header labels broken across lines (结果 / 维持), the values still read in order.
    let appeals = FORMAT_2021.table_ix("appeals").unwrap();
    assert_eq!(reading.read.figures.grid(appeals, 0).cols, 15);
    assert!((0..15).all(|c| f.grid(appeals, 0).value(0, c) == Some(Number::Count(0))));
    // Every cell is read; where a value came from is known.
    let rows_loc = reading.read.sources.get(&CellAt::new(requests, 0, (secret, 0))).copied();
    assert_eq!(rows_loc.map(|l| l.to_string()), Some("第 78 行".to_owned()));
}

#[test]
fn unreadable_cells_are_listed_and_written_as_question_marks() {
    let site = site_without_sample_report();
    let text = fs::read_to_string(Path::new(REPO).join(FIXTURE)).unwrap();
    let text =
        text.replacen("\t\t3.其他\t0\t0", "\t\t3.其他\t—\t0", 1).replacen("行政强制\t0\t\t", "行政强制\t\t\t", 1);
    site.write("in.txt", &text);
    let run = site.run(&["import", site.path("in.txt").to_str().unwrap()]);
    assert!(!run.success, "check must fail while cells are missing");
    assert!(run.stdout.contains("[未读取] 第 95 行：表三“三、本年度办理结果 （六）其他处理 3.其他 申请人情况 自然人”写作“—”（不当作 0），未读取"), "{}", run.stdout);
    assert!(run.stdout.contains("[未读取] 第 61 行：表二“行政强制”这一行读到 0 个数字，应为 1 个"), "{}", run.stdout);
    let data = site.read("content/linqu-yeyuan/2024/data.toml");
    assert!(data.contains("# results.other.other       = [?, 0, 0, 0, 0, 0, 0]   # 3.其他"), "{data}");
    assert!(data.contains("# enforcement = ?   # 行政强制"), "{data}");
    assert!(run.stderr.contains("missing-row"), "{}", run.stderr);
}

/// The published 2024 text laid out in the 2019 format (国办公开办函〔2019〕60号): its
/// table 二 and its single row （六）其他处理, with `other` in that row.
fn text_2019(other: &str) -> String {
    let text = fs::read_to_string(Path::new(REPO).join(FIXTURE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("第二十条第（一）项")).unwrap();
    let end = lines.iter().position(|l| l.starts_with("行政事业性收费")).unwrap();
    let table2 = "第二十条第（一）项\t\t\t\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t0\t0\t0\n规范性文件\t2\t2\t15\n\
第二十条第（五）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t12\t-1\t98\n其他对外管理服务事项\t3\t0\t20\n\
第二十条第（六）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政处罚\t8\t0\t1\n行政强制\t2\t0\t0\n\
第二十条第（八）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t\n行政事业性收费\t1\t-1\t\n\
第二十条第（九）项\t\t\t\n信息内容\t采购项目数量\t采购总金额\t\n政府集中采购\t6\t128.5\t";
    let six = lines.iter().position(|l| l.contains("(六) 其他 处理")).unwrap();
    let mut out: Vec<String> = lines[..start].iter().map(|l| l.to_string()).collect();
    out.push(table2.to_owned());
    out.extend(lines[end + 1..six].iter().map(|l| l.to_string()));
    out.push(format!("\t(六) 其他处理\t\t{other}"));
    out.extend(lines[six + 3..].iter().map(|l| l.to_string()));
    out.join("\n").replace("国办公开办函〔2021〕30号", "国办公开办函〔2019〕60号")
}

#[test]
fn a_2019_format_text_imports_in_its_format_with_its_signed_figures() {
    let site = site_without_sample_report();
    site.write("2019.txt", &text_2019("0\t0\t0\t0\t0\t0\t0"));
    let run = site.run(&["import", site.path("2019.txt").to_str().unwrap()]);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(run.success, "{all}");
    assert!(all.contains("2019 年版格式"), "{all}");
    let md = site.read("content/linqu-yeyuan/2024/report.md");
    assert!(md.contains("format = \"2019\""), "a 2024 report in the 2019 format says so:\n{md}");
    let data = site.read("content/linqu-yeyuan/2024/data.toml");
    for row in [
        "licensing = [12, -1, 98]",
        "fees = [1, -1]",
        "procurement = [6, 128.5]",
        "results.other = [0, 0, 0, 0, 0, 0, 0]",
    ] {
        let squashed: String = data.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(squashed.contains(row), "{row} not in:\n{data}");
    }
    let site_model = load(site.root());
    let r = report(&site_model, "linqu-yeyuan", 2024);
    assert_eq!(r.format, portal::format::FormatId::F2019);
    assert!(values(r).contains(&Some(Number::Signed(-1))));
}

#[test]
fn a_2019_format_report_that_breaks_a_rule_is_imported_as_published_and_flagged() {
    let site = site_without_sample_report();
    // （六）其他处理 1 that （七）总计 (6) does not count: R3 broken as published.
    site.write("2019.txt", &text_2019("1\t0\t0\t0\t0\t0\t1"));
    let run = site.run(&["import", site.path("2019.txt").to_str().unwrap()]);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("error[R3]"), "the broken rule is named:\n{all}");
    let data = site.read("content/linqu-yeyuan/2024/data.toml");
    let squashed: String = data.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(squashed.contains("results.other = [1, 0, 0, 0, 0, 0, 1]"), "not fixed:\n{data}");
    let check = site.run(&["check"]);
    assert!(!check.success && check.stderr.contains("error[R3]"), "{}", check.stderr);
}

const FREE_TEXT: &str = "示例县水利局2016年政府信息公开工作年度报告\n\n根据《中华人民共和国政府信息公开条例》规定，现公布本局2016年政府信息公开工作年度报告。\n\n一、概述\n\n2016年，本局认真贯彻《条例》。\n\n二、主动公开政府信息的情况\n\n全年主动公开政府信息58条。\n\n类别\t条数\n工程建设\t40\n其他\t18\n\n三、依申请公开政府信息的情况\n\n全年受理申请2件。\n\n示例县水利局\n2017年3月20日\n";

#[test]
fn a_free_form_report_imports_from_text_and_html_with_its_headings_and_tables() {
    // Text.
    let site = site_without_sample_report();
    site.write("old.txt", FREE_TEXT);
    let run = site.run(&["import", site.path("old.txt").to_str().unwrap(), "--agency", "shuili"]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    let md = site.read("content/shuili/2016/report.md");
    assert!(md.contains("## 一、概述") && md.contains("## 三、依申请公开政府信息的情况"), "{md}");
    assert!(md.contains("| 工程建设 | 40 |"), "{md}");
    assert!(!site.path("content/shuili/2016/data.toml").exists());
    assert!(site.run(&["check"]).success, "{}", site.run(&["check"]).stderr);
    site.build_ok();
    assert!(site.out("2016/shuili/index.html").contains("<a href=\"#part-1\">一、概述</a>"));
    // A saved page of a free-form report.
    let site = site_without_sample_report();
    let html = "<html><head><meta charset=\"utf-8\"><title>示例县水利局2016年政府信息公开工作年度报告</title></head><body><div class=\"nav\">首页</div><div class=\"article\"><h1>示例县水利局2016年政府信息公开工作年度报告</h1><p>现公布本局2016年政府信息公开工作年度报告。</p><p>一、概述</p><p>2016年，本局认真贯彻《条例》。</p><p>二、主动公开政府信息的情况</p><table><tr><td>类别</td><td>条数</td></tr><tr><td>工程建设</td><td>40</td></tr></table><p>三、依申请公开政府信息的情况</p><p>全年受理申请2件。</p><p>示例县水利局</p><p>2017年3月20日</p></div></body></html>";
    site.write("old.html", html);
    let run = site.run(&["import", site.path("old.html").to_str().unwrap(), "--agency", "shuili"]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    let md = site.read("content/shuili/2016/report.md");
    assert!(md.contains("## 一、概述") && md.contains("| 工程建设 | 40 |"), "{md}");
    assert!(!site.path("content/shuili/2016/data.toml").exists());
    assert!(site.run(&["check"]).success, "{}", site.run(&["check"]).stderr);
}

#[test]
fn a_docx_with_merged_header_cells_imports_to_the_sample() {
    let site = site_without_sample_report();
    let parts = sample_parts();
    let mut with_date = parts;
    with_date.push(Part::Para("2025年1月10日".to_owned()));
    fs::write(site.path("报告.docx"), docx(&with_date)).unwrap();
    let run = site.run(&["import", site.path("报告.docx").to_str().unwrap()]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("读到 200 个数字"), "{}", run.stdout);
    assert!(!run.stdout.contains("需要核对"), "{}", run.stdout);
    assert_same_as_sample(site.root(), true);
}

#[test]
fn an_html_page_inside_portal_navigation_imports_to_the_sample() {
    let site = site_without_sample_report();
    let mut parts = sample_parts();
    parts.push(Part::Para("2025年1月10日".to_owned()));
    site.write("page.html", &html_page(&parts, false));
    let run = site.run(&["import", site.path("page.html").to_str().unwrap()]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("读到 200 个数字"), "{}", run.stdout);
    // The signature has no date on this page: it comes from <meta name="PubDate">, and says so.
    assert!(run.stdout.contains("发布日期 2025-01-10 取自网页的 PubDate"), "{}", run.stdout);
    assert_same_as_sample(site.root(), true);
}

#[test]
fn gbk_text_and_gb2312_html_are_converted_and_say_so() {
    // What Windows Notepad (ANSI) and older portals save.
    let text = fs::read_to_string(format!("{REPO}/{FIXTURE}")).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let site = site_without_sample_report();
    site.write_bytes("old/report.txt", &gbk);
    let run = site.run(&["import", site.path("old/report.txt").to_str().unwrap()]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("文件是 GB18030 编码，已转换为 UTF-8 导入"), "{}", run.stdout);
    assert_same_as_sample(site.root(), true);

    let mut parts = sample_parts();
    parts.push(Part::Para("2025年1月10日".to_owned()));
    let page = html_page(&parts, true).replacen(
        "<meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
        1,
    );
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&page);
    assert!(!unmappable);
    let site = site_without_sample_report();
    site.write_bytes("old/report.html", &bytes);
    let run = site.run(&["import", site.path("old/report.html").to_str().unwrap()]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("文件是 GBK 编码"), "{}", run.stdout);
    assert_same_as_sample(site.root(), true);
}

#[test]
fn a_folder_is_imported_file_by_file_with_reasons_for_skips() {
    let site = site_without_sample_report();
    let dir = site.path("old-portal");
    fs::create_dir_all(dir.join("2024")).unwrap();
    fs::copy(Path::new(REPO).join(FIXTURE), dir.join("2024/report.txt")).unwrap();
    fs::write(dir.join("2024/report.pdf"), b"%PDF-1.4").unwrap();
    fs::write(dir.join("index.html"), "<html><body><ul><li>年报</li></ul></body></html>").unwrap();
    fs::write(dir.join("copy.txt"), fs::read(Path::new(REPO).join(FIXTURE)).unwrap()).unwrap();
    let run = site.run(&["import", "--dir", dir.to_str().unwrap()]);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("导入") && run.stdout.contains("report.txt"), "{}", run.stdout);
    assert!(run.stderr.contains("report.pdf：不支持的文件类型：PDF"), "{}", run.stderr);
    assert!(run.stderr.contains("index.html：不是政府信息公开工作年度报告"), "{}", run.stderr);
    assert!(run.stderr.contains("本次已从"), "{}", run.stderr);
    assert!(run.stdout.contains("共 4 个文件：导入 1 个，跳过 3 个"), "{}", run.stdout);
    assert_same_as_sample(site.root(), true);
}

/// Garbage and truncated files of each kind are refused with a message, never a panic.
#[test]
fn garbage_and_truncated_files_never_panic() {
    let fixture = fs::read(Path::new(REPO).join(FIXTURE)).unwrap();
    let good_docx = docx(&sample_parts());
    let good_html = html_page(&sample_parts(), true).into_bytes();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let mut inputs: Vec<(&str, Vec<u8>)> = vec![
        ("a.txt", noise(5000)),
        ("a.docx", noise(5000)),
        ("a.html", noise(5000)),
        ("b.txt", Vec::new()),
        ("b.docx", Vec::new()),
        ("b.html", Vec::new()),
        ("c.txt", "\t\t\t\n一\t二\n\t\t６\t—\n".repeat(50).into_bytes()),
        ("c.html", b"<table><tr><td rowspan=99999 colspan=99999>1</td></tr></table><table><tr><td>".to_vec()),
    ];
    for cut in [10, 100, 1000, 3000] {
        inputs.push(("t.txt", fixture[..cut.min(fixture.len())].to_vec()));
        inputs.push(("t.docx", good_docx[..cut.min(good_docx.len())].to_vec()));
        inputs.push(("t.html", good_html[..cut.min(good_html.len())].to_vec()));
    }
    // A valid zip whose document.xml is cut short.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(b"<w:document><w:body><w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"-3\"/>").unwrap();
    inputs.push(("z.docx", zip.finish().unwrap().into_inner()));
    for (name, bytes) in &inputs {
        let result = std::panic::catch_unwind(|| portal::import::read(Path::new(name), bytes).map(|_| ()));
        assert!(result.is_ok(), "{name} panicked");
    }
    // And through the binary: a message and exit status 1.
    let site = site_without_sample_report();
    for (name, bytes) in inputs.iter().take(3) {
        let path: PathBuf = site.path(name);
        fs::write(&path, bytes).unwrap();
        let run = site.run(&["import", path.to_str().unwrap()]);
        assert!(!run.success);
        assert!(run.stderr.contains("未导入") && !run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

/// Lines of report text that look like markup or Markdown, each ≤ 30 characters so that no reader
/// joins it with the next; with the HTML each must render as (escaped text in its element).
const LOOKALIKES: &[(&str, &str)] = &[
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ("&lt;b&gt;实体&amp;", "<p>&amp;lt;b&amp;gt;实体&amp;amp;</p>"),
    ("`代码` *强调* [链接](http://x.cn)", "<p>`代码` *强调* [链接](http://x.cn)</p>"),
    ("# 不是标题", "<p># 不是标题</p>"),
    ("- 不是列表", "<p>- 不是列表</p>"),
    ("1. 不是列表", "<p>1. 不是列表</p>"),
    ("> 不是引用 {#id}", "<p>&gt; 不是引用 {#id}</p>"),
    ("（九）<i>小标题</i> ##", ">（九）&lt;i&gt;小标题&lt;/i&gt; ##</h3>"),
];

/// Imports `file` (already written into `site`), builds, and checks every lookalike line renders as its text.
fn assert_lookalikes_render_as_text(site: &TempSite, file: &str) {
    let run = site.run(&["import", site.path(file).to_str().unwrap()]);
    assert!(run.success, "{file}: {}\n{}", run.stdout, run.stderr);
    site.build_ok();
    let page = site.out("2024/linqu-yeyuan/index.html");
    let start = page.find("class=\"narrative").unwrap();
    let page = &page[start..page.find("</article>").unwrap()];
    for (line, html) in LOOKALIKES {
        assert!(page.contains(html), "{file}: {line:?} is not rendered as {html:?}");
    }
    for element in ["<script>alert", "<img src=x", "<b>", "<i>", "<code>", "<em>", "<blockquote>", "<ol", "<ul"] {
        assert!(!page.contains(element), "{file}: {element} in the page");
    }
    assert!(page.contains("<h3 id=\"section-1-1\">（九）"), "{file}: the sub-heading keeps its own id");
    // The rest of the report imports as before.
    assert_eq!(
        report(&load(site.root()), "linqu-yeyuan", 2024).title,
        "临朐县冶源街道办事处2024年政府信息公开工作年度报告"
    );
}

/// The sample report's parts with the lookalike lines right after the heading of section 1.
fn parts_with_lookalikes() -> Vec<Part> {
    let mut parts = sample_parts();
    let at = parts.iter().position(|p| matches!(p, Part::Para(t) if t == "一、总体情况")).unwrap() + 1;
    for (i, (line, _)) in LOOKALIKES.iter().enumerate() {
        parts.insert(at + i, Part::Para((*line).to_owned()));
    }
    parts.push(Part::Para("2025年1月10日".to_owned()));
    parts
}

#[test]
fn text_that_looks_like_markup_imports_as_text_from_every_reader() {
    let text = fs::read_to_string(Path::new(REPO).join(FIXTURE)).unwrap();
    let lines: Vec<&str> = LOOKALIKES.iter().map(|(l, _)| *l).collect();
    let text = text.replacen("\n一、总体情况\n", &format!("\n一、总体情况\n{}\n", lines.join("\n")), 1);
    let site = site_without_sample_report();
    site.write("report.txt", &text);
    assert_lookalikes_render_as_text(&site, "report.txt");

    let site = site_without_sample_report();
    site.write_bytes("report.docx", &docx(&parts_with_lookalikes()));
    assert_lookalikes_render_as_text(&site, "report.docx");

    let site = site_without_sample_report();
    site.write("report.html", &html_page(&parts_with_lookalikes(), true));
    assert_lookalikes_render_as_text(&site, "report.html");
}

/// The sample's report of each format: 2021, 2019 and free-form.
const EACH_FORMAT: [(&str, u16); 3] =
    [("linqu-yeyuan", 2024), ("example-education", 2020), ("example-education", 2015)];

/// The sample with one report taken out, for importing it again.
fn site_without(slug: &str, year: u16) -> TempSite {
    let site = TempSite::sample();
    fs::remove_dir_all(site.path(&format!("content/{slug}/{year}"))).unwrap();
    site
}

/// A `report.md`'s text after its front matter, whitespace removed, and an
/// autolink's brackets (`<http://…>`), which a printed or saved report shows
/// as the bare address.
fn body_of(md: &str) -> String {
    squeeze(md.splitn(3, "+++\n").nth(2).unwrap_or_default()).replace(['<', '>'], "")
}

/// Imports `file` (written into `site`) as the sample's report `slug`/`year`
/// and checks it is that report: its format, title, date, signature, every
/// figure and its narrative.
fn assert_imports_as_sample(site: &TempSite, file: &str, slug: &str, year: u16) -> String {
    let run = site.run(&["import", site.path(file).to_str().unwrap(), "--agency", slug]);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(run.success, "{file} ({slug} {year}): {all}");
    assert!(all.contains("检查通过"), "{file} ({slug} {year}): {all}");
    let sample = sample();
    let expected = report(&sample, slug, year);
    let imported = load(site.root());
    let got = report(&imported, slug, year);
    assert_eq!(got.format, expected.format, "{file} ({slug} {year})");
    assert_eq!((&got.title, got.date, &got.signed_by), (&expected.title, expected.date, &expected.signed_by));
    assert_eq!(values(got), values(expected), "{file} ({slug} {year}): figures differ");
    let md = site.read(&format!("content/{slug}/{year}/report.md"));
    let published = fs::read_to_string(Path::new(REPO).join(format!("content/{slug}/{year}/report.md"))).unwrap();
    assert_eq!(body_of(&md), body_of(&published), "{file} ({slug} {year}): narrative differs:\n{md}");
    let data = site.path(&format!("content/{slug}/{year}/data.toml"));
    assert_eq!(data.exists(), expected.format.format().has_tables(), "{file} ({slug} {year}): data.toml");
    all
}

#[test]
fn each_format_imports_from_text_docx_and_a_saved_page() {
    for (slug, year) in EACH_FORMAT {
        let parts = documents::report_parts(slug, year);
        let title = match &parts[0] {
            Part::Para(t) => t.clone(),
            Part::Table(_) => unreachable!("a report starts with its title"),
        };
        let site = site_without(slug, year);
        site.write("report.txt", &documents::text_of_parts(&parts));
        assert_imports_as_sample(&site, "report.txt", slug, year);

        // Each with a line linking the original: listed with where to put it, not written into the text.
        let href = "/xxgk/files/%E5%8E%9F%E4%BB%B6.pdf";
        let folder = Path::new("content").join(slug).join(year.to_string());
        let listed = format!("附件“原件.pdf”（{href}）没有随正文导入：请取得原件放入 {}", folder.display());

        let site = site_without(slug, year);
        site.write_bytes("report.docx", &documents::docx_linking(&parts, Some(("原件.pdf", href))));
        let all = assert_imports_as_sample(&site, "report.docx", slug, year);
        assert!(all.contains(&listed), "{slug} {year}, .docx: {all}");

        let site = site_without(slug, year);
        let after = format!("<p>附件：<a href=\"{href}\">原件.pdf</a></p>");
        site.write("report.html", &documents::page_of(&parts, &title, "2000-01-01 08:00", None, &after));
        let all = assert_imports_as_sample(&site, "report.html", slug, year);
        assert!(all.contains(&listed), "{slug} {year}: {all}");
    }
}

#[test]
fn a_2019_format_docx_and_page_whose_figures_break_a_rule_are_imported_as_published_and_flagged() {
    let mut parts = documents::report_parts("example-education", 2020);
    // （六）其他处理, the 2019 format's single row, one more 自然人 and total than
    // （七）总计 counts: R3 broken as published.
    let other = parts
        .iter_mut()
        .filter_map(|p| if let Part::Table(rows) = p { Some(rows) } else { None })
        .flat_map(|rows| rows.iter_mut())
        .find(|row| row.iter().any(|c| documents::text(c).contains("其他处理")))
        .expect("table 三's row （六）其他处理");
    let label = other.iter().position(|c| documents::text(c).contains("其他处理")).unwrap();
    for at in [label + 1, other.len() - 1] {
        let printed: u64 = documents::text(&other[at]).parse().unwrap();
        other[at] = documents::tc(&(printed + 1).to_string(), 1, 1);
    }
    for (file, bytes) in [
        ("report.docx", docx(&parts)),
        (
            "report.html",
            documents::page_of(&parts, "示例县教育局2020年政府信息公开工作年度报告", "2021-01-20", None, "")
                .into_bytes(),
        ),
    ] {
        let site = site_without("example-education", 2020);
        site.write_bytes(file, &bytes);
        let run = site.run(&["import", site.path(file).to_str().unwrap()]);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("error[R3]"), "{file}: the broken rule is named:\n{all}");
        let model = portal::load::load(site.root()).site.unwrap();
        let got = report(&model, "example-education", 2020);
        let expected = sample();
        let expected = report(&expected, "example-education", 2020);
        let differ: Vec<usize> = values(got)
            .iter()
            .zip(values(expected))
            .enumerate()
            .filter(|(_, (g, e))| **g != *e)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(differ.len(), 2, "{file}: the two cells changed are imported as printed, not fixed");
        assert!(!all.contains("error[R1]") && !all.contains("error[R2]"), "{file}: only R3 is broken:\n{all}");
        assert!(!site.run(&["check"]).success);
    }
}

#[test]
fn a_report_page_portal_built_imports_as_its_report_body() {
    let built = TempSite::sample();
    built.build_ok();
    for (slug, year) in EACH_FORMAT {
        let page = built.out(&format!("{year}/{slug}/index.html"));
        let site = site_without(slug, year);
        site.write("page.html", &page);
        let all = assert_imports_as_sample(&site, "page.html", slug, year);
        // Neither the contents, the header, the navigation nor the notes around the report are its text.
        let md = site.read(&format!("content/{slug}/{year}/report.md"));
        for chrome in ["目录", "跳到正文", "当前位置", "主办单位", "开放数据", "上一年度", "按原报告录入"]
        {
            assert!(!md.contains(chrome), "{slug} {year}: “{chrome}” imported as text:\n{md}");
        }
        assert!(!md.lines().any(|l| l.trim_start_matches('#').trim() == "附件"), "{slug} {year}:\n{md}");
        for attachment in &report(&sample(), slug, year).attachments {
            assert!(all.contains(&format!("附件“{attachment}”")), "{slug} {year}: {attachment} not listed:\n{all}");
        }
    }
}
