//! A report that still reads as `portal new` wrote it: its writing hints
//! left in, or a section with no text of its own. Both are errors unless the
//! report is a draft (`draft = true`), which is never published.

use crate::diagnostics::{Code, Diagnostic};
use crate::format::Format;
use crate::model::Narrative;
use crate::sources::FileId;

/// How every hint `portal new` writes begins.
pub(crate) const HINT: &str = "<!-- 提示";

/// The problems of a finished (not draft) report's `text`.
pub(super) fn unfinished(format: &Format, narrative: &Narrative, text: &str, file: FileId) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let hints: Vec<usize> = text.match_indices(HINT).map(|(at, _)| at).collect();
    if let Some(&first) = hints.first() {
        let end = text[first..].find("-->").map_or(first + HINT.len(), |e| first + e + 3);
        let more = match hints.len() {
            1 => String::new(),
            n => format!("（共 {n} 处）"),
        };
        out.push(
            Diagnostic::error(
                Code::Hint,
                format!("报告中还留着 portal new 写的写作提示{more}：写好各部分后请删除这些注释"),
            )
            .at(file, first..end)
            .with_label("写作提示")
            .with_note("报告还没写完时，请在 +++ 之间加一行 draft = true：草稿不会发布，portal serve 仍可预览"),
        );
    }
    for (section, part) in format.sections.iter().zip(&narrative.sections) {
        let Some(part) = part else { continue };
        if section.table.is_some() || !without_comments(part.markdown(text)).trim().is_empty() {
            continue;
        }
        let heading = part.span.start.saturating_sub(1);
        let line_start = text[..heading].rfind('\n').map_or(0, |i| i + 1);
        out.push(
            Diagnostic::error(Code::EmptySection, format!("“{}”还没有内容：请写上这一部分的正文", section.title))
                .at(file, line_start..heading)
                .with_label("这一部分是空的")
                .with_note("没有可写的情况时，也请如实写明，例如“本年度无此类情况。”"),
        );
    }
    out
}

/// `markdown` with its HTML comments taken out.
pub(crate) fn without_comments(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("-->").map_or("", |end| &rest[start + end + 3..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_taken_out_even_unclosed() {
        assert_eq!(without_comments("a<!-- x\ny -->b<!-- c"), "ab");
        assert_eq!(without_comments("无注释"), "无注释");
    }
}
