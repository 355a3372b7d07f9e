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

use super::narrative::Narrative;
use crate::linkcheck::Known;

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
    /// Its links and ids, when it has any (a narrative).
    known: Option<Known>,
}

/// What a part of a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartKind {
    /// An official table.
    Table,
    /// A trend chart.
    Chart,
    /// A stretch of narrative whose links and ids are known from its Markdown.
    Narrative,
}

impl Html {
    /// Finds in `frame` the placeholders of `parts`, which a template was given
    /// in its context. A template that does not place each part exactly once
    /// as given gets the parts put wherever their placeholders are, and the
    /// page is then inspected whole.
    pub(crate) fn splice(frame: String, Parts(parts): Parts) -> Self {
        // One pass over the frame for every placeholder, not one per part.
        let mut found_at: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
        // memchr's vectorised search: str::find's two-way search showed in the profile of a build.
        for at in memchr::memmem::find_iter(frame.as_bytes(), PLACEHOLDER) {
            let rest = &frame[at + PLACEHOLDER.len()..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if rest[digits..].starts_with("-->")
                && let Some(places) = rest[..digits].parse::<usize>().ok().and_then(|n| found_at.get_mut(n))
            {
                places.push(at);
            }
        }
        let places: Vec<Option<usize>> =
            found_at.iter().map(|at| if let [at] = at[..] { Some(at) } else { None }).collect();
        if places.iter().any(Option::is_none) {
            let mut frame = frame;
            for (n, (html, _, _)) in parts.iter().enumerate() {
                frame = frame.replace(&placeholder(n), html);
            }
            return Html { frame, parts: Vec::new() };
        }
        let mut found: Vec<Part> = parts
            .into_iter()
            .zip(places.into_iter().flatten())
            .enumerate()
            .map(|(n, ((html, kind, known), at))| {
                let breaks = breaks(&html);
                Part { at: at..at + placeholder(n).len(), line: 0, html, breaks, kind, known }
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

    /// The parts whose links and ids are known, each with the line of the
    /// written page it starts on.
    pub(crate) fn known(&self) -> Vec<(usize, &Known)> {
        let mut above = 0;
        let mut out = Vec::new();
        for part in &self.parts {
            if let Some(known) = &part.known {
                out.push((part.line + above, known));
            }
            above += part.breaks;
        }
        out
    }

    /// The line in the written page of what is at byte `offset` of the
    /// frame, on its line `frame_line`: parts spliced in before it push it
    /// down by their line breaks.
    pub(crate) fn page_line(&self, offset: usize, frame_line: usize) -> usize {
        frame_line + self.parts.iter().take_while(|p| p.at.start < offset).map(|p| p.breaks).sum::<usize>()
    }
}

fn breaks(s: &str) -> usize {
    crate::text::line_breaks(s.as_bytes())
}

/// Where part `n` of a page goes, until it is spliced in. A comment: the link
/// inspection reads the frame as the HTML it is.
fn placeholder(n: usize) -> String {
    format!("{PLACEHOLDER}{n}-->")
}

const PLACEHOLDER: &str = "<!--portal:part:";

/// The parts of a page being built, each given to its template as a placeholder.
#[derive(Default)]
pub(crate) struct Parts(Vec<(String, PartKind, Option<Known>)>);

impl Parts {
    /// Adds a part and returns its placeholder, for the template's context.
    pub(crate) fn push(&mut self, html: String, kind: PartKind) -> String {
        self.0.push((html, kind, None));
        placeholder(self.0.len() - 1)
    }

    /// Adds a stretch of narrative as a part if its links and ids are known,
    /// and returns its placeholder; else returns its HTML, which then stays
    /// in the frame for the link inspection to read.
    pub(crate) fn push_narrative(&mut self, narrative: Narrative) -> String {
        match narrative.known {
            Some(known) if !narrative.html.is_empty() => {
                self.0.push((narrative.html, PartKind::Narrative, Some(known)));
                placeholder(self.0.len() - 1)
            }
            _ => narrative.html,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(n: usize) -> (Parts, Vec<String>) {
        let mut parts = Parts::default();
        let holders = (0..n).map(|i| parts.push(format!("<p>{i}</p>\n"), PartKind::Table)).collect();
        (parts, holders)
    }

    /// Each placeholder is found once (part 1 is not part 12), and the
    /// written page is the frame with the parts in their places.
    #[test]
    fn parts_are_spliced_where_their_placeholders_are() {
        let (parts, holders) = parts(13);
        let frame: String = holders.iter().rev().map(|h| format!("<div>{h}</div>\n")).collect();
        let html = Html::splice(frame, parts);
        assert_eq!(html.parts.len(), 13);
        let page = String::from_utf8(html.into_bytes()).unwrap();
        let expected: String = (0..13).rev().map(|i| format!("<div><p>{i}</p>\n</div>\n")).collect();
        assert_eq!(page, expected);
    }

    /// A template that places a part twice, or not at all, gets the parts put
    /// in and the page read whole.
    #[test]
    fn a_part_placed_twice_or_never_makes_one_frame() {
        let (parts, holders) = parts(2);
        let html = Html::splice(format!("{0}{0}", holders[0]), parts);
        assert!(html.parts.is_empty());
        assert_eq!(html.frame, "<p>0</p>\n<p>0</p>\n");
    }

    /// Lines of the frame and of known parts are lines of the written page.
    #[test]
    fn lines_of_the_frame_and_parts_are_lines_of_the_page() {
        let mut parts = Parts::default();
        let table = parts.push("<table>\n<tr>\n</table>".to_owned(), PartKind::Table);
        let mut known = Known::default();
        known.href("a/".to_owned(), 2);
        let text =
            parts.push_narrative(Narrative { html: "<p>\n<a href=\"a/\">a</a></p>".to_owned(), known: Some(known) });
        let frame = format!("<main>\n{table}<a href=x>\n{text}\n<a href=y>");
        let at_x = frame.find("<a href=x").unwrap();
        let at_y = frame.find("<a href=y").unwrap();
        let html = Html::splice(frame, parts);
        assert_eq!(html.page_line(at_x, 2), 4, "after the table's two breaks");
        assert_eq!(html.page_line(at_y, 4), 7);
        let known: Vec<usize> = html.known().into_iter().map(|(line, _)| line).collect();
        assert_eq!(known, [5]);
        let written = String::from_utf8(html.into_bytes()).unwrap();
        let line_of = |s: &str| written[..written.find(s).unwrap()].matches('\n').count() + 1;
        assert_eq!((line_of("<a href=x"), line_of("<a href=\"a/"), line_of("<a href=y")), (4, 6, 7));
    }

    /// A page made again to the same bytes keeps its links only if the hash
    /// of the page in parts is the hash of the page as written.
    #[test]
    fn a_page_hashes_as_written() {
        let frame = "<main>\n@@0@@\n<p>文</p>\n@@1@@</main>\n".to_owned();
        let part = |n: usize, html: &str| {
            let at = frame.find(&format!("@@{n}@@")).unwrap();
            Part { at: at..at + 5, line: 0, html: html.to_owned(), breaks: 0, kind: PartKind::Table, known: None }
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
