//! The pipeline: load → validate → render → write.
//!
//! `portal build` runs all of it; `portal check` stops after validation.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::LinkSeverity;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity, Sources};
use crate::format::FORMAT_2021;
use crate::linkcheck::{self, Inspection};
use crate::model::Site;
use crate::output::{self, write::WriteError};
use crate::render::{self, Content, Page, RenderError, Theme, paths};
use crate::validate::Review;
use crate::{load, summary, validate};

/// A loaded and validated site, with every problem found.
pub struct Checked {
    pub site: Option<Site>,
    pub sources: Sources,
    pub diagnostics: Diagnostics,
    /// What the pages say about the checks: waivers used, summaries, warnings.
    pub review: Review,
}

/// Loads the site at `root`, sums its summary reports and validates it.
pub fn check(root: &Path) -> Checked {
    let mut loaded = load::load(root, &FORMAT_2021);
    let mut diagnostics = loaded.diagnostics;
    let mut review = Review::default();
    if let Some(site) = &mut loaded.site {
        let (summaries, found) = summary::summarize(site, &loaded.sources);
        diagnostics.extend(found);
        let validation = validate::validate(site, &summaries);
        diagnostics.extend(validation.diagnostics);
        review.waived = validation.waived;
        review.summaries = summaries;
        review.file_warnings(site, &diagnostics);
    }
    diagnostics.sort(&loaded.sources);
    Checked { site: loaded.site, sources: loaded.sources, diagnostics, review }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("数据有错误，未发布")]
    Invalid,
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("输出文件夹 {} 不安全：{reason}", path.display())]
    UnsafeOutput { path: PathBuf, reason: &'static str },
    #[error("{path} 与生成的页面同名：请改名或删除 static/ 中的这个文件")]
    Collision { path: String },
}

/// What a build did.
#[derive(Debug)]
pub struct Summary {
    pub pages: usize,
    pub reports: usize,
    pub files: usize,
    pub elapsed: Duration,
}

/// The outcome of a build, with the diagnostics to show either way.
pub struct Outcome<T> {
    pub sources: Sources,
    pub diagnostics: Diagnostics,
    /// The path the site is served under (`/xxgk/`, from `base_url`), known
    /// whenever `site.toml` could be read, even if the build failed.
    pub base_path: Option<String>,
    /// The dead-link inspection, whenever the site could be rendered, even if
    /// broken links then failed the build (the link report lists them).
    pub links: Option<Links>,
    pub result: Result<T, BuildError>,
}

/// The links of a rendered site.
pub struct Links {
    /// Internal problems found; external links listed for `check --external`.
    pub inspection: Inspection,
    /// External URLs not to fetch (`links.exclude` of `site.toml`).
    pub exclude: Vec<String>,
}

/// A site rendered in memory, not yet written (what `portal serve` serves).
pub struct Rendered {
    pub pages: Vec<Page>,
    pub reports: usize,
}

impl Rendered {
    fn summary(&self, elapsed: Duration) -> Summary {
        Summary {
            pages: self.pages.iter().filter(|p| p.path.ends_with(".html")).count(),
            reports: self.reports,
            files: self.pages.len(),
            elapsed,
        }
    }
}

/// Loads, validates and renders the site at `root` in memory, and inspects
/// the links of what it rendered.
pub fn render(root: &Path) -> Outcome<Rendered> {
    let checked = check(root);
    let mut diagnostics = checked.diagnostics;
    let mut sources = checked.sources;
    let mut links = None;
    let result = match &checked.site {
        Some(site) if !diagnostics.has_errors() => pages(site, &checked.review, root).and_then(|pages| {
            let inspection = linkcheck::inspect(site, &pages);
            let severity = match site.config.links.internal {
                LinkSeverity::Error => Severity::Error,
                LinkSeverity::Warning => Severity::Warning,
            };
            diagnostics.extend(linkcheck::diagnostics(&inspection.broken, severity, &mut sources, root));
            diagnostics.sort(&sources);
            links = Some(Links { inspection, exclude: site.config.links.exclude.clone() });
            if diagnostics.has_errors() {
                return Err(BuildError::Invalid);
            }
            Ok(Rendered { pages, reports: site.agencies.iter().map(|a| a.reports.len()).sum() })
        }),
        _ => Err(BuildError::Invalid),
    };
    // Template errors and path collisions are problems of the site's files like
    // any other: reported with the rest, in every command.
    let result = result.map_err(|e| match e {
        BuildError::Render(_) | BuildError::Collision { .. } => {
            diagnostics.push(Diagnostic::error("template", e.to_string()));
            BuildError::Invalid
        }
        other => other,
    });
    let base_path = checked.site.as_ref().map(|site| site.config.base_url.path().to_owned());
    Outcome { sources, diagnostics, base_path, links, result }
}

