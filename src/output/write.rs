//! Writes the built site atomically: the new tree is written beside the old
//! one and swapped in only when complete, so a failed build leaves the
//! previous output untouched.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::render::{Content, Page};

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
    write_tree(staging.path(), pages)?;

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

fn write_tree(root: &Path, pages: &[Page]) -> Result<(), WriteError> {
    let mut made: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for page in pages {
        let path = root.join(&page.path);
        if let Some(dir) = path.parent() {
            if made.insert(dir.to_path_buf()) {
                fs::create_dir_all(dir).map_err(io_err(dir))?;
            }
        }
        match &page.content {
            Content::Bytes(b) => fs::write(&path, b),
            Content::Static(b) => fs::write(&path, b),
            Content::File(src) => fs::copy(src, &path).map(|_| ()),
        }
        .map_err(io_err(&path))?;
    }
    Ok(())
}
