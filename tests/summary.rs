//! End-to-end: summary reports (汇总), the compliance overview, trend charts
//! and rankings, on copies of the sample run through the real binary (open
//! data: `tests/opendata.rs`).

mod common;

use std::collections::BTreeMap;

use common::{TempSite, row_cells, text_of};
use serde_json::Value;

/// A report with the six official headings and nothing else to check.
fn minimal_report(name: &str, year: u16, date: &str) -> String {
    format!(
        "+++\ntitle = \"{name}{year}年政府信息公开工作年度报告\"\ndate = {date}\nsigned_by = \"{name}\"\n+++\n\n\
         ## 一、总体情况\n\n汇总说明。\n\n## 二、主动公开政府信息情况\n\n## 三、收到和处理政府信息公开申请情况\n\n\
         ## 四、政府信息公开行政复议、行政诉讼情况\n\n## 五、存在的主要问题及改进情况\n\n无。\n\n## 六、其他需要报告的事项\n\n无。\n"
    )
}

/// Adds a summary agency with a 2024 report (without `data.toml`).
fn add_summary(site: &TempSite, slug: &str, name: &str, level: &str, members: &str) {
    site.write(
        &format!("content/{slug}/agency.toml"),
        &format!("name = \"{name}\"\n\n[summary]\nlevel = \"{level}\"\nmembers = {members}\n"),
    );
    site.write(&format!("content/{slug}/2024/report.md"), &minimal_report(name, 2024, "2025-02-10"));
}

