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
mod scan;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use self::extract::RawLink;
pub(crate) use self::extract::{Known, unescape};
use self::resolve::{Target, decode};
use crate::config::BaseUrl;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::layout::url;
use crate::model::Report;
use crate::sources::{FileId, Sources};

/// A link that leads nowhere.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Broken {
    /// Site path of the page it is on.
    pub page: String,
    /// 1-based line of the link in the generated page.
    pub line: usize,
    /// The link as written, percent-decoded.
    pub url: String,
    /// What is wrong with it.
    pub problem: Problem,
    /// Where it was written, so that it is reported at the place to fix.
    pub source: Source,
}

/// Where a link was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// In a report's Markdown, at this span.
    Markdown(FileId, Range<usize>),
    /// In a file of the site copied as it is (`static/about.html`): its path.
    File(PathBuf),
    /// By a template (or `site.toml`): the same link is on many pages.
    Template,
}

/// Why an internal link leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// No file at the site path it resolves to.
    Missing(String),
    /// The page exists but has no element with this `id`.
    MissingFragment {
        /// Site path of the target page; empty when the link points into its own page.
        page: String,
        /// The `id` looked for, decoded.
        fragment: String,
    },
    /// A relative link that climbs above the host's root.
    OutsideBase,
    /// A `javascript:` URL: not a link to anything.
    Javascript,
}

/// An external URL and where it is used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExternalLink {
    /// The absolute URL without its fragment, as it is fetched.
    pub url: String,
    /// Site path of the page it is on.
    pub page: String,
    /// 1-based line of the link in the generated page.
    pub line: usize,
    /// Where it was written, so that it is reported at the place to fix.
    pub source: Source,
}

/// What the inspection found.
#[derive(Debug, Default)]
pub struct Inspection {
    /// Links looked at (internal and external).
    pub checked: usize,
    /// Internal links that lead nowhere.
    pub broken: Vec<Broken>,
    /// External links, for `portal check --external`.
    pub external: Vec<ExternalLink>,
}

/// Where the links of a page were written, for reporting them.
#[derive(Clone, Copy)]
pub(crate) enum PageSource<'a> {
    /// A report page: links in its narrative are reported in `report.md`.
    /// With its `report.md` as loaded, when at hand: else it is read again
    /// (through [`Inspector::finish`]'s `read`) if a link's place is needed.
    Report(&'a Report, Option<&'a str>),
    /// A file copied as it is.
    File(&'a Path),
    /// Written by templates and code.
    Generated,
}

/// Inspects the pages of a build one at a time, as they are produced, so the
/// pages need not be kept: each page leaves only its problems, its external
/// links, the links into other pages' fragments and its set of ids (shared
/// between pages that have the same, as report pages do).
pub(crate) struct Inspector<'a> {
    base: &'a BaseUrl,
    /// Every file of the build (decoded site paths).
    files: Arc<HashSet<String>>,
    anchor_sets: Mutex<HashMap<u64, Arc<HashSet<String>>>>,
    /// Whether external links are listed (for `check --external`), or only counted.
    external: bool,
}

/// What a page has beyond the HTML the inspection reads: the ids of parts
/// rendered apart and spliced in (sets shared between pages), and how the
/// read HTML's lines map to the written page's.
#[derive(Default)]
pub(crate) struct Apart<'a> {
    pub ids: Vec<Arc<HashSet<String>>>,
    /// A link's line in the written page, from its byte offset and line in the HTML read.
    pub line: Option<&'a dyn Fn(usize, usize) -> usize>,
    /// Pieces whose links and ids are known as written, each with the page line it starts on.
    pub known: Vec<(usize, &'a Known)>,
}

/// What one page left for the end of the inspection. A file without links
/// (most of a site's files are open data) costs a pointer.
#[derive(Default)]
pub(crate) struct PageLinks(Option<Box<Left>>);

#[derive(Default)]
struct Left {
    checked: usize,
    broken: Vec<Broken>,
    external: Vec<ExternalLink>,
    /// Links to a fragment of another page: (target page, fragment, link).
    deferred: Vec<(String, String, RawLink)>,
    /// The page's ids, in one or two shared sets.
    anchors: Vec<Arc<HashSet<String>>>,
}

static NOTHING: Left =
    Left { checked: 0, broken: Vec::new(), external: Vec::new(), deferred: Vec::new(), anchors: Vec::new() };

impl PageLinks {
    fn left(&self) -> &Left {
        self.0.as_deref().unwrap_or(&NOTHING)
    }
}

impl From<Left> for PageLinks {
    fn from(left: Left) -> Self {
        let nothing = left.checked == 0
            && left.broken.is_empty()
            && left.external.is_empty()
            && left.deferred.is_empty()
            && left.anchors.is_empty();
        Self((!nothing).then(|| Box::new(left)))
    }
}

