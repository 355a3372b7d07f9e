//! Writes the built site so that a failed build leaves the previous output
//! untouched, and a rebuild touches only what changed.
//!
//! Into an empty or missing output folder, the new tree is written beside it
//! and renamed into place when complete. Over a previous output, each file is
//! compared with the one already there: an unchanged file is left alone (its
//! modification time too, so that `rsync` and object-storage sync upload only
//! what changed), a changed one is written to a staging folder beside the
//! output. Only when every file has been produced without error are the staged
//! files renamed into place and the files no longer part of the site removed.
//! Writing the whole tree anew and swapping it in would rewrite every file and
//! then delete the old tree on every build, which costs more than the build.
//!
//! Files that are costly to make and carry no links (the open data) come with
//! a fingerprint of what they are made from. A [`Manifest`] kept beside the
//! sources records, for each such file written, its fingerprint, size and
//! modification time; a file whose inputs did not change and which is still
//! in the output as written is not made again.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use tempfile::TempDir;

#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("无法写入 {}：{reason}", path.display())]
    Io { path: PathBuf, reason: String },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), reason: source.to_string() }
}

/// An output folder being written. Dropped without [`Output::commit`], it
/// removes what it staged and leaves the output as it was.
pub(crate) struct Output {
    out: PathBuf,
    staging: TempDir,
    mode: Mode,
    /// What the previous build recorded, and what this one records.
    manifest: Option<(PathBuf, Manifest)>,
    recorded: Mutex<Manifest>,
}

/// Per site path: the fingerprint of a file's inputs, its size and its
/// modification time (nanoseconds) as written.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Manifest(HashMap<String, (u64, u64, i128)>);

/// The first line of a manifest names the output folder it speaks for.
const OUTPUT_LINE: &str = "# output: ";

impl Manifest {
    fn read(path: &Path) -> Self {
        let text = fs::read_to_string(path).unwrap_or_default();
        let mut out = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.splitn(4, ' ');
            let (Some(fp), Some(len), Some(mtime), Some(path)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if let (Ok(fp), Ok(len), Ok(mtime)) = (u64::from_str_radix(fp, 16), len.parse(), mtime.parse()) {
                out.insert(path.to_owned(), (fp, len, mtime));
            }
        }
        Self(out)
    }

    fn write(&self, path: &Path, out: &Path) -> io::Result<()> {
        let mut lines: Vec<String> =
            self.0.iter().map(|(p, (fp, len, mtime))| format!("{fp:016x} {len} {mtime} {p}\n")).collect();
        lines.sort();
        let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
        lines.insert(0, format!("{OUTPUT_LINE}{}\n", out.display()));
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, lines.concat())
    }

    /// Whether the manifest at `path` speaks for an output folder that is
    /// still there. One that does not (or from before manifests named their
    /// folder) can only take disk space.
    pub(crate) fn is_live(path: &Path) -> bool {
        use std::io::BufRead;
        let Ok(file) = fs::File::open(path) else { return false };
        let mut first = String::new();
        let _ = io::BufReader::new(file).read_line(&mut first);
        first.strip_prefix(OUTPUT_LINE).is_some_and(|out| Path::new(out.trim_end_matches('\n')).is_dir())
    }
}

fn stamp(path: &Path) -> Option<(u64, i128)> {
    let meta = fs::symlink_metadata(path).ok().filter(fs::Metadata::is_file)?;
    let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), i128::try_from(mtime).ok()?))
}

enum Mode {
    /// No previous output: the staging folder is the new tree.
    Fresh,
    /// Changed files are staged flat, numbered, and renamed into place on commit.
    Update { next: AtomicUsize, staged: Mutex<Vec<(usize, String)>> },
}

