//! The HTML a narrative may carry: an allow-list sanitizer (ammonia) and the
//! list of what it removes from a stretch of Markdown, so that loading can
//! tell the editor and rendering can clean the page.
//!
//! Markdown without raw HTML, unsafe link addresses or heading attributes
//! needs no cleaning ([`needs_cleaning`]): pulldown-cmark writes only allowed
//! markup, so such a page is published as pulldown-cmark wrote it.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::NodeId;
use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use html5ever::tree_builder::{Tracer, TreeBuilder, TreeBuilderOpts, TreeSink};
use pulldown_cmark::{CowStr, Event, Parser, Tag as MdTag};
use scraper::{Html, HtmlTreeSink};

/// What becomes of raw HTML in the narrative (`[security] allow_raw_html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawHtml {
    /// Through the allow-list sanitizer: the default.
    Sanitize,
    /// Published as written.
    Allow,
}

impl RawHtml {
    /// What `site.toml` chose.
    pub(crate) fn of(config: &crate::config::SiteConfig) -> Self {
        if config.security.allow_raw_html { RawHtml::Allow } else { RawHtml::Sanitize }
    }
}

/// The URL schemes a link or image may use; relative addresses are kept.
const URL_SCHEMES: [&str; 5] = ["http", "https", "mailto", "tel", "ftp"];

/// The sanitizer: ammonia's defaults (text formatting, lists, tables with
/// `rowspan`/`colspan`/`headers`/`scope`, images, links, `sub`/`sup`), plus
/// what pulldown-cmark and the theme write: `id` and `class` on any element
/// (section anchors, footnotes, `language-*` code blocks) and a table
/// column's `text-align`. No `rel` is added to links, so that a cleaned page
/// differs from the Markdown's own output only by what was removed.
static POLICY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut policy = ammonia::Builder::default();
    policy
        .link_rel(None)
        .url_schemes(URL_SCHEMES.into_iter().collect())
        .add_generic_attributes(["id", "class"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .filter_style_properties(["text-align"].into_iter().collect());
    policy
});

/// The allow-list as sets, read once from [`POLICY`] for [`removals`].
struct Lists {
    tags: HashSet<&'static str>,
    dropped_with_content: HashSet<&'static str>,
    generic: HashSet<&'static str>,
    per_tag: std::collections::HashMap<&'static str, HashSet<&'static str>>,
}

static LISTS: LazyLock<Lists> = LazyLock::new(|| Lists {
    tags: POLICY.clone_tags(),
    dropped_with_content: POLICY.clone_clean_content_tags(),
    generic: POLICY.clone_generic_attributes(),
    per_tag: POLICY.clone_tag_attributes(),
});

/// `html` with everything outside the allow-list removed. Call it only on
/// HTML that [`too_deep`] passed: the parser under the sanitizer scans its
/// stack of open elements at each step, so its cost grows with the square of
/// the nesting.
pub(crate) fn sanitize(html: &str) -> String {
    POLICY.clean(html).to_string()
}

/// How deep elements may nest: Chromium's parser nests no deeper either, so
/// HTML beyond it does not show as written in a browser. Below it the HTML
/// tree builder costs at most this many steps per token: linear in the text.
pub(crate) const MAX_DEPTH: usize = 512;

/// Where a page first held more than [`MAX_DEPTH`] open elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooDeep {
    /// The line of the HTML where the limit was passed.
    pub line: u64,
    /// How many elements were open there.
    pub depth: usize,
}

/// Parses a page as `Html::parse_document` does, stopping the tree builder as
/// soon as it holds more than [`MAX_DEPTH`] open elements.
pub(crate) fn parse_bounded(text: &str) -> Result<Html, TooDeep> {
    let builder = TreeBuilder::new(HtmlTreeSink::new(Html::new_document()), TreeBuilderOpts::default());
    let tokenizer = Tokenizer::new(Guard { builder, deepest: Cell::new(None) }, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(text));
    // A `<script>` or a `<meta charset>` pauses the tokenizer; the text is decoded already.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let guard = tokenizer.sink;
    match guard.deepest.get() {
        Some(too_deep) => Err(too_deep),
        None => Ok(guard.builder.sink.finish()),
    }
}

