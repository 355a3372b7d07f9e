//! Markdown narrative → HTML.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};

pub(crate) use crate::markdown::html::RawHtml;
use crate::markdown::html::{needs_cleaning, sanitize};

/// Renders a stretch of narrative. Headings are demoted below the section
/// headings (h3 and deeper) and get stable ids `<id_prefix>-1`, `-2`, … unless
/// the author gave one with `{#id}`. Unless `raw` allows it, Markdown that
/// carries raw HTML, an unsafe address or heading attributes is sanitized;
/// other Markdown is published as pulldown-cmark writes it, which the
/// sanitizer would keep whole.
pub(crate) fn to_html(markdown: &str, id_prefix: &str, raw: RawHtml) -> String {
    let mut counter = 0;
    let mut unclean = false;
    let mut comment = false;
    // Comments (the writing hints of `portal new` among them) never reach the page, whatever `raw` says.
    let events = Parser::new_ext(markdown, crate::markdown::options())
        .filter_map(|event| match event {
            Event::Html(t) => uncommented(&t, &mut comment).map(|t| Event::Html(t.into())),
            Event::InlineHtml(t) => uncommented(&t, &mut comment).map(|t| Event::InlineHtml(t.into())),
            other => Some(other),
        })
        .inspect(|e| unclean |= needs_cleaning(e));
    let events = events.map(|event| match event {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            let id = id.or_else(|| {
                counter += 1;
                Some(CowStr::from(format!("{id_prefix}-{counter}")))
            });
            Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    if unclean && raw == RawHtml::Sanitize { sanitize(&out) } else { out }
}

/// The raw HTML `html` without its comments; `comment` carries an open
/// comment from one event to the next (pulldown-cmark hands an HTML block
/// over line by line). `None` when nothing but white space is left.
fn uncommented(html: &str, comment: &mut bool) -> Option<String> {
    let mut out = String::new();
    let mut rest = html;
    loop {
        if *comment {
            let Some(end) = rest.find("-->") else { break };
            rest = &rest[end + 3..];
            *comment = false;
        }
        match rest.find("<!--") {
            Some(start) => {
                out.push_str(&rest[..start]);
                rest = &rest[start + 4..];
                *comment = true;
            }
            None => {
                out.push_str(rest);
                break;
            }
        }
    }
    (!out.trim().is_empty()).then_some(out)
}

/// A free-form report's narrative split at its own level-1 and level-2
/// headings: they are its sections and its contents.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct OwnSections {
    /// Where the text before the first heading ends.
    pub preamble_end: usize,
    /// Each heading's text and the Markdown under it, up to the next.
    pub parts: Vec<OwnPart>,
}

/// One of a free-form report's own sections.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OwnPart {
    /// The heading as written, without its Markdown.
    pub title: String,
    /// Byte span of the Markdown under the heading.
    pub body: std::ops::Range<usize>,
}

/// Splits `markdown` at its level-1 and level-2 headings.
pub(crate) fn own_sections(markdown: &str) -> OwnSections {
    let mut out = OwnSections { preamble_end: markdown.len(), parts: Vec::new() };
    let mut heading: Option<String> = None;
    for (event, range) in Parser::new_ext(markdown, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H1 | HeadingLevel::H2, .. }) => {
                if let Some(last) = out.parts.last_mut() {
                    last.body.end = range.start;
                } else {
                    out.preamble_end = range.start;
                }
                heading = Some(String::new());
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1 | HeadingLevel::H2)) => {
                if let Some(title) = heading.take() {
                    out.parts.push(OwnPart { title: title.trim().to_owned(), body: range.end..markdown.len() });
                }
            }
            _ => {}
        }
    }
    out
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => HeadingLevel::H3,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_stable_ids_and_sit_below_sections() {
        let html = to_html("### （一）主动公开\n\n正文\n\n#### 细目 {#detail}\n", "section-1", RawHtml::Sanitize);
        assert!(html.contains("<h3 id=\"section-1-1\">（一）主动公开</h3>"), "{html}");
        assert!(html.contains("<h4 id=\"detail\">细目</h4>"), "{html}");
    }

    #[test]
    fn comments_never_reach_the_page_even_raw() {
        let markdown = "<!-- 提示：写作提示\n     第二行 -->\n\n正文<!-- 行内 -->。\n\n<div>留</div><!-- x -->\n";
        for raw in [RawHtml::Sanitize, RawHtml::Allow] {
            let html = to_html(markdown, "s", raw);
            assert!(!html.contains("提示") && !html.contains("行内") && !html.contains("<!--"), "{html}");
            assert!(html.contains("正文") && html.contains("<div>留</div>"), "{html}");
        }
    }

    #[test]
    fn own_headings_split_a_free_form_narrative() {
        let md = "开头。\n\n# 一、概述\n\n正文一\n\n### 小标题\n\n## 二、`数据` 情况\n\n正文二\n";
        let own = own_sections(md);
        assert_eq!(&md[..own.preamble_end], "开头。\n\n");
        let titles: Vec<&str> = own.parts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["一、概述", "二、数据 情况"]);
        assert!(md[own.parts[0].body.clone()].contains("### 小标题"));
        assert_eq!(md[own.parts[1].body.clone()].trim(), "正文二");
        let none = own_sections("只有正文。\n");
        assert_eq!((none.preamble_end, none.parts.len()), (16, 0));
    }

    #[test]
    fn tables_footnotes_and_strikethrough() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~旧~~ 新[^1]\n\n[^1]: 注释\n", "s", RawHtml::Sanitize);
        assert!(html.contains("<table>"));
        assert!(html.contains("<del>旧</del>"));
        assert!(html.contains("footnote-definition"));
    }

    #[test]
    fn raw_html_is_sanitized_unless_allowed() {
        let markdown = "段落<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n";
        let clean = to_html(markdown, "s", RawHtml::Sanitize);
        assert!(!clean.contains("script") && !clean.contains("onerror"), "{clean}");
        assert!(clean.contains("<img src=\"x\">"), "{clean}");
        let raw = to_html(markdown, "s", RawHtml::Allow);
        assert!(raw.contains("<script>alert(1)</script>") && raw.contains("onerror"), "{raw}");
    }

    #[test]
    fn markdown_without_raw_html_is_as_pulldown_writes_it() {
        let markdown = "正文 [链](../x/)\n\n| a |\n|---|\n| 1 |\n";
        let mut plain = String::new();
        html::push_html(&mut plain, Parser::new_ext(markdown, crate::markdown::options()));
        assert_eq!(to_html(markdown, "s", RawHtml::Sanitize), plain);
    }
}
