//! A new year's figures, and `data.toml` written from the format's header
//! trees: one key per official row, its label beside it, laid out like the
//! printed table (the layout of `content/linqu-yeyuan/2024/data.toml`).

use std::collections::BTreeMap;

use super::Note;
use crate::format::{self, Axis, Block, CrossYearRule, EntryShape, Format, Header, SumRule};
use crate::import::tables::Read;
use crate::model::{Cell, CrossYearLine, Figures, Number, Origin, Report, RuleLines};

/// A cell of the format: table, block, row, column.
type CellAt = (usize, usize, usize, usize);

/// Why a figure in a fresh `data.toml` is not zero; shown beside its row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Remark {
    /// Taken from the previous year by a cross-year rule.
    Filled { from_year: u16, this: &'static str, previous: &'static str },
    /// Set so that a sum rule holds.
    Balanced { statement: &'static str },
    /// Said by `portal import` about a row it read.
    Imported(String),
}

/// The figures of a new year's report, and what was not simply zero.
pub(super) struct Fresh {
    pub figures: Figures,
    pub notes: Vec<Note>,
    remarks: BTreeMap<CellAt, Remark>,
}

/// The cells a rule set, one per line it runs through, for the notes.
struct Touched {
    table: usize,
    block: usize,
    axis: Axis,
    cells: Vec<(usize, usize)>,
}

fn is_total(block: &Block, (r, c): (usize, usize)) -> bool {
    block.row_leaves()[r].total || block.column_leaves()[c].total
}

fn table_of<'f>(format: &'f Format, key: &str) -> Option<(usize, &'f format::Table)> {
    format.tables.iter().enumerate().find(|(_, t)| t.key == key)
}

/// The figures of year Y: zero everywhere, except what the cross-year rules
/// carry over from `previous` (year Y−1). A new year has nothing issued or
/// repealed yet, so each rule's `this` is simply last year's `previous`.
///
/// Carrying figures over can unbalance a sum rule (last year's open
/// applications arrive in 二、上年结转 but are not handled yet); the last cell
/// of the rule's right side takes the difference (they are carried forward
/// again), so the file passes `portal check`, and the user is told.
pub(super) fn fresh(format: &'static Format, previous: Option<&Report>) -> Fresh {
    let mut fresh = Fresh { figures: Figures::empty(format), notes: Vec::new(), remarks: BTreeMap::new() };
    for (t, table) in format.tables.iter().enumerate() {
        for (b, block) in table.blocks.iter().enumerate() {
            let (rows, cols) = (block.row_leaves().len(), block.column_leaves().len());
            for (r, c) in (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c))) {
                // Totals are left out, and computed once the other cells are known.
                if !is_total(block, (r, c)) {
                    fresh.set((t, b, r, c), Number::zero(block.unit), None);
                }
            }
        }
    }
    let mut carried = Vec::new();
    for (rule, previous) in format.cross_year.iter().flat_map(|rule| previous.map(|p| (rule, p))) {
        carried.extend(fresh.carry(format, rule, previous));
    }
    let balanced: Vec<_> =
        format.rules.iter().filter(|r| !r.defines_total()).filter_map(|r| fresh.balance(format, r)).collect();
    fresh.figures.complete_totals(format);

    for (remark, touched) in carried {
        if let Remark::Filled { from_year, this, previous } = remark {
            let table = format.tables[touched.table].name;
            let values = fresh.values(format, &touched);
            fresh.notes.push(Note::CarriedOver { from_year, table, this, previous, values });
        }
    }
    for (rule, touched) in balanced {
        let block = &format.tables[touched.table].blocks[touched.block];
        let target = match (rule.axis, touched.cells.first()) {
            (Axis::EachColumn, Some(&(r, _))) => block.row_leaves()[r].own_label(),
            (Axis::EachRow, Some(&(_, c))) => block.column_leaves()[c].own_label(),
            (_, None) => continue,
        };
        let (table, statement) = (format.tables[touched.table].name, rule.statement);
        let values = fresh.values(format, &touched);
        fresh.notes.push(Note::Balanced { table, target, statement, values });
    }
    fresh
}

