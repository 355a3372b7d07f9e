//! What the templates are given: the view models of the pages (serialized
//! into their contexts) and the builders that make them from the site model.
//! The year page's overview has its own module ([`super::overview`]).

use serde::Serialize;

use super::Shared;
use super::charts;
use super::narrative;
use super::page::{PartKind, Parts};
use crate::config::{BaseUrl, Footer};
use crate::layout::url;
use crate::model::{Agency, AgencyInfo, AgencyIx, Report, ReportIx, Site, Waived};
use crate::validate::Review;

/// How many years the header links to; the rest are on the years page.
const HEADER_YEARS: usize = 5;

/// A labelled link.
#[derive(Serialize, Clone)]
pub(super) struct Link {
    label: String,
    href: String,
}

impl Link {
    /// A link to site path `path`.
    pub(super) fn new(base: &BaseUrl, label: String, path: &str) -> Self {
        Self { label, href: base.link(path) }
    }
}

/// A link to a report's page, with what lists of reports show of it.
#[derive(Serialize)]
pub(super) struct ReportLink {
    title: String,
    agency: String,
    year: u16,
    date: String,
    date_iso: String,
    href: String,
}

/// An agency's line in a year's list of reports: its report, or, for an
/// agency expected to report that year without one, its name marked 未发布
/// and linked to its page. The fields are a [`ReportLink`]'s, so that a
/// site's own `year.html` written for reports alone still renders.
#[derive(Serialize)]
pub(super) struct YearItem {
    #[serde(flatten)]
    link: ReportLink,
    unpublished: bool,
}

impl YearItem {
    /// `agency`'s report for `year`, if it has one; else, if `owed` (it was
    /// expected to report), its name marked 未发布.
    pub(super) fn of(base: &BaseUrl, agency: &Agency, year: u16, owed: bool) -> Option<Self> {
        match agency.report(year) {
            Some(report) => Some(Self { link: report_link(base, agency, report), unpublished: false }),
            None => owed.then(|| Self {
                link: ReportLink {
                    title: agency.info.name.clone(),
                    agency: agency.info.name.clone(),
                    year,
                    date: String::new(),
                    date_iso: String::new(),
                    href: base.link(&url::agency(&agency.slug)),
                },
                unpublished: true,
            }),
        }
    }
}

/// A link to an agency's page, with what lists of agencies show of it.
#[derive(Serialize)]
pub(super) struct AgencyLink {
    name: String,
    short_name: String,
    href: String,
    reports: usize,
}

/// What every page shows of the site: title, navigation, footer.
#[derive(Serialize)]
pub(super) struct SiteContext<'a> {
    title: &'a str,
    footer: &'a Footer,
    /// Every year, newest first.
    years: Vec<Link>,
    /// The latest years, which the header shows.
    header_years: Vec<Link>,
    /// Whether there are more years than the header shows.
    more_years: bool,
    years_href: String,
    /// The search page, if the site has search.
    search_href: Option<String>,
    /// The folder of the theme's assets (`assets/`), for its scripts.
    assets_href: String,
    agencies_href: String,
    /// The RSS feed, if the site has one (`[pages] feed`).
    feed_href: Option<String>,
    home_href: String,
    data_href: String,
}

impl<'a> SiteContext<'a> {
    /// The site's context, the same on every page.
    pub(super) fn new(site: &'a Site) -> Self {
        let base = &site.config.base_url;
        let years: Vec<Link> = site.years().iter().map(|&y| Link::new(base, format!("{y}年"), &url::year(y))).collect();
        let header_years = years.iter().take(HEADER_YEARS).cloned().collect();
        SiteContext {
            title: &site.config.title,
            footer: &site.config.footer,
            more_years: years.len() > HEADER_YEARS,
            years,
            header_years,
            years_href: base.link(url::YEARS),
            search_href: site.config.search.enabled.then(|| base.link(url::SEARCH)),
            assets_href: base.link("assets/"),
            agencies_href: base.link(url::AGENCIES),
            feed_href: site.config.pages.feed.then(|| base.link(url::FEED)),
            home_href: base.link(url::HOME),
            data_href: base.link(url::DATA),
        }
    }
}

