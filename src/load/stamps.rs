//! How every source file of a site is at a moment: what `portal serve`'s
//! poller compares between two looks, and what a run compares with the state
//! the previous run kept.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::layout::source::{SETTINGS, SOURCE_DIRS};

/// How a file was: a change to any of these is an edit. Size and times to
/// the nanosecond (notify's poller compares whole seconds and misses a quick
/// second save), and the inode, which an editor saving by renaming changes.
/// On Windows the times are the write and creation times in 100 ns, and the
/// attributes stand for the inode (std gives no file index there; see
/// docs/windows.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    len: u64,
    /// Nanoseconds since the epoch (an `i64` holds them until 2262).
    mtime: i64,
    ctime: i64,
    ino: u64,
    kind: Kind,
}

impl Stamp {
    /// The stamp of a regular file, from its metadata.
    pub(crate) fn file(meta: &fs::Metadata) -> Self {
        stamp(meta, Kind::File)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Kind {
    File,
    /// A folder: only its presence counts (its own times change whenever a
    /// file in it is saved by renaming; the file itself says so).
    Folder,
    /// A link to a folder, not followed (links could loop): what is behind
    /// it is not stamped.
    Opaque,
}

/// Every file and folder under `site.toml` and the source folders, by path
/// relative to the site root, sorted.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Stamps(Vec<(Box<Path>, Stamp)>);

/// A path whose stamp differs between two looks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Difference<'a> {
    pub path: &'a Path,
    /// A file there both times, changed; otherwise added, removed or of another kind.
    pub edited: bool,
}

impl Stamps {
    /// Takes the stamps of the sources of the site at `root`, folders listed
    /// in parallel. A link to a file is stamped as the file it leads to.
    pub(crate) fn take(root: &Path) -> Self {
        let mut out: Vec<(Box<Path>, Stamp)> = std::iter::once(SETTINGS)
            .chain(SOURCE_DIRS.iter().copied())
            .flat_map(|rel| walk(root, PathBuf::from(rel)))
            .map(|(path, stamp)| (path.into_boxed_path(), stamp))
            .collect();
        out.sort_unstable_by(|a, b| order(&a.0).cmp(order(&b.0)));
        Self(out)
    }

    /// Whether every source was followed: no link to a folder.
    pub(crate) fn complete(&self) -> bool {
        self.0.iter().all(|(_, s)| s.kind != Kind::Opaque)
    }

    /// What differs from `before`, in path order.
    pub(crate) fn since<'a>(&'a self, before: &'a Stamps) -> Vec<Difference<'a>> {
        let (old, new) = (&before.0, &self.0);
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        loop {
            let (path, edited) = match (old.get(i), new.get(j)) {
                (None, None) => return out,
                (Some((p, a)), Some((q, b))) if order(p) == order(q) => {
                    (i, j) = (i + 1, j + 1);
                    if a == b {
                        continue;
                    }
                    (q, a.kind == Kind::File && b.kind == Kind::File)
                }
                (Some((p, _)), Some((q, _))) if order(p) < order(q) => {
                    i += 1;
                    (p, false)
                }
                (Some((p, _)), None) => {
                    i += 1;
                    (p, false)
                }
                (_, Some((q, _))) => {
                    j += 1;
                    (q, false)
                }
            };
            out.push(Difference { path, edited });
        }
    }
}

/// The order the stamps are kept in: their paths' bytes. Any total order
/// serves the merge in [`Stamps::since`]; `Path`'s own compares component by
/// component, and sorting the site's tens of thousands of paths with it
/// showed in the profile of a build.
fn order(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

#[cfg(unix)]
fn stamp(meta: &fs::Metadata, kind: Kind) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    Stamp {
        len: meta.len(),
        mtime: meta.mtime().saturating_mul(1_000_000_000).saturating_add(meta.mtime_nsec()),
        ctime: meta.ctime().saturating_mul(1_000_000_000).saturating_add(meta.ctime_nsec()),
        ino: meta.ino(),
        kind,
    }
}

/// Std reads no change time on Windows, and its file index is unstable: the
/// last write time (100 ns since 1601), the creation time, which a save by
/// renaming changes (unless NTFS's tunnelling carries it over; the write time
/// still differs then), and the attributes (read-only, hidden).
#[cfg(windows)]
fn stamp(meta: &fs::Metadata, kind: Kind) -> Stamp {
    use std::os::windows::fs::MetadataExt;
    let time = |t: u64| i64::try_from(t).unwrap_or(i64::MAX);
    Stamp {
        len: meta.file_size(),
        mtime: time(meta.last_write_time()),
        ctime: time(meta.creation_time()),
        ino: u64::from(meta.file_attributes()),
        kind,
    }
}

/// Elsewhere, what std gives everywhere.
#[cfg(not(any(unix, windows)))]
fn stamp(meta: &fs::Metadata, kind: Kind) -> Stamp {
    let nanos = |t: std::io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    };
    Stamp { len: meta.len(), mtime: nanos(meta.modified()), ctime: nanos(meta.created()), ino: 0, kind }
}

