//! Dead-link inspection (错链、死链检测) of the site as it will be written.
//!
//! Every `href`, `src`, `srcset` of every HTML page, and every URL of the feed
//! and the sitemap, is resolved the way a static server would and checked
//! against the files of the build, fragments against the `id`s of their target
//! page. Links from templates are checked exactly like links from Markdown;
//! the latter are reported at their line in `report.md`.

pub mod external;
mod extract;
pub mod report;
mod resolve;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use self::extract::{PageLinks, RawLink};
use self::resolve::{Target, decode};
use crate::diagnostics::{Diagnostic, FileId, Severity, Sources};
use crate::model::{Report, Site};
use crate::render::{Content, Page, paths};

/// A link that leads nowhere.
#[derive(Debug)]
pub struct Broken {
    /// Site path of the page it is on.
    pub page: String,
    pub line: usize,
    pub url: String,
    pub problem: Problem,
    pub source: Source,
}

/// Where a link was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// In a report's Markdown, at this span.
    Markdown(FileId, Range<usize>),
    /// In a file of the site copied as it is (`static/about.html`): its path.
    File(PathBuf),
    /// By a template (or `site.toml`): the same link is on many pages.
    Template,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    /// No file at the site path it resolves to.
    Missing(String),
    /// The page exists but has no element with this `id`.
    MissingFragment {
        page: String,
        fragment: String,
    },
    /// Root-relative or same-origin, but outside the site's base path.
    OutsideBase,
    Javascript,
}

/// An external URL and where it is used.
#[derive(Debug, Clone)]
pub struct ExternalLink {
    pub url: String,
    pub page: String,
    pub line: usize,
    pub source: Source,
}

/// What the inspection found.
#[derive(Debug, Default)]
pub struct Inspection {
    /// Links looked at (internal and external).
    pub checked: usize,
    pub broken: Vec<Broken>,
    /// External links, for `portal check --external`.
    pub external: Vec<ExternalLink>,
}

/// Inspects the pages of a build.
pub fn inspect(site: &Site, pages: &[Page]) -> Inspection {
    let base = &site.config.base_url;
    let read: Vec<(&Page, PageLinks)> = pages
        .par_iter()
        .filter_map(|p| {
            if is_html(&p.path) {
                Some((p, extract::html(&p.content.bytes().ok()?)))
            } else if p.path.ends_with(".xml") {
                Some((p, extract::xml(&p.content.bytes().ok()?)))
            } else {
                None
            }
        })
        .collect();
    let files: HashSet<String> = pages.iter().map(|p| decode(&p.path)).collect();
    let anchors: HashMap<String, &HashSet<String>> =
        read.iter().map(|(page, found)| (decode(&page.path), &found.anchors)).collect();
    let markdown = markdown_sources(site);

    let per_page: Vec<(usize, Vec<Broken>, Vec<ExternalLink>)> = read
        .par_iter()
        .map(|(page, found)| {
            let (page, file) = match &page.content {
                Content::File(path) => (page.path.as_str(), Some(path)),
                _ => (page.path.as_str(), None),
            };
            let sources = markdown.get(page);
            // pulldown-cmark percent-encodes and escapes what it writes: compare decoded.
            let source_of = |url: &str| {
                let url = decode(url);
                match (sources.and_then(|s| s.iter().find(|l| l.0 == url)), file) {
                    (Some(l), _) => Source::Markdown(l.1, l.2.clone()),
                    (None, Some(path)) => Source::File(path.clone()),
                    (None, None) => Source::Template,
                }
            };
            let (mut broken, mut external) = (Vec::new(), Vec::new());
            for link in &found.links {
                let problem = match resolve::resolve(base, page, &link.url) {
                    Target::Internal { path, fragment } => check_internal(&files, &anchors, page, &path, fragment),
                    Target::External(url) => {
                        external.push(ExternalLink {
                            url,
                            page: page.to_string(),
                            line: link.line,
                            source: source_of(&link.url),
                        });
                        None
                    }
                    Target::OutsideBase(_) => Some(Problem::OutsideBase),
                    Target::Javascript => Some(Problem::Javascript),
                    Target::NotFetched => None,
                };
                if let Some(problem) = problem {
                    broken.push(broken_link(page, link, problem, source_of(&link.url)));
                }
            }
            (found.links.len(), broken, external)
        })
        .collect();

    let mut inspection = Inspection::default();
    for (checked, broken, external) in per_page {
        inspection.checked += checked;
        inspection.broken.extend(broken);
        inspection.external.extend(external);
    }
    inspection
}

fn broken_link(page: &str, link: &RawLink, problem: Problem, source: Source) -> Broken {
    Broken { page: page.to_owned(), line: link.line, url: decode(&link.url), problem, source }
}

/// `None` when the link works.
fn check_internal(
    files: &HashSet<String>,
    anchors: &HashMap<String, &HashSet<String>>,
    page: &str,
    path: &str,
    fragment: Option<String>,
) -> Option<Problem> {
    let Some(target) = existing(files, path) else {
        return Some(Problem::Missing(path.to_owned()));
    };
    let fragment = fragment?;
    // Only HTML has ids; `file.pdf#page=2` is for the viewer. `#top` needs no id.
    if !is_html(&target) || fragment.eq_ignore_ascii_case("top") {
        return None;
    }
    match anchors.get(&target) {
        Some(ids) if ids.contains(&fragment) => None,
        _ => Some(Problem::MissingFragment {
            page: if target == decode(page) { String::new() } else { target },
            fragment,
        }),
    }
}

