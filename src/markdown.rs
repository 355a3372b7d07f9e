//! The Markdown dialect of `report.md`, shared by loading and rendering, and
//! the HTML it may carry ([`html`]).

pub(crate) mod html;

use pulldown_cmark::{Event, Options, Parser, TagEnd};

/// CommonMark plus tables, footnotes, strikethrough and `{#id}` heading attributes.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The text a reader sees of a report's narrative: each stretch's heading on
/// a line, then its Markdown one line per block, without markup. What the
/// search index holds of a report.
#[derive(Debug, Default)]
pub(crate) struct ReaderText(String);

impl ReaderText {
    /// A stretch's heading.
    pub(crate) fn heading(&mut self, heading: &str) {
        self.0.push_str(heading);
        self.0.push('\n');
    }

    /// One event of a stretch's Markdown.
    fn event(&mut self, event: &Event<'_>) {
        let out = &mut self.0;
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow,
            ) if !out.ends_with('\n') => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }

    /// A stretch's Markdown, parsed for its text alone.
    pub(crate) fn markdown(&mut self, markdown: &str) {
        Parser::new_ext(markdown, options()).for_each(|e| self.event(&e));
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_text_drops_markup() {
        let mut text = ReaderText::default();
        text.heading("一、总体情况");
        text.markdown("本年度**收到**[申请](../x/)46件。\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n");
        assert_eq!(text.into_string(), "一、总体情况\n本年度收到申请46件。\n甲 乙 \n1 2 \n");
    }
}
