//! The formats as data, held to their notices and to what every stage assumes
//! of a format: each test runs over every format unless it names one.

use std::collections::{BTreeMap, BTreeSet};

use super::lines::CrossYearLine;
use super::*;

/// Every format.
fn formats() -> impl Iterator<Item = &'static Format> {
    FormatId::ALL.into_iter().map(FormatId::format)
}

fn block_of(format: &Format, table: &str, block: usize) -> &'static Block {
    let t = format.table_ix(table).unwrap_or_else(|| panic!("{}: no table {table}", format.key()));
    format.table_at(t).blocks.get(block).unwrap_or_else(|| panic!("{}: {table} has no block {block}", format.key()))
}

/// The operands of a rule's other axis: rows when it runs down each column.
fn operands(block: &Block, axis: Axis) -> &'static [Leaf] {
    match axis {
        Axis::EachColumn => block.row_leaves(),
        Axis::EachRow => block.column_leaves(),
    }
}

/// Every cell of every block, with its place and keys.
fn cells(format: &'static Format) -> Vec<(CellAt, CellKey<'static>)> {
    let mut out = Vec::new();
    for (t, table) in format.tables_ix() {
        for (b, block) in table.blocks.iter().enumerate() {
            for r in 0..block.row_leaves().len() {
                for c in 0..block.column_leaves().len() {
                    let at = CellAt::new(t, b, (r, c));
                    out.push((at, format.cell_key(at).unwrap()));
                }
            }
        }
    }
    out
}

fn labels(leaves: &[Leaf]) -> Vec<&'static str> {
    leaves.iter().map(Leaf::own_label).collect()
}

#[test]
fn requests_table_has_the_official_shape() {
    let b = block_of(&FORMAT_2021, "requests", 0);
    assert_eq!(b.column_leaves().len(), 7);
    assert_eq!(b.row_leaves().len(), 25);
    assert_eq!(depth(b.columns), 3);
    assert_eq!(depth(b.rows), 3);
    assert_eq!(b.column_leaves()[1].key, "org.business");
    assert_eq!(b.row_leaves()[4].key, "results.withheld.state_secret");

    // 2019: the same columns; （六）其他处理 one row instead of three.
    let old = block_of(&FORMAT_2019, "requests", 0);
    assert_eq!(old.column_leaves().len(), 7);
    assert_eq!(old.row_leaves().len(), 23);
    assert_eq!(labels(old.column_leaves()), labels(b.column_leaves()));
    assert_eq!(old.corner, b.corner);
    let other = old.row_leaves().iter().find(|l| l.key == "results.other").unwrap();
    assert_eq!(other.labels, ["三、本年度办理结果", "（六）其他处理"]);
    assert!(old.row_leaves().iter().all(|l| !l.key.starts_with("results.other.")));
}

#[test]
fn active_table_2019_has_the_notices_blocks() {
    let t = FORMAT_2019.table("active").unwrap();
    let shape: Vec<(&str, Vec<&str>, Vec<&str>)> =
        t.blocks.iter().map(|b| (b.caption.unwrap(), labels(b.row_leaves()), labels(b.column_leaves()))).collect();
    let items = vec!["上一年项目数量", "本年增/减", "处理决定数量"];
    assert_eq!(
        shape,
        [
            (
                "第二十条第（一）项",
                vec!["规章", "规范性文件"],
                vec!["本年新制作数量", "本年新公开数量", "对外公开总数量"]
            ),
            ("第二十条第（五）项", vec!["行政许可", "其他对外管理服务事项"], items.clone()),
            ("第二十条第（六）项", vec!["行政处罚", "行政强制"], items),
            ("第二十条第（八）项", vec!["行政事业性收费"], vec!["上一年项目数量", "本年增/减"]),
            ("第二十条第（九）项", vec!["政府集中采购"], vec!["采购项目数量", "采购总金额"]),
        ]
    );
    assert!(t.blocks.iter().all(|b| b.corner == Some("信息内容")));
    // 本年增/减 is signed wherever it is; 采购总金额 an amount; everything else a count.
    for block in t.blocks {
        for (r, row) in block.row_leaves().iter().enumerate() {
            for (c, col) in block.column_leaves().iter().enumerate() {
                let expected = match col.own_label() {
                    "本年增/减" => Unit::SignedCount,
                    "采购总金额" => Unit::Amount,
                    _ => Unit::Count,
                };
                assert_eq!(block.unit_at((r, c)), expected, "{} {}", row.label(), col.label());
            }
        }
    }
}