/// The file a static server would answer with for `path`: the file itself,
/// the folder's `index.html`, or (after its redirect) `path/index.html`.
fn existing(files: &HashSet<String>, path: &str) -> Option<String> {
    if path.is_empty() || path.ends_with('/') {
        let index = format!("{path}index.html");
        return files.contains(&index).then_some(index);
    }
    if files.contains(path) {
        return Some(path.to_owned());
    }
    let index = format!("{path}/index.html");
    files.contains(&index).then_some(index)
}

fn is_html(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

/// Per report page, the links written in its Markdown: (url, file, span).
type MarkdownLinks = Vec<(String, FileId, Range<usize>)>;

fn markdown_sources(site: &Site) -> HashMap<String, MarkdownLinks> {
    site.agencies
        .iter()
        .flat_map(|a| a.reports.iter().map(move |r| (a, r)))
        .map(|(agency, report)| {
            (format!("{}index.html", paths::report(report.year, &agency.slug)), report_links(report))
        })
        .collect()
}

fn report_links(report: &Report) -> MarkdownLinks {
    use pulldown_cmark::{Event, Parser, Tag};
    let narrative = &report.narrative;
    let parts = std::iter::once(&narrative.preamble).chain(narrative.sections.iter().flatten());
    let mut out = Vec::new();
    for part in parts {
        for (event, span) in Parser::new_ext(&part.markdown, crate::markdown::options()).into_offset_iter() {
            if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
                out.push((
                    dest_url.to_string(),
                    report.markdown_file,
                    span.start + part.offset..span.end + part.offset,
                ));
            }
        }
    }
    out
}

impl Broken {
    /// The problem in a webmaster's words.
    fn explain(&self) -> String {
        match &self.problem {
            Problem::Missing(path) => format!("链接“{}”指向的页面或文件不存在（站内路径 /{path}）", self.url),
            Problem::MissingFragment { page, fragment } if page.is_empty() => {
                format!("链接“{}”指向本页的位置 #{fragment}，但本页没有这个位置（id）", self.url)
            }
            Problem::MissingFragment { page, fragment } => {
                format!("链接“{}”指向的页面 /{page} 中没有位置 #{fragment}（id）", self.url)
            }
            Problem::OutsideBase => {
                format!("链接“{}”指向站点发布地址（base_url）之外：发布到服务器后会跳出本站或失效", self.url)
            }
            Problem::Javascript => format!("链接“{}”是 javascript: 脚本，不是网页地址：检查时会被计为错链", self.url),
        }
    }

    fn code(&self) -> &'static str {
        match self.problem {
            Problem::Missing(_) => "link",
            Problem::MissingFragment { .. } => "link-fragment",
            Problem::OutsideBase => "link-outside",
            Problem::Javascript => "link-javascript",
        }
    }
}

/// Diagnostics for broken links, at their line in `report.md` or in the
/// site's own file. A template's broken link, on every page that uses the
/// template, is one diagnostic that says how many pages have it.
pub fn diagnostics(broken: &[Broken], severity: Severity, sources: &mut Sources, root: &Path) -> Vec<Diagnostic> {
    let new = |b: &Broken| match severity {
        Severity::Error => Diagnostic::error(b.code(), b.explain()),
        Severity::Warning => Diagnostic::warning(b.code(), b.explain()),
    };
    let mut out = Vec::new();
    let mut from_templates: Vec<(String, Vec<&Broken>)> = Vec::new();
    let mut files: HashMap<&Path, Option<FileId>> = HashMap::new();
    for b in broken {
        let where_ = format!("生成的页面 {} 第 {} 行", b.page, b.line);
        match &b.source {
            Source::Markdown(file, span) => {
                out.push(new(b).at(*file, span.clone()).with_label("失效的链接").with_note(where_));
            }
            Source::File(path) => {
                let rel = path.strip_prefix(root).unwrap_or(path);
                let file = *files.entry(path.as_path()).or_insert_with(|| {
                    std::fs::read_to_string(path).ok().map(|text| sources.add(rel.to_path_buf(), text))
                });
                out.push(match file {
                    Some(file) => {
                        let span = line_span(sources.text(file), b.line);
                        new(b).at(file, span).with_label("失效的链接")
                    }
                    None => new(b).at_path(rel).with_note(where_),
                });
            }
            Source::Template => {
                let key = b.explain();
                match from_templates.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, pages)) => pages.push(b),
                    None => from_templates.push((key, vec![b])),
                }
            }
        }
    }
    for (_, pages) in from_templates {
        let first = pages[0];
        let examples: Vec<String> = pages.iter().take(3).map(|b| format!("{} 第 {} 行", b.page, b.line)).collect();
        let count = if pages.len() > 1 {
            format!("共 {} 个生成的页面有这个链接，如 ", pages.len())
        } else {
            "生成的页面 ".to_owned()
        };
        out.push(
            new(first)
                .at_path(format!("（生成的页面）{}", first.page))
                .with_note(format!("{count}{}", examples.join("、")))
                .with_note("这个链接来自模板（templates/ 或主题）或 site.toml"),
        );
    }
    out
}

/// The span of 1-based `line` of `text`, without its line break.
fn line_span(text: &str, line: usize) -> Range<usize> {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let len = text[start.min(text.len())..].lines().next().map_or(0, str::len);
    start..start + len
}
