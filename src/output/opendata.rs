//! Open data: every report's figures, per report beside its page and in bulk
//! under `/data/`. See `docs/opendata.md`.
//!
//! - `data.json` (per report) and `/data/reports.json` (all): compact JSON, a
//!   report's tables as arrays of blocks, rows and numbers in the order of the
//!   format's header trees; the labels and keys of every position are in
//!   `schema.json`, not repeated per cell.
//! - `/data/reports.csv` and `/data/<year>.csv`: one row per report and one
//!   column per cell, headed by stable codes (`wide`), explained by the codebook
//!   `/data/columns.csv`. One set of files per format: a column means one cell
//!   of one format.
//! - `data.csv` (per report): the tables in the page's shape (`sheet`).
//!
//! Everything is generated from the [`Format`] values, never from one format's
//! particulars.

mod csv;
mod schema;
mod sheet;
mod wide;

use serde::Serialize;
use serde_json::{Value, json};

use crate::format::Format;
use crate::layout::url;
use crate::model::{Agency, Level, Number, Origin, Report, ReportIx, Site};
use crate::summary::Summaries;

/// The format a report's figures follow: the one place open data asks.
pub(crate) fn format_of(_site: &Site, report: &Report) -> &'static Format {
    report.layout()
}

/// The formats of a site's reports with tables, newest first
/// ([`FormatId::ALL`](crate::format::FormatId::ALL)'s order). Free-form reports
/// have no figures: they are in no format's tables.
pub(crate) fn formats(site: &Site) -> Vec<&'static Format> {
    crate::format::FormatId::ALL
        .into_iter()
        .map(|f| f.format())
        .filter(|f| f.has_tables() && site.reports().any(|(_, r)| r.format == f.id))
        .collect()
}

/// The schema definition of the report of format `i` of `formats`.
fn format_def(formats: &[&Format], i: usize) -> String {
    format!("report-{}", formats[i].key())
}

/// What identifies a report, in the words of every open-data file.
pub(crate) struct Identity<'a> {
    pub(crate) agency: &'a str,
    pub(crate) agency_name: &'a str,
    pub(crate) region: &'a str,
    pub(crate) parent: &'a str,
    /// The tier of a summary report (`county`, …); empty for an agency's own.
    pub(crate) summary: &'static str,
    pub(crate) year: u16,
    /// The notice of the report's format.
    pub(crate) format: &'static str,
    pub(crate) published: String,
    pub(crate) url: String,
}

fn identity<'a>(site: &Site, agency: &'a Agency, report: &Report) -> Identity<'a> {
    let info = &agency.info;
    Identity {
        agency: &agency.slug,
        agency_name: &info.name,
        region: info.region.as_deref().unwrap_or(""),
        parent: info.parent.as_deref().unwrap_or(""),
        summary: info.summary.as_ref().map_or("", |s| level_key(s.level)),
        year: report.year,
        format: format_of(site, report).notice,
        published: report.date.to_string(),
        url: site.config.base_url.absolute(&url::report(report.year, &agency.slug)),
    }
}

/// A file under `/data/` other than its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// One row per report of one format, of every year or of one.
    Wide {
        /// The format, by its place in the site's formats (newest first).
        format: usize,
        /// The year, or `None` for every year.
        year: Option<u16>,
    },
    /// `columns.csv`, the codebook of every `Wide` file.
    Columns,
    /// `reports.json`.
    Json,
    /// `schema.json`.
    Schema,
}

/// A file of the bulk open data: its name under `/data/`, what it holds (for
/// the `/data/` page), and what makes it.
pub(crate) struct BulkFile {
    pub(crate) name: String,
    pub(crate) what: String,
    pub(crate) bulk: Bulk,
}

