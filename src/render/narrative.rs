//! Markdown narrative → HTML.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};

/// Renders a stretch of narrative. Headings are demoted below the section
/// headings (h3 and deeper) and get stable ids `<id_prefix>-1`, `-2`, … unless
/// the author gave one with `{#id}`.
pub(crate) fn to_html(markdown: &str, id_prefix: &str) -> String {
    let mut counter = 0;
    let events = Parser::new_ext(markdown, crate::markdown::options()).map(|event| match event {
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
        let html = to_html("### （一）主动公开\n\n正文\n\n#### 细目 {#detail}\n", "section-1");
        assert!(html.contains("<h3 id=\"section-1-1\">（一）主动公开</h3>"), "{html}");
        assert!(html.contains("<h4 id=\"detail\">细目</h4>"), "{html}");
    }

    #[test]
    fn tables_footnotes_and_strikethrough() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~旧~~ 新[^1]\n\n[^1]: 注释\n", "s");
        assert!(html.contains("<table>"));
        assert!(html.contains("<del>旧</del>"));
        assert!(html.contains("footnote-definition"));
    }
}
