//! TOML parser and serde messages, which are English and technical, turned into
//! words a county webmaster can act on.

use crate::diagnostics::{Code, Diagnostic};
use crate::text::did_you_mean;

/// Turns serde's English messages about a settings file into ones a webmaster
/// can act on, with a suggestion for a mistyped key.
pub(super) fn explain_serde_error(message: &str) -> Diagnostic {
    let message = message.trim();
    let quoted = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = quoted(rest);
        let (key, known) = names.split_first().map_or(("", &[][..]), |(k, rest)| (k.as_str(), rest));
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        let note = match did_you_mean(key, &known) {
            Some(s) => format!("是否想写 {s}？"),
            None => format!("可用的键：{}", known.join("、")),
        };
        return Diagnostic::error(Code::UnknownKey, format!("未知的键 {key}")).with_label("未知的键").with_note(note);
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let key = quoted(rest).into_iter().next().unwrap_or_default();
        return Diagnostic::error(Code::MissingKey, format!("缺少必填的键 {key}")).with_label("这里缺少");
    }
    if message.starts_with("invalid type") {
        return Diagnostic::error(Code::Type, "值的类型不对")
            .with_label("这个值")
            .with_note(format!("解析器原文：{message}"))
            .with_note("文字要用英文双引号括起来；日期写成 2025-01-20，不加引号；数字不加引号");
    }
    explain_syntax(message)
}

/// A Chinese explanation of a TOML syntax error; the parser's own words follow
/// as a note, for whoever searches the web for them.
pub(super) fn explain_syntax(message: &str) -> Diagnostic {
    let message = message.trim();
    let words = syntax_words(message);
    let code = if words.starts_with("日期") { Code::Date } else { Code::Toml };
    let d = Diagnostic::error(code, format!("TOML 格式错误：{words}")).with_label("这里");
    if words == message { d } else { d.with_note(format!("解析器原文：{message}")) }
}

/// [`explain_syntax`] for `data.toml`, where a bare word that starts like a
/// number (`1x38`, `12。5`) is a mistyped figure, not text left unquoted.
/// `bad` is the text the parser points at.
pub(super) fn explain_figure_syntax(message: &str, bad: &str) -> Diagnostic {
    let bad = bad.trim();
    let numberish = bad.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.');
    let unquoted = message.trim().starts_with("string values must be quoted");
    if !(numberish && unquoted) {
        return explain_syntax(message);
    }
    Diagnostic::error(crate::format::RuleId::R5, format!("表格里的数字写错了：{bad} 不是一个数字"))
        .with_label("这里应是数字")
        .with_note("数字只能用 0 到 9 书写，例如 138；金额可以带小数点，例如 12.5；不加引号、单位、空格和千分位逗号；没有就写 0")
        .with_note(format!("解析器原文：{}", message.trim()))
}

fn syntax_words(message: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("string values must be quoted", "文字要用英文双引号括起来，例如 title = \"示例局\""),
        ("missing comma between array elements", "方括号里的数字之间缺少英文逗号"),
        ("extra comma in array", "方括号里多了一个逗号"),
        ("unclosed array", "方括号没有闭合：缺少 ]"),
        ("unclosed table", "表名的方括号没有闭合：缺少 ]"),
        ("unclosed array table", "[[...]] 没有闭合"),
        ("unclosed inline table", "花括号没有闭合：缺少 }"),
        ("invalid basic string", "引号没有闭合，或者字符串中有不能直接写的字符"),
        ("missing value for key", "等号后面缺少值"),
        ("missing value", "缺少值"),
        ("key with no value", "键后面缺少等号和值"),
        ("missing assignment between key-value pairs", "键和值之间缺少等号 ="),
        ("extra `=`", "多了一个等号"),
        ("unexpected `=` in array", "方括号里不能有等号"),
        ("unexpected leading zero", "数字不能以 0 开头（日期除外）"),
        ("invalid date-time", "日期写法不对，应写成 2025-01-20 这样的形式"),
        ("invalid float", "小数写法不对"),
        ("invalid integer number", "整数写法不对"),
        ("invalid key", "键的写法不对：只能用英文字母、数字、下划线和连字符"),
        ("invalid unquoted key", "键的写法不对：只能用英文字母、数字、下划线和连字符"),
        ("unexpected content", "这一行多出了内容；注释要以 # 开头"),
        ("invalid comment character", "注释中有不允许的控制字符"),
    ];
    if let Some(key) = message.strip_prefix("duplicate key") {
        let key = key.trim_start_matches(':').trim().trim_matches('`');
        return if key.is_empty() { "同一个键写了两次".to_owned() } else { format!("键 {key} 写了两次") };
    }
    if message.starts_with("invalid date") || message.contains("day between") || message.contains("month between") {
        return "日期不存在或写法不对，应写成 2025-01-20 这样的真实日期".to_owned();
    }
    match WORDS.iter().find(|(english, _)| message.starts_with(english)) {
        Some((_, words)) => (*words).to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_figure_is_not_text_to_quote() {
        let d = explain_figure_syntax("string values must be quoted, expected literal string", "1x38");
        assert_eq!(d.message, "表格里的数字写错了：1x38 不是一个数字");
        assert!(d.notes[0].starts_with("数字只能用 0 到 9 书写，例如 138"), "{:?}", d.notes);
        // Text left unquoted is still text.
        let d = explain_figure_syntax("string values must be quoted, expected literal string", "说明");
        assert!(d.message.contains("文字要用英文双引号括起来"), "{}", d.message);
    }

    #[test]
    fn syntax_errors_are_explained_in_chinese() {
        let d = explain_syntax("invalid date, expected day between 01 and 28");
        assert!(d.message.contains("日期不存在"), "{}", d.message);
        assert!(d.notes.iter().any(|n| n.contains("day between 01 and 28")));
        assert!(explain_syntax("duplicate key `new`").message.contains("键 new 写了两次"));
        assert!(explain_syntax("missing comma between array elements").message.contains("逗号"));
        // Unknown messages are passed on rather than lost.
        assert!(explain_syntax("something new").message.ends_with("something new"));
    }
}
