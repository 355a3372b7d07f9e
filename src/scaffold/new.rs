//! `portal new AGENCY` (an `agency.toml`) and `portal new AGENCY YEAR` (a
//! year's `report.md` and `data.toml`).

use std::fs;
use std::path::{Path, PathBuf};

use super::fresh::fresh;
use super::{Note, agency_name};
use crate::author::{ScaffoldError, agency_toml, check_agency_slug, data_toml, parse_year, toml_str, write_files};
use crate::format::{Format, FormatId};
use crate::layout::source;
use crate::load;
use crate::model::{Contact, Date, Level, Site};

/// What `portal new AGENCY` wrote.
#[derive(Debug)]
pub struct NewAgency {
    /// `content/<slug>/agency.toml`, relative to the site root.
    pub path: PathBuf,
    /// The agency's full name as written in `agency.toml`.
    pub name: String,
}

/// What `portal new AGENCY YEAR` wrote.
#[derive(Debug)]
pub struct NewReport {
    /// `report.md` and `data.toml`, relative to the site root.
    pub files: Vec<PathBuf>,
    /// What the user should know about the figures and date written, in the order found.
    pub notes: Vec<Note>,
}

/// Loads the site at `root` with the real loader; `None` when `site.toml`
/// itself cannot be read. Problems elsewhere in the site are left to `check`.
fn load_site(root: &Path) -> Result<Option<Site>, ScaffoldError> {
    if !root.join(source::SETTINGS).is_file() {
        return Err(ScaffoldError::NotASite { root: root.to_path_buf() });
    }
    Ok(load::load(root).site)
}

/// Creates `content/<slug>/agency.toml`. The name is `name`, else `slug` when
/// it is Chinese; an ASCII slug needs `--name`.
pub fn new_agency(root: &Path, slug: &str, name: Option<&str>, force: bool) -> Result<NewAgency, ScaffoldError> {
    check_agency_slug(slug)?;
    let name = agency_name(slug, name)?;
    let site = load_site(root)?;
    if let Some(other) = site.iter().flat_map(|s| &s.agencies).find(|a| a.info.name == name && a.slug != slug) {
        return Err(ScaffoldError::DuplicateName { name, other: other.slug.clone() });
    }
    let content = root.join(source::CONTENT);
    let folders = fs::read_dir(&content).into_iter().flatten().filter_map(|e| e.ok()).filter(|e| e.path().is_dir());
    for folder in folders {
        let other = folder.file_name().to_string_lossy().into_owned();
        if other != slug && other.to_lowercase() == slug.to_lowercase() {
            return Err(ScaffoldError::DuplicateSlug { slug: slug.to_owned(), other });
        }
    }
    let path = source::agency_file(slug);
    write_files(root, vec![(path.clone(), agency_toml(&name, &Contact::default()))], force)?;
    Ok(NewAgency { path, name })
}

/// Creates `content/<slug>/<year>/report.md` and `data.toml`.
pub fn new_report(root: &Path, slug: &str, year: &str, force: bool) -> Result<NewReport, ScaffoldError> {
    check_agency_slug(slug)?;
    let year = parse_year(year)?;
    write_report(root, slug, year, force)
}

pub(super) fn write_report(root: &Path, slug: &str, year: u16, force: bool) -> Result<NewReport, ScaffoldError> {
    let site = load_site(root)?.ok_or(ScaffoldError::SiteBroken)?;
    let Some(agency) = site.agencies.iter().find(|a| a.slug == slug) else {
        return Err(if root.join(source::agency_file(slug)).is_file() {
            ScaffoldError::AgencyBroken { slug: slug.to_owned() }
        } else {
            let suggestion = site
                .agencies
                .iter()
                .find(|a| a.info.name == slug || a.info.short_name.as_deref() == Some(slug))
                .map(|a| a.slug.clone());
            ScaffoldError::NoAgency { slug: slug.to_owned(), suggestion }
        });
    };
    let format = FormatId::for_year(year).format();
    let previous_year = year - 1;
    let previous = agency.report(previous_year);
    let mut notes = Vec::new();
    let figures = fresh(format, previous);
    if previous.is_none() && format.has_tables() {
        let folder = root.join(source::report_dir(slug, previous_year));
        notes.push(if folder.is_dir() {
            Note::PreviousUnreadable { year: previous_year }
        } else {
            Note::NoPrevious { year: previous_year }
        });
    }
    notes.extend(figures.notes.iter().cloned());
    let date = deadline(year);
    notes.push(Note::DatePlaceholder { date });

    let dir = source::report_dir(slug, year);
    let mut files = vec![(dir.join(source::NARRATIVE_FILE), report_md(format, &agency.info.name, year, date))];
    // A free-form report has no tables: no data.toml.
    if format.has_tables() {
        files.push((
            dir.join(source::DATA_FILE),
            data_toml(format, &agency.info.name, year, &figures.figures, &figures.remarks),
        ));
    }
    let files = write_files(root, files, force)?;
    Ok(NewReport { files, notes })
}

