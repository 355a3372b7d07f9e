//! A report's figures: one grid of cells per block of the format's tables,
//! each cell with its value and where it came from. Cells are kept packed, a
//! private detail of [`Grid`].

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::format::{self, CellAt, Format, RuleLines, TableIx, Unit};

/// A figure: a count of cases, or an amount in 万元 kept exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Number {
    /// A whole count (件, 条, …).
    Count(u64),
    /// Millionths of a 万元 (see [`format::AMOUNT_DECIMALS`]).
    Amount(u64),
}

impl Number {
    pub(crate) fn zero(unit: Unit) -> Self {
        match unit {
            Unit::Count => Number::Count(0),
            Unit::Amount => Number::Amount(0),
        }
    }

    /// The raw integer, in the unit's smallest step.
    pub(crate) fn raw(self) -> u64 {
        match self {
            Number::Count(n) | Number::Amount(n) => n,
        }
    }

    /// The absolute difference, in the same unit.
    pub(crate) fn difference(a: Number, b: Number) -> Number {
        match a {
            Number::Count(x) => Number::Count(x.abs_diff(b.raw())),
            Number::Amount(x) => Number::Amount(x.abs_diff(b.raw())),
        }
    }

    pub(crate) fn checked_add(self, other: Number) -> Option<Number> {
        match (self, other) {
            (Number::Count(a), Number::Count(b)) => a.checked_add(b).map(Number::Count),
            (Number::Amount(a), Number::Amount(b)) => a.checked_add(b).map(Number::Amount),
            _ => None,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::Count(n) => write!(f, "{n}"),
            Number::Amount(n) => {
                let scale = 10u64.pow(format::AMOUNT_DECIMALS);
                let (int, frac) = (n / scale, n % scale);
                if frac == 0 {
                    write!(f, "{int}")
                } else {
                    let digits = format!("{frac:0width$}", width = format::AMOUNT_DECIMALS as usize);
                    write!(f, "{int}.{}", digits.trim_end_matches('0'))
                }
            }
        }
    }
}

/// Where a figure came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Typed in `data.toml`, at this byte span.
    Given(Range<usize>),
    /// A total left out of `data.toml` and computed by its rule.
    Computed,
    /// A summary's figure without a `data.toml`: the sum of its members' figures.
    Summed,
}

/// One figure of a report, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The figure, in its block's unit.
    pub value: Number,
    /// Typed, computed or summed.
    pub origin: Origin,
}

/// The cells of one block, row-major.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grid {
    /// Number of rows: the block's row leaves.
    pub rows: usize,
    /// Number of columns: the block's column leaves.
    pub cols: usize,
    cells: Vec<Packed>,
    /// Values too large for a packed cell's 32 bits: rare, so usually empty.
    large: Vec<u64>,
}

/// A cell packed into one `u64`, since a build holds every figure of every
/// report. The low 32 bits hold the value, or, with `LARGE`,
/// its index in the grid's `large`; the high 32, from the top: present,
/// amount, large, two bits of origin (given, computed, summed), and a given
/// cell's place in `data.toml`: 7 bits of length and 20 of start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Packed(u64);

impl Packed {
    const PRESENT: u64 = 1 << 63;
    const AMOUNT: u64 = 1 << 62;
    const LARGE: u64 = 1 << 61;
    const ORIGIN_SHIFT: u32 = 59;
    const LEN_SHIFT: u32 = 52;
    const LEN_MAX: u64 = (1 << 7) - 1;
    const START_SHIFT: u32 = 32;
    const START_MAX: u64 = (1 << 20) - 1;

    /// `value` is the raw value, or the index of a large one.
    fn pack(cell: &Cell, value: u32, large: bool) -> Self {
        let mut bits = Self::PRESENT | u64::from(value);
        if matches!(cell.value, Number::Amount(_)) {
            bits |= Self::AMOUNT;
        }
        if large {
            bits |= Self::LARGE;
        }
        match &cell.origin {
            Origin::Given(span) => {
                // data.toml files are small: a longer number only shortens a diagnostic's
                // marker, and a file past what 20 bits address has its figures marked at its start.
                let start = u64::try_from(span.start).unwrap_or(u64::MAX);
                let (start, len) = if start > Self::START_MAX {
                    (0, 0)
                } else {
                    (start, u64::try_from(span.len()).unwrap_or(u64::MAX).min(Self::LEN_MAX))
                };
                bits |= (len << Self::LEN_SHIFT) | (start << Self::START_SHIFT);
            }
            Origin::Computed => bits |= 1 << Self::ORIGIN_SHIFT,
            Origin::Summed => bits |= 2 << Self::ORIGIN_SHIFT,
        }
        Self(bits)
    }

