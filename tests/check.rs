//! A corpus of broken sites for `portal check --format json`: each case edits a
//! copy of the sample and names every diagnostic it must produce, by severity,
//! code, file and line, and nothing else. One run reports every failing case.

mod common;

use std::fs;

use common::TempSite;

const Y_DATA: &str = "content/linqu-yeyuan/2024/data.toml";
const Y_MD: &str = "content/linqu-yeyuan/2024/report.md";
const Y_AGENCY: &str = "content/linqu-yeyuan/agency.toml";
const E23_DATA: &str = "content/example-education/2023/data.toml";
const E24_DATA: &str = "content/example-education/2024/data.toml";

/// Which copy of the sample a case starts from.
#[derive(Clone, Copy)]
enum Base {
    /// The one real report (临朐县冶源街道办事处 2024).
    Yeyuan,
    /// Every sample agency and year (needed for cross-year rules).
    Sample,
}

struct Case {
    name: &'static str,
    base: Base,
    edit: fn(&TempSite),
    /// `(severity, code, "file:line")`; the order does not matter.
    expect: &'static [(&'static str, &'static str, &'static str)],
}

const E: &str = "error";
const W: &str = "warning";

/// Appends a `[[waivers]]` entry to the sample's `data.toml`.
fn add_waiver(s: &TempSite, rule: &str, reason: &str) {
    let text = s.read(Y_DATA) + &format!("\n[[waivers]]\nrule = \"{rule}\"\nreason = \"{reason}\"\n");
    s.write(Y_DATA, &text);
}

fn gbk(text: &str) -> Vec<u8> {
    // Enough of GBK for the test: the two characters used, and ASCII.
    let mut out = Vec::new();
    for c in text.chars() {
        match c {
            '行' => out.extend([0xD0, 0xD0]),
            '政' => out.extend([0xD5, 0xFE]),
            c if c.is_ascii() => out.push(c as u8),
            _ => panic!("no GBK code for {c} in this test"),
        }
    }
    out
}

