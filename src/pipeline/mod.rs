//! The pipeline: load → validate → render → inspect links → write.
//!
//! Each file of the site is produced, inspected for links and handed to the
//! writer in one parallel pass, and then dropped: memory holds the site model
//! and what the link inspection needs, never the pages. `portal build` writes;
//! `portal check` runs the same pass without writing; `portal serve` produces
//! each file when the browser asks for it.

mod plan;
mod preview;
mod state;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub(crate) use self::plan::{Kind, Prepared, Prior};
pub use self::preview::{Live, preview, preview_edit};
use crate::config::LinkSeverity;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::layout::source;
pub use crate::layout::source::default_output;
use crate::linkcheck::{self, Inspection};
use crate::model::Site;
use crate::output::write::{Manifest, Output, WriteError};
use crate::publish::{self, Publish};
use crate::render::RenderError;
use crate::sources::Sources;
use crate::validate::Review;
use crate::{load, summary, validate};

/// What a long run tells whoever shows its progress (the command's progress
/// line): which stage it is in, and in the one long pass, each file done.
/// Every method may be called from any thread; the defaults do nothing.
pub trait Progress: Sync {
    /// A stage begins.
    fn stage(&self, _stage: Stage) {}
    /// One more file of the pass is produced and inspected.
    fn file_done(&self) {}
}

/// The stages a [`Progress`] hears of, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the site (or the state the previous run kept), summing, validating.
    Load,
    /// The one pass over the site's files: produced, links inspected.
    Produce {
        /// How many files the pass makes.
        files: usize,
    },
    /// Putting the output in place (`build` only).
    Write,
}

/// No progress shown.
pub struct NoProgress;

impl Progress for NoProgress {}

/// A loaded and validated site, with every problem found.
pub struct Checked {
    /// `None` when `site.toml` could not be read.
    pub site: Option<Site>,
    /// Every file read, for quoting in the diagnostics.
    pub sources: Sources,
    /// Every problem found: loading, summing and validation, in reading order.
    pub diagnostics: Diagnostics,
    /// What the pages say about the checks: waivers used, summaries, warnings.
    pub review: Review,
    /// What loading found, apart from the checks of the data.
    pub loaded: Diagnostics,
}

/// Loads the site at `root`, sums its summary reports and validates it;
/// the reports `publish` holds back are not part of it.
pub fn check(root: &Path, publish: &Publish) -> Checked {
    let t = Instant::now();
    let loaded = load::load(root);
    timing("load", t);
    check_loaded(loaded, publish)
}

/// Sums the summary reports of a loaded site and validates it.
fn check_loaded(mut loaded: load::Loaded, publish: &Publish) -> Checked {
    let mut diagnostics = loaded.diagnostics.clone();
    let mut review = Review::default();
    if let Some(site) = &mut loaded.site {
        diagnostics.extend(publish::hold_back(site, publish));
        let (summaries, found) = summary::summarize(site, &loaded.sources);
        diagnostics.extend(found);
        let t = Instant::now();
        let validation = validate::validate(site, &summaries, &loaded.sources);
        timing("validate", t);
        diagnostics.extend(validation.diagnostics);
        review.waived = validation.waived;
        review.summaries = summaries;
        review.file_warnings(site, &diagnostics);
    }
    diagnostics.sort(&loaded.sources);
    Checked { site: loaded.site, sources: loaded.sources, diagnostics, review, loaded: loaded.diagnostics }
}

