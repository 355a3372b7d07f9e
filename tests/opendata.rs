//! End-to-end: the open data (docs/opendata.md) on copies of the sample and on
//! generated sites, read back by independent readers: Python's `csv` module
//! and `jsonschema` (installed by `scripts/test-deps`; their absence fails
//! the tests).

mod common;

#[path = "../benches/gen_site.rs"]
mod gen_site;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::{TempSite, row_cells, text_of};
use serde_json::Value;

/// The columns that identify a report, before the figures.
const IDENTITY: [&str; 9] =
    ["agency", "agency_name", "region", "parent", "summary", "year", "format", "published", "url"];

/// Reads every CSV file of `/data/` with Python's `csv` module: each file's
/// header and rows, and the sum of each figure column as Python adds it.
const READ_CSV: &str = r#"
import csv, glob, json, os, sys
def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))
out = {"codebook": read(os.path.join(sys.argv[1], "columns.csv")), "files": {}}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))):
    name = os.path.basename(path)
    if name == "columns.csv":
        continue
    rows = read(path)
    header, body = rows[0], rows[1:]
    first = header.index("url") + 1
    sums = {header[i]: sum(float(r[i]) for r in body if r[i] != "") for i in range(first, len(header))}
    out["files"][name] = {"header": header, "rows": body, "sums": sums}
print(json.dumps(out, ensure_ascii=False))
"#;

