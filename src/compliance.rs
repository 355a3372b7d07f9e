//! The compliance overview of a year (公开情况): for every agency expected to
//! report, whether it published, when, and whether on time against the
//! format's deadline for its tier ([`Level::deadline`]).
//!
//! An agency is expected for a year from its first year (`first_year` in
//! `agency.toml`, else the year of its first report; an agency with neither
//! is expected every year), or when it is a summary and one of its members
//! published that year; never after the `last_year` of its `[dissolved]`.
//! Nothing here knows about HTML.

use crate::model::{Agency, AgencyIx, Date, Level, Site};
use crate::summary::Summaries;

/// Where an agency stands for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Published by the deadline.
    OnTime,
    /// Published this many days after the deadline.
    Late(i64),
    /// No report for the year.
    Missing,
}

/// One line of the overview.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The agency expected to report.
    pub agency: AgencyIx,
    /// The agency's tier, which sets the deadline.
    pub level: Level,
    /// The last day its report for the year may be published.
    pub deadline: Date,
    /// Publication date, when published.
    pub published: Option<Date>,
    /// On time, late or missing, against `deadline`.
    pub status: Status,
}

/// Status of a report published on `published` (or not at all) against `deadline`.
pub(crate) fn status(published: Option<Date>, deadline: Date) -> Status {
    match published {
        None => Status::Missing,
        Some(date) if date <= deadline => Status::OnTime,
        Some(date) => Status::Late(date.unix_days() - deadline.unix_days()),
    }
}

/// Every agency expected to report for `year`, in site order.
pub(crate) fn overview(site: &Site, summaries: &Summaries, year: u16) -> Vec<Entry> {
    site.indexed()
        .filter(|&(i, agency)| expected(site, summaries, i, agency, year))
        .map(|(i, agency)| {
            let level = agency.level();
            let deadline = level.deadline(year);
            let published = agency.report(year).map(|r| r.date);
            Entry { agency: i, level, deadline, published, status: status(published, deadline) }
        })
        .collect()
}

/// Whether `agency` is expected to report for `year`.
fn expected(site: &Site, summaries: &Summaries, i: AgencyIx, agency: &Agency, year: u16) -> bool {
    if agency.info.dissolved.as_ref().is_some_and(|d| year > d.last_year) {
        return false;
    }
    let first = agency.info.first_year.or_else(|| agency.reports.first().map(|r| r.year));
    let members_published =
        summaries.members.get(&i).is_some_and(|m| m.iter().any(|&m| site.agency(m).report(year).is_some()));
    first.is_none_or(|first| year >= first) || members_published
}

/// An agency expected to report for years of the site (years some agency
/// reported for) without a report for them: whom a webmaster must chase.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unpublished {
    /// Full name.
    pub name: String,
    /// Folder name.
    pub slug: String,
    /// The years without a report, oldest first.
    pub years: Vec<u16>,
}

/// Every agency with expected years unpublished, in site order.
pub(crate) fn unpublished(site: &Site, summaries: &Summaries) -> Vec<Unpublished> {
    let years = site.years();
    site.indexed()
        .filter_map(|(i, agency)| {
            let missing: Vec<u16> = years
                .iter()
                .rev()
                .copied()
                .filter(|&y| agency.report(y).is_none() && expected(site, summaries, i, agency, y))
                .collect();
            (!missing.is_empty()).then(|| Unpublished {
                name: agency.info.name.clone(),
                slug: agency.slug.clone(),
                years: missing,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn deadlines_follow_the_tier() {
        assert_eq!(Level::Department.deadline(2024), date(2025, 1, 31));
        assert_eq!(Level::Township.deadline(2024), date(2025, 1, 31));
        assert_eq!(Level::County.deadline(2024), date(2025, 2, 20));
        assert_eq!(Level::City.deadline(2024), date(2025, 3, 10));
        assert_eq!(Level::Province.deadline(2024), date(2025, 3, 31));
    }

    #[test]
    fn on_time_late_and_missing() {
        let deadline = Level::County.deadline(2024);
        assert_eq!(status(Some(date(2025, 2, 20)), deadline), Status::OnTime);
        assert_eq!(status(Some(date(2025, 1, 5)), deadline), Status::OnTime);
        assert_eq!(status(Some(date(2025, 2, 21)), deadline), Status::Late(1));
        assert_eq!(status(Some(date(2025, 3, 1)), deadline), Status::Late(9));
        assert_eq!(status(None, deadline), Status::Missing);
    }
}
