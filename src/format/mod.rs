//! The national report formats, defined once as data: the 2021 format
//! (国办公开办函〔2021〕30号), the 2019 format (国办公开办函〔2019〕60号) and the
//! free-form reports of earlier years.
//!
//! Sections, the header trees of the three statistics tables with their official
//! wording, the keys a `data.toml` uses, the unit of every cell, and the
//! consistency rules (勾稽关系) all live here. Loading, validation, rendering and
//! open data walk these values and know nothing of the format themselves; a new
//! format is a new [`Format`] value and a [`FormatId`] (`registry`), which is
//! also the one place that maps years to formats.

mod format_2019;
mod format_2021;
mod ids;
mod lines;
mod parts;
mod registry;

pub use self::format_2019::FORMAT_2019;
pub use self::format_2021::FORMAT_2021;
pub use self::ids::{CellAt, CellKey, TableIx};
pub(crate) use self::lines::{CrossFormatLine, rule_lines};
pub use self::registry::{FORMAT_FREE, FormatId};

/// A rule of the format (勾稽关系 and the other checks `docs/check.md`
/// numbers), by the id that diagnostics, waivers and the docs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum RuleId {
    /// 表三, every column: 一 + 二 = （七）总计 + 四.
    R1,
    /// 表三, every row: 总计 = 自然人 + the 法人或其他组织 columns.
    R2,
    /// 表三, every column: （七）总计 = （一） + （二） + every item of （三）–（六）.
    R3,
    /// 表四, for 行政复议 and both kinds of 行政诉讼: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.
    R4,
    /// Every figure a whole number, non-negative unless its cell is a change
    /// ([`Unit::SignedCount`]), or an amount where the unit says so.
    R5,
    /// Across years, 表三: 二、上年结转 (Y) = 四、结转下年度继续办理 (Y−1).
    R6,
    /// Across years, 表二: a figure carried on from last year's report, e.g.
    /// 现行有效件数 (Y) = 现行有效件数 (Y−1) + 本年制发件数 − 本年废止件数 (a warning).
    R7,
    /// Figures stated in the prose agree with the tables.
    R8,
    /// A summary's (汇总) figures equal the sums of its members'.
    Summary,
}

impl RuleId {
    /// Every rule, in the docs' order.
    pub(crate) const ALL: [RuleId; 9] = [
        RuleId::R1,
        RuleId::R2,
        RuleId::R3,
        RuleId::R4,
        RuleId::R5,
        RuleId::R6,
        RuleId::R7,
        RuleId::R8,
        RuleId::Summary,
    ];

    /// The id as written in `data.toml`'s waivers and shown in diagnostics.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            RuleId::R1 => "R1",
            RuleId::R2 => "R2",
            RuleId::R3 => "R3",
            RuleId::R4 => "R4",
            RuleId::R5 => "R5",
            RuleId::R6 => "R6",
            RuleId::R7 => "R7",
            RuleId::R8 => "R8",
            RuleId::Summary => "summary",
        }
    }

    /// The rule an id names, if any.
    pub(crate) fn parse(id: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == id)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One report format.
#[derive(Debug)]
pub struct Format {
    /// Which format this is: its key in front matter and open data.
    pub id: FormatId,
    /// What messages and pages call it, e.g. `2019 年版格式`.
    pub name: &'static str,
    /// The notice that defines the format, as cited on the site; empty for the
    /// free-form reports, which follow no national template.
    pub notice: &'static str,
    /// The official sections, in the order a report gives them.
    pub sections: &'static [Section],
    /// The statistics tables, in printed order; [`TableIx`] indexes this list.
    pub tables: &'static [Table],
    /// The consistency rules within one report (R1–R4).
    pub rules: &'static [SumRule],
    /// Rules between a report and the same agency's report of the year before.
    pub cross_year: &'static [CrossYearRule],
    /// Figures the narrative of [`Format::prose_section`] may quote.
    pub prose: &'static [ProseFigure],
    /// The section whose prose is compared with the tables (一、总体情况); with
    /// no [`Format::sections`] (free-form) it names none.
    pub prose_section: u8,
    /// The trend charts on every agency page, over the years.
    pub charts: &'static [Chart],
    /// What the year pages rank agencies by.
    pub rankings: &'static [Ranking],
}