/// The stamps under `rel` (a file or a folder, perhaps missing).
fn walk(root: &Path, rel: PathBuf) -> Vec<(PathBuf, Stamp)> {
    let path = root.join(&rel);
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_dir() => folder(&path, rel),
        Ok(meta) => vec![(rel, entry_stamp(&path, &meta))],
        Err(_) => Vec::new(),
    }
}

/// The stamps of the folder `rel` (at `path`) and of what it holds. Each
/// entry's metadata is read through the open folder (`DirEntry::metadata`),
/// not by its whole path again: the walk stats every source file of the site.
fn folder(path: &Path, rel: PathBuf) -> Vec<(PathBuf, Stamp)> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(path).into_iter().flatten().flatten().collect();
    let mut out: Vec<(PathBuf, Stamp)> = entries
        .into_par_iter()
        .flat_map_iter(|entry| {
            let child = rel.join(entry.file_name());
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => folder(&entry.path(), child),
                Ok(meta) => vec![(child, entry_stamp(&entry.path(), &meta))],
                // Gone since the folder was read.
                Err(_) => Vec::new(),
            }
        })
        .collect();
    out.push((rel, Stamp { len: 0, mtime: 0, ctime: 0, ino: 0, kind: Kind::Folder }));
    out
}

/// The stamp of the entry at `path` that is not a folder: a file, or a link
/// (stamped as the file it leads to, if it does).
fn entry_stamp(path: &Path, meta: &fs::Metadata) -> Stamp {
    if meta.file_type().is_symlink() {
        let target = fs::metadata(path).ok();
        let followed = target.as_ref().filter(|m| m.is_file()).map(|m| stamp(m, Kind::File));
        followed.unwrap_or_else(|| stamp(meta, Kind::Opaque))
    } else {
        stamp(meta, Kind::File)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamps(files: &[(&str, u64)]) -> Stamps {
        let mut v: Vec<(Box<Path>, Stamp)> = files
            .iter()
            .map(|&(p, len)| (Path::new(p).into(), Stamp { len, mtime: 1, ctime: 1, ino: 1, kind: Kind::File }))
            .collect();
        v.sort_by(|a, b| order(&a.0).cmp(order(&b.0)));
        Stamps(v)
    }

    #[test]
    fn differences_are_added_removed_or_edited() {
        let before = stamps(&[("a", 1), ("b", 1), ("d", 1)]);
        let now = stamps(&[("a", 1), ("b", 2), ("c", 1)]);
        let found: Vec<(&str, bool)> =
            now.since(&before).iter().map(|d| (d.path.to_str().unwrap(), d.edited)).collect();
        assert_eq!(found, [("b", true), ("c", false), ("d", false)]);
        assert!(now.since(&now).is_empty());
        // Where byte order and Path's order differ ('-' sorts before '/', after a component's end).
        let before = stamps(&[("a/b", 1), ("a-b", 1)]);
        let now = stamps(&[("a/b", 2), ("a-b", 1), ("a/c", 1)]);
        let found: Vec<(&str, bool)> =
            now.since(&before).iter().map(|d| (d.path.to_str().unwrap(), d.edited)).collect();
        assert_eq!(found, [("a/b", true), ("a/c", false)]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_file_is_the_file_and_a_link_to_a_folder_is_opaque() {
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join("content");
        fs::create_dir_all(content.join("a")).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        fs::write(elsewhere.path().join("report.md"), "一").unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("report.md"), content.join("a/report.md")).unwrap();
        let before = Stamps::take(site.path());
        assert!(before.complete());
        fs::write(elsewhere.path().join("report.md"), "一二").unwrap();
        let now = Stamps::take(site.path());
        let found: Vec<&Path> = now.since(&before).iter().filter(|d| d.edited).map(|d| d.path).collect();
        assert_eq!(found, [Path::new("content/a/report.md")]);
        std::os::unix::fs::symlink(elsewhere.path(), content.join("b")).unwrap();
        assert!(!Stamps::take(site.path()).complete());
    }
}
