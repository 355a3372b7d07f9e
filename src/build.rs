//! The pipeline: load → validate → render → write → check.
//!
//! Each file of the site is produced, handed to the writer and inspected for
//! links in one parallel pass, and then dropped: memory holds the site model
//! and what the link inspection needs, never the pages. `portal build` writes;
//! `portal check` runs the same pass without writing; `portal serve` produces
//! each file when the browser asks for it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::LinkSeverity;
use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Place, Severity, Sources};
use crate::format::FORMAT_2021;
use crate::linkcheck::{self, Apart, Inspection, Inspector, PageLinks, PageSource};
use crate::model::{self, Site};
use crate::output::{
    self,
    write::{Output, WriteError},
};
use crate::render::{self, Content, PageKind, PartKind, RenderError, Renderer, Theme, paths};
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
    let t = Instant::now();
    let mut loaded = load::load(root, &FORMAT_2021);
    timing("load", t);
    let mut diagnostics = loaded.diagnostics;
    let mut review = Review::default();
    if let Some(site) = &mut loaded.site {
        let (summaries, found) = summary::summarize(site, &loaded.sources);
        diagnostics.extend(found);
        let t = Instant::now();
        let validation = validate::validate(site, &summaries);
        timing("validate", t);
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
    /// Files written; the others were already in the output as they are.
    pub written: usize,
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

/// A file of the built site: its path and what makes it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Relative to the output root, `/`-separated, e.g. `2024/yeyuan/index.html`.
    pub path: String,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Page(PageKind),
    /// A report's `data.json` / `data.csv`: agency index, report index.
    ReportJson(usize, usize),
    ReportCsv(usize, usize),
    /// `/data/reports.csv`, `/data/<year>.csv`, `/data/reports.json`, `/data/schema.json`.
    ReportsCsv,
    YearCsv(u16),
    ReportsJson,
    Schema,
    Sitemap,
    Feed,
    Asset(Content),
}

/// A loaded, valid site and everything needed to produce any of its files on
/// demand: what a build writes, `portal check` inspects and `portal serve` serves.
pub struct Prepared {
    pub site: Site,
    pub review: Review,
    // What does not change when a report is edited is shared with the next preview.
    theme: Arc<Theme>,
    shared: Arc<render::Shared>,
    csv: Arc<output::opendata::CsvLayout>,
    /// Every file, sorted by path.
    pub entries: Arc<Vec<Entry>>,
    /// Their paths as the link inspection compares them, in the same order and as a set.
    decoded: Arc<Vec<String>>,
    decoded_set: Arc<HashSet<String>>,
}

impl Prepared {
    /// Plans the files of `site`; fails on a theme error or a static file
    /// that has the path of a generated one.
    pub fn new(site: Site, review: Review, root: &Path) -> Result<Self, BuildError> {
        let theme = Theme::load(root, &site.config.theme, &site.config.base_url)?;
        let shared = render::Shared::new(&site);
        let renderer = Renderer::new(&site, &theme, &review, &shared);
        let mut entries: Vec<Entry> =
            renderer.pages().into_iter().map(|(path, kind)| Entry { path, kind: Kind::Page(kind) }).collect();
        entries.extend(renderer.assets(root).into_iter().map(|a| Entry { path: a.path, kind: Kind::Asset(a.content) }));
        for (a, agency) in site.agencies.iter().enumerate() {
            for (i, report) in agency.reports.iter().enumerate() {
                let dir = paths::report(report.year, &agency.slug);
                entries.push(Entry { path: format!("{dir}{}", paths::DATA_JSON), kind: Kind::ReportJson(a, i) });
                entries.push(Entry { path: format!("{dir}{}", paths::DATA_CSV), kind: Kind::ReportCsv(a, i) });
            }
        }
        let data = |name: &str| format!("{}{name}", paths::DATA);
        entries.push(Entry { path: data(paths::REPORTS_CSV), kind: Kind::ReportsCsv });
        entries.push(Entry { path: data(paths::REPORTS_JSON), kind: Kind::ReportsJson });
        entries.push(Entry { path: data(paths::SCHEMA_JSON), kind: Kind::Schema });
        entries.extend(site.years().into_iter().map(|y| Entry { path: paths::year_csv(y), kind: Kind::YearCsv(y) }));
        entries.push(Entry { path: paths::SITEMAP.to_owned(), kind: Kind::Sitemap });
        entries.push(Entry { path: paths::FEED.to_owned(), kind: Kind::Feed });
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some(w) = entries.windows(2).find(|w| w[0].path == w[1].path) {
            return Err(BuildError::Collision { path: w[0].path.clone() });
        }
        let csv = output::opendata::CsvLayout::new(site.format);
        let decoded = linkcheck::site_paths(entries.iter().map(|e| e.path.as_str()));
        Ok(Self {
            site,
            review,
            theme: Arc::new(theme),
            shared: Arc::new(shared),
            csv: Arc::new(csv),
            entries: Arc::new(entries),
            decoded_set: Arc::new(decoded.iter().cloned().collect()),
            decoded: Arc::new(decoded),
        })
    }