/// Why a build or a check produced no site.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The site's files have errors: they are in the diagnostics.
    #[error("数据有错误，未发布")]
    Invalid,
    /// A page or the theme could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The output folder could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The output folder is one a build must not replace (the site itself, or inside its sources).
    #[error("输出文件夹 {} 不安全：{reason}", path.display())]
    UnsafeOutput {
        /// The output folder as given.
        path: PathBuf,
        /// Why it is refused, in the user's words (Chinese).
        reason: &'static str,
    },
    /// A file of the site whose path a Windows or macOS file system cannot hold as it is.
    #[error("网站文件 {path} 不能发布：{why}")]
    Unportable {
        /// The site path.
        path: String,
        /// Why, in the user's words (Chinese).
        why: String,
    },
    /// A file under `static/` has the site path of a generated file.
    #[error("{path} 与生成的页面同名：请改名或删除 static/ 中的这个文件")]
    Collision {
        /// The site path both have.
        path: String,
    },
}

/// What a build did.
#[derive(Debug)]
pub struct Summary {
    /// HTML pages of the site.
    pub pages: usize,
    /// Reports on the site.
    pub reports: usize,
    /// Every file of the site, pages included.
    pub files: usize,
    /// Files written; the others were already in the output as they are.
    pub written: usize,
    /// How long the whole build took, loading included.
    pub elapsed: Duration,
    /// Whether a build was killed while it put its output in place (the
    /// output may have been mixed); this one made it whole.
    pub repaired: bool,
}

/// The outcome of a build, with the diagnostics to show either way.
pub struct Outcome<T> {
    /// Every file read, for quoting in the diagnostics.
    pub sources: Sources,
    /// Every problem found, to show whether or not the build succeeded.
    pub diagnostics: Diagnostics,
    /// The path the site is served under (`/xxgk/`, from `base_url`), known
    /// whenever `site.toml` could be read, even if the build failed.
    pub base_path: Option<String>,
    /// The dead-link inspection, whenever the site could be rendered, even if
    /// broken links then failed the build (the link report lists them).
    pub links: Option<Links>,
    /// What the command produced; `Err` when the site has errors or could not be built.
    pub result: Result<T, BuildError>,
}

/// The links of a rendered site.
pub struct Links {
    /// Internal problems found; external links listed for `check --external`.
    pub inspection: Inspection,
    /// External URLs not to fetch (`links.exclude` of `site.toml`).
    pub exclude: Vec<String>,
    /// The site's origin (`https://www.example.gov.cn`), whose pages outside
    /// the base path are the rest of the portal.
    pub origin: String,
}

/// Loads and checks the site at `root` and plans its files. The outcome has
/// the diagnostics either way; `Ok` only for a site without errors.
pub fn prepare(root: &Path, publish: &Publish) -> Outcome<Prepared> {
    prepare_checked(root, check(root, publish)).0
}

/// [`prepare`] for a checked site; also gives back what loading found.
fn prepare_checked(root: &Path, checked: Checked) -> (Outcome<Prepared>, Diagnostics) {
    let base_path = checked.site.as_ref().map(|site| site.config.base_url.path().to_owned());
    let mut diagnostics = checked.diagnostics;
    let result = match checked.site {
        Some(site) if !diagnostics.has_errors() => Prepared::new(site, checked.review, root),
        _ => Err(BuildError::Invalid),
    };
    // Template errors and path collisions are problems of the site's files like
    // any other: reported with the rest, in every command.
    let result = result.map_err(|e| site_file_error(e, &mut diagnostics));
    (Outcome { sources: checked.sources, diagnostics, base_path, links: None, result }, checked.loaded)
}

fn site_file_error(e: BuildError, diagnostics: &mut Diagnostics) -> BuildError {
    match e {
        BuildError::Render(RenderError::Outside(escape)) => {
            diagnostics.push(Diagnostic::escape(&escape));
            BuildError::Invalid
        }
        BuildError::Render(RenderError::Name(ref path)) => {
            diagnostics.push(Diagnostic::error(Code::Encoding, e.to_string()).at_path(path));
            BuildError::Invalid
        }
        BuildError::Render(RenderError::Loop(ref path)) => {
            diagnostics.push(Diagnostic::error(Code::Path, e.to_string()).at_path(path));
            BuildError::Invalid
        }
        BuildError::Unportable { .. } => {
            diagnostics.push(Diagnostic::error(Code::Name, e.to_string()));
            BuildError::Invalid
        }
        BuildError::Render(_) | BuildError::Collision { .. } => {
            diagnostics.push(Diagnostic::error(Code::Template, e.to_string()));
            BuildError::Invalid
        }
        other => other,
    }
}

