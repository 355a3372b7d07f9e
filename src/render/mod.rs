//! Stage 3: turn the site model into pages in memory.
//!
//! Templates supply only the page frame; the official tables are rendered by
//! code ([`tables`]) and the narrative by pulldown-cmark ([`narrative`]).
//! Every link goes through [`BaseUrl::link`], so the site works under the
//! subpath of `base_url`.

pub mod charts;
pub mod narrative;
pub mod tables;
pub mod theme;

use std::ops::Range;
use std::path::PathBuf;

use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use crate::compliance::{self, Status};
use crate::config::{BaseUrl, Footer};
use crate::model::{Agency, AgencyInfo, Number, Report, Site};
use crate::validate::Review;
pub use theme::Theme;

/// A rendered page. The official tables and the trend charts are rendered by
/// code, apart from the template: `frame` holds a placeholder comment where
/// each goes, so that the link inspection parses only the frame. They are
/// most of a page's elements, have no links, and their ids are known
/// ([`Shared::table_ids`], [`Shared::chart_ids`]).
#[derive(Debug)]
pub struct Html {
    pub frame: String,
    /// In the order of their placeholders in `frame`.
    pub parts: Vec<Part>,
}

/// A piece of a page rendered apart and spliced in.
#[derive(Debug)]
pub struct Part {
    /// The placeholder's byte range in the frame, and its line there (1-based).
    at: Range<usize>,
    line: usize,
    html: String,
    /// Line breaks in `html`.
    breaks: usize,
    kind: PartKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Table,
    Chart,
}

impl Html {
    /// The page as written.
    pub fn into_bytes(self) -> Vec<u8> {
        if self.parts.is_empty() {
            return self.frame.into_bytes();
        }
        let size = self.frame.len() + self.parts.iter().map(|p| p.html.len()).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        self.pieces().for_each(|piece| out.extend_from_slice(piece));
        out
    }

    /// The xxh3 hash of [`Html::into_bytes`], without putting the page together.
    pub fn hash(&self) -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        self.pieces().for_each(|piece| hasher.update(piece));
        hasher.digest()
    }

    /// The page as written, in order: stretches of the frame and the parts
    /// spliced between them.
    fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        let frame = self.frame.as_bytes();
        let starts = std::iter::once(0).chain(self.parts.iter().map(|p| p.at.end));
        let ends = self.parts.iter().map(|p| p.at.start).chain(std::iter::once(frame.len()));
        let parts = self.parts.iter().map(|p| p.html.as_bytes()).map(Some).chain(std::iter::once(None));
        starts
            .zip(ends)
            .zip(parts)
            .flat_map(move |((start, end), part)| std::iter::once(&frame[start..end]).chain(part))
    }

    /// Whether parts of this kind are spliced into the page.
    pub fn has(&self, kind: PartKind) -> bool {
        self.parts.iter().any(|p| p.kind == kind)
    }

    /// The line in the written page of a line of the frame: parts spliced in
    /// above it push it down by their line breaks.
    pub fn page_line(&self, frame_line: usize) -> usize {
        frame_line + self.parts.iter().filter(|p| p.line < frame_line).map(|p| p.breaks).sum::<usize>()
    }
}

