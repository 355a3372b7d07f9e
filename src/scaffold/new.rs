//! `portal new AGENCY` (an `agency.toml`) and `portal new AGENCY YEAR` (a
//! year's `report.md` and `data.toml`).

use std::fs;
use std::path::{Path, PathBuf};

use super::fresh::fresh;
use super::{Note, agency_name};
use crate::author::{ScaffoldError, agency_toml, check_agency_slug, data_toml, parse_year, toml_str, write_files};
use crate::format::{FORMAT_2021, Format};
use crate::layout::source;
use crate::load;
use crate::model::{Contact, Date, Site};

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
    Ok(load::load(root, &FORMAT_2021).site)
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
    let format = site.format;
    let previous_year = year - 1;
    let previous = agency.report(previous_year);
    let mut notes = Vec::new();
    let figures = fresh(format, previous);
    if previous.is_none() {
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
    let files = vec![
        (dir.join(source::NARRATIVE_FILE), report_md(format, &agency.info.name, year, date)),
        (dir.join(source::DATA_FILE), data_toml(format, &agency.info.name, year, &figures.figures, &figures.remarks)),
    ];
    let files = write_files(root, files, force)?;
    Ok(NewReport { files, notes })
}

/// The format's deadline for a year's report: 31 January of the next year.
/// It passes `portal check` (no late-publication warning) and is a date
/// nobody publishes on by accident.
fn deadline(year: u16) -> Date {
    Date { year: year + 1, month: 1, day: 31 }
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
        format.notice,
    );
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

#[cfg(test)]
mod tests {
    use super::*;

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