/// What the pages of a site left for the inspection, kept between runs (see
/// `pipeline::state`): each distinct set of ids once. Borrowed from the pages to
/// write it, owned when read back.
#[derive(Serialize, Deserialize)]
pub(crate) struct SavedLinks<'a> {
    sets: Vec<Cow<'a, HashSet<String>>>,
    pages: Vec<SavedPage<'a>>,
}

#[derive(Serialize, Deserialize)]
struct SavedPage<'a> {
    checked: usize,
    broken: Cow<'a, [Broken]>,
    external: Cow<'a, [ExternalLink]>,
    deferred: Cow<'a, [(String, String, RawLink)]>,
    /// Indexes into [`SavedLinks::sets`].
    anchors: Vec<u32>,
}

impl<'a> SavedLinks<'a> {
    pub(crate) fn new(pages: &'a [PageLinks]) -> Self {
        let mut index: HashMap<*const HashSet<String>, u32> = HashMap::new();
        let mut sets = Vec::new();
        let pages = pages
            .iter()
            .map(PageLinks::left)
            .map(|p| SavedPage {
                checked: p.checked,
                broken: Cow::Borrowed(&p.broken),
                external: Cow::Borrowed(&p.external),
                deferred: Cow::Borrowed(&p.deferred),
                anchors: p
                    .anchors
                    .iter()
                    .map(|set| {
                        *index.entry(Arc::as_ptr(set)).or_insert_with(|| {
                            sets.push(Cow::Borrowed(&**set));
                            u32::try_from(sets.len() - 1).unwrap_or(u32::MAX)
                        })
                    })
                    .collect(),
            })
            .collect();
        Self { sets, pages }
    }

    /// The pages' links, in the order they were saved; `None` if the data is inconsistent.
    pub(crate) fn restore(self) -> Option<Vec<PageLinks>> {
        let sets: Vec<Arc<HashSet<String>>> = self.sets.into_iter().map(|set| Arc::new(set.into_owned())).collect();
        self.pages
            .into_iter()
            .map(|p| {
                let anchors = p.anchors.iter().map(|&i| sets.get(i as usize).cloned()).collect::<Option<_>>()?;
                Some(PageLinks::from(Left {
                    checked: p.checked,
                    broken: p.broken.into_owned(),
                    external: p.external.into_owned(),
                    deferred: p.deferred.into_owned(),
                    anchors,
                }))
            })
            .collect()
    }
}

impl<'a> Inspector<'a> {
    /// An inspector for a build of exactly these files ([`site_paths`]); it
    /// lists the external links when `external` is set.
    pub(crate) fn new(base: &'a BaseUrl, files: Arc<HashSet<String>>, external: bool) -> Self {
        Self { base, files, anchor_sets: Mutex::default(), external }
    }

    /// Inspects one page or feed as produced; other files have no links.
    /// `apart` is what the page has beyond `bytes`: parts rendered apart and
    /// spliced in (the official tables, the charts).
    pub(crate) fn page(&self, path: &str, bytes: &[u8], apart: Apart<'_>, source: PageSource<'_>) -> PageLinks {
        let Apart { ids: more_ids, line, known } = apart;
        let mut found = if is_html(path) {
            extract::html(bytes, line)
        } else if is_xml(path) {
            extract::xml(bytes)
        } else {
            return PageLinks::default();
        };
        if !known.is_empty() {
            for (start, piece) in known {
                piece.add_to(&mut found, start);
            }
            // In the page's order, as a parser of the whole page finds them.
            found.links.sort_by_key(|l| l.line);
        }
        let mut out = Left { checked: found.links.len(), ..Left::default() };
        let own = decode(path);
        let mut markdown: Option<MarkdownLinks> = None;
        // Only the links that need it are looked up in the Markdown: parsing it is not free.
        let mut source_of = |url: &str| -> Source {
            match source {
                PageSource::Report(report, text) => {
                    let links =
                        markdown.get_or_insert_with(|| text.map(|t| report_links(report, t)).unwrap_or_default());
                    let url = decode(url);
                    links.iter().find(|l| l.0 == url).map_or(Source::Template, |l| Source::Markdown(l.1, l.2.clone()))
                }
                PageSource::File(path) => Source::File(path.to_path_buf()),
                PageSource::Generated => Source::Template,
            }
        };
        for link in found.links {
            let problem = match resolve::resolve(self.base, path, &link.url) {
                Target::Internal { path: target, fragment } => match existing(&self.files, &target) {
                    None => Some(Problem::Missing(target)),
                    // Only HTML has ids; `file.pdf#page=2` is for the viewer. `#top` needs no id.
                    Some(target) => match fragment {
                        Some(f) if is_html(&target) && !f.eq_ignore_ascii_case("top") => {
                            if target == own {
                                let known = found.anchors.contains(&f) || more_ids.iter().any(|m| m.contains(&f));
                                (!known).then(|| Problem::MissingFragment { page: String::new(), fragment: f })
                            } else {
                                out.deferred.push((target, f, link));
                                continue;
                            }
                        }
                        _ => None,
                    },
                },
                Target::External(_) if !self.external => None,
                Target::External(url) => {
                    let source = source_of(&link.url);
                    out.external.push(ExternalLink { url, page: path.to_owned(), line: link.line, source });
                    None
                }
                Target::OutsideBase(_) => Some(Problem::OutsideBase),
                Target::Javascript => Some(Problem::Javascript),
                Target::NotFetched => None,
            };
            if let Some(problem) = problem {
                let source = source_of(&link.url);
                out.broken.push(broken_link(path, &link, problem, source));
            }
        }
        if !found.anchors.is_empty() {
            out.anchors.push(self.intern(found.anchors));
        }
        out.anchors.extend(more_ids);
        out.into()
    }

