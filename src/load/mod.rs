//! Stage 1: read `site.toml` and `content/` into the [`Site`] model.
//!
//! Every problem becomes a [`Diagnostic`] and loading goes on, so one run
//! reports everything that is wrong. Nothing here panics on user data.

mod prose;
mod stamps;
mod unfinished;
mod words;

use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use self::words::explain_serde_error;
use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, PER_FILE, Severity};
use crate::format::{self, Format, FormatId, RuleId, Unit};
use crate::layout::confine::Root;
use crate::layout::{name, source, url};
use crate::markdown::html::{self, RawHtml, Removal, needs_cleaning};
use crate::model::{
    Agency, AgencyInfo, Cell, Date, Figures, Narrative, Number, Origin, OwnPart, OwnSections, Part, Report, Site,
    Status, Waiver,
};
use crate::sources::{FileId, Sources};
pub(crate) use crate::text::decode;
use crate::text::{Reason, did_you_mean, toml_value_span};

/// The result of loading: the site (if `site.toml` could be read), the text of
/// every file read, and the problems found on the way.
#[derive(Default)]
pub struct Loaded {
    /// `None` when `site.toml` could not be read.
    pub site: Option<Site>,
    /// Every file read, for quoting in the diagnostics.
    pub sources: Sources,
    /// Every problem found, in reading order.
    pub diagnostics: Diagnostics,
}

/// Reads the site rooted at `root`.
pub fn load(root: &Path) -> Loaded {
    let sources = Mutex::new(Sources::under(root));
    let confine = Root::new(root);
    let mut cx = Loader::new(root, &confine, &sources);
    let site = cx.site();
    let mut diagnostics = cx.diagnostics;
    let sources = sources.into_inner().unwrap_or_else(|p| p.into_inner());
    diagnostics.sort(&sources);
    Loaded { site, sources, diagnostics }
}

pub(crate) use self::stamps::{Stamp, Stamps};

/// Reads `site.toml` alone; `None` if it has an error (the full load then
/// reports it; its warnings too).
pub(crate) fn config(root: &Path) -> Option<SiteConfig> {
    let sources = Mutex::new(Sources::default());
    let confine = Root::new(root);
    let mut cx = Loader::new(root, &confine, &sources);
    cx.config().filter(|_| !cx.diagnostics.has_errors())
}

/// The text of a report's `report.md` as it was loaded, read again for the
/// page or for a message; an error if the file changed since.
pub fn narrative_text(report: &Report) -> std::io::Result<String> {
    let source = &report.narrative.source;
    let text = decode(fs::read(source)?).map_err(std::io::Error::other)?;
    if xxhash_rust::xxh3::xxh3_64(text.as_bytes()) != report.narrative.text_hash {
        return Err(std::io::Error::other("文件在生成期间被修改，请重新生成"));
    }
    Ok(text)
}

/// Reads one report again (`content/<slug>/<year>/`), registering its files
/// in `sources`: for `portal serve`, when only that report was edited.
/// `summary` says whether the agency is a summary (its `data.toml` is optional).
pub(crate) fn reload_report(
    root: &Path,
    sources: &mut Sources,
    slug: &str,
    year: u16,
    summary: bool,
    raw: RawHtml,
) -> (Option<Report>, Diagnostics) {
    let shared = Mutex::new(std::mem::take(sources));
    let confine = Root::new(root);
    let mut cx = Loader { raw, ..Loader::new(root, &confine, &shared) };
    let report = cx.report(&source::report_dir(slug, year), year, summary);
    let diagnostics = cx.diagnostics;
    *sources = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    (report, diagnostics)
}

/// Agencies are read in parallel, each by its own loader; they share the
/// registry of files read.
struct Loader<'a> {
    root: &'a Path,
    /// What every path read is checked against: it must stay under the root.
    confine: &'a Root,
    sources: &'a Mutex<Sources>,
    diagnostics: Diagnostics,
    /// What becomes of raw HTML in `report.md`: known once `site.toml` is read.
    raw: RawHtml,
}

impl<'a> Loader<'a> {
    fn new(root: &'a Path, confine: &'a Root, sources: &'a Mutex<Sources>) -> Self {
        Self { root, confine, sources, diagnostics: Diagnostics::default(), raw: RawHtml::Sanitize }
    }
}

