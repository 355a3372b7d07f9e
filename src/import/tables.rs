//! The one matcher from table grids to the format's tables.
//!
//! It walks the header trees of [`crate::format`]: a grid is recognised by the
//! official labels it contains, each data row is matched to a row of the
//! format by its label (compared after [`key`] folds away whitespace,
//! full-width forms and punctuation), and each cell to a column either by the
//! real grid position of the column headers (`.docx`, HTML: merged cells
//! resolved) or, where only the order of cells is known (text), by the
//! official column order. Nothing is keyed to row positions: what cannot be
//! matched is reported, never guessed.

use std::collections::BTreeMap;

use super::document::{Loc, RawCell, RawRow, RawTable};
use super::words::{Token, key, similarity, subsequence, token};
use super::{Finding, FindingKind};
use crate::format::{Block, CellAt, Format, Header, Leaf, Table, TableIx, Unit};
use crate::load::parse_amount;
use crate::model::{Cell, Figures, Number, Origin};

/// The figures read from every grid, and where each came from.
#[derive(Debug)]
pub struct Read {
    /// Cells read; every other cell is `None`.
    pub figures: Figures,
    /// Where each cell was read.
    pub sources: BTreeMap<CellAt, Loc>,
    /// Notes to keep beside a row in `data.toml` (a label matched approximately).
    pub remarks: Vec<(CellAt, String)>,
}

impl Read {
    /// Nothing read, for a format without tables.
    pub(crate) fn empty(format: &Format) -> Self {
        Self { figures: Figures::empty(format), sources: BTreeMap::new(), remarks: Vec::new() }
    }
}

/// One row of the format's tables, flattened over blocks.
struct Slot {
    block: usize,
    row: usize,
    leaf: Leaf,
    /// Key of the leaf's own label; empty for the unlabelled row of 表四.
    own: String,
    /// Keys of its ancestors' labels.
    ancestors: Vec<String>,
}

fn slots(table: &Table) -> Vec<Slot> {
    let mut out = Vec::new();
    for (b, block) in table.blocks.iter().enumerate() {
        for (r, leaf) in block.row_leaves().iter().enumerate() {
            let own = key(leaf.own_label());
            let ancestors = leaf.labels[..leaf.labels.len().saturating_sub(1)].iter().map(|l| key(l)).collect();
            out.push(Slot { block: b, row: r, leaf: leaf.clone(), own, ancestors });
        }
    }
    out
}

/// A row that carries figures.
struct DataRow<'a> {
    row: &'a RawRow,
    /// Label cells, left to right.
    labels: Vec<&'a RawCell>,
    /// Key of the joined labels.
    key: String,
    /// Non-empty cells from the first figure on (used where only order is known).
    values: Vec<&'a RawCell>,
}

fn data_row(row: &RawRow) -> Option<DataRow<'_>> {
    let first = row.cells.iter().position(|c| matches!(token(&c.text), Token::Number(_) | Token::Mark(_)))?;
    let labels: Vec<&RawCell> = row.cells[..first].iter().filter(|c| !c.text.trim().is_empty()).collect();
    let key = labels.iter().map(|c| key(&c.text)).collect();
    let values = row.cells[first..].iter().filter(|c| token(&c.text) != Token::Empty).collect();
    Some(DataRow { row, labels, key, values })
}

/// Every label of a header tree, as keys.
fn collect_labels(headers: &[Header], out: &mut Vec<String>) {
    for h in headers {
        out.push(key(h.label));
        collect_labels(h.children, out);
    }
}

/// Every label of a table, as keys, for recognising a grid.
fn table_labels(table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for block in table.blocks {
        out.extend(block.caption.map(key));
        collect_labels(block.columns, &mut out);
        collect_labels(block.rows, &mut out);
    }
    out.retain(|k| k.chars().count() >= 2);
    out.sort();
    out.dedup();
    out
}

