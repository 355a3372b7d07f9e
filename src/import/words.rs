//! Text normalisation shared by the readers and the matcher: what differs
//! between a label as printed and as extracted (whitespace, full-width forms,
//! punctuation variants) is folded away before anything is compared.

use crate::model::Date;

/// Folds a full-width form (U+FF01–U+FF5E) and the ideographic space to ASCII.
pub(crate) fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

/// The comparison key of a label: full-width forms folded, letters and digits
/// (Chinese characters included) kept, whitespace and punctuation dropped.
///
/// `（二） 部分公开(区分处理的, 只计这一情形…)` and `（二）部分公开（区分处理的，只计这一情形…）`
/// have the same key.
pub(crate) fn key(s: &str) -> String {
    s.chars().map(fold).filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Text as it should be written out: whitespace between two non-ASCII
/// characters (an extraction artefact in Chinese text: `政府信息公开 工作年度报告`)
/// removed, other runs of whitespace collapsed to one space, ends trimmed.
pub(crate) fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{3000}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev_ascii = out.chars().next_back().is_some_and(|p| p.is_ascii());
            if prev_ascii || c.is_ascii() {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// What a table cell holds, for reading figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// A number, as ASCII digits with an optional decimal point.
    Number(String),
    /// A mark printed instead of a number (`—`, `/`, `无`): not read as zero.
    Mark(String),
    /// Nothing.
    Empty,
    /// Anything else: a label.
    Text,
}

/// Classifies a cell.
pub(crate) fn token(cell: &str) -> Token {
    let folded: String = cell.chars().map(fold).filter(|c| !c.is_whitespace()).collect();
    if folded.is_empty() {
        return Token::Empty;
    }
    if matches!(folded.as_str(), "-" | "--" | "—" | "——" | "–" | "/" | "\\" | "无" | "空" | "×" | "x" | "X")
    {
        return Token::Mark(folded);
    }
    // A change may be negative (2019: 本年增/减): `-3`, `−3`; whether the cell may hold it is the unit's.
    let (sign, folded) = match folded.strip_prefix(['-', '−', '－']) {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", folded),
    };
    // Thousands separators: 1,234 (only in groups of three).
    let plain = match folded.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", strip_thousands(int)),
        None => strip_thousands(&folded),
    };
    let mut parts = plain.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(int) && frac.is_none_or(digits) { Token::Number(format!("{sign}{plain}")) } else { Token::Text }
}

fn strip_thousands(int: &str) -> String {
    let groups: Vec<&str> = int.split(',').collect();
    let well_formed = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if well_formed { groups.concat() } else { int.to_owned() }
}

/// How alike two keys are, 0.0–1.0: twice the longest common subsequence over
/// the sum of the lengths.
pub(crate) fn similarity(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y { prev[j] + 1 } else { prev[j + 1].max(cur[j]) };
        }
        prev = cur;
    }
    2.0 * prev[b.len()] as f64 / (a.len() + b.len()) as f64
}

/// Whether the characters of `needle` occur in `hay` in order (a label broken
/// across header lines: `结果 … 维持`).
pub(crate) fn subsequence(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|c| hay.any(|h| h == c))
}

/// The first date written `2025年1月10日`, `2025-01-10` or `2025/1/10` in a text.
pub(crate) fn find_date(text: &str) -> Option<(Date, std::ops::Range<usize>)> {
    let chars: Vec<(usize, char)> = text.char_indices().map(|(i, c)| (i, fold(c))).collect();
    let number = |from: usize, max: usize| -> Option<(u32, usize)> {
        let mut n = 0u32;
        let mut i = from;
        while i < chars.len() && i - from < max && chars[i].1.is_ascii_digit() {
            n = n * 10 + chars[i].1.to_digit(10)?;
            i += 1;
        }
        (i > from).then_some((n, i))
    };
    let byte = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    for start in 0..chars.len() {
        if start > 0 && chars[start - 1].1.is_ascii_digit() {
            continue;
        }
        let Some((year, i)) = number(start, 4) else { continue };
        if i - start != 4 {
            continue;
        }
        let sep = chars.get(i).map(|c| c.1);
        let (year_sep, month_sep, day_end) = match sep {
            Some('年') => ('年', '月', Some('日')),
            Some('-') => ('-', '-', None),
            Some('/') => ('/', '/', None),
            Some('.') => ('.', '.', None),
            _ => continue,
        };
        let _ = year_sep;
        let Some((month, j)) = number(i + 1, 2) else { continue };
        if chars.get(j).map(|c| c.1) != Some(month_sep) {
            continue;
        }
        let Some((day, k)) = number(j + 1, 2) else { continue };
        let end = match day_end {
            Some(c) if chars.get(k).map(|x| x.1) == Some(c) => k + 1,
            Some(_) => continue,
            None if chars.get(k).is_some_and(|c| c.1.is_ascii_digit()) => continue,
            None => k,
        };
        let date = Date::new(u16::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?);
        if let Some(date) = date {
            return Some((date, byte(start)..byte(end)));
        }
    }
    None
}