/// Builds the site at `root` into `out`. On any error `out` is left as it was.
pub fn build(root: &Path, out: &Path) -> Outcome<Summary> {
    let start = Instant::now();
    let rendered = render(root);
    let result = rendered.result.and_then(|r| {
        check_output_path(root, out)?;
        output::write::write_atomically(out, &r.pages)?;
        Ok(r.summary(start.elapsed()))
    });
    Outcome {
        sources: rendered.sources,
        diagnostics: rendered.diagnostics,
        base_path: rendered.base_path,
        links: rendered.links,
        result,
    }
}

/// Every file of the built site, sorted by path.
pub fn pages(site: &Site, review: &Review, root: &Path) -> Result<Vec<Page>, BuildError> {
    let theme = Theme::load(root, &site.config.theme, &site.config.base_url)?;
    let mut pages = render::render(site, &theme, review, root)?;
    pages.extend(open_data(site, review));
    let mut dirs: Vec<String> = pages
        .iter()
        .filter_map(|p| p.path.strip_suffix("index.html"))
        .filter(|d| d.is_empty() || d.ends_with('/'))
        .map(str::to_owned)
        .collect();
    dirs.sort();
    pages.push(Page {
        path: paths::SITEMAP.to_owned(),
        content: Content::Bytes(output::sitemap::sitemap(&site.config.base_url, &dirs).into_bytes()),
    });
    pages.push(Page { path: paths::FEED.to_owned(), content: Content::Bytes(output::feed::feed(site).into_bytes()) });
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(w) = pages.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(BuildError::Collision { path: w[0].path.clone() });
    }
    Ok(pages)
}

/// Every report's `data.json` and `data.csv`, and the bulk files of `/data/`.
fn open_data(site: &Site, review: &Review) -> Vec<Page> {
    use output::opendata;
    let data: Vec<opendata::ReportData<'_>> = site
        .agencies
        .iter()
        .flat_map(|a| a.reports.iter().map(move |r| (a, r)))
        .map(|(agency, report)| opendata::report_data(site, &review.summaries, agency, report))
        .collect();
    let file = |path: String, bytes: Vec<u8>| Page { path, content: Content::Bytes(bytes) };
    let mut pages = Vec::new();
    for d in &data {
        let dir = paths::report(d.year, d.agency);
        pages.push(file(format!("{dir}{}", paths::DATA_JSON), opendata::to_json(d)));
        pages.push(file(format!("{dir}{}", paths::DATA_CSV), opendata::to_csv([d])));
    }
    pages.push(file(format!("{}{}", paths::DATA, paths::REPORTS_CSV), opendata::to_csv(&data)));
    pages.push(file(format!("{}{}", paths::DATA, paths::REPORTS_JSON), opendata::collection_json(site.format, &data)));
    pages.push(file(
        format!("{}{}", paths::DATA, paths::SCHEMA_JSON),
        opendata::schema(site.format, &site.config.base_url),
    ));
    for year in site.years() {
        pages.push(file(paths::year_csv(year), opendata::to_csv(data.iter().filter(|d| d.year == year))));
    }
    pages
}

/// Refuses output folders whose replacement would destroy the site's sources.
fn check_output_path(root: &Path, out: &Path) -> Result<(), BuildError> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // The output may not exist yet: resolve its parent instead.
    let resolved = match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            parent.canonicalize().map(|p| p.join(name)).unwrap_or_else(|_| out.to_path_buf())
        }
        _ => out.to_path_buf(),
    };
    let unsafe_because = if root.starts_with(&resolved) {
        Some("它是站点根目录或其上级目录")
    } else if ["content", "themes", "templates", "static"].iter().any(|d| resolved.starts_with(root.join(d))) {
        Some("它位于站点的源文件夹中")
    } else if out.file_name().is_none() {
        Some("路径没有文件夹名")
    } else {
        None
    };
    match unsafe_because {
        Some(reason) => Err(BuildError::UnsafeOutput { path: out.to_path_buf(), reason }),
        None => Ok(()),
    }
}