    /// One shared copy of each distinct set of ids.
    fn intern(&self, anchors: HashSet<String>) -> Arc<HashSet<String>> {
        let mut sorted: Vec<&String> = anchors.iter().collect();
        sorted.sort_unstable();
        let mut hasher = std::hash::DefaultHasher::new();
        sorted.hash(&mut hasher);
        let key = hasher.finish();
        let mut sets = self.anchor_sets.lock().unwrap_or_else(|p| p.into_inner());
        match sets.get(&key) {
            Some(set) if **set == anchors => Arc::clone(set),
            _ => Arc::clone(sets.entry(key).or_insert_with(|| Arc::new(anchors))),
        }
    }

    /// The inspection of the whole build, from what each page left (in the
    /// order of the pages, each with its path, decoded path and source).
    /// `read` gives a report's `report.md` as loaded, to place a broken link.
    pub(crate) fn finish<'p>(
        pages: impl IntoIterator<Item = (&'p str, &'p str, PageSource<'p>, &'p PageLinks)>,
        read: &(dyn Fn(&Report) -> Option<String> + Sync),
    ) -> Inspection {
        let pages: Vec<(&str, &str, PageSource<'_>, &PageLinks)> = pages.into_iter().collect();
        let anchors: HashMap<&str, &[Arc<HashSet<String>>]> =
            pages.iter().map(|(_, decoded, _, links)| (*decoded, links.left().anchors.as_slice())).collect();
        let mut inspection = Inspection::default();
        let missing: Vec<Vec<Broken>> = pages
            .par_iter()
            .map(|(path, _, source, links)| {
                let mut found = Vec::new();
                let mut markdown: Option<MarkdownLinks> = None;
                for (target, fragment, link) in &links.left().deferred {
                    if anchors.get(target.as_str()).is_some_and(|sets| sets.iter().any(|ids| ids.contains(fragment))) {
                        continue;
                    }
                    let source = match source {
                        PageSource::Report(report, text) => {
                            let url = decode(&link.url);
                            markdown
                                .get_or_insert_with(|| match text {
                                    Some(t) => report_links(report, t),
                                    None => read(report).map(|t| report_links(report, &t)).unwrap_or_default(),
                                })
                                .iter()
                                .find(|l| l.0 == url)
                                .map_or(Source::Template, |l| Source::Markdown(l.1, l.2.clone()))
                        }
                        PageSource::File(p) => Source::File(p.to_path_buf()),
                        PageSource::Generated => Source::Template,
                    };
                    let problem = Problem::MissingFragment { page: target.clone(), fragment: fragment.clone() };
                    found.push(broken_link(path, link, problem, source));
                }
                found
            })
            .collect();
        inspection.broken.extend(missing.into_iter().flatten());
        for (_, _, _, links) in pages {
            let links = links.left();
            inspection.checked += links.checked;
            inspection.broken.extend(links.broken.iter().cloned());
            inspection.external.extend(links.external.iter().cloned());
        }
        inspection.broken.sort_by(|a, b| (&a.page, a.line).cmp(&(&b.page, b.line)));
        inspection
    }
}

fn broken_link(page: &str, link: &RawLink, problem: Problem, source: Source) -> Broken {
    Broken { page: page.to_owned(), line: link.line, url: decode(&link.url), problem, source }
}

