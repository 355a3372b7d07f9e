//! Writes the built site atomically: the new tree is written beside the old
//! one and swapped in only when complete, so a failed build leaves the
//! previous output untouched.
//!
//! A file whose content has not changed is not written again: the new tree
//! gets a hard link to the previous output's file, which keeps its
//! modification time, so that `rsync` and object-storage sync upload only what
//! changed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::Page;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("无法写入 {}：{source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), source }
}

/// Writes `pages` into a fresh folder next to `out`, then swaps it in.
pub fn write_atomically(out: &Path, pages: &[Page]) -> Result<(), WriteError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let staging = tempfile::Builder::new().prefix(".portal-new-").tempdir_in(&parent).map_err(io_err(&parent))?;
    write_tree(staging.path(), pages, out)?;

    // Move the old output aside (into a temporary folder that deletes itself),
    // then move the new tree into place.
    let old = tempfile::Builder::new().prefix(".portal-old-").tempdir_in(&parent).map_err(io_err(&parent))?;
    if out.exists() {
        fs::rename(out, old.path().join("site")).map_err(io_err(out))?;
    }
    let new_path = staging.keep();
    if let Err(e) = fs::rename(&new_path, out) {
        // Put the old output back rather than leave nothing.
        let _ = fs::rename(old.path().join("site"), out);
        let _ = fs::remove_dir_all(&new_path);
        return Err(WriteError::Io { path: out.to_path_buf(), source: e });
    }
    drop(old);
    Ok(())
}

fn write_tree(root: &Path, pages: &[Page], previous: &Path) -> Result<(), WriteError> {
    let mut dirs: Vec<PathBuf> =
        pages.iter().filter_map(|p| root.join(&p.path).parent().map(Path::to_path_buf)).collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    pages.par_iter().try_for_each(|page| {
        let path = root.join(&page.path);
        let old = previous.join(&page.path);
        page.content.bytes().and_then(|b| write_unless_unchanged(&path, &old, &b)).map_err(io_err(&path))
    })
}

/// Links the previous output's file when it holds exactly `bytes`, else writes.
fn write_unless_unchanged(path: &Path, old: &Path, bytes: &[u8]) -> io::Result<()> {
    let same = fs::symlink_metadata(old).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && fs::read(old).is_ok_and(|b| b == bytes);
    if same && fs::hard_link(old, path).is_ok() {
        return Ok(());
    }
    fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;
    use crate::render::Content;

    fn page(path: &str, text: &str) -> Page {
        Page { path: path.to_owned(), content: Content::Bytes(text.as_bytes().to_vec()) }
    }

    #[test]
    fn unchanged_files_are_kept_changed_ones_written_stale_ones_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_atomically(&out, &[page("a/index.html", "A"), page("b.css", "B"), page("old.html", "O")]).unwrap();
        let inode = |p: &str| fs::metadata(out.join(p)).unwrap().ino();
        let (a, b) = (inode("a/index.html"), inode("b.css"));
        write_atomically(&out, &[page("a/index.html", "A"), page("b.css", "B2")]).unwrap();
        assert_eq!(inode("a/index.html"), a, "unchanged: the same file, not a copy");
        assert_ne!(inode("b.css"), b);
        assert_eq!(fs::read_to_string(out.join("b.css")).unwrap(), "B2");
        assert!(!out.join("old.html").exists());
        // Nothing is left beside the output.
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["public"]);
    }
}