/// One of a report's sections: its narrative and, as a placeholder, its table.
#[derive(Serialize)]
struct SectionContext {
    number: u8,
    /// The fragment id: the format's (`section-3`), or for a free-form
    /// report's own headings `part-1`, `part-2`, ….
    anchor: String,
    title: String,
    html: String,
    table_html: String,
}

/// A rule the published figures break, with the reason they were published as they are.
#[derive(Serialize)]
struct WaiverNote {
    rule: &'static str,
    statement: &'static str,
    reason: String,
}

/// A report's page.
#[derive(Serialize)]
pub(super) struct ReportContext {
    title: String,
    year: u16,
    agency: AgencyLink,
    date: String,
    date_iso: String,
    signed_by: String,
    preamble_html: String,
    sections: Vec<SectionContext>,
    previous: Option<Link>,
    next: Option<Link>,
    /// Rules the published figures break, with the reason they were published as they are.
    waivers: Vec<WaiverNote>,
    /// The report's tables in open data; `None` for a report without tables.
    data: Option<ReportData>,
    /// The name of the report's format (`2019 年版格式`, `自由格式`).
    format: &'static str,
    /// The notice of the report's format; empty for a free-form report.
    notice: &'static str,
    /// Whether the report has the national tables (a free-form report has not).
    has_tables: bool,
    /// Files published beside the report (the original PDF, DOC, XLS …).
    attachments: Vec<AttachmentLink>,
    /// For a summary report: what was summed.
    summary: Option<SummaryNote>,
    /// `"draft"` or `"scheduled"` for a report `portal serve` shows before it is published.
    unpublished: Option<&'static str>,
}

/// Where the report's tables are in open data.
#[derive(Serialize)]
struct ReportData {
    json: String,
    csv: String,
}

/// A file published beside a report, with what a reader needs before opening it.
#[derive(Serialize)]
struct AttachmentLink {
    name: String,
    href: String,
    /// What kind of file it is, in words (`PDF 文档`).
    kind: String,
    /// Its size, in words (`1.2 MB`); empty when it cannot be read.
    size: String,
}

/// What a summary report sums.
#[derive(Serialize)]
struct SummaryNote {
    level: &'static str,
    /// The figures are the members' sums (no hand-written data.toml).
    computed: bool,
    members: Vec<Link>,
    missing: Vec<Link>,
    /// Members whose report follows another format, not summed.
    other_format: Vec<Link>,
}

/// A trend chart on an agency's page, as a placeholder.
#[derive(Serialize)]
pub(super) struct ChartContext {
    id: &'static str,
    title: &'static str,
    html: String,
}

/// A file of `/data/`, on its index page.
#[derive(Serialize)]
pub(super) struct DataFile {
    name: String,
    href: String,
    what: String,
}

/// An agency's settings as its page shows them.
#[derive(Serialize)]
pub(super) struct AgencyPage<'a> {
    #[serde(flatten)]
    info: &'a AgencyInfo,
    display_name: &'a str,
}

impl<'a> AgencyPage<'a> {
    /// The agency's settings and the name its page shows.
    pub(super) fn new(info: &'a AgencyInfo) -> Self {
        Self { info, display_name: info.display_short_name() }
    }
}

/// The breadcrumbs of a page: the home page, then `items`.
pub(super) fn crumbs(base: &BaseUrl, items: Vec<Link>) -> Vec<Link> {
    let mut all = vec![Link::new(base, "首页".to_owned(), url::HOME)];
    all.extend(items);
    all
}

/// A link to `report` of `agency`.
pub(super) fn report_link(base: &BaseUrl, agency: &Agency, report: &Report) -> ReportLink {
    ReportLink {
        title: report.title.clone(),
        agency: agency.info.name.clone(),
        year: report.year,
        date: report.date.to_chinese(),
        date_iso: report.date.to_string(),
        href: base.link(&url::report(report.year, &agency.slug)),
    }
}

/// A link to `agency`'s page.
pub(super) fn agency_link(base: &BaseUrl, agency: &Agency) -> AgencyLink {
    AgencyLink {
        name: agency.info.name.clone(),
        short_name: agency.info.display_short_name().to_owned(),
        href: base.link(&url::agency(&agency.slug)),
        reports: agency.reports.len(),
    }
}