/// The file a static server would answer with for `path`: the file itself,
/// the folder's `index.html`, or (after its redirect) `path/index.html`.
fn existing(files: &HashSet<String>, path: &str) -> Option<String> {
    if path.is_empty() || path.ends_with('/') {
        let index = url::page(path);
        return files.contains(&index).then_some(index);
    }
    if files.contains(path) {
        return Some(path.to_owned());
    }
    let index = format!("{path}/{}", url::INDEX);
    files.contains(&index).then_some(index)
}

/// The files of a build as links name them: percent-decoded and normalised.
pub(crate) fn site_paths<'p>(paths: impl IntoIterator<Item = &'p str>) -> Vec<String> {
    paths.into_iter().map(decode).collect()
}

/// Whether the inspection reads links from the file at this path.
pub(crate) fn has_links(path: &str) -> bool {
    is_html(path) || is_xml(path)
}

fn is_xml(path: &str) -> bool {
    path.ends_with(".xml")
}

fn is_html(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

/// Per report page, the links written in its Markdown: (url, file, span).
type MarkdownLinks = Vec<(String, FileId, Range<usize>)>;

/// `text` is the report's `report.md` as loaded.
fn report_links(report: &Report, text: &str) -> MarkdownLinks {
    use pulldown_cmark::{Event, Parser, Tag};
    let narrative = &report.narrative;
    let parts = std::iter::once(&narrative.preamble).chain(narrative.sections.iter().flatten());
    let mut out = Vec::new();
    for part in parts {
        let at = part.span.start;
        for (event, span) in Parser::new_ext(part.markdown(text), crate::markdown::options()).into_offset_iter() {
            if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
                out.push((dest_url.to_string(), report.markdown_file, span.start + at..span.end + at));
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
                format!("链接“{}”的 ../ 比网站根目录还多了几层：服务器上没有这样的地址", self.url)
            }
            Problem::Javascript => format!("链接“{}”是 javascript: 脚本，不是网页地址：检查时会被计为错链", self.url),
        }
    }

    fn code(&self) -> Code {
        match self.problem {
            Problem::Missing(_) => Code::Link,
            Problem::MissingFragment { .. } => Code::LinkFragment,
            Problem::OutsideBase => Code::LinkOutside,
            Problem::Javascript => Code::LinkJavascript,
        }
    }
}

/// Diagnostics for broken links, at their line in `report.md` or in the
/// site's own file. A template's broken link, on every page that uses the
/// template, is one diagnostic that says how many pages have it.
/// Where a template writes a link, as [`diagnostics`] is told by whoever has
/// the templates.
pub(crate) struct Written {
    /// The template as a message names it: its path, or the built-in theme's file.
    pub shown: String,
    /// Its path under the site root, when it is one of the site's files.
    pub path: Option<std::path::PathBuf>,
    /// The template's text.
    pub text: String,
    /// Where the link is in `text`.
    pub span: Range<usize>,
}

pub(crate) fn diagnostics(
    broken: &[Broken],
    severity: Severity,
    sources: &mut Sources,
    root: &Path,
    locate: &dyn Fn(&str) -> Option<Written>,
) -> Vec<Diagnostic> {
    let new = |b: &Broken| match severity {
        Severity::Error => Diagnostic::error(b.code(), b.explain()),
        Severity::Warning => Diagnostic::warning(b.code(), b.explain()),
    };
    let mut out = Vec::new();
    // A template's link is the same link, with the same problem, on every page.
    let mut from_templates: Vec<((&str, &Problem), Vec<&Broken>)> = Vec::new();
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
                let key = (b.url.as_str(), &b.problem);
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
        let pages = format!("{count}{}", examples.join("、"));
        out.push(match locate(&first.url) {
            Some(Written { path: Some(path), text, span, .. }) => {
                let file = sources.add(path, text);
                new(first).at(file, span).with_label("失效的链接").with_note(pages)
            }
            Some(Written { shown, text, span, path: None }) => {
                let line = text[..span.start].matches('\n').count() + 1;
                new(first).at_path(format!("（生成的页面）{}", first.page)).with_note(pages).with_note(format!(
                    "这个链接写在{shown} 第 {line} 行：请在 templates/ 中放一个同名文件覆盖它，并改正链接"
                ))
            }
            None => new(first).at_path(format!("（生成的页面）{}", first.page)).with_note(pages).with_note(
                "这个链接由模板中的变量或表达式算出（不是写在模板里的地址），无法对应到模板的某一行：\
                 请在 templates/、主题和 site.toml 中查找生成它的代码或设置",
            ),
        });
    }
    out
}

/// The span of 1-based `line` of `text`, without its line break.
fn line_span(text: &str, line: usize) -> Range<usize> {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let len = text[start.min(text.len())..].lines().next().map_or(0, str::len);
    start..start + len
}
