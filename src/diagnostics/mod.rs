//! Problems found in a site's files, with the place they were found.
//!
//! Every stage reports user-facing problems as [`Diagnostic`] values pointing
//! into [`Sources`]; they are rendered once, at the edge (`main`).

mod code;

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
}

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

    /// Sort key: file path, then position, so reports read top to bottom.
    fn sort_key(&self, sources: &Sources) -> (PathBuf, usize) {
        match &self.place {
            Some(Place::Span(loc)) => (sources.path(loc.file).to_path_buf(), loc.span.start),
            Some(Place::Path(p)) => (p.clone(), 0),
            None => (PathBuf::new(), 0),
        }
    }
}

/// All problems of a run, in reading order.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub(crate) fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// How many diagnostics are errors.
    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// How many diagnostics are warnings.
    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    /// Whether nothing was found at all, warnings included.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Drops what was found in these files or under `folder`: their
    /// files were read again, and what is found now replaces it.
    pub(crate) fn forget(&mut self, files: &std::collections::HashSet<FileId>, folder: &Path) {
        self.0.retain(|d| match &d.place {
            Some(Place::Span(loc)) => !files.contains(&loc.file),
            Some(Place::Path(p)) => !p.starts_with(folder),
            None => true,
        });
    }

    pub(crate) fn sort(&mut self, sources: &Sources) {
        self.0.sort_by_cached_key(|d| d.sort_key(sources));
    }

    /// Writes every diagnostic rustc-style: position, message, the source line
    /// with the value marked, notes.
    pub fn emit(&self, sources: &Sources, out: &mut dyn WriteColor) -> std::io::Result<()> {
        let config = term::Config::default();
        for d in &self.0 {
            let mut cs = match d.severity {
                Severity::Error => CsDiagnostic::error(),
                Severity::Warning => CsDiagnostic::warning(),
            }
            .with_code(d.code.as_str())
            .with_message(&d.message);
            let mut notes = d.notes.clone();
            match &d.place {
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
            .0
            .iter()
            .map(|d| {
                let mut v = match &d.place {
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
        self.0.into_iter()
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
}
