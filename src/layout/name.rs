//! File and folder names that every file system a site is edited or served on
//! can hold: a site made on Linux is copied to a Windows PC or a Mac as it is.
//!
//! Windows refuses its device names (`CON`, `NUL`, `COM1` …, with any
//! extension), names ending in a dot or a space, and a few characters; Windows
//! and macOS by default take names that differ only in letter case, or only in
//! Unicode normalisation (`café` composed or decomposed), for the same name.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// Device names Windows reserves in every folder, with or without an extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "conin$", "conout$", "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
    "com8", "com9", "com¹", "com²", "com³", "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8",
    "lpt9", "lpt¹", "lpt²", "lpt³",
];

/// Characters Windows does not allow in a name (besides the control characters).
const FORBIDDEN: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

/// Why `name` cannot be a file or folder name on Windows, if it cannot.
pub(crate) fn problem(name: &str) -> Option<&'static str> {
    // Windows drops trailing spaces and dots before it compares with a device name.
    let stem = name.split('.').next().unwrap_or("").trim_end_matches([' ', '.']);
    if name.is_empty() {
        Some("名字不能为空")
    } else if name.chars().any(|c| c < ' ' || FORBIDDEN.contains(&c)) {
        Some("Windows 的文件名不能含 < > : \" / \\ | ? * 或控制字符")
    } else if RESERVED.iter().any(|r| stem.eq_ignore_ascii_case(r)) {
        Some(
            "CON、PRN、AUX、NUL、COM0–COM9、LPT0–LPT9 是 Windows 保留的设备名，加上扩展名（如 con.txt）也不能用作文件名",
        )
    } else if name.ends_with(['.', ' ']) {
        Some("Windows 的文件名不能以点或空格结尾")
    } else {
        None
    }
}

/// The form under which Windows and macOS take two names for the same: the
/// name composed (NFC) and in lower case.
pub(crate) fn fold(name: &str) -> String {
    // ASCII is its own NFC; nearly every output path is ASCII.
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    name.nfc().flat_map(char::to_lowercase).collect()
}

/// The first two of `paths` (site paths, `/`-separated) that are different
/// but name the same file or folder where case and normalisation do not count:
/// `2024/a/x.pdf` and `2024/A/y.pdf` share the folder `2024/A`. One pass.
pub(crate) fn clash<'a>(paths: impl IntoIterator<Item = &'a str>) -> Option<(&'a str, &'a str)> {
    let mut seen: HashMap<String, &'a str> = HashMap::new();
    for path in paths {
        // Folded once: neither NFC nor lower case adds, drops or moves a `/`, so the
        // folded path's n-th `/` ends the fold of the prefix up to the path's n-th.
        let folded = fold(path);
        for (end, folded_end) in ends(path).zip(ends(&folded)).filter(|&(end, _)| end > 0) {
            let part = &path[..end];
            match seen.get(&folded[..folded_end]) {
                Some(&other) if other != part => return Some((other, part)),
                Some(_) => {}
                None => {
                    seen.insert(folded[..folded_end].to_owned(), part);
                }
            }
        }
    }
    None
}

/// Where each component of `path` ends: its `/`s, then its end.
fn ends(path: &str) -> impl Iterator<Item = usize> + '_ {
    path.match_indices('/').map(|(i, _)| i).chain([path.len()])
}

/// The first component of a site path that Windows cannot hold, with why.
pub(crate) fn path_problem(path: &str) -> Option<(&str, &'static str)> {
    path.split('/').filter(|c| !c.is_empty()).find_map(|c| problem(c).map(|why| (c, why)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_device_name_is_refused_in_every_spelling() {
        for base in RESERVED {
            let upper = base.to_uppercase();
            let title: String =
                base.chars().enumerate().map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c }).collect();
            for name in [base.to_string(), upper.clone(), title.clone()] {
                for spelled in [
                    name.clone(),
                    format!("{name}.txt"),
                    format!("{name}.tar.gz"),
                    format!("{name} .pdf"),
                    format!("{name}..pdf"),
                ] {
                    assert!(problem(&spelled).is_some(), "{spelled:?} should be refused");
                }
            }
        }
    }

    #[test]
    fn names_that_only_start_like_a_device_are_fine() {
        for good in
            ["console", "con-2024", "nul1", "com10", "lpt", "auxiliary.pdf", "报告.pdf", "a.con", "prn_x", "com"]
        {
            assert_eq!(problem(good), None, "{good}");
        }
    }

    #[test]
    fn forbidden_characters_and_trailing_dots_are_refused() {
        for c in FORBIDDEN.iter().copied().chain((0u8..0x20).map(char::from)) {
            for name in [format!("{c}a"), format!("a{c}b"), format!("b{c}")] {
                assert!(problem(&name).is_some(), "{name:?}");
            }
        }
        for bad in ["a.", "a ", "a. ", "附件.", "...", "", " "] {
            assert!(problem(bad).is_some(), "{bad:?}");
        }
        for good in [".hidden", " a", "a b.pdf", "a#b.pdf", "a%20.pdf", "a&b", "（附件）.pdf"] {
            assert_eq!(problem(good), None, "{good:?}");
        }
    }

    #[test]
    fn case_and_normalisation_fold_together() {
        let pairs =
            [("Example", "example"), ("café", "cafe\u{301}"), ("CAFÉ", "cafe\u{301}"), ("ÅBC.PDF", "a\u{30a}bc.pdf")];
        for (a, b) in pairs {
            assert_ne!(a, b);
            assert_eq!(fold(a), fold(b), "{a} / {b}");
        }
        assert_ne!(fold("a"), fold("b"));
    }

    #[test]
    fn clashes_are_found_in_folders_and_files() {
        assert_eq!(clash(["2024/a/x.pdf", "2024/A/y.pdf"]), Some(("2024/a", "2024/A")));
        assert_eq!(clash(["2024/a/X.pdf", "2024/a/x.PDF"]), Some(("2024/a/X.pdf", "2024/a/x.PDF")));
        assert_eq!(
            clash(["2024/caf\u{e9}/", "2024/cafe\u{301}/index.html"]),
            Some(("2024/caf\u{e9}", "2024/cafe\u{301}"))
        );
        assert_eq!(clash(["2024/a/x.pdf", "2024/a/y.pdf", "2024/a/index.html", "agencies/a/"]), None);
        // A letter whose lower case is longer: the folded prefixes still end at their `/`.
        assert_eq!(clash(["\u{130}/a", "\u{130}/b", "i\u{307}/c"]), Some(("\u{130}", "i\u{307}")));
        assert_eq!(clash(["2024/\u{130}x/a", "2024/\u{130}X/b"]), Some(("2024/\u{130}x", "2024/\u{130}X")));
        assert_eq!(path_problem("2024/con/x.pdf"), Some(("con", problem("con").unwrap())));
        assert_eq!(path_problem("2024/a/x.pdf"), None);
    }
}
