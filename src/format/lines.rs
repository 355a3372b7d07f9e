//! A rule expanded over a block's header trees: the concrete cells of each
//! line (column or row) it runs through.

use super::{Axis, Block, CrossYearRule, SumRule, select};

/// The concrete cells of one instance of a rule: one column (or row) of the block.
#[derive(Debug)]
pub(crate) struct RuleLine {
    /// Index of the column (for [`Axis::EachColumn`]) or row.
    pub along: usize,
    pub lhs: Vec<(usize, usize)>,
    pub rhs: Vec<(usize, usize)>,
}

/// Iterates the lines a rule runs through.
pub(crate) struct RuleLines {
    lines: std::vec::IntoIter<RuleLine>,
}

impl RuleLines {
    pub(crate) fn new(rule: &SumRule, block: &Block) -> Self {
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
        let lines: Vec<RuleLine> = (0..count)
            .map(|along| RuleLine {
                along,
                lhs: lhs.iter().map(|&i| cell(along, i)).collect(),
                rhs: rhs.iter().map(|&i| cell(along, i)).collect(),
            })
            .collect();
        Self { lines: lines.into_iter() }
    }
}

impl Iterator for RuleLines {
    type Item = RuleLine;
    fn next(&mut self) -> Option<RuleLine> {
        self.lines.next()
    }
}

/// The concrete cells of one instance of a cross-year rule: `this` (year Y) =
/// `previous` (year Y−1) + Σ `plus` (Y) − Σ `minus` (Y).
#[derive(Debug)]
pub(crate) struct CrossYearLine {
    /// Index of the column (for [`Axis::EachColumn`]) or row.
    pub along: usize,
    pub this: (usize, usize),
    pub previous: (usize, usize),
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
        let plus: Vec<usize> = rule.plus.iter().flat_map(|op| pick(op)).collect();
        let minus: Vec<usize> = rule.minus.iter().flat_map(|op| pick(op)).collect();
        (0..count)
            .map(|along| CrossYearLine {
                along,
                this: cell(along, this),
                previous: cell(along, previous),
                plus: plus.iter().map(|&i| cell(along, i)).collect(),
                minus: minus.iter().map(|&i| cell(along, i)).collect(),
            })
            .collect()
    }
}
