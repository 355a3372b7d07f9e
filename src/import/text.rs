//! Plain text copied or extracted from a report: paragraphs are lines, tables
//! are runs of tab-separated lines, and paragraphs broken at page boundaries
//! are joined again.

use super::document::{Loc, Para, Piece, RawCell, RawRow, RawTable, Source, TERMINAL, is_subheading, is_title};
use super::words::{find_date, squash};
use crate::format::Format;

/// Reads a text file's contents.
pub(super) fn read(format: &'static Format, text: &str) -> Source {
    let lines: Vec<&str> = text.lines().collect();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut table: Option<RawTable> = None;
    for (i, line) in lines.iter().enumerate() {
        let loc = Loc::Line(i + 1);
        if is_table_row(line) {
            let cells =
                line.split('\t').enumerate().map(|(col, c)| RawCell { text: squash(c), col, span: 1 }).collect();
            table.get_or_insert_with(RawTable::default).rows.push(RawRow { cells, loc });
            continue;
        }
        if line.trim().is_empty() {
            // Stray blank lines inside a table do not end it.
            continue;
        }
        if let Some(t) = table.take() {
            pieces.push(Piece::Table(t));
        }
        pieces.push(Piece::Para(Para { text: line.to_string(), loc }));
    }
    if let Some(t) = table.take() {
        pieces.push(Piece::Table(t));
    }
    Source { pieces: join_broken(format, pieces), ..Source::default() }
}

/// A table row has tab-separated cells; a single leading tab is indentation.
fn is_table_row(line: &str) -> bool {
    line.trim_start_matches([' ', '\u{3000}']).trim_start_matches('\t').contains('\t')
}

/// Joins a paragraph that stops mid-sentence (no closing punctuation) with the
/// next one, unless either is a heading, a title, or the signature block: text
/// extracted from a PDF breaks paragraphs at every page boundary.
fn join_broken(format: &'static Format, pieces: Vec<Piece>) -> Vec<Piece> {
    let standalone = |text: &str| {
        let t = squash(text);
        is_title(&t)
            || is_subheading(&t)
            || super::document::section_heading(format, &t).is_some()
            || find_date(&t).is_some_and(|_| t.chars().count() <= 30)
    };
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if let (Some(Piece::Para(prev)), Piece::Para(next)) = (out.last_mut(), &piece) {
            let prev_text = squash(&prev.text);
            let open = !prev_text.ends_with(TERMINAL);
            let short = prev_text.chars().count() <= 30;
            if open && !short && !standalone(&prev_text) && !standalone(&next.text) {
                prev.text = squash(&format!("{prev_text} {}", squash(&next.text)));
                continue;
            }
        }
        out.push(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;

    fn paras(source: &Source) -> Vec<String> {
        source.pieces.iter().filter_map(|p| if let Piece::Para(p) = p { Some(p.text.clone()) } else { None }).collect()
    }

    #[test]
    fn paragraphs_broken_at_page_boundaries_are_joined() {
        let text = "一、总体情况\n\n2024年，冶源街道深入贯彻《条例》，对标省、市、县基层政务公开要求，强化责任\n\n担当，提升思想认识。\n（一）主动公开\n依照规定：\n";
        let s = read(&FORMAT_2021, text);
        assert_eq!(
            paras(&s),
            [
                "一、总体情况",
                "2024年，冶源街道深入贯彻《条例》，对标省、市、县基层政务公开要求，强化责任担当，提升思想认识。",
                "（一）主动公开",
                "依照规定："
            ]
        );
    }

    #[test]
    fn tab_lines_with_blank_lines_between_are_one_table() {
        let text = "三、标题\n\n\t自然人\t总计\n\n一、本年新收\t6\t6\n正文。\n";
        let s = read(&FORMAT_2021, text);
        let tables: Vec<&RawTable> =
            s.pieces.iter().filter_map(|p| if let Piece::Table(t) = p { Some(t) } else { None }).collect();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].rows.len(), 2);
        assert_eq!(tables[0].rows[1].loc, Loc::Line(5));
        assert_eq!(tables[0].rows[1].cells[1].text, "6");
        assert!(!is_table_row("\t正文缩进"));
        assert!(is_table_row("第二十条第（一）项\t\t\t"));
    }
}