/// A figure made of one or more cells of a block: the sum of every cell whose
/// row one of `rows` selects and whose column one of `columns` selects
/// (operands as in [`SumRule`]: `key` or `key.*`).
#[derive(Debug)]
pub struct Measure {
    /// What the figure is, in the format's words (a chart's series, a ranking's column).
    pub label: &'static str,
    /// The table of the cells, by [`Table::key`].
    pub table: &'static str,
    /// Index of the block within that table.
    pub block: usize,
    /// Operands selecting the rows summed; `[""]` for a block without row headers.
    pub rows: &'static [&'static str],
    /// Operands selecting the columns summed.
    pub columns: &'static [&'static str],
}

/// A stacked bar chart of an agency's figures, one bar per year.
#[derive(Debug)]
pub struct Chart {
    /// Stable fragment id on the agency page.
    pub id: &'static str,
    /// Heading shown above the chart.
    pub title: &'static str,
    /// The stacked parts of each bar, bottom first.
    pub series: &'static [Measure],
}

/// An ordering of the year's reports, largest first.
#[derive(Debug)]
pub struct Ranking {
    /// Stable fragment id on the year page.
    pub id: &'static str,
    /// Heading of the ranking on the year page.
    pub title: &'static str,
    /// What the value column is headed.
    pub heading: &'static str,
    /// The figure ranked; with `per`, its share of that figure (a percentage).
    pub measure: Measure,
    /// The figure `measure` is taken as a share of; `None` ranks `measure` itself.
    pub per: Option<Measure>,
}

/// One of the six official sections.
#[derive(Debug)]
pub struct Section {
    /// 1-based position; also the Chinese ordinal in the title.
    pub number: u8,
    /// Stable fragment id on the report page.
    pub anchor: &'static str,
    /// The template's title, e.g. `二、主动公开政府信息情况`.
    pub title: &'static str,
    /// The longer title many reports use; accepted as the same section.
    pub long_title: Option<&'static str>,
    /// The statistics table printed in this section, by [`Table::key`].
    pub table: Option<&'static str>,
    /// What the section reports, in one line, after the format notice; shown to
    /// authors in the report skeleton `portal new` writes.
    pub hint: &'static str,
}

/// A statistics table: one or more blocks of cells.
#[derive(Debug)]
pub struct Table {
    /// The TOML table in `data.toml` that holds the figures, e.g. `requests`.
    pub key: &'static str,
    /// Short name used in messages and open data, e.g. `表三`.
    pub name: &'static str,
    /// The section the table belongs to.
    pub section: u8,
    /// The blocks, top to bottom as printed.
    pub blocks: &'static [Block],
}

/// A rectangular grid with a column header tree and a row header tree.
///
/// Table 二 is stacked blocks (2021: 第二十条第（一）（五）（六）（八）项; 2019 adds
/// （九）); tables 三 and 四 are one block each.
#[derive(Debug)]
pub struct Block {
    /// Caption of the block, e.g. `第二十条第（一）项`.
    pub caption: Option<&'static str>,
    /// Text of the top-left cell above the row headers.
    pub corner: Option<&'static str>,
    /// Column header tree, left to right.
    pub columns: &'static [Header],
    /// Row header tree. Empty means one unlabelled row (table 四).
    pub rows: &'static [Header],
    /// How `data.toml` spells the figures of this block.
    pub entries: EntryShape,
    /// The unit of every cell whose headers name none ([`Header::unit`]); a
    /// cell's own unit is [`Block::unit_at`].
    pub default_unit: Unit,
}

/// How the cells of a block are grouped into TOML entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryShape {
    /// One key per leaf row; its value lists the row's cells left to right.
    ByRow,
    /// One key per lowest column group; its value lists that group's cells
    /// (used by table 四, which has a single row).
    ByColumnGroup,
}

/// The kind of number a cell holds: what R5 accepts in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A non-negative count (件).
    Count,
    /// A count that may be negative: a change over the year (2019: 本年增/减).
    SignedCount,
    /// A non-negative amount in 万元 with at most [`AMOUNT_DECIMALS`] decimals.
    Amount,
}

impl Unit {
    /// What a figure of this unit must be, as R5 says when it is not.
    pub(crate) const fn expected(self) -> &'static str {
        match self {
            Unit::Count => "应为非负整数（件数）",
            Unit::SignedCount => "应为整数（件数；减少时写负数，例如 -2）",
            Unit::Amount => "应为不小于 0 的金额数字（单位：万元），例如 0 或 12.5",
        }
    }
}

/// Decimal places kept for amounts; real reports print up to six (5949.088667 万元).
pub(crate) const AMOUNT_DECIMALS: u32 = 6;

