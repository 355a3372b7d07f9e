//! Stage 2: check a loaded site against the format's rules (勾稽关系).
//!
//! Within a report: the sum rules (R1–R4). Across years of one agency: the
//! carry-over rules (R6, R7). Prose against tables (R8). Waivers written in a
//! report's `data.toml` turn that report's violations of a rule into warnings.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Place, Severity};
use crate::format::{self, Axis, CellAt, CrossFormatLine, CrossYearRule, Format, RuleId, rule_lines};
use crate::model::{Agency, AgencyIx, Figures, Grid, Number, Origin, Report, Site, Waived, WaivedRules};
use crate::sources::Sources;
use crate::summary::{Summaries, Summed};
use rayon::prelude::*;

/// What validation found.
#[derive(Debug, Default)]
pub(crate) struct Validation {
    pub diagnostics: Diagnostics,
    /// Waivers that excused a violation; the report pages say so.
    pub waived: WaivedRules,
}

/// What the site's pages say about the checks: the waivers that were used, the
/// summaries, and the warnings each report passed with.
#[derive(Debug, Default)]
pub struct Review {
    /// Waivers that excused a violation: a report page lists those of its report.
    pub waived: WaivedRules,
    /// Every summary agency's members and sums, for the pages and open data that show them.
    pub summaries: Summaries,
    /// (agency, year) → the warnings about that report's files: code and message.
    pub warnings: BTreeMap<(AgencyIx, u16), Vec<(Code, String)>>,
}

impl Review {
    /// Files each warning to the report whose `report.md` or `data.toml` it points into.
    pub(crate) fn file_warnings(&mut self, site: &Site, diagnostics: &Diagnostics) {
        let mut by_file = BTreeMap::new();
        for (a, agency) in site.indexed() {
            for report in &agency.reports {
                by_file.insert(report.markdown_file, (a, report.year));
                if let Some(file) = report.data_file {
                    by_file.insert(file, (a, report.year));
                }
            }
        }
        for d in diagnostics.iter().filter(|d| d.severity == Severity::Warning) {
            let Some(Place::Span(loc)) = &d.place else { continue };
            if let Some(key) = by_file.get(&loc.file) {
                self.warnings.entry(*key).or_default().push((d.code, d.message.clone()));
            }
        }
    }
}

/// Every problem the rules find in the site. Summed figures (a summary without
/// `data.toml`) are not checked against the sum and cross-year rules: each
/// member's figures were, and sums of figures that add up add up.
pub(crate) fn validate(site: &Site, summaries: &Summaries, sources: &Sources) -> Validation {
    let all: Vec<AgencyIx> = site.indexed().map(|(a, _)| a).collect();
    validate_agencies(site, summaries, sources, &all)
}

/// [`validate`] for some agencies only: each agency's reports are
/// checked on their own and against each other, so one edited report needs
/// only its agency and the summaries that count it checked again.
pub(crate) fn validate_agencies(
    site: &Site,
    summaries: &Summaries,
    sources: &Sources,
    agencies: &[AgencyIx],
) -> Validation {
    let found: Vec<Validation> = agencies.par_iter().map(|&a| validate_agency(site, summaries, sources, a)).collect();
    let mut out = Validation::default();
    for v in found {
        out.diagnostics.extend(v.diagnostics);
        out.waived.extend(v.waived);
    }
    out
}

fn validate_agency(site: &Site, summaries: &Summaries, sources: &Sources, a: AgencyIx) -> Validation {
    let agency = site.agency(a);
    let mut out = Validation::default();
    for (i, report) in agency.reports.iter().enumerate() {
        let format = report.layout();
        let summed = summaries.report(a, report.year);
        let computed = |year: u16| summaries.report(a, year).is_some_and(|s| s.computed);
        let mut found = Vec::new();
        if !computed(report.year) {
            found.extend(check_sums(format, report));
        }
        let previous = i.checked_sub(1).map(|p| &agency.reports[p]).filter(|p| p.year + 1 == report.year);
        if let Some(previous) = previous.filter(|p| !computed(p.year) && !computed(report.year)) {
            // Year Y's rules, on the cells year Y−1's format has too.
            for rule in format.cross_year {
                found.extend(check_cross_year((format, rule), previous.layout(), previous, report));
            }
        }
        if let Some(summed) = summed.filter(|s| !s.computed) {
            found.extend(check_summary(site, report, summed));
        }
        found.extend(check_prose(format, report, sources));
        let (found, used) = apply_waivers(report, found);
        out.diagnostics.extend(found);
        out.waived.extend(used.into_iter().map(|rule| Waived { agency: a, year: report.year, rule }));
    }
    out.diagnostics.extend(check_dates(agency));
    out
}

