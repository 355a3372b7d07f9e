//! Reports of several formats on one site: the 2019 format, free-form reports
//! and the 2021 format, end to end through the binary on the sample.

mod common;

use common::{TempSite, text_of};

const FREE: &str = "content/example-education/2015";
const F2019: &str = "content/example-education/2020";
const F2021: &str = "content/example-education/2022";

fn fails_with(site: &TempSite, needles: &[&str]) -> String {
    let run = site.run(&["check"]);
    assert!(!run.success, "check passed:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for n in needles {
        assert!(run.stderr.contains(n), "stderr lacks {n:?}:\n{}", run.stderr);
    }
    run.stderr
}

#[test]
fn a_free_form_report_is_on_every_page_kind() {
    let site = TempSite::sample();
    site.build_ok();
    let page = site.out("2015/example-education/index.html");
    // Its own headings are its contents; no official tables, no 六大板块, no open data.
    assert!(page.contains("<a href=\"#part-1\">一、概述</a>"), "{page}");
    assert!(page.contains("id=\"part-5\""));
    assert!(!page.contains("总体情况") && !page.contains("class=\"stats"), "no official sections or tables");
    assert!(!page.contains("data.csv") && !page.contains("data.json"), "no open-data links");
    assert!(page.contains("自由格式"));
    // Its table is kept as a table; its attachment listed with kind and size, and copied.
    assert!(page.contains("<td>招生入学、学生资助</td><td>64</td>"));
    let pdf = "示例县教育局2015年政府信息公开工作年度报告（示例原件）.pdf";
    assert!(text_of(&page).contains(&format!("{pdf}（PDF 文档，")), "{}", text_of(&page));
    let copied = std::fs::read(site.path(&format!("public/2015/example-education/{pdf}"))).unwrap();
    assert!(copied.starts_with(b"%PDF-"));
    assert!(!site.path("public/2015/example-education/data.json").exists());
    assert!(!site.path("public/2015/example-education/data.csv").exists());
    // Listed like every report.
    for rel in ["2015/index.html", "agencies/example-education/index.html", "index.html"] {
        assert!(site.out(rel).contains("/xxgk/2015/example-education/"), "{rel} does not link the 2015 report");
    }
    assert!(site.out("feed.xml").contains("示例县教育局2015年政府信息公开工作年度报告"));
    assert!(site.out("sitemap.xml").contains("/xxgk/2015/example-education/"));
    // Not in the open data's figures: it has none.
    for rel in ["data/reports.csv", "data/reports-2019.csv", "data/reports.json"] {
        assert!(!site.out(rel).contains("2015"), "{rel} holds the free-form report");
    }
    assert!(!site.path("public/data/2015.csv").exists());
    // Found by the site search: a document of its own, its year among the search's years.
    let meta = site.out("search/meta.json");
    assert!(meta.contains("\"years\":[") && meta.contains(",2015]"), "{meta}");
    let packs = std::fs::read_dir(site.path("public/search/d/2015")).unwrap();
    let found = packs.filter_map(Result::ok).any(|p| {
        let text = common::search_pack(&std::fs::read(p.path()).unwrap());
        text.contains("\n示例县教育局2015年政府信息公开工作年度报告\n")
            && text.contains("2015年，示例县教育局按照县政府的统一部署")
    });
    assert!(found, "no search document holds the free-form report's text");
    // The year's compliance overview: the 2007 regulation's 3月31日, on time, and the note says so.
    let squeezed = |rel: &str| text_of(&site.out(rel)).split_whitespace().collect::<String>();
    let compliance = squeezed("compliance/2015/index.html");
    assert!(compliance.contains("示例县教育局部门、乡镇2016年3月31日2016年3月18日按时发布"), "{compliance}");
    assert!(compliance.contains("国务院令第492号") && !compliance.contains("次年1月31日"), "{compliance}");
    // Nothing to verify in a report without tables: not 全部通过, and the note says why.
    assert!(compliance.contains("按时发布无统计表，不作核验") && !compliance.contains("全部通过"), "{compliance}");
    assert!(compliance.contains("没有统计表，不作数据核验"), "{compliance}");
    let revised = squeezed("compliance/2020/index.html");
    assert!(revised.contains("次年1月31日") && !revised.contains("国务院令第492号"), "{revised}");
    assert!(!revised.contains("不作数据核验"), "{revised}");
}

