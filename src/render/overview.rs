//! A year page's overview, shaped for its template: the compliance rows
//! ([`crate::compliance`]), the warnings each report passed with, and the
//! rankings ([`crate::rank`]). What is computed there is only worded here.

use serde::Serialize;

use crate::compliance::{self, Status};
use crate::layout::url;
use crate::model::{Agency, Site};
use crate::rank;
use crate::validate::Review;

/// One line of a year's compliance overview.
#[derive(Serialize)]
pub(super) struct ComplianceRow {
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
pub(super) struct Findings {
    id: String,
    name: String,
    report_href: String,
    items: Vec<FindingItem>,
}

/// One warning of [`Findings`].
#[derive(Serialize)]
struct FindingItem {
    code: &'static str,
    message: String,
}

/// One of the format's rankings for a year.
#[derive(Serialize)]
pub(super) struct RankingContext {
    id: &'static str,
    title: &'static str,
    heading: &'static str,
    rows: Vec<RankRow>,
}

/// An agency's place in a ranking, with its value as shown.
#[derive(Serialize)]
struct RankRow {
    rank: usize,
    name: String,
    href: String,
    value: String,
}

/// The fragment on a year page that lists a report's warnings.
fn findings_id(agency: &Agency) -> String {
    format!("checks-{}", agency.slug)
}

/// Every agency expected to report for `year`, and how it stands.
pub(super) fn compliance_rows(site: &Site, review: &Review, year: u16) -> Vec<ComplianceRow> {
    let base = &site.config.base_url;
    compliance::overview(site, &review.summaries, year)
        .into_iter()
        .map(|entry| {
            let agency = site.agency(entry.agency);
            let (status, status_class) = match entry.status {
                Status::OnTime => ("按时发布".to_owned(), "on-time"),
                Status::Late(days) => (format!("逾期 {days} 天"), "late"),
                Status::Missing => ("未发布".to_owned(), "missing"),
            };
            let warnings = review.warnings.get(&(entry.agency, year)).map_or(0, Vec::len);
            // A free-form report has no tables to verify: say so rather than 全部通过.
            let tables = agency.report(year).is_none_or(|r| r.format.format().has_tables());
            let passed = if tables { "通过" } else { "无统计表" };
            let (check, check_href) = match (entry.published, warnings) {
                (None, _) => ("—".to_owned(), None),
                (Some(_), 0) => (if tables { "全部通过" } else { "无统计表，不作核验" }.to_owned(), None),
                (Some(_), n) => (format!("{passed}，有 {n} 条提示"), Some(format!("#{}", findings_id(agency)))),
            };
            ComplianceRow {
                name: agency.info.name.clone(),
                href: base.link(&url::agency(&agency.slug)),
                level: entry.level.label(),
                deadline: entry.deadline.to_chinese(),
                deadline_iso: entry.deadline.to_string(),
                report_href: entry.published.map(|_| base.link(&url::report(year, &agency.slug))),
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

/// The warnings of the reports of `year` that have any.
pub(super) fn findings(site: &Site, review: &Review, year: u16) -> Vec<Findings> {
    let base = &site.config.base_url;
    review
        .warnings
        .iter()
        .filter(|((_, y), _)| *y == year)
        .map(|(&(a, _), items)| {
            let agency = site.agency(a);
            Findings {
                id: findings_id(agency),
                name: agency.info.name.clone(),
                report_href: base.link(&url::report(year, &agency.slug)),
                items: items
                    .iter()
                    .map(|(code, message)| FindingItem { code: code.as_str(), message: message.clone() })
                    .collect(),
            }
        })
        .collect()
}

/// The format whose rankings a year shows: the year's newest format with any.
pub(super) fn ranking_format(site: &Site, year: u16) -> Option<&'static crate::format::Format> {
    crate::format::FormatId::ALL
        .into_iter()
        .filter(|f| site.agencies.iter().any(|a| a.report(year).is_some_and(|r| r.format == *f)))
        .map(|f| f.format())
        .find(|f| !f.rankings.is_empty())
}

/// The format's rankings of the year's reports.
pub(super) fn rankings(site: &Site, review: &Review, year: u16) -> Vec<RankingContext> {
    let base = &site.config.base_url;
    let Some(format) = ranking_format(site, year) else {
        return Vec::new();
    };
    format
        .rankings
        .iter()
        .map(|ranking| RankingContext {
            id: ranking.id,
            title: ranking.title,
            heading: ranking.heading,
            rows: rank::places(site, &review.summaries, ranking, year)
                .into_iter()
                .map(|place| {
                    let agency = site.agency(place.agency);
                    RankRow {
                        rank: place.rank,
                        name: agency.info.name.clone(),
                        href: base.link(&url::report(year, &agency.slug)),
                        value: shown(place.value),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A ranked value as its row shows it; a share of nothing as —.
fn shown(value: rank::Value) -> String {
    match value {
        rank::Value::Count(v) => v.to_string(),
        rank::Value::Share { part, total } => {
            format!("{:.1}%（{part}/{total}）", part as f64 * 100.0 / total as f64)
        }
        rank::Value::None => "—".to_owned(),
    }
}