impl Loader<'_> {
    fn site(&mut self) -> Option<Site> {
        let config = self.config()?;
        self.raw = RawHtml::of(&config);
        let content = self.root.join(source::CONTENT);
        let mut agencies = Vec::new();
        let listed = match self.confine.check(Path::new(source::CONTENT)) {
            Ok(()) => sorted_dir(&content),
            Err(e) => {
                self.diagnostics.push(Diagnostic::escape(&e));
                Ok(Vec::new())
            }
        };
        match listed {
            Err(_) => self.diagnostics.push(
                Diagnostic::error(
                    Code::MissingFile,
                    "找不到 content/ 文件夹：请在站点根目录创建 content/<机构>/agency.toml",
                )
                .at_path("content/"),
            ),
            Ok(entries) => {
                let content_rel = Path::new(source::CONTENT);
                let mut dirs: Vec<PathBuf> = Vec::new();
                for e in entries.into_iter().filter(|e| e.dir) {
                    if is_hidden(&e.path) {
                        self.skipped(
                            &content_rel.join(file_name(&e.path)),
                            "以点开头的文件夹不会读取，其中的机构不会发布",
                        );
                    } else if self.usable(&e, content_rel) {
                        dirs.push(e.path);
                    }
                }
                self.check_siblings(content_rel, dirs.iter().map(|d| file_name(d)), &[]);
                let loaded: Vec<(Option<Agency>, Diagnostics)> = dirs
                    .par_iter()
                    .map(|dir| {
                        let mut cx = Loader { raw: self.raw, ..Loader::new(self.root, self.confine, self.sources) };
                        (cx.agency(dir), cx.diagnostics)
                    })
                    .collect();
                for (agency, diagnostics) in loaded {
                    agencies.extend(agency);
                    self.diagnostics.extend(diagnostics);
                }
                if agencies.is_empty() && !self.diagnostics.has_errors() {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::MissingFile,
                            "content/ 中没有任何机构：请创建 content/<机构>/agency.toml 和 content/<机构>/<年份>/report.md、data.toml",
                        )
                        .at_path("content/"),
                    );
                }
            }
        }
        self.check_duplicates(&agencies);
        agencies.sort_by(|a: &Agency, b: &Agency| (a.info.weight, &a.slug).cmp(&(b.info.weight, &b.slug)));
        Some(Site { config, agencies })
    }

    fn config(&mut self) -> Option<SiteConfig> {
        let rel = PathBuf::from(source::SETTINGS);
        if let Err(e) = self.confine.check(&rel) {
            self.diagnostics.push(Diagnostic::escape(&e));
            return None;
        }
        if !self.root.join(&rel).is_file() {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::MissingFile,
                    format!(
                        "找不到 site.toml：{} 不是站点根目录。新建站点请运行 portal init；已有站点请用 --root 指定它的文件夹",
                        self.root.display()
                    ),
                )
                .at_path(rel),
            );
            return None;
        }
        let (file, text) = self.read(&rel)?;
        let config: SiteConfig = match toml::from_str(&text) {
            Ok(config) => config,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                // `base_url`'s own check, not the TOML: a value that cannot be the site's address.
                let ours = e.message().starts_with("base_url ");
                let d = match toml_value_span(&text, "base_url").filter(|at| ours && at.contains(&span.start)) {
                    Some(_) => Diagnostic::error(Code::Config, e.message().trim()).with_label("这个网址").with_note(
                        "写成 base_url = \"https://www.example.gov.cn/xxgk/\"：网站发布的地址，可以带子路径",
                    ),
                    None => explain_serde_error(e.message()),
                };
                self.diagnostics.push(d.at(file, span));
                return None;
            }
        };
        let footer = &config.footer;
        for (key, value) in [
            ("title", &config.title),
            ("sponsor", &footer.sponsor),
            ("site_code", &footer.site_code),
            ("icp", &footer.icp),
            ("police_record", &footer.police_record),
        ] {
            self.require_text(file, &text, key, value);
        }
        if config.language != "zh-CN" {
            let span = toml_value_span(&text, "language").unwrap_or(0..0);
            self.diagnostics.push(
                Diagnostic::error(Code::Config, "language 只能是 \"zh-CN\"：站点上的表格用语均为国家规定的中文表述")
                    .at(file, span),
            );
        }
        if let Some(why) = source::theme_name_error(&config.theme) {
            let span = toml_value_span(&text, "theme").unwrap_or(0..0);
            self.diagnostics.push(
                Diagnostic::error(Code::Config, format!("theme = \"{}\" 不能使用：{why}", config.theme))
                    .at(file, span)
                    .with_note("主题放在 themes/<主题名>/ 中，site.toml 里只写主题名，例如 theme = \"default\""),
            );
        }
        self.config_html(file, &text, &config);
        Some(config)
    }

    /// What the sanitizer removes from `intro`, or, where `[security]` lets
    /// raw HTML through, one warning that it does.
    fn config_html(&mut self, file: FileId, text: &str, config: &SiteConfig) {
        if let Some((_, deep)) = html::too_deep(&config.intro) {
            let at = toml_value_span(text, "intro").unwrap_or(0..0);
            self.diagnostics.push(too_deep(deep, file, at));
            return;
        }
        if config.security.allow_raw_html {
            let span = toml_value_span(text, "allow_raw_html").unwrap_or(0..0);
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::RawHtml,
                    "已设置 allow_raw_html = true：report.md 和 intro 中的原始 HTML 不经过滤直接发布，其中的脚本会在网页上运行",
                )
                .at(file, span)
                .with_note("只有确需嵌入内容、且信任每一位撰稿人时才这样设置"),
            );
            return;
        }
        let removed = intro_removals(&config.intro);
        let Some(at) = toml_value_span(text, "intro").filter(|_| !removed.is_empty()) else { return };
        // A multi-line string that opens at the end of its line starts on the next.
        let opening = text[at.clone()].split_once('=').map_or("", |(_, v)| v.trim());
        let first_line = text[..at.start].matches('\n').count() + usize::from(opening == "\"\"\"" || opening == "'''");
        let (lines, intro_lines) = (Lines::new(text), Lines::new(&config.intro));
        for r in removed {
            let line = first_line + intro_lines.line_of(r.offset);
            self.diagnostics.push_at(file, Severity::Warning, || unsafe_html(&r.what, file, lines.span(line)));
        }
    }

    fn agency(&mut self, dir: &Path) -> Option<Agency> {
        let slug = file_name(dir);
        let rel_dir = source::agency_dir(&slug);
        if !self.portable_name(&rel_dir) {
            return None;
        }
        if let Err(why) = check_slug(&slug) {
            self.diagnostics.push(
                Diagnostic::error(Code::Path, format!("机构文件夹名“{slug}”不能用作网址：{why}")).at_path(&rel_dir),
            );
            return None;
        }
        let entries = sorted_dir(dir).unwrap_or_default();
        let rel = rel_dir.join(source::AGENCY_FILE);
        let own = entries.iter().find(|e| e.path.file_name().is_some_and(|n| n == source::AGENCY_FILE));
        if let Some(own) = own
            && !self.usable(own, &rel_dir)
        {
            return None;
        }
        if !self.root.join(&rel).is_file() {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::MissingFile,
                    format!(
                        "{} 缺少 agency.toml：请创建它并至少写明机构全称，例如 name = \"临朐县冶源街道办事处\"",
                        rel_dir.display()
                    ),
                )
                .at_path(&rel),
            );
            return None;
        }
        let read = self.read(&rel);
        let file = read.as_ref().map(|(file, _)| *file);
        let info: Option<AgencyInfo> = read.and_then(|(file, text)| {
            let info: AgencyInfo = self.parse_toml(file, &text, 0)?;
            self.require_text(file, &text, "name", &info.name);
            // Optional, but if written, shown: an empty one is a mistake.
            for (key, value) in [("short_name", &info.short_name), ("parent", &info.parent), ("region", &info.region)] {
                if let Some(value) = value {
                    self.require_text(file, &text, key, value);
                }
            }
            Some(info)
        });
        // A summary's year may go without data.toml (its figures are summed).
        // When agency.toml could not be read, do not pile a missing data.toml on top.
        let summary = info.as_ref().is_none_or(|i| i.summary.is_some());

        let mut reports = Vec::new();
        for entry in entries {
            if !entry.dir {
                continue;
            }
            if is_hidden(&entry.path) {
                self.skipped(&rel_dir.join(file_name(&entry.path)), "以点开头的文件夹不会读取，其中的报告不会发布");
                continue;
            }
            if !self.usable(&entry, &rel_dir) {
                continue;
            }
            let name = file_name(&entry.path);
            let Some(year) = parse_year(&name) else {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::Path,
                        format!("文件夹名“{name}”不是年份：年度报告应放在 content/<机构>/<四位年份>/ 中"),
                    )
                    .at_path(rel_dir.join(&name)),
                );
                continue;
            };
            if let Some(report) = self.report(&rel_dir.join(&name), year, summary) {
                reports.push(std::sync::Arc::new(report));
            }
        }
        Some(Agency { slug, info: info?, file: file?, reports })
    }

    fn report(&mut self, rel_dir: &Path, year: u16, summary: bool) -> Option<Report> {
        let md_rel = rel_dir.join(source::NARRATIVE_FILE);
        let data_rel = rel_dir.join(source::DATA_FILE);
        // One listing of the folder answers which files are there; every one
        // is published or read, so a link among them must stay in the site.
        let (folders, listed): (Vec<Listed>, Vec<Listed>) =
            sorted_dir(&self.root.join(rel_dir)).unwrap_or_default().into_iter().partition(|e| e.dir);
        for folder in &folders {
            self.skipped(
                &rel_dir.join(file_name(&folder.path)),
                "年度文件夹中的子文件夹不会发布：附件请直接放在年度文件夹中",
            );
        }
        let listed: Vec<Listed> = listed.into_iter().filter(|e| !is_hidden(&e.path)).collect();
        let mut refused = false;
        for entry in &listed {
            refused |= !self.usable(entry, rel_dir);
        }
        let files: Vec<String> = listed.iter().map(|e| file_name(&e.path)).collect();
        for name in files.iter().filter(|n| !source::is_report_file(n)) {
            // Published beside the page: refused, the report is still read for its other problems.
            self.portable_name(&rel_dir.join(name));
        }
        self.check_siblings(rel_dir, files.iter().cloned(), url::REPORT_OUTPUTS);
        let has = |name: &str| files.iter().any(|f| f == name);
        let has_data = has(source::DATA_FILE);
        if !has(source::NARRATIVE_FILE) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::MissingFile,
                    format!(
                        "{} 缺少 {}：请创建它，写入年度报告正文（含 +++ 包围的标题、发布日期、落款）",
                        rel_dir.display(),
                        source::NARRATIVE_FILE
                    ),
                )
                .at_path(&md_rel),
            );
            // Without report.md the year names the format: say what else it lacks.
            if !has_data && !summary && FormatId::for_year(year).format().has_tables() {
                self.missing_data(rel_dir, FormatId::for_year(year).format());
            }
            return None;
        }
        if refused {
            return None;
        }
        let (md_file, md_text) = self.read(&md_rel)?;
        let front = self.front_matter(md_file, &md_text);
        // The format decides what else the folder holds: read it first.
        let meta = front.as_ref().and_then(|f| f.meta.as_ref().map(|m| (m, f.toml_offset)));
        let format = match meta.and_then(|(m, offset)| m.format.as_ref().map(|f| (f, offset))) {
            Some((named, offset)) => self.named_format(md_file, named, offset)?,
            None => FormatId::for_year(year),
        };
        let layout = format.format();
        // A summary without data.toml: empty figures now, its members' sums later.
        let (data_file, figures, waivers) = match (has_data, layout.has_tables()) {
            (true, true) => {
                let (data_file, data_text) = self.read(&data_rel)?;
                (
                    Some(data_file),
                    self.figures(layout, data_file, &data_text),
                    self.waivers(layout, data_file, &data_text),
                )
            }
            (true, false) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::Format,
                        format!(
                            "{} 是自由格式的报告（{}），没有统计表，不读取 data.toml",
                            rel_dir.display(),
                            if FormatId::for_year(year) == format { "2019 年以前的报告没有国家统一的统计表格式" } else { "元数据写明了 format = \"free\"" }
                        ),
                    )
                    .at_path(&data_rel)
                    .with_note(
                        "如果报告按 2019 年版或 2021 年版格式填报了统计表，请在 report.md 的元数据中写明 format = \"2019\" 或 format = \"2021\"；否则请删除 data.toml（原始表格可作为附件放在报告文件夹中）",
                    ),
                );
                return None;
            }
            (false, true) if !summary => {
                self.missing_data(rel_dir, layout);
                return None;
            }
            (false, _) => (None, Some(Figures::empty(layout)), Some(Vec::new())),
        };
        // The body is checked even when the front matter is broken: one run
        // reports every problem.
        let narrative =
            front.as_ref().and_then(|f| self.narrative(layout, (md_file, &md_rel), &md_text, f.body_offset));
        let FrontPart { meta, toml_offset, .. } = front?;
        let meta = meta?;
        let date_span = meta.date.span().start + toml_offset..meta.date.span().end + toml_offset;
        let date = self.date(md_file, &meta.date, date_span.clone());
        self.check_title_year(md_file, &meta.title, toml_offset, year);
        for (key, value) in [("title", &meta.title), ("signed_by", &meta.signed_by)] {
            let at = value.span();
            self.require_text_at(md_file, key, value.get_ref(), || at.start + toml_offset..at.end + toml_offset);
        }
        let (date, narrative) = (date?, narrative?);
        if !meta.draft {
            self.diagnostics.extend(unfinished::unfinished(layout, &narrative, &md_text, md_file));
        }
        let stated = narrative
            .sections
            .get(usize::from(layout.prose_section).saturating_sub(1))
            .and_then(Option::as_ref)
            .map(|part| prose::stated(layout, part.markdown(&md_text), part.span.start))
            .unwrap_or_default();
        let attachments = files.into_iter().filter(|n| !source::is_report_file(n)).collect();
        Some(Report {
            year,
            format,
            title: meta.title.into_inner(),
            date,
            date_span,
            signed_by: meta.signed_by.into_inner(),
            narrative,
            stated,
            markdown_file: md_file,
            data_file,
            figures: figures?,
            waivers: waivers?,
            attachments,
            status: if meta.draft { Status::Draft } else { Status::Published },
        })
    }

    /// A report folder of a format with tables that lacks `data.toml`.
    fn missing_data(&mut self, rel_dir: &Path, format: &Format) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::MissingFile,
                format!(
                    "{} 缺少 {}：请创建它，写入{}的统计数据（{}）",
                    rel_dir.display(),
                    source::DATA_FILE,
                    format.tables.iter().map(|t| t.name).collect::<Vec<_>>().join("、"),
                    format.name
                ),
            )
            .at_path(rel_dir.join(source::DATA_FILE)),
        );
    }

    /// The format front matter names (`format = "2019"`); an error if it names none.
    fn named_format(&mut self, file: FileId, named: &Spanned<String>, offset: usize) -> Option<FormatId> {
        if let Some(id) = FormatId::from_key(named.get_ref()) {
            return Some(id);
        }
        let keys: Vec<&str> = FormatId::ALL.iter().map(|f| f.key()).collect();
        let listed: Vec<String> =
            FormatId::ALL.iter().map(|f| format!("\"{}\"（{}）", f.key(), f.format().name)).collect();
        let at = named.span();
        let d = Diagnostic::error(Code::Format, format!("format = \"{}\" 不是已知的报告格式", named.get_ref()))
            .at(file, at.start + offset..at.end + offset)
            .with_label("未知的格式");
        let d = match did_you_mean(named.get_ref(), &keys) {
            Some(s) => d.with_note(format!("是否想写 format = \"{s}\"？可用的格式：{}", listed.join("、"))),
            None => d.with_note(format!(
                "可用的格式：{}；不写 format 时按报告年度确定（2021 年起为 2021 年版，2019、2020 年为 2019 年版，此前为自由格式）",
                listed.join("、")
            )),
        };
        self.diagnostics.push(d);
        None
    }

    /// A title that names another year than the folder is a copy of last year's report.
    fn check_title_year(&mut self, file: FileId, title: &Spanned<String>, offset: usize, year: u16) {
        let Some((at, named)) = year_in_title(title.get_ref()) else { return };
        if named != year {
            // +1: the opening quote of the TOML string.
            let start = offset + title.span().start + 1 + at;
            self.diagnostics.push(
                Diagnostic::error(Code::Year, format!("标题中的年份 {named} 与文件夹的年份 {year} 不一致"))
                    .at(file, start..start + 4)
                    .with_label(format!("应为 {year}"))
                    .with_note("请核对 report.md 是否放错了年度文件夹，或标题是否沿用了往年的报告"),
            );
        }
    }

    /// Two folders for the same agency name are a copy. (Folders whose names
    /// differ only in case or normalisation were refused with the listing.)
    fn check_duplicates(&mut self, agencies: &[Agency]) {
        // Keyed maps, not pairs: a provincial site has thousands of agencies.
        let mut names: HashMap<&str, &str> = HashMap::new();
        for a in agencies {
            let path = source::agency_file(&a.slug);
            if let Some(b) = names.insert(&a.info.name, &a.slug)
                && name::fold(b) != name::fold(&a.slug)
            {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        format!(
                            "机构“{}”同时出现在 content/{b}/ 和 content/{}/ 中：同一机构只能有一个文件夹",
                            a.info.name, a.slug
                        ),
                    )
                    .at_path(path),
                );
            }
        }
    }

    /// A required text that is there but empty (or only spaces) is an error:
    /// it would be published as an empty heading or footer line.
    fn require_text(&mut self, file: FileId, text: &str, key: &str, value: &str) {
        self.require_text_at(file, key, value, || toml_value_span(text, key).unwrap_or(0..0));
    }

    fn require_text_at(&mut self, file: FileId, key: &str, value: &str, span: impl FnOnce() -> Range<usize>) {
        if value.trim().is_empty() {
            let span = span();
            self.diagnostics.push(
                Diagnostic::error(Code::Empty, format!("{key} 不能为空：它会显示在网站上"))
                    .at(file, span)
                    .with_label("空值")
                    .with_note("请写上实际内容"),
            );
        }
    }

    /// A folder under `content/` that is not read: named, so that a report
    /// does not go unpublished unnoticed.
    fn skipped(&mut self, rel: &Path, why: &str) {
        self.diagnostics.push(
            Diagnostic::warning(Code::Skipped, format!("{} 未读取：{why}", rel.display()))
                .at_path(rel)
                .with_note("如需发布，请把它改名或移到正确的位置"),
        );
    }

    /// Whether the last component of `rel` is a name Windows can hold, so that
    /// the site can be copied to an office PC; if not, an error.
    fn portable_name(&mut self, rel: &Path) -> bool {
        let shown = file_name(rel);
        let Some(why) = name::problem(&shown) else { return true };
        self.diagnostics.push(
            Diagnostic::error(Code::Name, format!("名字“{shown}”在 Windows 上不能使用：{why}"))
                .at_path(rel)
                .with_note("站点会在 Windows 电脑上编辑和预览，请改名"),
        );
        false
    }

    /// Names in the folder `dir` that Windows and macOS take for the same (they
    /// differ only in letter case or Unicode normalisation), among themselves
    /// or with a file the build writes beside them (`generated`): an error at
    /// the second.
    fn check_siblings(&mut self, dir: &Path, names: impl IntoIterator<Item = String>, generated: &[&str]) {
        let mut seen: HashMap<String, (String, bool)> =
            generated.iter().map(|g| (name::fold(g), ((*g).to_owned(), true))).collect();
        for n in names {
            match seen.get(&name::fold(&n)) {
                Some((other, true)) => self.diagnostics.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        format!("{} 与生成的文件 {other} 同名（不区分大小写）：请改名", dir.join(&n).display()),
                    )
                    .at_path(dir.join(&n)),
                ),
                Some((other, false)) => self.diagnostics.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        format!(
                            "{} 与 {} 只有大小写或 Unicode 写法不同：在 Windows 和 macOS 上是同一个名字，网址也会冲突",
                            dir.join(&n).display(),
                            dir.join(other).display()
                        ),
                    )
                    .at_path(dir.join(&n))
                    .with_note("请只保留一个，或改成明显不同的名字"),
                ),
                None => {
                    seen.insert(name::fold(&n), (n, false));
                }
            }
        }
    }

    /// Whether an entry listed in the folder `rel_dir` can be read: its name is
    /// UTF-8 (it becomes part of a URL), and if it is a link, it leads to
    /// something inside the site. Each refusal is reported.
    fn usable(&mut self, entry: &Listed, rel_dir: &Path) -> bool {
        let Some(name) = entry.path.file_name() else { return false };
        let rel = rel_dir.join(name);
        if name.to_str().is_none() {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::Encoding,
                    format!("{} 的名字不是 UTF-8 编码，不能用作网址：请用 UTF-8 重新命名", rel.display()),
                )
                .at_path(rel),
            );
            return false;
        }
        match self.confine.check_entry(&rel, entry.link) {
            Ok(()) => true,
            Err(e) => {
                self.diagnostics.push(Diagnostic::escape(&e));
                false
            }
        }
    }

    /// Reads a file as UTF-8 text (a BOM is dropped) and registers it.
    fn read(&mut self, rel: &Path) -> Option<(FileId, String)> {
        let bytes = match fs::read(self.root.join(rel)) {
            Ok(b) => b,
            Err(e) => {
                self.diagnostics
                    .push(Diagnostic::error(Code::Io, format!("无法读取文件：{}", Reason(&e))).at_path(rel));
                return None;
            }
        };
        match decode(bytes) {
            Ok(text) => {
                let mut sources = self.sources.lock().unwrap_or_else(|p| p.into_inner());
                Some((sources.register(rel.to_path_buf()), text))
            }
            Err(e) => {
                let d = Diagnostic::error(Code::Encoding, e.to_string());
                let d = match e.at {
                    // Shown as far as it decodes, the bad byte marked at its line.
                    Some(at) => {
                        let text = String::from_utf8_lossy(&e.bytes).into_owned();
                        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                        let mut sources = self.sources.lock().unwrap_or_else(|p| p.into_inner());
                        d.at(sources.add(rel.to_path_buf(), text), at..end).with_label("这个字节不是 UTF-8")
                    }
                    None => d.at_path(rel),
                };
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// Parses TOML into `T`; `offset` places the text within its file.
    fn parse_toml<T: serde::de::DeserializeOwned>(&mut self, file: FileId, text: &str, offset: usize) -> Option<T> {
        match toml::from_str::<T>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.span().map_or(offset..offset, |s| s.start + offset..s.end + offset);
                self.diagnostics.push(explain_serde_error(e.message()).at(file, span));
                None
            }
        }
    }

    /// Splits `report.md` into its `+++` front matter and body; `None` when the
    /// `+++` lines are missing.
    fn front_matter(&mut self, file: FileId, text: &str) -> Option<FrontPart> {
        let Some(rest) = text.strip_prefix("+++") else {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::FrontMatter,
                    "report.md 必须以 +++ 开头的元数据开始（标题 title、发布日期 date、落款 signed_by）",
                )
                .at(file, 0..0),
            );
            return None;
        };
        let start = 3 + rest.find('\n').map_or(rest.len(), |i| i + 1);
        let mut offset = start;
        for line in text[start..].split_inclusive('\n') {
            if line.trim_end() == "+++" {
                let front = &text[start..offset];
                let meta = self.parse_toml::<FrontMatter>(file, front, start);
                return Some(FrontPart { meta, toml_offset: start, body_offset: offset + line.len() });
            }
            offset += line.len();
        }
        self.diagnostics
            .push(Diagnostic::error(Code::FrontMatter, "元数据没有结束：请在其后单独一行写 +++").at(file, 0..3));
        None
    }

    /// Splits the body at its level-1/2 headings, which must be the six
    /// official section titles, in order.
    fn narrative(
        &mut self,
        format: &'static Format,
        (file, rel): (FileId, &Path),
        text: &str,
        body_offset: usize,
    ) -> Option<Narrative> {
        use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

        let body = &text[body_offset..];
        let sections = format.sections;
        // (section index, heading span, heading text as written)
        let mut found: Vec<(usize, Range<usize>, String)> = Vec::new();
        let mut misnamed: Vec<usize> = Vec::new();
        let mut heading: Option<(Range<usize>, String)> = None;
        let before = self.diagnostics.errors();
        let mut unclean = false;
        let mut own = OwnSections { preamble_end: body.len(), parts: Vec::new() };
        for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
            unclean |= needs_cleaning(&event);
            if !format.has_tables() {
                own_section(&mut own, &event, &range, body.len());
            }
            match event {
                Event::Start(Tag::Heading { level: HeadingLevel::H1 | HeadingLevel::H2, .. }) => {
                    heading = Some((range, String::new()));
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some((_, s)) = heading.as_mut() {
                        s.push_str(&t);
                    }
                }
                Event::End(TagEnd::Heading(HeadingLevel::H1 | HeadingLevel::H2)) => {
                    let Some((span, title)) = heading.take() else {
                        continue;
                    };
                    // The heading's own line, without the newline pulldown-cmark includes.
                    let shown = body[span.clone()].trim_end().len();
                    let file_span = span.start + body_offset..span.start + body_offset + shown;
                    let title = title.trim().to_owned();
                    // A free-form report's headings are its own: its contents.
                    if !format.has_tables() {
                        continue;
                    }
                    match format.section_by_title(&title) {
                        Some(section) => {
                            let index = usize::from(section.number) - 1;
                            if let Some((prev, _, _)) = found.last().filter(|(prev, _, _)| *prev >= index) {
                                let prev = sections[*prev].title;
                                self.diagnostics.push_at(file, Severity::Error, || {
                                    Diagnostic::error(
                                        Code::SectionOrder,
                                        format!("“{title}”出现在“{prev}”之后：六个部分应按一至六的顺序各出现一次"),
                                    )
                                    .at(file, file_span)
                                    .with_label("顺序不对")
                                });
                                continue;
                            }
                            found.push((index, span, title));
                        }
                        None => {
                            let intended = intended_section(sections, &title);
                            if let Some(i) = intended.filter(|i| !misnamed.contains(i)) {
                                misnamed.push(i);
                            }
                            self.diagnostics.push_at(file, Severity::Error, || {
                                let d = Diagnostic::error(
                                    Code::SectionTitle,
                                    format!("一级或二级标题“{title}”不是年度报告格式规定的六个部分之一"),
                                )
                                .at(file, file_span)
                                .with_label("不是规定的部分标题");
                                match intended {
                                    Some(i) => d.with_note(format!("是否想写 ## {}？", sections[i].title)),
                                    None => d.with_note(format!(
                                        "六个部分的标题：{}；部分内的小标题请用三级标题 ###",
                                        sections.iter().map(|s| s.title).collect::<Vec<_>>().join("、")
                                    )),
                                }
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        if unclean && self.raw == RawHtml::Sanitize {
            let lines = Lines::new(text);
            for r in html::removals(body) {
                let at = body_offset + r.offset;
                self.diagnostics.push_at(file, Severity::Warning, || unsafe_html(&r.what, file, lines.span_at(at)));
            }
        }
        // Absolute: a later run may reach the site from another folder and take this from its state.
        let mut narrative = Narrative {
            preamble: Part::default(),
            sections: vec![None; sections.len()],
            own,
            source: self.confine.absolute().join(rel),
            text_hash: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
        };
        let first = found.first().map_or(body.len(), |(_, span, _)| span.start);
        narrative.preamble = Part { heading: None, span: body_offset..body_offset + first };
        for (i, (index, span, title)) in found.iter().enumerate() {
            let end = found.get(i + 1).map_or(body.len(), |(_, next, _)| next.start);
            narrative.sections[*index] =
                Some(Part { heading: Some(title.clone()), span: body_offset + span.end..body_offset + end });
        }
        if unclean {
            // Each part is sanitized on its own when rendered.
            let parts = std::iter::once(&narrative.preamble).chain(narrative.sections.iter().flatten());
            for part in parts {
                if let Some((at, deep)) = html::too_deep(&text[part.span.clone()]) {
                    let at = part.span.start + at;
                    self.diagnostics.push(too_deep(deep, file, Lines::new(text).span_at(at)));
                }
            }
        }
        for (i, (section, part)) in sections.iter().zip(&narrative.sections).enumerate() {
            // A misnamed heading has been reported already, with the right title.
            if part.is_none() && section.table.is_none() && !misnamed.contains(&i) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::MissingSection,
                        format!(
                            "report.md 缺少“{}”部分：请加上二级标题 ## {} 并写明内容",
                            section.title, section.title
                        ),
                    )
                    .at(file, text.len()..text.len()),
                );
            }
        }
        (self.diagnostics.errors() == before).then_some(narrative)
    }

    fn date(&mut self, file: FileId, value: &Spanned<toml::Value>, span: Range<usize>) -> Option<Date> {
        let parsed = match value.get_ref() {
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| Date::new(d.year, d.month, d.day))
            }
            toml::Value::String(s) => Date::parse(s),
            _ => None,
        };
        if parsed.is_none() {
            self.diagnostics.push(
                Diagnostic::error(Code::Date, "发布日期 date 不是有效日期：请写成 date = 2025-01-10 的形式")
                    .at(file, span)
                    .with_label("无效日期"),
            );
        }
        parsed
    }

    /// Reads `data.toml` against the format's tables.
    fn figures(&mut self, format: &'static Format, file: FileId, text: &str) -> Option<Figures> {
        let doc = match DeTable::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let bad = text.get(span.clone()).unwrap_or_default();
                self.diagnostics.push(words::explain_figure_syntax(e.message(), bad).at(file, span));
                return None;
            }
        };
        let doc = doc.get_ref();
        let before = self.diagnostics.errors();
        let mut figures = Figures::empty(format);
        let table_keys: Vec<&str> = format.tables.iter().map(|t| t.key).chain([WAIVERS]).collect();
        // Unknown keys of the whole file, with the keys known where each is
        // (0: the top level, t + 1: table t), reported in the order written.
        let mut unknown: Vec<(Range<usize>, String, usize)> = Vec::new();
        for (key, _) in doc.iter() {
            if !table_keys.contains(&key.get_ref().as_ref()) {
                unknown.push((key.span(), key.get_ref().to_string(), 0));
            }
        }
        let mut known_in: Vec<(Vec<&str>, String)> = vec![(table_keys.clone(), "data.toml 顶层".to_owned())];
        for (t, table) in format.tables_ix() {
            let Some(value) = doc.get(table.key) else {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::MissingTable,
                        format!("缺少{}（[{}]）：请补上这一表格，没有数据的栏目填 0", table.name, table.key),
                    )
                    .at(file, 0..0),
                );
                continue;
            };
            let Some(body) = value.get_ref().as_table() else {
                self.diagnostics.push(
                    Diagnostic::error(Code::Type, format!("{} 应是一个表（[{}]）", table.key, table.key))
                        .at(file, value.span()),
                );
                continue;
            };
            let entries: Vec<(usize, &format::Entry)> = table
                .blocks
                .iter()
                .enumerate()
                .flat_map(|(b, block)| block.entries().iter().map(move |e| (b, e)))
                .collect();
            let known: Vec<&str> = entries.iter().map(|(_, e)| e.key.as_str()).collect();
            let mut present = Vec::new();
            leaf_keys(body, "", &mut present);
            for (key, span) in present {
                if !known.contains(&key.as_str()) {
                    unknown.push((span, key, known_in.len()));
                }
            }
            known_in.push((known, format!("[{}]", table.key)));
            for (b, entry) in &entries {
                let block = &table.blocks[*b];
                match lookup(body, &entry.key) {
                    Some(value) => self.entry(file, block, entry, value, figures.grid_mut(t, *b)),
                    None if entry.optional => {}
                    None => self.diagnostics.push(
                        Diagnostic::error(
                            Code::MissingRow,
                            format!("[{}] 缺少 {}（{}）：没有数据请填 0", table.key, entry.key, entry.labels.join(" ")),
                        )
                        .at(file, key_span(doc, table.key)),
                    ),
                }
            }
        }
        in_file_order(&mut unknown, |(span, _, _)| span.start);
        for (span, key, at) in unknown {
            let (known, place) = &known_in[at];
            self.unknown_key(file, &key, span, known, place);
        }
        figures.complete_totals(format);
        (self.diagnostics.errors() == before).then_some(figures)
    }

    /// Reads the `[[waivers]]` of `data.toml`.
    fn waivers(&mut self, format: &Format, file: FileId, text: &str) -> Option<Vec<Waiver>> {
        // Most files have none; parsing the whole file again to learn that is not free.
        if !text.contains("waivers") {
            return Some(Vec::new());
        }
        let parsed = match toml::from_str::<WaiversToml>(text) {
            Ok(d) => d.waivers,
            // A file that is not TOML at all was reported with the figures.
            Err(_) if DeTable::parse(text).is_err() => return Some(Vec::new()),
            Err(e) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::Waiver, format!("豁免（[[waivers]]）写法不对：{}", e.message().trim()))
                        .at(file, e.span().unwrap_or(0..0))
                        .with_note("每条豁免写成：[[waivers]] 下一行 rule = \"R1\"，再下一行 reason = \"原因\""),
                );
                return None;
            }
        };
        let waivable = format.waivable();
        let before = self.diagnostics.errors();
        let mut out = Vec::new();
        for w in parsed {
            let span = w.span();
            let WaiverToml { rule, reason } = w.into_inner();
            match RuleId::parse(rule.get_ref()).filter(|r| waivable.contains(r)) {
                None => {
                    let known: Vec<&str> = waivable.iter().map(|r| r.as_str()).collect();
                    self.diagnostics.push(
                        Diagnostic::error(Code::Waiver, format!("规则“{}”不能豁免", rule.get_ref()))
                            .at(file, rule.span())
                            .with_label("不能豁免的规则")
                            .with_note(format!("可豁免的规则：{}", known.join("、"))),
                    );
                }
                Some(_) if reason.trim().is_empty() => self.diagnostics.push(
                    Diagnostic::error(Code::Waiver, "豁免必须写明原因 reason，它会显示在报告页面上").at(file, span),
                ),
                Some(rule) => out.push(Waiver { rule, reason, span }),
            }
        }
        (self.diagnostics.errors() == before).then_some(out)
    }

    /// Reads one entry (a row, or a column group of table 四) into the grid.
    fn entry(
        &mut self,
        file: FileId,
        block: &format::Block,
        entry: &format::Entry,
        value: &Spanned<DeValue<'_>>,
        grid: &mut crate::model::Grid,
    ) {
        let cols = block.column_leaves();
        let rows = block.row_leaves();
        let has_total = entry.cells.last().is_some_and(|&(_, c)| cols[c].total);
        let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::Array(a) => a.iter().collect(),
            _ if entry.cells.len() == 1 => vec![value],
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::Type,
                        format!("{} 应是一组数字，按表格从左到右排列，共 {} 个", entry.key, entry.cells.len()),
                    )
                    .at(file, value.span())
                    .with_note(format!("各列依次为：{}", column_names(cols, entry)))
                    .with_label("应为 [ ... ]"),
                );
                return;
            }
        };
        let full = entry.cells.len();
        let allowed = if has_total { full - 1..=full } else { full..=full };
        if !allowed.contains(&items.len()) {
            let expected = if has_total {
                format!("{} 个（或省略最后的总计，{} 个）", full, full - 1)
            } else {
                format!("{full} 个")
            };
            self.diagnostics.push(
                Diagnostic::error(Code::Cells, format!("{} 有 {} 个数字，应为 {expected}", entry.key, items.len()))
                    .at(file, value.span())
                    .with_label(format!("{} 个数字", items.len()))
                    .with_note(format!("各列依次为：{}", column_names(cols, entry))),
            );
            return;
        }
        for (item, &(r, c)) in items.iter().zip(&entry.cells) {
            // Labelled only for a message: a report has 200 cells, nearly always fine.
            let label = || format!("{} · {}", rows[r].label(), cols[c].label()).trim_start_matches(" · ").to_owned();
            if let Some(value) = self.number(file, item, block.unit_at((r, c)), &label) {
                grid.set(r, c, Cell { value, origin: Origin::Given(item.span()) });
            }
        }
    }

    fn number(
        &mut self,
        file: FileId,
        item: &Spanned<DeValue<'_>>,
        unit: Unit,
        label: &dyn Fn() -> String,
    ) -> Option<Number> {
        let parsed = match (unit, item.get_ref()) {
            (Unit::Count | Unit::SignedCount, DeValue::Integer(i)) => Number::whole(unit, i.as_str(), i.radix()),
            (Unit::Amount, DeValue::Integer(i)) if i.radix() == 10 => parse_amount(i.as_str()),
            (Unit::Amount, DeValue::Float(f)) => parse_amount(f.as_str()),
            (Unit::Count | Unit::SignedCount, DeValue::Float(_)) => Err("件数应为整数，不能有小数".to_owned()),
            (_, DeValue::String(_)) => Err("这里写成了文字：数字不要加引号，没有就写 0".to_owned()),
            (_, _) => Err(unit.expected().to_owned()),
        };
        match parsed {
            Ok(n) => Some(n),
            Err(why) => {
                self.diagnostics.push_at(file, Severity::Error, || {
                    Diagnostic::error(RuleId::R5, format!("{}：{why}", label()))
                        .at(file, item.span())
                        .with_label("这个值")
                });
                None
            }
        }
    }

    fn unknown_key(&mut self, file: FileId, key: &str, span: Range<usize>, known: &[&str], place: &str) {
        // Built only if listed: a suggestion costs an edit distance per known key.
        self.diagnostics.push_at(file, Severity::Error, || {
            let d = Diagnostic::error(Code::UnknownKey, format!("{place}中有未知的键 {key}"))
                .at(file, span)
                .with_label("未知的键");
            match did_you_mean(key, known) {
                Some(s) => d.with_note(format!("是否想写 {s}？")),
                None => d.with_note(format!("可用的键：{}", known.join("、"))),
            }
        });
    }
}

