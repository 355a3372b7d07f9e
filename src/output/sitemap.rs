//! `sitemap.xml`: every HTML page, with absolute URLs.

use crate::text::escape;

/// `page_dirs` are site paths of pages (`""`, `2024/`, `2024/yeyuan/`, …).
pub(crate) fn sitemap(base: &crate::config::BaseUrl, page_dirs: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for dir in page_dirs {
        out.push_str("  <url><loc>");
        out.push_str(&escape(&base.absolute(dir)));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out
}
