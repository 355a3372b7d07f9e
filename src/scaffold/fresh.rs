//! A new year's figures: zero, but for what the cross-year rules carry over
//! from the previous year and what keeps the sum rules balanced after that.

use std::collections::BTreeMap;

use super::Note;
use crate::author::Remark;
use crate::format::{self, Axis, CellAt, CrossFormatLine, CrossYearRule, Format, SumRule, TableIx, rule_lines};
use crate::model::{Cell, Figures, Number, Origin, Report};

/// The figures of a new year's report, and what was not simply zero.
pub(super) struct Fresh {
    pub figures: Figures,
    pub notes: Vec<Note>,
    /// Why a cell is not zero, for `data.toml`.
    pub remarks: BTreeMap<CellAt, Remark>,
}

/// The cells a rule set, one per line it runs through, for the notes.
struct Touched {
    table: TableIx,
    block: usize,
    axis: Axis,
    cells: Vec<(usize, usize)>,
}

fn table_of(format: &Format, key: &str) -> Option<(TableIx, &'static format::Table)> {
    let t = format.table_ix(key)?;
    Some((t, format.table_at(t)))
}

/// The figures of year Y: zero everywhere, except what the cross-year rules
/// carry over from `previous` (year Y−1). A new year has nothing issued or
/// repealed yet, so each rule's `this` is simply last year's `previous`.
///
/// Carrying figures over can unbalance a sum rule (last year's open
/// applications arrive in 二、上年结转 but are not handled yet); the last cell
/// of the rule's right side takes the difference (they are carried forward
/// again), so the file passes `portal check`, and the user is told.
pub(super) fn fresh(format: &'static Format, previous: Option<&Report>) -> Fresh {
    let mut fresh = Fresh { figures: Figures::empty(format), notes: Vec::new(), remarks: BTreeMap::new() };
    for (t, table) in format.tables_ix() {
        for (b, block) in table.blocks.iter().enumerate() {
            let (rows, cols) = (block.row_leaves().len(), block.column_leaves().len());
            for (r, c) in (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c))) {
                // Totals are left out, and computed once the other cells are known.
                if !block.is_total((r, c)) {
                    fresh.set(CellAt::new(t, b, (r, c)), Number::zero(block.unit_at((r, c))), None);
                }
            }
        }
    }
    let mut carried = Vec::new();
    for (rule, previous) in format.cross_year.iter().flat_map(|rule| previous.map(|p| (rule, p))) {
        carried.extend(fresh.carry(format, rule, previous));
    }
    let balanced: Vec<_> =
        format.rules.iter().filter(|r| !r.defines_total()).filter_map(|r| fresh.balance(format, r)).collect();
    fresh.figures.complete_totals(format);

    for (remark, touched) in carried {
        if let Remark::Filled { from_year, this, previous } = remark {
            let table = format.table_at(touched.table).name;
            let values = fresh.values(format, &touched);
            fresh.notes.push(Note::CarriedOver { from_year, table, this, previous, values });
        }
    }
    for (rule, touched) in balanced {
        let block = &format.table_at(touched.table).blocks[touched.block];
        let target = match (rule.axis, touched.cells.first()) {
            (Axis::EachColumn, Some(&(r, _))) => block.row_leaves()[r].own_label(),
            (Axis::EachRow, Some(&(_, c))) => block.column_leaves()[c].own_label(),
            (_, None) => continue,
        };
        let (table, statement) = (format.table_at(touched.table).name, rule.statement);
        let values = fresh.values(format, &touched);
        fresh.notes.push(Note::Balanced { table, target, statement, values });
    }
    fresh
}

impl Fresh {
    fn set(&mut self, cell: CellAt, value: Number, remark: Option<Remark>) {
        // The origin is never shown: these figures are written out, not published.
        self.figures.set(cell, Cell { value, origin: Origin::Computed });
        if let Some(remark) = remark {
            self.remarks.insert(cell, remark);
        }
    }

    fn value(&self, cell: CellAt) -> Option<Number> {
        self.figures.value(cell)
    }

