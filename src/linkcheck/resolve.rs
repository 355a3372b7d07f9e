//! Where a link in a page of the site points, as a server would resolve it.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use crate::config::BaseUrl;

/// What a link is, once resolved against its page.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// A path inside the site (percent-decoded, NFC), e.g. `2024/示例局/`, and
    /// the fragment it names, if any (decoded too).
    Internal { path: String, fragment: Option<String> },
    /// An absolute `http(s)` URL elsewhere, as written (fragment removed); also
    /// a page of the wider portal on the site's own host outside its base
    /// path (`/xxgk/` beside a site at `/zwgk/nb/`), made absolute: the build
    /// does not have it, `check --external` fetches it.
    External(String),
    /// A relative link that climbs above the host's root (`../../../../x`):
    /// no server has such a page.
    OutsideBase(String),
    /// `mailto:`, `tel:`, `data:` and other schemes that are not fetched.
    NotFetched,
    /// `javascript:` URLs: not links, and inspectors count them as broken.
    Javascript,
}

/// Resolves `raw` (an attribute value, entities already decoded) found on the
/// page at site path `page` (`2024/示例局/index.html`).
pub(super) fn resolve(base: &BaseUrl, page: &str, raw: &str) -> Target {
    let raw = raw.trim();
    let (before_fragment, fragment) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let fragment = fragment.filter(|f| !f.is_empty()).map(decode);
    let url = before_fragment.split('?').next().unwrap_or("");

    if let Some(scheme) = scheme(url) {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => match same_site(base, url) {
                Some(Ok(path)) => Target::Internal { path: decode(&path), fragment },
                Some(Err(None)) => Target::OutsideBase(before_fragment.to_owned()),
                Some(Err(Some(_))) | None => Target::External(before_fragment.to_owned()),
            },
            "javascript" => Target::Javascript,
            _ => Target::NotFetched,
        };
    }
    if let Some(rest) = url.strip_prefix("//") {
        let scheme = base.origin().split("://").next().unwrap_or("https");
        let absolute = format!("{scheme}://{rest}");
        return match same_site(base, &absolute) {
            Some(Ok(path)) => Target::Internal { path: decode(&path), fragment },
            Some(Err(None)) => Target::OutsideBase(before_fragment.to_owned()),
            Some(Err(Some(_))) | None => Target::External(absolute),
        };
    }
    let absolute_path: Cow<'_, str> = if url.is_empty() {
        // `#frag` or `?q`: this very page.
        format!("{}{}", base.path(), page).into()
    } else if url.starts_with('/') {
        url.into()
    } else {
        let dir = &page[..page.rfind('/').map_or(0, |i| i + 1)];
        format!("{}{dir}{url}", base.path()).into()
    };
    let Some(normal) = normalize(&absolute_path) else {
        return Target::OutsideBase(before_fragment.to_owned());
    };
    match normal.strip_prefix(base.path()) {
        Some(path) => Target::Internal { path: decode(path), fragment },
        None if format!("{normal}/") == base.path() => Target::Internal { path: String::new(), fragment },
        None => {
            let query = before_fragment.split_once('?').map_or(String::new(), |(_, q)| format!("?{q}"));
            Target::External(format!("{}{normal}{query}", base.origin()))
        }
    }
}

/// The scheme of an absolute URL (`https`, `mailto`), if `url` has one.
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then_some(scheme)
}

/// For a URL on the site's own origin: `Ok(path below the base path)`, or
/// `Err(Some(path))` when it is on the origin but outside the base path
/// (`Err(None)` if it climbs above the root). `None` for other origins.
fn same_site(base: &BaseUrl, url: &str) -> Option<Result<String, Option<String>>> {
    let (scheme, rest) = url.split_once("://")?;
    let (origin_scheme, origin_host) = base.origin().split_once("://")?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    let (host, path) = rest.split_at(host_end);
    // http and https of the same host are the same site to a reader.
    let same = host.eq_ignore_ascii_case(origin_host)
        && (scheme.eq_ignore_ascii_case(origin_scheme)
            || ["http", "https"].contains(&scheme.to_ascii_lowercase().as_str()));
    if !same {
        return None;
    }
    let path = if path.is_empty() { "/" } else { path };
    let path = path.split('?').next().unwrap_or("");
    let Some(normal) = normalize(path) else { return Some(Err(None)) };
    Some(match normal.strip_prefix(base.path()) {
        Some(rel) => Ok(rel.to_owned()),
        None if format!("{normal}/") == base.path() => Ok(String::new()),
        None => Err(Some(normal.into_owned())),
    })
}

/// Removes `.` and `..` segments of an absolute path; `None` if `..` climbs
/// above the root.
fn normalize(path: &str) -> Option<Cow<'_, str>> {
    // Nearly every link has no dot segment: it is its own normal form. A path
    // from `/` without `/.` has none.
    if path.starts_with('/') && !path.contains("/.") {
        return Some(path.into());
    }
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                out.pop()?;
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    Some(format!("/{}", out.join("/")).into())
}

