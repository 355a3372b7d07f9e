//! Open data: every report's figures, per report (`data.json`, `data.csv`
//! beside the page) and in bulk under `/data/` (`reports.csv`, `<year>.csv`,
//! `reports.json`), with `schema.json`, a JSON Schema generated from the format.
//!
//! The JSON is compact: a report's tables are arrays of blocks, a block an
//! array of rows, a row an array of numbers, in the order of the format's header
//! trees. The official labels and stable keys of every row and column are in
//! the schema (`title` and `x-key` of each position), not repeated per cell.
//! The CSV is one line per cell with the labels, for spreadsheets.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::BaseUrl;
use crate::format::{Format, Unit};
use crate::layout::url;
use crate::model::{Agency, Level, Number, Origin, Report, Site};
use crate::summary::Summaries;

/// One report's figures and what identifies it.
#[derive(Serialize)]
pub(crate) struct ReportData<'a> {
    pub agency: &'a str,
    pub agency_name: &'a str,
    pub year: u16,
    pub title: &'a str,
    pub published: String,
    pub url: String,
    pub format: &'static str,
    /// Only for a summary report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<SummaryData<'a>>,
    /// Table key → blocks → rows → numbers.
    pub tables: serde_json::Map<String, Value>,
    /// Totals left out of `data.toml` and computed by their rule: `[table, block, row, column]`.
    pub computed: Vec<(&'static str, usize, usize, usize)>,
}

#[derive(Serialize)]
pub(crate) struct SummaryData<'a> {
    pub level: &'static str,
    /// Members whose reports were summed (folder names).
    pub members: Vec<&'a str>,
    /// Members without a report that year.
    pub missing: Vec<&'a str>,
    /// The figures are the members' sums (no hand-written `data.toml`).
    pub computed: bool,
}

/// The figures of one report.
pub(crate) fn report_data<'a>(
    site: &'a Site,
    summaries: &Summaries,
    agency: &'a Agency,
    report: &'a Report,
) -> ReportData<'a> {
    let format = site.format;
    let mut tables = serde_json::Map::new();
    let mut computed = Vec::new();
    for (t, table) in format.tables_ix() {
        let mut blocks = Vec::new();
        for (b, _) in table.blocks.iter().enumerate() {
            let grid = report.figures.grid(t, b);
            let mut values = Vec::with_capacity(grid.rows);
            for r in 0..grid.rows {
                let mut line = Vec::with_capacity(grid.cols);
                for c in 0..grid.cols {
                    let cell = grid.get(r, c);
                    line.push(cell.as_ref().map_or(Value::Null, |cell| json_number(cell.value)));
                    if cell.is_some_and(|cell| cell.origin == Origin::Computed) {
                        computed.push((table.key, b, r, c));
                    }
                }
                values.push(Value::Array(line));
            }
            blocks.push(Value::Array(values));
        }
        tables.insert(table.key.to_owned(), Value::Array(blocks));
    }
    let index = site.find_agency(&agency.slug);
    let summary = index.and_then(|i| summaries.report(i, report.year)).map(|s| SummaryData {
        level: level_key(agency.level()),
        members: s.members.iter().map(|&m| site.agency(m).slug.as_str()).collect(),
        missing: s.missing.iter().map(|&m| site.agency(m).slug.as_str()).collect(),
        computed: s.computed,
    });
    ReportData {
        agency: &agency.slug,
        agency_name: &agency.info.name,
        year: report.year,
        title: &report.title,
        published: report.date.to_string(),
        url: site.config.base_url.absolute(&url::report(report.year, &agency.slug)),
        format: format.notice,
        summary,
        tables,
        computed,
    }
}

fn level_key(level: Level) -> &'static str {
    match level {
        Level::Department => "department",
        Level::Township => "township",
        Level::County => "county",
        Level::City => "city",
        Level::Province => "province",
    }
}

fn json_number(n: Number) -> Value {
    match n {
        Number::Count(c) => c.into(),
        Number::Signed(c) => c.into(),
        // The shortest f64 text of an amount with ≤ 6 decimals is its exact decimal text.
        Number::Amount(_) => n.to_string().parse::<f64>().map_or(Value::Null, Into::into),
    }
}

/// Compact JSON, one line (pages are served compressed; whitespace is weight).
fn json_bytes(value: &impl Serialize) -> Vec<u8> {
    let mut out = serde_json::to_vec(value).unwrap_or_default();
    out.push(b'\n');
    out
}

pub(crate) fn to_json(data: &ReportData<'_>) -> Vec<u8> {
    json_bytes(data)
}

/// `/data/reports.json`: every report, from each one's [`to_json`], written as made.
pub(crate) fn collection_json(
    format: &Format,
    reports: impl IntoIterator<Item = Vec<u8>>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let head = json_bytes(&json!({ "format": format.notice, "reports": [] }));
    // `{"format":"…","reports":[]}\n`: the reports go between the brackets.
    out.write_all(&head[..head.len() - 3])?;
    for (i, report) in reports.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(report.strip_suffix(b"\n").unwrap_or(&report))?;
    }
    out.write_all(b"]}\n")
}

