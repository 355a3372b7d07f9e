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
//! `portal`, a state that cannot be read) makes a full run, which keeps a new
//! state.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostics, FileId, Place, Sources};
use crate::format::Format;
use crate::linkcheck::{LinksToKeep, PageLinks, SavedLinks};
use crate::load::{self, Loaded, SETTINGS, SOURCE_DIRS};
use crate::model::{Agency, AgencyInfo, Report, Site};

/// Bump when what is saved, or what it means, changes.
const REVISION: u32 = 1;

/// After this many edited reports a run keeps a new state, so that later
/// runs do not read them again.
const REKEEP_AFTER: usize = 16;

/// How a file was when it was read: a change to any of these is an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    mtime: i128,
    ctime: i128,
    ino: u64,
    dir: bool,
}

/// Every file and folder a site is read from, by path relative to the root, sorted.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Stamps(Vec<(String, Stamp)>);

impl Stamps {
    /// Takes the stamps of the sources of the site at `root`. Taken before
    /// the sources are read, so that an edit made during a run is seen by the next.
    pub fn take(root: &Path) -> Self {
        let mut out: Vec<(String, Stamp)> =
            std::iter::once(SETTINGS).chain(SOURCE_DIRS.iter().copied()).flat_map(|rel| walk(root, rel)).collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self(out)
    }
}

fn stamp(meta: &fs::Metadata) -> Stamp {
    Stamp {
        len: meta.len(),
        mtime: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        ctime: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        ino: meta.ino(),
        dir: meta.is_dir(),
    }
}

/// The stamps under `rel` (a file or a folder, perhaps missing), folders
/// listed in parallel. A link to a file is stamped as the file it leads to;
/// a link to a folder, or a name that is not UTF-8, is stamped as changed on
/// every run: the state never vouches for what it cannot follow.
fn walk(root: &Path, rel: &str) -> Vec<(String, Stamp)> {
    let path = root.join(rel);
    let Ok(meta) = fs::symlink_metadata(&path) else { return Vec::new() };
    let mut out = Vec::new();
    if meta.is_dir() {
        let (children, odd): (Vec<_>, Vec<_>) = fs::read_dir(&path)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.file_name().into_string())
            .partition(Result::is_ok);
        let children: Vec<String> = children.into_iter().flatten().map(|name| format!("{rel}/{name}")).collect();
        out.extend(children.par_iter().flat_map_iter(|child| walk(root, child)).collect::<Vec<_>>());
        if !odd.is_empty() {
            out.push((format!("{rel}/\0"), Stamp::always_new()));
        }
        // A folder's own stamp changes whenever a file in it is saved by renaming: only its presence counts.
        out.push((rel.to_owned(), Stamp { len: 0, mtime: 0, ctime: 0, ino: 0, dir: true }));
    } else if meta.file_type().is_symlink() {
        let target = fs::metadata(&path).ok().filter(fs::Metadata::is_file);
        out.push((rel.to_owned(), target.as_ref().map_or_else(Stamp::always_new, stamp)));
    } else {
        out.push((rel.to_owned(), stamp(&meta)));
    }
    out
}

impl Stamp {
    /// A stamp no later run can match.
    fn always_new() -> Self {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Self { len: u64::MAX, mtime: now.as_nanos() as i128, ctime: 0, ino: 0, dir: false }
    }
}

/// An agency as kept: its settings as JSON, since they are read from TOML
/// in ways a compact format cannot replay.
#[derive(Deserialize)]
struct SavedAgency {
    slug: String,
    info: String,
    file: FileId,
    reports: Vec<Arc<Report>>,
}

/// [`SavedAgency`] as written, borrowed.
#[derive(Serialize)]
struct AgencyToKeep<'a> {
    slug: &'a str,
    info: String,
    file: FileId,
    reports: &'a [Arc<Report>],
}

/// The first chunk of the file. The agencies and the pages' links follow in
/// chunks of their own, each read and decoded in turn, so that the file is
/// never held whole. `St` and `So` are [`Stamps`] and [`Sources`], borrowed
/// to write them.
#[derive(Serialize, Deserialize)]
struct Header<St, So> {
    key: String,
    stamps: St,
    sources: So,
    /// What loading found (the checks of the data are run again).
    loaded: Diagnostics,
    /// A hash of the paths of the site's files, which the per-file data follows.
    entries: u64,
    /// Per file, a hash of its bytes (`None` where it was not produced).
    hashes: Vec<Option<u64>>,
    agencies: usize,
    link_chunks: usize,
}