/// Which of the format's tables a grid is: the table of the section it sits in
/// when the grid has enough of its labels, else the table with most of them.
fn recognise(format: &Format, section: Option<u8>, grid: &RawTable) -> Option<TableIx> {
    let hay: String = grid.rows.iter().flat_map(|r| &r.cells).map(|c| key(&c.text)).collect();
    let score = |t: &Table| {
        let labels = table_labels(t);
        labels.iter().filter(|l| hay.contains(l.as_str())).count() as f64 / labels.len().max(1) as f64
    };
    // One block of a stacked table printed as a table of its own (表二's 第二十条第（八）项
    // on a page `portal` built): its caption and most of its own labels.
    let block_alone = |t: &Table| {
        t.blocks.iter().any(|b| {
            let mut labels = Vec::new();
            collect_labels(b.columns, &mut labels);
            collect_labels(b.rows, &mut labels);
            let found = labels.iter().filter(|l| hay.contains(l.as_str())).count();
            b.caption.is_some_and(|c| hay.contains(&key(c))) && found * 2 >= labels.len() && found > 0
        })
    };
    let scores: Vec<(TableIx, &Table, f64)> = format.tables_ix().map(|(t, table)| (t, table, score(table))).collect();
    let by_section = scores
        .iter()
        .find(|(_, table, _)| Some(table.section) == section)
        .filter(|(_, table, s)| *s >= 0.2 || block_alone(table));
    let best = scores.iter().filter(|(_, _, s)| *s >= 0.3).max_by(|a, b| a.2.total_cmp(&b.2));
    by_section.or(best).map(|&(t, _, _)| t)
}

/// The grid column of every column leaf of `block`, found by walking its
/// header tree over the header cells (each node within its parent's columns).
fn locate_columns(block: &Block, headers: &[&RawRow]) -> Option<Vec<usize>> {
    let cells: Vec<&RawCell> = headers.iter().flat_map(|r| &r.cells).collect();
    let mut used = vec![false; cells.len()];
    let mut out = Vec::new();
    fn walk(
        nodes: &[Header],
        range: (usize, usize),
        cells: &[&RawCell],
        used: &mut [bool],
        out: &mut Vec<usize>,
    ) -> bool {
        for node in nodes {
            let k = key(node.label);
            let found = cells
                .iter()
                .enumerate()
                .position(|(i, c)| !used[i] && key(&c.text) == k && c.col >= range.0 && c.col + c.span <= range.1);
            match (found, node.children.is_empty()) {
                (Some(i), true) => {
                    used[i] = true;
                    out.push(cells[i].col);
                }
                (Some(i), false) => {
                    used[i] = true;
                    let span = (cells[i].col, cells[i].col + cells[i].span);
                    if !walk(node.children, span, cells, used, out) {
                        return false;
                    }
                }
                // A group header not printed: look for its children in the parent's columns.
                (None, false) => {
                    if !walk(node.children, range, cells, used, out) {
                        return false;
                    }
                }
                (None, true) => return false,
            }
        }
        true
    }
    let ok = walk(block.columns, (0, usize::MAX), &cells, &mut used, &mut out);
    // Leaves must sit in distinct columns, left to right.
    (ok && out.windows(2).all(|w| w[0] < w[1])).then_some(out)
}

/// Reads the figures of every grid.
pub(crate) fn read(format: &'static Format, grids: &[(Option<u8>, RawTable)], findings: &mut Vec<Finding>) -> Read {
    let mut read = Read { figures: Figures::empty(format), sources: BTreeMap::new(), remarks: Vec::new() };
    let mut matcher: Vec<TableState> = format.tables.iter().map(TableState::new).collect();
    for (section, grid) in grids {
        let has_figures = grid.rows.iter().any(|r| data_row(r).is_some());
        match recognise(format, *section, grid) {
            Some(t) => matcher[t.index()].grid(t, format.table_at(t), grid, &mut read, findings),
            None if has_figures => {
                let loc = grid.rows.first().map(|r| r.loc);
                findings.push(Finding::new(
                    loc,
                    FindingKind::Unread,
                    "这个表格不是官方格式的表二、表三或表四（找不到足够的官方栏目名称），其中的数字未读取".to_owned(),
                ));
            }
            None => {}
        }
    }
    for ((_, table), state) in format.tables_ix().zip(&matcher) {
        state.report_missing(format, table, findings);
    }
    read
}

