//! Summary reports (汇总): an agency whose reports sum up other agencies'.
//!
//! Between loading and validation: the members declared in `agency.toml`
//! (`[summary] members = [...]` or `"children"`) are resolved, cycles are
//! refused, and for every summary report the members' figures of that year are
//! summed cell by cell, walking the format's tables (nothing here names a row).
//! Summaries are computed members first, so they nest (township → county →
//! city). A summary report without `data.toml` takes the sums as its figures;
//! one with `data.toml` keeps its own, and [`crate::validate`] compares them
//! with the sums cell by cell.

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;
use crate::format::RuleId;
use crate::model::{AgencyIx, Figures, Members, Site};
use crate::sources::Sources;

/// One summary report and the members' sums.
#[derive(Debug, Clone)]
pub struct Summed {
    /// Members whose report of the year was summed, in site order.
    pub members: Vec<AgencyIx>,
    /// Members without a report that year: not in the sums.
    pub missing: Vec<AgencyIx>,
    /// Members whose report that year follows another format than the
    /// summary's: not in the sums, which add only cells of one format.
    pub other_format: Vec<AgencyIx>,
    /// The members' figures, summed.
    pub figures: Figures,
    /// The report's figures are these sums (it has no `data.toml`).
    pub computed: bool,
}

/// Every summary of the site.
#[derive(Debug, Default)]
pub struct Summaries {
    /// Summary agency → its members (site order). Agencies on a cycle are left out.
    pub members: BTreeMap<AgencyIx, Vec<AgencyIx>>,
    /// (summary agency, year) → the sums for that report.
    pub reports: BTreeMap<(AgencyIx, u16), Summed>,
}

impl Summaries {
    /// The sums for the summary report of `agency` for `year`.
    pub(crate) fn report(&self, agency: AgencyIx, year: u16) -> Option<&Summed> {
        self.reports.get(&(agency, year))
    }

    /// Whether an agency is a summary with resolved members.
    pub(crate) fn is_summary(&self, agency: AgencyIx) -> bool {
        self.members.contains_key(&agency)
    }
}

/// Resolves members, refuses cycles, and sums every summary report. A summary
/// report without `data.toml` gets the sums as its figures.
pub(crate) fn summarize(site: &mut Site, sources: &Sources) -> (Summaries, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut summaries = Summaries::default();
    for (i, agency) in site.indexed() {
        let Some(summary) = &agency.info.summary else { continue };
        let span = members_span(sources.text(agency.file));
        let at = |d: Diagnostic| d.at(agency.file, span.clone());
        let members: Vec<AgencyIx> = match &summary.members {
            Members::Children => site
                .indexed()
                .filter(|(j, a)| *j != i && a.info.parent.as_deref() == Some(agency.info.name.as_str()))
                .map(|(j, _)| j)
                .collect(),
            Members::List(slugs) => {
                let mut found = Vec::new();
                for slug in slugs {
                    match site.find_agency(slug) {
                        Some(j) if j == i => diagnostics.push(at(Diagnostic::error(
                            RuleId::Summary,
                            format!("汇总报告“{}”把自己列为成员机构", agency.info.name),
                        )
                        .with_label("成员中有本机构")
                        .with_note(format!("汇总关系成环：{0} → {0}", agency.info.name)))),
                        Some(j) if !found.contains(&j) => found.push(j),
                        Some(_) => {}
                        None => {
                            let known: Vec<&str> = site.agencies.iter().map(|a| a.slug.as_str()).collect();
                            let mut d = at(Diagnostic::error(
                                RuleId::Summary,
                                format!("汇总报告“{}”的成员机构“{slug}”不存在", agency.info.name),
                            )
                            .with_label("没有这个机构文件夹"));
                            d = match crate::text::did_you_mean(slug, &known) {
                                Some(s) => d.with_note(format!("是否想写 {s}？")),
                                None => d.with_note("成员写 content/ 下的机构文件夹名"),
                            };
                            diagnostics.push(d);
                        }
                    }
                }
                found.sort_unstable();
                found
            }
        };
        if members.is_empty() {
            let why = match summary.members {
                Members::Children => format!("没有任何机构的 parent 是“{}”", agency.info.name),
                Members::List(_) => "members 列表为空".to_owned(),
            };
            diagnostics.push(at(Diagnostic::warning(
                RuleId::Summary,
                format!("汇总报告“{}”没有成员机构：{why}", agency.info.name),
            )));
        }
        summaries.members.insert(i, members);
    }

    let (order, cycles) = order(&summaries.members);
    for cycle in cycles {
        let names: Vec<&str> = cycle.iter().map(|&i| site.agency(i).info.name.as_str()).collect();
        let first = site.agency(cycle[0]);
        let span = members_span(sources.text(first.file));
        diagnostics.push(
            Diagnostic::error(RuleId::Summary, format!("汇总关系成环：{}", names.join(" → ")))
                .at(first.file, span)
                .with_label("成员中含有汇总本机构的机构")
                .with_note("汇总只能逐级向上：乡镇、部门 → 县 → 市 → 省；请从其中一个机构的 members 中去掉环上的机构"),
        );
        for i in &cycle {
            summaries.members.remove(i);
        }
    }

    for i in order {
        let Some(members) = summaries.members.get(&i) else { continue };
        for r in 0..site.agency(i).reports.len() {
            let (year, format) = (site.agency(i).reports[r].year, site.agency(i).reports[r].format);
            let (with, missing): (Vec<AgencyIx>, Vec<AgencyIx>) =
                members.iter().partition(|&&m| site.agency(m).report(year).is_some());
            let (with, other_format): (Vec<AgencyIx>, Vec<AgencyIx>) =
                with.into_iter().partition(|&m| site.agency(m).report(year).is_some_and(|r| r.format == format));
            if !other_format.is_empty() {
                diagnostics.push(other_format_warning(site, i, r, &other_format));
            }
            let figures = Figures::sum(
                format.format(),
                with.iter().filter_map(|&m| site.agency(m).report(year)).map(|r| &r.figures),
            );
            let report = std::sync::Arc::make_mut(&mut site.agency_mut(i).reports[r]);
            let computed = report.data_file.is_none();
            if computed {
                report.figures = figures.clone();
            }
            summaries.reports.insert((i, year), Summed { members: with, missing, other_format, figures, computed });
        }
    }
    (summaries, diagnostics)
}

