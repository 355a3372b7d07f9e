//! From a request line to what to answer, without any I/O: the part of the
//! preview server that must never let a request out of the site.

use std::path::Path;
use std::sync::Arc;

use crate::layout::confine::Root;
use crate::layout::url;

/// The preview's own endpoints, under the site's base path. Agency slugs
/// cannot start with `__`, so these never shadow a page.
pub(super) const EVENTS: &str = "__portal/events";
pub(super) const SCRIPT: &str = "__portal/livereload.js";

/// The files of a built site, produced when asked for.
pub(super) trait Files: Send + Sync {
    /// Whether the site has a file at this site path, and the file on disk it
    /// is copied from, if any.
    fn lookup(&self, path: &str) -> Option<Option<&Path>>;
    /// The bytes of a file the site has.
    fn produce(&self, path: &str) -> Result<Vec<u8>, String>;
}

/// No files: before the first good build.
pub(super) struct NoFiles;

impl Files for NoFiles {
    fn lookup(&self, _: &str) -> Option<Option<&Path>> {
        None
    }
    fn produce(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("{path} 不存在"))
    }
}

/// One build as the server sees it.
pub(super) struct Snapshot {
    /// `/xxgk/`; `None` until a build has succeeded (the site's settings may be broken).
    pub base_path: Option<String>,
    pub files: Arc<dyn Files>,
    /// The diagnostics of the latest build, when it failed.
    pub failure: Option<String>,
    /// The site root: files served from disk must stay inside it.
    pub root: Root,
}

/// What to answer.
#[derive(Debug, PartialEq)]
pub(super) enum Reply {
    /// A file of the site; `path` is its site path (for the content type).
    /// `depth` is how many folders below the base path the request is, so
    /// that injected links can be relative.
    File {
        path: String,
        depth: usize,
    },
    /// The build failed: the diagnostics page, in place of any page.
    Failure {
        depth: usize,
    },
    Redirect(String),
    /// `depth` is `None` outside the base path.
    NotFound {
        depth: Option<usize>,
    },
    Events,
    Script,
    BadRequest(&'static str),
    MethodNotAllowed,
}

/// Decides the answer to `method url` (the raw request target).
pub(super) fn route(snapshot: &Snapshot, method: &str, url: &str) -> Reply {
    if method != "GET" && method != "HEAD" {
        return Reply::MethodNotAllowed;
    }
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    let path = path.split('#').next().unwrap_or("");
    if !path.starts_with('/') {
        return Reply::BadRequest("请求路径必须以 / 开头");
    }
    let base = snapshot.base_path.as_deref().unwrap_or("/");
    let Some(rel) = path.strip_prefix(base) else {
        // `/` and `/xxgk` lead to the site; anything else outside it does not exist.
        return if path == "/" || format!("{path}/") == base {
            Reply::Redirect(base.to_owned())
        } else {
            Reply::NotFound { depth: None }
        };
    };
    let rel = match safe_path(rel) {
        Ok(rel) => rel,
        Err(why) => return Reply::BadRequest(why),
    };
    if rel == EVENTS {
        return Reply::Events;
    }
    if rel == SCRIPT {
        return Reply::Script;
    }
    let depth = rel.matches('/').count();
    let wants_page = rel.is_empty() || rel.ends_with('/') || rel.ends_with(".html");
    if snapshot.failure.is_some() && (wants_page || snapshot.files.lookup(&rel).is_none()) {
        return Reply::Failure { depth };
    }
    let file = if rel.is_empty() || rel.ends_with('/') { url::page(&rel) } else { rel.clone() };
    if let Some(source) = snapshot.files.lookup(&file) {
        if source.is_some_and(|source| !snapshot.root.holds(source)) {
            return Reply::NotFound { depth: Some(depth) };
        }
        return Reply::File { path: file, depth };
    }
    if snapshot.files.lookup(&format!("{rel}/{}", url::INDEX)).is_some() {
        let mut to = format!("{path}/");
        if let Some(q) = query {
            to.push('?');
            to.push_str(q);
        }
        return Reply::Redirect(ascii(&to));
    }
    Reply::NotFound { depth: Some(depth) }
}

/// Percent-decodes a path below the base path and refuses anything that could
/// name a file outside the site: `..` and `.` segments (also encoded),
/// backslashes, NUL, and bytes that are not UTF-8.
fn safe_path(rel: &str) -> Result<String, &'static str> {
    let bytes = percent_decode(rel).ok_or("路径中的 % 编码不正确")?;
    let decoded = String::from_utf8(bytes).map_err(|_| "路径不是 UTF-8")?;
    if decoded.contains(['\0', '\\']) {
        return Err("路径中有不允许的字符");
    }
    if decoded.starts_with('/') || decoded.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err("路径不能跳出站点");
    }
    Ok(decoded)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// A request target fit for a `Location` header: clients that send raw UTF-8
