//! The plan of a site's files, and producing any one of them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{BuildError, Progress, Sink};
use crate::layout::{name, url};
use crate::linkcheck::{self, Apart, Inspection, Inspector, PageLinks, PageSource};
use crate::load;
use crate::model::{AgencyIx, ReportIx, Site};
use crate::output;
use crate::output::search::{self, Index};
use crate::render::{self, Content, PageKind, PartKind, RenderError, Renderer, Theme};
use crate::validate::Review;

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
    /// A report's `data.json` / `data.csv`.
    ReportJson(ReportIx),
    ReportCsv(ReportIx),
    /// A file of `/data/` but its page: the bulk CSV files, their codebook,
    /// `reports.json`, `schema.json`.
    Bulk(output::opendata::Bulk),
    Sitemap,
    Feed,
    Asset(Content),
    /// A file of the search index.
    Search(SearchFile),
}

/// A file of the search index (`search/`).
#[derive(Debug, Clone, Copy)]
pub enum SearchFile {
    /// `meta.json`.
    Meta,
    /// `labels.txt`.
    Labels,
    /// A shard of the postings.
    Shard(u32),
    /// The titles and texts of a pack of reports.
    Pack(search::PackId),
}

/// A loaded, valid site and everything needed to produce any of its files on
/// demand: what a build writes, `portal check` inspects and `portal serve` serves.
pub struct Prepared {
    pub site: Site,
    pub review: Review,
    // What does not change when a report is edited is shared with the next preview.
    pub(super) theme: Arc<Theme>,
    pub(super) shared: Arc<render::Shared>,
    pub(super) open: Arc<output::opendata::OpenData>,
    /// Every file, sorted by path.
    pub entries: Arc<Vec<Entry>>,
    /// Their paths as the link inspection compares them, in the same order and as a set.
    /// Where it differs from the path (rarely: a path with non-ASCII letters).
    pub(super) decoded: Arc<Vec<Option<String>>>,
    pub(super) decoded_set: Arc<HashSet<String>>,
    pub(super) texts: Arc<Texts>,
    /// Per agency and report, a hash of what the open data shows of it.
    pub(super) report_prints: OnceLock<Vec<Vec<u64>>>,
    /// The search index, made when a file of it is first asked for.
    pub(super) search: OnceLock<Arc<Index>>,
    /// After an edit, the shard files that change, patched from the previous
    /// build's (`None`: the whole index is made).
    pub(super) patched: OnceLock<Option<BTreeMap<u32, Vec<u8>>>>,
}

/// Where report pages get their `report.md` from.
pub(super) enum Texts {
    /// Read again for each page: a build holds no narrative.
    Disk,
    /// Read once, per agency and report: `portal serve` must show the checked
    /// version of a page even while its file is being edited.
    Kept(Vec<Vec<Arc<str>>>),
}