    fn unpack(self, large: &[u64]) -> Option<Cell> {
        let bits = self.0;
        if bits & Self::PRESENT == 0 {
            return None;
        }
        let low = bits & u64::from(u32::MAX);
        let raw = if bits & Self::LARGE != 0 { large.get(low as usize).copied().unwrap_or_default() } else { low };
        let value = if bits & Self::AMOUNT != 0 { Number::Amount(raw) } else { Number::Count(raw) };
        let origin = match (bits >> Self::ORIGIN_SHIFT) & 0b11 {
            1 => Origin::Computed,
            2 => Origin::Summed,
            _ => {
                let start = ((bits >> Self::START_SHIFT) & Self::START_MAX) as usize;
                let len = ((bits >> Self::LEN_SHIFT) & Self::LEN_MAX) as usize;
                Origin::Given(start..start + len)
            }
        };
        Some(Cell { value, origin })
    }
}

impl Grid {
    pub(crate) fn new(rows: usize, cols: usize) -> Self {
        Self { rows, cols, cells: vec![Packed::default(); rows * cols], large: Vec::new() }
    }

    pub(crate) fn get(&self, row: usize, col: usize) -> Option<Cell> {
        self.cells.get(row * self.cols + col).and_then(|p| p.unpack(&self.large))
    }

    pub(crate) fn set(&mut self, row: usize, col: usize, cell: Cell) {
        let Some(&old) = self.cells.get(row * self.cols + col) else { return };
        let packed = match u32::try_from(cell.value.raw()) {
            Ok(small) => Packed::pack(&cell, small, false),
            Err(_) => {
                // A large value replacing a large value takes its slot.
                let slot = if old.0 & Packed::LARGE != 0 {
                    (old.0 & u64::from(u32::MAX)) as usize
                } else {
                    self.large.push(0);
                    self.large.len() - 1
                };
                self.large[slot] = cell.value.raw();
                Packed::pack(&cell, u32::try_from(slot).unwrap_or(u32::MAX), true)
            }
        };
        self.cells[row * self.cols + col] = packed;
    }

    /// The value of the cell at `row`, `col`; `None` when the cell has none.
    pub fn value(&self, row: usize, col: usize) -> Option<Number> {
        self.get(row, col).map(|c| c.value)
    }
}

/// The figures of tables 二, 三 and 四, block by block, aligned with
/// [`Format::tables`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    /// One list per table, in [`Format::tables`] order, of one grid per block.
    pub tables: Vec<Vec<Grid>>,
}

impl Figures {
    /// Feeds every figure and where it came from (typed, computed or summed)
    /// to `h`: what the open data shows of them.
    pub(crate) fn fingerprint(&self, h: &mut impl std::hash::Hasher) {
        for grid in self.tables.iter().flatten() {
            h.write_usize(grid.rows);
            h.write_usize(grid.cols);
            for cell in grid.cells.iter().map(|p| p.unpack(&grid.large)) {
                match cell {
                    None => h.write_u8(0),
                    Some(cell) => {
                        h.write_u8(match cell.origin {
                            Origin::Given(_) => 1,
                            Origin::Computed => 2,
                            Origin::Summed => 3,
                        });
                        h.write_u8(matches!(cell.value, Number::Amount(_)).into());
                        h.write_u64(cell.value.raw());
                    }
                }
            }
        }
    }

    /// Empty grids shaped like the format's tables.
    pub(crate) fn empty(format: &Format) -> Self {
        let tables = format
            .tables
            .iter()
            .map(|t| t.blocks.iter().map(|b| Grid::new(b.row_leaves().len(), b.column_leaves().len())).collect())
            .collect();
        Self { tables }
    }