fn value_text(grid: &Grid, (r, c): (usize, usize)) -> String {
    grid.value(r, c).map_or_else(String::new, |v| v.to_string())
}

fn given_span(grid: &Grid, (r, c): (usize, usize)) -> Option<Range<usize>> {
    match &grid.get(r, c)?.origin {
        Origin::Given(span) => Some(span.clone()),
        Origin::Computed | Origin::Summed => None,
    }
}

fn given_at(figures: &Figures, at: CellAt) -> Option<Range<usize>> {
    given_span(figures.grid(at.table, at.block), (at.row, at.col))
}

/// A summary's own figures against its members' sums, cell by cell: every
/// difference is an error that lists the members' figures.
fn check_summary(site: &Site, report: &Report, summed: &Summed) -> Vec<Diagnostic> {
    let format = report.layout();
    let mut out = Vec::new();
    for (t, table) in format.tables_ix() {
        for (b, block) in table.blocks.iter().enumerate() {
            let (given, sums) = (report.figures.grid(t, b), summed.figures.grid(t, b));
            for r in 0..given.rows {
                for c in 0..given.cols {
                    let (Some(written), Some(sum)) = (given.value(r, c), sums.value(r, c)) else { continue };
                    if written == sum {
                        continue;
                    }
                    let label = format::join_label(block, r, c);
                    let parts: Vec<String> = summed
                        .members
                        .iter()
                        .filter_map(|&m| {
                            let agency = site.agency(m);
                            let value = agency.report(report.year)?.figures.grid(t, b).value(r, c)?;
                            Some(format!("{} {value}", agency.info.display_short_name()))
                        })
                        .collect();
                    let members = if parts.is_empty() {
                        format!("{}年没有成员机构的报告，合计为 {sum}", report.year)
                    } else {
                        format!("各成员机构：{} = {sum}", parts.join(" + "))
                    };
                    let mut d = Diagnostic::error(
                        RuleId::Summary,
                        format!(
                            "汇总报告{}「{label}」与成员机构的合计不符：填写的是 {written}，成员机构合计为 {sum}",
                            table.name
                        ),
                    )
                    .with_note(members)
                    .with_note(format!("两者相差 {}", Number::difference(written, sum)));
                    if let (Some(file), Some(span)) = (report.data_file, given_span(given, (r, c))) {
                        d = d.at(file, span).with_label(format!("汇总报告：{written}"));
                    } else if let Some(file) = report.data_file {
                        d = d.at(file, 0..0).with_note(format!("这是按勾稽关系计算出的总计：{written}"));
                    }
                    if !summed.missing.is_empty() {
                        let names: Vec<&str> =
                            summed.missing.iter().map(|&m| site.agency(m).info.display_short_name()).collect();
                        d = d.with_note(format!(
                            "{}年没有报告、未计入合计的成员机构：{}",
                            report.year,
                            names.join("、")
                        ));
                    }
                    out.push(d);
                }
            }
        }
    }
    out
}

/// The sum of `cells` and their values; `None` when one is missing or their units differ.
fn sum(block: &format::Block, grid: &Grid, cells: &[(usize, usize)]) -> Option<(Number, Vec<Number>)> {
    let values: Vec<Number> = cells.iter().map(|&(r, c)| grid.value(r, c)).collect::<Option<_>>()?;
    Some((grid.sum(block, cells.iter().copied())?, values))
}

/// A sum of more operands than this names only those that are not 0, in its
/// message and its labels: one wrong cell of a 21-term column is then a line.
const SHORT_SUM: usize = 4;

/// Whether operand `value` of a side of `len` operands is shown.
fn shown(len: usize, value: Option<Number>) -> bool {
    len <= SHORT_SUM || value.is_none_or(|v| v.steps() != 0)
}