/// Whether the HTML of `markdown`, as [`sanitize`] would see it, nests deeper
/// than [`MAX_DEPTH`], with the offset of its first raw HTML; `None` for
/// Markdown without raw HTML, whose nesting pulldown-cmark bounds.
pub(crate) fn too_deep(markdown: &str) -> Option<(usize, TooDeep)> {
    let mut first_raw = None;
    let events = Parser::new_ext(markdown, super::options()).into_offset_iter().map(|(event, span)| {
        if first_raw.is_none() && matches!(event, Event::Html(_) | Event::InlineHtml(_)) {
            first_raw = Some(span.start);
        }
        event
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    let at = first_raw?;
    parse_bounded(&html).err().map(|deep| (at, deep))
}

/// Hands each token to the tree builder and then counts what it holds open:
/// the stack of open elements and the list of formatting elements it may
/// open again (a few more: the document, `<head>`, `<form>`). Past
/// [`MAX_DEPTH`] the rest of the page is only tokenized, which is linear.
struct Guard {
    builder: TreeBuilder<NodeId, HtmlTreeSink>,
    deepest: Cell<Option<TooDeep>>,
}

/// Counts the handles the tree builder holds.
struct Count(Cell<usize>);

impl Tracer for Count {
    type Handle = NodeId;
    fn trace_handle(&self, _: &NodeId) {
        self.0.set(self.0.get() + 1);
    }
}

impl TokenSink for Guard {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<NodeId> {
        if self.deepest.get().is_some() {
            return TokenSinkResult::Continue;
        }
        let result = self.builder.process_token(token, line);
        let count = Count(Cell::new(0));
        self.builder.trace_handles(&count);
        // Less the document itself.
        let open = count.0.get().saturating_sub(1);
        if open > MAX_DEPTH {
            self.deepest.set(Some(TooDeep { line, depth: open }));
        }
        result
    }

    fn end(&self) {
        if self.deepest.get().is_none() {
            self.builder.end();
        }
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder.adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Whether an event of the Markdown may carry something the sanitizer
/// removes: raw HTML, a link or image address that is not allowed, or a
/// heading's `{key=value}` attributes.
pub(crate) fn needs_cleaning(event: &Event<'_>) -> bool {
    match event {
        Event::Html(_) | Event::InlineHtml(_) => true,
        Event::Start(MdTag::Link { dest_url, .. } | MdTag::Image { dest_url, .. }) => !url_allowed(dest_url),
        Event::Start(MdTag::Heading { attrs, .. }) => !attrs.is_empty(),
        _ => false,
    }
}

/// Whether the sanitizer keeps this address, as ammonia decides it: an
/// absolute URL of an allowed scheme, or a relative one.
fn url_allowed(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(e) => e == url::ParseError::RelativeUrlWithoutBase,
    }
}

/// Something the sanitizer removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Removal {
    /// An element that is not allowed; `with_content` when its content goes too (`script`, `style`).
    Element { name: String, with_content: bool },
    /// An attribute the element may not have (event handlers `on…`, `srcdoc`, `style` …).
    Attribute { element: String, name: String },
    /// An address whose scheme is not allowed (`javascript:`, `data:` …).
    Url { element: String, attribute: String, url: String },
}

/// A [`Removal`] at a byte offset of the Markdown it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removed {
    /// Where it was written: the start of its line in the raw HTML, or the Markdown link.
    pub offset: usize,
    pub what: Removal,
}

impl Removal {
    /// The removal in an editor's words.
    pub(crate) fn explain(&self) -> String {
        match self {
            Removal::Element { name, with_content: true } => {
                format!("网页中删除了原始 HTML 元素 <{name}> 及其内容：不发布脚本和样式表")
            }
            Removal::Element { name, .. } => format!(
                "网页中删除了原始 HTML 元素 <{name}>（其中的文字保留）：不发布脚本、嵌入内容（iframe、object、embed）、表单和 meta 等元素"
            ),
            Removal::Attribute { element, name } => {
                format!("网页中删除了 <{element}> 的属性 {name}：不发布事件处理（on…）等不在允许之列的属性")
            }
            Removal::Url { element, attribute, url } => format!(
                "网页中删除了 <{element}> 的地址 {attribute}=“{url}”：只允许 {} 或站内相对地址",
                URL_SCHEMES.join("、")
            ),
        }
    }
}

/// Everything the sanitizer removes from the HTML of `markdown` (rendered
/// with [`super::options`]), in the order written.
pub(crate) fn removals(markdown: &str) -> Vec<Removed> {
    let mut out = Vec::new();
    // Raw HTML, in runs of consecutive events (an HTML block is one event per line).
    let mut run: Option<(usize, String)> = None;
    let flush = |run: &mut Option<(usize, String)>, out: &mut Vec<Removed>| {
        if let Some((start, html)) = run.take() {
            out.extend(raw_removals(&html).into_iter().map(|r| Removed { offset: start + r.offset, what: r.what }));
        }
    };
    for (event, span) in Parser::new_ext(markdown, super::options()).into_offset_iter() {
        match &event {
            Event::Html(html) | Event::InlineHtml(html) => {
                let (_, text) = run.get_or_insert_with(|| (span.start, String::new()));
                text.push_str(html);
                continue;
            }
            // Text inside a raw element (`<script>` … `</script>` in a paragraph) is part of it.
            Event::Text(t) if run.is_some() => {
                if let Some((_, text)) = run.as_mut() {
                    text.push_str(&escape_text(t));
                }
                continue;
            }
            _ => flush(&mut run, &mut out),
        }
        match event {
            Event::Start(MdTag::Link { dest_url, .. }) if !url_allowed(&dest_url) => {
                out.push(Removed { offset: span.start, what: url_removal("a", "href", &dest_url) });
            }
            Event::Start(MdTag::Image { dest_url, .. }) if !url_allowed(&dest_url) => {
                out.push(Removed { offset: span.start, what: url_removal("img", "src", &dest_url) });
            }
            Event::Start(MdTag::Heading { level, attrs, .. }) => {
                let element = level.to_string();
                for (name, _) in attrs {
                    if !LISTS.attribute_allowed(&element, &name) {
                        out.push(Removed {
                            offset: span.start,
                            what: Removal::Attribute { element: element.clone(), name: name.to_string() },
                        });
                    }
                }
            }
            _ => {}
        }
    }
    flush(&mut run, &mut out);
    out
}

fn url_removal(element: &str, attribute: &str, url: &CowStr<'_>) -> Removal {
    Removal::Url { element: element.to_owned(), attribute: attribute.to_owned(), url: url.to_string() }
}

/// Text as pulldown-cmark writes it into the page, for tokenizing it with the raw HTML around it.
fn escape_text(text: &str) -> Cow<'_, str> {
    if text.contains(['<', '&']) { Cow::Owned(crate::text::escape(text)) } else { Cow::Borrowed(text) }
}

