//! The figures that 一、总体情况 states in words, found when a report is read
//! so that rule R8 can compare them with the tables without the text.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use aho_corasick::AhoCorasick;

use crate::format::{self, Format, ProseFigure};
use crate::model::{Number, Stated};

/// The figures stated in `text`, the prose section's Markdown, which starts
/// at byte `offset` of `report.md`. A number that its figure's unit cannot
/// hold (`1.2.3件`) is left out: the prose is not checked beyond what it says clearly.
pub(super) fn stated(format: &Format, text: &str, offset: usize) -> Box<[Stated]> {
    find_quoted_figures(text, format.prose)
        .into_iter()
        .filter_map(|q| {
            let figure = format.prose.iter().position(|f| std::ptr::eq(f, q.figure))?;
            let value = match format.unit_at(format.prose_cell(q.figure)?)? {
                unit @ (format::Unit::Count | format::Unit::SignedCount) => Number::whole(unit, &q.number, 10).ok()?,
                format::Unit::Amount => super::parse_amount(&q.number).ok()?,
            };
            Some(Stated {
                figure: u16::try_from(figure).ok()?,
                value,
                phrase: offset + q.context.start..offset + q.context.end,
                span: offset + q.span.start..offset + q.span.end,
            })
        })
        .collect()
}

/// A figure found in prose.
#[derive(Debug)]
struct Quote<'f> {
    figure: &'f ProseFigure,
    number: String,
    /// Byte span of the number.
    span: Range<usize>,
    /// Byte span of the phrase and number, for the message.
    context: Range<usize>,
}

/// Clause-level matching: a phrase's fragments in order within one clause, the
/// last directly followed by the number and its unit. Anything looser is left
/// alone: a false alarm costs more trust than a missed one.
fn find_quoted_figures(text: &str, figures: &'static [ProseFigure]) -> Vec<Quote<'static>> {
    let Some(finder) = finder(figures) else { return Vec::new() };
    // Where each phrase's last fragment was last found: a phrase's own
    // matches do not overlap, as `str::match_indices` gives them.
    let mut after = vec![0; finder.count];
    // (clause start, figure, phrase, match), the order clauses, figures and
    // phrases are tried in: the first phrase to claim a number keeps it.
    let mut found: Vec<((usize, usize, usize, usize), Quote<'static>)> = Vec::new();
    for m in finder.automaton.find_overlapping_iter(text) {
        for &(f, p, n) in &finder.phrases[m.pattern().as_usize()] {
            if m.start() < after[n] {
                continue;
            }
            after[n] = m.end();
            let start = text[..m.start()]
                .rfind(CLAUSE_ENDS)
                .map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8));
            let end = text[m.end()..].find(CLAUSE_ENDS).map_or(text.len(), |i| m.end() + i);
            let (clause, at) = (&text[start..end], m.start() - start);
            let figure = &figures[f];
            let before = &figure.phrases[p][..figure.phrases[p].len() - 1];
            let mut cursor = 0;
            let in_order = before.iter().all(|frag| match clause[cursor..at].find(frag) {
                Some(p) => {
                    cursor += p + frag.len();
                    true
                }
                None => false,
            });
            if !in_order {
                continue;
            }
            let phrase_start = if before.is_empty() { at } else { clause.find(before[0]).unwrap_or(at) };
            if let Some((number, span)) = number_after(clause, m.end() - start, figure.units) {
                let span = start + span.start..start + span.end;
                let quote = Quote { figure, number, context: start + phrase_start..span.end, span };
                found.push(((start, f, p, at), quote));
            }
        }
    }
    found.sort_by_key(|(order, _)| *order);
    let mut out: Vec<Quote<'static>> = Vec::with_capacity(found.len());
    for (_, quote) in found {
        if out.iter().all(|q| q.span != quote.span) {
            out.push(quote);
        }
    }
    out.sort_by_key(|q| q.span.start);
    out
}

const CLAUSE_ENDS: &[char] = &['，', '。', '；', '：', '！', '？', '、', '（', '）', '(', ')', ',', ';', '\n'];

/// The last fragments of a format's phrases, found in one pass over the text.
struct Finder {
    automaton: AhoCorasick,
    /// Per distinct fragment: (figure, phrase, the phrase's number) of the phrases it ends.
    phrases: Vec<Vec<(usize, usize, usize)>>,
    /// Phrases in all.
    count: usize,
}

