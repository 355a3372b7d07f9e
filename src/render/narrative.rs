//! Markdown narrative → HTML.

use std::cell::Cell;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd, html};

use crate::linkcheck::Known;

pub(crate) use crate::markdown::html::RawHtml;
use crate::markdown::html::{needs_cleaning, sanitize};

/// A stretch of narrative as HTML. When it is published as pulldown-cmark
/// writes it, its links and ids are known from the Markdown's events
/// (`known`), so that the link inspection need not parse it again.
pub(crate) struct Narrative {
    pub html: String,
    pub known: Option<Known>,
}

/// Renders a stretch of narrative. Headings are demoted below the section
/// headings (h3 and deeper) and get stable ids `<id_prefix>-1`, `-2`, … unless
/// the author gave one with `{#id}`. Unless `raw` allows it, Markdown that
/// carries raw HTML, an unsafe address or heading attributes is sanitized;
/// other Markdown is published as pulldown-cmark writes it, which the
/// sanitizer would keep whole.
pub(crate) fn to_html(markdown: &str, id_prefix: &str, raw: RawHtml) -> String {
    render(markdown, id_prefix, raw).html
}

/// [`to_html`], with the links and ids of the HTML when they are known.
pub(crate) fn render(markdown: &str, id_prefix: &str, raw: RawHtml) -> Narrative {
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
    // The writer counts the lines it has written, which the collector reads
    // before each event is written: the line each link starts on.
    let lines = Cell::new(0);
    let mut collect = Collect::default();
    let events = events.inspect(|event| collect.event(event, lines.get() + 1));
    let mut out = LineCounting { out: String::with_capacity(markdown.len() * 3 / 2), lines: &lines };
    // Writing into a String cannot fail.
    let _ = html::write_html_fmt(&mut out, events);
    let html = out.out;
    if unclean && raw == RawHtml::Sanitize {
        Narrative { html: sanitize(&html), known: None }
    } else if unclean {
        // Raw HTML carries links and ids of its own: the inspection reads it.
        Narrative { html, known: None }
    } else {
        Narrative { html, known: Some(collect.known) }
    }
}

/// A `fmt::Write` into a String that counts the line breaks written.
struct LineCounting<'a> {
    out: String,
    lines: &'a Cell<usize>,
}

impl std::fmt::Write for LineCounting<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.lines.set(self.lines.get() + crate::text::line_breaks(s.as_bytes()));
        self.out.push_str(s);
        Ok(())
    }
}

/// The links and ids pulldown-cmark writes for the events of clean Markdown,
/// as the attributes' values read back (entities decoded).
#[derive(Default)]
struct Collect {
    known: Known,
    /// Inside an image, whose alt text is written as text: no links there.
    in_image: usize,
}

impl Collect {
    fn event(&mut self, event: &Event<'_>, line: usize) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                if self.in_image == 0 {
                    self.known.src(href_value(dest_url), line);
                }
                self.in_image += 1;
            }
            Event::End(TagEnd::Image) => self.in_image = self.in_image.saturating_sub(1),
            _ if self.in_image > 0 => {}
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                let value = href_value(dest_url);
                let value = if *link_type == LinkType::Email { format!("mailto:{value}") } else { value };
                self.known.href(value, line);
            }
            Event::Start(Tag::Heading { id: Some(id), .. }) => self.known.id(id.to_string()),
            Event::Start(Tag::FootnoteDefinition(name)) => self.known.id(name.to_string()),
            Event::FootnoteReference(name) => self.known.href(format!("#{name}"), line),
            _ => {}
        }
    }
}

/// An address as pulldown-cmark writes it into `href`/`src` (percent-escaped),
/// read back as a parser would (entities decoded).
fn href_value(dest: &str) -> String {
    let mut escaped = String::with_capacity(dest.len());
    let _ = pulldown_cmark_escape::escape_href(&mut escaped, dest);
    crate::linkcheck::unescape(&escaped)
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

    /// The links and ids known from the Markdown are those a parser finds
    /// in the HTML written, with their lines.
    #[test]
    fn known_links_are_what_a_parser_reads() {
        let cases = [
            "正文 [链接](../2023/a/) 与 [另一个](/xxgk/b/#section-2 \"题\")。\n",
            "# 一\n\n## 二 {#自定}\n\n### 三 {.cls}\n\n#### 四 {#a&b}\n",
            "[空格](<my file.pdf>) [中文](附件/年报.pdf) [符号](a?x=1&y='2'#frag) [百分](a%20b%zz)\n",
            "<https://www.gov.cn/> 和 <someone@example.gov.cn>\n",
            "![图](img/a.png \"t\") ![外 [内](x/)](y.png) [![图中](i.png)](link/)\n",
            "脚注[^1]与[^注释]。\n\n[^1]: 一\n\n[^注释]: 二 [链](c/)\n",
            "[引用][r]\n\n[r]: ref/target/\n",
            "| 表 | 链 |\n|---|---|\n| 1 | [t](t/) |\n\n> 引 [q](q/)\n>\n> - [l](l/)\n",
            "第一行\n第二行 [a](a/)\n\n\n第三段\n\n    code [no](no/)\n\n```\n[no](no/)\n```\n\n- 项\n\n  [b](b/)\n",
            "<!-- 提示：写作提示\n     第二行 -->\n\n段落 [c](c/)<!-- 行内 -->\n",
            "",
        ];
        for md in cases {
            let out = render(md, "section-1", RawHtml::Sanitize);
            let known = out.known.unwrap_or_else(|| panic!("clean Markdown has known links: {md}"));
            assert_eq!(known.normalised(), Known::parsed(&out.html).normalised(), "{md}\n{}", out.html);
        }
        for md in ["<div id=\"x\"><a href=\"y/\">原始</a></div>\n", "[js](javascript:alert(1))\n"] {
            assert!(render(md, "s", RawHtml::Sanitize).known.is_none(), "{md}");
            assert!(render(md, "s", RawHtml::Allow).known.is_none(), "{md}");
        }
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