    /// The grids of table `t`, one per block.
    pub(crate) fn grids(&self, t: TableIx) -> &[Grid] {
        &self.tables[t.index()]
    }

    /// The grid of one block of table `t`.
    pub fn grid(&self, t: TableIx, block: usize) -> &Grid {
        &self.tables[t.index()][block]
    }

    /// The grid of one block of table `t`, to fill in.
    pub(crate) fn grid_mut(&mut self, t: TableIx, block: usize) -> &mut Grid {
        &mut self.tables[t.index()][block]
    }

    /// The value of one cell; `None` when it is empty.
    pub(crate) fn value(&self, at: CellAt) -> Option<Number> {
        self.grid(at.table, at.block).value(at.row, at.col)
    }

    /// Sets one cell.
    pub(crate) fn set(&mut self, at: CellAt, cell: Cell) {
        self.grid_mut(at.table, at.block).set(at.row, at.col, cell);
    }

    /// The value of a [`format::Measure`]: the sum of the cells it selects;
    /// `None` when one of them is missing (or the table is not in the format).
    pub(crate) fn measure(&self, format: &Format, measure: &format::Measure) -> Option<Number> {
        let t = format.table_ix(measure.table)?;
        let block = format.table_at(t).blocks.get(measure.block)?;
        let grid = self.tables.get(t.index())?.get(measure.block)?;
        let (rows, cols) = (block.row_leaves(), block.column_leaves());
        let pick = |leaves: &[format::Leaf], ops: &[&str]| -> Vec<usize> {
            ops.iter().flat_map(|op| format::select(leaves, op)).collect()
        };
        let (rs, cs) = (pick(rows, measure.rows), pick(cols, measure.columns));
        rs.iter()
            .flat_map(|&r| cs.iter().map(move |&c| (r, c)))
            .try_fold(Number::zero(block.unit), |acc, (r, c)| acc.checked_add(grid.value(r, c)?))
    }

