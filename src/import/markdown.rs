//! Imported text written as Markdown that renders as the same text.
//!
//! A report may quote markup (`&lt;script&gt;` on a web page is the text
//! `<script>`), and a line of a report may look like Markdown (`# 号`,
//! `1. `, `*`). What the readers extracted is text: it is written with a
//! backslash before every character that Markdown or HTML would read as
//! something else, so it never becomes an element, an entity, a link or
//! emphasis. Chinese text and punctuation need no escape and are written as
//! they are, and so is a bare `<http://…>` address, which CommonMark shows as
//! that address (as a link).

/// Characters that start or end an inline construct wherever they stand:
/// HTML and autolinks (`<`), code spans, emphasis, strikethrough, links and
/// footnotes (`[`, `]`), a heading's `{#id}`, and the backslash itself.
const INLINE: &[char] = &['\\', '<', '`', '*', '_', '~', '[', ']', '{', '}'];

/// Characters that start a block (heading, quote, list, rule, table, setext
/// underline) when they open a line.
const LINE_START: &[char] = &['#', '>', '-', '+', '=', '|'];

/// `text` (one line) escaped so that, as a Markdown paragraph or the text of
/// a heading, it renders as itself.
pub(super) fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let after = &text[digits..];
    let ordered =
        digits > 0 && after.starts_with(['.', ')']) && (after.len() == 1 || after[1..].starts_with([' ', '\t']));
    if ordered {
        // `1. ` opens an ordered list: `1\. ` is the text `1. `.
        out.push_str(&text[..digits]);
        out.push('\\');
        rest = after;
    } else if text.starts_with(LINE_START) {
        out.push('\\');
    }
    // An ATX heading drops a closing run of `#` after a space; one escaped `#` keeps the run text.
    let closing = rest.len() - rest.trim_end_matches('#').len();
    let closing_at = (closing > 0).then(|| rest.len() - closing);
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '<'
            && let Some(len) = autolink(&rest[i..])
        {
            out.push_str(&rest[i..i + len]);
            while chars.next_if(|&(j, _)| j < i + len).is_some() {}
            continue;
        }
        let escape = INLINE.contains(&c)
            || (c == '&' && chars.peek().is_some_and(|&(_, n)| n.is_ascii_alphanumeric() || n == '#'))
            || (i > 0 && closing_at == Some(i));
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The length of a `<http://…>` or `<https://…>` autolink at the start of
/// `s`, kept as written: inside it a backslash would be shown, not read.
fn autolink(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('<')?;
    let end = inner.find(['>', '<', ' ', '\t', '\n', '\r'])?;
    let url = &inner[..end];
    let web = ["http://", "https://"].iter().any(|scheme| url.len() > scheme.len() && url.starts_with(scheme));
    (inner[end..].starts_with('>') && web && !url.contains(char::is_control)).then_some(end + 2)
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};

    use super::*;

    /// The events of `markdown`, rendered by the site's own dialect.
    fn events(markdown: &str) -> Vec<Event<'_>> {
        Parser::new_ext(markdown, crate::markdown::options()).collect()
    }

    /// The text a paragraph of `line` renders as, and whether it is a lone
    /// paragraph of plain text (no element, entity or other block).
    fn renders_as_text(line: &str) -> Option<String> {
        let markdown = text(line);
        let mut out = String::new();
        let events = events(&markdown);
        let (first, last) = (events.first()?, events.last()?);
        if !matches!(first, Event::Start(Tag::Paragraph)) || !matches!(last, Event::End(TagEnd::Paragraph)) {
            return None;
        }
        for event in &events[1..events.len() - 1] {
            match event {
                Event::Text(t) => out.push_str(t),
                _ => return None,
            }
        }
        Some(out)
    }

    #[test]
    fn text_that_looks_like_markup_renders_as_itself() {
        let lines = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "见<a href=\"javascript:alert(1)\">此处</a>",
            "<!-- 注释 -->",
            "<?php echo 1; ?>",
            "&lt;script&gt; 与 &amp; 和 &#60; 和 &#x3c;",
            "A & B，甲&乙",
            "`code` 与 ``双``",
            "*强调* 与 **加粗** 与 _下划线_ 与 ~~删除~~",
            "[链接](http://example.com) 与 ![图](x.png) 与 [^1]",
            "[ref]: http://example.com",
            "# 号",
            "## 二级",
            "- 列表",
            "+ 列表",
            "* 列表",
            "> 引用",
            "1. 第一",
            "1) 第一",
            "1.",
            "2024. 年",
            "---",
            "***",
            "___",
            "===",
            "| a | b |",
            "```rust",
            "~~~",
            "标题 {#id}",
            "末尾 ##",
            "反斜杠 \\* 与 \\",
            "<mailto:a@b.cn> 与 <javascript:alert(1)>",
        ];
        for line in lines {
            assert_eq!(renders_as_text(line).as_deref(), Some(line), "{line:?} → {:?}", text(line));
        }
    }

    #[test]
    fn headings_keep_their_text() {
        for line in ["（一）主动公开 ##", "（二）<b>依申请</b>公开 {#x}", "（三）*管理*"] {
            let markdown = format!("### {}", text(line));
            let got: String = events(&markdown)
                .into_iter()
                .map(|e| match e {
                    Event::Start(Tag::Heading { id: None, classes, attrs, .. })
                        if classes.is_empty() && attrs.is_empty() =>
                    {
                        String::new()
                    }
                    Event::End(TagEnd::Heading(_)) => String::new(),
                    Event::Text(t) => t.into_string(),
                    other => panic!("{line:?}: {other:?}"),
                })
                .collect();
            assert_eq!(got, line);
        }
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for line in [
            "2024年，冶源街道深入贯彻《条例》，对标省、市、县基层政务公开要求。",
            "1.网站栏目建设。",
            "（一）主动公开",
            "电话：0536-3631123，电子邮箱：lqxyyz@wf.shandong.cn",
            "本报告可在临朐县政府信息公开网站（<http://www.linqu.gov.cn/xxgk/>）查看或下载。",
            "增长 50%，a > b，c = d + e - f",
            "",
        ] {
            assert_eq!(text(line), line);
        }
    }

    #[test]
    fn a_web_address_in_angle_brackets_stays_a_link() {
        let markdown = text("网站（<https://www.example.gov.cn/xxgk/>）");
        assert!(events(&markdown).iter().any(|e| matches!(e, Event::Start(Tag::Link { .. }))), "{markdown}");
        assert_eq!(text("<http://>"), "\\<http://>");
        assert_eq!(text("<http://a b>"), "\\<http://a b>");
    }
}