fn breaks(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// Where part `n` of a page goes, until it is spliced in. A comment: the link
/// inspection reads the frame as the HTML it is.
fn placeholder(n: usize) -> String {
    format!("<!--portal:part:{n}-->")
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    /// Copied from this file.
    File(PathBuf),
}

impl Content {
    /// The bytes of the file; a `File` is read from disk.
    pub fn bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        Ok(match self {
            Content::Bytes(b) => std::borrow::Cow::Borrowed(b),
            Content::Static(b) => std::borrow::Cow::Borrowed(b),
            Content::File(path) => std::borrow::Cow::Owned(std::fs::read(path)?),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("模板 {name} 出错：{message}")]
    Template { name: String, message: String },
    #[error("主题错误：{0}")]
    Theme(String),
    #[error("无法读取 {}：{source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Site paths of the generated pages; [`BaseUrl::link`] turns them into links.
pub mod paths {
    pub fn year(year: u16) -> String {
        format!("{year}/")
    }
    pub fn report(year: u16, agency: &str) -> String {
        format!("{year}/{agency}/")
    }
    pub fn agency(agency: &str) -> String {
        format!("agencies/{agency}/")
    }
    pub const AGENCIES: &str = "agencies/";
    pub const FEED: &str = "feed.xml";
    pub const SITEMAP: &str = "sitemap.xml";
    pub const DATA_JSON: &str = "data.json";
    pub const DATA_CSV: &str = "data.csv";
    /// The bulk open data and its index page.
    pub const DATA: &str = "data/";
    pub const REPORTS_CSV: &str = "reports.csv";
    pub const REPORTS_JSON: &str = "reports.json";
    pub const SCHEMA_JSON: &str = "schema.json";
    pub fn year_csv(year: u16) -> String {
        format!("{DATA}{year}.csv")
    }
}

#[derive(Serialize)]
struct Link {
    label: String,
    href: String,
}

#[derive(Serialize)]
struct ReportLink {
    title: String,
    agency: String,
    year: u16,
    date: String,
    date_iso: String,
    href: String,
}

#[derive(Serialize)]
struct AgencyLink {
    name: String,
    short_name: String,
    href: String,
    reports: usize,
}

#[derive(Serialize)]
struct Group<T> {
    name: String,
    items: Vec<T>,
}

#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    footer: &'a Footer,
    years: Vec<Link>,
    agencies_href: String,
    feed_href: String,
    home_href: String,
    data_href: String,
}

#[derive(Serialize)]
struct SectionContext {
    number: u8,
    anchor: &'static str,
    title: String,
    html: String,
    table_html: String,
}

#[derive(Serialize)]
struct WaiverNote {
    rule: &'static str,
    statement: &'static str,
    reason: String,
}

#[derive(Serialize)]
struct ReportContext {
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
    data_json: String,
    data_csv: String,
    notice: &'static str,
    /// For a summary report: what was summed.
    summary: Option<SummaryNote>,
}

#[derive(Serialize)]
struct SummaryNote {
    level: &'static str,
    /// The figures are the members' sums (no hand-written data.toml).
    computed: bool,
    members: Vec<Link>,
    missing: Vec<Link>,
}

/// One line of a year's compliance overview.
#[derive(Serialize)]
struct ComplianceRow {
    name: String,
    href: String,
    level: &'static str,
    deadline: String,
    deadline_iso: String,
    report_href: Option<String>,
    date: Option<String>,
    date_iso: Option<String>,
    status: String,
    status_class: &'static str,
    check: String,
    check_href: Option<String>,
}

/// The warnings a published report passed with, listed on its year page.
#[derive(Serialize)]
struct Findings {
    id: String,
    name: String,
    report_href: String,
    items: Vec<FindingItem>,
}

#[derive(Serialize)]
struct FindingItem {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct RankingContext {
    id: &'static str,
    title: &'static str,
    heading: &'static str,
    rows: Vec<RankRow>,
}

#[derive(Serialize)]
struct RankRow {
    rank: usize,
    name: String,
    href: String,
    value: String,
}

#[derive(Serialize)]
struct ChartContext {
    id: &'static str,
    title: &'static str,
    html: String,
}

#[derive(Serialize)]
struct DataFile {
    name: String,
    href: String,
    what: String,
}

/// An HTML page of the site: what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    Year(u16),
    Agencies,
    /// An agency's page, by index in [`Site::agencies`].
    Agency(usize),
    /// A report's page: agency index, report index.
    Report(usize, usize),
    Data,
    NotFound,
}

/// A file of the site copied as it is.
#[derive(Debug, Clone)]
pub struct Asset {
    pub path: String,
    pub content: Content,
}

/// What every page shows of the site (title, navigation, footer), built once.
pub struct Shared {
    site_ctx: Value,
    /// The ids of the official tables on a report page: the same on every one.
    pub table_ids: std::sync::Arc<std::collections::HashSet<String>>,
    /// The ids of the charts on an agency page.
    pub chart_ids: std::sync::Arc<std::collections::HashSet<String>>,
    /// Per table of the format, its HTML but for the figures.
    tables: Vec<Option<tables::TableTemplate>>,
}

impl Shared {
    pub fn new(site: &Site) -> Self {
        let base = &site.config.base_url;
        let site_ctx = Value::from(Serde(SiteContext {
            title: &site.config.title,
            footer: &site.config.footer,
            years: site
                .years()
                .iter()
                .map(|&y| Link { label: format!("{y}年"), href: base.link(&paths::year(y)) })
                .collect(),
            agencies_href: base.link(paths::AGENCIES),
            feed_href: base.link(paths::FEED),
            home_href: base.link(""),
            data_href: base.link(paths::DATA),
        }));
        let format = site.format;
        let table_ids = format
            .tables
            .iter()
            .enumerate()
            .flat_map(|(t, table)| tables::ids(table, &table_prefix(format, t), &cell_prefix(t)))
            .collect();
        let tables = (0..format.tables.len())
            .map(|t| {
                let section = format.sections.iter().find(|s| s.table == Some(format.tables[t].key))?;
                Some(tables::TableTemplate::new(
                    &format.tables[t],
                    &table_prefix(format, t),
                    &cell_prefix(t),
                    section.title,
                ))
            })
            .collect();
        let chart_ids = format.charts.iter().flat_map(charts::ids).collect();
        Self { site_ctx, table_ids: std::sync::Arc::new(table_ids), chart_ids: std::sync::Arc::new(chart_ids), tables }
    }
}

/// Renders the pages of one site, one at a time, with the theme's templates
/// compiled once.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    review: &'a Review,
    shared: &'a Shared,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme, review: &'a Review, shared: &'a Shared) -> Self {
        Self { site, theme, review, shared }
    }

    /// Every HTML page of the site with its path, in no particular order.
    pub fn pages(&self) -> Vec<(String, PageKind)> {
        let site = self.site;
        let mut out = vec![("index.html".to_owned(), PageKind::Home)];
        out.extend(site.years().into_iter().map(|y| (format!("{}index.html", paths::year(y)), PageKind::Year(y))));
        out.push((format!("{}index.html", paths::AGENCIES), PageKind::Agencies));
        for (a, agency) in site.agencies.iter().enumerate() {
            out.push((format!("{}index.html", paths::agency(&agency.slug)), PageKind::Agency(a)));
            for (i, report) in agency.reports.iter().enumerate() {
                out.push((format!("{}index.html", paths::report(report.year, &agency.slug)), PageKind::Report(a, i)));
            }
        }
        out.push((format!("{}index.html", paths::DATA), PageKind::Data));
        out.push(("404.html".to_owned(), PageKind::NotFound));
        out
    }

    /// The theme's assets and the reports' attachments.
    pub fn assets(&self, root: &std::path::Path) -> Vec<Asset> {
        let mut out = Vec::new();
        for agency in &self.site.agencies {
            for report in &agency.reports {
                for name in &report.attachments {
                    out.push(Asset {
                        path: format!("{}{name}", paths::report(report.year, &agency.slug)),
                        content: Content::File(
                            root.join("content").join(&agency.slug).join(report.year.to_string()).join(name),
                        ),
                    });
                }
            }
        }
        for (path, source) in &self.theme.assets {
            let content = match source {
                theme::Source::Builtin(bytes) => Content::Static(bytes),
                theme::Source::File(p) => Content::File(p.clone()),
            };
            out.push(Asset { path: path.clone(), content });
        }
        out
    }

    /// The HTML of one page. A report page needs its `report.md` as loaded
    /// (`narrative`): the model keeps where its parts are, not their text.
    pub fn render(&self, kind: PageKind, narrative: Option<&str>) -> Result<Html, RenderError> {
        let (site, review) = (self.site, self.review);
        let base = &site.config.base_url;
        let site_ctx = self.shared.site_ctx.clone();
        let crumbs = |items: Vec<Link>| -> Vec<Link> {
            let mut all = vec![Link { label: "首页".to_owned(), href: base.link("") }];
            all.extend(items);
            all
        };
        let (template, ctx) = match kind {
            PageKind::Home => {
                let latest: Vec<ReportLink> = site
                    .reports_newest_first()
                    .into_iter()
                    .take(site.config.latest)
                    .map(|(a, r)| report_link(base, a, r))
                    .collect();
                (
                    "index.html",
                    context! {
                        site => site_ctx,
                        page_title => site.config.title.clone(),
                        intro_html => narrative::to_html(&site.config.intro, "intro"),
                        latest => Serde(latest),
                        agency_groups => Serde(agency_groups(base, &site.agencies)),
                    },
                )
            }
            PageKind::Year(year) => {
                let mut groups: Vec<Group<ReportLink>> = Vec::new();
                for agency in &site.agencies {
                    if let Some(report) = agency.report(year) {
                        push_grouped(&mut groups, agency.info.group(), report_link(base, agency, report));
                    }
                }
                (
                    "year.html",
                    context! {
                        site => site_ctx,
                        page_title => format!("{year}年度政府信息公开工作年度报告"),
                        year => year,
                        groups => Serde(groups),
                        compliance => Serde(compliance_rows(site, review, year)),
                        findings => Serde(findings(site, review, year)),
                        rankings => Serde(rankings(site, review, year)),
                        year_csv => base.link(&paths::year_csv(year)),
                        breadcrumbs => Serde(crumbs(vec![])),
                    },
                )
            }
            PageKind::Agencies => (
                "agencies.html",
                context! {
                    site => site_ctx,
                    page_title => "机构列表",
                    agency_groups => Serde(agency_groups(base, &site.agencies)),
                    breadcrumbs => Serde(crumbs(vec![])),
                },
            ),
            PageKind::Agency(a) => {
                let agency = &site.agencies[a];
                let reports: Vec<ReportLink> =
                    agency.reports.iter().rev().map(|r| report_link(base, agency, r)).collect();
                let mut parts = Vec::new();
                let charts: Vec<ChartContext> = if agency.reports.is_empty() {
                    Vec::new()
                } else {
                    site.format
                        .charts
                        .iter()
                        .map(|chart| {
                            let html = charts::chart_html(chart, &charts::Series::of(site.format, chart, agency));
                            parts.push((html, PartKind::Chart));
                            ChartContext { id: chart.id, title: chart.title, html: placeholder(parts.len() - 1) }
                        })
                        .collect()
                };
                let members: Vec<Link> = review
                    .summaries
                    .members
                    .get(&a)
                    .into_iter()
                    .flatten()
                    .map(|&m| {
                        let member = &site.agencies[m];
                        Link { label: member.info.name.clone(), href: base.link(&paths::agency(&member.slug)) }
                    })
                    .collect();
                let ctx = context! {
                    site => site_ctx,
                    page_title => agency.info.name.clone(),
                    agency => Serde(AgencyPage::new(&agency.info)),
                    reports => Serde(reports),
                    charts => Serde(charts),
                    level => agency.info.summary.as_ref().map(|_| agency.level().label()),
                    members => Serde(members),
                    breadcrumbs => Serde(crumbs(vec![Link { label: "机构列表".to_owned(), href: base.link(paths::AGENCIES) }])),
                };
                return self.splice("agency.html", ctx, parts);
            }
            PageKind::Report(a, i) => {
                let report = &site.agencies[a].reports[i];
                let text = narrative.ok_or_else(|| RenderError::Io {
                    path: report.narrative.source.clone(),
                    source: std::io::Error::other("正文未读入"),
                })?;
                let (ctx, parts) = report_context(site, (a, i), text, review, self.shared);
                let ctx = context! {
                    site => site_ctx,
                    page_title => report.title.clone(),
                    report => Serde(ctx),
                    breadcrumbs => Serde(crumbs(vec![Link { label: format!("{}年", report.year), href: base.link(&paths::year(report.year)) }])),
                };
                return self.splice("report.html", ctx, parts);
            }
            PageKind::Data => (
                "data.html",
                context! {
                    site => site_ctx,
                    page_title => "开放数据",
                    files => Serde(data_files(site)),
                    licence => site.config.data.licence.clone(),
                    notice => site.format.notice,
                    breadcrumbs => Serde(crumbs(vec![])),
                },
            ),
            PageKind::NotFound => ("404.html", context! { site => site_ctx, page_title => "页面不存在" }),
        };
        Ok(Html { frame: self.template(template, ctx)?, parts: Vec::new() })
    }

    fn template(&self, name: &str, ctx: Value) -> Result<String, RenderError> {
        self.theme
            .env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| RenderError::Template { name: name.to_owned(), message: theme::describe(&e) })
    }

    /// Renders a page whose context holds placeholders for `parts`, and finds
    /// them. A template that does not place each part exactly once as given
    /// gets the parts put wherever their placeholders are, and the page is then
    /// inspected whole.
    fn splice(&self, name: &str, ctx: Value, parts: Vec<(String, PartKind)>) -> Result<Html, RenderError> {
        let frame = self.template(name, ctx)?;
        let places: Vec<Option<usize>> = (0..parts.len())
            .map(|n| match frame.match_indices(&placeholder(n)).map(|(at, _)| at).collect::<Vec<_>>()[..] {
                [at] => Some(at),
                _ => None,
            })
            .collect();
        if places.iter().any(Option::is_none) {
            let mut frame = frame;
            for (n, (html, _)) in parts.iter().enumerate() {
                frame = frame.replace(&placeholder(n), html);
            }
            return Ok(Html { frame, parts: Vec::new() });
        }
        let mut found: Vec<Part> = parts
            .into_iter()
            .zip(places.into_iter().flatten())
            .enumerate()
            .map(|(n, ((html, kind), at))| {
                let breaks = breaks(&html);
                Part { at: at..at + placeholder(n).len(), line: 0, html, breaks, kind }
            })
            .collect();
        found.sort_by_key(|p| p.at.start);
        let (mut line, mut seen) = (1, 0);
        for part in &mut found {
            line += breaks(&frame[seen..part.at.start]);
            seen = part.at.start;
            part.line = line;
        }
        Ok(Html { frame, parts: found })
    }
}