#[test]
fn a_2019_format_report_is_read_checked_and_shown_in_its_format() {
    let site = TempSite::sample();
    site.build_ok();
    let page = site.out("2020/example-education/index.html");
    for label in ["第二十条第（九）项", "采购总金额", "本年增/减", "（六）其他处理", "国办公开办函〔2019〕60号"]
    {
        assert!(page.contains(label), "the page lacks {label}");
    }
    assert!(text_of(&page).contains("128.5"), "the amount");
    assert!(page.contains(">-1<"), "a change shown with its minus sign");
    assert!(!page.contains("1.申请人无正当理由逾期不补正"), "2021's items of （六） are not 2019's");
    // Open data names it by its format.
    let csv = site.out("data/reports-2019.csv");
    assert!(csv.contains("example-education") && csv.contains("2020"), "{csv}");
    assert!(!site.out("data/reports.csv").contains(",2020,"));
    assert!(site.out("2020/example-education/data.json").contains("国办公开办函〔2019〕60号"));
    // The agency's charts mark the change of format.
    let agency = site.out("agencies/example-education/index.html");
    assert!(agency.contains("class=\"format-change\"") && agency.contains("2020年按2019 年版格式"));
}

#[test]
fn each_rule_of_the_2019_format_fires_on_its_cells() {
    let data = format!("{F2019}/data.toml");
    // R3 with （六）其他处理 as one row: a figure there unbalances （七）总计.
    let site = TempSite::sample();
    site.edit(&data, "results.other = [0, 0, 0, 0, 0, 0, 0]", "results.other = [1, 0, 0, 0, 0, 0, 1]");
    fails_with(&site, &["error[R3]", "（六）其他处理"]);
    // R1 and R2.
    let site = TempSite::sample();
    site.edit(&data, "new          = [10, 1, 0, 0, 0, 0, 11]", "new          = [10, 1, 0, 0, 0, 0, 12]");
    fails_with(&site, &["error[R2]"]);
    let site = TempSite::sample();
    site.edit(&data, "carried_over = [0, 0, 0, 0, 0, 0, 0]", "carried_over = [1, 0, 0, 0, 0, 0, 1]");
    fails_with(&site, &["error[R1]"]);
    // R4.
    let site = TempSite::sample();
    site.edit(&data, "reconsideration                  = [0, 0, 0, 0, 0]", "reconsideration = [1, 0, 0, 0, 0]");
    fails_with(&site, &["error[R4]"]);
    // R5: a count may not be negative; the change may; the amount is in 万元.
    let site = TempSite::sample();
    site.edit(&data, "penalty     = [8, 0, 1]", "penalty     = [-8, 0, 1]");
    fails_with(&site, &["error[R5]", "件数不能为负数"]);
    let site = TempSite::sample();
    site.edit(&data, "procurement = [6, 128.5]", "procurement = [6, -3]");
    fails_with(&site, &["error[R5]", "金额不能为负数"]);
    let site = TempSite::sample();
    site.edit(&data, "procurement = [6, 128.5]", "procurement = [6.5, 128.5]");
    fails_with(&site, &["error[R5]"]);
    // R8: 一、总体情况's figures of the 2019 format's own cells against its tables (warnings).
    for (said, cell) in [
        ("新制作规范性文件2件", "新制作规范性文件3件"),
        ("政府集中采购项目6个", "政府集中采购项目7个"),
        ("采购总金额128.5万元", "采购总金额130万元"),
    ] {
        let site = TempSite::sample();
        site.edit(&format!("{F2019}/report.md"), said, cell);
        let run = site.run(&["check"]);
        assert!(run.success && run.stderr.contains("warning[R8]"), "{cell}: {}", run.stderr);
    }
    // A 2021 row in a 2019 report is an unknown key.
    let site = TempSite::sample();
    site.edit(&data, "results.other = [0, 0, 0, 0, 0, 0, 0]", "results.other.fee_unpaid = [0, 0, 0, 0, 0, 0, 0]");
    fails_with(&site, &["error[unknown-key]"]);
}