/// The [`Finder`] of `figures`, made once: a format's figures are `'static`.
fn finder(figures: &'static [ProseFigure]) -> Option<Arc<Finder>> {
    static MADE: Mutex<Vec<(usize, Arc<Finder>)>> = Mutex::new(Vec::new());
    let key = figures.as_ptr() as usize;
    let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, finder)) = made.iter().find(|(k, _)| *k == key) {
        return Some(Arc::clone(finder));
    }
    let mut fragments: Vec<&str> = Vec::new();
    let mut phrases: Vec<Vec<(usize, usize, usize)>> = Vec::new();
    let mut n = 0;
    for (f, figure) in figures.iter().enumerate() {
        for (p, phrase) in figure.phrases.iter().enumerate() {
            // A fragment across clauses can never match within one.
            let Some(last) = phrase.last().filter(|l| !l.contains(CLAUSE_ENDS)) else { continue };
            let i = fragments.iter().position(|x| x == last).unwrap_or_else(|| {
                fragments.push(last);
                phrases.push(Vec::new());
                fragments.len() - 1
            });
            phrases[i].push((f, p, n));
            n += 1;
        }
    }
    // A format's few dozen words are far within the automaton's limits.
    let automaton = AhoCorasick::new(&fragments).ok()?;
    let finder = Arc::new(Finder { automaton, phrases, count: n });
    made.push((key, Arc::clone(&finder)));
    Some(finder)
}

/// The number (and its unit) right after `from`, allowing connecting words.
fn number_after(clause: &str, from: usize, units: &[&str]) -> Option<(String, Range<usize>)> {
    let mut pos = from;
    for _ in 0..3 {
        match format::PROSE_CONNECTORS.iter().find(|c| clause[pos..].starts_with(*c)) {
            Some(c) => pos += c.len(),
            None => break,
        }
    }
    let digits_start = pos;
    let mut number = String::new();
    for ch in clause[pos..].chars() {
        let ascii = match ch {
            '0'..='9' | '.' => ch,
            '０'..='９' => char::from_digit(u32::from(ch) - u32::from('０'), 10)?,
            _ => break,
        };
        number.push(ascii);
        pos += ch.len_utf8();
    }
    let number = number.trim_end_matches('.').to_owned();
    if number.is_empty() || !units.iter().any(|u| clause[pos..].starts_with(u)) {
        return None;
    }
    let unit_len = units.iter().find(|u| clause[pos..].starts_with(*u)).map_or(0, |u| u.len());
    Some((number, digits_start..pos + unit_len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;

    fn quotes(text: &str) -> Vec<(String, String, String)> {
        find_quoted_figures(text, FORMAT_2021.prose)
            .into_iter()
            .map(|q| (q.figure.row.to_owned(), q.figure.column.to_owned(), q.number))
            .collect()
    }

    #[test]
    fn finds_the_figures_reports_quote() {
        assert_eq!(quotes("收到政府信息依申请6条，2024年"), [("new".into(), "total".into(), "6".into())]);
        assert_eq!(
            quotes("现行有效的行政规范性文件共10件[^1]。全年作出行政许可决定138件"),
            [
                ("normative_documents".into(), "in_force".into(), "10".into()),
                ("licensing".into(), "decisions".into(), "138".into())
            ]
        );
        assert_eq!(quotes("结转下年度继续办理１件。"), [("carried_forward".into(), "total".into(), "1".into())]);
        assert_eq!(quotes("行政事业性收费1.48万元"), [("fees".into(), "amount".into(), "1.48".into())]);
    }

    #[test]
    fn a_total_in_words_before_the_number() {
        let new = |n: &str| vec![("new".to_owned(), "total".to_owned(), n.to_owned())];
        assert_eq!(quotes("本年度新收政府信息公开申请共计27件"), new("27"));
        assert_eq!(quotes("全年共收到申请共计27件。"), new("27"));
        assert_eq!(quotes("受理政府信息公开申请合计27个"), new("27"));
        assert_eq!(quotes("新收政府信息公开申请总计27条"), new("27"));
        assert_eq!(quotes("新收政府信息公开申请数量为27件"), new("27"));
        assert_eq!(quotes("新收政府信息公开申请数量共计２７件"), new("27"));
    }

    #[test]
    fn leaves_loose_sentences_alone() {
        for text in [
            "累计发布1259条信息",
            "另有2件结转下年度办理",
            "无结转下年度办理的申请",
            "行政复议决定维持1件",
            "我街道对依申请公开工作程序予以明确",
            "较上年新收申请增加5件",
            "予以公开的比例为80%",
        ] {
            assert!(quotes(text).is_empty(), "{text}: {:?}", quotes(text));
        }
    }
}