#[derive(Serialize)]
struct AgencyPage<'a> {
    #[serde(flatten)]
    info: &'a AgencyInfo,
    display_name: &'a str,
}

impl<'a> AgencyPage<'a> {
    fn new(info: &'a AgencyInfo) -> Self {
        Self { info, display_name: info.display_short_name() }
    }
}

fn report_link(base: &BaseUrl, agency: &Agency, report: &Report) -> ReportLink {
    ReportLink {
        title: report.title.clone(),
        agency: agency.info.name.clone(),
        year: report.year,
        date: report.date.to_chinese(),
        date_iso: report.date.to_string(),
        href: base.link(&paths::report(report.year, &agency.slug)),
    }
}

fn agency_link(base: &BaseUrl, agency: &Agency) -> AgencyLink {
    AgencyLink {
        name: agency.info.name.clone(),
        short_name: agency.info.display_short_name().to_owned(),
        href: base.link(&paths::agency(&agency.slug)),
        reports: agency.reports.len(),
    }
}

/// Groups keep the order in which their first member appears (agency order).
fn push_grouped<T>(groups: &mut Vec<Group<T>>, name: &str, item: T) {
    match groups.iter_mut().find(|g| g.name == name) {
        Some(g) => g.items.push(item),
        None => groups.push(Group { name: name.to_owned(), items: vec![item] }),
    }
}