/// Progress through one of the format's tables, across the grids that hold it
/// (表二 is often printed as four separate tables).
struct TableState {
    slots: Vec<Slot>,
    /// Where each slot was read.
    assigned: Vec<Option<Loc>>,
    next: usize,
    /// Blocks whose column headers were checked.
    checked: Vec<bool>,
}

impl TableState {
    fn new(table: &Table) -> Self {
        let slots = slots(table);
        let n = slots.len();
        Self { slots, assigned: vec![None; n], next: 0, checked: vec![false; table.blocks.len()] }
    }

    fn grid(
        &mut self,
        t: TableIx,
        table: &'static Table,
        grid: &RawTable,
        read: &mut Read,
        findings: &mut Vec<Finding>,
    ) {
        let mut headers: Vec<&RawRow> = Vec::new();
        let mut after_data = false;
        let mut block_hint: Option<usize> = None;
        for row in &grid.rows {
            let data = data_row(row).or_else(|| self.blank_row(row));
            let Some(data) = data else {
                if after_data {
                    headers.clear();
                    after_data = false;
                }
                let row_keys: Vec<String> = row.cells.iter().map(|c| key(&c.text)).collect();
                if let Some(b) = table.blocks.iter().position(|b| b.caption.is_some_and(|c| row_keys.contains(&key(c))))
                {
                    block_hint = Some(b);
                }
                headers.push(row);
                continue;
            };
            after_data = true;
            let Some((s, exact)) = self.pick(&data, block_hint) else {
                let label = data.labels.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ");
                let what =
                    if label.is_empty() { "没有行标题的一行".to_owned() } else { format!("行“{label}”") };
                findings.push(Finding::new(
                    Some(row.loc),
                    FindingKind::Unread,
                    format!("{what}无法对应到{}的任何一行，其中的数字未读取", table.name),
                ));
                continue;
            };
            if let Some(first) = self.assigned[s] {
                findings.push(Finding::new(
                    Some(row.loc),
                    FindingKind::Unread,
                    format!("{}“{}”在{first}已读过，这一行未读取", table.name, self.slots[s].leaf.label()),
                ));
                continue;
            }
            let (b, r) = (self.slots[s].block, self.slots[s].row);
            let block = &table.blocks[b];
            if !exact {
                let printed = data.labels.last().map_or(String::new(), |c| c.text.clone());
                let official = self.slots[s].leaf.own_label();
                findings.push(Finding::new(
                    Some(row.loc),
                    FindingKind::Approximate,
                    format!("{}行标题“{printed}”与官方表述“{official}”不完全一致，按后者读取", table.name),
                ));
                read.remarks.push((CellAt::new(t, b, (r, 0)), format!("原表作“{printed}”")));
            }
            self.assigned[s] = Some(row.loc);
            self.next = s + 1;
            block_hint = Some(b);
            let columns = if grid.positional { locate_columns(block, &headers) } else { None };
            if !self.checked[b] {
                self.checked[b] = true;
                if columns.is_none() {
                    check_headers(table, block, &headers, row.loc, grid.positional, findings);
                }
            }
            read_cells(t, table, b, r, &data, columns.as_deref(), read, findings);
        }
    }