fn python_csv(data: &Path) -> Value {
    let out = Command::new("python3").arg("-c").arg(READ_CSV).arg(data).output().expect("python3 is missing");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

/// The figures of a report page's official tables, in the order printed:
/// every data cell (`<td … headers="…">`), empty where the page shows none.
fn page_cells(html: &str) -> Vec<String> {
    html.split("<td")
        .skip(1)
        .filter(|cell| cell[..cell.find('>').unwrap()].contains(" headers=\""))
        .map(|cell| text_of(&format!("<td{}", &cell[..cell.find("</td>").unwrap()])).trim().to_owned())
        .collect()
}

fn number(s: &str) -> Option<f64> {
    (!s.is_empty()).then(|| s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")))
}

/// The sample without its reports of other formats (the 2019-format 2020 and
/// the free-form 2015 report, which `tests/formats.rs` covers): its open data
/// is the 2021 format's alone.
fn sample_2021() -> TempSite {
    let site = TempSite::sample();
    for year in ["2015", "2020"] {
        fs::remove_dir_all(site.path(&format!("content/example-education/{year}"))).unwrap();
    }
    site
}

fn json(site: &TempSite, rel: &str) -> Value {
    serde_json::from_str(&site.out(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every row of every bulk CSV is the report's page, cell by cell; each
/// column sums to the sum over the pages; the year files split the whole; the
/// codebook covers every column, in the files' order, and nothing else.
#[test]
fn the_bulk_csv_read_by_python_sums_to_the_report_pages() {
    let site = sample_2021();
    site.build_ok();
    for file in ["reports.csv", "2024.csv", "columns.csv"] {
        let bytes = fs::read(site.path(&format!("public/data/{file}"))).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{file}: UTF-8 BOM for spreadsheet software");
    }
    let read = python_csv(&site.path("public/data"));
    let files = read["files"].as_object().unwrap();
    let all = &files["reports.csv"];
    let header = strings(&all["header"]);
    assert_eq!(header[..9], IDENTITY);
    let codes = &header[9..];
    assert_eq!(codes.len(), 200, "one column per cell of the 2021 format");

    // One row per report, as reports.json lists them.
    let reports = json(&site, "data/reports.json")["reports"].as_array().unwrap().clone();
    let rows = all["rows"].as_array().unwrap();
    assert_eq!(rows.len(), reports.len());
    assert_eq!(rows.len(), 7);
    let mut summed = vec![0.0; codes.len()];
    for (row, report) in rows.iter().zip(&reports) {
        let row = strings(row);
        let (slug, year) = (&row[0], &row[5]);
        assert_eq!(row[0], report["agency"].as_str().unwrap());
        assert_eq!(row[1], report["agency_name"].as_str().unwrap());
        assert_eq!(row[5], report["year"].to_string());
        assert_eq!(row[6], "国办公开办函〔2021〕30号");
        assert_eq!(row[7], report["published"].as_str().unwrap());
        assert_eq!(row[8], format!("https://www.example.gov.cn/xxgk/{year}/{slug}/"));
        let summary = if report.get("summary").is_some() { report["summary"]["level"].as_str().unwrap() } else { "" };
        assert_eq!(row[4], summary, "{slug}");
        let page = page_cells(&site.out(&format!("{year}/{slug}/index.html")));
        assert_eq!(page.len(), codes.len(), "{slug} {year}");
        for (i, (csv, shown)) in row[9..].iter().zip(&page).enumerate() {
            assert_eq!(number(csv), number(shown), "{slug} {year} {}", codes[i]);
            summed[i] += number(shown).unwrap_or(0.0);
        }
    }
    let sums = all["sums"].as_object().unwrap();
    for (code, total) in codes.iter().zip(&summed) {
        assert!((sums[code].as_f64().unwrap() - total).abs() < 1e-6, "{code}: {} against {total}", sums[code]);
    }
    assert!(summed.iter().sum::<f64>() > 100.0, "the sample has figures to sum");
    // The sample's identifying columns: region, parent and a summary's tier.
    let yeyuan = rows.iter().map(strings).find(|r| r[0] == "linqu-yeyuan").unwrap();
    assert_eq!(yeyuan[2..5], ["山东省潍坊市临朐县", "临朐县人民政府", ""]);
    assert!(rows.iter().map(strings).any(|r| r[0] == "example-county" && r[4] == "county"));

    // The year files split the whole, with the same columns.
    let mut by_year: Vec<Vec<String>> = Vec::new();
    for year in ["2022", "2023", "2024"] {
        let file = &files[&format!("{year}.csv")];
        assert_eq!(strings(&file["header"]), header, "{year}.csv");
        for row in file["rows"].as_array().unwrap() {
            let row = strings(row);
            assert_eq!(row[5], year);
            by_year.push(row);
        }
    }
    assert_eq!(files.len(), 4, "reports.csv and one file per year: {:?}", files.keys());
    let mut whole: Vec<Vec<String>> = rows.iter().map(strings).collect();
    whole.sort();
    by_year.sort();
    assert_eq!(by_year, whole);

    // The codebook: every identifying column (no format), then the format's cells in the files' order.
    let book: Vec<Vec<String>> = read["codebook"].as_array().unwrap().iter().map(strings).collect();
    assert_eq!(
        book[0],
        ["format", "code", "label", "table", "block", "row_key", "row", "column_key", "column", "unit"]
    );
    let identity: Vec<&str> = book[1..].iter().filter(|r| r[0].is_empty()).map(|r| r[1].as_str()).collect();
    assert_eq!(identity, IDENTITY);
    let cells: Vec<&Vec<String>> = book[1..].iter().filter(|r| !r[0].is_empty()).collect();
    assert!(cells.iter().all(|r| r[0] == "国办公开办函〔2021〕30号"));
    assert_eq!(cells.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(), codes);
    for r in &cells {
        assert!(!r[2].is_empty() && !r[3].is_empty() && !r[8].is_empty(), "{r:?}");
        assert!(r[9] == "件" || r[9] == "万元", "{r:?}");
        // A code is the table's key, the row's and the column's.
        let keys: Vec<&str> = [&r[5], &r[7]].into_iter().map(String::as_str).filter(|k| !k.is_empty()).collect();
        assert!(r[1].ends_with(&keys.join(".")), "{r:?}");
    }
    let fees = cells.iter().find(|r| r[1] == "active.fees.amount").unwrap();
    assert_eq!(
        fees[2..],
        [
            "表二 第二十条第（八）项 行政事业性收费 本年收费金额（单位：万元）",
            "表二",
            "第二十条第（八）项",
            "fees",
            "行政事业性收费",
            "amount",
            "本年收费金额（单位：万元）",
            "万元"
        ]
    );
    let secret = cells.iter().find(|r| r[1] == "requests.results.withheld.state_secret.org.business").unwrap();
    assert_eq!(secret[6], "三、本年度办理结果 （三）不予公开 1.属于国家秘密");
    assert_eq!(secret[8], "申请人情况 法人或其他组织 商业企业");
    // 一、本年新收 · 总计 of 冶源 in the bulk file is the cell on its page (the page's own words).
    let page = site.out("2024/linqu-yeyuan/index.html");
    let new_total = codes.iter().position(|c| c == "requests.new.total").unwrap();
    assert_eq!(&yeyuan[9 + new_total], row_cells(&page, "一、本年新收政府信息公开申请数量").last().unwrap());
}

/// A report's `data.csv` is its page's tables: the same figures in the same
/// order, under the page's labels, with what the file is at the top.
#[test]
fn a_reports_data_csv_holds_its_page_tables() {
    let site = TempSite::sample();
    site.build_ok();
    for (year, slug) in [("2024", "linqu-yeyuan"), ("2024", "example-county"), ("2022", "example-education")] {
        let bytes = fs::read(site.path(&format!("public/{year}/{slug}/data.csv"))).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{slug}: UTF-8 BOM");
        let csv = String::from_utf8(bytes).unwrap();
        let page = site.out(&format!("{year}/{slug}/index.html"));
        let title = text_of(&page[page.find("<h1").unwrap()..page.find("</h1>").unwrap()]);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], title.trim(), "{slug}");
        assert_eq!(lines[3], format!("网址,https://www.example.gov.cn/xxgk/{year}/{slug}/"));
        // Every field that is a number, after the head, in order: the page's cells.
        let numbers: Vec<&str> =
            lines[4..].iter().flat_map(|l| l.split(',')).filter(|f| f.parse::<f64>().is_ok()).collect();
        let cells = page_cells(&page);
        assert_eq!(numbers, cells, "{slug} {year}");
        // Each row of the page is a line: its own label last of the labels, then its figures.
        for label in ["规章", "一、本年新收政府信息公开申请数量", "1.属于国家秘密", "（七）总计"]
        {
            let shown = row_cells(&page, label);
            let found = lines.iter().map(|l| l.split(',').collect::<Vec<_>>()).any(|fields| {
                let (labels, figures) = fields.split_at(fields.len().saturating_sub(shown.len()));
                figures == shown && labels.iter().rev().find(|f| !f.is_empty()) == Some(&label)
            });
            assert!(found, "{slug}: {label} {shown:?}");
        }
        for heading in [
            "二、主动公开政府信息情况",
            "第二十条第（八）项",
            "三、收到和处理政府信息公开申请情况",
            "行政复议,,,,,行政诉讼",
        ] {
            assert!(lines.contains(&heading), "{slug}: {heading}");
        }
    }
}

const VALIDATE: &str = r##"
import json, sys, glob
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1] + "/data/schema.json"))
Draft202012Validator.check_schema(schema)
Draft202012Validator(schema).validate(json.load(open(sys.argv[1] + "/data/reports.json")))
report = {"$schema": schema["$schema"], "$ref": "#/$defs/report", "$defs": schema["$defs"]}
n = 0
for path in glob.glob(sys.argv[1] + "/*/*/data.json"):
    Draft202012Validator(report).validate(json.load(open(path)))
    n += 1