fn agency_groups(base: &BaseUrl, agencies: &[Agency]) -> Vec<Group<AgencyLink>> {
    let mut groups = Vec::new();
    for agency in agencies {
        push_grouped(&mut groups, agency.info.group(), agency_link(base, agency));
    }
    groups
}

/// The context of a report page, with a placeholder for each table, and the tables.
fn report_context(
    site: &Site,
    (a, index): (usize, usize),
    text: &str,
    review: &Review,
    shared: &Shared,
) -> (ReportContext, Vec<(String, PartKind)>) {
    let base = &site.config.base_url;
    let agency = &site.agencies[a];
    let report = &agency.reports[index];
    let link_to = |m: &usize, report: bool| {
        let member = &site.agencies[*m];
        let path =
            if report { paths::report(agency.reports[index].year, &member.slug) } else { paths::agency(&member.slug) };
        Link { label: member.info.name.clone(), href: base.link(&path) }
    };
    let summary = review.summaries.report(a, report.year).map(|s| SummaryNote {
        level: agency.level().label(),
        computed: s.computed,
        members: s.members.iter().map(|m| link_to(m, true)).collect(),
        missing: s.missing.iter().map(|m| link_to(m, false)).collect(),
    });
    let format = site.format;
    let mut parts: Vec<(String, PartKind)> = Vec::new();
    let sections = format
        .sections
        .iter()
        .zip(&report.narrative.sections)
        .map(|(section, part)| {
            let table_html = section
                .table
                .and_then(|key| format.tables.iter().position(|t| t.key == key))
                .and_then(|t| Some((t, shared.tables.get(t)?.as_ref()?)))
                .map(|(t, template)| {
                    parts.push((template.render(&report.figures.tables[t]), PartKind::Table));
                    placeholder(parts.len() - 1)
                })
                .unwrap_or_default();
            SectionContext {
                number: section.number,
                anchor: section.anchor,
                title: part.as_ref().and_then(|p| p.heading.clone()).unwrap_or_else(|| section.title.to_owned()),
                html: part.as_ref().map(|p| narrative::to_html(p.markdown(text), section.anchor)).unwrap_or_default(),
                table_html,
            }
        })
        .collect();
    let neighbour = |r: Option<&Report>| {
        r.map(|r| Link { label: format!("{}年", r.year), href: base.link(&paths::report(r.year, &agency.slug)) })
    };
    let dir = paths::report(report.year, &agency.slug);
    let context = ReportContext {
        title: report.title.clone(),
        year: report.year,
        agency: agency_link(base, agency),
        date: report.date.to_chinese(),
        date_iso: report.date.to_string(),
        signed_by: report.signed_by.clone(),
        preamble_html: narrative::to_html(report.narrative.preamble.markdown(text), "preamble"),
        sections,
        previous: neighbour(index.checked_sub(1).and_then(|i| agency.reports.get(i)).map(|r| &**r)),
        next: neighbour(agency.reports.get(index + 1).map(|r| &**r)),
        waivers: report
            .waivers
            .iter()
            .filter(|w| review.waived.contains(&(agency.slug.clone(), report.year, w.rule)))
            .map(|w| WaiverNote {
                rule: w.rule.as_str(),
                statement: format.rule_statement(w.rule).unwrap_or(""),
                reason: w.reason.clone(),
            })
            .collect(),
        data_json: base.link(&format!("{dir}{}", paths::DATA_JSON)),
        data_csv: base.link(&format!("{dir}{}", paths::DATA_CSV)),
        notice: format.notice,
        summary,
    };
    (context, parts)
}