/// A node of a header tree.
#[derive(Debug)]
pub struct Header {
    /// Key segment; a leaf's full key joins the segments of its ancestors with `.`.
    pub key: &'static str,
    /// The official wording, reproduced exactly on the site.
    pub label: &'static str,
    /// The headers below this one; empty for a leaf.
    pub children: &'static [Header],
    /// A total that `data.toml` may leave out; it is then computed by the rule
    /// that defines it.
    pub total: bool,
    /// The unit of every cell under this header, where it is not the block's
    /// ([`Block::default_unit`]).
    pub unit: Option<Unit>,
}

impl Header {
    /// The same header, its cells in `unit`.
    pub(crate) const fn in_unit(self, unit: Unit) -> Header {
        Header { unit: Some(unit), ..self }
    }
}

/// Which way a rule runs through a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// The equation holds in every column; operands select rows.
    EachColumn,
    /// The equation holds in every row; operands select columns.
    EachRow,
}

/// A consistency rule: the sum of `lhs` equals the sum of `rhs`, along `axis`.
///
/// Operands are leaf keys of the other axis; `key.*` stands for every leaf under
/// `key`.
#[derive(Debug, Clone, Copy)]
pub struct SumRule {
    /// Rule id as in `docs/check.md` (R1–R4).
    pub id: RuleId,
    /// The table it checks, by [`Table::key`].
    pub table: &'static str,
    /// Index of the block within that table.
    pub block: usize,
    /// Whether the equation is checked in every column or in every row.
    pub axis: Axis,
    /// Operands summed on the left side.
    pub lhs: &'static [&'static str],
    /// Operands summed on the right side.
    pub rhs: &'static [&'static str],
    /// The rule in the format's own words, shown with every violation.
    pub statement: &'static str,
}

/// A rule between consecutive years of one agency: `this` (year Y) =
/// `previous` (year Y−1) + Σ `plus_previous` (Y−1) + Σ `plus` (Y) − Σ `minus` (Y),
/// along `axis`.
///
/// A rule belongs to year Y's format; when year Y−1 follows another format, its
/// operands are that format's cells with the same keys ([`CrossFormatLine`]),
/// and a line whose cells it lacks is not checked.
#[derive(Debug)]
pub struct CrossYearRule {
    /// Rule id as in `docs/check.md` (R6, R7).
    pub id: RuleId,
    /// The table it checks, in both years, by [`Table::key`].
    pub table: &'static str,
    /// Index of the block within that table.
    pub block: usize,
    /// Whether the equation is checked in every column or in every row.
    pub axis: Axis,
    /// Operand for year Y's figure, the one the rule predicts.
    pub this: &'static str,
    /// Operand for year Y−1's figure it starts from.
    pub previous: &'static str,
    /// Operands of year Y−1 added: a change that last year's report gives
    /// beside the figure it changes (2019: 上一年项目数量 and 本年增/减).
    pub plus_previous: &'static [&'static str],
    /// Operands of year Y added.
    pub plus: &'static [&'static str],
    /// Operands of year Y subtracted.
    pub minus: &'static [&'static str],
    /// Legitimately broken at times (a clean-up of old documents): a warning.
    pub warning_only: bool,
    /// The rule in the format's own words, shown with every violation.
    pub statement: &'static str,
}

/// A table cell that the narrative often quotes, and how it is phrased.
///
/// A phrase is a list of fragments that appear in this order within one clause,
/// the last one followed directly by the number (a few connecting words such as
/// 共 or 决定 allowed) and one of `units`.
#[derive(Debug, Clone, Copy)]
pub struct ProseFigure {
    /// The table of the cell, by [`Table::key`].
    pub table: &'static str,
    /// Index of the block within that table.
    pub block: usize,
    /// Row leaf key of the cell, e.g. `carried_over`.
    pub row: &'static str,
    /// Column leaf key of the cell, e.g. `total`.
    pub column: &'static str,
    /// The alternative phrasings, e.g. `["新收", "申请"]` or `["受理", "申请"]`.
    pub phrases: &'static [&'static [&'static str]],
    /// Units the number may be followed by, e.g. `件`.
    pub units: &'static [&'static str],
}

/// Words allowed between a phrase and its number: `现行有效的行政规范性文件共10件`,
/// `新收政府信息公开申请数量共计27件`. Tried in order, up to three: a longer word before its prefix (`共计`
/// before `共`).
pub(crate) const PROSE_CONNECTORS: &[&str] =
    &["继续办理", "数量", "决定", "共计", "合计", "总计", "共", "为", "了", "达"];

impl SumRule {
    /// A rule whose left side is a single total marked [`Header::total`] defines
    /// that total: it is computed from the right side when left out.
    pub(crate) fn defines_total(&self) -> bool {
        self.lhs.len() == 1
    }
}