    /// Sets this year's cells of a cross-year rule from `previous`, which
    /// may follow another format: only the lines whose cells it has
    /// ([`CrossFormatLine`]) are carried.
    fn carry(&mut self, format: &Format, rule: &CrossYearRule, previous: &Report) -> Option<(Remark, Touched)> {
        let (t, table) = table_of(format, rule.table)?;
        let (b, block) = (rule.block, table.blocks.get(rule.block)?);
        let before = previous.layout();
        let lines = CrossFormatLine::all(format, rule, before);
        let label = |f: &Format, at: CellAt| {
            let block = &f.table_at(at.table).blocks[at.block];
            match rule.axis {
                Axis::EachColumn => block.row_leaves()[at.row].own_label(),
                Axis::EachRow => block.column_leaves()[at.col].own_label(),
            }
        };
        let first = lines.first()?;
        let remark = Remark::Filled {
            from_year: previous.year,
            this: label(format, first.this),
            previous: label(before, first.previous),
        };
        for line in lines.iter().filter(|l| !block.is_total((l.this.row, l.this.col))) {
            let carried: Option<i128> = std::iter::once(&line.previous)
                .chain(&line.plus_previous)
                .map(|&at| Some(previous.figures.value(at)?.steps()))
                .sum();
            if let Some(value) =
                carried.and_then(|n| Number::from_steps(block.unit_at((line.this.row, line.this.col)), n))
            {
                self.set(line.this, value, Some(remark.clone()));
            }
        }
        let cells = lines.iter().map(|l| (l.this.row, l.this.col)).collect();
        Some((remark, Touched { table: t, block: b, axis: rule.axis, cells }))
    }

    /// Makes a balancing rule (two operands or more on the left, e.g. R1) hold:
    /// where the left side exceeds the right, the last cell of the right side
    /// takes the difference. `None` when the rule held already.
    fn balance(&mut self, format: &Format, rule: &'static SumRule) -> Option<(&'static SumRule, Touched)> {
        let (t, table) = table_of(format, rule.table)?;
        let (b, block) = (rule.block, table.blocks.get(rule.block)?);
        let mut cells = Vec::new();
        let mut changed = false;
        for line in rule_lines(rule, block) {
            let Some(&target) = line.rhs.last() else { continue };
            cells.push(target);
            if block.is_total(target) {
                continue;
            }
            let sum = |side: &[(usize, usize)]| -> u64 {
                side.iter().filter_map(|&cell| self.value(CellAt::new(t, b, cell))).map(Number::raw).sum()
            };
            let (lhs, rhs) = (sum(&line.lhs), sum(&line.rhs));
            if lhs <= rhs {
                continue;
            }
            let current = self.value(CellAt::new(t, b, target)).map_or(0, Number::raw);
            let Some(value) = Number::from_steps(block.unit_at(target), i128::from(current + (lhs - rhs))) else {
                continue;
            };
            self.set(CellAt::new(t, b, target), value, Some(Remark::Balanced { statement: rule.statement }));
            changed = true;
        }
        changed.then_some((rule, Touched { table: t, block: b, axis: rule.axis, cells }))
    }

