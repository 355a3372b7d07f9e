//! A report's `data.csv`: its tables in the page's shape, for a person who
//! opens one report's figures in a spreadsheet. Each block is printed as the
//! official table is: the corner, the column headers on as many lines as the
//! header tree is deep, each label above its first column (where the page
//! merges cells), then one line per row with its labels in the first columns.
//! The bulk files, one row per report, are for analysis; this is for reading.

use super::Identity;
use super::csv::{self, BOM};
use crate::format::{self, Block, CellAt, Format, Header};
use crate::model::Figures;

/// The text of a format's `data.csv` with the figures left out, laid out once
/// per site: each report fills in its own.
pub(crate) struct Sheet {
    /// The text before each figure, and after the last.
    parts: Vec<String>,
    cells: Vec<CellAt>,
}

impl Sheet {
    pub(crate) fn new(format: &Format) -> Self {
        let mut sheet = Self { parts: Vec::new(), cells: Vec::new() };
        let mut text = String::new();
        for (t, table) in format.tables_ix() {
            let title = format.sections.iter().find(|s| s.number == table.section).map_or(table.name, |s| s.title);
            text.push('\n');
            push_line(&mut text, [title]);
            for (b, block) in table.blocks.iter().enumerate() {
                if let Some(caption) = block.caption {
                    push_line(&mut text, [caption]);
                }
                let (head, rows) = labels(block);
                for line in head {
                    push_line(&mut text, line);
                }
                for (r, row) in rows.into_iter().enumerate() {
                    let labelled = !row.is_empty();
                    text.push_str(&csv::line(row));
                    for c in 0..block.column_leaves().len() {
                        if labelled || c > 0 {
                            text.push(',');
                        }
                        sheet.parts.push(std::mem::take(&mut text));
                        sheet.cells.push(CellAt::new(t, b, (r, c)));
                    }
                    text.push('\n');
                }
            }
        }
        sheet.parts.push(text);
        sheet
    }

    /// One report's file: what it is, then its tables.
    pub(crate) fn write(&self, out: &mut String, id: &Identity<'_>, title: &str, figures: &Figures) {
        out.push_str(&String::from_utf8_lossy(BOM));
        push_line(out, [title]);
        push_line(out, ["发布日期", &id.published]);
        push_line(out, ["格式依据", id.format]);
        push_line(out, ["网址", &id.url]);
        for (part, &at) in self.parts.iter().zip(&self.cells) {
            out.push_str(part);
            if let Some(value) = figures.value(at) {
                use std::fmt::Write as _;
                let _ = write!(out, "{value}");
            }
        }
        out.push_str(self.parts.last().map_or("", String::as_str));
    }
}

/// A line of text fields, without the empty ones at its end.
fn push_line<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    let mut fields: Vec<&str> = fields.into_iter().collect();
    while fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    out.push_str(&csv::line(fields));
    out.push('\n');
}

/// A block's header lines (the corner first) and each row's label fields,
/// each label where the page's merged cell starts.
fn labels(block: &Block) -> (Vec<Vec<&'static str>>, Vec<Vec<&'static str>>) {
    let (row_depth, col_depth) = (format::depth(block.rows), format::depth(block.columns));
    let mut cols = vec![vec![""; block.column_leaves().len()]; col_depth];
    walk(block.columns, 0, &mut 0, &mut |level, at, label| cols[level][at] = label);
    let mut rows = vec![vec![""; row_depth]; block.row_leaves().len()];
    walk(block.rows, 0, &mut 0, &mut |level, at, label| rows[at][level] = label);
    let head = cols
        .into_iter()
        .enumerate()
        .map(|(level, labels)| {
            let corner = if level == 0 { block.corner.unwrap_or("") } else { "" };
            let beside = (0..row_depth).map(|i| if i == 0 { corner } else { "" });
            beside.chain(labels).collect()
        })
        .collect();
    (head, rows)
}

/// Calls `put(level, leaf, label)` for every node of a header tree, with the
/// index of its first leaf.
fn walk(nodes: &'static [Header], level: usize, next: &mut usize, put: &mut dyn FnMut(usize, usize, &'static str)) {
    for node in nodes {
        put(level, *next, node.label);
        if node.children.is_empty() {
            *next += 1;
        } else {
            walk(node.children, level + 1, next, put);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;
    use crate::output::opendata::tests::{TOY, identity};

    fn sheet(format: &'static Format) -> String {
        let figures = Figures::empty(format);
        let mut out = String::new();
        Sheet::new(format).write(&mut out, &identity(format), "某机关2024年政府信息公开工作年度报告", &figures);
        out
    }

    #[test]
    fn the_requests_table_has_the_page_shape() {
        let text = sheet(&FORMAT_2021);
        let at = text.find("三、收到和处理政府信息公开申请情况\n").unwrap();
        let lines: Vec<&str> = text[at..].lines().skip(1).take(8).collect();
        assert_eq!(
            lines[..3],
            [
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）,,,申请人情况",
                ",,,自然人,法人或其他组织,,,,,总计",
                ",,,,商业企业,科研机构,社会公益组织,法律服务机构,其他",
            ]
        );
        assert_eq!(lines[3].split(',').count(), 3 + 7, "{}", lines[3]);
        assert!(lines[3].starts_with("一、本年新收政府信息公开申请数量,,,"), "{}", lines[3]);
        assert!(lines[5].starts_with("三、本年度办理结果,（一）予以公开,,"), "{}", lines[5]);
        assert!(lines[7].starts_with(",（三）不予公开,1.属于国家秘密,"), "{}", lines[7]);
    }

    #[test]
    fn the_head_says_what_the_file_is() {
        let text = sheet(&FORMAT_2021);
        assert!(text.starts_with("\u{feff}某机关2024年政府信息公开工作年度报告\n发布日期,2025-01-10\n"), "{text}");
        assert!(text.contains(
            "\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容,本年制发件数,本年废止件数,现行有效件数\n规章,,,\n"
        ));
        // 表四 has no row headers: its one row is figures alone.
        assert!(text.contains("\n,,,,,,,,,,,,,,\n"), "{text}");
    }

    #[test]
    fn other_shapes_are_laid_out_from_their_trees() {
        let text = sheet(&TOY);
        assert!(
            text.ends_with("\n表甲\n项目,件数\n其他处理,\n项目,金额\n收费,\n\n表乙\n结果\n维持,纠正\n,\n"),
            "{text}"
        );
    }
}
