//! Stage 2: check a loaded site against the format's rules (勾稽关系).

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::format::{Axis, Format};
use crate::model::{Agency, Number, Origin, Report, RuleLines, Site};

/// Every problem the rules find in the site.
pub fn validate(site: &Site) -> Diagnostics {
    let mut out = Diagnostics::default();
    for agency in &site.agencies {
        for report in &agency.reports {
            out.extend(check_report(site.format, report));
        }
        out.extend(check_dates(agency));
    }
    out
}

/// The sum rules of the format, each in every column (or row) it runs through.
pub fn check_report(format: &Format, report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in format.rules {
        let Some(t) = format.tables.iter().position(|t| t.key == rule.table) else {
            continue;
        };
        let table = &format.tables[t];
        let block = &table.blocks[rule.block];
        let grid = report.figures.grid(t, rule.block);
        let rows = block.row_leaves();
        let cols = block.column_leaves();
        let name = |(r, c): (usize, usize)| -> &'static str {
            let leaf = match rule.axis {
                Axis::EachColumn => &rows[r],
                Axis::EachRow => &cols[c],
            };
            leaf.labels.last().copied().unwrap_or("")
        };
        for line in RuleLines::new(rule, block) {
            let side = |cells: &[(usize, usize)]| -> Option<(Number, Vec<Number>)> {
                let values: Vec<Number> = cells
                    .iter()
                    .map(|&(r, c)| grid.value(r, c))
                    .collect::<Option<_>>()?;
                let sum = values
                    .iter()
                    .try_fold(Number::zero(block.unit), |acc, &v| acc.checked_add(v))?;
                Some((sum, values))
            };
            let (Some((lsum, lvals)), Some((rsum, rvals))) = (side(&line.lhs), side(&line.rhs))
            else {
                continue;
            };
            if lsum == rsum {
                continue;
            }
            let where_ = match rule.axis {
                Axis::EachColumn => format!("「{}」列", cols[line.along].label()),
                Axis::EachRow if rows.len() > 1 => format!("「{}」行", rows[line.along].label()),
                Axis::EachRow => String::new(),
            };
            let equation = |cells: &[(usize, usize)], vals: &[Number], sum: Number| {
                let names: Vec<&str> = cells.iter().map(|&c| name(c)).collect();
                let nums: Vec<String> = vals.iter().map(Number::to_string).collect();
                if cells.len() == 1 {
                    format!("{} = {}", names[0], sum)
                } else {
                    format!("{} = {} = {}", names.join(" + "), nums.join(" + "), sum)
                }
            };
            let message = format!(
                "{}{}不符合勾稽关系（{}）：{}，但 {}",
                table.name,
                where_,
                rule.statement,
                equation(&line.lhs, &lvals, lsum),
                equation(&line.rhs, &rvals, rsum)
            );
            let mut d = Diagnostic::error(rule.id, message);
            // Point at the first typed figure of the equation, and show the others.
            let given: Vec<((usize, usize), std::ops::Range<usize>)> = line
                .lhs
                .iter()
                .chain(&line.rhs)
                .filter_map(|&(r, c)| match &grid.get(r, c)?.origin {
                    Origin::Given(span) => Some(((r, c), span.clone())),
                    Origin::Computed => None,
                })
                .collect();
            if let Some(((cell, span), rest)) = given.split_first() {
                d = d.at(report.data_file, span.clone()).with_label(format!(
                    "{} = {}",
                    name(*cell),
                    grid.value(cell.0, cell.1)
                        .map_or_else(String::new, |v| v.to_string())
                ));
                for (cell, span) in rest {
                    let v = grid
                        .value(cell.0, cell.1)
                        .map_or_else(String::new, |v| v.to_string());
                    d = d.with_related(
                        report.data_file,
                        span.clone(),
                        format!("{} = {v}", name(*cell)),
                    );
                }
            }
            out.push(d.with_note(format!("相差 {}", lsum.raw().abs_diff(rsum.raw()))));
        }
    }
    out
}

/// The format's deadline: a report is published by 31 January after its year.
fn check_dates(agency: &Agency) -> Vec<Diagnostic> {
    agency
        .reports
        .iter()
        .filter(|r| r.date.year != r.year + 1)
        .map(|r| {
            Diagnostic::warning(
                "date",
                format!(
                    "{}年度报告的发布日期是 {}：年度报告应在次年（{}年）1月31日前发布",
                    r.year,
                    r.date.to_chinese(),
                    r.year + 1
                ),
            )
            .at(r.markdown_file, r.date_span.clone())
            .with_label("发布日期")
        })
        .collect()
}