const CASES: &[Case] = &[
    Case { name: "sample is clean", base: Base::Sample, edit: |_| {}, expect: &[] },
    Case {
        name: "R1: new applications do not balance",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [7, 0, 0, 0, 0, 0, 7]"),
        // Both the 自然人 and the 总计 columns; the prose's “6条” now disagrees.
        expect: &[(E, "R1", "data.toml:23"), (E, "R1", "data.toml:23"), (W, "R8", "report.md:21")],
    },
    Case {
        name: "R1: carried forward without a source",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "carried_forward = [0, 0, 0, 0, 0, 0, 0]", "carried_forward = [0, 1, 0, 0, 0, 0, 1]"),
        expect: &[(E, "R1", "data.toml:23"), (E, "R1", "data.toml:23")],
    },
    Case {
        name: "R2: row total differs from its columns",
        base: Base::Yeyuan,
        edit: |s| {
            s.edit(
                Y_DATA,
                "results.granted        = [0, 0, 0, 0, 0, 0, 0]",
                "results.granted        = [0, 0, 0, 0, 0, 0, 1]",
            )
        },
        // The wrong total also breaks （七）总计 = sum of the items in the 总计 column.
        expect: &[(E, "R2", "data.toml:26"), (E, "R3", "data.toml:51")],
    },
    Case {
        name: "R2: omitted row totals are computed, not flagged",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [6, 0, 0, 0, 0, 0]"),
        expect: &[],
    },
    Case {
        name: "R3: （七）总计 is not the sum of the outcomes",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "results.total = [6, 0, 0, 0, 0, 0, 6]", "results.total = [5, 0, 0, 0, 0, 0, 5]"),
        expect: &[
            (E, "R3", "data.toml:51"),
            (E, "R3", "data.toml:51"),
            (E, "R1", "data.toml:23"),
            (E, "R1", "data.toml:23"),
        ],
    },
    Case {
        name: "R3: omitted （七）总计 is computed",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "results.total = [6, 0, 0, 0, 0, 0, 6]", ""),
        expect: &[],
    },
    Case {
        name: "R4: 行政复议 total",
        base: Base::Yeyuan,
        edit: |s| {
            s.edit(Y_DATA, "reconsideration                  = [0, 0, 0, 0, 0]", "reconsideration = [1, 0, 0, 0, 0]")
        },
        expect: &[(E, "R4", "data.toml:57")],
    },
    Case {
        name: "R4: 复议后起诉 total",
        base: Base::Yeyuan,
        edit: |s| {
            s.edit(
                Y_DATA,
                "litigation.after_reconsideration = [0, 0, 0, 0, 0]",
                "litigation.after_reconsideration = [0, 0, 1, 1, 3]",
            )
        },
        expect: &[(E, "R4", "data.toml:59")],
    },
    Case {
        name: "R6: 上年结转 differs from last year's 结转下年度继续办理",
        base: Base::Sample,
        edit: |s| s.edit(E24_DATA, "carried_over = [2, 0, 0, 0, 0, 0, 2]", "carried_over = [1, 1, 0, 0, 0, 0, 2]"),
        // Two columns differ (自然人, 商业企业); both sides of R1 in those columns move too.
        expect: &[
            (E, "R6", "2024/data.toml:24"),
            (E, "R6", "2024/data.toml:24"),
            (E, "R1", "2024/data.toml:23"),
            (E, "R1", "2024/data.toml:23"),
        ],
    },
    Case {
        name: "R6: last year's carry-forward changed",
        base: Base::Sample,
        edit: |s| {
            s.edit(E23_DATA, "carried_forward = [2, 0, 0, 0, 0, 0, 2]", "carried_forward = [3, 0, 0, 0, 0, 0, 3]")
        },
        expect: &[
            (E, "R6", "2024/data.toml:24"),
            (E, "R6", "2024/data.toml:24"),
            (E, "R1", "2023/data.toml:23"),
            (E, "R1", "2023/data.toml:23"),
        ],
    },
    Case {
        name: "R7: documents in force do not follow (warning only)",
        base: Base::Sample,
        edit: |s| s.edit(E24_DATA, "normative_documents = [4, 2, 12]", "normative_documents = [4, 2, 13]"),
        // The prose states 现行有效 12 and now disagrees too.
        expect: &[(W, "R7", "2024/data.toml:9"), (W, "R8", "2024/report.md:23")],
    },
    Case {
        name: "R8: prose figure differs from the table (warning only)",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "收到政府信息依申请6条", "收到政府信息依申请5条"),
        expect: &[(W, "R8", "report.md:21")],
    },
    Case {
        name: "R8: 申请共计27件 is read",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "收到政府信息依申请6条", "收到政府信息公开申请共计27件"),
        expect: &[(W, "R8", "report.md:21")],
    },
    Case {
        name: "a mistyped figure is a figure, not text",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [1x38, 0, 0, 0, 0, 0, 6]"),
        expect: &[(E, "R5", "data.toml:23")],
    },
    Case {
        name: "count given as a string",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "licensing = 0", "licensing = \"0\""),
        expect: &[(E, "R5", "data.toml:11")],
    },
    Case {
        name: "negative count",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "penalty     = 0", "penalty     = -2"),
        expect: &[(E, "R5", "data.toml:13")],
    },
    Case {
        name: "fractional count",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "rules               = [0, 0, 0]", "rules               = [0, 0, 1.5]"),
        expect: &[(E, "R5", "data.toml:8")],
    },
    Case {
        name: "fee with a plausible decimal is accepted",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "fees = 0 ", "fees = 0.25 "),
        expect: &[],
    },
    Case {
        name: "negative fee",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "fees = 0 ", "fees = -0.5 "),
        expect: &[(E, "R5", "data.toml:16")],
    },
    Case {
        name: "fee more precise than the format allows",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "fees = 0 ", "fees = 0.1234567 "),
        expect: &[(E, "R5", "data.toml:16")],
    },
    Case {
        name: "misspelt row key",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "carried_over = ", "carried_ovr = "),
        expect: &[(E, "unknown-key", "data.toml:24"), (E, "missing-row", "data.toml:22")],
    },
    Case {
        name: "misspelt table name",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "[appeals]", "[apeals]"),
        expect: &[(E, "unknown-key", "data.toml:56"), (E, "missing-table", "data.toml:1")],
    },
    Case {
        name: "missing row",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_DATA, "carried_forward = [0, 0, 0, 0, 0, 0, 0]", ""),
        expect: &[(E, "missing-row", "data.toml:22")],
    },
    Case {
        name: "too few cells in a row",
        base: Base::Yeyuan,
        edit: |s| {
            s.edit(Y_DATA, "results.other.other         = [0, 0, 0, 0, 0, 0, 0]", "results.other.other = [0, 0, 0]")
        },
        expect: &[(E, "cells", "data.toml:50")],
    },
    Case {
        name: "truncated data.toml",
        base: Base::Yeyuan,
        edit: |s| {
            let text = s.read(Y_DATA);
            let cut = text.find("[appeals]").unwrap() + "[appeals]\nreconsideration = [0, 0".len();
            s.write(Y_DATA, &text[..cut]);
        },
        expect: &[(E, "toml", "data.toml:57")],
    },
    Case {
        name: "data.toml saved as GBK",
        base: Base::Yeyuan,
        edit: |s| {
            fs::write(s.path(Y_DATA), gbk("# 行政\n[active]\n")).unwrap();
        },
        // At the first byte that is not UTF-8: line 1, after "# ".
        expect: &[(E, "encoding", "data.toml:1")],
    },
    Case {
        name: "report.md saved as UTF-16",
        base: Base::Yeyuan,
        edit: |s| {
            let text = s.read(Y_MD);
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            fs::write(s.path(Y_MD), bytes).unwrap();
        },
        expect: &[(E, "encoding", "report.md")],
    },
    Case {
        name: "UTF-8 BOM and CRLF are accepted silently",
        base: Base::Yeyuan,
        edit: |s| {
            for file in [Y_DATA, Y_MD, Y_AGENCY] {
                let text = format!("\u{feff}{}", s.read(file).replace('\n', "\r\n"));
                s.write(file, &text);
            }
        },
        expect: &[],
    },
    Case {
        name: "report without data.toml",
        base: Base::Yeyuan,
        edit: |s| fs::remove_file(s.path(Y_DATA)).unwrap(),
        expect: &[(E, "missing-file", "content/linqu-yeyuan/2024/data.toml")],
    },
    Case {
        name: "agency without agency.toml",
        base: Base::Yeyuan,
        edit: |s| fs::remove_file(s.path(Y_AGENCY)).unwrap(),
        expect: &[(E, "missing-file", "content/linqu-yeyuan/agency.toml")],
    },
    Case {
        name: "title names another year than the folder",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "办事处2024年政府", "办事处2023年政府"),
        expect: &[(E, "year", "report.md:2")],
    },
    Case {
        name: "publication date that does not exist",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "date = 2025-01-10", "date = 2025-02-30"),
        expect: &[(E, "date", "report.md:3")],
    },
    Case {
        name: "publication date as text",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "date = 2025-01-10", "date = \"2025年1月10日\""),
        expect: &[(E, "date", "report.md:3")],
    },
    Case {
        name: "published outside the following year (warning only)",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "date = 2025-01-10", "date = 2026-01-10"),
        expect: &[(W, "date", "report.md:3")],
    },
    Case {
        name: "unknown section heading",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "## 一、总体情况", "## 一、总体概况"),
        expect: &[(E, "section-title", "report.md:9")],
    },
    Case {
        name: "front matter not closed",
        base: Base::Yeyuan,
        edit: |s| s.edit(Y_MD, "signed_by = \"冶源街道办事处\"\n+++", "signed_by = \"冶源街道办事处\"\n"),
        expect: &[(E, "front-matter", "report.md:1")],
    },
    Case {
        name: "two folders for the same agency",
        base: Base::Yeyuan,
        edit: |s| {
            common::copy_dir(&s.path("content/linqu-yeyuan"), &s.path("content/yeyuan-copy"));
        },
        expect: &[(E, "duplicate", "content/yeyuan-copy/agency.toml")],
    },
    Case {
        name: "waiver turns a published slip into a warning",
        base: Base::Yeyuan,
        edit: |s| {
            s.edit(Y_DATA, "reconsideration                  = [0, 0, 0, 0, 0]", "reconsideration = [1, 0, 0, 0, 0]");
            add_waiver(s, "R4", "原报告如此公布");
        },
        expect: &[(W, "R4", "data.toml:57")],
    },
    Case {
        name: "waiver for a rule that does not exist",
        base: Base::Yeyuan,
        edit: |s| {
            add_waiver(s, "R9", "x");
        },
        expect: &[(E, "waiver", "data.toml:62")],
    },
    Case {
        name: "waiver for R5, which cannot be waived",
        base: Base::Yeyuan,
        edit: |s| add_waiver(s, "R5", "x"),
        expect: &[(E, "waiver", "data.toml:62")],
    },
    Case {
        name: "waiver that excuses nothing",
        base: Base::Yeyuan,
        edit: |s| {
            add_waiver(s, "R1", "x");
        },
        expect: &[(W, "waiver", "data.toml:61")],
    },
    Case {
        name: "unknown key in site.toml",
        base: Base::Yeyuan,
        edit: |s| s.edit("site.toml", "theme = \"default\"", "theme = \"default\"\ntitel = \"x\""),
        expect: &[(E, "unknown-key", "site.toml:6")],
    },
    Case {
        name: "year folder that is not a year",
        base: Base::Yeyuan,
        edit: |s| common::copy_dir(&s.path("content/linqu-yeyuan/2024"), &s.path("content/linqu-yeyuan/2024年")),
        expect: &[(E, "path", "content/linqu-yeyuan/2024年")],
    },
];