/// Where produced files go.
pub(crate) trait Sink: Sync {
    /// Takes a file, with the fingerprint of its inputs if it is open data.
    fn put(&self, path: &str, bytes: &[u8], fingerprint: Option<u64>) -> Result<(), BuildError>;
    /// Takes a large file as it is made.
    fn put_stream(
        &self,
        path: &str,
        fingerprint: Option<u64>,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), BuildError>;
    /// Whether the sink already holds the file as made from these inputs.
    fn is_current(&self, _path: &str, _fingerprint: u64) -> bool {
        false
    }
    /// Whether every file is wanted, or only those with links to inspect.
    fn wants_all(&self) -> bool {
        true
    }
    /// The previous build's file at `path`, as it wrote it.
    fn previous(&self, _path: &str) -> Option<Vec<u8>> {
        None
    }
    /// Keeps the previous build's file at `path` as it is; its fingerprint.
    fn keep_previous(&self, _path: &str) -> Option<u64> {
        None
    }
}

/// For inspecting without writing.
struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: &[u8], _: Option<u64>) -> Result<(), BuildError> {
        Ok(())
    }
    fn put_stream(
        &self,
        _: &str,
        _: Option<u64>,
        _: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), BuildError> {
        Ok(())
    }
    fn wants_all(&self) -> bool {
        false
    }
}

impl Sink for Output {
    fn put(&self, path: &str, bytes: &[u8], fingerprint: Option<u64>) -> Result<(), BuildError> {
        Ok(Output::put(self, path, bytes, fingerprint)?)
    }
    fn put_stream(
        &self,
        path: &str,
        fingerprint: Option<u64>,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), BuildError> {
        Ok(Output::put_stream(self, path, fingerprint, write)?)
    }
    fn is_current(&self, path: &str, fingerprint: u64) -> bool {
        Output::is_current(self, path, fingerprint)
    }
    fn previous(&self, path: &str) -> Option<Vec<u8>> {
        Output::previous(self, path)
    }
    fn keep_previous(&self, path: &str) -> Option<u64> {
        Output::keep_previous(self, path)
    }
}

/// Runs the whole pipeline: prepare, `open` a sink, produce every file into
/// it and inspect the links, then `finish` if nothing is wrong. Broken
/// internal links are diagnostics like any other. What the previous run kept
/// (see [`state`]) spares loading the site and producing the files that an
/// edit did not touch; each full run keeps a new state.
fn run<S: Sink, T>(
    root: &Path,
    publish: &Publish,
    external: bool,
    progress: &dyn Progress,
    open: impl FnOnce(&Prepared) -> Result<S, BuildError>,
    finish: impl FnOnce(Prepared, S) -> Result<T, BuildError>,
) -> Outcome<T> {
    progress.stage(Stage::Load);
    let (checked, restored, stamps) = check_restoring(root, publish);
    let (prepared, loaded) = prepare_checked(root, checked);
    let (mut sources, mut diagnostics) = (prepared.sources, prepared.diagnostics);
    let mut found = None;
    let result = prepared.result.and_then(|p| {
        let t = Instant::now();
        let sink = open(&p)?;
        timing("open output", t);
        let t = Instant::now();
        let entries = p.entries_hash();
        let (mut reused, keep) = Reused::of(&p, restored, entries, external);
        progress.stage(Stage::Produce { files: p.entries.len() });
        let produced = p.produce_all(&sink, external, reused.as_mut().map(Reused::prior), progress)?;
        let (links, hashes): (Vec<_>, Vec<_>) = produced.into_iter().map(|m| (m.links, m.hash)).unzip();
        let mut inspection = p.inspection(&links);
        if !external {
            // Links taken from a state that listed them.
            inspection.external.clear();
        }
        timing("produce + inspect", t);
        if keep {
            let (site, sources, loaded, links, hashes) = (&p.site, &sources, &loaded, &links, &hashes);
            let (day, drafts) = (publish.day_key(), publish.drafts_key(site, &diagnostics));
            keep_state(
                root,
                state::Kept { stamps, site, sources, loaded, entries, links, hashes, external, day, drafts },
            );
        }
        drop(links);
        diagnostics.extend(link_diagnostics(&p, &inspection, &mut sources, root));
        diagnostics.sort(&sources);
        found = Some(Links {
            inspection,
            exclude: p.site.config.links.exclude.clone(),
            origin: p.site.config.base_url.origin().to_owned(),
        });
        if diagnostics.has_errors() {
            return Err(BuildError::Invalid);
        }
        let t = Instant::now();
        let done = finish(p, sink);
        timing("finish", t);
        done
    });
    let result = result.map_err(|e| site_file_error(e, &mut diagnostics));
    Outcome { sources, diagnostics, base_path: prepared.base_path, links: found, result }
}

