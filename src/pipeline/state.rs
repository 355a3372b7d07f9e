//! What a run keeps for the next, in `.portal-cache/state.bin`: the site as
//! loaded, the stamps of the files it was read from, and what each file of
//! the site left for the link inspection, with a hash of its bytes.
//!
//! A run whose sources differ from the stamps only in the `report.md` or
//! `data.toml` of reports the site already has reads those reports again,
//! checks all the data again (the figures need no parsing), and renders and
//! inspects again only the pages that show an edited report. The other
//! pages' links come from the state, and a build leaves their output alone
//! when the output still holds them as written. Anything else (a file added
//! or removed, `site.toml`, a theme, `agency.toml`, another version of
//! `portal`, a state that cannot be read, a link to a folder among the
//! sources) makes a full run, which keeps a new state. A run that lists
//! external links (`check --external` or `--report`) after one that did not
//! inspects every page again. A site whose file names are not all UTF-8
//! keeps none: its stamps cannot be written.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostics;
use crate::layout::source;
use crate::linkcheck::{PageLinks, SavedLinks};
use crate::load::{self, Loaded, Stamp, Stamps};
use crate::markdown::html::RawHtml;
use crate::model::{Agency, AgencyInfo, Report, ReportIx, Site};
use crate::publish::Publish;
use crate::sources::{FileId, Sources};

/// Bump when what is saved, or what it means, changes.
const REVISION: u32 = 4;

/// After this many edited reports a run keeps a new state, so that later
/// runs do not read them again.
const REKEEP_AFTER: usize = 16;

/// An agency as kept: its settings as JSON, since they are read from TOML
/// in ways a compact format cannot replay. Borrowed to write it.
#[derive(Serialize, Deserialize)]
struct SavedAgency<'a> {
    slug: Cow<'a, str>,
    info: String,
    file: FileId,
    reports: Cow<'a, [Arc<Report>]>,
}

/// The first chunk of the file. The agencies and the pages' links follow in
/// chunks of their own, each read and decoded in turn, so that the file is
/// never held whole. Borrowed to write it.
#[derive(Serialize, Deserialize)]
struct Header<'a> {
    key: String,
    day: String,
    drafts: Option<String>,
    stamps: Cow<'a, Stamps>,
    sources: Cow<'a, Sources>,
    /// What loading found (the checks of the data are run again).
    loaded: Cow<'a, Diagnostics>,
    /// A hash of the paths of the site's files, which the per-file data follows.
    entries: u64,
    /// Per file, a hash of its bytes (`None` where it was not produced).
    hashes: Cow<'a, [Option<u64>]>,
    /// Whether the pages' external links were listed (for `check --external`).
    external: bool,
    agencies: usize,
    link_chunks: usize,
}

/// Pages per chunk of links.
const LINK_CHUNK: usize = 2048;

/// What a run found for its files, kept with the site.
pub(super) struct Kept<'a> {
    pub stamps: Stamps,
    pub site: &'a Site,
    pub sources: &'a Sources,
    pub loaded: &'a Diagnostics,
    pub entries: u64,
    pub links: &'a [PageLinks],
    pub hashes: &'a [Option<u64>],
    /// Whether `links` list the external links.
    pub external: bool,
    /// The day the site was checked for ([`Publish::day_key`]).
    pub day: String,
    /// The choice of drafts, when the site has any ([`Publish::drafts_key`]).
    pub drafts: Option<String>,
}

/// A previous run's state brought up to date with the sources.
pub(super) struct Restored {
    pub loaded: Loaded,
    /// The reports read again.
    pub edited: Vec<ReportIx>,
    pub entries: u64,
    pub links: Vec<PageLinks>,
    pub hashes: Vec<Option<u64>>,
    /// Whether `links` list the external links.
    pub external: bool,
    /// Whether to keep a new state after this run.
    pub keep: bool,
    /// The sources' stamps now, to keep with it.
    pub stamps: Stamps,
}

fn path(root: &Path) -> PathBuf {
    source::state_file(root)
}

/// What must match for a state to be used: this very `portal` (its
/// version, and the binary itself, since a rebuilt binary may render
/// differently), and the site where it is (the state holds paths on disk).
fn key(root: &Path) -> String {
    let exe = std::env::current_exe().ok().and_then(|p| fs::metadata(p).ok());
    let exe = exe.as_ref().map(Stamp::file);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    format!("portal {} r{REVISION} {exe:?} {}", env!("CARGO_PKG_VERSION"), root.display())
}

/// The start of the name a state has while it is written; a run killed then
/// leaves the file behind.
const TMP_PREFIX: &str = ".state-";

/// Removes the states that killed runs left half-written in `dir`. One that
/// is less than an hour old may be another run's, still being written.
fn remove_left_over(dir: &Path) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let stale = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < hour_ago);
        if stale && entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes the state of a run; a failure only costs the next run its speed.
