//! Problems found in a site's files, with the place they were found.
//!
//! Every stage reports user-facing problems as [`Diagnostic`] values pointing
//! into [`Sources`]; they are rendered once, at the edge (`main`).

mod code;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel};
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::{Deserialize, Serialize};

pub(crate) use self::code::Code;
use crate::layout::confine::Escape;
use crate::sources::{FileId, Sources};

/// Whether a problem stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Fails the build and `portal check`.
    Error,
    /// Shown, but the site is still built.
    Warning,
}

/// A place in a source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file, as [`Sources`] names it.
    pub file: FileId,
    /// Byte offsets into the file's text.
    pub span: Range<usize>,
}

/// Where a problem is: a span in a file that was read, or just a path (a file
/// that is missing or could not be decoded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// A span in a file that was read.
    Span(Location),
    /// A path alone, relative to the site root: a file with no text to point into.
    Path(PathBuf),
}

/// One problem, in words a webmaster can act on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Whether the problem stops the build.
    pub severity: Severity,
    /// Short stable code: a rule id (`R1`) or a kind (`toml`, `missing-file`).
    pub code: Code,
    /// What is wrong, in the user's words (Chinese).
    pub message: String,
    /// Where it is; `None` for a problem of the site as a whole.
    pub place: Option<Place>,
    /// The offending value, marked in the source line.
    pub label: Option<String>,
    /// Further places, e.g. the other cells of an equation.
    pub related: Vec<(Location, String)>,
    /// Further explanation and hints for the fix, shown after the source line.
    pub notes: Vec<String>,
    /// For the one line that stands for the problems of a file beyond the first
    /// [`PER_FILE`] (code `omitted`): how many of this severity were left out; else 0.
    #[serde(default)]
    pub omitted: usize,
}

/// How many problems of one file are listed; the rest are counted in one line.
/// A generated or damaged file can hold a million mistakes, and listing them
/// helps nobody.
pub const PER_FILE: usize = 50;

impl Diagnostic {
    /// A path of the site that leads out of it or nowhere, as an error at that path.
    pub(crate) fn escape(e: &Escape) -> Self {
        let code = match e {
            Escape::Outside { .. } => Code::OutsideRoot,
            Escape::Dangling { .. } => Code::Io,
        };
        Self::error(code, e.to_string()).at_path(e.link())
    }

    pub(crate) fn error(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code: code.into(),
            message: message.into(),
            place: None,
            label: None,
            related: Vec::new(),
            notes: Vec::new(),
            omitted: 0,
        }
    }

    pub(crate) fn warning(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(code, message) }
    }

    pub(crate) fn at(mut self, file: FileId, span: Range<usize>) -> Self {
        self.place = Some(Place::Span(Location { file, span }));
        self
    }

    pub(crate) fn at_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.place = Some(Place::Path(path.into()));
        self
    }

    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub(crate) fn with_related(mut self, file: FileId, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push((Location { file, span }, label.into()));
        self
    }

    pub(crate) fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// How many problems this diagnostic stands for: one, or those it says were left out.
    fn weight(&self) -> usize {
        self.omitted.max(1)
    }

    /// The line that stands for `count` problems of `severity` left out at `place`'s file.
    fn omission(key: &Key, severity: Severity, count: usize) -> Self {
        let place = match key {
            Key::File(file) => Place::Span(Location { file: *file, span: 0..0 }),
            Key::Path(path) => Place::Path(path.clone()),
        };
        let what = match severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        Self {
            severity,
            code: Code::Omitted,
            message: format!("这个文件另有 {count} 个{what}未列出：每个文件最多列出 {PER_FILE} 个问题"),
            place: Some(place),
            label: None,
            related: Vec::new(),
            notes: vec!["请先改正列出的问题，再运行 portal check 查看其余的".to_owned()],
            omitted: count,
        }
    }

    /// Sort key: file path, then position, so reports read top to bottom; a
    /// file's line of problems left out comes after its listed ones.
    fn sort_key(&self, sources: &Sources) -> (PathBuf, usize) {
        let at = |start: usize| if self.omitted > 0 { usize::MAX } else { start };
        match &self.place {
            Some(Place::Span(loc)) => (sources.path(loc.file).to_path_buf(), at(loc.span.start)),
            Some(Place::Path(p)) => (p.clone(), at(0)),
            None => (PathBuf::new(), 0),
        }
    }

    /// The file this diagnostic is about, if any: what [`PER_FILE`] counts by.
    fn key(&self) -> Option<Key> {
        match &self.place {
            Some(Place::Span(loc)) => Some(Key::File(loc.file)),
            Some(Place::Path(p)) => Some(Key::Path(p.clone())),
            None => None,
        }
    }
}