/// The reporting year named in a title: `2024年`, with full-width digits or
/// Chinese numerals (`二〇二四年`).
pub(crate) fn title_year(title: &str) -> Option<(u16, std::ops::Range<usize>)> {
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    let digit = |c: char| -> Option<u32> {
        match fold(c) {
            d @ '0'..='9' => d.to_digit(10),
            '〇' | '零' | 'О' | 'o' => Some(0),
            '一' => Some(1),
            '二' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        }
    };
    for start in 0..chars.len().saturating_sub(4) {
        let window = &chars[start..start + 4];
        let Some(year) = window.iter().try_fold(0u32, |n, &(_, c)| digit(c).map(|d| n * 10 + d)) else { continue };
        let before_ok = start == 0 || digit(chars[start - 1].1).is_none();
        if before_ok && chars.get(start + 4).is_some_and(|&(_, c)| c == '年') && (1990..2200).contains(&year) {
            let end = chars.get(start + 5).map_or(title.len(), |&(b, _)| b);
            return Some((u16::try_from(year).ok()?, chars[start].0..end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_width_spaces_and_punctuation() {
        assert_eq!(
            key("(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)"),
            key("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
        );
        assert_eq!(key("３.危及\"三安全一稳定\""), key("3.危及“三安全一稳定”"));
        assert_eq!(key("不予 公开"), "不予公开");
    }

    #[test]
    fn squash_removes_only_artefact_spaces() {
        assert_eq!(squash("政府信息公开 工作年度报告 "), "政府信息公开工作年度报告");
        assert_eq!(squash("通过 Word  文档"), "通过 Word 文档");
        assert_eq!(squash("\u{3000}\u{3000}本年度"), "本年度");
    }

    #[test]
    fn tokens() {
        assert_eq!(token(" ６ "), Token::Number("6".into()));
        assert_eq!(token("1,234.5"), Token::Number("1234.5".into()));
        assert_eq!(token("-3"), Token::Number("-3".into()));
        assert_eq!(token("－12"), Token::Number("-12".into()));
        assert_eq!(token("—"), Token::Mark("—".into()));
        assert_eq!(token(""), Token::Empty);
        assert_eq!(token("1.属于国家秘密"), Token::Text);
        assert_eq!(token("1,23"), Token::Text);
    }

    #[test]
    fn dates_and_years() {
        assert_eq!(find_date("冶源街道办事处 2025年1月10日").map(|d| d.0.to_string()), Some("2025-01-10".into()));
        assert_eq!(find_date("２０２５年１月１０日").map(|d| d.0.to_string()), Some("2025-01-10".into()));
        assert_eq!(find_date("发布时间：2025-01-10 09:30").map(|d| d.0.to_string()), Some("2025-01-10".into()));
        assert_eq!(find_date("2025年13月1日"), None);
        assert_eq!(title_year("某局2024年政府信息公开工作年度报告").map(|y| y.0), Some(2024));
        assert_eq!(title_year("某局二〇二三年度政府信息公开工作年度报告").map(|y| y.0), Some(2023));
        assert_eq!(title_year("政府信息公开工作年度报告"), None);
    }

    #[test]
    fn similarity_ranks_near_misses() {
        assert!(similarity(&key("2.其他法律法规禁止公开"), &key("2.其他法律行政法规禁止公开")) > 0.8);
        assert!(similarity(&key("予以公开"), &key("信访举报投诉类申请")) < 0.3);
        assert!(subsequence("结果维持", "结果结果其他尚未总计维持纠正"));
    }
}