    /// A row whose label is exactly an official row but whose cells are all
    /// blank is still that row (its cells are reported unread).
    fn blank_row<'a>(&self, row: &'a RawRow) -> Option<DataRow<'a>> {
        if !row.cells.iter().any(|c| c.text.trim().is_empty()) {
            return None;
        }
        let labels: Vec<&RawCell> = row.cells.iter().filter(|c| !c.text.trim().is_empty()).collect();
        let k: String = labels.iter().map(|c| key(&c.text)).collect();
        let matches = self.slots.iter().any(|s| s.own.chars().count() >= 2 && k.ends_with(&s.own));
        matches.then(|| DataRow { row, labels, key: k, values: Vec::new() })
    }

    /// The slot a data row is: an exact label match (ranked by order and
    /// context), else the most similar unread row if it is close enough.
    fn pick(&self, data: &DataRow<'_>, block_hint: Option<usize>) -> Option<(usize, bool)> {
        let k = &data.key;
        let exact: Vec<usize> = (0..self.slots.len())
            .filter(|&i| {
                let own = &self.slots[i].own;
                if own.is_empty() { k.is_empty() } else { k.ends_with(own.as_str()) }
            })
            .collect();
        let rank = |i: &usize| {
            let s = &self.slots[*i];
            let context = s.ancestors.iter().filter(|a| k.contains(a.as_str())).count();
            (
                self.assigned[*i].is_some(),
                block_hint.is_some_and(|b| b != s.block),
                *i < self.next,
                std::cmp::Reverse(context),
                i.abs_diff(self.next),
            )
        };
        if let Some(&best) = exact.iter().min_by_key(|i| rank(i)) {
            return Some((best, true));
        }
        if k.is_empty() {
            return None;
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, s) in self.slots.iter().enumerate().filter(|(i, s)| self.assigned[*i].is_none() && !s.own.is_empty()) {
            let path: String = s.ancestors.iter().map(String::as_str).chain([s.own.as_str()]).collect();
            let sim = similarity(k, &s.own).max(similarity(k, &path));
            let expected = (self.next..self.next + 2).contains(&i);
            let enough = sim >= 0.75 || (expected && sim >= 0.5);
            if enough && best.is_none_or(|(_, b)| sim > b) {
                best = Some((i, sim));
            }
        }
        best.map(|(i, _)| (i, false))
    }

    fn report_missing(&self, format: &Format, table: &Table, findings: &mut Vec<Finding>) {
        if self.assigned.iter().all(Option::is_none) {
            let title = format.sections.iter().find(|s| s.number == table.section).map_or("", |s| s.title);
            findings.push(Finding::new(
                None,
                FindingKind::Missing,
                format!("未找到{}（{title}）：其中的数字都未读取", table.name),
            ));
            return;
        }
        for (s, slot) in self.slots.iter().enumerate().filter(|(s, _)| self.assigned[*s].is_none()) {
            let (kind, what) = if slot.leaf.total {
                (FindingKind::Inferred, "由程序按勾稽关系计算")
            } else {
                (FindingKind::Missing, "这一行的数字未读取")
            };
            findings.push(Finding::new(
                None,
                kind,
                format!("未找到{}“{}”这一行：{what}", table.name, slot.leaf.label()),
            ));
            let _ = s;
        }
    }
}

/// Reports column labels the grid does not show, when columns are taken in
/// the official order.
fn check_headers(
    table: &Table,
    block: &Block,
    headers: &[&RawRow],
    at: Loc,
    positional: bool,
    findings: &mut Vec<Finding>,
) {
    let hay: String = headers.iter().flat_map(|r| &r.cells).map(|c| key(&c.text)).collect();
    let loc = headers.first().map_or(at, |r| r.loc);
    if hay.is_empty() {
        findings.push(Finding::new(
            Some(at),
            FindingKind::Approximate,
            format!("{}没有列标题：按官方表格的列顺序读取数字", table.name),
        ));
        return;
    }
    let mut missing = Vec::new();
    fn walk(nodes: &[Header], hay: &str, missing: &mut Vec<&'static str>) {
        for n in nodes {
            let k = key(n.label);
            if !hay.contains(&k) && !subsequence(&k, hay) {
                missing.push(n.label);
            }
            walk(n.children, hay, missing);
        }
    }
    walk(block.columns, &hay, &mut missing);
    missing.dedup();
    if positional || !missing.is_empty() {
        let list = if missing.is_empty() {
            "列标题与官方表格不能逐格对应".to_owned()
        } else {
            format!("列标题中找不到“{}”", missing.join("”“"))
        };
        findings.push(Finding::new(
            Some(loc),
            FindingKind::Approximate,
            format!("{}{list}：按官方表格的列顺序读取数字", table.name),
        ));
    }
}