/// Pages per chunk of links.
const LINK_CHUNK: usize = 2048;

/// What a run found for its files, kept with the site.
pub struct Kept<'a> {
    pub stamps: Stamps,
    pub site: &'a Site,
    pub sources: &'a Sources,
    pub loaded: &'a Diagnostics,
    pub entries: u64,
    pub links: &'a [PageLinks],
    pub hashes: &'a [Option<u64>],
}

/// A previous run's state brought up to date with the sources.
pub struct Restored {
    pub loaded: Loaded,
    /// The reports read again: (agency index, report index).
    pub edited: Vec<(usize, usize)>,
    pub entries: u64,
    pub links: Vec<PageLinks>,
    pub hashes: Vec<Option<u64>>,
    /// Whether to keep a new state after this run.
    pub keep: bool,
    /// The sources' stamps now, to keep with it.
    pub stamps: Stamps,
}

fn path(root: &Path) -> PathBuf {
    root.join(".portal-cache").join("state.bin")
}

/// What must match for a state to be used: this very `portal` (its
/// version, and the binary itself, since a rebuilt binary may render
/// differently), and the site where it is (the state holds paths on disk).
fn key(root: &Path) -> String {
    let exe = std::env::current_exe().ok().and_then(|p| fs::metadata(p).ok());
    let exe = exe.map(|m| (m.len(), m.mtime(), m.mtime_nsec(), m.ino()));
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    format!("portal {} r{REVISION} {exe:?} {}", env!("CARGO_PKG_VERSION"), root.display())
}

