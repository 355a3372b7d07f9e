//! A report page saved from a government portal: the report body is found
//! within the page's navigation and footer (the smallest element holding the
//! official section headings), tables are read from their real `<table>`
//! structure with `rowspan`/`colspan`, and the publication date comes from
//! the page's metadata (`<meta name="PubDate">`) or its text.

use std::collections::{HashMap, HashSet};

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

use super::ImportError;
use super::document::{
    Attachment, Loc, Para, Piece, RawCell, RawRow, RawTable, Source, attachment_file, attachments_only, is_title,
    numbered_heading, section_heading,
};
use super::words::{find_date, squash};
use crate::format::Format;
use crate::markdown::html::{MAX_DEPTH, TooDeep, parse_bounded};

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

/// Reads an HTML page; refuses one whose elements nest deeper than [`MAX_DEPTH`].
pub(super) fn read(format: &'static Format, text: &str) -> Result<Source, ImportError> {
    let page = parse(text)?;
    let outline = Outline::new(&page);
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
    let root = body(format, &page, &outline);
    if source.date.is_none() {
        source.date = date_in_text(&page, root.map(|r| r.id()));
    }
    source.title = metas
        .iter()
        .find(|(n, c)| n == "articletitle" && is_title(c))
        .map(|(_, c)| Para { text: squash(c), loc: Loc::Meta("ArticleTitle") })
        .or_else(|| heading_title(&page, &outline));
    if let Some(root) = root {
        let mut walker = Walker::default();
        walker.walk(*root, &outline);
        walker.flush();
        source.pieces = walker.pieces;
        source.attachments = walker.attachments;
    }
    Ok(source)
}

/// Parses a page, refusing one nested deeper than a browser shows.
fn parse(text: &str) -> Result<Html, ImportError> {
    parse_bounded(text).map_err(|TooDeep { line, depth }| ImportError::TooDeep { line, depth, limit: MAX_DEPTH })
}

/// Text longer than this (squashed) is neither a heading nor a title: its
/// text is not kept.
const SHORT_TEXT: usize = 200;

/// What each node holds below it, found in one walk of the page: the page
/// may nest elements thousands deep, so nothing asks a node for all its
/// descendants' text or all its ancestors.
struct Outline {
    /// A node's text (its descendants' text squashed), when at most [`SHORT_TEXT`] characters.
    short_text: HashMap<NodeId, String>,
    /// Nodes with a `<table>` below them.
    table_below: HashSet<NodeId>,
}

/// A node being walked: its children's text so far, squashed, with a space
/// at either end where the raw text had whitespace; `None` once too long.
struct Open {
    id: NodeId,
    text: Option<String>,
    /// Characters of `text` other than spaces.
    chars: usize,
    table_below: bool,
}

impl Open {
    fn push(&mut self, piece: &str) {
        let Some(text) = self.text.as_mut() else { return };
        let piece = if text.ends_with(' ') { piece.strip_prefix(' ').unwrap_or(piece) } else { piece };
        self.chars += piece.chars().filter(|&c| c != ' ').count();
        if self.chars > SHORT_TEXT {
            self.text = None;
        } else {
            text.push_str(piece);
        }
    }
}

/// `raw` squashed, keeping one space where it starts or ends with whitespace,
/// so that pieces joined and squashed again give what squashing the whole gives.
fn compact(raw: &str) -> String {
    let squashed = squash(raw);
    let lead = raw.starts_with(char::is_whitespace);
    let trail = raw.ends_with(char::is_whitespace);
    if squashed.is_empty() {
        return if lead { " ".to_owned() } else { String::new() };
    }
    format!("{}{squashed}{}", if lead { " " } else { "" }, if trail { " " } else { "" })
}