/// `(severity, code, place)` of every diagnostic, where place is `file:line`
/// or just the file.
fn found(json: &serde_json::Value) -> Vec<(String, String, String)> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("").to_string();
            let place = match d["line"].as_u64() {
                Some(line) => format!("{file}:{line}"),
                None => file,
            };
            (d["severity"].as_str().unwrap().to_string(), d["code"].as_str().unwrap().to_string(), place)
        })
        .collect()
}

/// Expected places are suffixes of the reported ones, so cases stay readable.
fn matches(expect: &[(&str, &str, &str)], got: &[(String, String, String)]) -> bool {
    let mut left: Vec<_> = got.iter().collect();
    for (severity, code, place) in expect {
        let Some(i) = left.iter().position(|(s, c, p)| s == severity && c == code && p.ends_with(place)) else {
            return false;
        };
        left.remove(i);
    }
    left.is_empty()
}

#[test]
fn corpus_of_broken_sites() {
    assert!(CASES.len() >= 30);
    let mut failures = Vec::new();
    for case in CASES {
        let site = match case.base {
            Base::Yeyuan => TempSite::yeyuan(),
            Base::Sample => TempSite::sample(),
        };
        (case.edit)(&site);
        let run = site.run(&["check", "--format", "json"]);
        let json: serde_json::Value = match serde_json::from_str(&run.stdout) {
            Ok(json) => json,
            Err(e) => {
                failures.push(format!("{}: stdout is not JSON ({e}):\n{}{}", case.name, run.stdout, run.stderr));
                continue;
            }
        };
        let got = found(&json);
        let errors = case.expect.iter().filter(|(s, ..)| *s == E).count();
        let want_code = if errors > 0 { 1 } else { 0 };
        if !matches(case.expect, &got) || run.code != Some(want_code) {
            failures.push(format!(
                "{}:\n  expected {:?} (exit {want_code})\n  got      {:?} (exit {:?})",
                case.name, case.expect, got, run.code
            ));
        }
        // Every message is Chinese for the webmaster, never a Rust debug dump.
        for d in json["diagnostics"].as_array().into_iter().flatten() {
            let message = d["message"].as_str().unwrap_or("");
            if !message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) || message.contains("Error {") {
                failures.push(format!("{}: message not for people: {message}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn a_waived_rule_is_shown_on_the_report_page() {
    let site = TempSite::yeyuan();
    site.edit(Y_DATA, "reconsideration                  = [0, 0, 0, 0, 0]", "reconsideration = [1, 0, 0, 0, 0]");
    add_waiver(&site, "R4", "原报告如此公布");
    site.build_ok();
    let page = site.out("2024/linqu-yeyuan/index.html");
    let start = page.find("<aside class=\"waiver\"").expect("waiver note");
    let end = start + page[start..].find("</aside>").unwrap();
    let note = common::text_of(&page[start..end]);
    assert!(note.contains("规则 R4"), "{note}");
    assert!(note.contains("原报告如此公布"), "{note}");
}

#[test]
fn a_report_without_waivers_has_no_note() {
    let site = TempSite::yeyuan();
    site.build_ok();
    assert!(!site.out("2024/linqu-yeyuan/index.html").contains("class=\"waiver\""));
}

/// R8's message quotes the phrase as written, read again from `report.md`
/// when the message is made (the model keeps where it is, not its text).
#[test]
fn a_prose_warning_quotes_the_phrase() {
    let site = TempSite::yeyuan();
    site.edit(Y_MD, "收到政府信息依申请6条", "收到政府信息依申请5条");
    let run = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "R8")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{}", run.stdout);
    assert!(messages[0].starts_with("总体情况中写的“收到政府信息依申请5条”与表三"), "{}", messages[0]);
}

/// `check`'s diagnostics as (code, message, how many lines the text output takes).
fn messages(site: &TempSite) -> (Vec<(String, String)>, usize) {
    let run = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["message"].as_str().unwrap().to_owned()))
        .collect();
    (found, site.run(&["check"]).stderr.lines().count())
}

#[test]
fn a_mistyped_figure_says_what_a_number_looks_like() {
    let site = TempSite::yeyuan();
    site.edit(Y_DATA, "new          = [6, 0, 0, 0, 0, 0, 6]", "new          = [1x38, 0, 0, 0, 0, 0, 6]");
    let (found, _) = messages(&site);
    assert_eq!(found, [("R5".to_owned(), "表格里的数字写错了：1x38 不是一个数字".to_owned())]);
    let text = site.run(&["check"]).stderr;
    assert!(
        text.contains("数字只能用 0 到 9 书写，例如 138；金额可以带小数点，例如 12.5；不加引号、单位、空格和千分位逗号；没有就写 0"),
        "{text}"
    );
    assert!(!text.contains("双引号"), "{text}");
}

#[test]
fn a_carry_over_says_the_expected_value_once() {
    let site = TempSite::sample();
    site.edit(E23_DATA, "carried_forward = [2, 0, 0, 0, 0, 0, 2]", "carried_forward = [3, 0, 0, 0, 0, 0, 3]");
    let (found, _) = messages(&site);
    let r6: Vec<&str> = found.iter().filter(|(c, _)| c == "R6").map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        r6[0],
        "表三「申请人情况 自然人」列与2023年度报告不衔接：2024年的「二、上年结转政府信息公开申请数量」是 2，\
         应等于2023年的「四、结转下年度继续办理」3；请核对两年的报告，改正写错的一处"
    );
    assert_eq!(r6.len(), 2, "{r6:?}");
}

#[test]
fn one_wrong_cell_in_a_long_sum_is_a_few_lines() {
    let site = TempSite::yeyuan();
    site.edit(
        Y_DATA,
        "results.granted        = [0, 0, 0, 0, 0, 0, 0]",
        "results.granted        = [1, 0, 0, 0, 0, 0, 0]",
    );
    let (found, lines) = messages(&site);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    // The row (R2) and the column (R3) the cell is in, nothing more.
    assert_eq!(codes, ["R2", "R3"]);
    assert_eq!(
        found[1].1,
        "表三「申请人情况 自然人」列不符合勾稽关系（（七）总计等于（一）、（二）与（三）至（六）各项之和）：\
         （七）总计 = 6，但 21 项之和 = （一）予以公开 1 + 1.本机关不掌握相关政府信息 6 = 7（其余 19 项都是 0）"
    );
    // Was 71 lines, one labelled line per cell of the column.
    assert!(lines <= 32, "{lines} lines");
    // Both messages name the one cell they share.
    let text = site.run(&["check"]).stderr;
    let note = "「（一）予以公开」行「自然人」列这一格同时出现在 2 条不成立的勾稽关系中：多半是它写错了";
    assert_eq!(text.matches(note).count(), 2, "{text}");
}