/// `a + b = 1 + 2 = 3`, or `a = 3` for a single operand; a long sum without
/// its zeros, which it counts.
fn equation(names: &[&str], values: &[Number], total: Number) -> String {
    if names.len() == 1 {
        return format!("{} = {total}", names[0]);
    }
    if names.len() <= SHORT_SUM {
        let nums: Vec<String> = values.iter().map(Number::to_string).collect();
        return format!("{} = {} = {total}", names.join(" + "), nums.join(" + "));
    }
    let terms: Vec<String> = (0..names.len())
        .filter(|&i| shown(names.len(), Some(values[i])))
        .map(|i| format!("{} {}", names[i], values[i]))
        .collect();
    match terms.len() {
        0 => format!("{} 项之和 = {total}（各项都是 0）", names.len()),
        n => format!("{} 项之和 = {} = {total}（其余 {} 项都是 0）", names.len(), terms.join(" + "), names.len() - n),
    }
}

/// The sum rules of the format, each in every column (or row) it runs through.
pub(crate) fn check_sums(format: &Format, report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Per message, the cells it shows, by (table, block, row, column): a cell in two failing sums is named.
    let mut shown_in: Vec<Vec<(&str, usize, usize, usize)>> = Vec::new();
    for rule in format.rules {
        let Some(t) = format.table_ix(rule.table) else { continue };
        let table = format.table_at(t);
        let block = &table.blocks[rule.block];
        let grid = report.figures.grid(t, rule.block);
        let (rows, cols) = (block.row_leaves(), block.column_leaves());
        let name = |(r, c): (usize, usize)| match rule.axis {
            Axis::EachColumn => rows[r].own_label(),
            Axis::EachRow => cols[c].own_label(),
        };
        for line in rule_lines(rule, block) {
            let (Some((lsum, lvals)), Some((rsum, rvals))) = (sum(block, grid, &line.lhs), sum(block, grid, &line.rhs))
            else {
                continue;
            };
            if lsum == rsum {
                continue;
            }
            let place = match rule.axis {
                Axis::EachColumn => format!("「{}」列", cols[line.along].label()),
                Axis::EachRow if rows.len() > 1 => format!("「{}」行", rows[line.along].label()),
                Axis::EachRow => String::new(),
            };
            let lnames: Vec<&str> = line.lhs.iter().map(|&c| name(c)).collect();
            let rnames: Vec<&str> = line.rhs.iter().map(|&c| name(c)).collect();
            let message = format!(
                "{}{place}不符合勾稽关系（{}）：{}，但 {}",
                table.name,
                rule.statement,
                equation(&lnames, &lvals, lsum),
                equation(&rnames, &rvals, rsum)
            );
            let mut d = Diagnostic::error(rule.id, message);
            // Point at the first typed figure of the equation; show the others (a long sum's that are not 0).
            let (ll, rl) = (line.lhs.len(), line.rhs.len());
            let lhs = line.lhs.iter().filter(|&&(r, c)| shown(ll, grid.value(r, c)));
            let rhs = line.rhs.iter().filter(|&&(r, c)| shown(rl, grid.value(r, c)));
            shown_in.push(lhs.clone().chain(rhs.clone()).map(|&(r, c)| (rule.table, rule.block, r, c)).collect());
            let mut cells = lhs.chain(rhs).filter_map(|&c| given_span(grid, c).map(|s| (c, s)));
            if let (Some(file), Some((cell, span))) = (report.data_file, cells.next()) {
                d = d.at(file, span).with_label(format!("{} = {}", name(cell), value_text(grid, cell)));
                for (cell, span) in cells {
                    d = d.with_related(file, span, format!("{} = {}", name(cell), value_text(grid, cell)));
                }
            }
            out.push(d.with_note(format!("两边相差 {}", Number::difference(lsum, rsum))));
        }
    }
    suspect_cells(format, &mut out, &shown_in);
    out
}