/// Percent-decodes and NFC-normalises a path or fragment, so that
/// `%E7%A4%BA%E4%BE%8B`, `示例` and decomposed forms compare equal.
pub(super) fn decode(s: &str) -> String {
    // Most links and ids are plain ASCII: nothing to decode or normalise.
    if s.is_ascii() && !s.contains('%') {
        return s.to_owned();
    }
    String::from_utf8_lossy(&crate::text::percent_decode(s)).nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_removed_and_nothing_else() {
        for (path, normal) in [
            ("/", Some("/")),
            ("/xxgk/2024/a/", Some("/xxgk/2024/a/")),
            ("/xxgk//a", Some("/xxgk//a")),
            ("/xxgk/.well-known/..a", Some("/xxgk/.well-known/..a")),
            ("/xxgk/./a", Some("/xxgk/a")),
            ("/xxgk/2024/../a/", Some("/xxgk/a/")),
            ("/xxgk/a/.", Some("/xxgk/a/")),
            ("/xxgk/a/..", Some("/xxgk/")),
            ("/..", None),
            ("/xxgk/../../a", None),
        ] {
            assert_eq!(normalize(path).as_deref(), normal, "{path}");
        }
    }

    fn base() -> BaseUrl {
        BaseUrl::parse("https://www.example.gov.cn/xxgk/").unwrap()
    }

    fn internal(path: &str, fragment: Option<&str>) -> Target {
        Target::Internal { path: path.to_owned(), fragment: fragment.map(str::to_owned) }
    }

    #[test]
    fn relative_root_relative_and_absolute() {
        let page = "2024/yeyuan/index.html";
        let b = base();
        assert_eq!(resolve(&b, page, "../../2023/yeyuan/"), internal("2023/yeyuan/", None));
        assert_eq!(resolve(&b, page, "data.json"), internal("2024/yeyuan/data.json", None));
        assert_eq!(resolve(&b, page, "./data.csv?v=2"), internal("2024/yeyuan/data.csv", None));
        assert_eq!(resolve(&b, page, "/xxgk/agencies/"), internal("agencies/", None));
        assert_eq!(resolve(&b, page, "/xxgk"), internal("", None));
        assert_eq!(resolve(&b, page, "#section-3"), internal(page, Some("section-3")));
        assert_eq!(resolve(&b, page, "?a=1#x"), internal(page, Some("x")));
        assert_eq!(resolve(&b, page, "https://www.example.gov.cn/xxgk/2024/#a"), internal("2024/", Some("a")));
        assert_eq!(resolve(&b, page, "http://WWW.example.gov.cn/xxgk/feed.xml"), internal("feed.xml", None));
        assert_eq!(resolve(&b, page, "//www.example.gov.cn/xxgk/"), internal("", None));
    }

    #[test]
    fn chinese_paths_compare_decoded_and_normalised() {
        let b = base();
        let page = "index.html";
        assert_eq!(resolve(&b, page, "2024/%E7%A4%BA%E4%BE%8B/#%E4%B8%80"), internal("2024/示例/", Some("一")));
        // U+00E9 written decomposed (e + combining acute) is the same name.
        assert_eq!(resolve(&b, page, "caf%65%CC%81.html"), internal("caf\u{e9}.html", None));
    }

    #[test]
    fn outside_the_site_and_other_schemes() {
        let b = base();
        let page = "2024/index.html";
        // The rest of the portal on the same host: fetched with the external links.
        let portal = |url: &str| Target::External(url.to_owned());
        assert_eq!(resolve(&b, page, "/other/"), portal("https://www.example.gov.cn/other/"));
        assert_eq!(resolve(&b, page, "/other/?id=1#a"), portal("https://www.example.gov.cn/other/?id=1"));
        assert_eq!(resolve(&b, page, "../../x"), portal("https://www.example.gov.cn/x"));
        assert_eq!(resolve(&b, page, "//www.example.gov.cn/x"), portal("https://www.example.gov.cn/x"));
        assert_eq!(resolve(&b, page, "../../../../x"), Target::OutsideBase("../../../../x".to_owned()));
        assert_eq!(resolve(&b, page, "https://www.example.gov.cn/other/"), portal("https://www.example.gov.cn/other/"));
        assert_eq!(resolve(&b, page, "https://www.gov.cn/a#b"), Target::External("https://www.gov.cn/a".to_owned()));
        assert_eq!(resolve(&b, page, "mailto:a@b.cn"), Target::NotFetched);
        assert_eq!(resolve(&b, page, "tel:0536-3631123"), Target::NotFetched);
        assert_eq!(resolve(&b, page, "JavaScript:void(0)"), Target::Javascript);
    }
}