impl Outline {
    fn new(page: &Html) -> Self {
        let mut outline = Self { short_text: HashMap::new(), table_below: HashSet::new() };
        let mut stack: Vec<Open> = Vec::new();
        for edge in page.tree.root().traverse() {
            match edge {
                Edge::Open(node) => {
                    let mut open = Open { id: node.id(), text: Some(String::new()), chars: 0, table_below: false };
                    if let Node::Text(t) = node.value() {
                        open.push(&compact(t));
                    }
                    stack.push(open);
                }
                Edge::Close(node) => {
                    let Some(done) = stack.pop() else { continue };
                    let is_table = matches!(node.value(), Node::Element(e) if e.name() == "table");
                    let text = done.text.map(|t| compact(&t));
                    if let Some(parent) = stack.last_mut() {
                        match &text {
                            Some(t) => parent.push(t),
                            None => parent.text = None,
                        }
                        parent.table_below |= done.table_below || is_table;
                    }
                    if let Some(t) = text {
                        outline.short_text.insert(done.id, squash(&t));
                    }
                    if done.table_below {
                        outline.table_below.insert(done.id);
                    }
                }
            }
        }
        outline
    }

    /// The text of a node, squashed, unless longer than [`SHORT_TEXT`].
    fn short_text(&self, id: NodeId) -> Option<&str> {
        self.short_text.get(&id).map(String::as_str)
    }
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
fn heading_title(page: &Html, outline: &Outline) -> Option<Para> {
    let headings = selector("h1, h2, h3, .title, #title")?;
    if let Some(h) = page.select(&headings).filter_map(|e| outline.short_text(e.id())).find(|t| is_title(t)) {
        return Some(Para { text: h.to_owned(), loc: Loc::Meta("h1") });
    }
    let title = page.select(&selector("title")?).next().and_then(|e| outline.short_text(e.id()))?;
    title
        .split(['-', '_', '|', '—'])
        .map(squash)
        .find(|t| is_title(t))
        .map(|t| Para { text: t, loc: Loc::Meta("title") })
}

/// Elements whose text may be an official section heading.
const HEADING_HOLDERS: &[&str] =
    &["p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "strong", "b", "td", "li", "font"];

/// The report body: the deepest element holding as many different official
/// section headings as any element does (a heading repeated in a footer or a
/// sidebar does not widen it); of equally deep ones, the last.
fn body<'a>(format: &'static Format, page: &'a Html, outline: &Outline) -> Option<ElementRef<'a>> {
    let official = |t: &str| section_heading(format, t).filter(|&(_, exact)| exact).map(|(n, _)| n);
    // A report without the official sections (a free-form one) by its own numbered headings.
    holder(page, outline, &official).or_else(|| holder(page, outline, &numbered_heading)).or_else(|| {
        // Else the page's one article, else its main content, else the whole page.
        ["article", "main, [role=main]", "body"].iter().find_map(|s| {
            let found: Vec<ElementRef<'a>> = page.select(&selector(s)?).filter(|e| !skipped(**e)).collect();
            (found.len() == 1).then(|| found[0])
        })
    })
}

/// The deepest element holding at least two and as many different headings
/// (numbered by `heading`) as any element does; of equally deep ones, the last.
fn holder<'a>(page: &'a Html, outline: &Outline, heading: &dyn Fn(&str) -> Option<u8>) -> Option<ElementRef<'a>> {
    // Per open node: the section numbers (as bits) of the headings strictly below it,
    // and whether it is in the page's chrome (a table of contents or a footer repeats
    // the headings: neither it nor anything in it is the body).
    let mut stack: Vec<(u32, bool)> = Vec::new();
    // (how many sections, depth, node) of the best holder so far.
    let mut best: Option<(u32, usize, NodeId)> = None;
    for edge in page.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                let inside = stack.last().is_some_and(|&(_, inside)| inside) || chrome(node);
                stack.push((0, inside));
            }
            Edge::Close(node) => {
                let Some((below, inside)) = stack.pop() else { continue };
                if inside {
                    continue;
                }
                let depth = stack.len();
                if below != 0 && best.is_none_or(|(n, d, _)| (below.count_ones(), depth) >= (n, d)) {
                    best = Some((below.count_ones(), depth, node.id()));
                }
                let own = match node.value() {
                    Node::Element(e) if HEADING_HOLDERS.contains(&e.name()) => outline
                        .short_text(node.id())
                        .filter(|t| t.chars().count() <= 60)
                        .and_then(heading)
                        .filter(|&number| number < 32)
                        .map_or(0, |number| 1u32 << number),
                    _ => 0,
                };
                if let Some((parent, _)) = stack.last_mut() {
                    *parent |= below | own;
                }
            }
        }
    }
    match best {
        Some((most, _, id)) if most >= 2 => page.tree.get(id).and_then(ElementRef::wrap),
        _ => None,
    }
}

