//! The site as data: agencies, their reports and the reports' figures.
//!
//! Nothing here knows about HTML or files on disk; figures are addressed by the
//! format's header trees (see [`crate::format`]).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::format::{self, Format, RuleId, Unit};
use crate::sources::FileId;

/// Everything `content/` and `site.toml` describe.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub format: &'static Format,
    /// Sorted by weight, then slug.
    pub agencies: Vec<Agency>,
}

impl Site {
    /// Every year with at least one report, newest first.
    pub fn years(&self) -> Vec<u16> {
        let mut years: Vec<u16> = self.agencies.iter().flat_map(|a| a.reports.iter().map(|r| r.year)).collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        years
    }

    /// Every report with its agency, newest publication first (ties by agency order).
    pub fn reports_newest_first(&self) -> Vec<(&Agency, &Report)> {
        let mut all: Vec<(&Agency, &Report)> =
            self.agencies.iter().flat_map(|a| a.reports.iter().map(move |r| (a, &**r))).collect();
        // Stable sort keeps agency order for equal dates.
        all.sort_by_key(|(_, r)| std::cmp::Reverse((r.date, r.year)));
        all
    }
}

/// A government body that publishes reports (`content/<slug>/agency.toml`).
#[derive(Debug, Clone)]
pub struct Agency {
    /// Folder name; used in URLs.
    pub slug: String,
    pub info: AgencyInfo,
    /// `agency.toml`, for diagnostics about what it declares.
    pub file: FileId,
    /// Sorted by year, oldest first.
    /// Shared, so that `portal serve` can swap one edited report into a copy
    /// of the site without copying the others.
    pub reports: Vec<std::sync::Arc<Report>>,
}

impl Agency {
    pub fn report(&self, year: u16) -> Option<&Report> {
        self.reports.iter().find(|r| r.year == year).map(|r| &**r)
    }

    /// The tier whose deadline applies to its reports.
    pub fn level(&self) -> Level {
        self.info.summary.as_ref().map_or(Level::Department, |s| s.level)
    }
}

/// The contents of `agency.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyInfo {
    /// Full name, e.g. `临朐县冶源街道办事处`.
    pub name: String,
    /// Short name, e.g. `冶源街道`.
    #[serde(default)]
    pub short_name: Option<String>,
    /// The body it belongs to, used to group agencies on year pages,
    /// e.g. `临朐县人民政府`.
    #[serde(default)]
    pub parent: Option<String>,
    /// Administrative region, e.g. `山东省潍坊市临朐县`.
    #[serde(default)]
    pub region: Option<String>,
    /// Lower weights are listed first.
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub contact: Contact,
    /// Present when the agency's reports are summaries (汇总) of other agencies'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<SummaryInfo>,
}

/// `[summary]` of `agency.toml`: whose reports this agency's reports sum up.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryInfo {
    /// The summary's tier, which sets its deadline.
    pub level: Level,
    pub members: Members,
}

/// The tiers of the format's timetable (逐级汇总).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A department or any agency that is not a summary: 1月31日. Not written
    /// in `agency.toml`: it is what an agency without `[summary]` is.
    #[serde(skip)]
    Department,
    /// A township's summary (乡镇汇总): 1月31日, like departments.
    Township,
    /// A county's summary (县级汇总): 2月20日.
    County,
    /// A city's summary (市级汇总): 3月10日.
    City,
    /// A province's summary (省级汇总): 3月31日.
    Province,
}

impl Level {
    /// The last day a report for `year` may be published.
    pub fn deadline(self, year: u16) -> Date {
        let (month, day) = match self {
            Level::Department | Level::Township => (1, 31),
            Level::County => (2, 20),
            Level::City => (3, 10),
            Level::Province => (3, 31),
        };
        Date { year: year + 1, month, day }
    }

    /// How the year page names the tier.
    pub fn label(self) -> &'static str {
        match self {
            Level::Department => "部门、乡镇",
            Level::Township => "乡镇汇总",
            Level::County => "县级汇总",
            Level::City => "市级汇总",
            Level::Province => "省级汇总",
        }
    }
}

