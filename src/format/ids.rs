//! Typed positions in a format: which of its tables, and which cell of one.
//!
//! A bare `usize` said neither which list it indexed nor whether it had been
//! checked; a [`TableIx`] is only handed out by the [`Format`] it indexes. A
//! [`CellKey`] names a cell by what it means, the same in every format that
//! has the cell: the way from a cell of one format to its counterpart in another.

use super::{Format, ProseFigure, Table, Unit, select};

/// One of a format's tables, by its position in [`Format::tables`] (and in
/// everything laid out like it, such as a report's figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableIx(usize);

impl TableIx {
    /// The position in [`Format::tables`], for lists laid out like it.
    pub(crate) fn index(self) -> usize {
        self.0
    }
}

/// A cell of a report's figures: the table, the block within it, and the
/// cell's row and column within that block's grid.
///
/// Ordered table first, then block, row and column: the order the tables
/// are printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellAt {
    /// The table the cell is in.
    pub table: TableIx,
    /// Index of the block within the table.
    pub block: usize,
    /// Row in the block's grid: an index into its row leaves.
    pub row: usize,
    /// Column in the block's grid: an index into its column leaves.
    pub col: usize,
}

impl CellAt {
    /// The cell at `(row, col)` of block `block` of table `table`: rules and
    /// entries name a block's cells as such pairs.
    pub fn new(table: TableIx, block: usize, (row, col): (usize, usize)) -> Self {
        Self { table, block, row, col }
    }
}

/// A cell by its keys: the table's, and the full keys of its row and column
/// leaves (`""` for a block without row headers). Within a format a key names
/// one cell at most; two formats' cells with the same key hold the same figure,
/// which is how cross-year rules and open data follow a cell across formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey<'a> {
    /// [`Table::key`].
    pub table: &'a str,
    /// The row leaf's full key.
    pub row: &'a str,
    /// The column leaf's full key.
    pub column: &'a str,
}

impl Format {
    /// The keys of the cell at `at`; `None` when the format has no such cell.
    pub fn cell_key(&self, at: CellAt) -> Option<CellKey<'static>> {
        let table = self.tables.get(at.table.0)?;
        let block = table.blocks.get(at.block)?;
        let row = block.row_leaves().get(at.row)?;
        let column = block.column_leaves().get(at.col)?;
        Some(CellKey { table: table.key, row: &row.key, column: &column.key })
    }

    /// The cell whose keys are `key`, if the format has it.
    pub fn cell(&self, key: CellKey<'_>) -> Option<CellAt> {
        let t = self.table_ix(key.table)?;
        self.table_at(t).blocks.iter().enumerate().find_map(|(b, block)| {
            let row = block.row_leaves().iter().position(|l| l.key == key.row)?;
            let col = block.column_leaves().iter().position(|l| l.key == key.column)?;
            Some(CellAt::new(t, b, (row, col)))
        })
    }

    /// The cell of `other` that holds the figure `at` holds in this format;
    /// `None` when `other` has no such cell. Within one format, `at` itself.
    pub fn counterpart(&self, at: CellAt, other: &Format) -> Option<CellAt> {
        if std::ptr::eq(self, other) {
            return self.cell_key(at).map(|_| at);
        }
        other.cell(self.cell_key(at)?)
    }

    /// The unit of the cell at `at` ([`Block::unit_at`](super::Block::unit_at)).
    pub fn unit_at(&self, at: CellAt) -> Option<Unit> {
        let block = self.tables.get(at.table.0)?.blocks.get(at.block)?;
        (at.row < block.row_leaves().len() && at.col < block.column_leaves().len())
            .then(|| block.unit_at((at.row, at.col)))
    }

    /// The cell a prose figure names.
    pub(crate) fn prose_cell(&self, figure: &ProseFigure) -> Option<CellAt> {
        let t = self.table_ix(figure.table)?;
        let block = self.table_at(t).blocks.get(figure.block)?;
        let row = *select(block.row_leaves(), figure.row).first()?;
        let col = *select(block.column_leaves(), figure.column).first()?;
        Some(CellAt::new(t, figure.block, (row, col)))
    }

    /// The table whose [`Table::key`] is `key`, if the format has one.
    pub fn table_ix(&self, key: &str) -> Option<TableIx> {
        self.tables.iter().position(|t| t.key == key).map(TableIx)
    }

    /// The table at `t`.
    pub fn table_at(&self, t: TableIx) -> &'static Table {
        &self.tables[t.0]
    }

    /// Every table with its position, in the format's order.
    pub fn tables_ix(&self) -> impl Iterator<Item = (TableIx, &'static Table)> + use<> {
        let tables: &'static [Table] = self.tables;
        tables.iter().enumerate().map(|(i, t)| (TableIx(i), t))
    }
}
