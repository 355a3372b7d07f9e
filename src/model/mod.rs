//! The site as data: agencies, their reports and the reports' figures.
//!
//! Nothing here knows about HTML or files on disk; figures are addressed by the
//! format's header trees (see [`crate::format`]).

mod date;
mod figures;
mod ids;

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

pub(crate) use self::date::Date;
pub use self::figures::{Cell, Figures, Grid, Number, Origin};
pub(crate) use self::ids::{AgencyIx, ReportIx};
use crate::config::SiteConfig;
use crate::format::{Format, FormatId, RuleId};
use crate::sources::FileId;

/// Everything `content/` and `site.toml` describe.
#[derive(Debug, Clone)]
pub struct Site {
    /// The settings from `site.toml`.
    pub config: SiteConfig,
    /// Sorted by weight, then slug.
    pub agencies: Vec<Agency>,
}

impl Site {
    /// The agency at `a`.
    pub(crate) fn agency(&self, a: AgencyIx) -> &Agency {
        &self.agencies[a.index()]
    }

    /// The agency at `a`, to change.
    pub(crate) fn agency_mut(&mut self, a: AgencyIx) -> &mut Agency {
        &mut self.agencies[a.index()]
    }

    /// The report at `r`.
    pub(crate) fn report(&self, r: ReportIx) -> &Report {
        &self.agency(r.agency).reports[r.index]
    }

    /// Every agency with its place, in site order.
    pub(crate) fn indexed(&self) -> impl Iterator<Item = (AgencyIx, &Agency)> {
        self.agencies.iter().enumerate().map(|(a, agency)| (AgencyIx::new(a), agency))
    }

    /// Every report with its place, agency by agency, oldest first.
    pub(crate) fn reports(&self) -> impl Iterator<Item = (ReportIx, &Report)> {
        self.indexed().flat_map(|(agency, a)| {
            a.reports.iter().enumerate().map(move |(index, r)| (ReportIx { agency, index }, &**r))
        })
    }

    /// The report of agency `a` for `year`, if it has one.
    pub(crate) fn report_of(&self, a: AgencyIx, year: u16) -> Option<ReportIx> {
        let index = self.agency(a).reports.iter().position(|r| r.year == year)?;
        Some(ReportIx { agency: a, index })
    }

    /// The agency whose folder is `slug`.
    pub(crate) fn find_agency(&self, slug: &str) -> Option<AgencyIx> {
        self.agencies.iter().position(|a| a.slug == slug).map(AgencyIx::new)
    }

    /// Every year with at least one report, newest first.
    pub(crate) fn years(&self) -> Vec<u16> {
        let mut years: Vec<u16> = self.agencies.iter().flat_map(|a| a.reports.iter().map(|r| r.year)).collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        years
    }

    /// Every report with its agency, newest publication first (ties by agency order).
    pub(crate) fn reports_newest_first(&self) -> Vec<(&Agency, &Report)> {
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
    /// What `agency.toml` declares.
    pub info: AgencyInfo,
    /// `agency.toml`, for diagnostics about what it declares.
    pub file: FileId,
    /// Sorted by year, oldest first.
    /// Shared, so that `portal serve` can swap one edited report into a copy
    /// of the site without copying the others.
    pub reports: Vec<std::sync::Arc<Report>>,
}

impl Agency {
    pub(crate) fn report(&self, year: u16) -> Option<&Report> {
        self.reports.iter().find(|r| r.year == year).map(|r| &**r)
    }

    /// The tier whose deadline applies to its reports.
    pub(crate) fn level(&self) -> Level {
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
    /// The `[contact]` table, shown on the agency page.
    #[serde(default)]
    pub contact: Contact,
    /// Present when the agency's reports are summaries (汇总) of other agencies'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<SummaryInfo>,
    /// The first year it is expected to report for; by default, the year of its first report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_year: Option<u16>,
    /// `[dissolved]`: the agency was abolished or merged (撤销、合并).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dissolved: Option<Dissolved>,
}

/// `[dissolved]` of `agency.toml`: the last year an abolished or merged
/// agency (撤销、合并) is expected to report for, and why.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dissolved {
    /// The last reporting year.
    pub last_year: u16,
    /// What became of it, e.g. `2024年1月机构改革，职责划入示例县发展和改革局`.
    pub reason: String,
}

/// `[summary]` of `agency.toml`: whose reports this agency's reports sum up.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryInfo {
    /// The summary's tier, which sets its deadline.
    pub level: Level,
    /// The agencies whose reports it sums.
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
    /// The last day a report for `year` may be published: under the 2007
    /// regulation (国务院令第492号, reports before 2019) 3月31日 for every
    /// body; from the 2019 reports, under the revised regulation (国务院令第711号,
    /// 第五十条), 1月31日, and the summaries' timetable of the format notices.
    pub(crate) fn deadline(self, year: u16) -> Date {
        if year < REVISED_REGULATION_FROM {
            return Date { year: year + 1, month: 3, day: 31 };
        }
        let (month, day) = match self {
            Level::Department | Level::Township => (1, 31),
            Level::County => (2, 20),
            Level::City => (3, 10),
            Level::Province => (3, 31),
        };
        Date { year: year + 1, month, day }
    }