impl Lists {
    /// Whether `element` keeps attribute `name`, as ammonia decides it.
    fn attribute_allowed(&self, element: &str, name: &str) -> bool {
        self.generic.contains(name) || self.per_tag.get(element).is_some_and(|a| a.contains(name))
    }
}

/// What the sanitizer removes from a run of raw HTML; offsets are those of
/// the line each start tag ends on. Tokenized with the tokenizer of the
/// parser ammonia uses, so that names are lower-cased and character
/// references decoded as they are for the sanitizer.
fn raw_removals(html: &str) -> Vec<Removed> {
    let line_starts: Vec<usize> = std::iter::once(0).chain(html.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let sink = Collect { found: RefCell::default(), skipping: RefCell::default() };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let found = tokenizer.sink.found.take();
    found
        .into_iter()
        .map(|(line, what)| {
            let index = usize::try_from(line).unwrap_or(usize::MAX).saturating_sub(1);
            Removed { offset: line_starts.get(index).or(line_starts.last()).copied().unwrap_or(0), what }
        })
        .collect()
}

/// Collects the removals from the tokens of raw HTML, with their lines.
struct Collect {
    found: RefCell<Vec<(u64, Removal)>>,
    /// Inside an element dropped with its content: its name, until it ends.
    skipping: RefCell<Option<String>>,
}

impl TokenSink for Collect {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else { return TokenSinkResult::Continue };
        let mut skipping = self.skipping.borrow_mut();
        if let Some(name) = skipping.as_deref() {
            if tag.kind == TagKind::EndTag && *tag.name == *name {
                *skipping = None;
            }
            return raw_state(&tag);
        }
        if tag.kind == TagKind::StartTag {
            let mut found = self.found.borrow_mut();
            for what in tag_removals(&tag) {
                if let Removal::Element { name, with_content: true } = &what
                    && !tag.self_closing
                {
                    *skipping = Some(name.clone());
                }
                found.push((line, what));
            }
        }
        raw_state(&tag)
    }
}

/// The tokenizer state after a start tag, as the HTML parser sets it: the
/// content of `script`, `style`, `textarea` … is text, not tags.
fn raw_state(tag: &Tag) -> TokenSinkResult<()> {
    if tag.kind != TagKind::StartTag {
        return TokenSinkResult::Continue;
    }
    match &*tag.name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" => TokenSinkResult::RawData(RawKind::Rawtext),
        "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => TokenSinkResult::Continue,
    }
}