/// Visible text with every tag as a space and runs of whitespace as one.
fn flat(html: &str) -> String {
    let spaced = html.replace('<', " <").replace('>', "> ");
    text_of(&spaced).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json(site: &TempSite, rel: &str) -> Value {
    serde_json::from_str(&site.out(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every number of a report's `data.json`, by (table, block, row, column).
fn cells(data: &Value) -> BTreeMap<(String, usize, usize, usize), f64> {
    let mut out = BTreeMap::new();
    for (table, blocks) in data["tables"].as_object().unwrap() {
        for (b, block) in blocks.as_array().unwrap().iter().enumerate() {
            for (r, row) in block.as_array().unwrap().iter().enumerate() {
                for (c, v) in row.as_array().unwrap().iter().enumerate() {
                    out.insert((table.clone(), b, r, c), v.as_f64().unwrap());
                }
            }
        }
    }
    out
}

const MEMBERS: [&str; 3] = ["linqu-yeyuan", "example-education", "example-town"];

#[test]
fn a_summary_of_three_members_is_their_sum_cell_by_cell() {
    let site = TempSite::sample();
    add_summary(
        &site,
        "all3",
        "示例三合一汇总",
        "county",
        "[\"linqu-yeyuan\", \"example-education\", \"example-town\"]",
    );
    site.build_ok();
    let summary = json(&site, "2024/all3/data.json");
    let summed = cells(&summary);
    let members: Vec<_> = MEMBERS.iter().map(|m| cells(&json(&site, &format!("2024/{m}/data.json")))).collect();
    assert_eq!(summed.len(), 3 + 3 + 1 + 2 + 1 + 25 * 7 + 15);
    for (key, value) in &summed {
        let expected: f64 = members.iter().map(|m| m[key]).sum();
        assert!((value - expected).abs() < 1e-9, "{key:?}: {value} ≠ {expected}");
    }
    // By hand, from the three data.toml files: new applications 6 + 35 + 11, fees 0 + 1.48 + 0,
    // 行政复议 pending 0 + 0 + 1.
    assert_eq!(summary["tables"]["requests"][0][0][6], 52);
    assert_eq!(summary["tables"]["active"][3][0][0], 1.48);
    assert_eq!(summary["tables"]["appeals"][0][0][3], 1);
    // Site order: by weight, then folder name.
    assert_eq!(summary["summary"]["members"], serde_json::json!(MEMBERS));
    assert_eq!(summary["summary"]["computed"], true);
    // The page shows the sums and says what was summed.
    let page = site.out("2024/all3/index.html");
    assert_eq!(row_cells(&page, "一、本年新收政府信息公开申请数量").last().unwrap(), "52");
    let text = text_of(&page);
    assert!(text.contains("计入汇总的成员机构（3 个）"), "{text}");
    assert!(text.contains("由下列成员机构的数据逐项相加得出"));
}

#[test]
fn members_without_a_report_are_named_on_the_summary_page() {
    let site = TempSite::sample();
    // example-education has 2022 to 2024, example-town only 2023 and 2024.
    site.write("content/example-county/2022/report.md", &minimal_report("示例县人民政府", 2022, "2023-02-10"));
    site.build_ok();
    let text = text_of(&site.out("2022/example-county/index.html"));
    assert!(text.contains("计入汇总的成员机构（1 个）：示例县教育局"), "{text}");
    assert!(text.contains("未计入汇总的成员机构（1 个）：示例县示例镇人民政府"), "{text}");
    let data = json(&site, "2022/example-county/data.json");
    assert_eq!(data["summary"]["missing"], serde_json::json!(["example-town"]));
}

/// A hand-written summary equal to its members passes; one planted
/// difference is reported at the cell, with every member's figure.
#[test]
fn a_hand_written_summary_is_compared_with_its_members() {
    let site = TempSite::sample();
    let run = site.run(&["new", "zero-office", "--name", "示例县零号办公室"]);
    assert!(run.success, "{}", run.stderr);
    // A draft of zeros, counted as if published (`--drafts`): a draft is never summed otherwise.
    let run = site.run(&["new", "zero-office", "2024"]);
    assert!(run.success, "{}", run.stderr);
    add_summary(&site, "pair", "示例县两机构汇总", "county", "[\"example-town\", \"zero-office\"]");
    // The members' sum is example-town's figures plus zeros.
    site.write("content/pair/2024/data.toml", &site.read("content/example-town/2024/data.toml"));
    let run = site.run(&["check", "--drafts"]);
    assert!(run.success, "an equal summary passes:\n{}", run.stderr);

    site.edit("content/pair/2024/data.toml", "licensing = 23", "licensing = 25");
    let run = site.run(&["check", "--drafts", "--format", "json"]);
    assert!(!run.success);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<&Value> = report["diagnostics"].as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = found[0];
    assert_eq!(d["code"], "summary");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "content/pair/2024/data.toml");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("表二「行政许可 本年处理决定数量」"), "{message}");
    assert!(message.contains("填写的是 25，成员机构合计为 23"), "{message}");
    let notes: Vec<&str> = d["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(notes.contains(&"各成员机构：示例县零号办公室 0 + 示例镇 23 = 23"), "{notes:?}");
    assert!(notes.contains(&"两者相差 2"), "{notes:?}");

    // A waiver publishes it as it was published, with the note on the page.
    let text = site.read("content/pair/2024/data.toml")
        + "\n[[waivers]]\nrule = \"summary\"\nreason = \"原汇总报告如此公布\"\n";
    site.write("content/pair/2024/data.toml", &text);
    site.build_ok();
}

#[test]
fn summaries_nest_and_cycles_are_refused() {
    let site = TempSite::sample();
    // City over the sample county (itself over its two children) and 冶源街道.
    add_summary(&site, "city", "示例市", "city", "[\"example-county\", \"linqu-yeyuan\"]");
    site.build_ok();
    assert_eq!(json(&site, "2024/example-county/data.json")["tables"]["requests"][0][0][6], 46);
    assert_eq!(json(&site, "2024/city/data.json")["tables"]["requests"][0][0][6], 52);
    let year = flat(&site.out("compliance/2024/index.html"));
    assert!(year.contains("示例市 市级汇总"), "{year}");

    // The county now also counts the city: a cycle, named in order.
    site.edit(
        "content/example-county/agency.toml",
        "members = \"children\"",
        "members = [\"example-education\", \"example-town\", \"city\"]",
    );
    let run = site.run(&["check"]);
    assert!(!run.success);
    assert!(run.stderr.contains("汇总关系成环：示例市 → 示例县人民政府 → 示例市"), "{}", run.stderr);
    assert!(run.stderr.contains("content/city/agency.toml"), "{}", run.stderr);

    // An unknown member and a misspelt members value.
    let site = TempSite::sample();
    add_summary(&site, "city", "示例市", "city", "[\"example-countu\"]");
    let run = site.run(&["check"]);
    assert!(run.stderr.contains("成员机构“example-countu”不存在"), "{}", run.stderr);
    assert!(run.stderr.contains("是否想写 example-county？"), "{}", run.stderr);
    add_summary(&site, "city", "示例市", "city", "\"childs\"");
    let run = site.run(&["check"]);
    assert!(run.stderr.contains("members 写成文字时只能是 \"children\""), "{}", run.stderr);
}

#[test]
fn the_compliance_page_shows_on_time_late_and_missing() {
    let site = TempSite::sample();
    // The county summary is due 20 February; published on the 25th it is late.
    site.edit("content/example-county/2024/report.md", "date = 2025-02-18", "date = 2025-02-25");
    // 冶源街道 a day before its deadline of 31 January.
    site.edit("content/linqu-yeyuan/2024/report.md", "date = 2025-01-10", "date = 2025-01-30");
    let run = site.build_ok();
    assert!(run.stderr.contains("县级汇总的年度报告应在次年（2025年）2月20日前发布"), "{}", run.stderr);
    let html = site.out("compliance/2024/index.html");
    let row = |name: &str| {
        let at = html.find(&format!(">{name}</a></th>")).unwrap_or_else(|| panic!("no row {name}"));
        flat(&html[at..at + html[at..].find("</tr>").unwrap()])
    };
    let county = row("示例县人民政府");
    assert!(county.contains("县级汇总") && county.contains("2025年2月20日"), "{county}");
    assert!(county.contains("逾期 5 天"), "{county}");
    assert!(county.contains("通过，有 1 条提示"), "{county}");
    assert!(html.contains("href=\"#checks-example-county\""));
    assert!(html.contains("id=\"checks-example-county\""));
    let yeyuan = row("临朐县冶源街道办事处");
    assert!(yeyuan.contains("2025年1月31日") && yeyuan.contains("按时发布") && yeyuan.contains("全部通过"), "{yeyuan}");

    // 2022: only 示例县教育局 published; the county summary is missing, and
    // 示例镇 (first report 2023) is not expected yet.
    let text = flat(&site.out("compliance/2022/index.html"));
    let compliance = &text[text.find("2022年度报告公开情况").unwrap()..];
    assert!(compliance.contains("示例县人民政府 县级汇总 2023年2月20日 未发布 未发布"), "{compliance}");
    assert!(!compliance.contains("示例县示例镇人民政府"), "{compliance}");
}

#[test]
fn rankings_are_pre_rendered_orderings() {
    let site = TempSite::sample();
    site.build_ok();
    let html = site.out("rankings/2024/index.html");
    let section = |id: &str| {
        let at = html.find(&format!("id=\"{id}\"")).unwrap();
        flat(&html[at..at + html[at..].find("</section>").unwrap()])
    };
    let received = section("ranking-received");
    let order: Vec<usize> = ["示例县教育局 35", "示例县示例镇人民政府 11", "临朐县冶源街道办事处 6"]
        .iter()
        .map(|s| received.find(s).unwrap_or_else(|| panic!("{s} in {received}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{received}");
    assert!(!received.contains("示例县人民政府 "), "summaries are not ranked: {received}");
    let granted = section("ranking-granted");
    assert!(granted.contains("1 示例县教育局 47.2%（17/36）"), "{granted}");
    assert!(granted.contains("3 临朐县冶源街道办事处 0.0%（0/6）"), "{granted}");
    // Each ordering links to the other.
    assert!(html.contains("href=\"#ranking-granted\"") && html.contains("href=\"#ranking-received\""));
}

/// Every `<svg>…</svg>` of a page.
fn svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg").map(|(i, _)| &html[i..i + html[i..].find("</svg>").unwrap() + 6]).collect()
}

#[test]
fn charts_are_valid_svg_that_carry_their_numbers() {
    use quick_xml::events::Event;
    let site = TempSite::sample();
    site.build_ok();
    let html = site.out("agencies/example-education/index.html");
    let charts = svgs(&html);
    assert_eq!(charts.len(), 3);
    for svg in &charts {
        let mut reader = quick_xml::Reader::from_str(svg);
        let (mut text, mut depth, mut root_attrs) = (String::new(), 0i32, Vec::new());
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    if depth == 0 {
                        root_attrs = e
                            .attributes()
                            .map(|a| {
                                let a = a.unwrap();
                                (
                                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                                    String::from_utf8(a.value.to_vec()).unwrap(),
                                )
                            })
                            .collect();
                    }
                    depth += 1;
                }
                Ok(Event::End(_)) => depth -= 1,
                Ok(Event::Text(t)) => {
                    text.push_str(&t.decode().unwrap());
                    text.push(' ');
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed XML at {}: {e}\n{svg}", reader.buffer_position()),
            }
        }
        assert_eq!(depth, 0, "unbalanced elements");
        let attr = |k: &str| root_attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(attr("role"), Some("img"));
        assert_eq!(attr("xmlns"), Some("http://www.w3.org/2000/svg"));
        assert!(svg.contains("<title id=") && svg.contains("<desc id="));
        // The figures of the table beside the chart are all in the SVG as text.
        let at = html.find(svg).unwrap() + svg.len();
        let table = &html[at..at + html[at..].find("</table>").unwrap()];
        let numbers: std::collections::BTreeSet<&str> =
            text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
        for year in ["2022", "2023", "2024"] {
            let cells = row_cells(table, &format!("{year}年"));
            assert!(!cells.is_empty());
            for cell in cells {
                assert!(numbers.contains(cell.as_str()), "{cell} of {year} not in the SVG text: {text}");
            }
        }
    }
    // 2024 applications of 示例县教育局: 35 new, 26 from natural persons.
    assert!(charts[0].contains("2024年 自然人：28 件"), "{}", charts[0]);
    assert!(charts[0].contains(">35</text>"));
}
