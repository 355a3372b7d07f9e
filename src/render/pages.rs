//! One function per kind of page: which template it uses and what its
//! context holds. [`Renderer::render`] dispatches to them.

use minijinja::value::Serde;
use minijinja::{Value, context};

use super::page::Parts;
use super::view::{self, AgencyPage, Link};
use super::{RenderError, Renderer, narrative, overview};
use crate::layout::url;
use crate::model::{AgencyIx, ReportIx};

/// A page before its template is rendered: the template, its context and the
/// parts whose placeholders the context holds.
pub(super) struct Page {
    pub(super) template: &'static str,
    pub(super) ctx: Value,
    pub(super) parts: Parts,
}

impl Page {
    /// A page with nothing spliced in.
    fn plain(template: &'static str, ctx: Value) -> Self {
        Self { template, ctx, parts: Parts::default() }
    }
}

/// Up to this many agencies, the home page lists them all.
const HOME_AGENCIES: usize = 60;

impl Renderer<'_> {
    /// The home page: the latest reports and every agency.
    pub(super) fn home(&self) -> Page {
        let site = self.site;
        let base = &site.config.base_url;
        let latest: Vec<_> = site
            .reports_newest_first()
            .into_iter()
            .take(site.config.latest)
            .map(|(a, r)| view::report_link(base, a, r))
            .collect();
        Page::plain(
            "index.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => site.config.title.clone(),
                intro_html => narrative::to_html(&site.config.intro, "intro", narrative::RawHtml::of(&site.config)),
                latest => Serde(latest),
                regions => Serde(view::region_index(base, &site.agencies)),
                // A small site lists its agencies; a large one, its regions.
                agency_groups => Serde((site.agencies.len() <= HOME_AGENCIES).then(|| view::region_groups(&site.agencies, |a| Some(view::agency_link(base, a))))),
            },
        )
    }

    /// A year's page: its reports by region, with links to its overview and rankings.
    pub(super) fn year(&self, year: u16) -> Page {
        let site = self.site;
        let base = &site.config.base_url;
        // A year whose reports have no tables has no CSV: the data page then.
        let year_csv = crate::output::opendata::year_csv(site, year).unwrap_or_else(|| url::DATA.to_owned());
        // Agencies expected to report this year without a report stand in their
        // place, marked 未发布: the ones a webmaster must chase.
        let owed: std::collections::HashSet<&str> = crate::compliance::overview(site, &self.review.summaries, year)
            .into_iter()
            .filter(|e| e.status == crate::compliance::Status::Missing)
            .map(|e| site.agency(e.agency).slug.as_str())
            .collect();
        let groups =
            view::region_groups(&site.agencies, |a| view::YearItem::of(base, a, year, owed.contains(a.slug.as_str())));
        Page::plain(
            "year.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => format!("{year}年度政府信息公开工作年度报告"),
                year => year,
                reports => groups.iter().map(view::RegionGroup::len).sum::<usize>() - owed.len(),
                unpublished => owed.len(),
                groups => Serde(groups),
                // `none` when the site leaves the page out (`[pages]`): nothing links to it then.
                compliance_href => site.config.pages.compliance.then(|| base.link(&url::compliance(year))),
                rankings_href => super::has_rankings(site, year).then(|| base.link(&url::rankings(year))),
                rankings => Serde(view::ranking_links(site, year)),
                year_csv => base.link(&year_csv),
                breadcrumbs => Serde(view::crumbs(base, vec![Link::new(base, "全部年度".to_owned(), url::YEARS)])),
            },
        )
    }

    /// A year's compliance overview and findings.
    pub(super) fn compliance(&self, year: u16) -> Page {
        let (site, review) = (self.site, self.review);
        let base = &site.config.base_url;
        Page::plain(
            "compliance.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => format!("{year}年度报告公开情况"),
                year => year,
                // Which regulation's deadlines the note states: the 2007 one before its revision.
                revised => year >= crate::model::REVISED_REGULATION_FROM,
                // Whether the note says what 数据核验 means for a report without tables.
                free_form => site.agencies.iter().filter_map(|a| a.report(year)).any(|r| !r.format.format().has_tables()),
                compliance => Serde(overview::compliance_rows(site, review, year)),
                findings => Serde(overview::findings(site, review, year)),
                breadcrumbs => Serde(view::crumbs(base, vec![Link::new(base, format!("{year}年"), &url::year(year))])),
            },
        )
    }

    /// A year's rankings.
    pub(super) fn rankings(&self, year: u16) -> Page {
        let (site, review) = (self.site, self.review);
        let base = &site.config.base_url;
        Page::plain(
            "rankings.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => format!("{year}年度排名"),
                year => year,
                rankings => Serde(overview::rankings(site, review, year)),
                breadcrumbs => Serde(view::crumbs(base, vec![Link::new(base, format!("{year}年"), &url::year(year))])),
            },
        )
    }

    /// The list of every year.
    pub(super) fn years(&self) -> Page {
        let site = self.site;
        let base = &site.config.base_url;
        Page::plain(
            "years.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => "全部年度",
                years => Serde(view::year_links(site)),
                breadcrumbs => Serde(view::crumbs(base, vec![])),
            },
        )
    }

    /// The full-text search page: the form, filled in by `search.js`.
    pub(super) fn search(&self) -> Page {
        let site = self.site;
        let base = &site.config.base_url;
        Page::plain(
            "search.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => "搜索年度报告",
                years => site.years(),
                index_href => base.link(crate::output::search::DIR),
                breadcrumbs => Serde(view::crumbs(base, vec![])),
            },
        )
    }

    /// The list of agencies.
    pub(super) fn agencies(&self) -> Page {
        let site = self.site;
        let base = &site.config.base_url;
        Page::plain(
            "agencies.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => "机构列表",
                groups => Serde(view::region_groups(&site.agencies, |a| Some(view::agency_link(base, a)))),
                agencies => site.agencies.len(),
                breadcrumbs => Serde(view::crumbs(base, vec![])),
            },
        )
    }

    /// Agency `a`'s page: its reports, trend charts and, for a summary, its members.
    pub(super) fn agency(&self, a: AgencyIx) -> Page {
        let site = self.site;
        let base = &site.config.base_url;
        let agency = site.agency(a);
        let reports: Vec<_> = agency.reports.iter().rev().map(|r| view::report_link(base, agency, r)).collect();
        let mut parts = Parts::default();
        let charts = view::charts(agency, &mut parts);
        let ctx = context! {
            site => self.shared.site_ctx.clone(),
            page_title => agency.info.name.clone(),
            agency => Serde(AgencyPage::new(&agency.info)),
            dissolved => Serde(agency.info.dissolved.as_ref()),
            reports => Serde(reports),
            charts => Serde(charts),
            level => agency.info.summary.as_ref().map(|_| agency.level().label()),
            members => Serde(view::members(site, self.review, a)),
            breadcrumbs => Serde(view::crumbs(base, vec![Link::new(base, "机构列表".to_owned(), url::AGENCIES)])),
        };
        Page { template: "agency.html", ctx, parts }
    }

    /// Report `r`, from its `report.md` as loaded (`narrative`).
    pub(super) fn report(&self, r: ReportIx, narrative: Option<&str>) -> Result<Page, RenderError> {
        let site = self.site;
        let base = &site.config.base_url;
        let report = site.report(r);
        let text = narrative.ok_or_else(|| RenderError::Io {
            path: report.narrative.source.clone(),
            source: std::io::Error::other("正文未读入"),
        })?;
        let mut parts = Parts::default();
        let report_ctx = view::report_context(site, r, text, self.review, self.shared, &mut parts);
        let year = Link::new(base, format!("{}年", report.year), &url::year(report.year));
        let ctx = context! {
            site => self.shared.site_ctx.clone(),
            page_title => report.title.clone(),
            report => Serde(report_ctx),
            breadcrumbs => Serde(view::crumbs(base, vec![year])),
        };
        Ok(Page { template: "report.html", ctx, parts })
    }

    /// The index page of the open data.
    pub(super) fn data(&self) -> Page {
        let site = self.site;
        Page::plain(
            "data.html",
            context! {
                site => self.shared.site_ctx.clone(),
                page_title => "开放数据",
                files => Serde(view::data_files(site)),
                licence => site.config.data.licence.clone(),
                notice => crate::output::opendata::formats(site)
                    .iter()
                    .filter(|f| f.has_tables())
                    .map(|f| f.notice)
                    .collect::<Vec<_>>()
                    .join("、"),
                breadcrumbs => Serde(view::crumbs(&site.config.base_url, vec![])),
            },
        )
    }

    /// The page for a path the site does not have.
    pub(super) fn not_found(&self) -> Page {
        Page::plain("404.html", context! { site => self.shared.site_ctx.clone(), page_title => "页面不存在" })
    }
}