/// What [`PER_FILE`] counts by: a file that was read, or a path alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    File(FileId),
    Path(PathBuf),
}

/// All problems of a run, in reading order; at most [`PER_FILE`] listed per
/// file, and one line per file and severity counting the rest.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
    /// Per file, how many are listed, and where in `list` its lines of
    /// problems left out are (errors, warnings). Rebuilt whenever `list` is
    /// reordered, so that adding one diagnostic costs the same however many
    /// came before.
    files: HashMap<Key, Tally>,
}

#[derive(Debug, Default, Clone)]
struct Tally {
    listed: usize,
    omitted: [Option<usize>; 2],
}

fn slot(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    }
}

impl Diagnostics {
    /// Adds a diagnostic; past [`PER_FILE`] for its file it is only counted. A
    /// line of problems left out (from another collection) adds its count.
    pub(crate) fn push(&mut self, d: Diagnostic) {
        let Some(key) = d.key() else {
            self.list.push(d);
            return;
        };
        if d.omitted > 0 {
            self.omit(key, d.severity, d.omitted);
            return;
        }
        let tally = self.files.entry(key.clone()).or_default();
        if tally.listed < PER_FILE {
            tally.listed += 1;
            self.list.push(d);
        } else {
            self.omit(key, d.severity, 1);
        }
    }

    /// Adds the diagnostic `make` gives, unless `file` has its [`PER_FILE`]
    /// already: then it is only counted, and `make` (a suggestion, a line
    /// looked up) costs nothing.
    pub(crate) fn push_at(&mut self, file: FileId, severity: Severity, make: impl FnOnce() -> Diagnostic) {
        let key = Key::File(file);
        if self.files.get(&key).is_some_and(|t| t.listed >= PER_FILE) {
            self.omit(key, severity, 1);
        } else {
            self.push(make());
        }
    }

    fn omit(&mut self, key: Key, severity: Severity, count: usize) {
        let tally = self.files.entry(key.clone()).or_default();
        match tally.omitted[slot(severity)] {
            Some(i) => {
                let total = self.list[i].omitted + count;
                self.list[i] = Diagnostic::omission(&key, severity, total);
            }
            None => {
                tally.omitted[slot(severity)] = Some(self.list.len());
                self.list.push(Diagnostic::omission(&key, severity, count));
            }
        }
    }

    /// Counts again what each file has, after `list` was reordered or filtered.
    fn retally(&mut self) {
        self.files.clear();
        for (i, d) in self.list.iter().enumerate() {
            let Some(key) = d.key() else { continue };
            let tally = self.files.entry(key).or_default();
            if d.omitted > 0 {
                tally.omitted[slot(d.severity)] = Some(i);
            } else {
                tally.listed += 1;
            }
        }
    }

    fn from_list(list: Vec<Diagnostic>) -> Self {
        let mut out = Self { list, files: HashMap::new() };
        out.retally();
        out
    }