#[test]
fn appeals_entries_are_the_three_column_groups() {
    for format in [&FORMAT_2021, &FORMAT_2019] {
        let b = block_of(format, "appeals", 0);
        let keys: Vec<_> = b.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["reconsideration", "litigation.direct", "litigation.after_reconsideration"]);
        assert!(b.entries().iter().all(|e| e.cells.len() == 5));
    }
}

/// The labels in the order the notice prints them: each section's title, then
/// its table's blocks, each caption, corner, column headers row by row (a
/// header tree's levels, breadth first) and row headers top to bottom.
fn printed(format: &Format) -> String {
    fn breadth_first(headers: &[Header], out: &mut String) {
        let mut level: Vec<&Header> = headers.iter().collect();
        while !level.is_empty() {
            out.extend(level.iter().map(|h| h.label));
            level = level.iter().flat_map(|h| h.children).collect();
        }
    }
    fn depth_first(headers: &[Header], out: &mut String) {
        for h in headers {
            out.push_str(h.label);
            depth_first(h.children, out);
        }
    }
    let mut out = String::new();
    for section in format.sections {
        out.push_str(section.title);
        for table in format.tables.iter().filter(|t| Some(t.key) == section.table) {
            for block in table.blocks {
                out.extend(block.caption);
                out.extend(block.corner);
                breadth_first(block.columns, &mut out);
                depth_first(block.rows, &mut out);
            }
        }
    }
    out
}

/// The template of a notice copied into `tests/fixtures/`: its attachment,
/// without whitespace (the copies break labels across lines) and without the
/// placeholders of the prose sections (`（文字描述…）`).
fn template(file: &str) -> String {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let text: String = text.split_once("附件：").unwrap().1.chars().filter(|c| !c.is_whitespace()).collect();
    let mut text = text.strip_prefix("政府信息公开工作年度报告格式模板").unwrap().to_owned();
    while let Some(at) = text.find("（文字描述") {
        let end = at + text[at..].find('）').unwrap() + '）'.len_utf8();
        text.replace_range(at..end, "");
    }
    text
}

#[test]
fn every_label_is_the_notices_in_its_order() {
    for (format, file) in [(&FORMAT_2021, "official-notice-2021.txt"), (&FORMAT_2019, "official-notice-2019.txt")] {
        let (ours, theirs) = (printed(format), template(file));
        let same = ours.chars().zip(theirs.chars()).take_while(|(a, b)| a == b).count();
        assert_eq!(ours, theirs, "{}: differs after “{}”", format.key(), ours.chars().take(same).collect::<String>());
    }
}

#[test]
fn every_rule_operand_selects_something() {
    for format in formats() {
        for rule in format.rules {
            let leaves = operands(block_of(format, rule.table, rule.block), rule.axis);
            for op in rule.lhs.iter().chain(rule.rhs) {
                assert!(!select(leaves, op).is_empty(), "{}: {} operand {op} selects nothing", format.key(), rule.id);
            }
        }
    }
}

#[test]
fn every_cross_year_and_prose_cell_exists() {
    for format in formats() {
        for rule in format.cross_year {
            let leaves = operands(block_of(format, rule.table, rule.block), rule.axis);
            let ops = [rule.this, rule.previous].into_iter().chain(rule.plus_previous.iter().copied());
            for op in ops.chain(rule.plus.iter().copied()).chain(rule.minus.iter().copied()) {
                assert_eq!(select(leaves, op).len(), 1, "{}: {} operand {op}", format.key(), rule.id);
            }
        }
        for p in format.prose {
            let block = block_of(format, p.table, p.block);
            assert_eq!(select(block.row_leaves(), p.row).len(), 1, "{}: {}", format.key(), p.row);
            assert_eq!(select(block.column_leaves(), p.column).len(), 1, "{}: {}", format.key(), p.column);
            assert!(format.prose_cell(p).is_some());
        }
    }
}