impl Fresh {
    fn set(&mut self, (t, b, r, c): CellAt, value: Number, remark: Option<Remark>) {
        // The origin is never shown: these figures are written out, not published.
        self.figures.tables[t][b].set(r, c, Cell { value, origin: Origin::Computed });
        if let Some(remark) = remark {
            self.remarks.insert((t, b, r, c), remark);
        }
    }

    fn value(&self, (t, b, r, c): CellAt) -> Option<Number> {
        self.figures.grid(t, b).value(r, c)
    }

    /// Sets this year's cells of a cross-year rule from `previous`.
    fn carry(&mut self, format: &Format, rule: &CrossYearRule, previous: &Report) -> Option<(Remark, Touched)> {
        let (t, table) = table_of(format, rule.table)?;
        let (b, block) = (rule.block, table.blocks.get(rule.block)?);
        let lines = CrossYearLine::all(rule, block);
        let (rows, cols) = (block.row_leaves(), block.column_leaves());
        let operand = |(r, c): (usize, usize)| match rule.axis {
            Axis::EachColumn => rows[r].own_label(),
            Axis::EachRow => cols[c].own_label(),
        };
        let first = lines.first()?;
        let remark =
            Remark::Filled { from_year: previous.year, this: operand(first.this), previous: operand(first.previous) };
        for line in lines.iter().filter(|l| !is_total(block, l.this)) {
            if let Some(value) = previous.figures.grid(t, b).value(line.previous.0, line.previous.1) {
                self.set((t, b, line.this.0, line.this.1), value, Some(remark.clone()));
            }
        }
        let cells = lines.iter().map(|l| l.this).collect();
        Some((remark, Touched { table: t, block: b, axis: rule.axis, cells }))
    }

    /// Makes a balancing rule (two operands or more on the left, e.g. R1) hold:
    /// where the left side exceeds the right, the last cell of the right side
    /// takes the difference. `None` when the rule held already.
    fn balance(&mut self, format: &Format, rule: &'static SumRule) -> Option<(&'static SumRule, Touched)> {
        let (t, table) = table_of(format, rule.table)?;
        let (b, block) = (rule.block, table.blocks.get(rule.block)?);
        let mut cells = Vec::new();
        let mut changed = false;
        for line in RuleLines::new(rule, block) {
            let Some(&target) = line.rhs.last() else { continue };
            cells.push(target);
            if is_total(block, target) {
                continue;
            }
            let sum = |side: &[(usize, usize)]| -> u64 {
                side.iter().filter_map(|&(r, c)| self.value((t, b, r, c))).map(Number::raw).sum()
            };
            let (lhs, rhs) = (sum(&line.lhs), sum(&line.rhs));
            if lhs <= rhs {
                continue;
            }
            let current = self.value((t, b, target.0, target.1)).map_or(0, Number::raw);
            let value = match block.unit {
                format::Unit::Count => Number::Count(current + (lhs - rhs)),
                format::Unit::Amount => Number::Amount(current + (lhs - rhs)),
            };
            self.set((t, b, target.0, target.1), value, Some(Remark::Balanced { statement: rule.statement }));
            changed = true;
        }
        changed.then_some((rule, Touched { table: t, block: b, axis: rule.axis, cells }))
    }

    /// The values of touched cells, each with the short label of its line.
    fn values(&self, format: &Format, touched: &Touched) -> Vec<(&'static str, Number)> {
        let block = &format.tables[touched.table].blocks[touched.block];
        let (rows, cols) = (block.row_leaves(), block.column_leaves());
        touched
            .cells
            .iter()
            .filter_map(|&(r, c)| {
                let label = match touched.axis {
                    Axis::EachColumn => cols[c].own_label(),
                    Axis::EachRow => rows[r].own_label(),
                };
                self.value((touched.table, touched.block, r, c)).map(|v| (label, v))
            })
            .collect()
    }
}