/// The official section a non-official heading was probably meant to be: same
/// numeral (`一、总体概况`) or a near spelling.
/// What the sanitizer removes from the intro: nothing unless its Markdown may carry any.
fn intro_removals(intro: &str) -> Vec<html::Removed> {
    let unclean = pulldown_cmark::Parser::new_ext(intro, crate::markdown::options()).any(|e| needs_cleaning(&e));
    if unclean { html::removals(intro) } else { Vec::new() }
}

/// The error for raw HTML nested deeper than a browser shows, at its first line.
fn too_deep(deep: html::TooDeep, file: FileId, span: Range<usize>) -> Diagnostic {
    Diagnostic::error(
        Code::HtmlDepth,
        format!(
            "这一部分的原始 HTML 元素嵌套了 {} 层以上，超过上限 {} 层：浏览器也不会按原样显示，网页没有生成",
            deep.depth,
            html::MAX_DEPTH
        ),
    )
    .at(file, span)
    .with_note("请删去多余的 <div> 等标签，或改用 Markdown 书写；从别处复制来的网页代码常有这种情况")
}

/// Takes one event of a free-form report's body (`len` bytes) into its own
/// sections, in the pass that reads it for everything else: each level-1 or
/// level-2 heading starts one, which runs to the next.
fn own_section(own: &mut OwnSections, event: &pulldown_cmark::Event<'_>, range: &Range<usize>, len: usize) {
    use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};
    match event {
        Event::Start(Tag::Heading { level: HeadingLevel::H1 | HeadingLevel::H2, .. }) => {
            match own.parts.last_mut() {
                Some(last) => last.body.end = range.start,
                None => own.preamble_end = range.start,
            }
            // The heading's text comes as it is read; its body once it ends.
            own.parts.push(OwnPart { title: String::new(), body: len..len });
        }
        Event::Text(t) | Event::Code(t) => {
            if let Some(part) = own.parts.last_mut().filter(|p| p.body.start == len) {
                part.title.push_str(t);
            }
        }
        Event::End(TagEnd::Heading(HeadingLevel::H1 | HeadingLevel::H2)) => {
            if let Some(part) = own.parts.last_mut() {
                part.title = part.title.trim().to_owned();
                part.body = range.end..len;
            }
        }
        _ => {}
    }
}