/// get it back percent-encoded.
fn ascii(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for b in target.bytes() {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Content-Type` by extension; text types carry their charset.
pub(super) fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Listed(Vec<&'static str>);

    impl Files for Listed {
        fn lookup(&self, path: &str) -> Option<Option<&Path>> {
            self.0.contains(&path).then_some(None)
        }
        fn produce(&self, _: &str) -> Result<Vec<u8>, String> {
            Ok(b"x".to_vec())
        }
    }

    fn snapshot(failure: Option<&str>) -> Snapshot {
        Snapshot {
            root: Root::new(Path::new("/nonexistent-root")),
            base_path: Some("/xxgk/".to_owned()),
            files: Arc::new(Listed(vec![
                "index.html",
                "404.html",
                "2024/index.html",
                "2024/示例局/index.html",
                "assets/style.css",
            ])),
            failure: failure.map(str::to_owned),
        }
    }

    fn file(reply: Reply) -> Option<String> {
        match reply {
            Reply::File { path, .. } => Some(path),
            _ => None,
        }
    }

    #[test]
    fn pages_directories_and_redirects() {
        let s = snapshot(None);
        assert_eq!(file(route(&s, "GET", "/xxgk/")).as_deref(), Some("index.html"));
        assert_eq!(file(route(&s, "HEAD", "/xxgk/2024/")).as_deref(), Some("2024/index.html"));
        assert_eq!(file(route(&s, "GET", "/xxgk/assets/style.css?v=1")).as_deref(), Some("assets/style.css"));
        assert_eq!(
            file(route(&s, "GET", "/xxgk/2024/%E7%A4%BA%E4%BE%8B%E5%B1%80/")).as_deref(),
            Some("2024/示例局/index.html")
        );
        assert_eq!(route(&s, "GET", "/xxgk/2024?a=1"), Reply::Redirect("/xxgk/2024/?a=1".to_owned()));
        assert_eq!(
            route(&s, "GET", "/xxgk/2024/示例局"),
            Reply::Redirect("/xxgk/2024/%E7%A4%BA%E4%BE%8B%E5%B1%80/".to_owned())
        );
        assert_eq!(route(&s, "GET", "/"), Reply::Redirect("/xxgk/".to_owned()));
        assert_eq!(route(&s, "GET", "/xxgk"), Reply::Redirect("/xxgk/".to_owned()));
        assert_eq!(route(&s, "GET", "/other/"), Reply::NotFound { depth: None });
        assert_eq!(route(&s, "GET", "/xxgk/2023/"), Reply::NotFound { depth: Some(1) });
        assert_eq!(route(&s, "POST", "/xxgk/"), Reply::MethodNotAllowed);
        assert_eq!(route(&s, "GET", "/xxgk/__portal/events"), Reply::Events);
    }

    #[test]
    fn nothing_outside_the_site() {
        let s = snapshot(None);
        for url in [
            "/xxgk/../etc/passwd",
            "/xxgk/%2e%2e/%2e%2e/etc/passwd",
            "/xxgk/%2E%2E%2Fetc%2Fpasswd",
            "/xxgk/2024/..%5c..%5cwindows",
            "/xxgk/..\\..\\etc",
            "/xxgk//etc/passwd",
            "/xxgk/%2fetc/passwd",
            "/xxgk/index.html%00.css",
            "/xxgk/%ff",
            "/xxgk/%zz",
            "/xxgk/./index.html",
            "http://evil.example/etc/passwd",
            "*",
        ] {
            assert!(matches!(route(&s, "GET", url), Reply::BadRequest(_)), "{url}");
        }
    }

    #[test]
    fn a_failed_build_shows_the_failure_for_pages_only() {
        let s = snapshot(Some("error"));
        assert_eq!(route(&s, "GET", "/xxgk/2024/%E7%A4%BA%E4%BE%8B%E5%B1%80/"), Reply::Failure { depth: 2 });
        assert_eq!(route(&s, "GET", "/xxgk/new-agency/"), Reply::Failure { depth: 1 });
        assert_eq!(file(route(&s, "GET", "/xxgk/assets/style.css")).as_deref(), Some("assets/style.css"));
        // Before any good build the base path is unknown: everything is the failure page.
        let first = Snapshot {
            root: Root::new(Path::new("")),
            base_path: None,
            files: Arc::new(NoFiles),
            failure: Some("error".to_owned()),
        };
        assert_eq!(route(&first, "GET", "/xxgk/2024/"), Reply::Failure { depth: 2 });
    }

    #[test]
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("data.CSV"), "text/csv; charset=utf-8");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("README"), "application/octet-stream");
    }
}
