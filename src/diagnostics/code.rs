//! What a diagnostic is about, as a stable code: the JSON output, the docs
//! (`docs/check.md`) and editors' scripts match on these strings.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::format::RuleId;

/// Defines [`Code`] with the string of each kind beside it, so that the two
/// cannot drift apart.
macro_rules! codes {
    ($($(#[$doc:meta])* $kind:ident = $string:literal,)*) => {
        /// A diagnostic's code: a rule of the format, or a kind of problem with
        /// the site's files or links.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            /// A rule of the format (R1–R8, `summary`): the only codes a waiver can name.
            Rule(RuleId),
            $($(#[$doc])* $kind,)*
        }

        /// Every code that is not a rule, with its string.
        const KINDS: &[(Code, &str)] = &[$((Code::$kind, $string),)*];
    };
}

codes! {
    /// A file that is not UTF-8.
    Encoding = "encoding",
    /// A TOML syntax error.
    Toml = "toml",
    /// A key the schema does not know.
    UnknownKey = "unknown-key",
    /// A required setting left out.
    MissingKey = "missing-key",
    /// A required text given but empty (an agency's `name = ""`).
    Empty = "empty",
    /// A required row left out of `data.toml`.
    MissingRow = "missing-row",
    /// A required table left out of `data.toml`.
    MissingTable = "missing-table",
    /// A row with the wrong number of cells.
    Cells = "cells",
    /// A value of the wrong type.
    Type = "type",
    /// A file the layout requires (`agency.toml`, `report.md`, `data.toml`) is missing.
    MissingFile = "missing-file",
    /// A folder under `content/` that is neither an agency slug nor a year.
    Path = "path",
    /// A file or folder name a Windows or macOS file system cannot hold as it
    /// is: a reserved device name, a character Windows forbids, a trailing dot.
    Name = "name",
    /// A folder under `content/` that is not read, and so not published.
    Skipped = "skipped",
    /// `report.md` without a well-formed `+++` block.
    FrontMatter = "front-matter",
    /// A front matter `format` that names no format, or a `data.toml` beside a
    /// free-form report, which has no tables.
    Format = "format",
    /// A publication date that does not exist, or that is late.
    Date = "date",
    /// A title naming another year than its folder.
    Year = "year",
    /// A heading that is not one of the official sections.
    SectionTitle = "section-title",
    /// Sections out of order.
    SectionOrder = "section-order",
    /// A section left out.
    MissingSection = "missing-section",
    /// Two agencies that are the same.
    Duplicate = "duplicate",
    /// A waiver that cannot be used or excuses nothing.
    Waiver = "waiver",
    /// A `site.toml` value that cannot be used.
    Config = "config",
    /// A file that could not be read, or a link that leads nowhere.
    Io = "io",
    /// A file or folder of the site that is a link leading out of the site root.
    OutsideRoot = "outside-root",
    /// A template that does not render.
    Template = "template",
    /// A link to a page or file the site does not have.
    Link = "link",
    /// A link to a fragment (`#id`) its page does not have.
    LinkFragment = "link-fragment",
    /// A relative link that climbs above the host's root (`../../../../x`).
    LinkOutside = "link-outside",
    /// A `javascript:` link.
    LinkJavascript = "link-javascript",
    /// Raw HTML the sanitizer removes from the page: a script, an event handler, an embed …
    UnsafeHtml = "unsafe-html",
    /// Raw HTML whose elements nest deeper than a browser shows.
    HtmlDepth = "html-depth",
    /// `[security] allow_raw_html` publishes raw HTML unsanitized.
    RawHtml = "raw-html",
    /// A report that is not a draft but still carries `portal new`'s writing hints.
    Hint = "hint",
    /// A report that is not a draft with a narrative section left empty.
    EmptySection = "empty-section",
    /// A draft (`draft = true`): not published.
    Draft = "draft",
    /// A report dated after today: published by the first build on or after its date.
    Scheduled = "scheduled",
    /// How many problems of a file were left out past the first [`super::PER_FILE`].
    Omitted = "omitted",
}

impl Code {
    /// The stable string: `R4`, `summary`, `missing-file`, `link-fragment` …
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::Rule(rule) => rule.as_str(),
            kind => KINDS.iter().find(|(k, _)| *k == kind).map_or("", |(_, s)| s),
        }
    }

    /// The code a string names, if any.
    pub(crate) fn parse(s: &str) -> Option<Code> {
        RuleId::parse(s).map(Code::Rule).or_else(|| KINDS.iter().find(|(_, k)| *k == s).map(|(c, _)| *c))
    }
}

impl From<RuleId> for Code {
    fn from(rule: RuleId) -> Self {
        Code::Rule(rule)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_string() {
        let rules = RuleId::ALL.into_iter().map(Code::Rule);
        let all: Vec<Code> = rules.chain(KINDS.iter().map(|(c, _)| *c)).collect();
        for code in &all {
            assert!(!code.as_str().is_empty(), "{code:?} has no string");
            assert_eq!(Code::parse(code.as_str()), Some(*code));
        }
        let mut strings: Vec<&str> = all.iter().map(|c| c.as_str()).collect();
        strings.sort_unstable();
        strings.dedup();
        assert_eq!(strings.len(), all.len(), "two codes share a string");
        assert_eq!(Code::parse("R9"), None);
    }

    /// Every code has its row in the docs users read to act on it.
    #[test]
    fn every_code_is_documented() {
        let docs: String = ["check.md", "links.md"]
            .iter()
            .map(|d| std::fs::read_to_string(format!("{}/docs/{d}", env!("CARGO_MANIFEST_DIR"))).unwrap())
            .collect();
        let rows: Vec<&str> = docs.lines().filter(|l| l.starts_with("| ")).collect();
        for (_, code) in KINDS {
            let cell = format!("`{code}`");
            assert!(
                rows.iter().any(|r| r.split(" | ").next().is_some_and(|c| c.contains(&cell))),
                "{code} has no row in docs/check.md"
            );
        }
        for rule in RuleId::ALL {
            let (plain, quoted) = (format!("| {} |", rule.as_str()), format!("| `{}` |", rule.as_str()));
            assert!(rows.iter().any(|r| r.starts_with(&plain) || r.starts_with(&quoted)), "{rule:?}");
        }
    }
}