/// The site checked: from the state the previous run kept when it applies
/// (see [`state`]), else loaded in full; with the stamps of its sources now.
fn check_restoring(root: &Path, publish: &Publish) -> (Checked, Option<state::Restored>, load::Stamps) {
    let t = Instant::now();
    match state::restore(root, publish) {
        Ok(mut restored) => {
            timing("restore", t);
            let loaded = std::mem::take(&mut restored.loaded);
            let stamps = std::mem::take(&mut restored.stamps);
            (check_loaded(loaded, publish), Some(restored), stamps)
        }
        Err(stamps) => (check(root, publish), None, stamps),
    }
}

/// What the previous run left that stands for this run's files: those no edit touched.
struct Reused {
    redo: Vec<bool>,
    hashes: Vec<Option<u64>>,
    links: Vec<linkcheck::PageLinks>,
}

impl Reused {
    /// What of `restored` stands for the files of `p` (whose paths hash to
    /// `entries`), and whether to keep a new state after the run.
    fn of(p: &Prepared, restored: Option<state::Restored>, entries: u64, external: bool) -> (Option<Self>, bool) {
        // A run that lists external links cannot take a page's links from a run that did not.
        let restored =
            restored.filter(|r| r.entries == entries && r.links.len() == p.entries.len() && (r.external || !external));
        let keep = restored.as_ref().is_none_or(|r| r.keep);
        (restored.map(|r| Self { redo: p.redo(&r.edited), hashes: r.hashes, links: r.links }), keep)
    }

    fn prior(&mut self) -> Prior<'_> {
        Prior { redo: &self.redo, hashes: &self.hashes, links: std::mem::take(&mut self.links) }
    }
}

/// Keeps the state of a run for the next; without it the next run is a full one, nothing worse.
fn keep_state(root: &Path, kept: state::Kept<'_>) {
    let t = Instant::now();
    let _ = state::keep(root, kept);
    timing("keep state", t);
}

/// Broken internal links as diagnostics, errors or warnings as `site.toml` says.
fn link_diagnostics(p: &Prepared, inspection: &Inspection, sources: &mut Sources, root: &Path) -> Vec<Diagnostic> {
    let severity = match p.site.config.links.internal {
        LinkSeverity::Error => Severity::Error,
        LinkSeverity::Warning => Severity::Warning,
    };
    let base_path = p.site.config.base_url.path();
    linkcheck::diagnostics(&inspection.broken, severity, sources, root, &|url| p.theme.find_link(url, base_path))
}

/// What `check` found besides the diagnostics.
#[derive(Debug)]
pub struct Inspected {
    /// Reports on the site.
    pub reports: usize,
    /// Agencies expected to report for years of the site without a report (未发布).
    pub unpublished: Vec<crate::compliance::Unpublished>,
}