/// The warning for something the sanitizer removes, at its line.
fn unsafe_html(what: &Removal, file: FileId, span: Range<usize>) -> Diagnostic {
    Diagnostic::warning(Code::UnsafeHtml, what.explain())
        .at(file, span)
        .with_label("发布时删除")
        .with_note("如确需嵌入，可在 site.toml 中设置 [security] allow_raw_html = true（不经过滤直接发布，请慎用）")
}

/// Puts the first [`PER_FILE`] items by `at` (their place in the file) first,
/// in order: those are the ones listed. Linear: the rest are only counted.
fn in_file_order<T>(items: &mut [T], at: impl Fn(&T) -> usize) {
    let listed = items.len().min(PER_FILE);
    if items.len() > listed {
        items.select_nth_unstable_by_key(listed, &at);
    }
    items[..listed].sort_by_key(at);
}

/// Where each line of a text starts, found once, so that a file with many
/// warnings is not scanned again for each.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { text, starts }
    }

    /// The 0-based line of byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The span of 0-based `line`, without its line break (an empty span past the end).
    fn span(&self, line: usize) -> Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.text.len());
        start..start + self.text[start..].lines().next().map_or(0, str::len)
    }

    /// The span of the line that holds byte `offset`.
    fn span_at(&self, offset: usize) -> Range<usize> {
        self.span(self.line_of(offset))
    }
}