/// Every file of `/data/` but its page, in the order the page lists them.
/// The newest format's files have plain names (`reports.csv`,
/// `2024.csv`); another format's carry its key (`reports-2019.csv`,
/// `2020-2019.csv`), so that a file's name never depends on which other
/// formats a site holds.
pub(crate) fn bulk_files(site: &Site) -> Vec<BulkFile> {
    let formats = formats(site);
    let name = |year: Option<u16>, f: usize| csv_name(&formats, year, f);
    let tabulated = |f: usize| !formats[f].tables.is_empty();
    let mut out = Vec::new();
    for f in (0..formats.len()).filter(|&f| tabulated(f)) {
        out.push(BulkFile {
            name: name(None, f),
            what: format!(
                "依据{}的全部年度报告的统计数据：每份报告一行，每个单元格一列（CSV，UTF-8 编码，带 BOM）",
                formats[f].notice
            ),
            bulk: Bulk::Wide { format: f, year: None },
        });
    }
    out.push(BulkFile {
        name: url::COLUMNS_CSV.to_owned(),
        what: "CSV 文件各列的说明（代码本）：列代码、所在表格、官方表格中的行和列的表述、单位".to_owned(),
        bulk: Bulk::Columns,
    });
    out.push(BulkFile {
        name: url::REPORTS_JSON.to_owned(),
        what: "全部年度报告的全部数据（JSON，结构见 schema.json）".to_owned(),
        bulk: Bulk::Json,
    });
    out.push(BulkFile {
        name: url::SCHEMA_JSON.to_owned(),
        what: "JSON 数据的结构说明（JSON Schema），含各行、各列的官方表述".to_owned(),
        bulk: Bulk::Schema,
    });
    for year in site.years() {
        for f in (0..formats.len()).filter(|&f| tabulated(f)) {
            let held = site.reports().any(|(_, r)| r.year == year && std::ptr::eq(format_of(site, r), formats[f]));
            if held {
                let what = match plain(formats[f]) {
                    true => format!("{year}年度全部报告的统计数据（CSV，各列同 reports.csv）"),
                    false => format!("{year}年度依据{}的报告的统计数据（CSV）", formats[f].notice),
                };
                out.push(BulkFile {
                    name: name(Some(year), f),
                    what,
                    bulk: Bulk::Wide { format: f, year: Some(year) },
                });
            }
        }
    }
    out
}

/// The bulk CSV of `year`'s reports for the year's page: the file of the
/// format of its first report; `None` if that format has no tables.
pub(crate) fn year_csv(site: &Site, year: u16) -> Option<String> {
    let report = site.reports().map(|(_, r)| r).find(|r| r.year == year)?;
    let formats = formats(site);
    let f = formats.iter().position(|f| f.id == format_of(site, report).id)?;
    (!formats[f].tables.is_empty()).then(|| url::data_file(&csv_name(&formats, Some(year), f)))
}

/// The name of the bulk CSV of format `f` (an index into `formats`) for `year` or every year.
fn csv_name(formats: &[&Format], year: Option<u16>, f: usize) -> String {
    url::bulk_csv_name(year, &if plain(formats[f]) { String::new() } else { formats[f].key().to_owned() })
}

/// Whether a format's files go by plain names: the newest format's do.
fn plain(format: &Format) -> bool {
    format.id == crate::format::FormatId::ALL[0]
}

/// What the CSV files of one format are laid out from, made once per site.
struct Layouts {
    format: &'static Format,
    wide: wide::Wide,
    sheet: sheet::Sheet,
}

/// The CSV layouts of a site's formats.
pub(crate) struct OpenData {
    formats: Vec<Layouts>,
}

impl OpenData {
    pub(crate) fn new(site: &Site) -> Self {
        let formats = formats(site)
            .into_iter()
            .map(|format| Layouts { format, wide: wide::Wide::new(format), sheet: sheet::Sheet::new(format) })
            .collect();
        Self { formats }
    }

    fn layouts(&self, site: &Site, report: &Report) -> Option<&Layouts> {
        let format = format_of(site, report);
        self.formats.iter().find(|l| std::ptr::eq(l.format, format))
    }

    /// Whether a report has a `data.csv`: a report of a format without tables has nothing to show in one.
    pub(crate) fn has_sheet(site: &Site, report: &Report) -> bool {
        !format_of(site, report).tables.is_empty()
    }

    /// A report's `data.csv`.
    pub(crate) fn sheet(&self, site: &Site, agency: &Agency, report: &Report) -> Vec<u8> {
        let mut out = String::new();
        if let Some(layouts) = self.layouts(site, report) {
            layouts.sheet.write(&mut out, &identity(site, agency, report), &report.title, &report.figures);
        }
        out.into_bytes()
    }

    /// Whether the bulk CSV of `format` and `year` (or every year) holds `report`.
    pub(crate) fn holds(&self, site: &Site, format: usize, year: Option<u16>, report: &Report) -> bool {
        let follows = self.formats.get(format).is_some_and(|l| std::ptr::eq(l.format, format_of(site, report)));
        follows && year.is_none_or(|y| report.year == y)
    }