/// The members of a summary: listed by folder name, or every agency whose
/// `parent` is the summary's `name` (`members = "children"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    Children,
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"children\" 或成员机构文件夹名的列表，例如 [\"jiaoyu\", \"weijian\"]")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Members, E> {
                if v == "children" {
                    Ok(Members::Children)
                } else {
                    Err(E::custom(format!(
                        "members 写成文字时只能是 \"children\"（上级机关为本机构的所有机构），而不是 \"{v}\"；要列出成员，请写成列表：[\"{v}\"]"
                    )))
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some(slug) = seq.next_element::<String>()? {
                    out.push(slug);
                }
                Ok(Members::List(out))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Serialize for Members {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Members::Children => s.serialize_str("children"),
            Members::List(list) => list.serialize(s),
        }
    }
}

impl AgencyInfo {
    pub fn display_short_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }

    /// The heading agencies are grouped under: parent body, else region.
    pub fn group(&self) -> &str {
        self.parent.as_deref().or(self.region.as_deref()).unwrap_or("其他")
    }
}

/// Contact details printed on the agency page (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// 联系机构, e.g. `冶源街道办事处党政办公室`
    pub office: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
}

/// One annual report (`content/<agency>/<year>/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The reporting year (the folder name).
    pub year: u16,
    pub title: String,
    /// Publication date, and where it is written in `report.md`.
    pub date: Date,
    pub date_span: Range<usize>,
    /// The body that signs the report (落款).
    pub signed_by: String,
    pub narrative: Narrative,
    /// The figures 一、总体情况 states, for rule R8.
    pub stated: Box<[Stated]>,
    pub markdown_file: FileId,
    /// `data.toml`; only a summary may go without (its figures are then summed).
    pub data_file: Option<FileId>,
    pub figures: Figures,
    /// Rules this report is allowed to break, because it was published that way.
    pub waivers: Vec<Waiver>,
    /// Other files in the report folder, copied beside the page (file names).
    pub attachments: Vec<String>,
}

/// An explicit exemption from a rule: a historical report cannot be changed,
/// so its published figures are kept and the page says why they do not add up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Waiver {
    /// The rule waived: a sum or cross-year rule, or `summary`.
    pub rule: RuleId,
    pub reason: String,
    /// Where the waiver is written in `data.toml`.
    pub span: Range<usize>,
}

/// The Markdown narrative of a report, split at the six section headings.
/// The text itself is not kept: a site of 10,000 reports would hold 65 MB of
/// it from loading to rendering. `report.md` is read again when a page needs
/// it (`load::narrative_text`), and must then hash as it did when loaded.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Narrative {
    /// Text before the first section (the usual opening paragraph).
    pub preamble: Part,
    /// Indexed by section number − 1; `None` where the report has no heading
    /// for the section (allowed for the table sections 二、三、四).
    pub sections: Vec<Option<Part>>,
    /// Where `report.md` is on disk.
    pub source: std::path::PathBuf,
    /// xxh3 of `report.md` as decoded: the text the parts' spans point into.
    pub text_hash: u64,
}

/// A stretch of Markdown in `report.md`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Part {
    /// The section heading as written (one of the section's official titles).
    pub heading: Option<String>,
    /// Byte span of the Markdown in `report.md` (as decoded).
    pub span: Range<usize>,
}

impl Part {
    /// The part's Markdown, from the text of its `report.md`.
    pub fn markdown<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.span.clone()).unwrap_or_default()
    }
}