impl Output {
    /// Prepares to write the files at `paths` (site paths) into `out`, with
    /// the fingerprints of the previous build at `manifest`, if any.
    pub(crate) fn open<'p>(
        out: &Path,
        paths: impl Iterator<Item = &'p str>,
        manifest: Option<PathBuf>,
    ) -> Result<Self, WriteError> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let staging = tempfile::Builder::new()
            .prefix(".portal-new-")
            .permissions(fs::Permissions::from_mode(0o755))
            .tempdir_in(&parent)
            .map_err(io_err(&parent))?;
        // A symlink to the output (a deploy folder elsewhere) is written through, never replaced.
        let is_link = fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink());
        let fresh = match fs::read_dir(out) {
            Ok(mut entries) => !is_link && entries.next().is_none(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => !is_link,
            Err(e) => return Err(io_err(out)(e)),
        };
        let mode = if fresh {
            let mut dirs: Vec<&str> = paths.filter_map(|p| p.rsplit_once('/').map(|(d, _)| d)).collect();
            dirs.sort_unstable();
            dirs.dedup();
            // Parents first: sorted paths list a folder before what it holds.
            for dir in dirs {
                let path = staging.path().join(dir);
                fs::create_dir_all(&path).map_err(io_err(&path))?;
            }
            Mode::Fresh
        } else {
            Mode::Update { next: AtomicUsize::new(0), staged: Mutex::default() }
        };
        // Fingerprints speak for files in the output: none without one.
        let manifest = manifest.map(|path| {
            let previous = if fresh { Manifest::default() } else { Manifest::read(&path) };
            (path, previous)
        });
        Ok(Self { out: out.to_path_buf(), staging, mode, manifest, recorded: Mutex::default() })
    }

    /// Whether the output holds the file at `path` as made from inputs with
    /// this fingerprint (then it need not be made again).
    pub(crate) fn is_current(&self, path: &str, fingerprint: u64) -> bool {
        let Some((_, previous)) = &self.manifest else { return false };
        let Some(&(fp, len, mtime)) = previous.0.get(path) else { return false };
        if fp != fingerprint || stamp(&self.out.join(path)) != Some((len, mtime)) {
            return false;
        }
        self.record(path, (fp, len, mtime));
        true
    }

    /// Whether the previous build wrote the file at `path` with this
    /// fingerprint and it is still as written: then it need not be read to
    /// know it holds what it would be given.
    fn holds(&self, path: &str, old: &Path, fingerprint: Option<u64>) -> bool {
        let (Some(fingerprint), Some((_, previous))) = (fingerprint, &self.manifest) else { return false };
        previous.0.get(path).is_some_and(|&(fp, len, mtime)| fp == fingerprint && stamp(old) == Some((len, mtime)))
    }

    fn record(&self, path: &str, entry: (u64, u64, i128)) {
        self.recorded.lock().unwrap_or_else(|p| p.into_inner()).0.insert(path.to_owned(), entry);
    }

    /// Notes the fingerprint of a file just put, for the next build.
    fn note(&self, path: &str, written: &Path, fingerprint: Option<u64>) {
        if let (Some(fp), Some(_)) = (fingerprint, &self.manifest)
            && let Some((len, mtime)) = stamp(written)
        {
            self.record(path, (fp, len, mtime));
        }
    }

    /// Writes one file made by `write`, streamed (it may be large).
    pub(crate) fn put_stream(
        &self,
        path: &str,
        fingerprint: Option<u64>,
        write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), WriteError> {
        let target = match &self.mode {
            Mode::Fresh => self.staging.path().join(path),
            Mode::Update { next, .. } => self.staging.path().join(next.fetch_add(1, Ordering::Relaxed).to_string()),
        };
        let file = fs::File::create(&target).map_err(io_err(&target))?;
        let mut w = io::BufWriter::with_capacity(1 << 17, file);
        write(&mut w).and_then(|()| io::Write::flush(&mut w)).map_err(io_err(&target))?;
        drop(w);
        if let Mode::Update { staged, .. } = &self.mode {
            let n = target.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse().ok()).unwrap_or(0);
            staged.lock().unwrap_or_else(|p| p.into_inner()).push((n, path.to_owned()));
        }
        self.note(path, &target, fingerprint);
        Ok(())
    }

    /// Writes one file (into staging), unless the output already holds it as it is.
    pub(crate) fn put(&self, path: &str, bytes: &[u8], fingerprint: Option<u64>) -> Result<(), WriteError> {
        let written = match &self.mode {
            Mode::Fresh => {
                let target = self.staging.path().join(path);
                fs::write(&target, bytes).map_err(io_err(&target))?;
                target
            }
            Mode::Update { next, staged } => {
                let old = self.out.join(path);
                if self.holds(path, &old, fingerprint) || unchanged(&old, bytes) {
                    old
                } else {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let target = self.staging.path().join(n.to_string());
                    fs::write(&target, bytes).map_err(io_err(&target))?;
                    staged.lock().unwrap_or_else(|p| p.into_inner()).push((n, path.to_owned()));
                    target
                }
            }
        };
        self.note(path, &written, fingerprint);
        Ok(())
    }

    /// Puts the new files in place and removes those not among `paths`.
    /// Returns the number of files written.
    pub(crate) fn commit<'p>(self, paths: impl Iterator<Item = &'p str>) -> Result<usize, WriteError> {
        let manifest = self.manifest.as_ref().map(|(path, _)| path.clone());
        let recorded = std::mem::take(&mut *self.recorded.lock().unwrap_or_else(|p| p.into_inner()));
        let out = self.out.clone();
        let written = self.commit_files(paths)?;
        // Renaming keeps modification times, so what was noted still holds.
        if let Some(path) = manifest {
            recorded.write(&path, &out).map_err(io_err(&path))?;
        }
        Ok(written)
    }

    fn commit_files<'p>(self, paths: impl Iterator<Item = &'p str>) -> Result<usize, WriteError> {
        match self.mode {
            Mode::Fresh => {
                let written = paths.count();
                // An empty folder may be there; replacing it loses nothing.
                if self.out.is_dir() {
                    fs::remove_dir(&self.out).map_err(io_err(&self.out))?;
                }
                let staged = self.staging.keep();
                fs::rename(&staged, &self.out).map_err(|e| {
                    let _ = fs::remove_dir_all(&staged);
                    io_err(&self.out)(e)
                })?;
                Ok(written)
            }
            Mode::Update { staged, .. } => {
                let keep: HashSet<&str> = paths.collect();
                remove_stale(&self.out, &self.out, &keep)?;
                let mut staged = staged.into_inner().unwrap_or_else(|p| p.into_inner());
                staged.sort_unstable_by(|a, b| a.1.cmp(&b.1));
                let mut made: HashSet<PathBuf> = HashSet::new();
                for (n, path) in &staged {
                    let target = self.out.join(path);
                    if let Some(dir) = target.parent()
                        && made.insert(dir.to_path_buf())
                    {
                        fs::create_dir_all(dir).map_err(io_err(dir))?;
                    }
                    let from = self.staging.path().join(n.to_string());
                    if fs::rename(&from, &target).is_err() {
                        // A folder where the file goes now (the site changed shape): replace it.
                        let _ = fs::remove_dir_all(&target);
                        fs::rename(&from, &target).map_err(io_err(&target))?;
                    }
                }
                Ok(staged.len())
            }
        }
    }
}