/// The columns of every CSV file.
pub(crate) const CSV_HEADER: [&str; 12] =
    ["机构代码", "机构", "年度", "发布日期", "表格", "分项", "行代码", "行", "列代码", "列", "数值", "数据来源"];

/// The CSV files' fixed text, quoted once: the header line and, for every
/// cell of the format, the columns from 表格 to 列 with their separators.
pub(crate) struct CsvLayout {
    header: Vec<u8>,
    /// Table → block → row-major cells.
    cells: Vec<Vec<Vec<String>>>,
}

impl CsvLayout {
    pub(crate) fn new(format: &Format) -> Self {
        let mut header = b"\xEF\xBB\xBF".to_vec();
        header.extend_from_slice(csv_line(CSV_HEADER.iter().copied()).as_bytes());
        header.push(b'\n');
        let cells = format
            .tables
            .iter()
            .map(|table| {
                table
                    .blocks
                    .iter()
                    .map(|block| {
                        let cols = block.column_leaves();
                        block
                            .row_leaves()
                            .iter()
                            .flat_map(|row| {
                                let row_label = row.label();
                                cols.iter().map(move |col| {
                                    let col_label = col.label();
                                    let fields = [
                                        table.name,
                                        block.caption.unwrap_or(""),
                                        &row.key,
                                        &row_label,
                                        &col.key,
                                        &col_label,
                                    ];
                                    csv_line(fields.into_iter())
                                })
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self { header, cells }
    }

    /// The header line, after the UTF-8 BOM that spreadsheet software needs to show Chinese.
    pub(crate) fn header(&self) -> &[u8] {
        &self.header
    }

    /// One line per cell of `report`, identified by its agency and year.
    pub(crate) fn write_report(&self, out: &mut Vec<u8>, agency: &Agency, report: &Report) {
        let identity = csv_line(
            [agency.slug.as_str(), agency.info.name.as_str(), &report.year.to_string(), &report.date.to_string()]
                .into_iter(),
        );
        let mut value = String::new();
        for (blocks, grids) in self.cells.iter().zip(&report.figures.tables) {
            for (cells, grid) in blocks.iter().zip(grids) {
                for (i, labels) in cells.iter().enumerate() {
                    let Some(cell) = grid.get(i / grid.cols.max(1), i % grid.cols.max(1)) else { continue };
                    value.clear();
                    let _ = write!(value, "{}", cell.value);
                    let origin = match cell.origin {
                        Origin::Given(_) => "填报",
                        Origin::Computed => "计算",
                        Origin::Summed => "汇总",
                    };
                    for part in [identity.as_str(), ",", labels, ",", &value, ",", origin, "\n"] {
                        out.extend_from_slice(part.as_bytes());
                    }
                }
            }
        }
    }
}

/// Characters that make a spreadsheet read a cell as a formula (or, tab and
/// carriage return, that some strip before looking for one).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text field as a spreadsheet must show it: one that would start a formula
/// gets a leading `'`, which Excel, WPS and LibreOffice read as "text".
fn defuse(field: &str) -> Cow<'_, str> {
    if field.starts_with(FORMULA_START) { Cow::Owned(format!("'{field}")) } else { Cow::Borrowed(field) }
}

/// Text fields joined by commas, each defused (see [`defuse`]) and quoted when
/// it must be (RFC 4180). Numbers are written apart, never through this.
fn csv_line<'a>(fields: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = defuse(field);
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out
}

/// `/data/schema.json`: a JSON Schema (2020-12) of `reports.json`; one report
/// (every `data.json`) is `#/$defs/report`. Each position of a table's arrays
/// carries the official label (`title`) and the stable key (`x-key`).
pub(crate) fn schema(format: &Format, base: &BaseUrl) -> Vec<u8> {
    let mut tables = serde_json::Map::new();
    for table in format.tables {
        let blocks: Vec<Value> = table
            .blocks
            .iter()
            .map(|block| {
                let unit = |row, col| match block.cell_unit(row, col) {
                    Unit::Count => "#/$defs/count",
                    // No site publishes the 2019 format yet: `$defs` gains it with the format.
                    Unit::SignedCount => "#/$defs/signed_count",
                    Unit::Amount => "#/$defs/amount",
                };
                let cols = block.column_leaves();
                let rows: Vec<Value> = block
                    .row_leaves()
                    .iter()
                    .map(|row| {
                        let cells: Vec<Value> = cols
                            .iter()
                            .map(|col| json!({ "$ref": unit(row, col), "title": col.label(), "x-key": col.key }))
                            .collect();
                        json!({
                            "title": if row.key.is_empty() { table.name.to_owned() } else { row.label() },
                            "x-key": row.key,
                            "type": "array",
                            "prefixItems": cells,
                            "minItems": cols.len(),
                            "items": false,
                        })
                    })
                    .collect();
                json!({
                    "title": block.caption.unwrap_or(table.name),
                    "type": "array",
                    "prefixItems": rows,
                    "minItems": rows.len(),
                    "items": false,
                })
            })
            .collect();
        tables.insert(
            table.key.to_owned(),
            json!({
                "title": table.name,
                "type": "array",
                "prefixItems": blocks,
                "minItems": table.blocks.len(),
                "items": false,
            }),
        );
    }
    let table_keys: Vec<&str> = format.tables.iter().map(|t| t.key).collect();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": base.absolute(&url::data_file(url::SCHEMA_JSON)),
        "title": "政府信息公开工作年度报告统计数据",
        "description": format!(
            "全部年度报告的表二、表三、表四数据（格式依据{}）。每份报告的 data.json 符合 #/$defs/report。表格按官方表格的分项、行、列顺序排列为数组，各位置的官方表述见 title，稳定的键见 x-key。",
            format.notice
        ),
        "type": "object",
        "required": ["format", "reports"],
        "properties": {
            "format": { "const": format.notice },
            "reports": { "type": "array", "items": { "$ref": "#/$defs/report" } }
        },
        "$defs": {
            "report": {
                "title": "一份年度报告",
                "type": "object",
                "required": ["agency", "agency_name", "year", "title", "published", "url", "format", "tables", "computed"],
                "additionalProperties": false,
                "properties": {
                    "agency": { "type": "string", "description": "机构代码（content/ 下的文件夹名，也用于网址）" },
                    "agency_name": { "type": "string", "description": "机构全称" },
                    "year": { "type": "integer", "description": "报告年度" },
                    "title": { "type": "string" },
                    "published": { "type": "string", "format": "date", "description": "发布日期" },
                    "url": { "type": "string", "format": "uri", "description": "报告页面" },
                    "format": { "const": format.notice },
                    "summary": {
                        "description": "汇总报告：由成员机构的数据汇总而成",
                        "type": "object",
                        "required": ["level", "members", "missing", "computed"],
                        "additionalProperties": false,
                        "properties": {
                            "level": { "enum": ["township", "county", "city", "province"] },
                            "members": { "type": "array", "items": { "type": "string" }, "description": "计入汇总的成员机构代码" },
                            "missing": { "type": "array", "items": { "type": "string" }, "description": "当年没有报告、未计入汇总的成员机构代码" },
                            "computed": { "type": "boolean", "description": "true：数据为成员机构之和；false：数据为汇总报告自行填报（已与成员机构之和逐项核对）" }
                        }
                    },
                    "tables": {
                        "type": "object",
                        "required": table_keys,
                        "additionalProperties": false,
                        "properties": tables
                    },
                    "computed": {
                        "description": "未填报、按勾稽关系计算出的总计：[表格, 分项序号, 行序号, 列序号]（从 0 起）",
                        "type": "array",
                        "items": {
                            "type": "array",
                            "prefixItems": [
                                { "enum": table_keys },
                                { "type": "integer", "minimum": 0 },
                                { "type": "integer", "minimum": 0 },
                                { "type": "integer", "minimum": 0 }
                            ],
                            "items": false
                        }
                    }
                }
            },
            "count": { "type": "integer", "minimum": 0, "description": "件数" },
            "amount": { "type": "number", "minimum": 0, "description": "金额（万元），最多 6 位小数" }
        }
    });
    let mut out = serde_json::to_vec_pretty(&schema).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        assert_eq!(
            csv_line(["a", "b,c", "say \"hi\"", "two\nlines", "（一）"].into_iter()),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",（一）"
        );
    }

    #[test]
    fn every_formula_start_is_defused() {
        for c in FORMULA_START {
            let field = format!("{c}1+1");
            assert_eq!(defuse(&field), format!("'{field}"), "{c:?}");
        }
        // Quoted after the guard when the text needs quoting: the `'` sits inside the quotes.
        assert_eq!(
            csv_line(["=HYPERLINK(\"http://x\",\"点击\")"].into_iter()),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"点击\"\")\""
        );
        assert_eq!(csv_line(["-2+3", "@SUM(A1)", "\r=1"].into_iter()), "'-2+3,'@SUM(A1),\"'\r=1\"");
        assert_eq!(csv_line(["\t=1", "+86"].into_iter()), "'\t=1,'+86");
    }

    #[test]
    fn safe_text_is_unchanged() {
        for field in ["临朐县冶源街道办事处", "（一）主动公开", "a=b", "x-y", "1+1", "", "'=already", " =1", "２０２４"]
        {
            assert_eq!(defuse(field), field);
        }
    }
}