/// The units of the cells a measure selects.
fn measure_units(format: &Format, m: &Measure) -> BTreeSet<(u8, &'static str)> {
    let block = block_of(format, m.table, m.block);
    let rows: Vec<usize> = m.rows.iter().flat_map(|op| select(block.row_leaves(), op)).collect();
    let cols: Vec<usize> = m.columns.iter().flat_map(|op| select(block.column_leaves(), op)).collect();
    rows.iter().flat_map(|&r| cols.iter().map(move |&c| unit_name(block.unit_at((r, c))))).collect()
}

fn unit_name(unit: Unit) -> (u8, &'static str) {
    match unit {
        Unit::Count => (0, "count"),
        Unit::SignedCount => (1, "signed"),
        Unit::Amount => (2, "amount"),
    }
}

#[test]
fn every_chart_and_ranking_measure_selects_cells_of_one_size_unit() {
    for format in formats() {
        let measures = format
            .charts
            .iter()
            .flat_map(|c| c.series)
            .chain(format.rankings.iter().flat_map(|r| std::iter::once(&r.measure).chain(&r.per)));
        for m in measures {
            let block = block_of(format, m.table, m.block);
            for op in m.rows {
                assert!(!select(block.row_leaves(), op).is_empty(), "{}: {}: row {op}", format.key(), m.label);
            }
            for op in m.columns {
                assert!(!select(block.column_leaves(), op).is_empty(), "{}: {}: column {op}", format.key(), m.label);
            }
            // Charts and rankings draw sizes: one unit, and never a change (`Number::raw`).
            let units = measure_units(format, m);
            assert_eq!(units.len(), 1, "{}: {} mixes units", format.key(), m.label);
            assert!(!units.contains(&unit_name(Unit::SignedCount)), "{}: {} draws a change", format.key(), m.label);
        }
    }
}

#[test]
fn rules_add_cells_of_one_unit_and_balance_no_change() {
    for format in formats() {
        for rule in format.rules {
            let block = block_of(format, rule.table, rule.block);
            for line in rule_lines(rule, block) {
                let units: BTreeSet<_> =
                    line.lhs.iter().chain(&line.rhs).map(|&c| unit_name(block.unit_at(c))).collect();
                assert_eq!(units.len(), 1, "{}: {} line {} mixes units", format.key(), rule.id, line.along);
                // `portal new` balances the sum rules with sizes (`Number::raw`).
                assert!(!units.contains(&unit_name(Unit::SignedCount)), "{}: {}", format.key(), rule.id);
            }
        }
        for rule in format.cross_year {
            let block = block_of(format, rule.table, rule.block);
            for line in CrossYearLine::all(rule, block) {
                // What a rule predicts and what it starts from are the same kind of figure.
                assert_eq!(block.unit_at(line.this), block.unit_at(line.previous), "{}: {}", format.key(), rule.id);
            }
        }
    }
}

#[test]
fn a_cell_names_its_unit_on_one_axis_at_most() {
    for format in formats() {
        for table in format.tables {
            for block in table.blocks {
                for row in block.row_leaves() {
                    for col in block.column_leaves() {
                        assert!(row.unit.is_none() || col.unit.is_none(), "{}: {} {}", format.key(), row.key, col.key);
                    }
                }
            }
        }
    }
}

#[test]
fn cell_keys_name_one_cell_and_entry_keys_one_entry() {
    for format in formats() {
        let all = cells(format);
        let keys: BTreeSet<CellKey<'_>> = all.iter().map(|(_, k)| *k).collect();
        assert_eq!(keys.len(), all.len(), "{}: two cells share a key", format.key());
        for (at, key) in &all {
            assert_eq!(format.cell(*key), Some(*at));
            assert_eq!(format.counterpart(*at, format), Some(*at));
        }
        for table in format.tables {
            let entries: Vec<&str> = table.blocks.iter().flat_map(|b| b.entries()).map(|e| e.key.as_str()).collect();
            let unique: BTreeSet<&str> = entries.iter().copied().collect();
            assert_eq!(unique.len(), entries.len(), "{}: [{}] repeats a key", format.key(), table.key);
        }
    }
}