impl Prepared {
    /// Plans the files of `site`; fails on a theme error or a static file
    /// that has the path of a generated one.
    pub(crate) fn new(site: Site, review: Review, root: &Path) -> Result<Self, BuildError> {
        let theme = Theme::load(root, &site.config.theme, &site.config.base_url)?;
        let shared = render::Shared::new(&site);
        let renderer = Renderer::new(&site, &theme, &review, &shared);
        let mut entries: Vec<Entry> =
            renderer.pages().into_iter().map(|(path, kind)| Entry { path, kind: Kind::Page(kind) }).collect();
        entries.extend(renderer.assets(root).into_iter().map(|a| Entry { path: a.path, kind: Kind::Asset(a.content) }));
        for (r, report) in site.reports() {
            let (year, slug) = (report.year, &site.agency(r.agency).slug);
            // A free-form report has no figures: no data.json or data.csv.
            if output::opendata::OpenData::has_sheet(&site, report) {
                entries.push(Entry { path: url::report_json(year, slug), kind: Kind::ReportJson(r) });
                entries.push(Entry { path: url::report_csv(year, slug), kind: Kind::ReportCsv(r) });
            }
        }
        entries.extend(
            output::opendata::bulk_files(&site)
                .into_iter()
                .map(|f| Entry { path: url::data_file(&f.name), kind: Kind::Bulk(f.bulk) }),
        );
        if site.config.search.enabled {
            entries.push(Entry { path: search::META.to_owned(), kind: Kind::Search(SearchFile::Meta) });
            entries.push(Entry { path: search::LABELS.to_owned(), kind: Kind::Search(SearchFile::Labels) });
            let shards = search::shard_count(site.reports().count());
            entries.extend(
                (0..shards).map(|n| Entry { path: search::shard_path(n), kind: Kind::Search(SearchFile::Shard(n)) }),
            );
            entries.extend(
                search::packs(&site)
                    .into_iter()
                    .map(|p| Entry { path: search::pack_path(p), kind: Kind::Search(SearchFile::Pack(p)) }),
            );
        }
        if site.config.pages.sitemap {
            entries.push(Entry { path: url::SITEMAP.to_owned(), kind: Kind::Sitemap });
        }
        if site.config.pages.feed {
            entries.push(Entry { path: url::FEED.to_owned(), kind: Kind::Feed });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some(w) = entries.windows(2).find(|w| w[0].path == w[1].path) {
            return Err(BuildError::Collision { path: w[0].path.clone() });
        }
        // The site is copied to Windows PCs and Macs as it is: every name must be one they can hold.
        if let Some((path, (part, why))) = entries.iter().find_map(|e| Some((&e.path, name::path_problem(&e.path)?))) {
            return Err(BuildError::Unportable { path: path.clone(), why: format!("“{part}”{why}") });
        }
        if let Some((a, b)) = name::clash(entries.iter().map(|e| e.path.as_str())) {
            let why = format!("与 {a} 只有大小写或 Unicode 写法不同，在 Windows 和 macOS 上是同一个名字");
            return Err(BuildError::Unportable { path: b.to_owned(), why });
        }
        let open = output::opendata::OpenData::new(&site);
        let decoded = linkcheck::site_paths(entries.iter().map(|e| e.path.as_str()));
        let differing = decoded.iter().zip(&entries).map(|(d, e)| (*d != e.path).then(|| d.clone())).collect();
        Ok(Self {
            site,
            review,
            theme: Arc::new(theme),
            shared: Arc::new(shared),
            open: Arc::new(open),
            entries: Arc::new(entries),
            decoded: Arc::new(differing),
            decoded_set: Arc::new(decoded.into_iter().collect()),
            texts: Arc::new(Texts::Disk),
            report_prints: OnceLock::new(),
            search: OnceLock::new(),
            patched: OnceLock::new(),
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
        use output::opendata::Bulk;
        let site = &self.site;
        Ok(match &entry.kind {
            Kind::Page(kind) => self.render(*kind)?.0.into_bytes(),
            Kind::ReportJson(r) => self.report_json(*r),
            Kind::ReportCsv(r) => self.open.sheet(site, site.agency(r.agency), site.report(*r)),
            Kind::Bulk(Bulk::Wide { .. } | Bulk::Json) => {
                let mut out = Vec::new();
                self.produce_to(entry, &mut out)
                    .map_err(|e| RenderError::Io { path: entry.path.clone().into(), source: e })?;
                out
            }
            Kind::Bulk(Bulk::Columns) => self.open.codebook(),
            Kind::Bulk(Bulk::Schema) => self.open.schema(&site.config.base_url),
            Kind::Sitemap => {
                let mut dirs: Vec<String> =
                    self.entries.iter().filter_map(|e| url::page_dir(&e.path)).map(str::to_owned).collect();
                dirs.sort();
                output::sitemap::sitemap(&site.config.base_url, &dirs).into_bytes()
            }
            Kind::Feed => output::feed::feed(site).into_bytes(),
            Kind::Search(SearchFile::Meta) => search::meta(site),
            Kind::Search(SearchFile::Labels) => search::labels_file(site),
            Kind::Search(SearchFile::Shard(n)) => {
                match self.patched.get().and_then(Option::as_ref).and_then(|p| p.get(n)) {
                    Some(bytes) => bytes.clone(),
                    None => self.search_index().shard_file(*n),
                }
            }
            Kind::Search(SearchFile::Pack(p)) => {
                let mut docs = Vec::new();
                for (doc, r) in search::pack_members(site, *p) {
                    docs.push((doc, search::DocText::of(site, r, &self.text(r)?)));
                }
                search::pack_file(&docs)
            }
            Kind::Asset(content) => content
                .bytes()
                .map_err(|source| RenderError::Io { path: entry.path.clone().into(), source })?
                .into_owned(),
        })
    }

    /// Whether a file is large enough to be written as it is made.
    fn streamed(kind: &Kind) -> bool {
        use output::opendata::Bulk;
        matches!(kind, Kind::Bulk(Bulk::Wide { .. } | Bulk::Json))
    }

    /// Writes a bulk open-data file as it is made, report by report.
    fn produce_to(&self, entry: &Entry, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use output::opendata::{Bulk, collection_json};
        let site = &self.site;
        match &entry.kind {
            Kind::Bulk(Bulk::Wide { format, year }) => self.open.write_wide(site, *format, *year, out),
            Kind::Bulk(Bulk::Json) => {
                let all = site.reports().filter(|(_, r)| output::opendata::OpenData::has_sheet(site, r));
                collection_json(&self.open.notices(), all.map(|(r, _)| self.report_json(r)), out)
            }
            _ => Ok(()),
        }
    }

    /// The search index, made on first use from every report's `report.md`.
    pub(super) fn search_index(&self) -> &Arc<Index> {
        self.search.get_or_init(|| Arc::new(Index::build(&self.site, &|r| self.doc_text(r), None)))
    }

    /// Report `r`'s text for the search index, from its `report.md`.
    fn doc_text(&self, r: ReportIx) -> Option<search::DocText> {
        self.text(r).ok().map(|markdown| search::DocText::of(&self.site, r, &markdown))
    }

    /// [`Prepared::search_index`], made with the text packs, which are put
    /// into `sink` as they are made: each report's text is read once for
    /// both. Gives each pack's entry and what putting it gave; a pack not
    /// among them is to be made as any file is.
    fn index_with_packs(
        &self,
        sink: &impl Sink,
        progress: &dyn Progress,
    ) -> Vec<(usize, Result<Produced, BuildError>)> {
        let made = Mutex::new(Vec::new());
        let put = |p: search::PackId, bytes: Vec<u8>| {
            let path = search::pack_path(p);
            let Ok(n) = self.entries.binary_search_by(|e| e.path.as_str().cmp(&path)) else { return };
            let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
            let result = sink.put(&path, &bytes, Some(hash)).map(|()| Produced {
                links: PageLinks::default(),
                hash: Some(hash),
                reused: false,
            });
            progress.file_done();
            made.lock().unwrap_or_else(|e| e.into_inner()).push((n, result));
        };
        self.search.get_or_init(|| Arc::new(Index::build(&self.site, &|r| self.doc_text(r), Some(&put))));
        made.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn report_json(&self, r: ReportIx) -> Vec<u8> {
        let data = output::opendata::report_data(&self.site, &self.review.summaries, r);
        output::opendata::to_json(&data)
    }

    /// A hash of everything an open-data file is made from (`None` for other
    /// files): the same fingerprint, the same bytes.
    fn fingerprint(&self, entry: &Entry) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        if !matches!(entry.kind, Kind::ReportJson(..) | Kind::ReportCsv(..) | Kind::Bulk(..)) {
            return None;
        }
        let site = &self.site;
        let mut h = std::hash::DefaultHasher::new();
        // Code that writes the files differently must not trust older fingerprints.
        (env!("CARGO_PKG_VERSION"), OPEN_DATA_REVISION, &entry.path).hash(&mut h);
        (site.config.base_url.absolute(url::HOME), self.open.notices(), &site.config.data.licence).hash(&mut h);
        // Each report's part is hashed once per build: the bulk files count every report again.
        let prints = self.report_prints.get_or_init(|| {
            let print = |ix: ReportIx| {
                let mut h = std::hash::DefaultHasher::new();
                let (agency, r) = (site.agency(ix.agency), site.report(ix));
                let info = &agency.info;
                (&agency.slug, &info.name, &info.region, &info.parent, agency.level().label()).hash(&mut h);
                (r.year, &r.title, output::opendata::format_of(site, r).notice).hash(&mut h);
                (r.date.year, r.date.month, r.date.day).hash(&mut h);
                r.figures.fingerprint(&mut h);
                if let Some(s) = self.review.summaries.report(ix.agency, r.year) {
                    let slugs = |m: &[AgencyIx]| m.iter().map(|&m| site.agency(m).slug.clone()).collect::<Vec<_>>();
                    (slugs(&s.members), slugs(&s.missing), s.computed).hash(&mut h);
                }
                h.finish()
            };
            site.indexed()
                .map(|(agency, ag)| (0..ag.reports.len()).map(|index| print(ReportIx { agency, index })).collect())
                .collect()
        });
        let mut report = |r: ReportIx| h.write_u64(prints[r.agency.index()][r.index]);
        use output::opendata::Bulk;
        match &entry.kind {
            Kind::ReportJson(r) | Kind::ReportCsv(r) => report(*r),
            Kind::Bulk(Bulk::Json) => site.reports().for_each(|(r, _)| report(r)),
            Kind::Bulk(Bulk::Wide { format, year }) => site
                .reports()
                .filter(|(_, rep)| self.open.holds(site, *format, *year, rep))
                .for_each(|(r, _)| report(r)),
            _ => {}
        }
        Some(h.finish())
    }

    fn renderer(&self) -> Renderer<'_> {
        Renderer::new(&self.site, &self.theme, &self.review, &self.shared)
    }

    /// A page's HTML. For a report's page its `report.md` is read again (the
    /// model keeps where its parts are, not their text) and given back, for
    /// the link inspection.
    fn render(&self, kind: PageKind) -> Result<(render::Html, Option<Arc<str>>), BuildError> {
        let text = match kind {
            PageKind::Report(r) => Some(self.text(r)?),
            _ => None,
        };
        let html = self.renderer().render(kind, text.as_deref())?;
        Ok((html, text))
    }

    /// Report `r`'s `report.md` as loaded.
    pub(super) fn text(&self, r: ReportIx) -> Result<Arc<str>, BuildError> {
        if let Texts::Kept(texts) = &*self.texts
            && let Some(text) = texts.get(r.agency.index()).and_then(|t| t.get(r.index))
        {
            return Ok(Arc::clone(text));
        }
        let report = self.site.report(r);
        let text = load::narrative_text(report)
            .map_err(|source| RenderError::Io { path: report.narrative.source.clone(), source })?;
        Ok(Arc::from(text))
    }

    /// Reads every report's `report.md` once, for [`Texts::Kept`].
    pub(super) fn read_texts(&self) -> Result<Vec<Vec<Arc<str>>>, BuildError> {
        self.site
            .agencies
            .par_iter()
            .enumerate()
            .map(|(a, agency)| {
                let agency_ix = AgencyIx::new(a);
                (0..agency.reports.len()).map(|index| self.text(ReportIx { agency: agency_ix, index })).collect()
            })
            .collect()
    }

    /// Where the links of a file were written.
    pub(crate) fn source<'a>(&'a self, entry: &'a Entry) -> PageSource<'a> {
        self.source_with(entry, None)
    }

    /// [`Prepared::source`], with a report page's `report.md` if at hand.
    fn source_with<'a>(&'a self, entry: &'a Entry, text: Option<&'a str>) -> PageSource<'a> {
        match &entry.kind {
            Kind::Page(PageKind::Report(r)) => PageSource::Report(self.site.report(*r), text),
            Kind::Asset(Content::File(path)) => PageSource::File(path),
            _ => PageSource::Generated,
        }
    }

