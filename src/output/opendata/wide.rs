//! The bulk CSV, one row per report: what identifies the report, then one
//! column per cell of its format, headed by the cell's stable code; and the
//! codebook (`columns.csv`) that gives every column's official wording.
//!
//! A cell's code joins its table's key, its row's key and its column's key,
//! the keys `data.toml` uses (`requests.results.withheld.state_secret.natural`):
//! it does not change when a label's wording does, and two formats give a cell
//! the same code exactly where their keys agree.

use std::fmt::Write as _;

use super::Identity;
use super::csv::{self, BOM};
use crate::format::{CellAt, Format, Unit, join_key};
use crate::model::Figures;

/// The columns that identify a report, in order, with their Chinese names:
/// the codebook lists them too.
pub(crate) const IDENTITY: [(&str, &str); 9] = [
    ("agency", "机构代码"),
    ("agency_name", "机构名称"),
    ("region", "行政区划"),
    ("parent", "上级机关"),
    ("summary", "汇总级别"),
    ("year", "报告年度"),
    ("format", "格式依据"),
    ("published", "发布日期"),
    ("url", "报告网址"),
];

/// A figure column: a cell of the format and its code.
pub(crate) struct Column {
    pub(crate) code: String,
    pub(crate) at: CellAt,
}

/// Every cell of `format`, in the order the tables are printed (table, block,
/// row, column), with its code.
pub(crate) fn columns(format: &Format) -> Vec<Column> {
    let mut out = Vec::new();
    for (t, table) in format.tables_ix() {
        for (b, block) in table.blocks.iter().enumerate() {
            for (r, row) in block.row_leaves().iter().enumerate() {
                let prefix = join_key(table.key, &row.key);
                for (c, col) in block.column_leaves().iter().enumerate() {
                    out.push(Column { code: join_key(&prefix, &col.key), at: CellAt::new(t, b, (r, c)) });
                }
            }
        }
    }
    out
}

/// A format's bulk CSV: its header, quoted once, and the cells of each row.
pub(crate) struct Wide {
    header: Vec<u8>,
    cells: Vec<CellAt>,
}

impl Wide {
    pub(crate) fn new(format: &Format) -> Self {
        let columns = columns(format);
        let names = IDENTITY.iter().map(|(code, _)| *code).chain(columns.iter().map(|c| c.code.as_str()));
        let mut header = BOM.to_vec();
        header.extend_from_slice(csv::line(names).as_bytes());
        header.push(b'\n');
        Self { header, cells: columns.into_iter().map(|c| c.at).collect() }
    }

    /// The header line, after the byte-order mark.
    pub(crate) fn header(&self) -> &[u8] {
        &self.header
    }

    /// One report's row: its identity, then every cell (empty where the report has no figure).
    pub(crate) fn write_row(&self, out: &mut String, id: &Identity<'_>, figures: &Figures) {
        let year = id.year.to_string();
        let fields = [id.agency, id.agency_name, id.region, id.parent, id.summary, &year, id.format];
        out.push_str(&csv::line(fields.into_iter().chain([id.published.as_str(), &id.url])));
        for &at in &self.cells {
            out.push(',');
            if let Some(value) = figures.value(at) {
                let _ = write!(out, "{value}");
            }
        }
        out.push('\n');
    }
}

/// The columns of `columns.csv`.
const CODEBOOK_HEADER: [&str; 10] =
    ["format", "code", "label", "table", "block", "row_key", "row", "column_key", "column", "unit"];

/// `/data/columns.csv`: every column of every bulk CSV. The identifying
/// columns come first, with an empty `format` (they head every file); then
/// each format's cells, in its files' order.
pub(crate) fn codebook(formats: &[&Format]) -> Vec<u8> {
    let mut out = String::from_utf8_lossy(BOM).into_owned();
    let mut push = |fields: [&str; 10]| {
        out.push_str(&csv::line(fields));
        out.push('\n');
    };
    push(CODEBOOK_HEADER);
    for (code, label) in IDENTITY {
        push(["", code, label, "", "", "", "", "", "", ""]);
    }
    for format in formats {
        for column in columns(format) {
            let table = format.table_at(column.at.table);
            let block = &table.blocks[column.at.block];
            let (row, col) = (&block.row_leaves()[column.at.row], &block.column_leaves()[column.at.col]);
            let (row_label, col_label) = (row.label(), col.label());
            let caption = block.caption.unwrap_or("");
            let label: Vec<&str> =
                [table.name, caption, &row_label, &col_label].into_iter().filter(|s| !s.is_empty()).collect();
            let unit = match block.cell_unit(row, col) {
                Unit::Count | Unit::SignedCount => "件",
                Unit::Amount => "万元",
            };
            let label = label.join(" ");
            push([
                format.notice,
                &column.code,
                &label,
                table.name,
                caption,
                &row.key,
                &row_label,
                &col.key,
                &col_label,
                unit,
            ]);
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::format::FORMAT_2021;
    use crate::output::opendata::tests::TOY;

    /// Every format's codes are unique, and none is an identifying column's name.
    #[test]
    fn codes_are_unique_within_a_format() {
        for format in [&FORMAT_2021, &TOY] {
            let mut seen: HashSet<String> = IDENTITY.iter().map(|(c, _)| (*c).to_owned()).collect();
            for column in columns(format) {
                assert!(seen.insert(column.code.clone()), "{}: {} twice", format.notice, column.code);
            }
        }
    }

    #[test]
    fn codes_join_the_keys_of_table_row_and_column() {
        let codes: Vec<String> = columns(&FORMAT_2021).into_iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), 200);
        assert_eq!(codes[0], "active.rules.issued");
        assert!(codes.contains(&"active.fees.amount".to_owned()));
        assert!(codes.contains(&"requests.new.natural".to_owned()));
        assert!(codes.contains(&"requests.results.withheld.state_secret.org.business".to_owned()));
        // 表四 has no row headers: the row's empty key vanishes.
        assert_eq!(codes.last().unwrap(), "appeals.litigation.after_reconsideration.total");
    }

    /// The columns come from the format's trees, whatever they are: a single
    /// row without items, a block without row headers, an amount.
    #[test]
    fn a_format_of_other_shapes_gets_its_own_columns() {
        let codes: Vec<String> = columns(&TOY).into_iter().map(|c| c.code).collect();
        assert_eq!(codes, ["items.other.count", "items.fees.sum", "outcomes.kept", "outcomes.changed"]);
        let wide = Wide::new(&TOY);
        let header = String::from_utf8(wide.header().to_vec()).unwrap();
        assert!(header.ends_with(",url,items.other.count,items.fees.sum,outcomes.kept,outcomes.changed\n"));
        let book = String::from_utf8(codebook(&[&TOY])).unwrap();
        assert!(
            book.contains("\n示例格式,items.other.count,表甲 其他处理 件数,表甲,,other,其他处理,count,件数,件\n"),
            "{book}"
        );
        assert!(book.contains("\n示例格式,items.fees.sum,表甲 收费 金额,表甲,,fees,收费,sum,金额,万元\n"), "{book}");
        assert!(book.contains("\n示例格式,outcomes.changed,表乙 结果 纠正,表乙,,,,changed,结果 纠正,件\n"), "{book}");
    }
}
