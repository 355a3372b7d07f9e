//! A rendered page as a template frame with parts spliced in.
//!
//! The official tables and the trend charts are rendered by code, apart from
//! the template: the frame holds a placeholder comment where each goes, so
//! that the link inspection parses only the frame. They are most of a page's
//! elements, have no links, and their ids are known
//! ([`Shared::table_ids`] of the report's format, [`Shared::chart_ids`]).
//!
//! [`Shared::table_ids`]: super::Shared::table_ids
//! [`Shared::chart_ids`]: super::Shared::chart_ids

use std::ops::Range;

/// A rendered page: its frame and the parts spliced into it.
#[derive(Debug)]
pub(crate) struct Html {
    /// The template's output, with a placeholder where each part goes.
    pub frame: String,
    /// In the order of their placeholders in `frame`.
    pub parts: Vec<Part>,
}

/// A piece of a page rendered apart and spliced in.
#[derive(Debug)]
pub(crate) struct Part {
    /// The placeholder's byte range in the frame, and its line there (1-based).
    at: Range<usize>,
    line: usize,
    html: String,
    /// Line breaks in `html`.
    breaks: usize,
    kind: PartKind,
}

/// What a part of a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartKind {
    /// An official table.
    Table,
    /// A trend chart.
    Chart,
}

impl Html {
    /// Finds in `frame` the placeholders of `parts`, which a template was given
    /// in its context. A template that does not place each part exactly once
    /// as given gets the parts put wherever their placeholders are, and the
    /// page is then inspected whole.
    pub(crate) fn splice(frame: String, Parts(parts): Parts) -> Self {
        let places: Vec<Option<usize>> = (0..parts.len())
            .map(|n| match frame.match_indices(&placeholder(n)).map(|(at, _)| at).collect::<Vec<_>>()[..] {
                [at] => Some(at),
                _ => None,
            })
            .collect();
        if places.iter().any(Option::is_none) {
            let mut frame = frame;
            for (n, (html, _)) in parts.iter().enumerate() {
                frame = frame.replace(&placeholder(n), html);
            }
            return Html { frame, parts: Vec::new() };
        }
        let mut found: Vec<Part> = parts
            .into_iter()
            .zip(places.into_iter().flatten())
            .enumerate()
            .map(|(n, ((html, kind), at))| {
                let breaks = breaks(&html);
                Part { at: at..at + placeholder(n).len(), line: 0, html, breaks, kind }
            })
            .collect();
        found.sort_by_key(|p| p.at.start);
        let (mut line, mut seen) = (1, 0);
        for part in &mut found {
            line += breaks(&frame[seen..part.at.start]);
            seen = part.at.start;
            part.line = line;
        }
        Html { frame, parts: found }
    }

    /// The page as written.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        if self.parts.is_empty() {
            return self.frame.into_bytes();
        }
        let size = self.frame.len() + self.parts.iter().map(|p| p.html.len()).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        self.pieces().for_each(|piece| out.extend_from_slice(piece));
        out
    }

    /// The xxh3 hash of [`Html::into_bytes`], without putting the page together.
    pub(crate) fn hash(&self) -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        self.pieces().for_each(|piece| hasher.update(piece));
        hasher.digest()
    }

    /// The page as written, in order: stretches of the frame and the parts
    /// spliced between them.
    fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        let frame = self.frame.as_bytes();
        let starts = std::iter::once(0).chain(self.parts.iter().map(|p| p.at.end));
        let ends = self.parts.iter().map(|p| p.at.start).chain(std::iter::once(frame.len()));
        let parts = self.parts.iter().map(|p| p.html.as_bytes()).map(Some).chain(std::iter::once(None));
        starts
            .zip(ends)
            .zip(parts)
            .flat_map(move |((start, end), part)| std::iter::once(&frame[start..end]).chain(part))
    }

    /// Whether parts of this kind are spliced into the page.
    pub(crate) fn has(&self, kind: PartKind) -> bool {
        self.parts.iter().any(|p| p.kind == kind)
    }

    /// The line in the written page of a line of the frame: parts spliced in
    /// above it push it down by their line breaks.
    pub(crate) fn page_line(&self, frame_line: usize) -> usize {
        frame_line + self.parts.iter().filter(|p| p.line < frame_line).map(|p| p.breaks).sum::<usize>()
    }
}

fn breaks(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// Where part `n` of a page goes, until it is spliced in. A comment: the link
/// inspection reads the frame as the HTML it is.
fn placeholder(n: usize) -> String {
    format!("<!--portal:part:{n}-->")
}

/// The parts of a page being built, each given to its template as a placeholder.
#[derive(Default)]
pub(crate) struct Parts(Vec<(String, PartKind)>);

impl Parts {
    /// Adds a part and returns its placeholder, for the template's context.
    pub(crate) fn push(&mut self, html: String, kind: PartKind) -> String {
        self.0.push((html, kind));
        placeholder(self.0.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page made again to the same bytes keeps its links only if the hash
    /// of the page in parts is the hash of the page as written.
    #[test]
    fn a_page_hashes_as_written() {
        let frame = "<main>\n@@0@@\n<p>文</p>\n@@1@@</main>\n".to_owned();
        let part = |n: usize, html: &str| {
            let at = frame.find(&format!("@@{n}@@")).unwrap();
            Part { at: at..at + 5, line: 0, html: html.to_owned(), breaks: 0, kind: PartKind::Table }
        };
        let html = Html { parts: vec![part(0, "<table>一</table>"), part(1, "")], frame: frame.clone() };
        let hash = html.hash();
        let bytes = html.into_bytes();
        assert_eq!(String::from_utf8_lossy(&bytes), "<main>\n<table>一</table>\n<p>文</p>\n</main>\n");
        assert_eq!(hash, xxhash_rust::xxh3::xxh3_64(&bytes));
        let plain = Html { frame: frame.clone(), parts: Vec::new() };
        assert_eq!(plain.hash(), xxhash_rust::xxh3::xxh3_64(frame.as_bytes()));
    }
}