/// The id of table `t` of the format on a report page (`table-requests`): a link target.
fn table_prefix(format: &crate::format::Format, t: usize) -> String {
    format!("table-{}", format.tables[t].key)
}

/// The prefix of the ids of table `t`'s header cells: short, since every data
/// cell lists them in `headers`.
fn cell_prefix(t: usize) -> String {
    format!("t{}", t + 1)
}

/// The fragment on a year page that lists a report's warnings.
fn findings_id(agency: &Agency) -> String {
    format!("checks-{}", agency.slug)
}

fn compliance_rows(site: &Site, review: &Review, year: u16) -> Vec<ComplianceRow> {
    let base = &site.config.base_url;
    compliance::overview(site, &review.summaries, year)
        .into_iter()
        .map(|entry| {
            let agency = &site.agencies[entry.agency];
            let (status, status_class) = match entry.status {
                Status::OnTime => ("按时发布".to_owned(), "on-time"),
                Status::Late(days) => (format!("逾期 {days} 天"), "late"),
                Status::Missing => ("未发布".to_owned(), "missing"),
            };
            let warnings = review.warnings.get(&(entry.agency, year)).map_or(0, Vec::len);
            let (check, check_href) = match (entry.published, warnings) {
                (None, _) => ("—".to_owned(), None),
                (Some(_), 0) => ("全部通过".to_owned(), None),
                (Some(_), n) => (format!("通过，有 {n} 条提示"), Some(format!("#{}", findings_id(agency)))),
            };
            ComplianceRow {
                name: agency.info.name.clone(),
                href: base.link(&paths::agency(&agency.slug)),
                level: entry.level.label(),
                deadline: entry.deadline.to_chinese(),
                deadline_iso: entry.deadline.to_string(),
                report_href: entry.published.map(|_| base.link(&paths::report(year, &agency.slug))),
                date: entry.published.map(|d| d.to_chinese()),
                date_iso: entry.published.map(|d| d.to_string()),
                status,
                status_class,
                check,
                check_href,
            }
        })
        .collect()
}