/// `data.toml` for the figures `portal import` read from `source`. Cells it
/// could not read are `?` in a commented-out row, so `portal check` reports the
/// row missing until someone fills it in from the printed report.
pub(crate) fn imported_data_toml(format: &Format, agency: &str, year: u16, read: &Read, source: &str) -> String {
    let remarks = read.remarks.iter().map(|(at, text)| (*at, Remark::Imported(text.clone()))).collect();
    let fresh = Fresh { figures: read.figures.clone(), notes: Vec::new(), remarks };
    format!(
        "# 由 portal import 从 {source} 导入。未能读取的数字写作 ?，所在的行已注释掉：请按原报告填写数字并去掉行首的 #。\n{}",
        data_toml(format, agency, year, &fresh)
    )
}

/// `data.toml` for `fresh`, laid out like the printed tables.
pub(super) fn data_toml(format: &Format, agency: &str, year: u16, fresh: &Fresh) -> String {
    let names: Vec<&str> = format.tables.iter().map(|t| t.name).collect();
    let mut out = format!(
        "# {agency}{year}年度报告的统计数据：{}（{}）。\n\
         # 每一行的键对应官方表格中的一行，注释是官方表述；数字按表格从左到右排列。\n\
         # 没有的填 0，不要删除任何一行。总计可以省略（程序会计算）；写了就会被核对。\n",
        names.join("、"),
        format.notice
    );
    for (t, table) in format.tables.iter().enumerate() {
        let title = format.sections.iter().find(|s| s.number == table.section).map_or(table.name, |s| s.title);
        out.push('\n');
        out.push_str(&banner(title));
        out.push_str(&format!("[{}]\n", table.key));
        for (b, block) in table.blocks.iter().enumerate() {
            out.push_str(&block_comment(block));
            let grid = fresh.figures.grid(t, b);
            let mut lines: Vec<Line> = Vec::new();
            let mut shown: Vec<&str> = Vec::new();
            for entry in block.entries() {
                let own = match block.entries {
                    // Row groups get a comment line of their own, as in the printed table.
                    EntryShape::ByRow => {
                        let ancestors = &entry.labels[..entry.labels.len().saturating_sub(1)];
                        let common = shown.iter().zip(ancestors).take_while(|(a, b)| a == b).count();
                        for label in &ancestors[common..] {
                            lines.push(Line::Comment(format!("# {label}")));
                        }
                        shown = ancestors.to_vec();
                        entry.labels.last().copied().unwrap_or("").to_owned()
                    }
                    EntryShape::ByColumnGroup => entry.labels.join(" · "),
                };
                let mut comment = own;
                if entry.optional {
                    comment.push_str("（可省略）");
                }
                let mut notes: Vec<&Remark> =
                    entry.cells.iter().filter_map(|&(r, c)| fresh.remarks.get(&(t, b, r, c))).collect();
                notes.dedup();
                for remark in notes {
                    comment.push_str(&format!("（{}）", remark_text(remark, &entry.labels)));
                }
                let mut values: Vec<Option<Number>> = entry.cells.iter().map(|&(r, c)| grid.value(r, c)).collect();
                // A total not known is left out: the loader computes it.
                let has_total = entry.cells.last().is_some_and(|&c| is_total(block, c));
                if has_total && values.len() > 1 && values.last() == Some(&None) {
                    values.pop();
                }
                if entry.optional && values.iter().all(Option::is_none) {
                    continue;
                }
                let key = if values.contains(&None) { format!("# {}", entry.key) } else { entry.key.clone() };
                let values: Vec<String> = values.iter().map(|v| v.map_or("?".to_owned(), |v| v.to_string())).collect();
                let value = if values.len() == 1 { values.concat() } else { format!("[{}]", values.join(", ")) };
                lines.push(Line::Entry(EntryLine { key, value, comment }));
            }
            out.push_str(&aligned(&lines));
        }
    }
    out
}