/// A figure that 一、总体情况 states in words (`全年新收政府信息公开申请46件`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stated {
    /// Which of the format's prose figures ([`Format::prose`]).
    pub figure: u16,
    /// The number, in the unit of the figure's table.
    pub value: Number,
    /// Byte span of the number and its unit in `report.md`.
    pub span: Range<usize>,
    /// Byte span of the phrase and the number in `report.md`, quoted in
    /// messages (read again then: a report states a dozen figures).
    pub phrase: Range<usize>,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut it = s.split('-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_unix_days(days: i64) -> Option<Self> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self::new(u16::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
    }

    /// Days since 1970-01-01, by Howard Hinnant's civil algorithm.
    pub fn unix_days(&self) -> i64 {
        let (y, m, d) = (i64::from(self.year), i64::from(self.month), i64::from(self.day));
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(&self) -> usize {
        (self.unix_days() + 3).rem_euclid(7) as usize
    }

    /// RFC 2822, midnight China Standard Time, as RSS wants.
    pub fn to_rfc2822(&self) -> String {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        format!(
            "{}, {:02} {} {} 00:00:00 +0800",
            DAYS[self.weekday()],
            self.day,
            MONTHS[usize::from(self.month) - 1],
            self.year
        )
    }

    /// `2025年1月10日`
    pub fn to_chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A figure: a count of cases, or an amount in 万元 kept exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Number {
    Count(u64),
    /// Millionths of a 万元 (see [`format::AMOUNT_DECIMALS`]).
    Amount(u64),
}

impl Number {
    pub fn zero(unit: Unit) -> Self {
        match unit {
            Unit::Count => Number::Count(0),
            Unit::Amount => Number::Amount(0),
        }
    }

    /// The raw integer, in the unit's smallest step.
    pub fn raw(self) -> u64 {
        match self {
            Number::Count(n) | Number::Amount(n) => n,
        }
    }

    /// The absolute difference, in the same unit.
    pub fn difference(a: Number, b: Number) -> Number {
        match a {
            Number::Count(x) => Number::Count(x.abs_diff(b.raw())),
            Number::Amount(x) => Number::Amount(x.abs_diff(b.raw())),
        }
    }

    pub fn checked_add(self, other: Number) -> Option<Number> {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub value: Number,
    pub origin: Origin,
}

/// The cells of one block, row-major.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grid {
    pub rows: usize,
    pub cols: usize,
    cells: Vec<Packed>,
    /// Values too large for a packed cell (amounts past 4,294 万元, counts
    /// past four thousand million): rare, so usually empty.
    large: Vec<u64>,
}

/// A cell in 8 bytes rather than 40: a build holds every figure of every
/// report (200 a report). The low 32 bits hold the value, or, with `LARGE`,
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
                // data.toml files are a few KB: a longer number only shortens a diagnostic's
                // marker, and a file past 1 MiB has its figures marked at its start.
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
    pub fn new(rows: usize, cols: usize) -> Self {
        Self { rows, cols, cells: vec![Packed::default(); rows * cols], large: Vec::new() }
    }

    pub fn get(&self, row: usize, col: usize) -> Option<Cell> {
        self.cells.get(row * self.cols + col).and_then(|p| p.unpack(&self.large))
    }

    pub fn set(&mut self, row: usize, col: usize, cell: Cell) {
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

    pub fn value(&self, row: usize, col: usize) -> Option<Number> {
        self.get(row, col).map(|c| c.value)
    }
}

/// The figures of tables 二, 三 and 四, block by block, aligned with
/// [`Format::tables`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    pub tables: Vec<Vec<Grid>>,
}