fn intended_section(sections: &[format::Section], title: &str) -> Option<usize> {
    let numeral = |t: &str| t.split_once('、').map(|(n, _)| n.trim().to_owned());
    let by_numeral = numeral(title).and_then(|n| sections.iter().position(|s| numeral(s.title).as_deref() == Some(&n)));
    by_numeral.or_else(|| {
        let titles: Vec<&str> = sections.iter().map(|s| s.title).collect();
        did_you_mean(title, &titles).and_then(|t| titles.iter().position(|s| *s == t))
    })
}

/// The key of the waivers in `data.toml`.
const WAIVERS: &str = "waivers";

/// `data.toml` seen only for its waivers; the figures are read generically.
#[derive(Deserialize)]
struct WaiversToml {
    #[serde(default)]
    waivers: Vec<Spanned<WaiverToml>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverToml {
    rule: Spanned<String>,
    reason: String,
}

/// The `+++` block of `report.md` and where it sits in the file.
struct FrontPart {
    /// `None` when the TOML inside is invalid (already reported).
    meta: Option<FrontMatter>,
    toml_offset: usize,
    body_offset: usize,
}

/// The metadata in the `+++` block of `report.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Spanned<String>,
    /// Publication date, `2025-01-10`.
    date: Spanned<toml::Value>,
    /// The signing body (落款).
    signed_by: Spanned<String>,
    /// `true` while the report is being written: never published.
    #[serde(default)]
    draft: bool,
    /// The format the report follows, where it is not its year's (`"2019"`, `"2021"`, `"free"`).
    #[serde(default)]
    format: Option<Spanned<String>>,
}

