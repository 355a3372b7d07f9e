//! A report page saved from a government portal: the report body is found
//! within the page's navigation and footer (the smallest element holding the
//! official section headings), tables are read from their real `<table>`
//! structure with `rowspan`/`colspan`, and the publication date comes from
//! the page's metadata (`<meta name="PubDate">`) or its text.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

use super::document::{Loc, Para, Piece, RawCell, RawRow, RawTable, Source, is_title, section_heading};
use super::words::{find_date, squash};
use crate::format::Format;

/// Elements that are never part of a report's text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside", "form", "button", "select",
    "iframe", "svg", "object",
];

/// Elements that start a new paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "blockquote",
    "center",
    "dl",
    "dt",
    "dd",
    "pre",
    "tr",
    "td",
    "th",
    "main",
    "tbody",
    "thead",
    "caption",
    "hr",
];

/// Metadata names of the publication date, as portals (TRS, 政府网站集约化平台) write them.
const DATE_META: &[&str] = &["pubdate", "publishdate", "firstpublishedtime", "publishtime", "dc.date", "date"];
/// Text labels of the publication date on a page.
const DATE_LABELS: &[&str] = &["发布日期", "发布时间", "成文日期", "日期"];

fn selector(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// Reads an HTML page.
pub(super) fn read(format: &'static Format, text: &str) -> Source {
    let page = Html::parse_document(text);
    let mut source = Source::default();
    let metas: Vec<(String, String)> = selector("meta")
        .map(|s| {
            page.select(&s)
                .filter_map(|m| Some((m.attr("name")?.to_ascii_lowercase(), m.attr("content")?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    source.date = DATE_META.iter().find_map(|name| {
        let (meta_name, content) = metas.iter().find(|(n, _)| n == name)?;
        let (date, _) = find_date(content)?;
        Some((date, Loc::Meta(meta_label(meta_name))))
    });
    let root = body(format, &page);
    if source.date.is_none() {
        source.date = date_in_text(&page, root.map(|r| r.id()));
    }
    source.title = metas
        .iter()
        .find(|(n, c)| n == "articletitle" && is_title(c))
        .map(|(_, c)| Para { text: squash(c), loc: Loc::Meta("ArticleTitle") })
        .or_else(|| heading_title(&page));
    if let Some(root) = root {
        let mut walker = Walker::default();
        walker.walk(*root);
        walker.flush();
        source.pieces = walker.pieces;
    }
    source
}

fn meta_label(name: &str) -> &'static str {
    match name {
        "pubdate" => "PubDate",
        "publishdate" => "PublishDate",
        "firstpublishedtime" => "firstpublishedtime",
        "publishtime" => "publishtime",
        "dc.date" => "DC.Date",
        _ => "date",
    }
}

/// The report's title: a page heading, else the part of `<title>` that is one.
fn heading_title(page: &Html) -> Option<Para> {
    let text = |e: ElementRef<'_>| squash(&e.text().collect::<String>());
    let headings = selector("h1, h2, h3, .title, #title")?;
    if let Some(h) = page.select(&headings).map(text).find(|t| is_title(t)) {
        return Some(Para { text: h, loc: Loc::Meta("h1") });
    }
    let title = page.select(&selector("title")?).next().map(text)?;
    title
        .split(['-', '_', '|', '—'])
        .map(squash)
        .find(|t| is_title(t))
        .map(|t| Para { text: t, loc: Loc::Meta("title") })
}

/// The report body: the deepest element holding as many different official
/// section headings as any element does (a heading repeated in a footer or a
/// sidebar does not widen it).
fn body<'a>(format: &'static Format, page: &'a Html) -> Option<ElementRef<'a>> {
    let candidates = selector("p, h1, h2, h3, h4, h5, h6, div, span, strong, b, td, li, font")?;
    let mut holders: Vec<(ego_tree::NodeId, usize, std::collections::BTreeSet<u8>)> = Vec::new();
    for e in page.select(&candidates) {
        let t = squash(&e.text().collect::<String>());
        if t.chars().count() > 60 {
            continue;
        }
        let Some((number, true)) = section_heading(format, &t) else { continue };
        for (depth, a) in e.ancestors().collect::<Vec<_>>().into_iter().rev().enumerate() {
            match holders.iter_mut().find(|(id, _, _)| *id == a.id()) {
                Some((_, _, numbers)) => {
                    numbers.insert(number);
                }
                None => holders.push((a.id(), depth, [number].into())),
            }
        }
    }
    let most = holders.iter().map(|(_, _, n)| n.len()).max().unwrap_or(0);
    let best = holders.iter().filter(|(_, _, n)| n.len() == most).max_by_key(|(_, depth, _)| *depth);
    match best {
        Some((id, _, _)) if most >= 2 => page.tree.get(*id).and_then(ElementRef::wrap),
        _ => page.select(&selector("body")?).next(),
    }
}

/// A publication date printed on the page outside the body (`发布时间：2025-01-10`).
fn date_in_text(page: &Html, body: Option<ego_tree::NodeId>) -> Option<(crate::model::Date, Loc)> {
    for node in page.tree.root().descendants() {
        if body.is_some_and(|b| node.ancestors().any(|a| a.id() == b)) {
            continue;
        }
        let Node::Text(t) = node.value() else { continue };
        let t = squash(t);
        for label in DATE_LABELS {
            if let Some(at) = t.find(label)
                && let Some((date, _)) = find_date(&t[at..])
            {
                return Some((date, Loc::PageText(label)));
            }
        }
    }
    None
}

#[derive(Default)]
struct Walker {
    pieces: Vec<Piece>,
    text: String,
    paragraphs: usize,
    tables: usize,
}

impl Walker {
    fn flush(&mut self) {
        let text = squash(&self.text);
        self.text.clear();
        if !text.is_empty() {
            self.paragraphs += 1;
            self.pieces.push(Piece::Para(Para { text, loc: Loc::Paragraph(self.paragraphs) }));
        }
    }

    fn walk(&mut self, node: NodeRef<'_, Node>) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => self.text.push_str(t),
                Node::Element(e) => {
                    let name = e.name();
                    let hidden = e.attr("role") == Some("navigation")
                        || e.attr("style").is_some_and(|s| s.replace(' ', "").contains("display:none"));
                    if SKIPPED.contains(&name) || hidden {
                        continue;
                    }
                    if name == "br" {
                        self.flush();
                    } else if name == "table" && !has_nested_table(child) {
                        self.flush();
                        self.tables += 1;
                        if let Some(t) = ElementRef::wrap(child) {
                            self.pieces.push(Piece::Table(table(t, self.tables)));
                        }
                    } else if BLOCKS.contains(&name) || name == "table" {
                        self.flush();
                        self.walk(child);
                        self.flush();
                    } else {
                        self.walk(child);
                    }
                }
                _ => {}
            }
        }
    }
}

fn has_nested_table(table: NodeRef<'_, Node>) -> bool {
    table.descendants().skip(1).any(|n| matches!(n.value(), Node::Element(e) if e.name() == "table"))
}

/// A `<table>` as a grid: each cell at its real column, cells covered by a
/// `rowspan` above left out.
fn table(table: ElementRef<'_>, number: usize) -> RawTable {
    let mut rows = Vec::new();
    // Columns still covered by a rowspan from above: column → rows left.
    let mut covered: Vec<usize> = Vec::new();
    let rows_sel = selector("tr");
    let trs: Vec<ElementRef<'_>> = rows_sel.map(|s| table.select(&s).collect()).unwrap_or_default();
    for (i, tr) in trs.into_iter().enumerate() {
        let mut cells = Vec::new();
        let mut col = 0;
        for cell in tr.children().filter_map(ElementRef::wrap).filter(|c| matches!(c.value().name(), "td" | "th")) {
            while covered.get(col).is_some_and(|&n| n > 0) {
                col += 1;
            }
            let number = |name: &str, max: usize| -> usize {
                cell.attr(name).and_then(|v| v.trim().parse().ok()).unwrap_or(1).clamp(1, max)
            };
            let (span, rowspan) = (number("colspan", 64), number("rowspan", 1000));
            let text = squash(&cell.text().collect::<Vec<_>>().join(" "));
            cells.push(RawCell { text, col, span });
            if covered.len() < col + span {
                covered.resize(col + span, 0);
            }
            for c in &mut covered[col..col + span] {
                *c = rowspan;
            }
            col += span;
        }
        for n in &mut covered {
            *n = n.saturating_sub(1);
        }
        rows.push(RawRow { cells, loc: Loc::TableRow { table: number, row: i + 1 } });
    }
    RawTable { rows, positional: true }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;

    #[test]
    fn rowspan_and_colspan_place_cells() {
        let page = Html::parse_fragment(
            r#"<table><tr><td rowspan="2" colspan="2">甲</td><td>乙</td></tr><tr><td>6</td></tr><tr><td>a</td><td>b</td><td>c</td></tr></table>"#,
        );
        let t = page.select(&selector("table").unwrap()).next().unwrap();
        let grid = table(t, 1);
        assert_eq!(grid.rows[1].cells.len(), 1);
        assert_eq!(grid.rows[1].cells[0].col, 2);
        assert_eq!(grid.rows[2].cells.iter().map(|c| c.col).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn body_excludes_navigation_and_date_comes_from_meta() {
        let html = r#"<html><head><meta name="PubDate" content="2025-01-10 09:30"><title>某局2024年政府信息公开工作年度报告_某县人民政府</title></head>
            <body><nav><a>2023年政府信息公开工作年度报告</a></nav>
            <div class="main"><div id="zoom"><p>一、总体情况</p><p>正文。</p><p>六、其他需要报告的事项</p><p>无。</p></div></div>
            <footer>主办单位：某县人民政府</footer></body></html>"#;
        let source = read(&FORMAT_2021, html);
        assert_eq!(source.date.map(|d| d.0.to_string()), Some("2025-01-10".into()));
        assert_eq!(source.title.map(|t| t.text), Some("某局2024年政府信息公开工作年度报告".into()));
        let texts: Vec<String> = source
            .pieces
            .iter()
            .filter_map(|p| if let Piece::Para(p) = p { Some(p.text.clone()) } else { None })
            .collect();
        assert_eq!(texts, ["一、总体情况", "正文。", "六、其他需要报告的事项", "无。"]);
    }
}