/// Agencies by region: a top level (the widest level in which the site's
/// agencies differ: cities of a provincial site, counties of a city's), and
/// under it a subgroup per rest of the region and parent body (a county and
/// its departments and towns). Agencies without a region go by parent body.
#[derive(Serialize)]
pub(super) struct RegionGroup<T> {
    name: String,
    id: String,
    subgroups: Vec<Subgroup<T>>,
}

/// Items of one subgroup.
#[derive(Serialize)]
pub(super) struct Subgroup<T> {
    name: String,
    id: String,
    items: Vec<T>,
}

impl<T> RegionGroup<T> {
    /// How many items the group holds.
    pub(super) fn len(&self) -> usize {
        self.subgroups.iter().map(|s| s.items.len()).sum()
    }
}

/// Where an agency goes: (top level, subgroup), past the levels all of `agencies` share.
fn region_keys(agencies: &[Agency]) -> Vec<(String, String)> {
    let levels: Vec<Vec<&str>> = agencies.iter().map(|a| a.info.region_levels()).collect();
    let with_region: Vec<&Vec<&str>> = levels.iter().filter(|l| !l.is_empty()).collect();
    // Shared levels, but one: a site of one county still shows its county.
    let shared = with_region.first().map_or(0, |first| {
        (0..first.len()).take_while(|&i| with_region.iter().all(|l| l.len() > i + 1 && l[i] == first[i])).count()
    });
    agencies
        .iter()
        .zip(&levels)
        .map(|(a, l)| match l.get(shared..).unwrap_or_default() {
            [] => (a.info.group().to_owned(), a.info.group().to_owned()),
            [top] => (top.to_string(), a.info.parent.clone().unwrap_or_else(|| top.to_string())),
            [top, rest @ ..] => (top.to_string(), rest.concat()),
        })
        .collect()
}

/// The items `item` makes of `agencies` (`None`: none for it), by region, in agency order
/// of each group's first member.
pub(super) fn region_groups<T>(agencies: &[Agency], item: impl Fn(&Agency) -> Option<T>) -> Vec<RegionGroup<T>> {
    let mut groups: Vec<RegionGroup<T>> = Vec::new();
    let mut subs = 0;
    for (agency, (top, sub)) in agencies.iter().zip(region_keys(agencies)) {
        let Some(item) = item(agency) else { continue };
        let g = match groups.iter().position(|g| g.name == top) {
            Some(g) => g,
            None => {
                let id = format!("region-{}", groups.len() + 1);
                groups.push(RegionGroup { name: top, id, subgroups: Vec::new() });
                groups.len() - 1
            }
        };
        let group = &mut groups[g];
        match group.subgroups.iter_mut().find(|s| s.name == sub) {
            Some(s) => s.items.push(item),
            None => {
                subs += 1;
                group.subgroups.push(Subgroup { name: sub, id: format!("group-{subs}"), items: vec![item] });
            }
        }
    }
    groups
}

/// The regions of the agency index, for the home page: each top level with a link to it.
pub(super) fn region_index(base: &BaseUrl, agencies: &[Agency]) -> Vec<Link> {
    region_groups(agencies, |_| Some(()))
        .into_iter()
        .map(|g| {
            let label = format!("{}（{}个机构）", g.name, g.len());
            Link { label, href: format!("{}#{}", base.link(url::AGENCIES), g.id) }
        })
        .collect()
}

/// Every year with the number of its reports.
pub(super) fn year_links(site: &Site) -> Vec<Link> {
    let base = &site.config.base_url;
    site.years()
        .into_iter()
        .map(|y| {
            let n = site.agencies.iter().filter(|a| a.report(y).is_some()).count();
            Link::new(base, format!("{y}年（{n}份报告）"), &url::year(y))
        })
        .collect()
}

