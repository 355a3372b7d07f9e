//! The compliance overview of a year (公开情况): for every agency expected to
//! report, whether it published, when, and whether on time against the
//! format's deadline for its tier ([`Level::deadline`]).
//!
//! An agency is expected for a year when it published a report that year or
//! earlier (it is publishing by then), or when it is a summary and one of its
//! members published that year. Nothing here knows about HTML.

use crate::model::{AgencyIx, Date, Level, Site};
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
        .filter(|&(i, agency)| {
            let published_by_then = agency.reports.iter().any(|r| r.year <= year);
            let members_published =
                summaries.members.get(&i).is_some_and(|m| m.iter().any(|&m| site.agency(m).report(year).is_some()));
            published_by_then || members_published
        })
        .map(|(i, agency)| {
            let level = agency.level();
            let deadline = level.deadline(year);
            let published = agency.report(year).map(|r| r.date);
            Entry { agency: i, level, deadline, published, status: status(published, deadline) }
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