pub(super) fn keep(root: &Path, kept: Kept<'_>) -> io::Result<()> {
    let path = path(root);
    let dir = path.parent().unwrap_or(root);
    fs::create_dir_all(dir)?;
    remove_left_over(dir);
    let tmp = tempfile::Builder::new().prefix(TMP_PREFIX).tempfile_in(dir)?;
    let mut w = io::BufWriter::with_capacity(1 << 20, tmp);
    let header = Header {
        key: key(root),
        day: kept.day,
        drafts: kept.drafts,
        stamps: Cow::Borrowed(&kept.stamps),
        sources: Cow::Borrowed(kept.sources),
        loaded: Cow::Borrowed(kept.loaded),
        entries: kept.entries,
        hashes: Cow::Borrowed(kept.hashes),
        external: kept.external,
        agencies: kept.site.agencies.len(),
        link_chunks: kept.links.chunks(LINK_CHUNK).len(),
    };
    // The chunks are encoded on every core, a window at a time so that only a
    // window's bytes are held; the header, the largest, beside the first.
    let agency = |a: &Agency| {
        let info = serde_json::to_string(&a.info).map_err(io::Error::other)?;
        encode(&SavedAgency { slug: Cow::Borrowed(&a.slug), info, file: a.file, reports: Cow::Borrowed(&a.reports) })
    };
    let link_chunk = |links: &[PageLinks]| encode(&SavedLinks::new(links));
    let mut write =
        |chunks: Vec<io::Result<Vec<u8>>>| chunks.into_iter().try_for_each(|c| io::Write::write_all(&mut w, &c?));
    let mut windows = kept.site.agencies.chunks(WINDOW);
    let (header, first) = rayon::join(
        || encode(&header),
        || windows.next().map(|window| window.par_iter().map(agency).collect()).unwrap_or_default(),
    );
    write(vec![header])?;
    write(first)?;
    for window in windows {
        write(window.par_iter().map(agency).collect())?;
    }
    for window in kept.links.chunks(LINK_CHUNK * WINDOW) {
        write(window.par_chunks(LINK_CHUNK).map(link_chunk).collect())?;
    }
    let tmp = w.into_inner().map_err(io::IntoInnerError::into_error)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// How many chunks are encoded at once.
const WINDOW: usize = 64;

/// A chunk as the file holds it: its length, then its postcard encoding.
fn encode(value: &impl Serialize) -> io::Result<Vec<u8>> {
    let mut out = postcard::to_extend(value, vec![0; 8]).map_err(io::Error::other)?;
    let len = (out.len() - 8) as u64;
    out[..8].copy_from_slice(&len.to_le_bytes());
    Ok(out)
}

/// Reads the next chunk into `buf` and decodes it; `None` on any problem.
fn read_chunk<T: serde::de::DeserializeOwned>(r: &mut impl io::Read, buf: &mut Vec<u8>) -> Option<T> {
    let mut len = [0; 8];
    r.read_exact(&mut len).ok()?;
    let len = usize::try_from(u64::from_le_bytes(len)).ok()?;
    buf.clear();
    io::Read::read_to_end(&mut io::Read::take(&mut *r, len as u64), buf).ok()?;
    (buf.len() == len).then(|| postcard::from_bytes(buf).ok()).flatten()
}

/// The state the previous run kept, brought up to date with the sources at
/// `root`; or, when a full run is needed, the stamps it should keep.
pub(super) fn restore(root: &Path, publish: &Publish) -> Result<Restored, Stamps> {
    let t = std::time::Instant::now();
    let stamps = Stamps::take(root);
    super::timing("stamps", t);
    let Ok(file) = fs::File::open(path(root)) else { return Err(stamps) };
    let mut r = io::BufReader::with_capacity(1 << 20, file);
    let mut buf = Vec::new();
    let Some(header) = read_chunk::<Header<'static>>(&mut r, &mut buf) else { return Err(stamps) };
    // A state is for one day (a scheduled report is due on a later one) and,
    // if the site has drafts, for one choice of them (the site kept has no
    // held-back report, or shows them marked).
    let drafts_differ = header.drafts.as_ref().is_some_and(|d| *d != publish.mode_key());
    if header.key != key(root) || header.day != publish.day_key() || drafts_differ {
        return Err(stamps);
    }
    let Some(edits) = edits(&header.stamps, &stamps) else { return Err(stamps) };
    let Some(config) = load::config(root) else { return Err(stamps) };
    let agencies: Option<Vec<Agency>> = (0..header.agencies)
        .map(|_| {
            let a: SavedAgency<'static> = read_chunk(&mut r, &mut buf)?;
            let info: AgencyInfo = serde_json::from_str(&a.info).ok()?;
            Some(Agency { slug: a.slug.into_owned(), info, file: a.file, reports: a.reports.into_owned() })
        })
        .collect();
    let Some(agencies) = agencies else { return Err(stamps) };
    let mut links = Vec::with_capacity(header.hashes.len());
    for _ in 0..header.link_chunks {
        let Some(chunk) = read_chunk::<SavedLinks<'static>>(&mut r, &mut buf).and_then(SavedLinks::restore) else {
            return Err(stamps);
        };
        links.extend(chunk);
    }
    drop(buf);
    let Header { sources, loaded, entries, hashes, external, .. } = header;
    let (mut sources, mut diagnostics, hashes) = (sources.into_owned(), loaded.into_owned(), hashes.into_owned());
    sources.set_root(root);
    if links.len() != hashes.len() {
        return Err(stamps);
    }
    let mut site = Site { config, agencies };
    let mut edited = Vec::new();
    for (slug, year) in &edits {
        let Some(r) = site.find_agency(slug).and_then(|a| site.report_of(a, *year)) else { return Err(stamps) };
        let old = Arc::clone(&site.agency(r.agency).reports[r.index]);
        let summary = site.agency(r.agency).info.summary.is_some();
        let (report, found) = load::reload_report(root, &mut sources, slug, *year, summary, RawHtml::of(&site.config));
        // A report that no longer reads is for the full load to report; one
        // that changed format changes what its neighbours' rules, charts and
        // sums see, and the per-format parts of pages: a full run.
        let Some(report) = report.filter(|n| !found.has_errors() && n.format == old.format) else {
            return Err(stamps);
        };
        // A report that became a draft, or stopped being one, changes which files the site has.
        if publish.status(report.status, report.date) != old.status {
            return Err(stamps);
        }
        let folder = source::report_dir(slug, *year);
        let files: HashSet<_> = std::iter::once(old.markdown_file).chain(old.data_file).collect();
        diagnostics.forget(&files, &folder);
        diagnostics.extend(found);
        site.agency_mut(r.agency).reports[r.index] = Arc::new(report);
        edited.push(r);
    }
    diagnostics.sort(&sources);
    let keep = edited.len() > REKEEP_AFTER;
    Ok(Restored {
        loaded: Loaded { site: Some(site), sources, diagnostics },
        edited,
        entries,
        links,
        hashes,
        external,
        keep,
        stamps,
    })
}