    /// The values of touched cells, each with the short label of its line.
    fn values(&self, format: &Format, touched: &Touched) -> Vec<(&'static str, Number)> {
        let block = &format.table_at(touched.table).blocks[touched.block];
        let (rows, cols) = (block.row_leaves(), block.column_leaves());
        touched
            .cells
            .iter()
            .filter_map(|&(r, c)| {
                let label = match touched.axis {
                    Axis::EachColumn => cols[c].own_label(),
                    Axis::EachRow => rows[r].own_label(),
                };
                self.value(CellAt::new(touched.table, touched.block, (r, c))).map(|v| (label, v))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::author::data_toml;
    use crate::format::FORMAT_2021;
    use crate::pipeline;
    use crate::scaffold::{EXAMPLE_SLUG, init, new_report};

    fn check_clean(root: &Path) -> pipeline::Checked {
        let checked = pipeline::check(root, &crate::publish::Publish::from_env(crate::publish::Drafts::Show));
        assert!(checked.diagnostics.is_empty(), "{}", checked.diagnostics.to_plain_string(&checked.sources));
        checked
    }

    /// Every entry of the format is written once, with its official label beside it.
    #[test]
    fn every_entry_is_written_with_its_label() {
        let fresh = fresh(&FORMAT_2021, None);
        let text = data_toml(&FORMAT_2021, "示例局", 2024, &fresh.figures, &fresh.remarks);
        let doc: toml::Table = toml::from_str(&text).unwrap();
        for table in FORMAT_2021.tables {
            for entry in table.blocks.iter().flat_map(|b| b.entries()) {
                let mut value = doc.get(table.key).unwrap_or_else(|| panic!("[{}]", table.key));
                for part in entry.key.split('.') {
                    value = value.get(part).unwrap_or_else(|| panic!("{}.{}", table.key, entry.key));
                }
                let line = text
                    .lines()
                    .find(|l| l.starts_with(&format!("{} ", entry.key)))
                    .unwrap_or_else(|| panic!("no line for {}", entry.key));
                let label = entry.labels.last().unwrap();
                assert!(line.split_once('#').unwrap().1.contains(label), "{line}");
            }
        }
        // Row groups head their rows, as in the printed table.
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}"));
        assert!(at("# （三）不予公开\n") < at("results.withheld.state_secret "));
        assert!(at("# 三、本年度办理结果\n") < at("results.granted "));
        assert!(text.contains("（商业企业至其他为“法人或其他组织”；总计可省略，只写前 6 个）"));
    }

    /// What `init` writes loads through the real loader with no diagnostic at
    /// all, and every figure is zero.
    #[test]
    fn fresh_site_checks_clean_and_is_all_zero() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), 2024, false).unwrap();
        let checked = check_clean(dir.path());
        let site = checked.site.unwrap();
        let report = &site.agencies[0].reports[0];
        assert_eq!(report.year, 2024);
        assert_eq!(report.date.to_string(), "2025-01-31");
        for grid in report.figures.tables.iter().flatten() {
            for r in 0..grid.rows {
                for c in 0..grid.cols {
                    assert_eq!(grid.value(r, c).map(Number::raw), Some(0));
                }
            }
        }
    }

    /// The next year carries over 结转 and 现行有效件数, stays balanced, and the
    /// cross-year rules hold.
    #[test]
    fn next_year_carries_over_and_checks_clean() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), 2024, false).unwrap();
        let data = dir.path().join(format!("content/{EXAMPLE_SLUG}/2024/data.toml"));
        let text = fs::read_to_string(&data)
            .unwrap()
            .replacen("normative_documents = [0, 0, 0]", "normative_documents = [3, 0, 3]", 1)
            .replacen("new          = [0, 0, 0, 0, 0, 0, 0]", "new          = [2, 1, 0, 0, 0, 0, 3]", 1)
            .replacen(
                "carried_forward             = [0, 0, 0, 0, 0, 0, 0]",
                "carried_forward = [2, 1, 0, 0, 0, 0, 3]",
                1,
            );
        fs::write(&data, text).unwrap();
        check_clean(dir.path());

        let created = new_report(dir.path(), EXAMPLE_SLUG, "2025", false).unwrap();
        let written = fs::read_to_string(dir.path().join(&created.files[1])).unwrap();
        assert!(written.contains("normative_documents = [0, 0, 3]"), "{written}");
        assert!(written.contains("carried_over = [2, 1, 0, 0, 0, 0, 3]"), "{written}");
        assert!(written.contains("carried_forward             = [2, 1, 0, 0, 0, 0, 3]"), "{written}");
        assert!(created.notes.iter().any(|n| matches!(n, Note::CarriedOver { from_year: 2024, .. })));
        assert!(created.notes.iter().any(|n| matches!(n, Note::Balanced { .. })));
        check_clean(dir.path());
    }
}