    /// Writes a bulk CSV as it is made, report by report.
    pub(crate) fn write_wide(
        &self,
        site: &Site,
        format: usize,
        year: Option<u16>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let Some(layouts) = self.formats.get(format) else { return Ok(()) };
        out.write_all(layouts.wide.header())?;
        let mut row = String::new();
        for agency in &site.agencies {
            for report in agency.reports.iter().filter(|r| self.holds(site, format, year, r)) {
                row.clear();
                layouts.wide.write_row(&mut row, &identity(site, agency, report), &report.figures);
                out.write_all(row.as_bytes())?;
            }
        }
        Ok(())
    }

    /// `columns.csv`.
    pub(crate) fn codebook(&self) -> Vec<u8> {
        wide::codebook(&self.formats.iter().map(|l| l.format).collect::<Vec<_>>())
    }

    /// `schema.json`.
    pub(crate) fn schema(&self, base: &crate::config::BaseUrl) -> Vec<u8> {
        schema::schema(&self.formats.iter().map(|l| l.format).collect::<Vec<_>>(), base)
    }

    /// The notices of the formats, for `reports.json` and the fingerprints.
    pub(crate) fn notices(&self) -> Vec<&'static str> {
        self.formats.iter().map(|l| l.format.notice).collect()
    }
}

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

/// The figures of report `r`.
pub(crate) fn report_data<'a>(site: &'a Site, summaries: &Summaries, r: ReportIx) -> ReportData<'a> {
    let (agency, report) = (site.agency(r.agency), site.report(r));
    let format = format_of(site, report);
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
    let summary = summaries.report(r.agency, report.year).map(|s| SummaryData {
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

/// `/data/reports.json`: the formats, then every report, from each one's
/// [`to_json`], written as made.
pub(crate) fn collection_json(
    formats: &[&str],
    reports: impl IntoIterator<Item = Vec<u8>>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let head = json_bytes(&json!({ "formats": formats, "reports": [] }));
    // `{"formats":[…],"reports":[]}\n`: the reports go between the last brackets.
    out.write_all(&head[..head.len() - 3])?;
    for (i, report) in reports.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(report.strip_suffix(b"\n").unwrap_or(&report))?;
    }
    out.write_all(b"]}\n")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::format::{Block, EntryShape, Header, Table, Unit};

    const fn leaf(key: &'static str, label: &'static str) -> Header {
        Header { key, label, children: &[], total: false, unit: None }
    }

    /// A format unlike 2021's: a table of a single row without items and an
    /// amount, a table without row headers under an unnamed group, no sections.
    pub(crate) static TOY: Format = Format {
        id: crate::format::FormatId::F2019,
        name: "示例格式",
        notice: "示例格式",
        sections: &[],
        tables: &[
            Table {
                key: "items",
                name: "表甲",
                section: 2,
                blocks: &[
                    Block {
                        caption: None,
                        corner: Some("项目"),
                        columns: &[leaf("count", "件数")],
                        rows: &[leaf("other", "其他处理")],
                        entries: EntryShape::ByRow,
                        default_unit: Unit::Count,
                    },
                    Block {
                        caption: None,
                        corner: Some("项目"),
                        columns: &[leaf("sum", "金额")],
                        rows: &[leaf("fees", "收费")],
                        entries: EntryShape::ByRow,
                        default_unit: Unit::Amount,
                    },
                ],
            },
            Table {
                key: "outcomes",
                name: "表乙",
                section: 3,
                blocks: &[Block {
                    caption: None,
                    corner: None,
                    columns: &[Header {
                        key: "",
                        label: "结果",
                        children: &[leaf("kept", "维持"), leaf("changed", "纠正")],
                        total: false,
                        unit: None,
                    }],
                    rows: &[],
                    entries: EntryShape::ByColumnGroup,
                    default_unit: Unit::Count,
                }],
            },
        ],
        rules: &[],
        cross_year: &[],
        prose: &[],
        prose_section: 1,
        charts: &[],
        rankings: &[],
    };

    pub(crate) fn identity(format: &'static Format) -> Identity<'static> {
        Identity {
            agency: "a",
            agency_name: "某机关",
            region: "",
            parent: "",
            summary: "",
            year: 2024,
            format: format.notice,
            published: "2025-01-10".to_owned(),
            url: "https://example.gov.cn/2024/a/".to_owned(),
        }
    }

    #[test]
    fn a_format_is_named_by_its_key() {
        let formats: [&Format; 2] = [&crate::format::FORMAT_2021, &TOY];
        assert_eq!(csv_name(&formats, Some(2024), 0), "2024.csv");
        assert_eq!(csv_name(&formats, None, 1), "reports-2019.csv");
        assert_eq!(format_def(&formats, 0), "report-2021");
        assert_eq!(format_def(&formats, 1), "report-2019");
    }
}