print(n)
"##;

fn validate(site: &TempSite) -> std::process::Output {
    Command::new("python3").arg("-c").arg(VALIDATE).arg(site.path("public")).output().unwrap()
}

/// Every JSON file validates against the schema (itself a valid schema),
/// and a wrong value does not.
#[test]
fn every_json_file_follows_the_schema() {
    let site = sample_2021();
    site.build_ok();
    let probe = Command::new("python3").args(["-c", "import jsonschema"]).output();
    assert!(probe.is_ok_and(|o| o.status.success()), "python3 jsonschema is missing: run scripts/test-deps");
    let out = validate(&site);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "7");
    assert_eq!(json(&site, "data/reports.json")["formats"], serde_json::json!(["国办公开办函〔2021〕30号"]));
    // The schema says where each position is in the bulk CSV.
    let schema = json(&site, "data/schema.json");
    let row = &schema["$defs"]["report-2021"]["properties"]["tables"]["properties"]["requests"]["prefixItems"][0]["prefixItems"]
        [0];
    assert_eq!(row["title"], "一、本年新收政府信息公开申请数量");
    assert_eq!(row["x-key"], "new");
    assert_eq!(row["prefixItems"][6]["x-code"], "requests.new.total");
    assert_eq!(row["prefixItems"][0]["title"], "申请人情况 自然人");
    for (what, change) in [
        ("a negative count", ("requests", -1.0)),
        ("a fraction of a count", ("requests", 0.5)),
        ("a negative amount", ("active", -1.0)),
    ] {
        let mut data = json(&site, "2024/linqu-yeyuan/data.json");
        let cell = match change.0 {
            "requests" => &mut data["tables"]["requests"][0][0][0],
            _ => &mut data["tables"]["active"][3][0][0],
        };
        *cell = Value::from(change.1);
        site.write("public/2024/linqu-yeyuan/data.json", &data.to_string());
        assert!(!validate(&site).status.success(), "{what} must not validate");
    }
    let mut data = json(&site, "2024/linqu-yeyuan/data.json");
    data["tables"]["requests"][0].as_array_mut().unwrap().pop();
    site.write("public/2024/linqu-yeyuan/data.json", &data.to_string());
    assert!(!validate(&site).status.success(), "a missing row must not validate");
}