/// A warning at the summary report: members whose report of the year follows
/// another format, left out of the sums.
fn other_format_warning(site: &Site, i: AgencyIx, r: usize, others: &[AgencyIx]) -> Diagnostic {
    let agency = site.agency(i);
    let report = &agency.reports[r];
    let listed: Vec<String> = others
        .iter()
        .filter_map(|&m| {
            let member = site.agency(m);
            let theirs = member.report(report.year)?;
            Some(format!("{}（{}）", member.info.display_short_name(), theirs.layout().name))
        })
        .collect();
    let d = Diagnostic::warning(
        RuleId::Summary,
        format!(
            "汇总报告“{}”{}年按{}填报，成员机构中 {} 的报告格式不同，未计入合计",
            agency.info.name,
            report.year,
            report.layout().name,
            listed.join("、")
        ),
    )
    .with_note("汇总只合计同一格式的报告：不同格式的表格栏目不同，不能逐格相加");
    match report.data_file {
        Some(file) => d.at(file, 0..0),
        None => d.at(report.markdown_file, 0..0),
    }
}

/// Summaries in an order that puts every member before its summary, and the
/// cycles found (each as the agencies on it, starting from the lowest index,
/// the first repeated at the end).
fn order<N: Copy + Ord>(members: &BTreeMap<N, Vec<N>>) -> (Vec<N>, Vec<Vec<N>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit<N: Copy + Ord>(
        node: N,
        members: &BTreeMap<N, Vec<N>>,
        marks: &mut BTreeMap<N, Mark>,
        path: &mut Vec<N>,
        order: &mut Vec<N>,
        cycles: &mut Vec<Vec<N>>,
    ) {
        marks.insert(node, Mark::Open);
        path.push(node);
        for &m in members.get(&node).into_iter().flatten() {
            if !members.contains_key(&m) {
                continue;
            }
            match marks.get(&m).copied().unwrap_or(Mark::New) {
                Mark::New => visit(m, members, marks, path, order, cycles),
                Mark::Open => {
                    if let Some(start) = path.iter().position(|&p| p == m) {
                        let mut cycle = path[start..].to_vec();
                        cycle.push(m);
                        cycles.push(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks.insert(node, Mark::Done);
        order.push(node);
    }
    let mut marks = BTreeMap::new();
    let (mut out, mut cycles) = (Vec::new(), Vec::new());
    for &node in members.keys() {
        if marks.get(&node).copied().unwrap_or(Mark::New) == Mark::New {
            visit(node, members, &mut marks, &mut Vec::new(), &mut out, &mut cycles);
        }
    }
    (out, cycles)
}

/// The span of the `members = ...` line in `agency.toml` (the `[summary]`
/// table or an inline table), or the whole first line when it is not found.
fn members_span(text: &str) -> std::ops::Range<usize> {
    crate::text::toml_value_span(text, "members").unwrap_or_else(|| 0..text.lines().next().map_or(0, str::len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(usize, &[usize])]) -> BTreeMap<usize, Vec<usize>> {
        edges.iter().map(|(k, v)| (*k, v.to_vec())).collect()
    }

    #[test]
    fn members_come_before_their_summary() {
        // 0 = city over counties 1 and 2; county 1 over township 3; 4, 5 plain agencies.
        let (order, cycles) = order(&graph(&[(0, &[1, 2]), (1, &[3, 4]), (2, &[5]), (3, &[5])]));
        assert!(cycles.is_empty());
        let pos = |n| order.iter().position(|&x| x == n).unwrap();
        assert!(pos(3) < pos(1) && pos(1) < pos(0) && pos(2) < pos(0), "{order:?}");
    }

    #[test]
    fn a_cycle_is_named_in_order() {
        let (_, cycles) = order(&graph(&[(0, &[1]), (1, &[2]), (2, &[0]), (3, &[0])]));
        assert_eq!(cycles, [vec![0, 1, 2, 0]]);
    }

    #[test]
    fn members_span_is_the_line() {
        let text = "name = \"示例县\"\n[summary]\nlevel = \"county\"\nmembers = [\"a\"]  # 注释\n";
        assert_eq!(&text[members_span(text)], "members = [\"a\"]  # 注释");
        assert_eq!(&text[members_span("name = \"示例县\"\n")], "name = \"示例县\"");
    }
}