/// Checks the site at `root` as a build would, writing nothing: the data,
/// then every file produced in memory and its links inspected; external
/// links listed when `external` is set.
/// `progress` hears of each stage and file.
pub fn inspect(root: &Path, external: bool, publish: &Publish, progress: &dyn Progress) -> Outcome<Inspected> {
    run(
        root,
        publish,
        external,
        progress,
        |_| Ok(Discard),
        |p, _| {
            let unpublished = crate::compliance::unpublished(&p.site, &p.review.summaries);
            Ok(Inspected { reports: p.reports(), unpublished })
        },
    )
}

/// Builds the site at `root` into `out`. On any error `out` is left as it was.
/// `progress` hears of each stage and file.
pub fn build(root: &Path, out: &Path, publish: &Publish, progress: &dyn Progress) -> Outcome<Summary> {
    let start = Instant::now();
    if let Err(e) = check_output_path(root, out) {
        return Outcome {
            sources: Sources::default(),
            diagnostics: Diagnostics::default(),
            base_path: None,
            links: None,
            result: Err(e),
        };
    }
    let manifest = manifest_path(root, out);
    run(
        root,
        publish,
        false,
        progress,
        |p| Ok(Output::open(out, p.entries.iter().map(|e| e.path.as_str()), Some(manifest.clone()))?),
        |p, output| {
            progress.stage(Stage::Write);
            let repaired = output.was_interrupted();
            let written = output.commit(p.entries.iter().map(|e| e.path.as_str()))?;
            forget_gone_outputs(&manifest);
            Ok(Summary {
                pages: p.entries.iter().filter(|e| matches!(e.kind, Kind::Page(_))).count(),
                reports: p.reports(),
                files: p.entries.len(),
                written,
                elapsed: start.elapsed(),
                repaired,
            })
        },
    )
}

/// Where the fingerprints of the open data written into `out` are kept: in
/// the site's cache folder, not in the output (which is deployed as it is).
fn manifest_path(root: &Path, out: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let out = resolve_output(out);
    let mut h = std::hash::DefaultHasher::new();
    out.hash(&mut h);
    source::manifest_file(root, h.finish())
}

/// Removes the manifests beside `kept` whose output folder is gone, so that
/// building into many folders over time (a new temporary one each time, say)
/// does not fill the cache.
fn forget_gone_outputs(kept: &Path) {
    let Some(cache) = kept.parent() else { return };
    for entry in fs::read_dir(cache).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if source::is_manifest_name(&name) && path != kept && !Manifest::is_live(&path) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// Refuses output folders whose replacement would destroy the site's sources.
fn check_output_path(root: &Path, out: &Path) -> Result<(), BuildError> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let resolved = resolve_output(out);
    let unsafe_because = if root.starts_with(&resolved) {
        Some("它是站点根目录或其上级目录")
    } else if source::SOURCE_DIRS.iter().any(|d| resolved.starts_with(root.join(d))) {
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

/// The output folder's real path. It may not exist yet (a first build), so its
/// parent is resolved instead: a first build and the next name it alike.
fn resolve_output(out: &Path) -> PathBuf {
    match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            parent.canonicalize().map(|p| p.join(name)).unwrap_or_else(|_| out.to_path_buf())
        }
        _ => out.to_path_buf(),
    }
}

/// With `PORTAL_TIMINGS` set, prints how long a stage took (for the benchmark).
pub(super) fn timing(stage: &str, since: Instant) {
    if std::env::var_os("PORTAL_TIMINGS").is_some() {
        // Resident memory now (Linux), to see which stage holds what.
        let rss = fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(String::new(), |pages| format!(", {} MiB resident", pages * 4096 / (1 << 20)));
        eprintln!("timing: {stage} {:.3} s{rss}", since.elapsed().as_secs_f64());
    }
}