/// Whether `path` is a regular file holding exactly `bytes`.
fn unchanged(path: &Path, bytes: &[u8]) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|b| b == bytes)
}

/// Removes what `dir` holds that is not a file of the site, and the folders
/// left empty. Returns whether `dir` is now empty.
fn remove_stale(root: &Path, dir: &Path, keep: &HashSet<&str>) -> Result<bool, WriteError> {
    let entries: Vec<fs::DirEntry> =
        fs::read_dir(dir).map_err(io_err(dir))?.collect::<Result<_, _>>().map_err(io_err(dir))?;
    let results: Vec<Result<bool, WriteError>> = entries
        .par_iter()
        .map(|entry| {
            let path = entry.path();
            let rel = path.strip_prefix(root).ok().and_then(Path::to_str).unwrap_or("");
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                if remove_stale(root, &path, keep)? {
                    fs::remove_dir(&path).map_err(io_err(&path))?;
                    return Ok(true);
                }
                Ok(false)
            } else if keep.contains(rel) {
                Ok(false)
            } else {
                fs::remove_file(&path).map_err(io_err(&path))?;
                Ok(true)
            }
        })
        .collect();
    let mut removed = 0;
    for r in results {
        removed += usize::from(r?);
    }
    Ok(removed == entries.len())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    fn write(out: &Path, files: &[(&str, &str)]) -> Result<usize, WriteError> {
        let output = Output::open(out, files.iter().map(|f| f.0), None)?;
        for (path, text) in files {
            output.put(path, text.as_bytes(), None)?;
        }
        output.commit(files.iter().map(|f| f.0))
    }

    #[test]
    fn unchanged_files_are_kept_changed_ones_written_stale_ones_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        assert_eq!(write(&out, &[("a/index.html", "A"), ("b.css", "B"), ("old/x.html", "O")]).unwrap(), 3);
        let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "readable by the web server");
        let inode = |p: &str| fs::metadata(out.join(p)).unwrap().ino();
        let (a, b) = (inode("a/index.html"), inode("b.css"));
        let mtime = fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap();
        assert_eq!(write(&out, &[("a/index.html", "A"), ("b.css", "B2"), ("c/d/e.html", "E")]).unwrap(), 2);
        assert_eq!(inode("a/index.html"), a, "unchanged: the same file");
        assert_eq!(fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap(), mtime);
        assert_ne!(inode("b.css"), b);
        assert_eq!(fs::read_to_string(out.join("b.css")).unwrap(), "B2");
        assert_eq!(fs::read_to_string(out.join("c/d/e.html")).unwrap(), "E");
        assert!(!out.join("old").exists(), "a stale file and its emptied folder are gone");
        // Nothing is left beside the output.
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn an_output_dropped_before_commit_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[("a.html", "A")]).unwrap();
        let output = Output::open(&out, ["a.html", "b.html"].into_iter(), None).unwrap();
        output.put("a.html", b"A2", None).unwrap();
        output.put("b.html", b"B", None).unwrap();
        drop(output);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "A");
        assert!(!out.join("b.html").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "staging removed");
    }

    #[test]
    fn a_file_made_from_the_same_inputs_is_not_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let (out, manifest) = (dir.path().join("public"), dir.path().join("cache/manifest"));
        let build = |fp: u64, text: &str| {
            let output = Output::open(&out, ["d.csv"].into_iter(), Some(manifest.clone())).unwrap();
            let current = output.is_current("d.csv", fp);
            if !current {
                output.put_stream("d.csv", Some(fp), &mut |w| w.write_all(text.as_bytes())).unwrap();
            }
            output.commit(["d.csv"].into_iter()).unwrap();
            current
        };
        assert!(!build(1, "one"), "nothing recorded yet");
        assert!(build(1, "one"), "same inputs, file as written");
        assert!(!build(2, "two"), "inputs changed");
        assert_eq!(fs::read_to_string(out.join("d.csv")).unwrap(), "two");
        fs::write(out.join("d.csv"), "edited by hand").unwrap();
        assert!(!build(2, "two"), "the file is not as written");
        assert_eq!(fs::read_to_string(out.join("d.csv")).unwrap(), "two");
    }

    #[test]
    fn an_output_that_is_a_symlink_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("www");
        fs::create_dir(&real).unwrap();
        let out = dir.path().join("public");
        std::os::unix::fs::symlink(&real, &out).unwrap();
        write(&out, &[("a/index.html", "A")]).unwrap();
        write(&out, &[("a/index.html", "A2")]).unwrap();
        assert!(fs::symlink_metadata(&out).unwrap().file_type().is_symlink(), "still a symlink");
        assert_eq!(fs::read_to_string(real.join("a/index.html")).unwrap(), "A2");
    }

    #[test]
    fn a_file_may_replace_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[("x/index.html", "X"), ("y.html", "Y")]).unwrap();
        write(&out, &[("x", "now a file"), ("y.html", "Y")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("x")).unwrap(), "now a file");
    }
}