/// Names, in each failing sum's message, a cell that two or more failing
/// sums share (its row and its column, say): most likely the one mistyped.
fn suspect_cells(format: &Format, out: &mut [Diagnostic], shown_in: &[Vec<(&str, usize, usize, usize)>]) {
    let mut count: BTreeMap<(&str, usize, usize, usize), usize> = BTreeMap::new();
    for cells in shown_in {
        for &cell in cells {
            *count.entry(cell).or_default() += 1;
        }
    }
    for (d, cells) in out.iter_mut().zip(shown_in) {
        for &(table, block, r, c) in cells {
            let n = count[&(table, block, r, c)];
            let Some(t) = format.table_ix(table).filter(|_| n > 1) else { continue };
            let b = &format.table_at(t).blocks[block];
            let (row, col) = (b.row_leaves()[r].own_label(), b.column_leaves()[c].own_label());
            let cell = if row.is_empty() {
                format!("「{col}」这一格")
            } else {
                format!("「{row}」行「{col}」列这一格")
            };
            d.notes.push(format!("{cell}同时出现在 {n} 条不成立的勾稽关系中：多半是它写错了"));
        }
    }
}

/// A rule of `now`, year Y's format, between `previous` (year Y−1, in
/// `before`) and `report` (year Y) of one agency: across a change of format,
/// on the cells both formats have ([`CrossFormatLine`]).
fn check_cross_year(
    (now, rule): (&Format, &CrossYearRule),
    before: &Format,
    previous: &Report,
    report: &Report,
) -> Vec<Diagnostic> {
    let Some(t) = now.table_ix(rule.table) else { return Vec::new() };
    let table = now.table_at(t);
    let block = &table.blocks[rule.block];
    let (rows, cols) = (block.row_leaves(), block.column_leaves());
    // The label of the leaf a cell's operand names: its row when the rule runs down each column.
    let operand = |format: &Format, at: CellAt| {
        let block = &format.table_at(at.table).blocks[at.block];
        match rule.axis {
            Axis::EachColumn => block.row_leaves()[at.row].own_label(),
            Axis::EachRow => block.column_leaves()[at.col].own_label(),
        }
    };
    let steps = |figures: &Figures, cells: &[CellAt]| -> Option<i128> {
        cells.iter().map(|&at| Some(figures.value(at)?.steps())).sum()
    };
    let (this_year, last_year) = (&report.figures, &previous.figures);
    let mut out = Vec::new();
    for line in CrossFormatLine::all(now, rule, before) {
        let (Some(actual), Some(base)) = (this_year.value(line.this), last_year.value(line.previous)) else { continue };
        let (Some(carried), Some(added), Some(removed)) =
            (steps(last_year, &line.plus_previous), steps(this_year, &line.plus), steps(this_year, &line.minus))
        else {
            continue;
        };
        let predicted = base.steps() + carried + added - removed;
        if actual.steps() == predicted {
            continue;
        }
        // In the figure's own unit when it can hold it (a count cannot be negative).
        let expected = now
            .unit_at(line.this)
            .and_then(|unit| Number::from_steps(unit, predicted))
            .map_or_else(|| predicted.to_string(), |n| n.to_string());
        let place = match rule.axis {
            Axis::EachColumn => format!("「{}」列", cols[line.along].label()),
            Axis::EachRow => format!("「{}」行", rows[line.along].label()),
        };
        let this_name = operand(now, line.this);
        let mut computation = format!("{}年「{}」{base}", previous.year, operand(before, line.previous));
        // A term's sign is its own: a change of −3 is added as “− 3”.
        let mut term = |figures: &Figures, at, plus: bool| {
            let Some(v) = figures.value(at) else { return };
            let (plus, size) = match v {
                Number::Signed(n) => (plus == (n >= 0), n.unsigned_abs().to_string()),
                Number::Count(_) | Number::Amount(_) => (plus, v.to_string()),
            };
            computation.push_str(&format!(" {} {size}", if plus { '+' } else { '−' }));
        };
        for &at in &line.plus_previous {
            term(last_year, at, true);
        }
        for &at in &line.plus {
            term(this_year, at, true);
        }
        for &at in &line.minus {
            term(this_year, at, false);
        }
        // A plain carry-over names both years' cells and the value once; a computed one shows its terms.
        let (year, last) = (report.year, previous.year);
        let last_name = operand(before, line.previous);
        let should = if line.plus_previous.is_empty() && line.plus.is_empty() && line.minus.is_empty() {
            format!("应等于{last}年的「{last_name}」{expected}")
        } else {
            format!("按{last}年的数字应为 {computation} = {expected}")
        };
        let message = format!(
            "{}{place}与{last}年度报告不衔接：{year}年的「{this_name}」是 {actual}，{should}；请核对两年的报告，改正写错的一处",
            table.name
        );
        let mut d =
            if rule.warning_only { Diagnostic::warning(rule.id, message) } else { Diagnostic::error(rule.id, message) };
        d = d.with_note(format!("规则：{}", rule.statement));
        if let (Some(file), Some(span)) = (report.data_file, given_at(this_year, line.this)) {
            d = d.at(file, span).with_label(format!("{}年：{actual}", report.year));
        }
        if let (Some(file), Some(span)) = (previous.data_file, given_at(last_year, line.previous)) {
            d = d.with_related(file, span, format!("{}年：{base}", previous.year));
        }
        out.push(d);
    }
    out
}

