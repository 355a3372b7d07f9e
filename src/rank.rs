//! The format's rankings of a year's reports as data: which agencies rank
//! where by which measure ([`crate::format::Ranking`]). Nothing here knows
//! about HTML; year pages shape these for their template.
//!
//! Summaries are left out: they would count their members twice. Largest
//! first; ties keep agency order and share a rank; a share of nothing (no
//! applications handled) has no value and comes last.

use crate::format::Ranking;
use crate::model::{AgencyIx, Number, Site};
use crate::summary::Summaries;

/// One agency's place in a ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// The agency ranked.
    pub agency: AgencyIx,
    /// 1-based; tied agencies share the rank of the first of them.
    pub rank: usize,
    /// What it is ranked by, shown in the value column.
    pub value: Value,
}

/// What an agency is ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value {
    /// The measure itself, for a ranking without `per`.
    Count(u64),
    /// The measure as a share of `total`, which is above zero.
    Share {
        /// The ranked figure.
        part: u64,
        /// The `per` figure it is a share of.
        total: u64,
    },
    /// No value: the measure is missing, or a share of nothing.
    None,
}

impl Value {
    /// The order of values, largest first: in whole millionths, so that counts
    /// and shares compare as integers (shares within a millionth tie); no value
    /// below every other.
    fn key(self) -> Option<u128> {
        match self {
            Value::Count(v) => Some(u128::from(v) * 1_000_000),
            Value::Share { part, total } => Some(u128::from(part) * 1_000_000 / u128::from(total)),
            Value::None => None,
        }
    }
}

/// The places of every agency that reported for `year` in `ranking`, best
/// first. Each report is measured by its own format's ranking of the same id;
/// a report whose format has none (free-form) is not ranked.
pub(crate) fn places(site: &Site, summaries: &Summaries, ranking: &Ranking, year: u16) -> Vec<Place> {
    let mut rows: Vec<(AgencyIx, Option<u128>, Value)> = site
        .indexed()
        .filter(|(a, _)| !summaries.is_summary(*a))
        .filter_map(|(a, agency)| {
            let report = agency.report(year)?;
            let format = report.layout();
            let ranking = format.rankings.iter().find(|r| r.id == ranking.id)?;
            let value = report.figures.measure(format, &ranking.measure).map(Number::raw);
            let per = ranking.per.as_ref().map(|p| report.figures.measure(format, p).map(Number::raw));
            let value = match (value, per) {
                (Some(v), None) => Value::Count(v),
                (Some(part), Some(Some(total))) if total > 0 => Value::Share { part, total },
                _ => Value::None,
            };
            Some((a, value.key(), value))
        })
        .collect();
    rows.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut previous: Option<(Option<u128>, usize)> = None;
    rows.into_iter()
        .enumerate()
        .map(|(i, (agency, key, value))| {
            let rank = match previous {
                Some((k, r)) if k == key => r,
                _ => i + 1,
            };
            previous = Some((key, rank));
            Place { agency, rank, value }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_in_millionths_and_none_last() {
        assert!(Value::Share { part: 1, total: 3 }.key() < Value::Share { part: 1, total: 2 }.key());
        assert_eq!(Value::Share { part: 2, total: 2 }.key(), Value::Count(1).key());
        assert!(Value::None.key() < Value::Count(0).key());
    }
}
