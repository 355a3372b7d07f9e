//! Text helpers every floor may use: decoding file bytes, suggesting the
//! closest known word, escaping for HTML and XML, finding a key's line in TOML.

mod encoding;
mod os_error;
mod toml_span;

pub(crate) use self::encoding::decode;
pub(crate) use self::os_error::Reason;
pub(crate) use self::toml_span::toml_value_span;

/// A site-relative path written with `/`, as the user types it here: with
/// `\` on Windows.
pub(crate) fn native(path: &str) -> std::borrow::Cow<'_, str> {
    if std::path::MAIN_SEPARATOR == '/' { path.into() } else { path.replace('/', std::path::MAIN_SEPARATOR_STR).into() }
}

/// The closest known key, if it is close enough to be a typo.
pub(crate) fn did_you_mean<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let len = key.chars().count();
    known
        .iter()
        .filter_map(|k| {
            let allowed = (k.chars().count() / 3).max(1);
            // The lengths alone rule most out, and a long key never costs its length times each known key's.
            if len.abs_diff(k.chars().count()) > allowed {
                return None;
            }
            Some((edit_distance(key, k), *k)).filter(|(d, _)| *d <= allowed)
        })
        .min()
        .map(|(_, k)| k)
}

/// Edit distance counting an adjacent transposition (`titel` → `title`) as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The number of `\n` in `bytes`. Counted in `u8` lanes, 255 bytes at a time,
/// which the compiler turns into vector compares; a plain `filter().count()`
/// is not, and pages are counted through whole.
pub(crate) fn line_breaks(bytes: &[u8]) -> usize {
    bytes.chunks(255).map(|c| usize::from(c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')))).sum()
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = escape_into(&mut out, s);
    out
}

/// [`escape`] written into `out`, in runs between the characters it replaces
/// (all ASCII, so a byte never splits a character).
pub(crate) fn escape_into(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&s[start..])
}

/// The bytes `s` stands for, `%XX` escapes decoded (a `%` not followed by
/// two hex digits is kept as it is).
pub(crate) fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_are_counted_across_chunks() {
        for n in [0, 1, 254, 255, 256, 600] {
            let text: Vec<u8> = (0..n).map(|i| if i % 3 == 0 { b'\n' } else { b'x' }).collect();
            assert_eq!(line_breaks(&text), text.iter().filter(|&&b| b == b'\n').count(), "{n} bytes");
        }
        assert_eq!(line_breaks(&[b'\n'; 1000]), 1000);
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(did_you_mean("carried_ovr", &["carried_over", "new"]), Some("carried_over"));
        assert_eq!(did_you_mean("zzz", &["carried_over", "new"]), None);
        assert_eq!(did_you_mean("titel", &["title", "theme"]), Some("title"));
        assert_eq!(did_you_mean(&"x".repeat(1_000_000), &["title", "theme"]), None);
    }

    #[test]
    fn escapes_the_five_characters_and_nothing_else() {
        assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
        assert_eq!(escape("机构“甲”&<乙>"), "机构“甲”&amp;&lt;乙&gt;");
        assert_eq!(escape("/xxgk/2024/"), "/xxgk/2024/");
        assert_eq!(escape(""), "");
    }
}