fn remark_text(remark: &Remark, labels: &[&str]) -> String {
    match remark {
        Remark::Filled { from_year, this, previous } if labels.last() == Some(this) => {
            format!("已按{from_year}年度报告的“{previous}”填入")
        }
        Remark::Filled { from_year, this, .. } => format!("{this}已按{from_year}年度报告填入"),
        Remark::Balanced { statement } => format!("暂填此数以符合勾稽关系：{statement}；请按实际修改"),
        Remark::Imported(text) => text.clone(),
    }
}

/// `# ── 三、收到和处理政府信息公开申请情况 ─────…` to a fixed display width.
fn banner(title: &str) -> String {
    const WIDTH: usize = 76;
    let width: usize = title.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>() + 6;
    format!("# ── {title} {}\n", "─".repeat(WIDTH.saturating_sub(width).max(3)))
}

/// The comment that names a block's columns, above its rows.
fn block_comment(block: &Block) -> String {
    let Some(entry) = block.entries().first() else { return String::new() };
    let cols = block.column_leaves();
    let names: Vec<&str> = entry.cells.iter().map(|&(_, c)| cols[c].own_label()).collect();
    let has_total = entry.cells.last().is_some_and(|&(_, c)| cols[c].total);
    let listed = if names.len() == 1 { names.concat() } else { format!("[{}]", names.join(", ")) };
    if let Some(caption) = block.caption {
        let total = if has_total { "（总计可省略）" } else { "" };
        return format!("# {caption}          {listed}{total}\n");
    }
    match block.entries {
        EntryShape::ByColumnGroup => {
            let total = if has_total { "（总计可省略）" } else { "" };
            format!("# 每组 {} 个数：{listed}{total}\n", names.len())
        }
        EntryShape::ByRow => {
            // A single root group names the columns ("申请人情况"); groups below it
            // are explained by their first and last column.
            let (intro, inner) = match block.columns {
                [root] if !root.children.is_empty() => (format!("，依次为{}", root.label), root.children),
                _ => (String::new(), block.columns),
            };
            let mut remarks: Vec<String> = Vec::new();
            groups(inner, &mut |group| {
                let leaves = format::leaves(group.children);
                if let (Some(first), Some(last)) = (leaves.first(), leaves.last()) {
                    remarks.push(format!("{}至{}为“{}”", first.own_label(), last.own_label(), group.label));
                }
            });
            if has_total {
                remarks.push(format!("总计可省略，只写前 {} 个", names.len() - 1));
            }
            let mut out = format!("# 每行 {} 个数{intro}：\n#   {listed}\n", names.len());
            if !remarks.is_empty() {
                out.push_str(&format!("#   （{}）\n", remarks.join("；")));
            }
            out
        }
    }
}

/// Calls `f` on every header with children, depth first.
fn groups<'h>(headers: &'h [Header], f: &mut impl FnMut(&'h Header)) {
    for h in headers.iter().filter(|h| !h.children.is_empty()) {
        f(h);
        groups(h.children, f);
    }
}

enum Line {
    Comment(String),
    Entry(EntryLine),
}

struct EntryLine {
    key: String,
    value: String,
    comment: String,
}