    pub fn reports(&self) -> usize {
        self.site.agencies.iter().map(|a| a.reports.len()).sum()
    }

    /// The entry for a site path, if the site has that file.
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.binary_search_by(|e| e.path.as_str().cmp(path)).ok().map(|i| &self.entries[i])
    }

    /// The bytes of one file.
    pub fn produce(&self, entry: &Entry) -> Result<Vec<u8>, BuildError> {
        use output::opendata;
        let site = &self.site;
        Ok(match &entry.kind {
            Kind::Page(kind) => self.renderer().render(*kind)?.into_bytes(),
            Kind::ReportJson(a, i) => self.report_json(&site.agencies[*a], &site.agencies[*a].reports[*i]),
            Kind::ReportCsv(a, i) => {
                let mut out = self.csv.header().to_vec();
                self.csv.write_report(&mut out, site.format, &site.agencies[*a], &site.agencies[*a].reports[*i]);
                out
            }
            Kind::ReportsCsv | Kind::YearCsv(_) | Kind::ReportsJson => {
                let mut out = Vec::new();
                self.produce_to(entry, &mut out)
                    .map_err(|e| RenderError::Io { path: entry.path.clone().into(), source: e })?;
                out
            }
            Kind::Schema => opendata::schema(site.format, &site.config.base_url),
            Kind::Sitemap => {
                let mut dirs: Vec<String> = self
                    .entries
                    .iter()
                    .filter_map(|e| e.path.strip_suffix("index.html"))
                    .filter(|d| d.is_empty() || d.ends_with('/'))
                    .map(str::to_owned)
                    .collect();
                dirs.sort();
                output::sitemap::sitemap(&site.config.base_url, &dirs).into_bytes()
            }
            Kind::Feed => output::feed::feed(site).into_bytes(),
            Kind::Asset(content) => content
                .bytes()
                .map_err(|source| RenderError::Io { path: entry.path.clone().into(), source })?
                .into_owned(),
        })
    }

    /// Whether a file is large enough to be written as it is made.
    fn streamed(kind: &Kind) -> bool {
        matches!(kind, Kind::ReportsCsv | Kind::YearCsv(_) | Kind::ReportsJson)
    }

    /// Writes a bulk open-data file as it is made, report by report.
    fn produce_to(&self, entry: &Entry, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let site = &self.site;
        let all = || site.agencies.iter().flat_map(|a| a.reports.iter().map(move |r| (a, &**r)));
        let mut buf = Vec::new();
        let mut csv = |reports: &mut dyn Iterator<Item = (&model::Agency, &model::Report)>| {
            out.write_all(self.csv.header())?;
            for (agency, report) in reports {
                buf.clear();
                self.csv.write_report(&mut buf, site.format, agency, report);
                out.write_all(&buf)?;
            }
            Ok(())
        };
        match &entry.kind {
            Kind::ReportsCsv => csv(&mut all()),
            Kind::YearCsv(year) => csv(&mut all().filter(|(_, r)| r.year == *year)),
            Kind::ReportsJson => {
                output::opendata::collection_json(site.format, all().map(|(a, r)| self.report_json(a, r)), out)
            }
            _ => Ok(()),
        }
    }

    fn report_json(&self, agency: &model::Agency, report: &model::Report) -> Vec<u8> {
        let data = output::opendata::report_data(&self.site, &self.review.summaries, agency, report);
        output::opendata::to_json(&data)
    }

    /// A hash of everything an open-data file is made from (`None` for other
    /// files): the same fingerprint, the same bytes.
    fn fingerprint(&self, entry: &Entry) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let site = &self.site;
        let mut h = std::hash::DefaultHasher::new();
        // Code that writes the files differently must not trust older fingerprints.
        (env!("CARGO_PKG_VERSION"), OPEN_DATA_REVISION, &entry.path).hash(&mut h);
        (site.config.base_url.absolute(""), site.format.notice, &site.config.data.licence).hash(&mut h);
        let mut report = |a: usize, i: usize| {
            let agency = &site.agencies[a];
            let r = &agency.reports[i];
            (&agency.slug, &agency.info.name, agency.level().label(), r.year, &r.title).hash(&mut h);
            (r.date.year, r.date.month, r.date.day).hash(&mut h);
            r.figures.fingerprint(&mut h);
            if let Some(s) = self.review.summaries.report(a, r.year) {
                let slugs = |m: &[usize]| m.iter().map(|&m| site.agencies[m].slug.clone()).collect::<Vec<_>>();
                (slugs(&s.members), slugs(&s.missing), s.computed).hash(&mut h);
            }
        };
        let every = || site.agencies.iter().enumerate().flat_map(|(a, ag)| (0..ag.reports.len()).map(move |i| (a, i)));
        match &entry.kind {
            Kind::ReportJson(a, i) | Kind::ReportCsv(a, i) => report(*a, *i),
            Kind::ReportsCsv | Kind::ReportsJson => every().for_each(|(a, i)| report(a, i)),
            Kind::YearCsv(year) => {
                every().filter(|&(a, i)| site.agencies[a].reports[i].year == *year).for_each(|(a, i)| report(a, i))
            }
            Kind::Schema => {}
            _ => return None,
        }
        Some(h.finish())
    }

    fn renderer(&self) -> Renderer<'_> {
        Renderer::new(&self.site, &self.theme, &self.review, &self.shared)
    }

    /// Where the links of a file were written.
    pub fn source<'a>(&'a self, entry: &'a Entry) -> PageSource<'a> {
        match &entry.kind {
            Kind::Page(PageKind::Report(a, i)) => PageSource::Report(&self.site.agencies[*a].reports[*i]),
            Kind::Asset(Content::File(path)) => PageSource::File(path),
            _ => PageSource::Generated,
        }
    }

    fn inspector(&self, external: bool) -> Inspector<'_> {
        Inspector::new(&self.site.config.base_url, Arc::clone(&self.decoded_set), external)
    }

    /// Produces every file, in parallel, hands each to `sink` and inspects
    /// its links; nothing is kept but what the inspection needs: per file,
    /// what [`Prepared::inspection`] reads. External links are listed only
    /// when `external` is set.
    pub fn produce_all(&self, sink: &impl Sink, external: bool) -> Result<Vec<PageLinks>, BuildError> {
        let inspector = self.inspector(external);
        let links = self
            .entries
            .par_iter()
            .map(|entry| {
                if !sink.wants_all() && !linkcheck::has_links(&entry.path) {
                    return Ok(PageLinks::default());
                }
                let fingerprint = self.fingerprint(entry);
                if fingerprint.is_some_and(|fp| sink.is_current(&entry.path, fp)) {
                    return Ok(PageLinks::default());
                }
                if Self::streamed(&entry.kind) {
                    sink.put_stream(&entry.path, fingerprint, &mut |w| self.produce_to(entry, w))?;
                    return Ok(PageLinks::default());
                }
                let (bytes, links) = self.produce_inspected(&inspector, entry)?;
                sink.put(&entry.path, &bytes, fingerprint)?;
                Ok(links)
            })
            .collect();
        timing_cpu("inspect (CPU time over both threads)", inspector.spent());
        links
    }

    /// A file and what the inspection found in it. Of a page, the frame is
    /// inspected: the tables spliced into it have known ids and no links.
    fn produce_inspected(&self, inspector: &Inspector<'_>, entry: &Entry) -> Result<(Vec<u8>, PageLinks), BuildError> {
        let source = self.source(entry);
        Ok(match &entry.kind {
            Kind::Page(kind) => {
                let html = self.renderer().render(*kind)?;
                let links = self.inspect_html(inspector, entry, &html);
                (html.into_bytes(), links)
            }
            _ => {
                let bytes = self.produce(entry)?;
                let links = inspector.page(&entry.path, &bytes, Apart::default(), source);
                (bytes, links)
            }
        })
    }

    /// Inspects a rendered page: its frame is read, the parts spliced into it
    /// are known.
    fn inspect_html(&self, inspector: &Inspector<'_>, entry: &Entry, html: &render::Html) -> PageLinks {
        let line = |l| html.page_line(l);
        let mut ids = Vec::new();
        if html.has(PartKind::Table) {
            ids.push(Arc::clone(&self.shared.table_ids));
        }
        if html.has(PartKind::Chart) {
            ids.push(Arc::clone(&self.shared.chart_ids));
        }
        let apart = Apart { ids, line: (!html.parts.is_empty()).then_some(&line as &dyn Fn(usize) -> usize) };
        inspector.page(&entry.path, html.frame.as_bytes(), apart, self.source(entry))
    }

    /// Times the dead-link inspection alone, for the benchmark: every page is
    /// rendered first (not timed), then inspected on every core. Returns the
    /// time and the number of links looked at.
    pub fn time_inspection(&self) -> Result<(Duration, usize), BuildError> {
        let rendered: Vec<(usize, render::Html)> = self
            .entries
            .par_iter()
            .enumerate()
            .filter_map(|(n, e)| match &e.kind {
                Kind::Page(kind) => Some(self.renderer().render(*kind).map(|html| (n, html))),
                _ => None,
            })
            .collect::<Result<_, _>>()?;
        let others: Vec<(usize, Vec<u8>)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !matches!(e.kind, Kind::Page(_)) && linkcheck::has_links(&e.path))
            .map(|(n, e)| self.produce(e).map(|bytes| (n, bytes)))
            .collect::<Result<_, _>>()?;
        let start = Instant::now();
        let inspector = self.inspector(false);
        let mut links: Vec<PageLinks> = (0..self.entries.len()).map(|_| PageLinks::default()).collect();
        let pages: Vec<(usize, PageLinks)> =
            rendered.par_iter().map(|(n, html)| (*n, self.inspect_html(&inspector, &self.entries[*n], html))).collect();
        for (n, found) in pages {
            links[n] = found;
        }
        for (n, bytes) in &others {
            let entry = &self.entries[*n];
            links[*n] = inspector.page(&entry.path, bytes, Apart::default(), self.source(entry));
        }
        let inspection = self.inspection(&links);
        Ok((start.elapsed(), inspection.checked))
    }

    /// The inspection of the whole site from what each file left.
    pub fn inspection<L: std::borrow::Borrow<PageLinks>>(&self, links: &[L]) -> Inspection {
        let pages = self.entries.iter().zip(self.decoded.iter()).zip(links);
        Inspector::finish(pages.map(|((e, d), l)| (e.path.as_str(), d.as_str(), self.source(e), l.borrow())))
    }
}