fn column_names(cols: &[format::Leaf], entry: &format::Entry) -> String {
    entry.cells.iter().map(|&(_, c)| cols[c].labels.last().copied().unwrap_or("")).collect::<Vec<_>>().join("、")
}

/// Parses a decimal amount exactly, from the TOML source text.
pub(crate) fn parse_amount(s: &str) -> Result<Number, String> {
    let s = s.replace('_', "");
    if s.starts_with('-') {
        return Err("金额不能为负数".to_owned());
    }
    let s = s.trim_start_matches('+');
    if s.contains(['e', 'E']) || s.contains("inf") || s.contains("nan") {
        return Err("金额请直接写成小数，例如 12.5".to_owned());
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > format::AMOUNT_DECIMALS as usize {
        return Err(format!("金额最多保留 {} 位小数", format::AMOUNT_DECIMALS));
    }
    let scale = 10u64.pow(format::AMOUNT_DECIMALS);
    let int: u64 = int.parse().map_err(|_| "金额格式不对".to_owned())?;
    let frac_scaled: u64 = if frac.is_empty() {
        0
    } else {
        let f: u64 = frac.parse().map_err(|_| "金额格式不对".to_owned())?;
        f * 10u64.pow(format::AMOUNT_DECIMALS - frac.len() as u32)
    };
    int.checked_mul(scale)
        .and_then(|v| v.checked_add(frac_scaled))
        .map(Number::Amount)
        .ok_or_else(|| "金额太大".to_owned())
}

/// Span of a top-level key, to point at a table that lacks a row.
fn key_span(doc: &DeTable<'_>, key: &str) -> Range<usize> {
    doc.iter().find(|(k, _)| k.get_ref() == key).map_or(0..0, |(k, _)| k.span())
}

/// Finds a dotted key in a TOML table.
fn lookup<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    let mut parts = key.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.get_ref().as_table()?.get(part)?;
    }
    Some(value)
}