/// Lines with `=` and comments aligned within each run of entries.
fn aligned(lines: &[Line]) -> String {
    let mut out = String::new();
    for run in lines.chunk_by(|a, b| matches!((a, b), (Line::Entry(_), Line::Entry(_)))) {
        let entries: Vec<&EntryLine> =
            run.iter().filter_map(|l| if let Line::Entry(e) = l { Some(e) } else { None }).collect();
        let key_w = entries.iter().map(|e| e.key.len()).max().unwrap_or(0);
        let value_w = entries.iter().map(|e| e.value.len()).max().unwrap_or(0);
        for line in run {
            match line {
                Line::Comment(text) => out.push_str(&format!("{text}\n")),
                Line::Entry(EntryLine { key, value, comment }) => {
                    out.push_str(&format!("{key:<key_w$} = {value:<value_w$}   # {comment}\n"))
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::format::FORMAT_2021;
    use crate::pipeline;
    use crate::scaffold::{EXAMPLE_SLUG, init, new_report};

    fn check_clean(root: &Path) -> pipeline::Checked {
        let checked = pipeline::check(root);
        assert!(checked.diagnostics.is_empty(), "{}", checked.diagnostics.to_plain_string(&checked.sources));
        checked
    }

    /// Every entry of the format is written once, with its official label beside it.
    #[test]
    fn every_entry_is_written_with_its_label() {
        let text = data_toml(&FORMAT_2021, "示例局", 2024, &fresh(&FORMAT_2021, None));
        let doc: toml::Table = toml::from_str(&text).unwrap();
        for table in FORMAT_2021.tables {
            for entry in table.blocks.iter().flat_map(|b| b.entries()) {
                let mut value = doc.get(table.key).unwrap_or_else(|| panic!("[{}]", table.key));
                for part in entry.key.split('.') {
                    value = value.get(part).unwrap_or_else(|| panic!("{}.{}", table.key, entry.key));
                }
                let line = text
                    .lines()
                    .find(|l| l.starts_with(&format!("{} ", entry.key)))
                    .unwrap_or_else(|| panic!("no line for {}", entry.key));
                let label = entry.labels.last().unwrap();
                assert!(line.split_once('#').unwrap().1.contains(label), "{line}");
            }
        }
        // Row groups head their rows, as in the printed table.
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}"));
        assert!(at("# （三）不予公开\n") < at("results.withheld.state_secret "));
        assert!(at("# 三、本年度办理结果\n") < at("results.granted "));
        assert!(text.contains("（商业企业至其他为“法人或其他组织”；总计可省略，只写前 6 个）"));
    }

    /// What `init` writes loads through the real loader with no diagnostic at
    /// all, and every figure is zero.
    #[test]
    fn fresh_site_checks_clean_and_is_all_zero() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), 2024, false).unwrap();
        let checked = check_clean(dir.path());
        let site = checked.site.unwrap();
        let report = &site.agencies[0].reports[0];
        assert_eq!(report.year, 2024);
        assert_eq!(report.date.to_string(), "2025-01-31");
        for grid in report.figures.tables.iter().flatten() {
            for r in 0..grid.rows {
                for c in 0..grid.cols {
                    assert_eq!(grid.value(r, c).map(Number::raw), Some(0));
                }
            }
        }
    }

    /// The next year carries over 结转 and 现行有效件数, stays balanced, and the
    /// cross-year rules hold.
    #[test]
    fn next_year_carries_over_and_checks_clean() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), 2024, false).unwrap();
        let data = dir.path().join(format!("content/{EXAMPLE_SLUG}/2024/data.toml"));
        let text = fs::read_to_string(&data)
            .unwrap()
            .replacen("normative_documents = [0, 0, 0]", "normative_documents = [3, 0, 3]", 1)
            .replacen("new          = [0, 0, 0, 0, 0, 0, 0]", "new          = [2, 1, 0, 0, 0, 0, 3]", 1)
            .replacen(
                "carried_forward             = [0, 0, 0, 0, 0, 0, 0]",
                "carried_forward = [2, 1, 0, 0, 0, 0, 3]",
                1,
            );
        fs::write(&data, text).unwrap();
        check_clean(dir.path());

        let created = new_report(dir.path(), EXAMPLE_SLUG, "2025", false).unwrap();
        let written = fs::read_to_string(dir.path().join(&created.files[1])).unwrap();
        assert!(written.contains("normative_documents = [0, 0, 3]"), "{written}");
        assert!(written.contains("carried_over = [2, 1, 0, 0, 0, 0, 3]"), "{written}");
        assert!(written.contains("carried_forward             = [2, 1, 0, 0, 0, 0, 3]"), "{written}");
        assert!(created.notes.iter().any(|n| matches!(n, Note::CarriedOver { from_year: 2024, .. })));
        assert!(created.notes.iter().any(|n| matches!(n, Note::Balanced { .. })));
        check_clean(dir.path());
    }
}