/// What the sanitizer removes of one start tag, following ammonia's rules.
fn tag_removals(tag: &Tag) -> Vec<Removal> {
    let lists = &*LISTS;
    let name = &*tag.name;
    if lists.dropped_with_content.contains(name) || !lists.tags.contains(name) {
        let with_content = lists.dropped_with_content.contains(name);
        return vec![Removal::Element { name: name.to_owned(), with_content }];
    }
    tag.attrs
        .iter()
        .filter_map(|attr| {
            let attribute = &*attr.name.local;
            if !lists.attribute_allowed(name, attribute) {
                Some(Removal::Attribute { element: name.to_owned(), name: attribute.to_owned() })
            } else if matches!(attribute, "href" | "src") && !url_allowed(&attr.value) {
                Some(Removal::Url {
                    element: name.to_owned(),
                    attribute: attribute.to_owned(),
                    url: attr.value.to_string(),
                })
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Markdown rendered as the narrative is, then sanitized.
    fn cleaned(markdown: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, super::super::options()));
        sanitize(&html)
    }

    /// Each hostile construct: the page keeps none of it, and [`removals`] names it on its line.
    #[test]
    fn every_hostile_construct_is_removed_and_reported() {
        let cases: &[(&str, &[&str])] = &[
            ("<script>alert(1)</script>", &["<script", "alert"]),
            ("段落 <script>alert(1)</script> 续", &["<script", "alert"]),
            ("<SCRIPT src=//evil.example/x.js></SCRIPT>", &["script", "evil"]),
            ("<img src=x onerror=alert(1)>", &["onerror", "alert"]),
            ("<img src=x ONERROR=alert(1)>", &["onerror", "alert"]),
            ("<img src=x OnError = 'alert(1)'>", &["onerror", "alert"]),
            ("<p onclick=\"alert(1)\">点</p>", &["onclick"]),
            ("<div onmouseover=alert(1) onfocus=alert(2) tabindex=0>x</div>", &["onmouseover", "onfocus", "tabindex"]),
            ("<body onload=alert(1)>", &["onload"]),
            ("<svg onload=alert(1)><circle r=1 /></svg>", &["svg", "onload", "circle"]),
            ("<svg><script>alert(1)</script></svg>", &["svg", "script", "alert"]),
            ("<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>", &["iframe", "srcdoc", "alert"]),
            ("<iframe src=\"https://evil.example/\"></iframe>", &["iframe", "evil"]),
            ("<object data=\"x.swf\"></object>", &["object", "x.swf"]),
            ("<embed src=\"x.swf\">", &["embed", "x.swf"]),
            (
                "<form action=\"https://evil.example/\"><input name=q><button>go</button></form>",
                &["form", "input", "evil"],
            ),
            ("<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">", &["meta", "refresh"]),
            ("<style>body{display:none}</style>", &["style", "display"]),
            ("<a href=\"javascript:alert(1)\">链</a>", &["javascript"]),
            ("<a href=\"JavaScript:alert(1)\">链</a>", &["javascript"]),
            ("<a href=\"java&#x73;cript:alert(1)\">链</a>", &["cript", "alert"]),
            ("<a href=\"java&#115;cript:alert(1)\">链</a>", &["cript", "alert"]),
            ("<a href=\"  javascript:alert(1)\">链</a>", &["javascript"]),
            ("<a href=\"java\tscript:alert(1)\">链</a>", &["script:"]),
            ("<a href=\"&#x20;javascript&#x3A;alert(1)\">链</a>", &["javascript", "alert"]),
            ("<a href=\"data:text/html,<script>alert(1)</script>\">链</a>", &["data:", "alert"]),
            ("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", &["data:"]),
            ("[链](javascript:alert(1))", &["javascript"]),
            ("[链](JAVASCRIPT:alert(1))", &["javascript"]),
            ("![图](data:image/png;base64,AAAA)", &["data:"]),
            ("### 标题 {onclick=alert(1)}", &["onclick"]),
        ];
        for (markdown, gone) in cases {
            let markdown = format!("前文\n\n{markdown}\n");
            let html = cleaned(&markdown).to_lowercase();
            for g in *gone {
                assert!(!html.contains(&g.to_lowercase()), "{markdown:?} kept {g:?}: {html}");
            }
            let found = removals(&markdown);
            assert!(!found.is_empty(), "{markdown:?}: nothing reported");
            for r in &found {
                assert_eq!(markdown[..r.offset].matches('\n').count(), 2, "{markdown:?}: {r:?} not on its line");
            }
        }
    }

    #[test]
    fn a_tag_over_several_lines_is_reported_on_its_line() {
        let markdown = "前文\n\n<div>\n<p>甲</p>\n<img src=x\n  onerror=alert(1)>\n</div>\n";
        let found = removals(markdown);
        assert_eq!(found.len(), 1, "{found:?}");
        let line = markdown[..found[0].offset].matches('\n').count() + 1;
        assert!((5..=6).contains(&line), "line {line}");
        assert_eq!(found[0].what, Removal::Attribute { element: "img".into(), name: "onerror".into() });
    }

    /// What reports use is kept, and reported as nothing.
    #[test]
    fn what_reports_use_is_kept() {
        let kept = [
            "<table><thead><tr><th colspan=\"2\" scope=\"col\">项目</th></tr></thead><tbody><tr><td rowspan=\"2\">甲</td><td>1</td></tr><tr><td>2</td></tr></tbody></table>",
            "<img src=\"附件.png\" alt=\"图\" width=\"100\">",
            "<a href=\"https://www.gov.cn/\" title=\"中国政府网\">链</a>",
            "<a href=\"../../2023/x/\">上年</a>",
            "<a href=\"#table-requests\">表三</a>",
            "<a href=\"mailto:a@example.gov.cn\">信</a>",
            "H<sub>2</sub>O 与 10<sup>3</sup>",
            "<span class=\"note\" id=\"n1\">注</span>",
        ];
        for html in kept {
            let markdown = format!("{html}\n");
            assert_eq!(removals(&markdown), [], "{html}");
            let out = cleaned(&markdown);
            for piece in [
                "rowspan=\"2\"",
                "colspan=\"2\"",
                "scope=\"col\"",
                "src=\"附件.png\"",
                "href=\"#table-requests\"",
                "<sub>2</sub>",
                "class=\"note\"",
                "id=\"n1\"",
                "href=\"https://www.gov.cn/\"",
                "href=\"../../2023/x/\"",
            ] {
                if html.contains(piece) {
                    assert!(out.contains(piece), "{piece} lost from {out}");
                }
            }
            assert!(!out.contains("rel="), "a rel was added: {out}");
        }
    }

    /// Markdown's own output (footnotes, aligned table columns, heading ids and
    /// classes, code) passes the sanitizer unchanged in what it means.
    #[test]
    fn markdown_output_is_within_the_allow_list() {
        let markdown = "### 小标题 {#own .cls}\n\n| 左 | 中 |\n|:--|:-:|\n| 1 | 2 |\n\n正文[^1] ~~旧~~ `代码` [链](https://www.gov.cn/) ![图](a.png)\n\n```rust\nfn main() {}\n```\n\n[^1]: 注释\n";
        assert_eq!(removals(markdown), []);
        let out = cleaned(markdown);
        for piece in [
            "id=\"own\"",
            "class=\"cls\"",
            "style=\"text-align:center\"",
            "class=\"footnote-reference\"",
            "class=\"footnote-definition\"",
            "<del>旧</del>",
            "class=\"language-rust\"",
            "src=\"a.png\"",
        ] {
            assert!(out.contains(piece), "{piece} lost from {out}");
        }
    }

    #[test]
    fn markdown_without_raw_html_needs_no_cleaning() {
        let markdown = "正文 <https://www.gov.cn/> [链](../x/) ![图](a.png)\n\n### 标题 {#id .c}\n";
        assert!(!Parser::new_ext(markdown, super::super::options()).any(|e| needs_cleaning(&e)));
        for unclean in ["<b>x</b>", "<!-- 注释 -->", "[x](javascript:y)", "### t {a=b}"] {
            assert!(Parser::new_ext(unclean, super::super::options()).any(|e| needs_cleaning(&e)), "{unclean}");
        }
    }

    #[test]
    fn nesting_is_bounded_where_raw_html_can_nest() {
        let deep = |open: &str, close: &str, n: usize| format!("前言\n\n{}文字{}\n", open.repeat(n), close.repeat(n));
        // Markdown's own nesting is bounded by pulldown-cmark, and is not parsed again.
        for markdown in [format!("{} 引文", ">".repeat(10_000)), "- ".repeat(10_000)] {
            assert_eq!(too_deep(&markdown), None);
        }
        for (open, close) in [("<div>", "</div>"), ("<b>", "</b>"), ("<table><tr><td>", "</td></tr></table>")] {
            assert_eq!(too_deep(&deep(open, close, 100)), None, "{open} × 100");
            let (at, found) = too_deep(&deep(open, close, 10_000)).expect(open);
            assert_eq!(at, "前言\n\n".len(), "{open}: the first raw HTML");
            assert!(found.depth > MAX_DEPTH, "{open}: {found:?}");
        }
        // Unclosed elements that close each other do not nest.
        assert_eq!(too_deep(&"<p>段落\n".repeat(10_000)), None);
    }
}
