//! Authoring: `portal init` (a new site) and `portal new` (an agency, or one
//! year's report), writing files that already carry the official structure.
//!
//! This is not a stage of the pipeline: it writes sources, never the site. The
//! headings and every row of `data.toml` are generated from the format data
//! ([`crate::format`]), previous figures are read with the real loader, and what
//! is written passes `portal check` as it is.

mod fresh;
mod init;
mod new;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

pub use crate::author::{ScaffoldError, parse_year};
use crate::model::{Date, Number};
pub use init::{EXAMPLE_NAME, EXAMPLE_SLUG, Initialized, init};
pub use new::{NewAgency, NewReport, new_agency, new_report};

/// Something an authoring command did that the user should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Cells filled from the previous year's report by a cross-year rule.
    CarriedOver {
        /// The year of the report the cells were filled from.
        from_year: u16,
        /// `表三`
        table: &'static str,
        /// The cells' official wording this year, e.g. `二、上年结转政府信息公开申请数量`.
        this: &'static str,
        /// The wording of the cells they come from, e.g. `四、结转下年度继续办理`.
        previous: &'static str,
        /// Each cell: the row or column it sits in, and its value.
        values: Vec<(&'static str, Number)>,
    },
    /// Cells set so that a sum rule holds after the carry-over.
    Balanced {
        /// The table's name, e.g. `表三`.
        table: &'static str,
        /// The official wording of the row or column whose cells were set.
        target: &'static str,
        /// The rule in the format's words.
        statement: &'static str,
        /// Each cell: the row or column it sits in, and its value.
        values: Vec<(&'static str, Number)>,
    },
    /// The previous year's report exists but could not be read.
    PreviousUnreadable {
        /// The previous year.
        year: u16,
    },
    /// There is no report for the previous year: every figure is zero.
    NoPrevious {
        /// The previous year.
        year: u16,
    },
    /// The publication date written is the deadline, for the user to change.
    DatePlaceholder {
        /// The deadline, written as the publication date.
        date: Date,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cells = |values: &[(&str, Number)]| {
            values.iter().map(|(label, v)| format!("{label} {v}")).collect::<Vec<_>>().join("、")
        };
        match self {
            Note::CarriedOver { from_year, table, this, previous, values } => {
                write!(f, "已按 {from_year} 年度报告填入{table}“{this}”（取自上年的“{previous}”）：{}", cells(values))
            }
            Note::Balanced { table, target, statement, values } => write!(
                f,
                "{table}“{target}”暂填为 {}，使表格符合勾稽关系（{statement}）：请按实际办理情况修改",
                cells(values)
            ),
            Note::PreviousUnreadable { year } => write!(
                f,
                "{year} 年度报告有错误，未能读取其数据：本应从上年结转的数字暂填为 0；请用 portal check 修正该报告，再手工填写这些数字"
            ),
            Note::NoPrevious { year } => write!(f, "没有 {year} 年度报告：所有数字均为 0"),
            Note::DatePlaceholder { date } => {
                write!(f, "发布日期暂填为 {date}（年度报告的发布截止日期）：发布前请在 report.md 中改为实际发布日期")
            }
        }
    }
}

/// The agency's full name: `--name`, else the folder name when it is Chinese.
fn agency_name(slug: &str, name: Option<&str>) -> Result<String, ScaffoldError> {
    let name = match name {
        Some(n) => n.trim(),
        None if slug.is_ascii() => return Err(ScaffoldError::NameRequired { slug: slug.to_owned() }),
        None => slug,
    };
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(ScaffoldError::BadName(name.to_owned()));
    }
    Ok(name.to_owned())
}

/// The reporting year a report written today is for: last year, China time.
pub fn last_year() -> u16 {
    const CHINA_OFFSET: u64 = 8 * 3600;
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) + CHINA_OFFSET;
    let today = Date::from_unix_days(i64::try_from(secs / 86_400).unwrap_or(0));
    today.map_or(1970, |d| d.year) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_option_or_a_chinese_folder_name() {
        assert_eq!(agency_name("shili", Some(" 示例局 ")).unwrap(), "示例局");
        assert_eq!(agency_name("示例局", None).unwrap(), "示例局");
        assert!(matches!(agency_name("shili", None), Err(ScaffoldError::NameRequired { .. })));
        assert!(matches!(agency_name("shili", Some("  ")), Err(ScaffoldError::BadName(_))));
        assert!(matches!(agency_name("shili", Some("示例\n局")), Err(ScaffoldError::BadName(_))));
    }
}