    pub(super) fn inspector(&self, external: bool) -> Inspector<'_> {
        Inspector::new(&self.site.config.base_url, Arc::clone(&self.decoded_set), external)
    }

    /// Produces every file, in parallel, hands each to `sink` and inspects
    /// its links; nothing is kept but what the inspection needs: per file,
    /// what [`Prepared::inspection`] reads. External links are listed only
    /// when `external` is set. With `prior`, a file that need not be made
    /// again is not: its links are what the previous run found.
    pub(crate) fn produce_all(
        &self,
        sink: &impl Sink,
        external: bool,
        prior: Option<Prior<'_>>,
        progress: &dyn Progress,
    ) -> Result<Vec<Produced>, BuildError> {
        let inspector = self.inspector(external);
        let (redo, hashes, old) = match prior {
            Some(Prior { redo, hashes, links }) => (Some(redo), Some(hashes), links),
            None => (None, None, Vec::new()),
        };
        // Per file, what the previous run found, taken as the file is made again.
        let mut made: Vec<(Option<PageLinks>, Result<Produced, BuildError>)> = if old.len() == self.entries.len() {
            old.into_iter().map(|l| (Some(l), Ok(Produced::default()))).collect()
        } else {
            (0..self.entries.len()).map(|_| (None, Ok(Produced::default()))).collect()
        };
        let known = |n: usize| redo.zip(hashes).map(|(redo, hashes)| (redo[n], hashes[n]));
        let one = |n: usize, slot: &mut (Option<PageLinks>, Result<Produced, BuildError>)| {
            let reuse = slot.0.is_some().then(|| known(n)).flatten();
            slot.1 = self.produce_one(&inspector, sink, reuse, n);
            progress.file_done();
            match &mut slot.1 {
                Ok(p) if p.reused => p.links = slot.0.take().unwrap_or_default(),
                _ => slot.0 = None,
            }
        };
        // After an edit, the shards it touches are patched from the previous build's files.
        let patched = redo.filter(|_| sink.wants_all()).and_then(|redo| self.patch_index(sink, redo));
        let patching = patched.is_some();
        let _ = self.patched.set(patched);
        // Else the search index is made once, beside the bulk files, before its files are asked for.
        let index_first =
            sink.wants_all()
                && !patching
                && self.entries.iter().enumerate().any(|(n, e)| {
                    matches!(e.kind, Kind::Search(SearchFile::Shard(_))) && redo.is_none_or(|redo| redo[n])
                });
        // When every pack is to be made, the index makes them, from the same reading of the texts.
        let with_packs = index_first && redo.is_none();
        // The bulk files first: each is one long task, which must not be left for the end.
        let (mut first, mut rest, mut packs) = (Vec::new(), Vec::new(), Vec::new());
        for (n, slot) in made.iter_mut().enumerate() {
            match &self.entries[n].kind {
                Kind::Search(SearchFile::Pack(_)) if with_packs => packs.push((n, slot)),
                // Made after the index, in its arm: a thread that asked for a shard
                // sooner would wait for the index instead of helping to make it.
                Kind::Search(SearchFile::Shard(_)) if index_first => first.push((n, slot)),
                kind if Self::streamed(kind) => first.push((n, slot)),
                _ => rest.push((n, slot)),
            }
        }
        let (packed, ()) = rayon::join(
            || {
                let packed = if with_packs {
                    self.index_with_packs(sink, progress)
                } else {
                    if index_first {
                        self.search_index();
                    }
                    Vec::new()
                };
                first.par_iter_mut().for_each(|(n, slot)| one(*n, slot));
                packed
            },
            || rest.par_iter_mut().for_each(|(n, slot)| one(*n, slot)),
        );
        let mut packed: HashMap<usize, Result<Produced, BuildError>> = packed.into_iter().collect();
        let mut unmade = Vec::new();
        for (n, slot) in packs {
            match packed.remove(&n) {
                Some(result) => slot.1 = result,
                None => unmade.push((n, slot)),
            }
        }
        // A pack the index did not make (a text could not be read) is made alone, and says why.
        unmade.par_iter_mut().for_each(|(n, slot)| one(*n, slot));
        made.into_iter().map(|(_, result)| result).collect()
    }

    /// [`Prepared::produce_all`] for file `n`; `known`: whether the previous
    /// run's file must be made again, and the hash of its bytes.
    fn produce_one(
        &self,
        inspector: &Inspector<'_>,
        sink: &impl Sink,
        known: Option<(bool, Option<u64>)>,
        n: usize,
    ) -> Result<Produced, BuildError> {
        let entry = &self.entries[n];
        let nothing = Produced::default();
        // A shard the patched edit does not touch stays as the previous build wrote it.
        if let Kind::Search(SearchFile::Shard(s)) = entry.kind
            && let Some(Some(patched)) = self.patched.get()
            && !patched.contains_key(&s)
            && let Some(hash) = sink.keep_previous(&entry.path)
        {
            return Ok(Produced { links: PageLinks::default(), hash: Some(hash), reused: true });
        }
        let fingerprint = self.fingerprint(entry);
        if let Some((false, hash)) = known
            && fingerprint.is_none()
            && (!sink.wants_all() || hash.is_some_and(|h| sink.is_current(&entry.path, h)))
        {
            return Ok(Produced { links: PageLinks::default(), hash, reused: true });
        }
        if !sink.wants_all() && !linkcheck::has_links(&entry.path) {
            return Ok(nothing);
        }
        if fingerprint.is_some_and(|fp| sink.is_current(&entry.path, fp)) {
            return Ok(nothing);
        }
        if Self::streamed(&entry.kind) {
            sink.put_stream(&entry.path, fingerprint, &mut |w| self.produce_to(entry, w))?;
            return Ok(nothing);
        }
        // A file made as the previous run made it has the links it found then.
        let same_as = known.and_then(|(redo, hash)| hash.filter(|_| !redo));
        let (bytes, links) = self.produce_inspected(inspector, entry, same_as)?;
        // Open data has the fingerprint of its inputs; any other file, a hash of its bytes
        // (known already when they were found the same as before).
        let hash = fingerprint.is_none().then(|| match links {
            None => same_as.unwrap_or_default(),
            Some(_) => xxhash_rust::xxh3::xxh3_64(&bytes),
        });
        sink.put(&entry.path, &bytes, fingerprint.or(hash))?;
        let reused = links.is_none();
        Ok(Produced { links: links.unwrap_or_default(), hash, reused })
    }

    /// The shard files an edit changes, patched from the previous build's: the
    /// old text of each report of a redone pack is in that pack there. `None`
    /// when nothing is edited, too much is, the previous build numbered the
    /// documents otherwise, or a file of it is missing or changed: then the
    /// whole index is made.
    fn patch_index(&self, sink: &impl Sink, redo: &[bool]) -> Option<BTreeMap<u32, Vec<u8>>> {
        // Beyond this many packs, one pass over every report is as quick.
        const MAX_EDITS: usize = 64;
        let edited: Vec<(&str, search::PackId)> = self
            .entries
            .iter()
            .zip(redo)
            .filter_map(|(e, &redo)| match e.kind {
                Kind::Search(SearchFile::Pack(p)) if redo => Some((e.path.as_str(), p)),
                _ => None,
            })
            .collect();
        if edited.is_empty() || edited.len() > MAX_EDITS {
            return None;
        }
        // The same meta.json maps the same documents to the same agencies and years: the previous
        // output's numbering is this build's (it may be an output of another structure).
        // The same labels mark the same tokens as in the tables.
        if sink.previous(search::META)? != search::meta(&self.site)
            || sink.previous(search::LABELS)? != search::labels_file(&self.site)
        {
            return None;
        }
        let mut edits = Vec::with_capacity(edited.len());
        for (path, p) in edited {
            let previous = sink.previous(path)?;
            // The reports of the pack whose text differs from the previous build's.
            for (doc, r) in search::pack_members(&self.site, p) {
                let old = search::from_pack(&previous, doc)?;
                let new = search::DocText::of(&self.site, r, &self.text(r).ok()?);
                if !new.round_trips() {
                    return None;
                }
                if new != old {
                    edits.push((doc, old, new));
                }
            }
        }
        let docs = self.site.reports().count() as u32;
        Index::patched_shards(docs, &edits, |n| sink.previous(&search::shard_path(n)))
    }

    /// A hash of the paths of the site's files: what the per-file data a run
    /// keeps is aligned with.
    pub(crate) fn entries_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        for e in self.entries.iter() {
            e.path.hash(&mut h);
        }
        h.finish()
    }

    /// Which files to make again after these reports were edited: the pages
    /// that show them, the feed and the sitemap.
    pub(crate) fn redo(&self, edited: &[ReportIx]) -> Vec<bool> {
        let pages: HashSet<PageKind> =
            edited.iter().flat_map(|&r| pages_showing(&self.site, &self.review.summaries, r)).collect();
        self.entries
            .iter()
            .map(|e| match &e.kind {
                Kind::Page(kind) => pages.contains(kind),
                Kind::Feed | Kind::Sitemap => true,
                Kind::Search(SearchFile::Shard(_)) => !edited.is_empty(),
                Kind::Search(SearchFile::Pack(p)) => edited.iter().any(|&r| search::pack_of(&self.site, r) == *p),
                _ => false,
            })
            .collect()
    }

    /// A file and what the inspection found in it, unless its bytes hash to
    /// `same_as`: the same bytes have the same links. Of a page, the frame is
    /// inspected: the tables spliced into it have known ids and no links.
    pub(super) fn produce_inspected(
        &self,
        inspector: &Inspector<'_>,
        entry: &Entry,
        same_as: Option<u64>,
    ) -> Result<(Vec<u8>, Option<PageLinks>), BuildError> {
        // Hashed here only to compare: without a previous hash there is nothing to compare with.
        let same = |hash: &dyn Fn() -> u64| same_as.is_some_and(|h| h == hash());
        Ok(match &entry.kind {
            Kind::Page(kind) => {
                let (html, text) = self.render(*kind)?;
                let links =
                    (!same(&|| html.hash())).then(|| self.inspect_html(inspector, entry, &html, text.as_deref()));
                (html.into_bytes(), links)
            }
            _ => {
                let bytes = self.produce(entry)?;
                let links = (!same(&|| xxhash_rust::xxh3::xxh3_64(&bytes)))
                    .then(|| inspector.page(&entry.path, &bytes, Apart::default(), self.source(entry)));
                (bytes, links)
            }
        })
    }

    /// Inspects a rendered page: its frame is read, the parts spliced into it
    /// are known.
    fn inspect_html(
        &self,
        inspector: &Inspector<'_>,
        entry: &Entry,
        html: &render::Html,
        text: Option<&str>,
    ) -> PageLinks {
        let line = |at, l| html.page_line(at, l);
        let mut ids = Vec::new();
        if let (true, Kind::Page(PageKind::Report(r))) = (html.has(PartKind::Table), &entry.kind) {
            ids.push(Arc::clone(self.shared.table_ids(self.site.report(*r).format)));
        }
        if html.has(PartKind::Chart) {
            ids.push(Arc::clone(&self.shared.chart_ids));
        }
        let apart = Apart {
            ids,
            line: (!html.parts.is_empty()).then_some(&line as &dyn Fn(usize, usize) -> usize),
            known: html.known(),
        };
        inspector.page(&entry.path, html.frame.as_bytes(), apart, self.source_with(entry, text))
    }

    /// Times the dead-link inspection alone, for the benchmark: every page is
    /// rendered first (not timed), then inspected on every core. Returns the
    /// time and the number of links looked at.
    pub fn time_inspection(&self) -> Result<(Duration, usize), BuildError> {
        let rendered: Vec<(usize, render::Html, Option<Arc<str>>)> = self
            .entries
            .par_iter()
            .enumerate()
            .filter_map(|(n, e)| match &e.kind {
                Kind::Page(kind) => Some(self.render(*kind).map(|(html, text)| (n, html, text))),
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
        let pages: Vec<(usize, PageLinks)> = rendered
            .par_iter()
            .map(|(n, html, text)| (*n, self.inspect_html(&inspector, &self.entries[*n], html, text.as_deref())))
            .collect();
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
    pub(crate) fn inspection<L: std::borrow::Borrow<PageLinks>>(&self, links: &[L]) -> Inspection {
        let pages = self.entries.iter().zip(self.decoded.iter()).zip(links);
        let pages =
            pages.map(|((e, d), l)| (e.path.as_str(), d.as_deref().unwrap_or(&e.path), self.source(e), l.borrow()));
        Inspector::finish(pages, &|report| load::narrative_text(report).ok())
    }
}

/// What a previous run left for the files of the same site.
pub(crate) struct Prior<'a> {
    /// Per file: whether it must be made again (it shows an edited report).
    pub redo: &'a [bool],
    /// Per file: a hash of its bytes as the previous run made them.
    pub hashes: &'a [Option<u64>],
    /// Per file: its links, as the previous run found them.
    pub links: Vec<PageLinks>,
}

/// What producing one file left.
#[derive(Default)]
pub(crate) struct Produced {
    /// Its links (the previous run's, where they stand).
    pub links: PageLinks,
    /// A hash of its bytes, except for open data (fingerprinted by its inputs).
    pub hash: Option<u64>,
    /// Whether its links are the previous run's: the file was not made
    /// again, or was made again to the same bytes.
    pub reused: bool,
}

/// The agencies whose figures count an agency's: itself and the summaries
/// that sum it, directly or through others.
pub(super) fn counting(summaries: &crate::summary::Summaries, a: AgencyIx) -> Vec<AgencyIx> {
    let mut affected = vec![a];
    while let Some(more) = summaries
        .members
        .iter()
        .find(|(s, members)| !affected.contains(s) && members.iter().any(|m| affected.contains(m)))
        .map(|(s, _)| *s)
    {
        affected.push(more);
    }
    affected
}

/// The pages that show report `r` or its figures: the home page, its year's
/// page, its agency's page, the report and its neighbours, and the pages of
/// the summaries that count it.
pub(super) fn pages_showing(site: &Site, summaries: &crate::summary::Summaries, r: ReportIx) -> Vec<PageKind> {
    let (a, i) = (r.agency, r.index);
    let agency = site.agency(a);
    let year = agency.reports[i].year;
    let mut pages = vec![
        PageKind::Home,
        PageKind::Year(year),
        PageKind::Compliance(year),
        PageKind::Rankings(year),
        PageKind::Agency(a),
        PageKind::Report(r),
    ];
    pages.extend(
        [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter(|&j| j < agency.reports.len())
            .map(|index| PageKind::Report(ReportIx { agency: a, index })),
    );
    for x in counting(summaries, a).into_iter().skip(1) {
        pages.push(PageKind::Agency(x));
        if let Some(other) = site.report_of(x, year) {
            pages.push(PageKind::Report(other));
        }
    }
    pages
}

/// Bump when the open-data files are written differently, so that a build
/// with new code does not keep files a build with old code wrote.
const OPEN_DATA_REVISION: u32 = 2;