#[test]
fn counterparts_across_2019_and_2021_are_the_cells_that_mean_the_same() {
    // 2019's cells without a 2021 counterpart: table 二 but for the 处理决定数量
    // of 行政许可, 行政处罚 and 行政强制, and table 三's single （六） row.
    let mut unmatched: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for (at, key) in cells(&FORMAT_2019) {
        match FORMAT_2019.counterpart(at, &FORMAT_2021) {
            None => unmatched.entry((key.table, key.row)).or_default().push(key.column),
            Some(there) => {
                assert_eq!(FORMAT_2021.cell_key(there), Some(key));
                assert_eq!(FORMAT_2019.unit_at(at), FORMAT_2021.unit_at(there), "{key:?}");
                assert_eq!(FORMAT_2021.counterpart(there, &FORMAT_2019), Some(at));
            }
        }
    }
    let counted = ["previous_items", "change"];
    let expected: BTreeMap<(&str, &str), Vec<&str>> = [
        (("active", "rules"), vec!["made", "published", "published_total"]),
        (("active", "normative_documents"), vec!["made", "published", "published_total"]),
        (("active", "licensing"), counted.to_vec()),
        (("active", "other_services"), vec!["previous_items", "change", "decisions"]),
        (("active", "penalty"), counted.to_vec()),
        (("active", "enforcement"), counted.to_vec()),
        (("active", "fees"), counted.to_vec()),
        (("active", "procurement"), vec!["projects", "amount"]),
        (
            ("requests", "results.other"),
            vec![
                "natural",
                "org.business",
                "org.research",
                "org.public_welfare",
                "org.legal_services",
                "org.other",
                "total",
            ],
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(unmatched, expected);
    // Free-form reports have no cells to match.
    assert!(cells(&FORMAT_2019).iter().all(|&(at, _)| FORMAT_2019.counterpart(at, &FORMAT_FREE).is_none()));
}

#[test]
fn cross_year_rules_hold_across_formats_where_their_cells_exist() {
    let rule = |format: &'static Format, id: RuleId, table: &'static str| {
        format.cross_year.iter().filter(move |r| r.id == id && r.table == table)
    };
    // Within one format, the lines are the rule's own.
    for format in formats() {
        for r in format.cross_year {
            let block = block_of(format, r.table, r.block);
            let t = format.table_ix(r.table).unwrap();
            let at = |c| CellAt::new(t, r.block, c);
            let same: Vec<CrossFormatLine> = CrossYearLine::all(r, block)
                .into_iter()
                .map(|l| CrossFormatLine {
                    along: l.along,
                    this: at(l.this),
                    plus: l.plus.into_iter().map(at).collect(),
                    minus: l.minus.into_iter().map(at).collect(),
                    previous: at(l.previous),
                    plus_previous: l.plus_previous.into_iter().map(at).collect(),
                })
                .collect();
            assert!(!same.is_empty());
            assert_eq!(CrossFormatLine::all(format, r, format), same, "{}: {}", format.key(), r.id);
        }
    }
    // 2020 → 2021: R6 in every column, from 2020's 四、结转下年度继续办理.
    let r6 = rule(&FORMAT_2021, RuleId::R6, "requests").next().unwrap();
    let lines = CrossFormatLine::all(&FORMAT_2021, r6, &FORMAT_2019);
    assert_eq!(lines.len(), 7);
    for line in &lines {
        let key = FORMAT_2019.cell_key(line.previous).unwrap();
        assert_eq!(key.row, "carried_forward");
        assert_eq!(FORMAT_2021.cell_key(line.this).unwrap().column, key.column);
    }
    // R7 of either format has no counterpart in the other: it does not fire.
    for (now, before) in [(&FORMAT_2021, &FORMAT_2019), (&FORMAT_2019, &FORMAT_2021)] {
        for r in rule(now, RuleId::R7, "active") {
            assert_eq!(CrossFormatLine::all(now, r, before), [], "{} after {}", now.key(), before.key());
        }
        for r in now.cross_year {
            assert_eq!(CrossFormatLine::all(now, r, &FORMAT_FREE), [], "{} after free-form", now.key());
        }
    }
}

#[test]
fn the_2019_rules_carry_items_with_last_years_change() {
    let items: Vec<_> = FORMAT_2019.cross_year.iter().filter(|r| !r.plus_previous.is_empty()).collect();
    assert_eq!(items.iter().map(|r| r.block).collect::<Vec<_>>(), [1, 2, 3]);
    for r in &items {
        let block = block_of(&FORMAT_2019, r.table, r.block);
        for line in CrossYearLine::all(r, block) {
            assert_eq!(block.unit_at(line.plus_previous[0]), Unit::SignedCount);
        }
    }
    // Every rule the notice leaves open is a warning; R6 is the notice's own.
    for r in FORMAT_2019.cross_year {
        assert_eq!(r.warning_only, r.id != RuleId::R6, "{}", r.statement);
    }
}

#[test]
fn wildcard_selects_only_descendants() {
    let rows = block_of(&FORMAT_2021, "requests", 0).row_leaves();
    assert_eq!(select(rows, "results.withheld.*").len(), 8);
    assert_eq!(select(rows, "results.*").len(), 22);
    let rows = block_of(&FORMAT_2019, "requests", 0).row_leaves();
    assert_eq!(select(rows, "results.other.*"), [] as [usize; 0]);
    assert_eq!(select(rows, "results.other").len(), 1);
    assert_eq!(select(rows, "results.*").len(), 20);
}

#[test]
fn section_titles_match_both_forms() {
    for format in [&FORMAT_2021, &FORMAT_2019] {
        assert_eq!(format.section_by_title("二、行政机关主动公开政府信息情况").unwrap().number, 2);
        assert_eq!(
            format.section_by_title("四、因政府信息公开工作被申请行政复议、提起行政诉讼 情况").unwrap().number,
            4
        );
        assert!(format.section_by_title("七、其他").is_none());
        let numbers: Vec<u8> = format.sections.iter().map(|s| s.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    }
}

#[test]
fn the_2021_format_is_what_it_was() {
    // Moving the shared parts out must not change a thing the 2021 sites show.
    let f = &FORMAT_2021;
    assert_eq!(f.rules.len(), 6);
    assert_eq!(f.cross_year.len(), 2);
    assert_eq!(f.prose.len(), 14);
    let ids: Vec<&str> = f.charts.iter().map(|c| c.id).collect();
    assert_eq!(ids, ["chart-applicants", "chart-results", "chart-appeals"]);
    assert_eq!(f.charts[1].series[5].rows, ["results.other.*"]);
    let units: Vec<Unit> = f.tables[0].blocks.iter().map(|b| b.default_unit).collect();
    assert_eq!(units, [Unit::Count, Unit::Count, Unit::Count, Unit::Amount]);
    assert!(cells(f).iter().all(|&(at, _)| {
        let block = &f.table_at(at.table).blocks[at.block];
        block.unit_at((at.row, at.col)) == block.default_unit
    }));
}

/// docs/data-format.md documents every key a `data.toml` may contain, in
/// every format.
#[test]
fn every_entry_key_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data-format.md")).unwrap();
    for format in formats() {
        // Each format's keys are listed under its own heading.
        let heading = format!("<a id=\"format-{}\"></a>", format.key());
        let at = doc.find(&heading).unwrap_or_else(|| panic!("no section {heading}"));
        let rest = &doc[at + heading.len()..];
        let section = &rest[..rest.find("<a id=\"format-").unwrap_or(rest.len())];
        for table in format.tables {
            assert!(section.contains(&format!("`[{}]`", table.key)), "{}: [{}] undocumented", format.key(), table.key);
            for block in table.blocks {
                for entry in block.entries() {
                    let row = format!("| `{}` |", entry.key);
                    // A key whose entry is the 2021 format's, labels and cells alike, is documented once, there.
                    let shared = || {
                        let theirs = FORMAT_2021.table(table.key).into_iter().flat_map(|t| t.blocks);
                        let same = |b: &Block| {
                            let cols = |b: &Block, e: &Entry| -> Vec<String> {
                                e.cells.iter().map(|&(_, c)| b.column_leaves()[c].label()).collect()
                            };
                            b.entries().iter().any(|e| {
                                e.key == entry.key && e.labels == entry.labels && cols(b, e) == cols(block, entry)
                            })
                        };
                        theirs.into_iter().any(same) && doc.contains(&row)
                    };
                    assert!(section.contains(&row) || shared(), "{}: {} undocumented", format.key(), entry.key);
                }
            }
        }
    }
}
