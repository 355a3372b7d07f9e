//! Stage 3: turn the site model into pages in memory.
//!
//! Templates supply only the page frame; the official tables are rendered by
//! code and the narrative by pulldown-cmark. Every link goes through
//! [`BaseUrl::link`](crate::config::BaseUrl::link), so the site works under
//! the subpath of `base_url`; the paths it is given come from
//! [`crate::layout::url`].
//!
//! - this module: the stage's entry points, [`Renderer`] (the list of pages,
//!   the assets, one page at a time), [`Shared`] and [`PageKind`];
//! - `page`: a rendered page as a template frame with the tables and charts
//!   spliced in ([`Html`]);
//! - `pages`: one function per kind of page, its template and context;
//! - `view`: the view models the templates are given, and their builders;
//! - `overview`: a year page's compliance rows, findings and rankings,
//!   worded from [`crate::compliance`] and [`crate::rank`];
//! - [`tables`]: the official tables; [`charts`]: the trend charts as inline
//!   SVG; [`narrative`]: Markdown; [`theme`]: templates and static assets.

pub(crate) mod charts;
pub(crate) mod narrative;
mod overview;
mod page;
mod pages;
pub(crate) mod tables;
pub(crate) mod theme;
mod view;

use std::path::PathBuf;

use minijinja::Value;
use minijinja::value::Serde;

use crate::format::{FormatId, Table, TableIx};
use crate::layout::{source, url};
use crate::model::{AgencyIx, ReportIx, Site};
use crate::text::Reason;
use crate::validate::Review;
pub(crate) use page::{Html, PartKind};
pub(crate) use theme::Theme;

/// Where a file's bytes come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Built into `portal`: the default theme's files.
    Static(&'static [u8]),
    /// Copied from this file.
    File(PathBuf),
}

impl Content {
    /// The bytes of the file; a `File` is read from disk.
    pub(crate) fn bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        Ok(match self {
            Content::Static(b) => std::borrow::Cow::Borrowed(b),
            Content::File(path) => std::borrow::Cow::Owned(std::fs::read(path)?),
        })
    }
}

/// Why a page or the theme could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to compile or to render.
    #[error("模板 {name} 出错：{message}")]
    Template {
        /// The template's name, relative to `templates/`.
        name: String,
        /// minijinja's message, with its causes.
        message: String,
    },
    /// The theme cannot be used: it does not exist, or a built-in template is broken.
    #[error("主题错误：{0}")]
    Theme(String),
    /// A file or folder of the theme or the site's overrides leads out of the site.
    #[error(transparent)]
    Outside(#[from] crate::layout::confine::Escape),
    /// A file or folder name of the theme or the overrides that is not UTF-8.
    #[error("{} 的名字不是 UTF-8 编码，不能用作网址：请用 UTF-8 重新命名", .0.display())]
    Name(PathBuf),
    /// A link to a folder that contains it: walking it would never end.
    #[error("{} 是指向其所在文件夹（或更上层）的链接：请删除它", .0.display())]
    Loop(PathBuf),
    /// A file of the theme or the site could not be read.
    #[error("无法读取 {}：{}", path.display(), Reason(source))]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
}

/// An HTML page of the site: what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    /// The home page: the latest reports and every agency.
    Home,
    /// A year's page: its reports, by region, with links to its overview and rankings.
    Year(u16),
    /// A year's compliance overview and findings.
    Compliance(u16),
    /// A year's rankings.
    Rankings(u16),
    /// The list of every year.
    Years,
    /// The full-text search page.
    Search,
    /// The list of agencies.
    Agencies,
    /// An agency's page.
    Agency(AgencyIx),
    /// A report's page.
    Report(ReportIx),
    /// The index page of the open data.
    Data,
    /// The page for a path the site does not have (`404.html`).
    NotFound,
}

/// A file of the site copied as it is.
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub path: String,
    pub content: Content,
}

/// What every page shows of the site (title, navigation, footer), built once.
pub(crate) struct Shared {
    site_ctx: Value,
    /// Per format ([`FormatId::ALL`]'s order), the ids of its official tables
    /// on a report page: the same on every report of the format.
    table_ids: Vec<std::sync::Arc<std::collections::HashSet<String>>>,
    /// The ids of the charts on an agency page.
    pub chart_ids: std::sync::Arc<std::collections::HashSet<String>>,
    /// Per format ([`FormatId::ALL`]'s order), per table, its HTML but for the figures.
    tables: Vec<Vec<Option<tables::TableTemplate>>>,
}

/// The position of a format in [`FormatId::ALL`], which [`Shared`]'s lists follow.
fn format_slot(id: FormatId) -> usize {
    FormatId::ALL.iter().position(|f| *f == id).unwrap_or(0)
}

impl Shared {
    /// What every page of `site` shows, and the official tables' layout.
    pub(crate) fn new(site: &Site) -> Self {
        let site_ctx = Value::from(Serde(view::SiteContext::new(site)));
        // Only the formats the site's reports follow: each is laid out once.
        let used: Vec<FormatId> =
            FormatId::ALL.into_iter().filter(|f| site.reports().any(|(_, r)| r.format == *f)).collect();
        let table_ids = FormatId::ALL
            .iter()
            .map(|id| {
                let format = id.format();
                let ids = format
                    .tables_ix()
                    .flat_map(|(t, table)| tables::ids(table, &table_prefix(table), &cell_prefix(t)))
                    .collect();
                std::sync::Arc::new(ids)
            })
            .collect();
        let tables = FormatId::ALL
            .iter()
            .map(|id| {
                let format = id.format();
                if !used.contains(id) {
                    return Vec::new();
                }
                format
                    .tables_ix()
                    .map(|(t, table)| {
                        let section = format.sections.iter().find(|s| s.table == Some(table.key))?;
                        Some(tables::TableTemplate::new(table, &table_prefix(table), &cell_prefix(t), section.title))
                    })
                    .collect()
            })
            .collect();
        let chart_ids = FormatId::ALL.iter().flat_map(|f| f.format().charts).flat_map(charts::ids).collect();
        Self { site_ctx, table_ids, chart_ids: std::sync::Arc::new(chart_ids), tables }
    }