/// The deadline for a department's report of `year` (1月31日 from the 2019
/// reports, 3月31日 before: [`Level::deadline`]). It passes `portal check` (no
/// late-publication warning) and is a date nobody publishes on by accident.
fn deadline(year: u16) -> Date {
    Level::Department.deadline(year)
}

/// `report.md`: front matter and the six official sections, each with a hint
/// in an HTML comment (kept out of the page).
fn report_md(format: &Format, name: &str, year: u16, date: Date) -> String {
    let mut out = format!(
        "+++\n\
         title = {}\n\
         date = {date}    # 请改为实际发布日期\n\
         draft = true    # 草稿：不会发布。写完并运行 portal check 无误后删除这一行\n\
         signed_by = {}    # 落款\n\
         +++\n\n\
         <!-- 提示：这样的注释只是写作提示，不会显示在网页上，写好正文后可以删除。\n     \
         这里写开头一段：编制依据（{}）、统计期限（{year}年1月1日至{year}年12月31日）、查阅方式和联系方式。 -->\n",
        toml_str(&format!("{name}{year}年政府信息公开工作年度报告")),
        toml_str(name),
        if format.notice.is_empty() {
            "《中华人民共和国政府信息公开条例》（国务院令第492号）"
        } else {
            format.notice
        },
    );
    if !format.has_tables() {
        out.push_str(FREE_FORM_HINT);
    }
    for section in format.sections {
        out.push_str(&format!("\n## {}\n\n<!-- 提示：{}", section.title, section.hint));
        if let Some(table) = section.table.and_then(|key| format.table(key)) {
            out.push_str(&format!(
                "{}由同一文件夹中的 data.toml 生成，显示在本部分文字之后；这里可以不写文字。",
                table.name
            ));
        }
        out.push_str(" -->\n");
    }
    out
}

/// The body of a free-form report's skeleton: no national sections, its own headings.
const FREE_FORM_HINT: &str = "\n<!-- 提示：2019 年以前的年度报告没有国家统一的格式和统计表。请按原报告录入正文，\
保留原报告的标题层级：用二级标题 ## 写各部分标题（它们就是网页上的目录），表格写成 Markdown 表格。\
原报告的 PDF、DOC、XLS 等文件可以直接放在本文件夹中，会作为附件列在网页上。 -->\n\n\
## 一、概述\n\n## 二、主动公开政府信息的情况\n\n## 三、依申请公开政府信息的情况\n\n\
## 四、因政府信息公开申请行政复议、提起行政诉讼的情况\n\n## 五、政府信息公开工作存在的主要问题及改进措施\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;

    #[test]
    fn a_free_form_skeleton_has_its_own_headings_and_the_old_deadline() {
        let md = report_md(FormatId::FreeForm.format(), "示例局", 2015, deadline(2015));
        assert!(md.contains("date = 2016-03-31"), "{md}");
        assert!(md.contains("## 一、概述") && md.contains("附件"), "{md}");
        assert!(!md.contains("data.toml"), "{md}");
        let md = report_md(FormatId::F2019.format(), "示例局", 2020, deadline(2020));
        assert!(md.contains("date = 2021-01-31") && md.contains("国办公开办函〔2019〕60号"), "{md}");
    }

    #[test]
    fn report_has_the_six_headings_in_order_with_hints() {
        let md = report_md(&FORMAT_2021, "示例局", 2024, deadline(2024));
        let mut at = 0;
        for section in FORMAT_2021.sections {
            let heading = format!("\n## {}\n", section.title);
            let found = md[at..].find(&heading).map(|i| i + at).unwrap_or_else(|| panic!("{}", section.title));
            assert!(md[found..].contains(section.hint));
            at = found + heading.len();
        }
        assert!(md.contains("title = \"示例局2024年政府信息公开工作年度报告\""));
        assert!(md.contains("date = 2025-01-31"));
        assert!(md.contains("signed_by = \"示例局\""));
        assert!(md.contains("\ndraft = true "));
    }
}