    /// How the year page names the tier.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Level::Department => "部门、乡镇",
            Level::Township => "乡镇汇总",
            Level::County => "县级汇总",
            Level::City => "市级汇总",
            Level::Province => "省级汇总",
        }
    }
}

/// The first report year the revised regulation's deadlines apply to.
pub(crate) const REVISED_REGULATION_FROM: u16 = 2019;

/// The members of a summary: listed by folder name, or every agency whose
/// `parent` is the summary's `name` (`members = "children"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    /// Every agency whose `parent` is this agency's `name`.
    Children,
    /// The member agencies, by folder name.
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
    pub(crate) fn display_short_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }

    /// The heading agencies are grouped under: parent body, else region.
    pub(crate) fn group(&self) -> &str {
        self.parent.as_deref().or(self.region.as_deref()).unwrap_or("其他")
    }

    /// The levels of `region`, widest first: `山东省潍坊市临朐县` is
    /// `["山东省", "潍坊市", "临朐县"]`. Empty without a region.
    pub(crate) fn region_levels(&self) -> Vec<&str> {
        self.region.as_deref().map(region_levels).unwrap_or_default()
    }
}

/// Splits an administrative region into its levels after each level's
/// suffix (省, 自治区, 市, 州, 盟, 地区, 县, 区, 旗). A suffix followed by
/// another (郑州市, 沙市区) is part of the name, and a level has at least two
/// characters.
pub(crate) fn region_levels(region: &str) -> Vec<&str> {
    const ENDS: &[char] = &['省', '市', '州', '盟', '县', '区', '旗'];
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in region.char_indices() {
        let end = i + c.len_utf8();
        let next = region[end..].chars().next();
        if ENDS.contains(&c) && region[start..end].chars().count() >= 2 && !next.is_some_and(|n| ENDS.contains(&n)) {
            out.push(&region[start..end]);
            start = end;
        }
    }
    if start < region.len() {
        out.push(&region[start..]);
    }
    out
}

/// Contact details printed on the agency page (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// 联系机构, e.g. `冶源街道办事处党政办公室`
    pub office: Option<String>,
    /// 地址, the office's postal address.
    pub address: Option<String>,
    /// 邮编, e.g. `262605`.
    pub postcode: Option<String>,
    /// 电话, e.g. `0536-3631224`.
    pub phone: Option<String>,
    /// 传真, the fax number.
    pub fax: Option<String>,
    /// 电子邮箱; linked with `mailto:` on the page.
    pub email: Option<String>,
}

/// One annual report (`content/<agency>/<year>/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The reporting year (the folder name).
    pub year: u16,
    /// The format the report follows: its year's ([`FormatId::for_year`])
    /// unless its front matter names another.
    pub format: FormatId,
    /// Title from the front matter, e.g. `临朐县冶源街道办事处2024年政府信息公开工作年度报告`.
    pub title: String,
    /// Publication date (the front matter's `date`).
    pub date: Date,
    /// Byte span of the date in `report.md`, for diagnostics.
    pub date_span: Range<usize>,
    /// The body that signs the report (落款).
    pub signed_by: String,
    /// Where the preamble and each section lie in `report.md`.
    pub narrative: Narrative,
    /// The figures 一、总体情况 states, for rule R8.
    pub stated: Box<[Stated]>,
    /// `report.md`, for diagnostics about it.
    pub markdown_file: FileId,
    /// `data.toml`; only a summary may go without (its figures are then summed).
    pub data_file: Option<FileId>,
    /// The figures of the statistics tables, from `data.toml` or summed from the members'.
    pub figures: Figures,
    /// Rules this report is allowed to break, because it was published that way.
    pub waivers: Vec<Waiver>,
    /// Other files in the report folder, copied beside the page (file names).
    pub attachments: Vec<String>,
    /// Whether it is published, a draft, or held for a later date ([`Status`]).
    pub status: Status,
}

/// Whether a report is published. A draft (`draft = true`, what `portal new`
/// writes) and a report dated after today are held back from every output
/// of a build; `portal serve` shows them with a banner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Published with the site.
    #[default]
    Published,
    /// `draft = true` in the front matter.
    Draft,
    /// Dated after today: published by the first build on or after its date.
    Scheduled,
}