/// Loads and checks the site at `root` and plans its files. The outcome has
/// the diagnostics either way; `Ok` only for a site without errors.
pub fn prepare(root: &Path) -> Outcome<Prepared> {
    let checked = check(root);
    let base_path = checked.site.as_ref().map(|site| site.config.base_url.path().to_owned());
    let mut diagnostics = checked.diagnostics;
    let result = match checked.site {
        Some(site) if !diagnostics.has_errors() => Prepared::new(site, checked.review, root),
        _ => Err(BuildError::Invalid),
    };
    // Template errors and path collisions are problems of the site's files like
    // any other: reported with the rest, in every command.
    let result = result.map_err(|e| site_file_error(e, &mut diagnostics));
    Outcome { sources: checked.sources, diagnostics, base_path, links: None, result }
}

fn site_file_error(e: BuildError, diagnostics: &mut Diagnostics) -> BuildError {
    match e {
        BuildError::Render(_) | BuildError::Collision { .. } => {
            diagnostics.push(Diagnostic::error("template", e.to_string()));
            BuildError::Invalid
        }
        other => other,
    }
}

/// Where produced files go.
pub trait Sink: Sync {
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
}

/// Bump when the open-data files are written differently, so that a build
/// with new code does not keep files a build with old code wrote.
const OPEN_DATA_REVISION: u32 = 1;