/// Whether an element is never part of a report's text: navigation, a header
/// or footer, hidden text, and `portal`'s own notes around a report it built
/// (its attachments are read as links, not as text).
fn skipped(node: NodeRef<'_, Node>) -> bool {
    matches!(node.value(), Node::Element(e) if SKIPPED.contains(&e.name())) || chrome(node)
}

/// Whether an element is what a page shows around its content (navigation, a
/// header, a footer, a sidebar, hidden text), which may repeat the headings.
fn chrome(node: NodeRef<'_, Node>) -> bool {
    let Node::Element(e) = node.value() else { return false };
    matches!(e.name(), "nav" | "header" | "footer" | "aside")
        || e.attr("role") == Some("navigation")
        || e.attr("aria-hidden") == Some("true")
        || e.attr("hidden").is_some()
        || e.attr("style").is_some_and(|s| s.replace(' ', "").contains("display:none"))
        || e.classes().any(|c| PORTAL_SKIPPED.contains(&c))
}

/// Classes of what `portal`'s report page shows around the report itself.
const PORTAL_SKIPPED: &[&str] = &["attachments", "skip-link", "breadcrumbs", "year-nav", "report-data", "toc"];

/// A link to a file that is an attachment: its name and address.
fn attachment(e: ElementRef<'_>) -> Option<(String, String)> {
    let href = e.attr("href")?.trim();
    let file = attachment_file(href)?;
    let text = squash(&e.text().collect::<String>());
    let name = if text.is_empty() { file } else { text };
    Some((name, href.to_owned()))
}