/// The rankings of a year, linked on its rankings page.
pub(super) fn ranking_links(site: &Site, year: u16) -> Vec<Link> {
    let base = &site.config.base_url;
    if !super::has_rankings(site, year) {
        return Vec::new();
    }
    let page = base.link(&url::rankings(year));
    let rankings = super::overview::ranking_format(site, year).map_or(&[][..], |f| f.rankings);
    rankings.iter().map(|r| Link { label: r.title.to_owned(), href: format!("{page}#{}", r.id) }).collect()
}

/// The trend charts of an agency with reports, each as a placeholder for its part.
pub(super) fn charts(agency: &Agency, parts: &mut Parts) -> Vec<ChartContext> {
    if agency.reports.is_empty() {
        return Vec::new();
    }
    // The charts of the agency's newest format with tables; each year is drawn
    // from its own format's chart of the same id, where it has one.
    let Some(newest) = agency.reports.iter().rev().map(|r| r.layout()).find(|f| !f.charts.is_empty()) else {
        return Vec::new();
    };
    newest
        .charts
        .iter()
        .map(|chart| {
            let html = charts::chart_html(chart, &charts::Series::of(chart, agency));
            ChartContext { id: chart.id, title: chart.title, html: parts.push(html, PartKind::Chart) }
        })
        .collect()
}

/// The members of summary `a`, linked to their pages.
pub(super) fn members(site: &Site, review: &Review, a: AgencyIx) -> Vec<Link> {
    let base = &site.config.base_url;
    review
        .summaries
        .members
        .get(&a)
        .into_iter()
        .flatten()
        .map(|&m| {
            let member = site.agency(m);
            Link::new(base, member.info.name.clone(), &url::agency(&member.slug))
        })
        .collect()
}

/// The context of a report page, with a placeholder for each table in `parts`.
pub(super) fn report_context(
    site: &Site,
    r: ReportIx,
    text: &str,
    review: &Review,
    shared: &Shared,
    parts: &mut Parts,
) -> ReportContext {
    let base = &site.config.base_url;
    let (a, index) = (r.agency, r.index);
    let agency = site.agency(a);
    let report = &agency.reports[index];
    let link_to = |m: &AgencyIx, report: bool| {
        let member = site.agency(*m);
        let path =
            if report { url::report(agency.reports[index].year, &member.slug) } else { url::agency(&member.slug) };
        Link::new(base, member.info.name.clone(), &path)
    };
    let summary = review.summaries.report(a, report.year).map(|s| SummaryNote {
        level: agency.level().label(),
        computed: s.computed,
        members: s.members.iter().map(|m| link_to(m, true)).collect(),
        missing: s.missing.iter().map(|m| link_to(m, false)).collect(),
        other_format: s.other_format.iter().map(|m| link_to(m, true)).collect(),
    });
    let format = report.layout();
    let raw = narrative::RawHtml::of(&site.config);
    let (preamble, sections): (&str, Vec<SectionContext>) = if format.has_tables() {
        let sections = format
            .sections
            .iter()
            .zip(&report.narrative.sections)
            .map(|(section, part)| {
                let table_html = section
                    .table
                    .and_then(|key| format.table_ix(key))
                    .and_then(|t| Some((t, shared.table(report.format, t)?)))
                    .map(|(t, template)| parts.push(template.render(report.figures.grids(t)), PartKind::Table))
                    .unwrap_or_default();
                SectionContext {
                    number: section.number,
                    anchor: section.anchor.to_owned(),
                    title: part.as_ref().and_then(|p| p.heading.clone()).unwrap_or_else(|| section.title.to_owned()),
                    html: part
                        .as_ref()
                        .map(|p| parts.push_narrative(narrative::render(p.markdown(text), section.anchor, raw)))
                        .unwrap_or_default(),
                    table_html,
                }
            })
            .collect();
        (report.narrative.preamble.markdown(text), sections)
    } else {
        // A free-form report: its own headings are its sections and its contents.
        let body = report.narrative.preamble.markdown(text);
        let own = &report.narrative.own;
        let sections = own
            .parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let anchor = format!("part-{}", i + 1);
                let markdown = body.get(part.body.clone()).unwrap_or_default();
                let html = parts.push_narrative(narrative::render(markdown, &anchor, raw));
                SectionContext {
                    number: (i + 1).try_into().unwrap_or(u8::MAX),
                    anchor,
                    title: part.title.clone(),
                    html,
                    table_html: String::new(),
                }
            })
            .collect();
        (body.get(..own.preamble_end).unwrap_or(body), sections)
    };
    let folder = report.narrative.source.parent();
    let attachments = report
        .attachments
        .iter()
        .map(|name| {
            let size = folder.and_then(|f| std::fs::metadata(f.join(name)).ok()).map(|m| file_size(m.len()));
            AttachmentLink {
                name: name.clone(),
                href: base.link(&url::report_file(report.year, &agency.slug, name)),
                kind: file_kind(name),
                size: size.unwrap_or_default(),
            }
        })
        .collect();
    let neighbour =
        |r: Option<&Report>| r.map(|r| Link::new(base, format!("{}年", r.year), &url::report(r.year, &agency.slug)));
    ReportContext {
        title: report.title.clone(),
        year: report.year,
        agency: agency_link(base, agency),
        date: report.date.to_chinese(),
        date_iso: report.date.to_string(),
        signed_by: report.signed_by.clone(),
        preamble_html: parts.push_narrative(narrative::render(preamble, "preamble", raw)),
        sections,
        previous: neighbour(index.checked_sub(1).and_then(|i| agency.reports.get(i)).map(|r| &**r)),
        next: neighbour(agency.reports.get(index + 1).map(|r| &**r)),
        waivers: report
            .waivers
            .iter()
            .filter(|w| review.waived.contains(&Waived { agency: a, year: report.year, rule: w.rule }))
            .map(|w| WaiverNote {
                rule: w.rule.as_str(),
                statement: format.rule_statement(w.rule).unwrap_or(""),
                reason: w.reason.clone(),
            })
            .collect(),
        data: format.has_tables().then(|| ReportData {
            json: base.link(&url::report_json(report.year, &agency.slug)),
            csv: base.link(&url::report_csv(report.year, &agency.slug)),
        }),
        format: format.name,
        notice: format.notice,
        has_tables: format.has_tables(),
        attachments,
        summary,
        unpublished: match report.status {
            crate::model::Status::Published => None,
            crate::model::Status::Draft => Some("draft"),
            crate::model::Status::Scheduled => Some("scheduled"),
        },
    }
}