/// The reports whose `report.md` or `data.toml` changed, as (folder name,
/// year); `None` if anything else changed, or if the sources cannot all be
/// followed.
fn edits(before: &Stamps, now: &Stamps) -> Option<Vec<(String, u16)>> {
    if !now.complete() {
        return None;
    }
    let mut out: Vec<(String, u16)> = Vec::new();
    for difference in now.since(before) {
        let report = difference.edited.then(|| source::report_file(difference.path)).flatten()?;
        if !out.contains(&report) {
            out.push(report);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_left_half_written_are_removed_once_an_hour_old() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new, other) =
            (dir.path().join(".state-old"), dir.path().join(".state-new"), dir.path().join("state.bin"));
        for path in [&old, &new, &other] {
            fs::write(path, "x").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for path in [&old, &other] {
            fs::File::options().write(true).open(path).unwrap().set_modified(two_hours_ago).unwrap();
        }
        remove_left_over(dir.path());
        assert!(!old.exists(), "a killed run's");
        assert!(new.exists(), "perhaps another run's, being written");
        assert!(other.exists(), "not a state being written");
    }

    #[test]
    fn only_report_files_of_known_folders_are_edits() {
        let site = tempfile::tempdir().unwrap();
        let at = |rel: &str| site.path().join(rel);
        fs::create_dir_all(at("content/a/2024")).unwrap();
        for rel in ["site.toml", "content/a/agency.toml", "content/a/2024/report.md", "content/a/2024/data.toml"] {
            fs::write(at(rel), "x").unwrap();
        }
        let before = Stamps::take(site.path());
        assert_eq!(edits(&before, &Stamps::take(site.path())), Some(vec![]));
        fs::write(at("content/a/2024/report.md"), "xy").unwrap();
        fs::write(at("content/a/2024/data.toml"), "xy").unwrap();
        assert_eq!(edits(&before, &Stamps::take(site.path())), Some(vec![("a".to_owned(), 2024)]));
        for (rel, what) in [("content/a/agency.toml", "agency.toml"), ("site.toml", "site.toml")] {
            let before = Stamps::take(site.path());
            fs::write(at(rel), "xyz").unwrap();
            assert_eq!(edits(&before, &Stamps::take(site.path())), None, "{what}");
            fs::remove_file(at(rel)).unwrap();
            assert_eq!(edits(&before, &Stamps::take(site.path())), None, "{what} removed");
            fs::write(at(rel), "x").unwrap();
        }
        let before = Stamps::take(site.path());
        fs::write(at("content/a/2024/x.pdf"), "x").unwrap();
        assert_eq!(edits(&before, &Stamps::take(site.path())), None, "an attachment added");
    }
}