/// Runs the whole pipeline: prepare, `open` a sink, produce every file into
/// it and inspect the links, then `finish` if nothing is wrong. Broken
/// internal links are diagnostics like any other.
fn run<S: Sink, T>(
    root: &Path,
    external: bool,
    open: impl FnOnce(&Prepared) -> Result<S, BuildError>,
    finish: impl FnOnce(Prepared, S) -> Result<T, BuildError>,
) -> Outcome<T> {
    let prepared = prepare(root);
    let (mut sources, mut diagnostics) = (prepared.sources, prepared.diagnostics);
    let mut found = None;
    let result = prepared.result.and_then(|p| {
        let t = Instant::now();
        let sink = open(&p)?;
        timing("open output", t);
        let t = Instant::now();
        let links = p.produce_all(&sink, external)?;
        let inspection = p.inspection(&links);
        timing("produce + inspect", t);
        diagnostics.extend(link_diagnostics(&p, &inspection, &mut sources, root));
        diagnostics.sort(&sources);
        found = Some(Links { inspection, exclude: p.site.config.links.exclude.clone() });
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

/// Broken internal links as diagnostics, errors or warnings as `site.toml` says.
fn link_diagnostics(p: &Prepared, inspection: &Inspection, sources: &mut Sources, root: &Path) -> Vec<Diagnostic> {
    let severity = match p.site.config.links.internal {
        LinkSeverity::Error => Severity::Error,
        LinkSeverity::Warning => Severity::Warning,
    };
    linkcheck::diagnostics(&inspection.broken, severity, sources, root)
}

/// Checks the site at `root` as a build would, writing nothing: the data,
/// then every file produced in memory and its links inspected, external
/// links listed. `Ok` holds the number of reports.
pub fn inspect(root: &Path) -> Outcome<usize> {
    run(root, true, |_| Ok(Discard), |p, _| Ok(p.reports()))
}

/// A checked site kept by `portal serve`, with what checking one edited
/// report again needs: the diagnostics of the data (links apart) and what
/// each page left for the link inspection.
pub struct Live {
    pub prepared: Arc<Prepared>,
    sources: Sources,
    data: Diagnostics,
    /// Per file; shared, so that an edit copies only what it changes.
    links: Vec<Arc<PageLinks>>,
}

/// Checks the site at `root` as [`inspect`] does and keeps it ready to
/// produce any of its files; with it, when the site has no errors, what
/// [`preview_edit`] needs.
pub fn preview(root: &Path) -> (Outcome<Arc<Prepared>>, Option<Live>) {
    let prepared = prepare(root);
    let (sources, mut diagnostics) = (prepared.sources, prepared.diagnostics);
    let base_path = prepared.base_path;
    let p = match prepared.result {
        Ok(p) => p,
        Err(e) => return (Outcome { sources, diagnostics, base_path, links: None, result: Err(e) }, None),
    };
    let data = diagnostics.clone();
    let links = match p.produce_all(&Discard, false) {
        Ok(links) => links.into_iter().map(Arc::new).collect(),
        Err(e) => {
            let result = Err(site_file_error(e, &mut diagnostics));
            return (Outcome { sources, diagnostics, base_path, links: None, result }, None);
        }
    };
    finish_preview(root, Arc::new(p), sources, data, links, base_path)
}

/// Checks the site again after an edit of `content/<slug>/<year>/` (its
/// `report.md` or `data.toml`) only: that report is read again, its agency
/// and the summaries that count it are validated again, and the pages that
/// show it are inspected again. `None` when the edit needs a full
/// [`preview`] (the report is new, or it or the site has errors).
pub fn preview_edit(root: &Path, live: &Live, slug: &str, year: u16) -> Option<(Outcome<Arc<Prepared>>, Option<Live>)> {
    let t = Instant::now();
    let old = &live.prepared;
    let a = old.site.agencies.iter().position(|x| x.slug == slug)?;
    let i = old.site.agencies[a].reports.iter().position(|r| r.year == year)?;
    let mut sources = live.sources.clone();
    let summary = old.site.agencies[a].info.summary.is_some();
    let (report, loaded) = load::reload_report(root, old.site.format, &mut sources, slug, year, summary);
    let report = report.filter(|_| !loaded.has_errors())?;

    timing("edit: load", t);
    let mut site = old.site.clone();
    site.agencies[a].reports[i] = Arc::new(report);
    // Membership comes from agency.toml, which did not change: nor did what summing says about it.
    let (summaries, _) = summary::summarize(&mut site, &sources);
    let mut affected = vec![a];
    while let Some(more) = summaries
        .members
        .iter()
        .find(|(s, members)| !affected.contains(s) && members.iter().any(|m| affected.contains(m)))
        .map(|(s, _)| *s)
    {
        affected.push(more);
    }
    // What the checks said about the affected agencies' reports goes; what they say now comes.
    let files: HashSet<FileId> = affected
        .iter()
        .flat_map(|&x| &old.site.agencies[x].reports)
        .flat_map(|r| std::iter::once(r.markdown_file).chain(r.data_file))
        .collect();
    let folder = Path::new("content").join(slug).join(year.to_string());
    let mut data = live.data.clone();
    data.retain(|d| match &d.place {
        Some(Place::Span(loc)) => !files.contains(&loc.file),
        Some(Place::Path(p)) => !p.starts_with(&folder),
        None => true,
    });
    timing("edit: summarize", t);
    let validation = validate::validate_agencies(&site, &summaries, &affected);
    data.extend(loaded);
    data.extend(validation.diagnostics);
    let slugs: Vec<&str> = affected.iter().map(|&x| site.agencies[x].slug.as_str()).collect();
    let mut review = Review {
        waived: old.review.waived.iter().filter(|w| !slugs.contains(&w.0.as_str())).cloned().collect(),
        summaries,
        warnings: Default::default(),
    };
    review.waived.extend(validation.waived);
    review.file_warnings(&site, &data);
    data.sort(&sources);

    let prepared = Prepared {
        site,
        review,
        theme: Arc::clone(&old.theme),
        shared: Arc::clone(&old.shared),
        csv: Arc::clone(&old.csv),
        entries: Arc::clone(&old.entries),
        decoded: Arc::clone(&old.decoded),
        decoded_set: Arc::clone(&old.decoded_set),
    };
    // The pages that show the report or its figures.
    let agency = &prepared.site.agencies[a];
    let mut pages = vec![PageKind::Home, PageKind::Year(year), PageKind::Agency(a), PageKind::Report(a, i)];
    pages.extend(
        [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter(|&j| j < agency.reports.len())
            .map(|j| PageKind::Report(a, j)),
    );
    for &x in &affected[1..] {
        pages.push(PageKind::Agency(x));
        if let Some(j) = prepared.site.agencies[x].reports.iter().position(|r| r.year == year) {
            pages.push(PageKind::Report(x, j));
        }
    }
    timing("edit: validate", t);
    let inspector = prepared.inspector(false);
    timing("edit: inspector", t);
    let mut links = live.links.clone();
    let again: Vec<usize> = (0..prepared.entries.len())
        .filter(|&n| match &prepared.entries[n].kind {
            Kind::Page(kind) => pages.contains(kind),
            Kind::Feed => true,
            _ => false,
        })
        .collect();
    let fresh: Vec<Option<PageLinks>> = again
        .par_iter()
        .map(|&n| prepared.produce_inspected(&inspector, &prepared.entries[n]).ok().map(|(_, l)| l))
        .collect();
    for (n, found) in again.into_iter().zip(fresh) {
        links[n] = Arc::new(found?);
    }
    drop(inspector);
    timing("edit: pages", t);
    let base_path = Some(prepared.site.config.base_url.path().to_owned());
    Some(finish_preview(root, Arc::new(prepared), sources, data, links, base_path))
}

/// The outcome of a preview from its parts, and what the next edit needs.
fn finish_preview(
    root: &Path,
    prepared: Arc<Prepared>,
    mut sources: Sources,
    data: Diagnostics,
    links: Vec<Arc<PageLinks>>,
    base_path: Option<String>,
) -> (Outcome<Arc<Prepared>>, Option<Live>) {
    let t = Instant::now();
    let inspection = prepared.inspection(&links);
    timing("preview: inspection", t);
    let mut diagnostics = data.clone();
    diagnostics.extend(link_diagnostics(&prepared, &inspection, &mut sources, root));
    diagnostics.sort(&sources);
    let found = Some(Links { inspection, exclude: prepared.site.config.links.exclude.clone() });
    if diagnostics.has_errors() {
        let outcome = Outcome { sources, diagnostics, base_path, links: found, result: Err(BuildError::Invalid) };
        return (outcome, None);
    }
    let live = Live { prepared: Arc::clone(&prepared), sources: sources.clone(), data, links };
    timing("preview: done", t);
    (Outcome { sources, diagnostics, base_path, links: found, result: Ok(prepared) }, Some(live))
}

/// Builds the site at `root` into `out`. On any error `out` is left as it was.
pub fn build(root: &Path, out: &Path) -> Outcome<Summary> {
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
    run(
        root,
        false,
        |p| Ok(Output::open(out, p.entries.iter().map(|e| e.path.as_str()), Some(manifest_path(root, out)))?),
        |p, output| {
            let written = output.commit(p.entries.iter().map(|e| e.path.as_str()))?;
            Ok(Summary {
                pages: p.entries.iter().filter(|e| matches!(e.kind, Kind::Page(_))).count(),
                reports: p.reports(),
                files: p.entries.len(),
                written,
                elapsed: start.elapsed(),
            })
        },
    )
}

/// Where the fingerprints of the open data written into `out` are kept: in
/// the site's cache folder, not in the output (which is deployed as it is).
fn manifest_path(root: &Path, out: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    let mut h = std::hash::DefaultHasher::new();
    out.hash(&mut h);
    root.join(".portal-cache").join(format!("build-{:016x}.txt", h.finish()))
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

/// With `PORTAL_TIMINGS` set, prints how long a stage took (for the benchmark).
fn timing(stage: &str, since: Instant) {
    timing_cpu(stage, since.elapsed());
}

fn timing_cpu(stage: &str, spent: Duration) {
    if std::env::var_os("PORTAL_TIMINGS").is_some() {
        // Resident memory now (Linux), to see which stage holds what.
        let rss = std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(String::new(), |pages| format!(", {} MiB resident", pages * 4096 / (1 << 20)));
        eprintln!("timing: {stage} {:.3} s{rss}", spent.as_secs_f64());
    }
}