impl Figures {
    /// Empty grids shaped like the format's tables.
    /// Feeds every figure and where it came from (typed, computed or summed)
    /// to `h`: what the open data shows of them.
    pub fn fingerprint(&self, h: &mut impl std::hash::Hasher) {
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

    pub fn empty(format: &Format) -> Self {
        let tables = format
            .tables
            .iter()
            .map(|t| t.blocks.iter().map(|b| Grid::new(b.row_leaves().len(), b.column_leaves().len())).collect())
            .collect();
        Self { tables }
    }

    pub fn grid(&self, table: usize, block: usize) -> &Grid {
        &self.tables[table][block]
    }

    /// The value of a [`format::Measure`]: the sum of the cells it selects;
    /// `None` when one of them is missing (or the table is not in the format).
    pub fn measure(&self, format: &Format, measure: &format::Measure) -> Option<Number> {
        let t = format.tables.iter().position(|t| t.key == measure.table)?;
        let block = format.tables[t].blocks.get(measure.block)?;
        let grid = self.tables.get(t)?.get(measure.block)?;
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
    pub fn sum<'a>(format: &Format, parts: impl IntoIterator<Item = &'a Figures>) -> Figures {
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
            for (t, blocks) in totals.iter_mut().enumerate() {
                for (b, cells) in blocks.iter_mut().enumerate() {
                    let grid = &part.tables[t][b];
                    for (i, total) in cells.iter_mut().enumerate() {
                        let value = grid.value(i / grid.cols, i % grid.cols);
                        *total = total.and_then(|acc| value.and_then(|v| acc.checked_add(v)));
                    }
                }
            }
        }
        for (t, blocks) in totals.into_iter().enumerate() {
            for (b, cells) in blocks.into_iter().enumerate() {
                let grid = &mut out.tables[t][b];
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
    pub fn complete_totals(&mut self, format: &Format) {
        // R3's total row feeds R2's total column in the same row; two passes settle it.
        for _ in 0..2 {
            for rule in format.rules.iter().filter(|r| r.defines_total()) {
                let Some(t) = format.tables.iter().position(|t| t.key == rule.table) else {
                    continue;
                };
                let block = &format.tables[t].blocks[rule.block];
                let grid = &mut self.tables[t][rule.block];
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

/// The concrete cells of one instance of a rule: one column (or row) of the block.
#[derive(Debug)]
pub struct RuleLine {
    /// Index of the column (for [`format::Axis::EachColumn`]) or row.
    pub along: usize,
    pub lhs: Vec<(usize, usize)>,
    pub rhs: Vec<(usize, usize)>,
}

/// Iterates the lines a rule runs through.
pub struct RuleLines {
    lines: std::vec::IntoIter<RuleLine>,
}

impl RuleLines {
    pub fn new(rule: &format::SumRule, block: &format::Block) -> Self {
        let rows = block.row_leaves();
        let cols = block.column_leaves();
        let (operands, count) = match rule.axis {
            format::Axis::EachColumn => (&rows, cols.len()),
            format::Axis::EachRow => (&cols, rows.len()),
        };
        let pick = |side: &[&str]| -> Vec<usize> { side.iter().flat_map(|op| format::select(operands, op)).collect() };
        let (lhs, rhs) = (pick(rule.lhs), pick(rule.rhs));
        let cell = |along: usize, i: usize| match rule.axis {
            format::Axis::EachColumn => (i, along),
            format::Axis::EachRow => (along, i),
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
pub struct CrossYearLine {
    /// Index of the column (for [`format::Axis::EachColumn`]) or row.
    pub along: usize,
    pub this: (usize, usize),
    pub previous: (usize, usize),
    pub plus: Vec<(usize, usize)>,
    pub minus: Vec<(usize, usize)>,
}

impl CrossYearLine {
    /// Every line a cross-year rule runs through; empty when an operand selects nothing.
    pub fn all(rule: &format::CrossYearRule, block: &format::Block) -> Vec<CrossYearLine> {
        let (rows, cols) = (block.row_leaves(), block.column_leaves());
        let (operands, count) = match rule.axis {
            format::Axis::EachColumn => (&rows, cols.len()),
            format::Axis::EachRow => (&cols, rows.len()),
        };
        let pick = |op: &str| format::select(operands, op);
        let cell = |along: usize, i: usize| match rule.axis {
            format::Axis::EachColumn => (i, along),
            format::Axis::EachRow => (along, i),
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

/// Rules whose violations a report's waivers excused: (agency slug, year, rule
/// id). Validation finds them; the report pages say so.
pub type WaivedRules = std::collections::BTreeSet<(String, u16, RuleId)>;

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
    fn weekdays_are_right() {
        assert_eq!(Date::new(2025, 1, 10).unwrap().to_rfc2822(), "Fri, 10 Jan 2025 00:00:00 +0800");
        assert_eq!(Date::new(2024, 2, 29).unwrap().to_rfc2822(), "Thu, 29 Feb 2024 00:00:00 +0800");
        assert_eq!(Date::new(2000, 3, 1).unwrap().weekday(), 2);
    }

    #[test]
    fn dates_from_unix_days() {
        assert_eq!(Date::from_unix_days(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_unix_days(20_089), Date::new(2025, 1, 1));
        assert_eq!(Date::from_unix_days(19_782), Date::new(2024, 2, 29));
        assert_eq!(Date::from_unix_days(-1), Date::new(1969, 12, 31));
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2024, 13, 1).is_none());
        assert!(Date::parse("2024-4-1").is_none());
        assert_eq!(Date::parse("2024-04-30"), Date::new(2024, 4, 30));
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
        let t = format.tables.iter().position(|t| t.key == "requests").unwrap();
        let mut figures = Figures::empty(format);
        let grid = &mut figures.tables[t][0];
        let (rows, cols) = (grid.rows, grid.cols);
        let total_row = format.tables[t].blocks[0].row_leaves().iter().position(|l| l.key == "results.total").unwrap();
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