fn findings(site: &Site, review: &Review, year: u16) -> Vec<Findings> {
    let base = &site.config.base_url;
    review
        .warnings
        .iter()
        .filter(|((_, y), _)| *y == year)
        .map(|(&(a, _), items)| {
            let agency = &site.agencies[a];
            Findings {
                id: findings_id(agency),
                name: agency.info.name.clone(),
                report_href: base.link(&paths::report(year, &agency.slug)),
                items: items
                    .iter()
                    .map(|(code, message)| FindingItem { code: code.as_str(), message: message.clone() })
                    .collect(),
            }
        })
        .collect()
}

/// The format's rankings of the year's reports, summaries left out (they
/// would count their members twice). Largest first; ties keep agency order and
/// share a rank; a share of nothing (no applications handled) comes last as —.
fn rankings(site: &Site, review: &Review, year: u16) -> Vec<RankingContext> {
    let base = &site.config.base_url;
    let format = site.format;
    format
        .rankings
        .iter()
        .map(|ranking| {
            // (agency, sort key in millionths, shown value)
            let mut rows: Vec<(usize, Option<u128>, String)> = site
                .agencies
                .iter()
                .enumerate()
                .filter(|(a, _)| !review.summaries.is_summary(*a))
                .filter_map(|(a, agency)| {
                    let report = agency.report(year)?;
                    let value = report.figures.measure(format, &ranking.measure).map(Number::raw);
                    let per = ranking.per.as_ref().map(|p| report.figures.measure(format, p).map(Number::raw));
                    Some(match (value, per) {
                        (Some(v), None) => (a, Some(u128::from(v) * 1_000_000), v.to_string()),
                        (Some(v), Some(Some(total))) if total > 0 => {
                            let share = u128::from(v) * 1_000_000 / u128::from(total);
                            (a, Some(share), format!("{:.1}%（{v}/{total}）", v as f64 * 100.0 / total as f64))
                        }
                        _ => (a, None, "—".to_owned()),
                    })
                })
                .collect();
            rows.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            let mut out: Vec<RankRow> = Vec::new();
            let mut previous: Option<(Option<u128>, usize)> = None;
            for (i, (a, key, value)) in rows.into_iter().enumerate() {
                let rank = match previous {
                    Some((k, r)) if k == key => r,
                    _ => i + 1,
                };
                previous = Some((key, rank));
                let agency = &site.agencies[a];
                out.push(RankRow {
                    rank,
                    name: agency.info.name.clone(),
                    href: base.link(&paths::report(year, &agency.slug)),
                    value,
                });
            }
            RankingContext { id: ranking.id, title: ranking.title, heading: ranking.heading, rows: out }
        })
        .collect()
}