/// A leaf of a header tree, flattened: its full key and the labels on the way down.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Full key, e.g. `results.withheld.state_secret`.
    pub key: String,
    /// Official labels from the top of the tree down to the leaf.
    pub labels: Vec<&'static str>,
    /// A total that `data.toml` may leave out ([`Header::total`]).
    pub total: bool,
    /// The unit its nearest header that names one names ([`Header::unit`]).
    pub unit: Option<Unit>,
}

impl Leaf {
    /// The official wording of the leaf, its ancestors' labels first.
    pub(crate) fn label(&self) -> String {
        self.labels.join(" ")
    }

    /// The leaf's own label, without its ancestors'.
    pub(crate) fn own_label(&self) -> &'static str {
        self.labels.last().copied().unwrap_or("")
    }
}

/// Where a header tree is, to know it again: its address and length (formats
/// share trees, and a shorter tree could start where a longer one does).
type TreeId = (usize, usize);

fn tree_id(headers: &'static [Header]) -> TreeId {
    (headers.as_ptr() as usize, headers.len())
}

/// The leaves of a header tree of the format, computed once: every stage asks
/// for them for every report. An empty tree has one leaf with an empty key.
fn cached_leaves(headers: &'static [Header]) -> &'static [Leaf] {
    static CACHE: std::sync::RwLock<Vec<(TreeId, &'static [Leaf])>> = std::sync::RwLock::new(Vec::new());
    let id = tree_id(headers);
    let found = CACHE.read().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
    if let Some(leaves) = found {
        return leaves;
    }
    let computed = if headers.is_empty() {
        vec![Leaf { key: String::new(), labels: Vec::new(), total: false, unit: None }]
    } else {
        leaves(headers)
    };
    // A format has a handful of header trees: what is leaked here is bounded.
    let computed: &'static [Leaf] = Box::leak(computed.into_boxed_slice());
    CACHE.write().unwrap_or_else(|p| p.into_inner()).push((id, computed));
    computed
}

/// Flattens a header tree into its leaves, left to right (or top to bottom).
pub(crate) fn leaves(headers: &[Header]) -> Vec<Leaf> {
    fn walk(nodes: &[Header], prefix: &str, unit: Option<Unit>, labels: &mut Vec<&'static str>, out: &mut Vec<Leaf>) {
        for node in nodes {
            let key = join_key(prefix, node.key);
            let unit = node.unit.or(unit);
            labels.push(node.label);
            if node.children.is_empty() {
                out.push(Leaf { key, labels: labels.clone(), total: node.total, unit });
            } else {
                walk(node.children, &key, unit, labels, out);
            }
            labels.pop();
        }
    }
    let mut out = Vec::new();
    walk(headers, "", None, &mut Vec::new(), &mut out);
    out
}

/// The official wording of a cell: its row's labels, then its column's.
pub(crate) fn join_label(block: &Block, row: usize, col: usize) -> String {
    let rows = block.row_leaves();
    let cols = block.column_leaves();
    let mut labels: Vec<&str> = rows.get(row).map(|l| l.labels.clone()).unwrap_or_default();
    labels.extend(cols.get(col).map(|l| l.labels.clone()).unwrap_or_default());
    labels.join(" ")
}

/// Joins key segments; empty segments (an unnamed grouping header) vanish.
pub(crate) fn join_key(prefix: &str, key: &str) -> String {
    match (prefix.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{key}"),
    }
}

/// Depth of a header tree (0 for an empty tree).
pub fn depth(headers: &[Header]) -> usize {
    headers.iter().map(|h| 1 + depth(h.children)).max().unwrap_or(0)
}

/// Number of leaves under a node.
pub fn leaf_count(header: &Header) -> usize {
    if header.children.is_empty() { 1 } else { header.children.iter().map(leaf_count).sum() }
}

/// Indexes of the leaves an operand selects (`key` or `key.*`).
pub(crate) fn select(leaves: &[Leaf], operand: &str) -> Vec<usize> {
    match operand.strip_suffix(".*") {
        Some(prefix) => leaves
            .iter()
            .enumerate()
            .filter(|(_, l)| l.key.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')))
            .map(|(i, _)| i)
            .collect(),
        None => leaves.iter().position(|l| l.key == operand).into_iter().collect(),
    }
}

impl Block {
    /// Whether a cell is a total: its row or its column is one.
    pub(crate) fn is_total(&self, (row, col): (usize, usize)) -> bool {
        self.row_leaves()[row].total || self.column_leaves()[col].total
    }

    /// The unit of the cell at `(row, col)`: its column's, else its row's, else
    /// the block's (a format names a unit on one axis of a cell at most).
    pub fn unit_at(&self, (row, col): (usize, usize)) -> Unit {
        self.cell_unit(&self.row_leaves()[row], &self.column_leaves()[col])
    }

    /// The unit of the cell where the leaves `row` and `column` of this block cross.
    pub fn cell_unit(&self, row: &Leaf, column: &Leaf) -> Unit {
        column.unit.or(row.unit).unwrap_or(self.default_unit)
    }

    /// Column leaves, left to right.
    pub fn column_leaves(&self) -> &'static [Leaf] {
        cached_leaves(self.columns)
    }

    /// Row leaves; a block without row headers has one leaf with an empty key.
    pub fn row_leaves(&self) -> &'static [Leaf] {
        cached_leaves(self.rows)
    }

    /// The TOML entries of this block: each entry's key, its label path, and the
    /// `(row, column)` cells it lists, in order. Made once per block, as the
    /// leaves are: every report's `data.toml` is read against them.
    pub(crate) fn entries(&self) -> &'static [Entry] {
        type Cache = Vec<((TreeId, TreeId, EntryShape), &'static [Entry])>;
        static CACHE: std::sync::RwLock<Cache> = std::sync::RwLock::new(Vec::new());
        let id = (tree_id(self.rows), tree_id(self.columns), self.entries);
        let found = CACHE.read().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
        if let Some(entries) = found {
            return entries;
        }
        // A format has a handful of blocks: what is leaked here is bounded.
        let made: &'static [Entry] = Box::leak(self.make_entries().into_boxed_slice());
        CACHE.write().unwrap_or_else(|p| p.into_inner()).push((id, made));
        made
    }

    fn make_entries(&self) -> Vec<Entry> {
        let rows = self.row_leaves();
        let cols = self.column_leaves();
        match self.entries {
            EntryShape::ByRow => rows
                .iter()
                .enumerate()
                .map(|(r, row)| Entry {
                    key: row.key.clone(),
                    labels: row.labels.clone(),
                    cells: (0..cols.len()).map(|c| (r, c)).collect(),
                    optional: row.total,
                })
                .collect(),
            EntryShape::ByColumnGroup => {
                // Group consecutive leaf columns by their parent key.
                let mut out: Vec<Entry> = Vec::new();
                for (c, col) in cols.iter().enumerate() {
                    let parent = col.key.rsplit_once('.').map_or("", |(p, _)| p);
                    match out.last_mut() {
                        Some(e) if e.key == parent => e.cells.push((0, c)),
                        _ => out.push(Entry {
                            key: parent.to_owned(),
                            labels: col.labels[..col.labels.len() - 1].to_vec(),
                            cells: vec![(0, c)],
                            optional: false,
                        }),
                    }
                }
                out
            }
        }
    }
}

/// One key of `data.toml` and the cells its value lists.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The TOML key: a leaf row's key, or a column group's, e.g. `litigation.direct`.
    pub key: String,
    /// Official labels of that row or column group, from the top of the tree down.
    pub labels: Vec<&'static str>,
    /// The `(row, column)` cells the value lists, in order.
    pub cells: Vec<(usize, usize)>,
    /// The whole entry may be left out (a total row, computed instead).
    pub optional: bool,
}

impl Format {
    pub(crate) fn table(&self, key: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.key == key)
    }

    /// The statement of a rule (sum or cross-year) by id.
    pub(crate) fn rule_statement(&self, id: RuleId) -> Option<&'static str> {
        self.rules
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.statement)
            .or_else(|| self.cross_year.iter().find(|r| r.id == id).map(|r| r.statement))
    }

    /// The rules a report's waivers may name: the sum and cross-year rules and
    /// `summary`, in that order. Not R5 (a value that is not a number has
    /// nothing to publish) nor R8 (a warning already).
    pub(crate) fn waivable(&self) -> Vec<RuleId> {
        let mut out: Vec<RuleId> =
            self.rules.iter().map(|r| r.id).chain(self.cross_year.iter().map(|r| r.id)).collect();
        out.push(RuleId::Summary);
        out.dedup();
        out
    }

    /// The section a heading text names, by either of its official titles.
    pub fn section_by_title(&self, text: &str) -> Option<&Section> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        self.sections.iter().find(|s| s.title == text || s.long_title == Some(text.as_str()))
    }
}

#[cfg(test)]
mod tests;