    pub(crate) fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        for d in other {
            self.push(d);
        }
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    /// How many problems are errors, those left out included.
    pub fn errors(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).map(Diagnostic::weight).sum()
    }

    /// How many problems are warnings, those left out included.
    pub fn warnings(&self) -> usize {
        self.list.iter().filter(|d| !d.is_error()).map(Diagnostic::weight).sum()
    }

    /// Whether nothing was found at all, warnings included.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter()
    }

    /// The distinct codes found, in the order first found (`R3`, `date` …),
    /// for the pointer to `portal explain`.
    pub fn codes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for d in &self.list {
            let code = d.code.to_string();
            if !out.contains(&code) {
                out.push(code);
            }
        }
        out
    }

    /// Drops what was found in these files or under `folder`: their
    /// files were read again, and what is found now replaces it.
    pub(crate) fn forget(&mut self, files: &std::collections::HashSet<FileId>, folder: &Path) {
        self.list.retain(|d| match &d.place {
            Some(Place::Span(loc)) => !files.contains(&loc.file),
            Some(Place::Path(p)) => !p.starts_with(folder),
            None => true,
        });
        self.retally();
    }

    pub(crate) fn sort(&mut self, sources: &Sources) {
        self.list.sort_by_cached_key(|d| d.sort_key(sources));
        self.retally();
    }

    /// Writes every diagnostic rustc-style: position, message, the source line
    /// with the value marked, notes.
    pub fn emit(&self, sources: &Sources, out: &mut dyn WriteColor) -> std::io::Result<()> {
        let config = term::Config::default();
        for d in &self.list {
            let mut cs = match d.severity {
                Severity::Error => CsDiagnostic::error(),
                Severity::Warning => CsDiagnostic::warning(),
            }
            .with_code(d.code.as_str())
            .with_message(&d.message);
            let mut notes = d.notes.clone();
            match &d.place {
                // Problems left out are about the file, not its first line.
                Some(Place::Span(loc)) if d.omitted > 0 => {
                    notes.insert(0, format!("文件：{}", sources.path(loc.file).display()));
                }
                Some(Place::Span(loc)) => {
                    let mut labels = vec![
                        CsLabel::primary(loc.file.0, loc.span.clone())
                            .with_message(d.label.clone().unwrap_or_default()),
                    ];
                    labels.extend(
                        d.related.iter().map(|(l, m)| CsLabel::secondary(l.file.0, l.span.clone()).with_message(m)),
                    );
                    cs = cs.with_labels(labels);
                }
                Some(Place::Path(p)) => notes.insert(0, format!("文件：{}", p.display())),
                None => {}
            }
            cs = cs.with_notes(notes);
            term::emit_to_write_style(out, &config, sources, &cs).map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    /// The diagnostics as JSON for other tools: positions are 1-based lines
    /// and columns (in characters), plus byte offsets.
    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        let location = |loc: &Location| {
            let (line, column) = sources.line_col(loc.file, loc.span.start);
            let (end_line, end_column) = sources.line_col(loc.file, loc.span.end);
            serde_json::json!({
                "file": sources.path(loc.file).to_string_lossy(),
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "byte_start": loc.span.start,
                "byte_end": loc.span.end,
            })
        };
        let items: Vec<serde_json::Value> = self
            .list
            .iter()
            .map(|d| {
                let mut v = match &d.place {
                    Some(Place::Span(loc)) if d.omitted > 0 => {
                        serde_json::json!({ "file": sources.path(loc.file).to_string_lossy(), "omitted": d.omitted })
                    }
                    Some(Place::Path(p)) if d.omitted > 0 => {
                        serde_json::json!({ "file": p.to_string_lossy(), "omitted": d.omitted })
                    }
                    Some(Place::Span(loc)) => location(loc),
                    Some(Place::Path(p)) => serde_json::json!({ "file": p.to_string_lossy() }),
                    None => serde_json::json!({}),
                };
                v["severity"] = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                }
                .into();
                v["code"] = d.code.as_str().into();
                v["message"] = d.message.clone().into();
                v["label"] = d.label.clone().into();
                v["notes"] = d.notes.clone().into();
                v["related"] = d
                    .related
                    .iter()
                    .map(|(loc, label)| {
                        let mut r = location(loc);
                        r["label"] = label.clone().into();
                        r
                    })
                    .collect::<Vec<_>>()
                    .into();
                v
            })
            .collect();
        serde_json::json!({ "errors": self.errors(), "warnings": self.warnings(), "diagnostics": items })
    }

    /// Plain-text rendering (no colours), for the serve overlay and tests.
    pub fn to_plain_string(&self, sources: &Sources) -> String {
        let mut buf = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        // Writing into memory cannot fail.
        let _ = self.emit(sources, &mut buf);
        String::from_utf8_lossy(&buf.into_inner()).into_owned()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

// Kept as the list alone (in the state a run keeps); the tallies are counted again.
impl Serialize for Diagnostics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.list.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Diagnostics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Diagnostic>::deserialize(d).map(Self::from_list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_position_and_source_line() {
        let mut sources = Sources::default();
        let id = sources.add("content/a/2024/data.toml".into(), "[requests]\nnew = [1, -2]\n".into());
        let mut ds = Diagnostics::default();
        ds.push(
            Diagnostic::error(Code::Rule(crate::format::RuleId::R5), "申请数量不能为负数")
                .at(id, 22..24)
                .with_label("-2"),
        );
        let text = ds.to_plain_string(&sources);
        assert!(text.contains("content/a/2024/data.toml:2:12"), "{text}");
        assert!(text.contains("new = [1, -2]"), "{text}");
        assert_eq!(ds.errors(), 1);
    }

    fn two_files() -> (Sources, FileId, FileId) {
        let mut sources = Sources::default();
        let a = sources.add("content/a/2024/data.toml".into(), "x = 1\n".repeat(10));
        let b = sources.add("content/b/2024/data.toml".into(), "y = 2\n".repeat(10));
        (sources, a, b)
    }

    fn at(file: FileId, i: usize, severity: Severity) -> Diagnostic {
        let d = Diagnostic::error(Code::UnknownKey, format!("第 {i} 个")).at(file, i % 60..i % 60 + 1);
        Diagnostic { severity, ..d }
    }

    /// Every way diagnostics are gathered: one by one, lazily, from another
    /// collection, after sorting, forgetting and a round trip through the state.
    #[test]
    fn each_file_lists_at_most_its_share_and_counts_the_rest() {
        let (sources, a, b) = two_files();
        let n = 200_000;
        let mut ds = Diagnostics::default();
        let mut made = 0;
        for i in 0..n {
            ds.push(at(a, i, Severity::Error));
            ds.push_at(a, Severity::Warning, || {
                made += 1;
                at(a, i, Severity::Warning)
            });
        }
        // Made only while listed: the file is full after half of each.
        assert_eq!(made, PER_FILE / 2);
        ds.extend((0..10).map(|i| at(b, i, Severity::Warning)));
        ds.push(Diagnostic::error(Code::Config, "全站"));
        ds.push(Diagnostic::error(Code::MissingFile, "缺少").at_path("content/c/2024/report.md"));
        let check = |ds: &Diagnostics| {
            assert_eq!(ds.errors(), n + 2);
            assert_eq!(ds.warnings(), n + 10);
            let in_a = ds.iter().filter(|d| d.key() == Some(Key::File(a))).count();
            assert_eq!(in_a, PER_FILE + 2, "listed, then one line per severity");
            let omitted: Vec<(Severity, usize)> =
                ds.iter().filter(|d| d.code == Code::Omitted).map(|d| (d.severity, d.omitted)).collect();
            assert!(omitted.contains(&(Severity::Error, n - PER_FILE / 2)), "{omitted:?}");
            assert!(omitted.contains(&(Severity::Warning, n - PER_FILE / 2)), "{omitted:?}");
        };
        check(&ds);

        // Merged into another collection: still bounded, still counted.
        let mut merged = Diagnostics::default();
        merged.push(at(a, 0, Severity::Error));
        merged.extend(ds.clone());
        assert_eq!(merged.errors(), n + 3);
        assert_eq!(merged.iter().filter(|d| d.key() == Some(Key::File(a))).count(), PER_FILE + 2);

        ds.sort(&sources);
        check(&ds);
        let last_of_a = ds.list.iter().rposition(|d| d.key() == Some(Key::File(a))).unwrap();
        assert_eq!(ds.list[last_of_a].code, Code::Omitted, "the count closes the file's list");

        let json = serde_json::to_string(&ds).unwrap();
        let mut back: Diagnostics = serde_json::from_str(&json).unwrap();
        check(&back);
        back.push(at(a, 1, Severity::Error));
        assert_eq!(back.errors(), n + 3);
        assert_eq!(back.iter().filter(|d| d.key() == Some(Key::File(a))).count(), PER_FILE + 2);

        back.forget(&[a].into_iter().collect(), Path::new("content/c"));
        assert_eq!((back.errors(), back.warnings()), (1, 10));
        back.push(at(a, 1, Severity::Error));
        assert_eq!(back.iter().filter(|d| d.key() == Some(Key::File(a))).count(), 1);
    }

    #[test]
    fn the_count_is_shown_once_per_file_in_text_and_json() {
        let (sources, a, _) = two_files();
        let mut ds = Diagnostics::default();
        for i in 0..PER_FILE + 7 {
            ds.push(at(a, i, Severity::Error));
        }
        ds.sort(&sources);
        let text = ds.to_plain_string(&sources);
        assert_eq!(text.matches("error[unknown-key]").count(), PER_FILE, "{text}");
        assert!(text.contains("另有 7 个错误未列出"), "{text}");
        assert!(text.contains("文件：content/a/2024/data.toml"), "{text}");
        let json = ds.to_json(&sources);
        assert_eq!(json["errors"], PER_FILE + 7);
        let last = &json["diagnostics"][PER_FILE];
        assert_eq!((last["code"].as_str(), last["omitted"].as_u64()), (Some("omitted"), Some(7)));
        assert_eq!(last["file"], "content/a/2024/data.toml");
    }
}
