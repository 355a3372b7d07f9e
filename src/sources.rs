//! The registry of the site's files that were read, so that a diagnostic can
//! point into any of them by [`FileId`].

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use codespan_reporting::files::{self, Files, SimpleFile};
use serde::{Deserialize, Serialize};

/// Every file read, so that diagnostics can quote it. The text of a file read
/// from disk is not kept: the few files a diagnostic quotes are read again
/// when it is shown, so that a large site is not held in memory twice.
#[derive(Default, Clone)]
pub struct Sources {
    /// The site root, under which a file registered without its text is read again.
    root: Option<Arc<Path>>,
    // Shared: `portal serve` keeps a copy per preview of a large site.
    files: Vec<Arc<SourceFile>>,
}

/// Small: a site registers two files per report.
struct SourceFile {
    /// As shown (relative to the site root).
    path: Box<Path>,
    /// Registered without its text: read again, under the root, when quoted.
    on_disk: bool,
    text: OnceLock<Box<SimpleFile<String, String>>>,
}

impl SourceFile {
    fn get(&self, root: Option<&Path>) -> &SimpleFile<String, String> {
        self.text.get_or_init(|| {
            let text = Some(&self.path)
                .filter(|_| self.on_disk)
                .and_then(|p| std::fs::read(root.map_or_else(|| p.to_path_buf(), |r| r.join(p))).ok())
                .and_then(|bytes| crate::text::decode(bytes).ok())
                .unwrap_or_default();
            Box::new(SimpleFile::new(self.path.display().to_string(), text))
        })
    }
}

/// Handle to a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FileId(pub(crate) usize);

impl Sources {
    /// A registry of the files of the site at `root`.
    pub(crate) fn under(root: &Path) -> Self {
        Self { root: Some(Arc::from(root)), files: Vec::new() }
    }

    /// Places the files under `root`: the same site, reached from elsewhere
    /// than when the registry was kept.
    pub(crate) fn set_root(&mut self, root: &Path) {
        self.root = Some(Arc::from(root));
    }

    /// Registers a file with its text; `path` is shown as given (relative to the site root).
    pub(crate) fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let file = Box::new(SimpleFile::new(path.display().to_string(), text));
        self.files.push(Arc::new(SourceFile { path: path.into(), on_disk: false, text: OnceLock::from(file) }));
        FileId(self.files.len() - 1)
    }

    /// Registers a file read from `path` under the root, whose text is read
    /// again (and decoded as it was) only if a diagnostic quotes it.
    pub(crate) fn register(&mut self, path: PathBuf) -> FileId {
        self.files.push(Arc::new(SourceFile { path: path.into(), on_disk: true, text: OnceLock::new() }));
        FileId(self.files.len() - 1)
    }

    pub(crate) fn path(&self, id: FileId) -> &Path {
        &self.files[id.0].path
    }

    pub(crate) fn text(&self, id: FileId) -> &str {
        self.files.get(id.0).map_or("", |f| f.get(self.root.as_deref()).source().as_str())
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        match self.location(id.0, offset) {
            Ok(loc) => (loc.line_number, loc.column_number),
            Err(_) => (1, 1),
        }
    }

    fn file(&self, id: usize) -> Result<&SimpleFile<String, String>, files::Error> {
        self.files.get(id).map(|f| f.get(self.root.as_deref())).ok_or(files::Error::FileMissing)
    }
}

/// Kept between runs (see `pipeline::state`): paths, and the text of a file
/// that was not read from disk. Not the root: see [`Sources::set_root`].
impl Serialize for Sources {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.files.iter().map(|f| (&f.path, if f.on_disk { None } else { f.text.get().map(|t| t.source()) })),
        )
    }
}

impl<'de> Deserialize<'de> for Sources {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let files: Vec<(PathBuf, Option<String>)> = Vec::deserialize(d)?;
        let mut out = Sources { root: None, files: Vec::with_capacity(files.len()) };
        for (path, text) in files {
            match text {
                None => out.register(path),
                Some(text) => out.add(path, text),
            };
        }
        Ok(out)
    }
}

impl<'a> Files<'a> for Sources {
    type FileId = usize;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<String, files::Error> {
        Ok(self.file(id)?.name().clone())
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(self.file(id)?.source().as_str())
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        self.file(id)?.line_index((), byte_index)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, files::Error> {
        self.file(id)?.line_range((), line_index)
    }
}