/// Dotted keys of every non-table value in a TOML table, with their key spans.
fn leaf_keys(table: &DeTable<'_>, prefix: &str, out: &mut Vec<(String, Range<usize>)>) {
    for (key, value) in table.iter() {
        let full = format::join_key(prefix, key.get_ref());
        match value.get_ref() {
            DeValue::Table(t) => leaf_keys(t, &full, out),
            _ => out.push((full, key.span())),
        }
    }
}

/// Whether a folder name can be an agency slug (it is used in URLs as it is,
/// and as a folder name on every platform).
pub(crate) fn check_slug(slug: &str) -> Result<(), &'static str> {
    if let Some(why) = name::problem(slug) {
        Err(why)
    } else if slug.chars().any(|c| c.is_whitespace() || c.is_control() || "?#%\\\"'<>&".contains(c)) {
        Err("不能含空格或 ? # % \\ \" ' < > & 等字符")
    } else if slug == "agencies" || slug == "static" || slug == "data" || slug.starts_with("__") {
        Err("这个名字已被站点自身使用")
    } else {
        Ok(())
    }
}

/// The first `YYYY年` in a title, with its byte offset.
fn year_in_title(title: &str) -> Option<(usize, u16)> {
    let bytes = title.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let digits = bytes.get(i..i + 4)?;
        let boundary = i == 0 || !bytes[i - 1].is_ascii_digit();
        let followed = title.get(i + 4..).is_some_and(|rest| rest.starts_with('年'));
        if !(boundary && followed && digits.iter().all(u8::is_ascii_digit)) {
            return None;
        }
        Some((i, title.get(i..i + 4)?.parse().ok()?))
    })
}