    /// Cell-by-cell sum of several reports' figures (a summary report), every
    /// cell marked [`Origin::Summed`]. A cell missing from any of them, or one
    /// that would overflow, stays empty.
    pub(crate) fn sum<'a>(format: &Format, parts: impl IntoIterator<Item = &'a Figures>) -> Figures {
        let mut out = Figures::empty(format);
        let mut totals: Vec<Vec<Vec<Option<Number>>>> = format
            .tables
            .iter()
            .map(|t| t.blocks.iter().map(|b| vec![Some(Number::zero(b.unit)); out_len(b)]).collect())
            .collect();
        fn out_len(b: &format::Block) -> usize {
            b.row_leaves().len() * b.column_leaves().len()
        }
        for part in parts {
            for (blocks, grids) in totals.iter_mut().zip(&part.tables) {
                for (cells, grid) in blocks.iter_mut().zip(grids) {
                    for (i, total) in cells.iter_mut().enumerate() {
                        let value = grid.value(i / grid.cols, i % grid.cols);
                        *total = total.and_then(|acc| value.and_then(|v| acc.checked_add(v)));
                    }
                }
            }
        }
        for (blocks, grids) in totals.into_iter().zip(&mut out.tables) {
            for (cells, grid) in blocks.into_iter().zip(grids) {
                let cols = grid.cols;
                for (i, value) in cells.into_iter().enumerate() {
                    if let Some(value) = value {
                        grid.set(i / cols, i % cols, Cell { value, origin: Origin::Summed });
                    }
                }
            }
        }
        out
    }

    /// Fills in totals left out of `data.toml` from the rules that define them.
    ///
    /// A total is computed only when every cell it sums is known, so a missing
    /// figure is reported as missing instead of hiding behind a computed total.
    pub(crate) fn complete_totals(&mut self, format: &Format) {
        // R3's total row feeds R2's total column in the same row; two passes settle it.
        for _ in 0..2 {
            for rule in format.rules.iter().filter(|r| r.defines_total()) {
                let Some(t) = format.table_ix(rule.table) else {
                    continue;
                };
                let block = &format.table_at(t).blocks[rule.block];
                let grid = self.grid_mut(t, rule.block);
                for line in RuleLines::new(rule, block) {
                    let [target] = line.lhs[..] else { continue };
                    if grid.get(target.0, target.1).is_some() {
                        continue;
                    }
                    let sum = line.rhs.iter().try_fold(Number::zero(block.unit), |acc, &(r, c)| {
                        grid.value(r, c).and_then(|v| acc.checked_add(v))
                    });
                    if let Some(value) = sum {
                        grid.set(target.0, target.1, Cell { value, origin: Origin::Computed });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;

    #[test]
    fn a_packed_cell_is_the_cell() {
        let cells = [
            Cell { value: Number::Count(u64::MAX >> 1), origin: Origin::Given(12..19) },
            Cell { value: Number::Amount(1_480_000), origin: Origin::Computed },
            Cell { value: Number::Count(0), origin: Origin::Summed },
            Cell { value: Number::Count(7), origin: Origin::Given(0..0) },
            Cell { value: Number::Amount(u64::from(u32::MAX) + 1), origin: Origin::Given(1_000_000..1_000_127) },
            Cell { value: Number::Count(u64::from(u32::MAX)), origin: Origin::Summed },
        ];
        let mut grid = Grid::new(3, 2);
        for (i, cell) in cells.iter().enumerate() {
            grid.set(i / 2, i % 2, cell.clone());
        }
        for (i, cell) in cells.iter().enumerate() {
            assert_eq!(grid.get(i / 2, i % 2).as_ref(), Some(cell));
        }
        // A large value set again reuses its slot; a small one leaves it.
        grid.set(0, 0, Cell { value: Number::Count(u64::MAX), origin: Origin::Computed });
        assert_eq!(grid.value(0, 0), Some(Number::Count(u64::MAX)));
        assert_eq!(grid.large.len(), 2);
        grid.set(0, 0, Cell { value: Number::Count(3), origin: Origin::Computed });
        assert_eq!(grid.value(0, 0), Some(Number::Count(3)));
        assert_eq!(grid.value(2, 0), Some(Number::Amount(u64::from(u32::MAX) + 1)));
        // Past 1 MiB a figure is marked at the file's start; a long number, shortened.
        grid.set(1, 0, Cell { value: Number::Count(1), origin: Origin::Given(2_000_000..2_000_003) });
        assert_eq!(grid.get(1, 0).map(|c| c.origin), Some(Origin::Given(0..0)));
        grid.set(1, 0, Cell { value: Number::Count(1), origin: Origin::Given(5..500) });
        assert_eq!(grid.get(1, 0).map(|c| c.origin), Some(Origin::Given(5..132)));
        assert_eq!(Grid::new(1, 1).get(0, 0), None);
        assert_eq!(std::mem::size_of::<Packed>(), 8);
    }

    #[test]
    fn amounts_print_without_trailing_zeros() {
        assert_eq!(Number::Amount(5_949_088_667).to_string(), "5949.088667");
        assert_eq!(Number::Amount(1_500_000).to_string(), "1.5");
        assert_eq!(Number::Amount(0).to_string(), "0");
    }

    #[test]
    fn totals_are_computed_when_left_out() {
        let format = &FORMAT_2021;
        let t = format.table_ix("requests").unwrap();
        let mut figures = Figures::empty(format);
        let grid = figures.grid_mut(t, 0);
        let (rows, cols) = (grid.rows, grid.cols);
        let total_row =
            format.table_at(t).blocks[0].row_leaves().iter().position(|l| l.key == "results.total").unwrap();
        for r in 0..rows {
            for c in 0..cols - 1 {
                if r != total_row {
                    grid.set(r, c, Cell { value: Number::Count(1), origin: Origin::Given(0..0) });
                }
            }
        }
        figures.complete_totals(format);
        let grid = figures.grid(t, 0);
        assert_eq!(grid.value(0, cols - 1), Some(Number::Count(6)));
        assert_eq!(grid.value(total_row, 0), Some(Number::Count(21)));
        assert_eq!(grid.value(total_row, cols - 1), Some(Number::Count(126)));
        assert_eq!(grid.get(total_row, cols - 1).unwrap().origin, Origin::Computed);
    }
}
