//! The Markdown dialect of `report.md`, shared by loading and rendering, and
//! the HTML it may carry ([`html`]).

pub(crate) mod html;

use pulldown_cmark::Options;

/// CommonMark plus tables, footnotes, strikethrough and `{#id}` heading attributes.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}