/// A report folder name: four digits.
pub(crate) fn parse_year(name: &str) -> Option<u16> {
    (name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit())).then(|| name.parse().ok()).flatten()
}

fn is_hidden(path: &Path) -> bool {
    file_name(path).starts_with('.')
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// An entry of a folder's listing.
struct Listed {
    path: PathBuf,
    /// A folder, or a link to one.
    dir: bool,
    /// A link: [`Root::check_entry`] follows it.
    link: bool,
}

/// A folder's entries, sorted by name so that output never depends on the
/// file system's order. The kind comes from the listing itself: no `stat` per
/// entry on most file systems, but for links.
fn sorted_dir(dir: &Path) -> std::io::Result<Vec<Listed>> {
    let mut entries: Vec<Listed> = fs::read_dir(dir)?
        .filter_map(|e| {
            let e = e.ok()?;
            let kind = e.file_type().ok()?;
            let link = kind.is_symlink();
            let dir = if link { e.path().is_dir() } else { kind.is_dir() };
            Some(Listed { path: e.path(), dir, link })
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_headings_split_a_free_form_narrative() {
        let own_sections = |md: &str| {
            let mut own = OwnSections { preamble_end: md.len(), parts: Vec::new() };
            for (event, range) in pulldown_cmark::Parser::new_ext(md, crate::markdown::options()).into_offset_iter() {
                own_section(&mut own, &event, &range, md.len());
            }
            own
        };
        let md = "开头。\n\n# 一、概述\n\n正文一\n\n### 小标题\n\n## 二、`数据` 情况\n\n正文二\n";
        let own = own_sections(md);
        assert_eq!(&md[..own.preamble_end], "开头。\n\n");
        let titles: Vec<&str> = own.parts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["一、概述", "二、数据 情况"]);
        assert!(md[own.parts[0].body.clone()].contains("### 小标题"));
        assert!(!md[own.parts[0].body.clone()].contains("数据"));
        assert_eq!(md[own.parts[1].body.clone()].trim(), "正文二");
        let none = own_sections("只有正文。\n");
        assert_eq!((none.preamble_end, none.parts.len()), (16, 0));
        // A heading last, with nothing under it.
        let md = "正文。\n\n## 结尾";
        let last = own_sections(md);
        assert_eq!((last.parts[0].title.as_str(), last.parts[0].body.clone()), ("结尾", md.len()..md.len()));
        assert_eq!(&md[..last.preamble_end], "正文。\n\n");
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(parse_amount("5949.088667"), Ok(Number::Amount(5_949_088_667)));
        assert_eq!(parse_amount("0.5"), Ok(Number::Amount(500_000)));
        assert!(parse_amount("1.0000001").is_err());
        assert!(parse_amount("-1").is_err());
        assert!(parse_amount("1e3").is_err());
    }

    #[test]
    fn title_year() {
        assert_eq!(year_in_title("临朐县冶源街道办事处2024年政府信息公开工作年度报告"), Some((30, 2024)));
        assert_eq!(year_in_title("示例局政府信息公开工作年度报告"), None);
        assert_eq!(year_in_title("12024年"), None);
    }
}
