//! Where a key's line is in a TOML file: for messages about a value that serde
//! read without spans.

use std::ops::Range;

/// The span of the first `key = value` line in `text`, from the key to the end
/// of the line (comment included). The key may follow others on its line, as
/// in an inline table (`summary = { members = [...] }`) or a dotted key, but
/// not be the tail of a longer key, and text after a `#` is not searched.
pub(crate) fn toml_value_span(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.split('#').next().unwrap_or("");
        let found = code.match_indices(key).map(|(at, _)| at).find(|&at| {
            let starts = code[..at].chars().next_back().is_none_or(|c| c.is_whitespace() || "{,.".contains(c));
            starts && code[at + key.len()..].trim_start().starts_with('=')
        });
        if let Some(at) = found {
            return Some(offset + at..offset + line.trim_end().len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_span_runs_from_the_key_to_the_end_of_its_line() {
        let text = "name = \"示例县\"\n[summary]\nlevel = \"county\"\n  members = [\"a\"]  # 注释\n";
        assert_eq!(toml_value_span(text, "members").map(|s| &text[s]), Some("members = [\"a\"]  # 注释"));
        let inline = "summary = { level = \"county\", members = \"children\" }\n";
        assert_eq!(toml_value_span(inline, "members").map(|s| &inline[s]), Some("members = \"children\" }"));
    }

    #[test]
    fn crlf_lines_end_before_their_cr() {
        let text = "\u{feff}name = 1\r\n[summary]\r\nmembers = [\"a\"]\r\nnext = 2\r\n";
        assert_eq!(toml_value_span(text, "members").map(|s| &text[s]), Some("members = [\"a\"]"));
        assert_eq!(toml_value_span(text, "next").map(|s| &text[s]), Some("next = 2"));
    }

    #[test]
    fn longer_keys_comments_and_strings_are_not_the_key() {
        let text = "# language = \"en\"\ntitle = \"language = en\"\nsite_language = 1\nlanguage = \"en\"\n";
        assert_eq!(toml_value_span(text, "language").map(|s| &text[s]), Some("language = \"en\""));
        assert_eq!(toml_value_span("name = 1\n", "members"), None);
    }
}