/// Reads the cells of one data row into the figures.
#[allow(clippy::too_many_arguments)]
fn read_cells(
    t: TableIx,
    table: &Table,
    b: usize,
    r: usize,
    data: &DataRow<'_>,
    columns: Option<&[usize]>,
    read: &mut Read,
    findings: &mut Vec<Finding>,
) {
    let block = &table.blocks[b];
    let leaves = block.column_leaves();
    let rows = block.row_leaves();
    let n = leaves.len();
    let loc = data.row.loc;
    let cells: Vec<Option<&RawCell>> = match columns {
        Some(cols) => cols
            .iter()
            .map(|&col| {
                let cell = data.row.cells.iter().find(|c| c.col <= col && col < c.col + c.span)?;
                // A value cell merged over two official columns belongs to neither.
                let covered = cols.iter().filter(|&&x| cell.col <= x && x < cell.col + cell.span).count();
                (covered == 1).then_some(cell)
            })
            .collect(),
        None if data.values.len() == n => data.values.iter().copied().map(Some).collect(),
        None if data.values.len() + 1 == n && leaves.last().is_some_and(|l| l.total) => {
            data.values.iter().copied().map(Some).chain([None]).collect()
        }
        None => {
            findings.push(Finding::new(
                Some(loc),
                FindingKind::Unread,
                format!(
                    "{}“{}”这一行读到 {} 个数字，应为 {n} 个（{}）：这一行未读取",
                    table.name,
                    rows[r].label(),
                    data.values.len(),
                    leaves.iter().map(|l| l.own_label()).collect::<Vec<_>>().join("、")
                ),
            ));
            return;
        }
    };
    for (c, cell) in cells.into_iter().enumerate() {
        let what = format!("{}“{}”", table.name, [rows[r].label(), leaves[c].label()].join(" ").trim());
        let text = cell.map(|c| c.text.as_str()).unwrap_or("");
        let why = match token(text) {
            Token::Number(digits) => match parse(&digits, block.unit_at((r, c))) {
                Ok(value) => {
                    let at = CellAt::new(t, b, (r, c));
                    read.figures.set(at, Cell { value, origin: Origin::Computed });
                    read.sources.insert(at, loc);
                    continue;
                }
                Err(why) => why,
            },
            Token::Empty if leaves[c].total => {
                findings.push(Finding::new(
                    Some(loc),
                    FindingKind::Inferred,
                    format!("{what}是空白：由程序按勾稽关系计算"),
                ));
                continue;
            }
            Token::Empty => "是空白".to_owned(),
            Token::Mark(m) => format!("写作“{m}”（不当作 0）"),
            Token::Text => format!("“{text}”不是数字"),
        };
        findings.push(Finding::new(Some(loc), FindingKind::Unread, format!("{what}{why}，未读取")));
    }
}