/// Writes the state of a run; a failure only costs the next run its speed.
pub fn keep(root: &Path, kept: Kept<'_>) -> io::Result<()> {
    let path = path(root);
    let dir = path.parent().unwrap_or(root);
    fs::create_dir_all(dir)?;
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut w = io::BufWriter::with_capacity(1 << 20, tmp);
    let header = Header {
        key: key(root),
        stamps: &kept.stamps,
        sources: kept.sources,
        loaded: kept.loaded.clone(),
        entries: kept.entries,
        hashes: kept.hashes.to_vec(),
        agencies: kept.site.agencies.len(),
        link_chunks: kept.links.chunks(LINK_CHUNK).len(),
    };
    write_chunk(&mut w, &header)?;
    for a in &kept.site.agencies {
        let info = serde_json::to_string(&a.info).map_err(io::Error::other)?;
        write_chunk(&mut w, &AgencyToKeep { slug: &a.slug, info, file: a.file, reports: &a.reports })?;
    }
    for links in kept.links.chunks(LINK_CHUNK) {
        write_chunk(&mut w, &LinksToKeep(links))?;
    }
    let tmp = w.into_inner().map_err(io::IntoInnerError::into_error)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// A chunk: its length, then its postcard encoding. Encoded twice, to
/// count and to write, rather than held: the header alone is megabytes.
fn write_chunk(w: &mut impl io::Write, value: &impl Serialize) -> io::Result<()> {
    struct Count(u64);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let Count(len) = postcard::to_io(value, Count(0)).map_err(io::Error::other)?;
    w.write_all(&len.to_le_bytes())?;
    postcard::to_io(value, w).map_err(io::Error::other)?;
    Ok(())
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
pub fn restore(root: &Path, format: &'static Format) -> Result<Restored, Stamps> {
    let stamps = Stamps::take(root);
    let Ok(file) = fs::File::open(path(root)) else { return Err(stamps) };
    let mut r = io::BufReader::with_capacity(1 << 20, file);
    let mut buf = Vec::new();
    let Some(header) = read_chunk::<Header<Stamps, Sources>>(&mut r, &mut buf) else { return Err(stamps) };
    if header.key != key(root) {
        return Err(stamps);
    }
    let Some(edits) = edits(&header.stamps, &stamps) else { return Err(stamps) };
    let Some(config) = load::config(root, format) else { return Err(stamps) };
    let agencies: Option<Vec<Agency>> = (0..header.agencies)
        .map(|_| {
            let a: SavedAgency = read_chunk(&mut r, &mut buf)?;
            let info: AgencyInfo = serde_json::from_str(&a.info).ok()?;
            Some(Agency { slug: a.slug, info, file: a.file, reports: a.reports })
        })
        .collect();
    let Some(agencies) = agencies else { return Err(stamps) };
    let mut links = Vec::with_capacity(header.hashes.len());
    for _ in 0..header.link_chunks {
        let Some(chunk) = read_chunk::<SavedLinks>(&mut r, &mut buf).and_then(SavedLinks::restore) else {
            return Err(stamps);
        };
        links.extend(chunk);
    }
    drop(buf);
    let Header { sources, loaded, entries, hashes, .. } = header;
    if links.len() != hashes.len() {
        return Err(stamps);
    }
    let mut site = Site { config, format, agencies };
    let (mut sources, mut diagnostics) = (sources, loaded);
    let mut edited = Vec::new();
    for (slug, year) in &edits {
        let Some(a) = site.agencies.iter().position(|x| &x.slug == slug) else { return Err(stamps) };
        let Some(i) = site.agencies[a].reports.iter().position(|r| r.year == *year) else { return Err(stamps) };
        let old = Arc::clone(&site.agencies[a].reports[i]);
        let summary = site.agencies[a].info.summary.is_some();
        let (report, found) = load::reload_report(root, format, &mut sources, slug, *year, summary);
        // A report that no longer reads is for the full load to report.
        let Some(report) = report.filter(|_| !found.has_errors()) else { return Err(stamps) };
        let folder = Path::new("content").join(slug).join(year.to_string());
        let files: HashSet<_> = std::iter::once(old.markdown_file).chain(old.data_file).collect();
        diagnostics.retain(|d| match &d.place {
            Some(Place::Span(loc)) => !files.contains(&loc.file),
            Some(Place::Path(p)) => !p.starts_with(&folder),
            None => true,
        });
        diagnostics.extend(found);
        site.agencies[a].reports[i] = Arc::new(report);
        edited.push((a, i));
    }
    diagnostics.sort(&sources);
    let keep = edited.len() > REKEEP_AFTER;
    Ok(Restored {
        loaded: Loaded { site: Some(site), sources, diagnostics },
        edited,
        entries,
        links,
        hashes,
        keep,
        stamps,
    })
}

/// The reports whose `report.md` or `data.toml` changed, as (folder name,
/// year); `None` if anything else changed.
fn edits(before: &Stamps, now: &Stamps) -> Option<Vec<(String, u16)>> {
    if before.0.len() != now.0.len() {
        return None;
    }
    let mut out: Vec<(String, u16)> = Vec::new();
    for ((path, old), (same, new)) in before.0.iter().zip(&now.0) {
        if path != same {
            return None;
        }
        if old == new {
            continue;
        }
        let parts: Vec<&str> = path.split('/').collect();
        match parts[..] {
            ["content", slug, year, "report.md" | "data.toml"] if !old.dir && !new.dir => {
                let report = (slug.to_owned(), year.parse().ok()?);
                if !out.contains(&report) {
                    out.push(report);
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamps(files: &[(&str, u64)]) -> Stamps {
        let mut v: Vec<(String, Stamp)> = files
            .iter()
            .map(|&(p, len)| (p.to_owned(), Stamp { len, mtime: 1, ctime: 1, ino: 1, dir: false }))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        Stamps(v)
    }

    #[test]
    fn only_report_files_of_known_folders_are_edits() {
        let before = stamps(&[("content/a/2024/report.md", 1), ("content/a/2024/data.toml", 1), ("site.toml", 1)]);
        let same = stamps(&[("content/a/2024/report.md", 1), ("content/a/2024/data.toml", 1), ("site.toml", 1)]);
        assert_eq!(edits(&before, &same), Some(vec![]));
        let md = stamps(&[("content/a/2024/report.md", 2), ("content/a/2024/data.toml", 3), ("site.toml", 1)]);
        assert_eq!(edits(&before, &md), Some(vec![("a".to_owned(), 2024)]));
        let config = stamps(&[("content/a/2024/report.md", 1), ("content/a/2024/data.toml", 1), ("site.toml", 2)]);
        assert_eq!(edits(&before, &config), None);
        let added = stamps(&[
            ("content/a/2024/report.md", 1),
            ("content/a/2024/data.toml", 1),
            ("content/a/2024/x.pdf", 1),
            ("site.toml", 1),
        ]);
        assert_eq!(edits(&before, &added), None);
        let renamed = stamps(&[("content/a/2024/report.md", 1), ("content/a/2024/data.toml", 1), ("site.tom", 1)]);
        assert_eq!(edits(&before, &renamed), None);
    }
}
