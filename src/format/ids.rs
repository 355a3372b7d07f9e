//! Typed positions in a format: which of its tables, and which cell of one.
//!
//! A bare `usize` said neither which list it indexed nor whether it had been
//! checked; a [`TableIx`] is only handed out by the [`Format`] it indexes.

use super::{Format, Table};

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

impl Format {
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
