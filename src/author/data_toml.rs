//! A report's `data.toml` written from the format's header trees: one key per
//! official row, its label beside it, laid out like the printed table (the
//! layout of `content/linqu-yeyuan/2024/data.toml`).

use std::collections::BTreeMap;

use crate::format::{self, Block, CellAt, EntryShape, Format, Header};
use crate::model::{Figures, Number};

/// Why a figure in a written `data.toml` is what it is; shown beside its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Remark {
    /// Taken from the previous year by a cross-year rule.
    Filled { from_year: u16, this: &'static str, previous: &'static str },
    /// Set so that a sum rule holds.
    Balanced { statement: &'static str },
    /// Said by `portal import` about a row it read.
    Imported(String),
}

/// A report's `data.toml` for `figures`, laid out like the printed tables:
/// one key per official row, its label beside it, and beside a row the
/// remarks on its cells. A cell without a value is `?` in a commented-out row.
pub(crate) fn data_toml(
    format: &Format,
    agency: &str,
    year: u16,
    figures: &Figures,
    remarks: &BTreeMap<CellAt, Remark>,
) -> String {
    let names: Vec<&str> = format.tables.iter().map(|t| t.name).collect();
    let mut out = format!(
        "# {agency}{year}年度报告的统计数据：{}（{}）。\n\
         # 每一行的键对应官方表格中的一行，注释是官方表述；数字按表格从左到右排列。\n\
         # 没有的填 0，不要删除任何一行。总计可以省略（程序会计算）；写了就会被核对。\n",
        names.join("、"),
        format.notice
    );
    for (t, table) in format.tables_ix() {
        let title = format.sections.iter().find(|s| s.number == table.section).map_or(table.name, |s| s.title);
        out.push('\n');
        out.push_str(&banner(title));
        out.push_str(&format!("[{}]\n", table.key));
        for (b, block) in table.blocks.iter().enumerate() {
            out.push_str(&block_comment(block));
            let grid = figures.grid(t, b);
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
                    entry.cells.iter().filter_map(|&cell| remarks.get(&CellAt::new(t, b, cell))).collect();
                notes.dedup();
                for remark in notes {
                    comment.push_str(&format!("（{}）", remark_text(remark, &entry.labels)));
                }
                let mut values: Vec<Option<Number>> = entry.cells.iter().map(|&(r, c)| grid.value(r, c)).collect();
                // A total not known is left out: the loader computes it.
                let has_total = entry.cells.last().is_some_and(|&c| block.is_total(c));
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