fn parse(digits: &str, unit: Unit) -> Result<Number, String> {
    match unit {
        Unit::Count | Unit::SignedCount if digits.contains('.') => Err(format!("“{digits}”不是整数件数")),
        Unit::Count | Unit::SignedCount => Number::whole(unit, digits, 10).map_err(|why| format!("“{digits}”：{why}")),
        Unit::Amount => parse_amount(digits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;

    fn row(loc: usize, cells: &[&str]) -> RawRow {
        RawRow {
            cells: cells.iter().enumerate().map(|(col, t)| RawCell { text: (*t).to_owned(), col, span: 1 }).collect(),
            loc: Loc::Line(loc),
        }
    }

    #[test]
    fn labels_with_spaces_and_ascii_punctuation_match_exactly() {
        let grid = RawTable {
            rows: vec![
                row(1, &["(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)", "申请人情况"]),
                row(2, &["", "自然人", "法人或其他组织", "总计"]),
                row(3, &["", "", "商业 企业", "科研 机构", "社会公 益组织", "法律 服务 机构", "其他"]),
                row(
                    4,
                    &["", "(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)", "1", "2", "0", "0", "0", "0", "3"],
                ),
                row(5, &["", "(三) 不予 公开", "2.其他法律法规禁止公开", "０", "１", "0", "0", "0", "0", "1"]),
            ],
            positional: false,
        };
        let mut findings = Vec::new();
        let read = read(&FORMAT_2021, &[(Some(3), grid)], &mut findings);
        let t = FORMAT_2021.table_ix("requests").unwrap();
        let rows = FORMAT_2021.table_at(t).blocks[0].row_leaves();
        let at = |k: &str| rows.iter().position(|l| l.key == k).unwrap();
        let grid = read.figures.grid(t, 0);
        assert_eq!(grid.value(at("results.partly_granted"), 1), Some(Number::Count(2)));
        assert_eq!(grid.value(at("results.partly_granted"), 6), Some(Number::Count(3)));
        assert_eq!(grid.value(at("results.withheld.prohibited"), 1), Some(Number::Count(1)));
        let approx: Vec<&Finding> = findings.iter().filter(|f| f.kind == FindingKind::Approximate).collect();
        assert_eq!(approx.len(), 1, "{findings:?}");
        assert_eq!(approx[0].loc, Some(Loc::Line(5)));
        assert!(approx[0].message.contains("2.其他法律行政法规禁止公开"));
    }

    #[test]
    fn wrong_cell_counts_and_marks_are_reported_not_guessed() {
        let grid = RawTable {
            rows: vec![
                row(1, &["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
                row(2, &["规章", "0", "—", "0"]),
                row(3, &["行政规范性文件", "1", "2"]),
            ],
            positional: false,
        };
        let mut findings = Vec::new();
        let read = read(&FORMAT_2021, &[(Some(2), grid)], &mut findings);
        let g = read.figures.grid(FORMAT_2021.table_ix("active").unwrap(), 0);
        assert_eq!(g.value(0, 0), Some(Number::Count(0)));
        assert_eq!(g.value(0, 1), None);
        assert_eq!(g.value(1, 0), None);
        let unread: Vec<String> =
            findings.iter().filter(|f| f.kind == FindingKind::Unread).map(|f| f.to_string()).collect();
        assert!(unread.iter().any(|m| m.starts_with("第 2 行") && m.contains("“—”")), "{unread:?}");
        assert!(unread.iter().any(|m| m.starts_with("第 3 行") && m.contains("读到 2 个数字")), "{unread:?}");
    }

    #[test]
    fn positional_grids_use_the_header_tree() {
        // 表四 with merged headers: groups span five columns, leaves repeat.
        let cell = |text: &str, col, span| RawCell { text: text.to_owned(), col, span };
        let outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
        let mut row2: Vec<RawCell> = outcomes.iter().enumerate().map(|(i, o)| cell(o, i, 1)).collect();
        row2.push(cell("未经复议直接起诉", 5, 5));
        row2.push(cell("复议后起诉", 10, 5));
        let row3: Vec<RawCell> = (5..15).map(|i| cell(outcomes[(i - 5) % 5], i, 1)).collect();
        let values: Vec<RawCell> = (0..15).map(|i| cell(&i.to_string(), i, 1)).collect();
        let r = |cells, row| RawRow { cells, loc: Loc::TableRow { table: 1, row } };
        let grid = RawTable {
            rows: vec![
                r(vec![cell("行政复议", 0, 5), cell("行政诉讼", 5, 10)], 1),
                r(row2, 2),
                r(row3, 3),
                r(values, 4),
            ],
            positional: true,
        };
        let mut findings = Vec::new();
        let read = read(&FORMAT_2021, &[(None, grid)], &mut findings);
        let g = read.figures.grid(FORMAT_2021.table_ix("appeals").unwrap(), 0);
        for c in 0..15 {
            assert_eq!(g.value(0, c), Some(Number::Count(c as u64)));
        }
        assert!(!findings.iter().any(|f| f.message.contains("表四")), "{findings:?}");
    }
}
