//! Open data: every report's figures as `data.json` and `data.csv`, with the
//! official labels beside stable keys.

use serde::Serialize;

use crate::format::Format;
use crate::model::{Agency, Number, Report};

#[derive(Serialize)]
pub struct ReportData<'a> {
    pub agency: &'a str,
    pub agency_name: &'a str,
    pub year: u16,
    pub title: &'a str,
    pub published: String,
    pub format: &'static str,
    pub cells: Vec<CellData>,
}

/// One figure. `row` is empty for the single-row table 四.
#[derive(Serialize)]
pub struct CellData {
    pub table: &'static str,
    pub table_name: &'static str,
    pub block: Option<&'static str>,
    pub row: String,
    pub row_label: String,
    pub column: String,
    pub column_label: String,
    pub value: serde_json::Value,
    /// True where the total was left out of `data.toml` and computed.
    pub computed: bool,
}

pub fn report_data<'a>(format: &Format, agency: &'a Agency, report: &'a Report) -> ReportData<'a> {
    let mut cells = Vec::new();
    for (t, table) in format.tables.iter().enumerate() {
        for (b, block) in table.blocks.iter().enumerate() {
            let grid = report.figures.grid(t, b);
            let rows = block.row_leaves();
            let cols = block.column_leaves();
            for (r, row) in rows.iter().enumerate() {
                for (c, col) in cols.iter().enumerate() {
                    let Some(cell) = grid.get(r, c) else { continue };
                    cells.push(CellData {
                        table: table.key,
                        table_name: table.name,
                        block: block.caption,
                        row: row.key.clone(),
                        row_label: row.label(),
                        column: col.key.clone(),
                        column_label: col.label(),
                        value: json_number(cell.value),
                        computed: cell.origin == crate::model::Origin::Computed,
                    });
                }
            }
        }
    }
    ReportData {
        agency: &agency.slug,
        agency_name: &agency.info.name,
        year: report.year,
        title: &report.title,
        published: report.date.to_string(),
        format: format.notice,
        cells,
    }
}

fn json_number(n: Number) -> serde_json::Value {
    match n {
        Number::Count(c) => c.into(),
        // The shortest f64 text of an amount with ≤ 6 decimals is its exact decimal text.
        Number::Amount(_) => n.to_string().parse::<f64>().map_or(serde_json::Value::Null, Into::into),
    }
}

pub fn to_json(data: &ReportData<'_>) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(data).unwrap_or_default();
    out.push(b'\n');
    out
}

/// CSV with a UTF-8 BOM, so spreadsheet software shows the Chinese labels.
pub fn to_csv(data: &ReportData<'_>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = ["机构", "年度", "表格", "分项", "行代码", "行", "列代码", "列", "数值"];
    let mut ok = w.write_record(header).is_ok();
    for c in &data.cells {
        let year = data.year.to_string();
        let value = match &c.value {
            serde_json::Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        ok &= w
            .write_record([
                data.agency_name,
                &year,
                c.table_name,
                c.block.unwrap_or(""),
                &c.row,
                &c.row_label,
                &c.column,
                &c.column_label,
                &value,
            ])
            .is_ok();
    }
    // Writing into a Vec cannot fail; an empty file would be caught by the link check.
    if ok { w.into_inner().unwrap_or_default() } else { Vec::new() }
}