/// Figures stated in 一、总体情况 that are also table cells must agree (R8, a
/// warning). The message quotes the phrase from `sources`.
fn check_prose(format: &Format, report: &Report, sources: &Sources) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stated in &report.stated {
        let Some(figure) = format.prose.get(usize::from(stated.figure)) else { continue };
        let Some(t) = format.table_ix(figure.table) else { continue };
        let table = format.table_at(t);
        let block = &table.blocks[figure.block];
        let (Some(&r), Some(&c)) = (
            format::select(block.row_leaves(), figure.row).first(),
            format::select(block.column_leaves(), figure.column).first(),
        ) else {
            continue;
        };
        let grid = report.figures.grid(t, figure.block);
        let Some(cell) = grid.value(r, c) else { continue };
        let value = stated.value;
        if value == cell {
            continue;
        }
        let label = format::join_label(block, r, c);
        let phrase = sources.text(report.markdown_file).get(stated.phrase.clone()).unwrap_or_default();
        let written = if phrase.is_empty() { value.to_string() } else { format!("“{phrase}”") };
        let mut d = Diagnostic::warning(
            RuleId::R8,
            format!("总体情况中写的{written}与{}（{}）的 {cell} 不一致", table.name, label),
        )
        .at(report.markdown_file, stated.span.clone())
        .with_label(format!("文中为 {value}"));
        if let (Some(file), Some(s)) = (report.data_file, given_span(grid, (r, c))) {
            d = d.with_related(file, s, format!("表中为 {cell}"));
        }
        out.push(d);
    }
    out
}

/// Turns waived violations into warnings that say so; flags waivers that waive
/// nothing. Returns the diagnostics and the rules that were waived.
fn apply_waivers(report: &Report, found: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<RuleId>) {
    let mut used = vec![false; report.waivers.len()];
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .map(|mut d| {
            if let Some(i) = report.waivers.iter().position(|w| Code::Rule(w.rule) == d.code) {
                used[i] = true;
                if d.severity == Severity::Error {
                    d.severity = Severity::Warning;
                    d.notes.push(format!("已按 data.toml 中的豁免发布，页面会注明：{}", report.waivers[i].reason));
                }
            }
            d
        })
        .collect();
    let mut waived = Vec::new();
    for (w, used) in report.waivers.iter().zip(used) {
        if used {
            waived.push(w.rule);
        } else {
            let mut d = Diagnostic::warning(
                Code::Waiver,
                format!("对 {} 的豁免没有用到：本报告的数据符合该规则，可以删除这条豁免", w.rule),
            );
            if let Some(file) = report.data_file {
                d = d.at(file, w.span.clone());
            }
            out.push(d);
        }
    }
    (out, waived)
}