#[test]
fn the_2019_formats_cross_year_rules_run_from_2019_to_2020_as_warnings() {
    let site = TempSite::sample();
    let at = "content/example-education/2019";
    site.write(
        &format!("{at}/report.md"),
        &site.read(&format!("{F2019}/report.md")).replace("2020年", "2019年").replace("2021-01-20", "2020-01-20"),
    );
    // 上一年项目数量 (2020) 12 = 2019's 10 + its 本年增/减 2; 对外公开总数量 15 = 2019's 13 + 2.
    let data = site
        .read(&format!("{F2019}/data.toml"))
        .replace("normative_documents = [2, 2, 15]", "normative_documents = [2, 2, 13]")
        .replace("licensing      = [12, -1, 98]", "licensing      = [10, 2, 98]")
        .replace("fees = [1, -1]", "fees = [2, -1]");
    site.write(&format!("{at}/data.toml"), &data);
    let run = site.run(&["check"]);
    assert!(run.success, "{}", run.stderr);
    assert!(!run.stderr.contains("R7"), "{}", run.stderr);
    // A break is a warning, with its computation (a negative change as “− 3”).
    site.write(
        &format!("{at}/data.toml"),
        &data.replace("licensing      = [10, 2, 98]", "licensing      = [16, -3, 98]"),
    );
    let run = site.run(&["check"]);
    assert!(run.success, "R7 is a warning:\n{}", run.stderr);
    assert!(run.stderr.contains("warning[R7]") && run.stderr.contains("16 − 3 = 13"), "{}", run.stderr);
    // Each of the other carry-over rules: 对外公开总数量, 第（六）项's items and 第（八）项's fees.
    for (from, to, label) in [
        ("normative_documents = [2, 2, 13]", "normative_documents = [2, 2, 10]", "对外公开总数量"),
        ("penalty     = [8, 0, 1]", "penalty     = [5, 0, 1]", "行政处罚"),
        ("fees = [2, -1]", "fees = [4, -1]", "行政事业性收费"),
    ] {
        assert!(data.contains(from), "{from}");
        site.write(&format!("{at}/data.toml"), &data.replace(from, to));
        let run = site.run(&["check"]);
        assert!(run.success, "{label}: R7 is a warning:\n{}", run.stderr);
        let r7: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning[R7]")).collect();
        assert!(r7.len() == 1 && r7[0].contains(label), "{label}: {}", run.stderr);
    }
}

#[test]
fn no_cross_year_rule_fires_from_a_free_form_report_to_a_2019_format_one() {
    // A free-form 2019 report (published late, without the tables) before 2020's: no cell to follow.
    let site = TempSite::sample();
    let at = "content/example-education/2019";
    site.write(
        &format!("{at}/report.md"),
        &site
            .read(&format!("{FREE}/report.md"))
            .replace("2015年", "2019年")
            .replace("date = 2016-03-18", "date = 2020-01-18\nformat = \"free\""),
    );
    let run = site.run(&["check"]);
    assert!(run.success, "{}", run.stderr);
    assert!(!run.stderr.contains("R6") && !run.stderr.contains("R7"), "{}", run.stderr);
}

#[test]
fn cross_year_rules_hold_across_the_change_of_format_where_the_cells_exist() {
    // A 2021 report (2021 format) after 2020's (2019 format).
    let site = TempSite::sample();
    let at = "content/example-education/2021";
    site.write(
        &format!("{at}/report.md"),
        &site.read(&format!("{F2021}/report.md")).replace("2022年", "2021年").replace("2023-01-16", "2022-01-16"),
    );
    let data = site.read(&format!("{F2021}/data.toml"));
    // R6: 2021's 二、上年结转 is 2020's 四、结转下年度继续办理 (0): 1 breaks it.
    site.write(&format!("{at}/data.toml"), &data);
    let stderr = fails_with(&site, &["error[R6]", "2020年"]);
    // R7 on 现行有效件数 has no counterpart in 2020: it does not fire from 2020.
    assert!(!stderr.contains("2020年现行有效件数"), "{stderr}");
    let fixed = data
        .replace("new          = [14, 2, 0, 0, 1, 0, 17]", "new          = [15, 2, 0, 0, 1, 0, 18]")
        .replace("carried_over = [1, 0, 0, 0, 0, 0, 1]", "carried_over = [0, 0, 0, 0, 0, 0, 0]");
    site.write(&format!("{at}/data.toml"), &fixed);
    let run = site.run(&["check"]);
    assert!(!run.stderr.contains("R6"), "{}", run.stderr);
    assert!(!run.stderr.contains("2020年现行有效件数"), "{}", run.stderr);
}