    /// The ids of the official tables on a report page of format `id`.
    pub(crate) fn table_ids(&self, id: FormatId) -> &std::sync::Arc<std::collections::HashSet<String>> {
        &self.table_ids[format_slot(id)]
    }

    /// The layout of table `t` of format `id`, where the format prints it in a section.
    fn table(&self, id: FormatId, t: TableIx) -> Option<&tables::TableTemplate> {
        self.tables.get(format_slot(id))?.get(t.index())?.as_ref()
    }
}

/// The id of a table of the format on a report page (`table-requests`): a link target.
fn table_prefix(table: &Table) -> String {
    format!("table-{}", table.key)
}

/// The prefix of the ids of table `t`'s header cells: short, since every data
/// cell lists them in `headers`.
fn cell_prefix(t: TableIx) -> String {
    format!("t{}", t.index() + 1)
}

/// Whether `year` has a rankings page: the site publishes rankings and the
/// year's format has some. The one test every link to the page follows.
pub(crate) fn has_rankings(site: &Site, year: u16) -> bool {
    site.config.pages.rankings && overview::ranking_format(site, year).is_some()
}

/// Renders the pages of one site, one at a time, with the theme's templates
/// compiled once.
pub(crate) struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    review: &'a Review,
    shared: &'a Shared,
}

impl<'a> Renderer<'a> {
    /// A renderer of `site`'s pages with `theme`, showing what `review` found.
    pub(crate) fn new(site: &'a Site, theme: &'a Theme, review: &'a Review, shared: &'a Shared) -> Self {
        Self { site, theme, review, shared }
    }

    /// Every HTML page of the site with its path, in no particular order.
    pub(crate) fn pages(&self) -> Vec<(String, PageKind)> {
        let site = self.site;
        let mut out = vec![(url::page(url::HOME), PageKind::Home)];
        for y in site.years() {
            out.extend(self.year_pages(y));
        }
        out.push((url::page(url::YEARS), PageKind::Years));
        if site.config.search.enabled {
            out.push((url::page(url::SEARCH), PageKind::Search));
        }
        out.push((url::page(url::AGENCIES), PageKind::Agencies));
        for (a, agency) in site.indexed() {
            out.push((url::page(&url::agency(&agency.slug)), PageKind::Agency(a)));
            for (index, report) in agency.reports.iter().enumerate() {
                let page = url::page(&url::report(report.year, &agency.slug));
                out.push((page, PageKind::Report(ReportIx { agency: a, index })));
            }
        }
        out.push((url::page(url::DATA), PageKind::Data));
        out.push((url::NOT_FOUND.to_owned(), PageKind::NotFound));
        out
    }

    /// A year's pages: its reports, its compliance overview and its rankings.
    /// The one place that says which of them a year has.
    pub(crate) fn year_pages(&self, year: u16) -> Vec<(String, PageKind)> {
        let pages_on = &self.site.config.pages;
        let mut pages = vec![(url::page(&url::year(year)), PageKind::Year(year))];
        if pages_on.compliance {
            pages.push((url::page(&url::compliance(year)), PageKind::Compliance(year)));
        }
        // A year of free-form reports has nothing to rank, and its page links no rankings.
        if has_rankings(self.site, year) {
            pages.push((url::page(&url::rankings(year)), PageKind::Rankings(year)));
        }
        pages
    }

    /// The theme's assets and the reports' attachments.
    pub(crate) fn assets(&self, root: &std::path::Path) -> Vec<Asset> {
        let mut out = Vec::new();
        for agency in &self.site.agencies {
            for report in &agency.reports {
                for name in &report.attachments {
                    out.push(Asset {
                        path: url::report_file(report.year, &agency.slug, name),
                        content: Content::File(root.join(source::report_dir(&agency.slug, report.year)).join(name)),
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
    pub(crate) fn render(&self, kind: PageKind, narrative: Option<&str>) -> Result<Html, RenderError> {
        let page = match kind {
            PageKind::Home => self.home(),
            PageKind::Year(year) => self.year(year),
            PageKind::Compliance(year) => self.compliance(year),
            PageKind::Rankings(year) => self.rankings(year),
            PageKind::Years => self.years(),
            PageKind::Search => self.search(),
            PageKind::Agencies => self.agencies(),
            PageKind::Agency(a) => self.agency(a),
            PageKind::Report(r) => self.report(r, narrative)?,
            PageKind::Data => self.data(),
            PageKind::NotFound => self.not_found(),
        };
        Ok(Html::splice(self.template(page.template, page.ctx)?, page.parts))
    }

    fn template(&self, name: &str, ctx: Value) -> Result<String, RenderError> {
        self.theme
            .env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| RenderError::Template { name: name.to_owned(), message: self.theme.describe(&e) })
    }
}
