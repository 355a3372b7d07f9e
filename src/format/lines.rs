//! A rule expanded over a block's header trees: the concrete cells of each
//! line (column or row) it runs through.

use super::{Axis, Block, CellAt, CrossYearRule, Format, SumRule, select};

/// The concrete cells of one instance of a rule: one column (or row) of the block.
#[derive(Debug)]
pub(crate) struct RuleLine {
    /// Index of the column (for [`Axis::EachColumn`]) or row.
    pub along: usize,
    pub lhs: Vec<(usize, usize)>,
    pub rhs: Vec<(usize, usize)>,
}

/// The lines `rule` runs through in `block`, worked out once per rule: every
/// report's totals are completed and checked through them.
pub(crate) fn rule_lines(rule: &'static SumRule, block: &'static Block) -> &'static [RuleLine] {
    type Key = (usize, usize);
    static CACHE: std::sync::RwLock<Vec<(Key, &'static [RuleLine])>> = std::sync::RwLock::new(Vec::new());
    let key = (std::ptr::from_ref(rule) as usize, std::ptr::from_ref(block) as usize);
    let found = CACHE.read().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    if let Some(lines) = found {
        return lines;
    }
    // A format has a few dozen rules: what is leaked here is bounded.
    let lines: &'static [RuleLine] = Box::leak(expand(rule, block).into_boxed_slice());
    CACHE.write().unwrap_or_else(|p| p.into_inner()).push((key, lines));
    lines
}

fn expand(rule: &SumRule, block: &Block) -> Vec<RuleLine> {
    let rows = block.row_leaves();
    let cols = block.column_leaves();
    let (operands, count) = match rule.axis {
        Axis::EachColumn => (&rows, cols.len()),
        Axis::EachRow => (&cols, rows.len()),
    };
    let pick = |side: &[&str]| -> Vec<usize> { side.iter().flat_map(|op| select(operands, op)).collect() };
    let (lhs, rhs) = (pick(rule.lhs), pick(rule.rhs));
    let cell = |along: usize, i: usize| match rule.axis {
        Axis::EachColumn => (i, along),
        Axis::EachRow => (along, i),
    };
    (0..count)
        .map(|along| RuleLine {
            along,
            lhs: lhs.iter().map(|&i| cell(along, i)).collect(),
            rhs: rhs.iter().map(|&i| cell(along, i)).collect(),
        })
        .collect()
}

/// The concrete cells of one instance of a cross-year rule: `this` (year Y) =
/// `previous` (year Y−1) + Σ `plus_previous` (Y−1) + Σ `plus` (Y) − Σ `minus` (Y).
#[derive(Debug)]
pub(crate) struct CrossYearLine {
    /// Index of the column (for [`Axis::EachColumn`]) or row.
    pub along: usize,
    pub this: (usize, usize),
    pub previous: (usize, usize),
    /// Cells of year Y−1's grid, added to `previous`.
    pub plus_previous: Vec<(usize, usize)>,
    pub plus: Vec<(usize, usize)>,
    pub minus: Vec<(usize, usize)>,
}

impl CrossYearLine {
    /// Every line a cross-year rule runs through; empty when an operand selects nothing.
    pub(crate) fn all(rule: &CrossYearRule, block: &Block) -> Vec<CrossYearLine> {
        let (rows, cols) = (block.row_leaves(), block.column_leaves());
        let (operands, count) = match rule.axis {
            Axis::EachColumn => (&rows, cols.len()),
            Axis::EachRow => (&cols, rows.len()),
        };
        let pick = |op: &str| select(operands, op);
        let cell = |along: usize, i: usize| match rule.axis {
            Axis::EachColumn => (i, along),
            Axis::EachRow => (along, i),
        };
        let (Some(&this), Some(&previous)) = (pick(rule.this).first(), pick(rule.previous).first()) else {
            return Vec::new();
        };
        let side = |ops: &[&str]| -> Vec<usize> { ops.iter().flat_map(|op| pick(op)).collect() };
        let (plus_previous, plus, minus) = (side(rule.plus_previous), side(rule.plus), side(rule.minus));
        (0..count)
            .map(|along| CrossYearLine {
                along,
                this: cell(along, this),
                previous: cell(along, previous),
                plus_previous: plus_previous.iter().map(|&i| cell(along, i)).collect(),
                plus: plus.iter().map(|&i| cell(along, i)).collect(),
                minus: minus.iter().map(|&i| cell(along, i)).collect(),
            })
            .collect()
    }
}

/// A cross-year rule's cells when year Y−1's report may follow another format
/// than year Y's: year Y's cells in `now`, year Y−1's in `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CrossFormatLine {
    /// Index of the column (for [`Axis::EachColumn`]) or row, in year Y's block.
    pub along: usize,
    /// Year Y's figure the rule predicts.
    pub this: CellAt,
    /// Year Y's cells added and subtracted.
    pub plus: Vec<CellAt>,
    pub minus: Vec<CellAt>,
    /// Year Y−1's figure it starts from, in `before`.
    pub previous: CellAt,
    /// Year Y−1's cells added, in `before`.
    pub plus_previous: Vec<CellAt>,
}

impl CrossFormatLine {
    /// Every line of `rule`, a rule of `now` (year Y's format), whose year Y−1
    /// cells `before` has too, matched by [`CellKey`](super::CellKey): the rule
    /// holds across the change of format where its cells exist in both, and a
    /// line without a counterpart is not checked. With `before` the same format
    /// as `now`, these are [`CrossYearLine::all`]'s lines.
    pub(crate) fn all(now: &Format, rule: &CrossYearRule, before: &Format) -> Vec<CrossFormatLine> {
        let Some(t) = now.table_ix(rule.table) else { return Vec::new() };
        let Some(block) = now.table_at(t).blocks.get(rule.block) else { return Vec::new() };
        let here = |cell: (usize, usize)| CellAt::new(t, rule.block, cell);
        let there = |cell: (usize, usize)| now.counterpart(here(cell), before);
        CrossYearLine::all(rule, block)
            .into_iter()
            .filter_map(|line| {
                Some(CrossFormatLine {
                    along: line.along,
                    this: here(line.this),
                    plus: line.plus.iter().map(|&c| here(c)).collect(),
                    minus: line.minus.iter().map(|&c| here(c)).collect(),
                    previous: there(line.previous)?,
                    plus_previous: line.plus_previous.iter().map(|&c| there(c)).collect::<Option<_>>()?,
                })
            })
            .collect()
    }
}