/// The files of `/data/`, for its index page.
fn data_files(site: &Site) -> Vec<DataFile> {
    let base = &site.config.base_url;
    let file = |name: String, what: String| DataFile { href: base.link(&format!("{}{name}", paths::DATA)), name, what };
    let mut out = vec![
        file(
            paths::REPORTS_CSV.to_owned(),
            "全部年度报告的全部数据，每个单元格一行（CSV，UTF-8 编码，带 BOM）".to_owned(),
        ),
        file(paths::REPORTS_JSON.to_owned(), "全部年度报告的全部数据（JSON，结构见 schema.json）".to_owned()),
        file(paths::SCHEMA_JSON.to_owned(), "JSON 数据的结构说明（JSON Schema），含各行、各列的官方表述".to_owned()),
    ];
    for year in site.years() {
        out.push(file(format!("{year}.csv"), format!("{year}年度全部报告的数据（CSV）")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page made again to the same bytes keeps its links only if the hash
    /// of the page in parts is the hash of the page as written.
    #[test]
    fn a_page_hashes_as_written() {
        let frame = "<main>\n@@0@@\n<p>文</p>\n@@1@@</main>\n".to_owned();
        let part = |n: usize, html: &str| {
            let at = frame.find(&format!("@@{n}@@")).unwrap();
            Part { at: at..at + 5, line: 0, html: html.to_owned(), breaks: 0, kind: PartKind::Table }
        };
        let html = Html { parts: vec![part(0, "<table>一</table>"), part(1, "")], frame: frame.clone() };
        let hash = html.hash();
        let bytes = html.into_bytes();
        assert_eq!(String::from_utf8_lossy(&bytes), "<main>\n<table>一</table>\n<p>文</p>\n</main>\n");
        assert_eq!(hash, xxhash_rust::xxh3::xxh3_64(&bytes));
        let plain = Html { frame: frame.clone(), parts: Vec::new() };
        assert_eq!(plain.hash(), xxhash_rust::xxh3::xxh3_64(frame.as_bytes()));
    }
}