impl Report {
    /// The format the report's figures are laid out by and checked against.
    pub fn layout(&self) -> &'static Format {
        self.format.format()
    }

    /// The narrative in reading order, from the text of its `report.md`: the
    /// preamble, then each section the report has, under its heading as
    /// written (a free-form report: each of its own headings), as the report
    /// page lays them out; the search index holds their text.
    pub fn stretches<'a>(&'a self, text: &'a str) -> Vec<Stretch<'a>> {
        let narrative = &self.narrative;
        let preamble = narrative.preamble.markdown(text);
        if self.layout().has_tables() {
            let sections = narrative.sections.iter().flatten();
            let sections = sections.map(|p| Stretch { heading: p.heading.as_deref(), markdown: p.markdown(text) });
            std::iter::once(Stretch { heading: None, markdown: preamble }).chain(sections).collect()
        } else {
            let own = &narrative.own;
            let before = preamble.get(..own.preamble_end).unwrap_or(preamble);
            let parts = own.parts.iter().map(|p| Stretch {
                heading: Some(&p.title),
                markdown: preamble.get(p.body.clone()).unwrap_or_default(),
            });
            std::iter::once(Stretch { heading: None, markdown: before }).chain(parts).collect()
        }
    }
}

/// A stretch of a report's narrative: its heading, if it has one (the
/// preamble has none), and its Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch<'a> {
    /// The heading as written, without its Markdown.
    pub heading: Option<&'a str>,
    /// The Markdown under the heading.
    pub markdown: &'a str,
}

/// An explicit exemption from a rule: a historical report cannot be changed,
/// so its published figures are kept and the page says why they do not add up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Waiver {
    /// The rule waived: a sum or cross-year rule, or `summary`.
    pub rule: RuleId,
    /// Why the figures are published as they are; shown on the report page.
    pub reason: String,
    /// Where the waiver is written in `data.toml`.
    pub span: Range<usize>,
}

/// The Markdown narrative of a report, split at the six section headings.
/// The text itself is not kept: a large site would hold all of its prose from
/// loading to rendering. `report.md` is read again when a page needs
/// it (`load::narrative_text`), and must then hash as it did when loaded.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Narrative {
    /// Text before the first section (the usual opening paragraph).
    pub preamble: Part,
    /// Indexed by section number − 1; `None` where the report has no heading
    /// for the section (allowed for the table sections 二、三、四).
    pub sections: Vec<Option<Part>>,
    /// A free-form report's own sections, found as it was loaded; empty for
    /// a format with sections of its own.
    pub own: OwnSections,
    /// Where `report.md` is on disk.
    pub source: std::path::PathBuf,
    /// xxh3 of `report.md` as decoded: the text the parts' spans point into.
    pub text_hash: u64,
}

/// A free-form report's narrative split at its own level-1 and level-2
/// headings: they are its sections and its contents. Spans are into the
/// preamble, which is the whole body of such a report.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnSections {
    /// Where the text before the first heading ends.
    pub preamble_end: usize,
    /// Each heading's text and the Markdown under it, up to the next.
    pub parts: Vec<OwnPart>,
}

/// One of a free-form report's own sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnPart {
    /// The heading as written, without its Markdown.
    pub title: String,
    /// Byte span of the Markdown under the heading.
    pub body: Range<usize>,
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

/// A rule whose violations a report's waiver excused. Validation finds them;
/// the report pages say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Waived {
    /// The agency whose report it is.
    pub agency: AgencyIx,
    /// The report's year.
    pub year: u16,
    /// The rule waived.
    pub rule: RuleId,
}

/// Every waiver that excused a violation.
pub(crate) type WaivedRules = std::collections::BTreeSet<Waived>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_split_into_their_levels() {
        assert_eq!(region_levels("山东省潍坊市临朐县"), ["山东省", "潍坊市", "临朐县"]);
        assert_eq!(region_levels("北京市海淀区"), ["北京市", "海淀区"]);
        assert_eq!(region_levels("内蒙古自治区呼和浩特市"), ["内蒙古自治区", "呼和浩特市"]);
        assert_eq!(region_levels("延边朝鲜族自治州延吉市"), ["延边朝鲜族自治州", "延吉市"]);
        assert_eq!(region_levels("大兴安岭地区"), ["大兴安岭地区"]);
        // A suffix that would leave one character stays in the name.
        assert_eq!(region_levels("湖北省荆州市沙市区"), ["湖北省", "荆州市", "沙市区"]);
        assert_eq!(region_levels("河南省郑州市金水区"), ["河南省", "郑州市", "金水区"]);
        assert_eq!(region_levels("示例省"), ["示例省"]);
        assert_eq!(region_levels("某地"), ["某地"]);
        assert!(region_levels("").is_empty());
    }

    #[test]
    fn deadlines_follow_the_regulation_in_force_for_the_year() {
        let d = |level: Level, year| level.deadline(year).to_string();
        for level in [Level::Department, Level::Township, Level::County, Level::City, Level::Province] {
            assert_eq!(d(level, 2008), "2009-03-31");
            assert_eq!(d(level, 2018), "2019-03-31");
        }
        assert_eq!(d(Level::Department, 2019), "2020-01-31");
        assert_eq!(d(Level::Township, 2020), "2021-01-31");
        assert_eq!(d(Level::County, 2019), "2020-02-20");
        assert_eq!(d(Level::City, 2024), "2025-03-10");
        assert_eq!(d(Level::Province, 2024), "2025-03-31");
    }
}