/// The `/data/` page lists and links every file of the folder, and shows the licence.
#[test]
fn the_data_page_lists_every_file() {
    let site = sample_2021();
    site.build_ok();
    let page = site.out("data/index.html");
    let files: BTreeSet<String> = fs::read_dir(site.path("public/data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "index.html")
        .collect();
    assert_eq!(files.len(), 7, "{files:?}");
    for file in &files {
        assert!(page.contains(&format!("href=\"/xxgk/data/{file}\"")), "{file}");
    }
    assert!(text_of(&page).contains("使用时请注明来源"));
    // The year page links its year's file.
    assert!(site.out("2024/index.html").contains("href=\"/xxgk/data/2024.csv\""));
}

/// Bytes of the output and of its open data.
fn sizes(out: &Path) -> (u64, u64, Vec<u64>) {
    let (mut all, mut open, mut per_report) = (0, 0, Vec::new());
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut report = 0;
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
                continue;
            }
            let len = entry.metadata().unwrap().len();
            let name = entry.file_name().to_string_lossy().into_owned();
            all += len;
            let beside_page = name == "data.json" || name == "data.csv";
            if beside_page {
                report += len;
            }
            if beside_page || (dir.ends_with("data") && name != "index.html") {
                open += len;
            }
        }
        if report > 0 {
            per_report.push(report);
        }
    }
    (all, open, per_report)
}

/// The output and its open data, projected to 10,000 reports from the growth
/// between two generated sites, stay under issue 22's targets (450 MB, of
/// which 60 MB open data), and no report's own files pass 4 KB.
#[test]
fn open_data_per_report_stays_under_the_targets() {
    let measure = |reports: usize| {
        let dir = tempfile::tempdir().unwrap();
        let (site, out) = (dir.path().join("site"), dir.path().join("out"));
        gen_site::generate(&site, reports);
        let run = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["build", "--root", site.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        sizes(&out)
    };
    let (small, large) = (100, 200);
    let (all_a, open_a, per_a) = measure(small);
    let (all_b, open_b, per_b) = measure(large);
    // Free-form reports (14 of an agency's 20 years) have no data files.
    assert_eq!((per_a.len(), per_b.len()), (small / 20 * 6, large / 20 * 6));
    let largest = per_a.iter().chain(&per_b).max().unwrap();
    assert!(*largest <= 4096, "a report's data.json and data.csv: {largest} bytes");
    let project = |a: u64, b: u64| {
        let per = (b - a) as f64 / (large - small) as f64;
        b as f64 + per * (10_000 - large) as f64
    };
    let (all, open) = (project(all_a, all_b), project(open_a, open_b));
    assert!(open <= 60e6, "open data at 10,000 reports: {:.1} MB", open / 1e6);
    assert!(all <= 450e6, "output at 10,000 reports: {:.1} MB", all / 1e6);
    // What grows is per report: the bulk files' fixed part is small.
    let per_report = (open_b - open_a) as f64 / (large - small) as f64;
    assert!(per_report <= 6000.0, "open data per report: {per_report:.0} bytes");
}
