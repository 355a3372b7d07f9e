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

use std::collections::HashSet;
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
pub struct Output {
    out: PathBuf,
    staging: TempDir,
    mode: Mode,
}

enum Mode {
    /// No previous output: the staging folder is the new tree.
    Fresh,
    /// Changed files are staged flat, numbered, and renamed into place on commit.
    Update { next: AtomicUsize, staged: Mutex<Vec<(usize, String)>> },
}

impl Output {
    /// Prepares to write the files at `paths` (site paths) into `out`.
    pub fn open<'p>(out: &Path, paths: impl Iterator<Item = &'p str>) -> Result<Self, WriteError> {
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
        let fresh = match fs::read_dir(out) {
            Ok(mut entries) => entries.next().is_none(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => true,
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
        Ok(Self { out: out.to_path_buf(), staging, mode })
    }

    /// Writes one file (into staging), unless the output already holds it as it is.
    pub fn put(&self, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
        match &self.mode {
            Mode::Fresh => {
                let target = self.staging.path().join(path);
                fs::write(&target, bytes).map_err(io_err(&target))
            }
            Mode::Update { next, staged } => {
                if unchanged(&self.out.join(path), bytes) {
                    return Ok(());
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                let target = self.staging.path().join(n.to_string());
                fs::write(&target, bytes).map_err(io_err(&target))?;
                staged.lock().unwrap_or_else(|p| p.into_inner()).push((n, path.to_owned()));
                Ok(())
            }
        }
    }

    /// Puts the new files in place and removes those not among `paths`.
    /// Returns the number of files written.
    pub fn commit<'p>(self, paths: impl Iterator<Item = &'p str>) -> Result<usize, WriteError> {
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
        let output = Output::open(out, files.iter().map(|f| f.0))?;
        for (path, text) in files {
            output.put(path, text.as_bytes())?;
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
        let output = Output::open(&out, ["a.html", "b.html"].into_iter()).unwrap();
        output.put("a.html", b"A2").unwrap();
        output.put("b.html", b"B").unwrap();
        drop(output);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "A");
        assert!(!out.join("b.html").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "staging removed");
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
