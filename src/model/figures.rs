//! A report's figures: one grid of cells per block of the format's tables,
//! each cell with its value and where it came from. Cells are kept packed, a
//! private detail of [`Grid`].

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::format::{self, CellAt, Format, TableIx, Unit, rule_lines};

/// A figure: a count of cases, a change in a count, or an amount in 万元 kept exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Number {
    /// A whole count (件, 条, …).
    Count(u64),
    /// Millionths of a 万元 (see [`format::AMOUNT_DECIMALS`]).
    Amount(u64),
    /// A change in a count over the year, negative for fewer ([`Unit::SignedCount`]).
    Signed(i64),
}

impl Number {
    pub(crate) fn zero(unit: Unit) -> Self {
        match unit {
            Unit::Count => Number::Count(0),
            Unit::SignedCount => Number::Signed(0),
            Unit::Amount => Number::Amount(0),
        }
    }

    /// The raw integer, in the unit's smallest step, for what only sizes make
    /// sense for (charts, rankings, balancing a sum rule): those never select a
    /// change (a format test holds every format to it), and a negative change
    /// reads as 0.
    pub(crate) fn raw(self) -> u64 {
        match self {
            Number::Count(n) | Number::Amount(n) => n,
            Number::Signed(n) => u64::try_from(n).unwrap_or(0),
        }
    }

    /// The value in the unit's smallest step, with its sign: what cross-year
    /// rules compute with, where a count and a change meet.
    pub(crate) fn steps(self) -> i128 {
        match self {
            Number::Count(n) | Number::Amount(n) => i128::from(n),
            Number::Signed(n) => i128::from(n),
        }
    }

    /// The figure of `unit` that is `steps` of its smallest step; `None` when
    /// the unit cannot hold it (a negative count, say).
    pub(crate) fn from_steps(unit: Unit, steps: i128) -> Option<Number> {
        match unit {
            Unit::Count => u64::try_from(steps).ok().map(Number::Count),
            Unit::SignedCount => i64::try_from(steps).ok().map(Number::Signed),
            Unit::Amount => u64::try_from(steps).ok().map(Number::Amount),
        }
    }

    /// R5 for a whole number of `unit` written in `radix` (TOML allows `0x`,
    /// `0o`, `0b`): a count is never negative; a change may be.
    pub(crate) fn whole(unit: Unit, digits: &str, radix: u32) -> Result<Number, String> {
        let unsigned = digits.strip_prefix('-').unwrap_or(digits).trim_start_matches('+');
        let negative = digits.starts_with('-');
        if negative && unit != Unit::SignedCount {
            return Err("件数不能为负数".to_owned());
        }
        let n = u64::from_str_radix(unsigned, radix).map_err(|_| "数字太大".to_owned())?;
        let steps = if negative { -i128::from(n) } else { i128::from(n) };
        Number::from_steps(unit, steps).ok_or_else(|| "数字太大".to_owned())
    }

    /// The absolute difference, in the unit of `a` (a change's, as a count).
    pub(crate) fn difference(a: Number, b: Number) -> Number {
        let d = u64::try_from((a.steps() - b.steps()).unsigned_abs()).unwrap_or(u64::MAX);
        match a {
            Number::Count(_) | Number::Signed(_) => Number::Count(d),
            Number::Amount(_) => Number::Amount(d),
        }
    }