/// A publication date printed on the page outside the body (`发布时间：2025-01-10`).
fn date_in_text(page: &Html, body: Option<NodeId>) -> Option<(crate::model::Date, Loc)> {
    let mut in_body = false;
    for edge in page.tree.root().traverse() {
        let node = match edge {
            Edge::Open(node) => node,
            Edge::Close(node) => {
                if Some(node.id()) == body {
                    in_body = false;
                }
                continue;
            }
        };
        if Some(node.id()) == body {
            in_body = true;
        }
        let Node::Text(t) = node.value() else { continue };
        if in_body {
            continue;
        }
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
    attachments: Vec<Attachment>,
    /// The names of the attachments linked from the paragraph being read.
    linked: Vec<String>,
    text: String,
    paragraphs: usize,
    tables: usize,
}

impl Walker {
    fn flush(&mut self) {
        let text = squash(&self.text);
        self.text.clear();
        let linked = std::mem::take(&mut self.linked);
        if !text.is_empty() && !attachments_only(&text, &linked) {
            self.paragraphs += 1;
            self.pieces.push(Piece::Para(Para { text, loc: Loc::Paragraph(self.paragraphs) }));
        }
    }

    /// Records a link to an attachment, once per address.
    fn attachment(&mut self, a: ElementRef<'_>) {
        let Some((name, href)) = attachment(a) else { return };
        self.linked.push(name.clone());
        if !self.attachments.iter().any(|f| f.href == href) {
            let loc = Loc::Paragraph(self.paragraphs + 1);
            self.attachments.push(Attachment { name, href, loc });
        }
    }

    /// Reads the children of `root` in order, with an explicit stack: the page
    /// may nest elements deeper than the thread's stack would allow.
    fn walk(&mut self, root: NodeRef<'_, Node>, outline: &Outline) {
        enum Task<'a> {
            Visit(NodeRef<'a, Node>),
            Flush,
        }
        let mut tasks: Vec<Task<'_>> = root.children().rev().map(Task::Visit).collect();
        while let Some(task) = tasks.pop() {
            let node = match task {
                Task::Flush => {
                    self.flush();
                    continue;
                }
                Task::Visit(node) => node,
            };
            match node.value() {
                Node::Text(t) => self.text.push_str(t),
                Node::Element(e) => {
                    let name = e.name();
                    if skipped(node) {
                        // A list of attachments is read for its links only.
                        if let Some(list) = ElementRef::wrap(node).filter(|_| e.classes().any(|c| c == "attachments")) {
                            let links = selector("a[href]");
                            for a in links.iter().flat_map(|s| list.select(s)) {
                                self.attachment(a);
                            }
                        }
                        continue;
                    }
                    if name == "a"
                        && let Some(a) = ElementRef::wrap(node)
                    {
                        self.attachment(a);
                    }
                    if name == "br" {
                        self.flush();
                    } else if name == "table" && !outline.table_below.contains(&node.id()) {
                        self.flush();
                        self.tables += 1;
                        if let Some(t) = ElementRef::wrap(node) {
                            self.pieces.push(Piece::Table(table(t, self.tables)));
                        }
                    } else if BLOCKS.contains(&name) || name == "table" {
                        self.flush();
                        tasks.push(Task::Flush);
                        tasks.extend(node.children().rev().map(Task::Visit));
                    } else {
                        tasks.extend(node.children().rev().map(Task::Visit));
                    }
                }
                _ => {}
            }
        }
    }
}

/// A `<table>` as a grid: each cell at its real column, cells covered by a
/// `rowspan` above left out.
fn table(table: ElementRef<'_>, number: usize) -> RawTable {
    let mut rows = Vec::new();
    // A caption names the block, as the row above the headers does in a printed table.
    let caption = selector("caption")
        .and_then(|s| table.select(&s).next())
        .map(|c| squash(&c.text().collect::<Vec<_>>().join(" ")))
        .filter(|t| !t.is_empty());
    let first = usize::from(caption.is_some());
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
        rows.push(RawRow { cells, loc: Loc::TableRow { table: number, row: first + i + 1 } });
    }
    if let Some(text) = caption {
        let width = rows.iter().flat_map(|r| r.cells.iter().map(|c| c.col + c.span)).max().unwrap_or(1);
        let cells = vec![RawCell { text, col: 0, span: width }];
        rows.insert(0, RawRow { cells, loc: Loc::TableRow { table: number, row: 1 } });
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

    /// `read` on a thread with a small stack: any recursion per level of nesting would overflow it.
    fn read_on_small_stack(html: String) -> Result<Source, ImportError> {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || read(&FORMAT_2021, &html))
            .unwrap()
            .join()
            .expect("no stack overflow")
    }

    fn paras(source: &Source) -> Vec<&str> {
        source.pieces.iter().filter_map(|p| if let Piece::Para(p) = p { Some(p.text.as_str()) } else { None }).collect()
    }

    /// Ways of nesting elements `n` deep, around `inner`: each kind of element
    /// the tree builder treats apart (blocks that close a `<p>`, inline
    /// elements, formatting elements it may open again, tables, foreign
    /// content), closed or left open, whitespace between or not.
    fn nestings(n: usize, inner: &str) -> Vec<(&'static str, String)> {
        let wrap = |open: &str, close: &str| format!("{}{inner}{}", open.repeat(n), close.repeat(n));
        vec![
            ("div", wrap("<div>", "</div>")),
            ("div unclosed", wrap("<div>", "")),
            ("span", wrap("<span>", "</span>")),
            ("span on lines", wrap("<span class=\"title\">\n", "\n</span>")),
            ("b", wrap("<b>", "</b>")),
            ("distinct formatting", (0..n).map(|i| format!("<font id=f{i}>")).collect::<String>() + inner),
            ("blockquote", wrap("<blockquote>", "</blockquote>")),
            ("li in ul", wrap("<ul><li>", "</li></ul>")),
            ("table", wrap("<table><tr><td>字", "</td></tr></table>")),
            ("svg", wrap("<svg><g>", "</g></svg>")),
            ("object", wrap("<div><object>", "</div>")),
        ]
    }

    fn page(body: &str) -> String {
        format!("<html><head><title>某局2024年政府信息公开工作年度报告</title></head><body>{body}</body></html>")
    }

    #[test]
    fn nesting_up_to_the_limit_is_read_without_recursion() {
        let report = "<p>一、总体情况</p><p>正文。</p><p>六、其他需要报告的事项</p><p>无。</p>";
        // Each level may hold a few elements open (`<ul><li>`, `<table><tbody><tr><td>`).
        for (what, body) in nestings(MAX_DEPTH / 5, report) {
            let source = read_on_small_stack(page(&body)).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(paras(&source).contains(&"一、总体情况"), "{what}: {:?}", paras(&source));
        }
    }

    #[test]
    fn nesting_past_the_limit_is_refused_at_its_line() {
        for depth in [MAX_DEPTH + 1, 100_000] {
            for (what, body) in nestings(depth, "<p>一、总体情况</p>") {
                match read_on_small_stack(page(&body)) {
                    Err(ImportError::TooDeep { line, depth: open, limit }) => {
                        assert_eq!(limit, MAX_DEPTH);
                        assert!(open > MAX_DEPTH, "{what}");
                        assert!(line >= 1, "{what}");
                    }
                    other => panic!("{what} at {depth}: {:?}", other.map(|s| paras(&s).len())),
                }
            }
        }
        // The line is where the limit is passed, one element a line.
        let body = "<div>\n".repeat(MAX_DEPTH + 10);
        match read(&FORMAT_2021, &page(&body)) {
            Err(ImportError::TooDeep { line, .. }) => {
                assert!((MAX_DEPTH as u64 - 5..=MAX_DEPTH as u64 + 1).contains(&line), "{line}")
            }
            other => panic!("{:?}", other.map(|s| paras(&s).len())),
        }
    }

    #[test]
    fn pages_parse_as_html5ever_parses_them() {
        let pages = [
            "<html><head><title>x</title></head><body><div><p>一、总体情况</p><table><tr><td>1</td></tr></table></div></body></html>",
            // What pauses the tokenizer: a charset, a script, both; a page that ends early.
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>x</title></head><body><p>甲</p><p>乙</p></body></html>",
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>甲</p></body></html>",
            "<body><script>var a = '<p>';</script><p>甲</p><script>b()</script><div>乙</div>",
            "<p>甲<b>乙<i>丙</b>丁</i><table><td>1<tr><td>2</table><svg><g/></svg><p>戊",
        ];
        for text in pages {
            assert_eq!(parse(text).unwrap().html(), Html::parse_document(text).html(), "{text}");
        }
    }

    #[test]
    fn many_elements_side_by_side_are_not_deep() {
        let body = "<div><p>一段<b>粗体</b>文字</p></div><table><tr><td>1</td></tr></table>".repeat(20_000);
        assert!(read(&FORMAT_2021, &page(&body)).is_ok());
    }

    #[test]
    fn deeply_nested_tables_are_read_without_recursion() {
        let depth = MAX_DEPTH / 5;
        let html = format!(
            "<html><body><p>一、总体情况</p>{}<table><tr><td>甲</td><td>6</td></tr></table>{}</body></html>",
            "<table><tr><td>字".repeat(depth),
            "</td></tr></table>".repeat(depth)
        );
        let source = read_on_small_stack(html).unwrap();
        let tables: Vec<&RawTable> =
            source.pieces.iter().filter_map(|p| if let Piece::Table(t) = p { Some(t) } else { None }).collect();
        // Only the innermost table is a grid; the text around it is paragraphs.
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].rows[0].cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["甲", "6"]);
    }

    #[test]
    fn the_body_is_the_deepest_element_with_the_most_headings() {
        let html = r#"<html><body><div id="a"><div id="b"><p>一、总体情况</p><div><p>二、主动公开政府信息情况</p><p>正文。</p></div></div>
            <div id="c"><p>一、总体情况</p></div></div><footer><p>主办单位</p></footer></body></html>"#;
        let page = Html::parse_document(html);
        let outline = Outline::new(&page);
        let body = body(&FORMAT_2021, &page, &outline).unwrap();
        assert_eq!(body.attr("id"), Some("b"));
        assert_eq!(outline.short_text(body.id()), Some("一、总体情况二、主动公开政府信息情况正文。"));
    }

    #[test]
    fn body_excludes_navigation_and_date_comes_from_meta() {
        let html = r#"<html><head><meta name="PubDate" content="2025-01-10 09:30"><title>某局2024年政府信息公开工作年度报告_某县人民政府</title></head>
            <body><nav><a>2023年政府信息公开工作年度报告</a></nav>
            <div class="main"><div id="zoom"><p>一、总体情况</p><p>正文。</p><p>六、其他需要报告的事项</p><p>无。</p></div></div>
            <footer>主办单位：某县人民政府</footer></body></html>"#;
        let source = read(&FORMAT_2021, html).unwrap();
        assert_eq!(source.date.map(|d| d.0.to_string()), Some("2025-01-10".into()));
        assert_eq!(source.title.map(|t| t.text), Some("某局2024年政府信息公开工作年度报告".into()));
        let texts: Vec<String> = source
            .pieces
            .iter()
            .filter_map(|p| if let Piece::Para(p) = p { Some(p.text.clone()) } else { None })
            .collect();
        assert_eq!(texts, ["一、总体情况", "正文。", "六、其他需要报告的事项", "无。"]);
    }

    #[test]
    fn a_table_of_contents_is_not_the_body_and_attachments_are_links() {
        let html = r##"<html><body><main><article><nav class="toc"><ol><li><a href="#s1">一、总体情况</a></li>
            <li><a href="#s6">六、其他需要报告的事项</a></li></ol></nav>
            <section><h2>一、总体情况</h2><p>正文。</p></section><section><h2>六、其他需要报告的事项</h2><p>无。</p></section>
            <p>附件：<a href="files/%E5%8E%9F%E4%BB%B6.pdf"></a>、<a href="b.xls">统计表</a></p>
            <section class="attachments"><h2>附件</h2><ul><li><a href="c.pdf">原件</a>（PDF 文档）</li></ul></section>
            </article></main></body></html>"##;
        let source = read(&FORMAT_2021, html).unwrap();
        assert_eq!(paras(&source), ["一、总体情况", "正文。", "六、其他需要报告的事项", "无。"]);
        let files: Vec<(&str, &str)> = source.attachments.iter().map(|a| (a.name.as_str(), a.href.as_str())).collect();
        assert_eq!(files, [("原件.pdf", "files/%E5%8E%9F%E4%BB%B6.pdf"), ("统计表", "b.xls"), ("原件", "c.pdf")]);
    }

    #[test]
    fn a_free_form_body_is_found_by_its_own_numbered_headings() {
        let html = r#"<html><body><div class="top">网站首页 政务公开</div><div id="zoom"><p>一、概述</p><p>正文。</p>
            <p>二、主动公开政府信息的情况</p><table><caption>表1 公开情况</caption><tr><td>类别</td><td>条数</td></tr></table></div>
            <div class="share">分享到：微信</div></body></html>"#;
        let source = read(&FORMAT_2021, html).unwrap();
        assert_eq!(paras(&source), ["一、概述", "正文。", "二、主动公开政府信息的情况"]);
        let Some(Piece::Table(t)) = source.pieces.last() else { panic!("no table") };
        assert_eq!(t.rows[0].cells[0].text, "表1 公开情况", "the caption is the table's first row");
        assert_eq!((t.rows[0].cells[0].span, t.rows[1].loc), (2, Loc::TableRow { table: 1, row: 2 }));
    }
}