#[test]
fn front_matter_names_a_format_and_an_unknown_one_is_refused() {
    let md = format!("{F2019}/report.md");
    // A 2020 report in the 2021 format reads a 2021 data.toml.
    let site = TempSite::sample();
    site.edit(&md, "signed_by = \"示例县教育局\"\n", "signed_by = \"示例县教育局\"\nformat = \"2021\"\n");
    site.write(&format!("{F2019}/data.toml"), &site.read(&format!("{F2021}/data.toml")));
    site.edit(&md, "新制作规范性文件2件，新公开规范性文件2件。", "");
    site.edit(&md, "政府集中采购项目6个，采购总金额128.5万元。", "");
    site.edit(&md, "全年新收政府信息公开申请11件，其中予以公开5件、部分公开1件，", "");
    site.edit(&md, "全年作出行政许可决定98件，", "");
    let run = site.run(&["check"]);
    assert!(run.success, "{}", run.stderr);
    site.build_ok();
    assert!(site.out("2020/example-education/index.html").contains("国办公开办函〔2021〕30号"));
    assert!(site.out("data/reports.csv").contains("example-education"));
    // An unknown key is an error that lists the keys.
    let site = TempSite::sample();
    site.edit(&md, "signed_by = \"示例县教育局\"\n", "signed_by = \"示例县教育局\"\nformat = \"2020\"\n");
    fails_with(&site, &["error[format]", "format = \"2020\" 不是已知的报告格式", "\"2019\"", "\"free\""]);
    let site = TempSite::sample();
    site.edit(&md, "signed_by = \"示例县教育局\"\n", "signed_by = \"示例县教育局\"\nformat = 2019\n");
    fails_with(&site, &["report.md"]);
}

#[test]
fn a_free_form_report_has_no_data_toml_and_is_not_held_to_the_sections() {
    // A data.toml beside a free-form report is refused with what to do.
    let site = TempSite::sample();
    site.write(&format!("{FREE}/data.toml"), "[active]\n");
    fails_with(&site, &["error[format]", "自由格式", "format = \"2019\""]);
    // `format = "free"` makes any year's report free-form.
    let site = TempSite::sample();
    let md = format!("{F2019}/report.md");
    site.edit(&md, "signed_by = \"示例县教育局\"\n", "signed_by = \"示例县教育局\"\nformat = \"free\"\n");
    std::fs::remove_file(site.path(&format!("{F2019}/data.toml"))).unwrap();
    site.edit(&md, "## 一、总体情况", "## 概况");
    site.build_ok();
    let page = site.out("2020/example-education/index.html");
    assert!(page.contains("<a href=\"#part-1\">概况</a>") && !page.contains("class=\"stats"), "{page}");
    assert!(!site.path("public/data/reports-2019.csv").exists(), "no report left in the 2019 format");
    // Its own headings are not the six sections: no section errors, but broken links still are.
    let site = TempSite::sample();
    site.edit(&format!("{FREE}/report.md"), "## 一、概述", "## 概述\n\n[链接](../../2099/nowhere/)");
    fails_with(&site, &["error[link]"]);
}

#[test]
fn a_format_change_in_an_edit_is_checked_as_a_full_run() {
    let site = TempSite::sample();
    site.build_ok();
    let md = format!("{F2019}/report.md");
    site.edit(&md, "signed_by = \"示例县教育局\"\n", "signed_by = \"示例县教育局\"\nformat = \"2021\"\n");
    let (run, restored) = site.run_restoring(&["check"]);
    assert!(!restored, "a change of format is not an edit the state can take");
    assert!(!run.success && run.stderr.contains("[requests]"), "{}", run.stderr);
}