    pub(crate) fn checked_add(self, other: Number) -> Option<Number> {
        match (self, other) {
            (Number::Count(a), Number::Count(b)) => a.checked_add(b).map(Number::Count),
            (Number::Amount(a), Number::Amount(b)) => a.checked_add(b).map(Number::Amount),
            (Number::Signed(a), Number::Signed(b)) => a.checked_add(b).map(Number::Signed),
            _ => None,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::Count(n) => f.write_str(itoa::Buffer::new().format(n)),
            Number::Signed(n) => f.write_str(itoa::Buffer::new().format(n)),
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
    /// The figure, in its cell's unit ([`format::Block::unit_at`]).
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
/// report. The low 32 bits hold the value (a change as an `i32`), or, with
/// `LARGE`, its index in the grid's `large` (a change as its `i64` bits); the
/// high 32, from the top: present, amount, large, two bits of origin (given,
/// computed, summed), signed, and a given cell's place in `data.toml`: 6 bits
/// of length and 20 of start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Packed(u64);

impl Packed {
    const PRESENT: u64 = 1 << 63;
    const AMOUNT: u64 = 1 << 62;
    const LARGE: u64 = 1 << 61;
    const ORIGIN_SHIFT: u32 = 59;
    const SIGNED: u64 = 1 << 58;
    const LEN_SHIFT: u32 = 52;
    const LEN_MAX: u64 = (1 << 6) - 1;
    const START_SHIFT: u32 = 32;
    const START_MAX: u64 = (1 << 20) - 1;

    /// The value's low 32 bits when it fits them, else `None` (it goes to `large`).
    fn small(value: Number) -> Option<u32> {
        match value {
            Number::Count(n) | Number::Amount(n) => u32::try_from(n).ok(),
            // Two's complement: unpacking sign-extends it again.
            Number::Signed(n) => i32::try_from(n).ok().map(|n| n as u32),
        }
    }

    /// The value as kept in `large`.
    fn wide(value: Number) -> u64 {
        match value {
            Number::Count(n) | Number::Amount(n) => n,
            Number::Signed(n) => n as u64,
        }
    }

    /// `value` is the packed value, or the index of a large one.
    fn pack(cell: &Cell, value: u32, large: bool) -> Self {
        let mut bits = Self::PRESENT | u64::from(value);
        match cell.value {
            Number::Amount(_) => bits |= Self::AMOUNT,
            Number::Signed(_) => bits |= Self::SIGNED,
            Number::Count(_) => {}
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
        let is_large = bits & Self::LARGE != 0;
        let raw = if is_large { large.get(low as usize).copied().unwrap_or_default() } else { low };
        let value = if bits & Self::AMOUNT != 0 {
            Number::Amount(raw)
        } else if bits & Self::SIGNED != 0 {
            // A large change keeps its i64 bits; a small one its i32 bits.
            Number::Signed(if is_large { raw as i64 } else { i64::from(low as u32 as i32) })
        } else {
            Number::Count(raw)
        };
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
        self.cells.get(self.at(row, col)?).and_then(|p| p.unpack(&self.large))
    }

    /// Where cell (`row`, `col`) is in `cells`; `None` outside the grid. A
    /// column past the last must not wrap onto the next row.
    fn at(&self, row: usize, col: usize) -> Option<usize> {
        (row < self.rows && col < self.cols).then(|| row * self.cols + col)
    }

    pub(crate) fn set(&mut self, row: usize, col: usize, cell: Cell) {
        let Some((at, &old)) = self.at(row, col).and_then(|at| Some((at, self.cells.get(at)?))) else { return };
        let packed = match Packed::small(cell.value) {
            Some(small) => Packed::pack(&cell, small, false),
            None => {
                // A large value replacing a large value takes its slot.
                let slot = if old.0 & Packed::LARGE != 0 {
                    (old.0 & u64::from(u32::MAX)) as usize
                } else {
                    self.large.push(0);
                    self.large.len() - 1
                };
                self.large[slot] = Packed::wide(cell.value);
                Packed::pack(&cell, u32::try_from(slot).unwrap_or(u32::MAX), true)
            }
        };
        if let Some(slot) = self.cells.get_mut(at) {
            *slot = packed;
        }
    }

    /// The value of the cell at `row`, `col`; `None` when the cell has none.
    pub fn value(&self, row: usize, col: usize) -> Option<Number> {
        self.get(row, col).map(|c| c.value)
    }

    /// The sum of `cells` of this grid of `block`, in their unit (that of the
    /// first, or the block's for none); `None` when one is missing, their units
    /// differ, or the sum overflows.
    pub(crate) fn sum(&self, block: &format::Block, mut cells: impl Iterator<Item = (usize, usize)>) -> Option<Number> {
        let Some(first) = cells.next() else { return Some(Number::zero(block.default_unit)) };
        let start = self.value(first.0, first.1)?;
        cells.try_fold(start, |acc, (r, c)| acc.checked_add(self.value(r, c)?))
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
                        h.write_u8(match cell.value {
                            Number::Count(_) => 0,
                            Number::Amount(_) => 1,
                            Number::Signed(_) => 2,
                        });
                        h.write_u64(Packed::wide(cell.value));
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
        grid.sum(block, rs.iter().flat_map(|&r| cs.iter().map(move |&c| (r, c))))
    }

    /// Cell-by-cell sum of several reports' figures (a summary report), every
    /// cell marked [`Origin::Summed`]. A cell missing from any of them, or one
    /// that would overflow, stays empty.
    pub(crate) fn sum<'a>(format: &Format, parts: impl IntoIterator<Item = &'a Figures>) -> Figures {
        let mut out = Figures::empty(format);
        let mut totals: Vec<Vec<Vec<Option<Number>>>> =
            format.tables.iter().map(|t| t.blocks.iter().map(zeros).collect()).collect();
        /// Every cell of a block at zero, row-major, each in its own unit.
        fn zeros(b: &format::Block) -> Vec<Option<Number>> {
            let cols = b.column_leaves().len();
            (0..b.row_leaves().len() * cols).map(|i| Some(Number::zero(b.unit_at((i / cols, i % cols))))).collect()
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
                for line in rule_lines(rule, block) {
                    let [target] = line.lhs[..] else { continue };
                    if grid.get(target.0, target.1).is_some() {
                        continue;
                    }
                    if let Some(value) = grid.sum(block, line.rhs.iter().copied()) {
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
    use crate::format::CrossFormatLine;
    use crate::format::FORMAT_2021;

    #[test]
    fn a_packed_cell_is_the_cell() {
        let cells = [
            Cell { value: Number::Count(u64::MAX >> 1), origin: Origin::Given(12..19) },
            Cell { value: Number::Amount(1_480_000), origin: Origin::Computed },
            Cell { value: Number::Count(0), origin: Origin::Summed },
            Cell { value: Number::Count(7), origin: Origin::Given(0..0) },
            Cell { value: Number::Amount(u64::from(u32::MAX) + 1), origin: Origin::Given(1_000_000..1_000_063) },
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
        assert_eq!(grid.get(1, 0).map(|c| c.origin), Some(Origin::Given(5..68)));
        // A column past the last is outside the grid: not the next row's first cell.
        assert_eq!(grid.get(0, 2), None);
        grid.set(0, 2, Cell { value: Number::Count(9), origin: Origin::Computed });
        assert_eq!(grid.value(1, 0), Some(Number::Count(1)), "the next row is untouched");
        assert_eq!(grid.get(3, 0), None);
        assert_eq!(Grid::new(1, 1).get(0, 0), None);
        assert_eq!(std::mem::size_of::<Packed>(), 8);
    }

    #[test]
    fn a_packed_change_keeps_its_sign() {
        let values = [0, -1, 1, i64::from(i32::MIN), i64::from(i32::MAX), i64::from(i32::MIN) - 1, i64::MIN, i64::MAX];
        let mut grid = Grid::new(1, values.len());
        for (c, &n) in values.iter().enumerate() {
            grid.set(0, c, Cell { value: Number::Signed(n), origin: Origin::Given(3..5) });
        }
        for (c, &n) in values.iter().enumerate() {
            assert_eq!(grid.get(0, c), Some(Cell { value: Number::Signed(n), origin: Origin::Given(3..5) }), "{n}");
        }
        // Three did not fit 32 bits; a count beside them is still a count.
        assert_eq!(grid.large.len(), 3);
        grid.set(0, 0, Cell { value: Number::Count(u64::from(u32::MAX)), origin: Origin::Summed });
        assert_eq!(grid.value(0, 0), Some(Number::Count(u64::from(u32::MAX))));
        assert_eq!(Number::Signed(-3).to_string(), "-3");
    }

    #[test]
    fn whole_numbers_are_signed_only_where_the_unit_is() {
        assert_eq!(Number::whole(Unit::Count, "12", 10), Ok(Number::Count(12)));
        assert_eq!(Number::whole(Unit::Count, "+12", 10), Ok(Number::Count(12)));
        assert_eq!(Number::whole(Unit::Count, "ff", 16), Ok(Number::Count(255)));
        assert_eq!(Number::whole(Unit::SignedCount, "-12", 10), Ok(Number::Signed(-12)));
        assert_eq!(Number::whole(Unit::SignedCount, "12", 10), Ok(Number::Signed(12)));
        assert_eq!(Number::whole(Unit::SignedCount, "-9223372036854775808", 10), Ok(Number::Signed(i64::MIN)));
        for bad in ["-1", "-0", "1.5", "", "十", "18446744073709551616"] {
            assert!(Number::whole(Unit::Count, bad, 10).is_err(), "{bad}");
        }
        for bad in ["9223372036854775808", "-9223372036854775809", "1.5", "--1"] {
            assert!(Number::whole(Unit::SignedCount, bad, 10).is_err(), "{bad}");
        }
        assert_eq!(Number::from_steps(Unit::Count, -1), None);
        assert_eq!(Number::from_steps(Unit::Amount, 1_500_000), Some(Number::Amount(1_500_000)));
        assert_eq!(Number::from_steps(Unit::SignedCount, -1), Some(Number::Signed(-1)));
        assert_eq!(Number::difference(Number::Signed(-2), Number::Signed(3)), Number::Count(5));
        assert_eq!(Number::Signed(-2).checked_add(Number::Signed(3)), Some(Number::Signed(1)));
        assert_eq!(Number::Signed(-2).checked_add(Number::Count(3)), None);
        assert_eq!(Number::Signed(-2).raw(), 0);
    }

    #[test]
    fn a_mixed_block_sums_each_cell_in_its_own_unit() {
        let format = &crate::format::FORMAT_2019;
        let t = format.table_ix("active").unwrap();
        let (items, procurement) = (&format.table_at(t).blocks[1], &format.table_at(t).blocks[4]);
        let mut figures = Figures::empty(format);
        let given = |value| Cell { value, origin: Origin::Given(0..0) };
        for (r, row) in [[40, -3, 100], [10, 2, 5]].iter().enumerate() {
            for (c, &n) in row.iter().enumerate() {
                let value = Number::from_steps(items.unit_at((r, c)), n).unwrap();
                figures.set(CellAt::new(t, 1, (r, c)), given(value));
            }
        }
        figures.set(CellAt::new(t, 4, (0, 0)), given(Number::Count(7)));
        figures.set(CellAt::new(t, 4, (0, 1)), given(Number::Amount(1_250_000)));
        let sum = Figures::sum(format, [&figures, &figures]);
        let grid = sum.grid(t, 1);
        assert_eq!(grid.value(0, 1), Some(Number::Signed(-6)));
        assert_eq!(grid.value(1, 2), Some(Number::Count(10)));
        assert_eq!(sum.grid(t, 4).value(0, 1), Some(Number::Amount(2_500_000)));
        // Cells of different units do not add up.
        assert_eq!(figures.grid(t, 1).sum(items, [(0, 0), (0, 1)].into_iter()), None);
        assert_eq!(figures.grid(t, 4).sum(procurement, [(0, 0)].into_iter()), Some(Number::Count(7)));
        // Year Y−1's side of 上一年项目数量: last year's items and last year's change.
        let rule = format.cross_year.iter().find(|r| r.block == 1).unwrap();
        let lines = CrossFormatLine::all(format, rule, format);
        let carried: Vec<Option<i128>> = lines
            .iter()
            .map(|l| {
                std::iter::once(&l.previous).chain(&l.plus_previous).map(|&at| Some(figures.value(at)?.steps())).sum()
            })
            .collect();
        assert_eq!(carried, [Some(37), Some(12)]);
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