/// What kind of file an attachment is, by its extension, in words.
fn file_kind(name: &str) -> String {
    let ext = std::path::Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "PDF 文档".to_owned(),
        "doc" | "docx" | "wps" => "Word 文档".to_owned(),
        "xls" | "xlsx" | "et" => "Excel 表格".to_owned(),
        "ofd" => "OFD 文档".to_owned(),
        "zip" | "rar" | "7z" => "压缩文件".to_owned(),
        "png" | "jpg" | "jpeg" | "gif" | "webp" => "图片".to_owned(),
        "txt" => "文本文件".to_owned(),
        "" => "文件".to_owned(),
        other => format!("{} 文件", other.to_ascii_uppercase()),
    }
}

/// A file's size in words: bytes, KB or MB (1024-based, one decimal).
fn file_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b < KB => format!("{b} 字节"),
        b if b < KB * KB => format!("{:.1} KB", b as f64 / KB as f64),
        b => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
    }
}

/// The files of `/data/`, for its index page.
pub(super) fn data_files(site: &Site) -> Vec<DataFile> {
    let base = &site.config.base_url;
    crate::output::opendata::bulk_files(site)
        .into_iter()
        .map(|f| DataFile { href: base.link(&url::data_file(&f.name)), name: f.name, what: f.what })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_described() {
        assert_eq!(file_kind("原文.PDF"), "PDF 文档");
        assert_eq!(file_kind("统计表.xls"), "Excel 表格");
        assert_eq!(file_kind("报告.docx"), "Word 文档");
        assert_eq!(file_kind("说明"), "文件");
        assert_eq!(file_kind("a.csv"), "CSV 文件");
        assert_eq!(file_size(512), "512 字节");
        assert_eq!(file_size(1536), "1.5 KB");
        assert_eq!(file_size(3 * 1024 * 1024), "3.0 MB");
    }
}