/// The format's deadline ([`crate::model::Level::deadline`]): 31 January of the
/// next year for departments and townships, later for county, city and
/// province summaries. A report dated after it, or outside the next year, is late.
fn check_dates(agency: &Agency) -> Vec<Diagnostic> {
    let level = agency.level();
    agency
        .reports
        .iter()
        .filter(|r| r.date.year != r.year + 1 || r.date > level.deadline(r.year))
        .map(|r| {
            let deadline = level.deadline(r.year);
            Diagnostic::warning(
                Code::Date,
                format!(
                    "{}年度报告的发布日期是 {}：{}的年度报告应在次年（{}年）{}月{}日前发布",
                    r.year,
                    r.date.to_chinese(),
                    level.label(),
                    deadline.year,
                    deadline.month,
                    deadline.day
                ),
            )
            .at(r.markdown_file, r.date_span.clone())
            .with_label("发布日期")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{FORMAT_2019, FORMAT_2021, Unit};
    use crate::model::{Cell, Date, Narrative};
    use crate::sources::FileId;

    fn report(format: &Format, year: u16, figures: &[(&str, &str, &str, i128)]) -> Report {
        let mut all = Figures::empty(format);
        for &(table, row, column, n) in figures {
            let at = format.cell(format::CellKey { table, row, column }).unwrap();
            let value = Number::from_steps(format.unit_at(at).unwrap(), n).unwrap();
            all.set(at, Cell { value, origin: Origin::Computed });
        }
        Report {
            year,
            format: format.id,
            title: String::new(),
            date: Date { year: year + 1, month: 1, day: 20 },
            date_span: 0..0,
            signed_by: String::new(),
            narrative: Narrative::default(),
            stated: Box::new([]),
            markdown_file: FileId(0),
            data_file: None,
            figures: all,
            waivers: Vec::new(),
            attachments: Vec::new(),
            status: crate::model::Status::Published,
        }
    }

    fn cross_year(now: &'static Format, before: &Format, previous: &Report, report: &Report) -> Vec<Diagnostic> {
        now.cross_year.iter().flat_map(|rule| check_cross_year((now, rule), before, previous, report)).collect()
    }

    #[test]
    fn r6_holds_from_a_2019_format_report_to_a_2021_one() {
        let previous = report(&FORMAT_2019, 2020, &[("requests", "carried_forward", "natural", 3)]);
        let good = report(&FORMAT_2021, 2021, &[("requests", "carried_over", "natural", 3)]);
        assert!(cross_year(&FORMAT_2021, &FORMAT_2019, &previous, &good).is_empty());
        let bad = report(&FORMAT_2021, 2021, &[("requests", "carried_over", "natural", 2)]);
        let found = cross_year(&FORMAT_2021, &FORMAT_2019, &previous, &bad);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].code, found[0].severity), (Code::Rule(RuleId::R6), Severity::Error));
        assert!(
            found[0].message.contains(
                "2021年的「二、上年结转政府信息公开申请数量」是 2，应等于2020年的「四、结转下年度继续办理」3；"
            ),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn items_carry_with_last_years_signed_change() {
        let row = |n, change| [("active", "licensing", "previous_items", n), ("active", "licensing", "change", change)];
        let previous = report(&FORMAT_2019, 2019, &row(40, -3));
        let good = report(&FORMAT_2019, 2020, &row(37, 5));
        assert!(cross_year(&FORMAT_2019, &FORMAT_2019, &previous, &good).is_empty());
        let bad = report(&FORMAT_2019, 2020, &row(40, 5));
        let found = cross_year(&FORMAT_2019, &FORMAT_2019, &previous, &bad);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].code, found[0].severity), (Code::Rule(RuleId::R7), Severity::Warning));
        assert!(
            found[0].message.contains("按2019年的数字应为 2019年「上一年项目数量」40 − 3 = 37"),
            "{}",
            found[0].message
        );
        // A change may be negative; a count may not, and a rule that predicts one says so.
        let shrunk = report(&FORMAT_2019, 2019, &row(2, -5));
        let found = cross_year(&FORMAT_2019, &FORMAT_2019, &shrunk, &good);
        assert!(found[0].message.contains("= -3；"), "{}", found[0].message);
        assert_eq!(
            FORMAT_2019.unit_at(
                FORMAT_2019.cell(format::CellKey { table: "active", row: "licensing", column: "change" }).unwrap()
            ),
            Some(Unit::SignedCount)
        );
    }

    #[test]
    fn nothing_fires_where_the_formats_share_no_cell() {
        let previous = report(&FORMAT_2019, 2020, &[("active", "rules", "published_total", 9)]);
        let now = report(&FORMAT_2021, 2021, &[("active", "rules", "in_force", 1)]);
        assert!(cross_year(&FORMAT_2021, &FORMAT_2019, &previous, &now).is_empty());
        let free = report(&crate::format::FORMAT_FREE, 2018, &[]);
        let first = report(&FORMAT_2019, 2019, &[("requests", "carried_over", "natural", 4)]);
        assert!(cross_year(&FORMAT_2019, &crate::format::FORMAT_FREE, &free, &first).is_empty());
    }
}
