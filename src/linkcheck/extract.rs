//! The links and anchors of a written page, read as a browser and a feed
//! reader read them: HTML with the tokenizer of [`super::scan`], the feed and
//! the sitemap with quick-xml.

use std::collections::HashSet;

use quick_xml::events::Event;

use super::resolve::decode;
use super::scan;

/// A link as written in a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct RawLink {
    /// The attribute or element it came from.
    pub attr: Attr,
    /// The value, entities decoded.
    pub url: String,
    /// 1-based line in the page.
    pub line: usize,
}

/// What the inspection needs from one page.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub links: Vec<RawLink>,
    /// Every `id` and `<a name>`, percent-decoded and NFC-normalised like fragments.
    pub anchors: HashSet<String>,
}

/// The links and ids of a piece of HTML known as it was written, without
/// parsing it: values as a parser reads them (entities decoded), lines
/// 1-based within the piece.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Known {
    links: Vec<RawLink>,
    ids: Vec<String>,
}

impl Known {
    /// An `href` on line `line` of the piece.
    pub(crate) fn href(&mut self, url: String, line: usize) {
        self.links.push(RawLink { attr: Attr::Href, url, line });
    }

    /// A `src` on line `line` of the piece.
    pub(crate) fn src(&mut self, url: String, line: usize) {
        self.links.push(RawLink { attr: Attr::Src, url, line });
    }

    /// An `id`.
    pub(crate) fn id(&mut self, id: String) {
        self.ids.push(id);
    }

    /// What a parser reads from `html`, in the same shape, ids sorted: to
    /// test that what was known is what a parser finds.
    #[cfg(test)]
    pub(crate) fn parsed(html: &str) -> Self {
        let found = self::html(html.as_bytes(), None);
        let mut ids: Vec<String> = found.anchors.into_iter().collect();
        ids.sort();
        Self { links: found.links, ids }
    }

    /// The same, ids sorted and percent-decoded as the inspection compares them.
    #[cfg(test)]
    pub(crate) fn normalised(&self) -> Self {
        let mut ids: Vec<String> = self.ids.iter().map(|id| decode(id)).collect();
        ids.sort();
        ids.dedup();
        Self { links: self.links.clone(), ids }
    }

    /// Adds the piece, which starts on line `start` of the page, to what was read of the page.
    pub(super) fn add_to(&self, found: &mut Found, start: usize) {
        found.links.extend(self.links.iter().map(|l| RawLink { line: start + l.line - 1, ..l.clone() }));
        found.anchors.extend(self.ids.iter().map(|id| decode(id)));
    }
}

/// Where a link is written: an HTML attribute, or an element of the feed or
/// the sitemap whose text is a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) enum Attr {
    Href,
    Src,
    Poster,
    Action,
    Data,
    Cite,
    Srcset,
    /// RSS `<link>`.
    Link,
    /// Sitemap `<loc>`.
    Loc,
    /// RSS `<guid>` that is a permalink.
    Guid,
}

impl Attr {
    /// The name as written in the page.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Attr::Href => "href",
            Attr::Src => "src",
            Attr::Poster => "poster",
            Attr::Action => "action",
            Attr::Data => "data",
            Attr::Cite => "cite",
            Attr::Srcset => "srcset",
            Attr::Link => "link",
            Attr::Loc => "loc",
            Attr::Guid => "guid",
        }
    }
}

/// The HTML attributes whose whole value is a URL.
const URL_ATTRS: [Attr; 6] = [Attr::Href, Attr::Src, Attr::Poster, Attr::Action, Attr::Data, Attr::Cite];

/// Reads an HTML page. `place`, given a link's byte offset and its line in
/// `page`, says its line in the page as written, when `page` is a frame that
/// parts are spliced into.
pub(super) fn html(page: &[u8], place: Option<&dyn Fn(usize, usize) -> usize>) -> Found {
    let mut spans: Vec<(Attr, String, usize)> = Vec::new();
    let mut anchors = Vec::new();
    let text = |value: &[u8]| String::from_utf8_lossy(value).into_owned();
    scan::start_tags(page, |tag, at, attrs| {
        for &(name, value) in attrs {
            if name.eq_ignore_ascii_case(b"id")
                || (name.eq_ignore_ascii_case(b"name") && tag.eq_ignore_ascii_case(b"a"))
            {
                anchors.push(text(value));
            } else if name.eq_ignore_ascii_case(b"srcset") {
                for candidate in text(value).split(',') {
                    if let Some(url) = candidate.split_whitespace().next() {
                        spans.push((Attr::Srcset, url.to_owned(), at));
                    }
                }
            } else if let Some(&known) = URL_ATTRS.iter().find(|a| name.eq_ignore_ascii_case(a.as_str().as_bytes())) {
                spans.push((known, text(value), at));
            }
        }
    });
    let mut lines = Lines::new(page);
    let mut line = |at| match place {
        Some(place) => place(at, lines.line(at)),
        None => lines.line(at),
    };
    Found {
        links: spans.into_iter().map(|(attr, url, at)| RawLink { attr, url: unescape(&url), line: line(at) }).collect(),
        anchors: anchors.iter().map(|a| decode(&unescape(a))).collect(),
    }
}

/// Reads the URLs of an RSS feed (`<link>`, `<guid>`, `atom:link href`) or a
/// sitemap (`<loc>`).
pub(super) fn xml(page: &[u8]) -> Found {
    let mut found = Found::default();
    let mut reader = quick_xml::Reader::from_reader(page);
    let mut lines = Lines::new(page);
    // The element being read: (name, whether its text is a URL, text so far, line).
    let mut current: Option<(Attr, bool, String, usize)> = None;
    let mut buf = Vec::new();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(0);
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let kind = match e.local_name().as_ref() {
                    b"link" => Some((Attr::Link, true)),
                    b"loc" => Some((Attr::Loc, true)),
                    b"guid" => {
                        let permalink = e
                            .try_get_attribute("isPermaLink")
                            .ok()
                            .flatten()
                            .is_none_or(|a| a.value.as_ref() != b"false");
                        Some((Attr::Guid, permalink))
                    }
                    _ => None,
                };
                current = kind.map(|(name, is_url)| (name, is_url, String::new(), lines.line(at)));
            }
            Ok(Event::Empty(e)) if e.local_name().as_ref() == b"link" => {
                if let Some(href) = e.try_get_attribute("href").ok().flatten() {
                    let url = String::from_utf8_lossy(&href.value).into_owned();
                    found.links.push(RawLink { attr: Attr::Href, url: unescape(&url), line: lines.line(at) });
                }
            }
            Ok(Event::Text(t)) => {
                if let Some((_, _, text, _)) = current.as_mut() {
                    text.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            // Entities come as events of their own; keep them for `unescape`.
            Ok(Event::GeneralRef(r)) => {
                if let Some((_, _, text, _)) = current.as_mut() {
                    text.push('&');
                    text.push_str(&String::from_utf8_lossy(r.as_ref()));
                    text.push(';');
                }
            }
            Ok(Event::End(_)) => {
                if let Some((attr, true, text, line)) = current.take() {
                    let url = unescape(text.trim());
                    if !url.is_empty() {
                        found.links.push(RawLink { attr, url, line });
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    found
}

/// Decodes the character references our pages and feeds contain.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Byte offset → 1-based line, for offsets asked in increasing order (links
/// are found in the page's order): each line break is counted once, and
/// nothing is stored. An offset before the last one asked counts again from
/// the start.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self { text, at: 0, line: 1 }
    }

    fn line(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += crate::text::line_breaks(&self.text[self.at..offset]);
        self.at = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_links_and_anchors() {
        let page = r##"<!DOCTYPE html>
<html><head><link rel="stylesheet" href="/xxgk/assets/style.css"></head>
<body><a href="a?x=1&amp;y=2#%E4%B8%80">a</a><img src="i.png" srcset="i-2x.png 2x, i-3x.png 3x">
<h2 id="section-1">一</h2><a name="old"></a><p id="&#x4E00;">x</p>
<script>var s = "<a href='nope'>";</script>
</body></html>"##;
        let found = html(page.as_bytes(), None);
        let urls: Vec<(&str, &str, usize)> =
            found.links.iter().map(|l| (l.attr.as_str(), l.url.as_str(), l.line)).collect();
        assert_eq!(
            urls,
            [
                ("href", "/xxgk/assets/style.css", 2),
                ("href", "a?x=1&y=2#%E4%B8%80", 3),
                ("src", "i.png", 3),
                ("srcset", "i-2x.png", 3),
                ("srcset", "i-3x.png", 3),
            ]
        );
        for a in ["section-1", "old", "一"] {
            assert!(found.anchors.contains(a), "{a}");
        }
    }

    #[test]
    fn feed_and_sitemap_urls() {
        let feed = br#"<?xml version="1.0"?><rss xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<link>https://x.cn/xxgk/</link><atom:link href="https://x.cn/xxgk/feed.xml" rel="self"/>
<item><link>https://x.cn/xxgk/2024/a/</link><guid isPermaLink="false">id-1</guid></item>
<item><guid>https://x.cn/xxgk/2024/b/?a=1&amp;b=2</guid></item></channel></rss>"#;
        let urls: Vec<String> = xml(feed).links.into_iter().map(|l| l.url).collect();
        assert_eq!(
            urls,
            [
                "https://x.cn/xxgk/",
                "https://x.cn/xxgk/feed.xml",
                "https://x.cn/xxgk/2024/a/",
                "https://x.cn/xxgk/2024/b/?a=1&b=2"
            ]
        );
        let sitemap = br#"<urlset><url><loc>https://x.cn/xxgk/2024/</loc></url></urlset>"#;
        assert_eq!(xml(sitemap).links[0].url, "https://x.cn/xxgk/2024/");
    }

    #[test]
    fn lines_counted_forward_and_again_from_the_start() {
        let text = b"a\nbb\n\nc";
        let mut lines = Lines::new(text);
        let asked: Vec<usize> = [0, 1, 2, 5, 6, 7, 7, 99, 3, 0].iter().map(|&at| lines.line(at)).collect();
        assert_eq!(asked, [1, 1, 2, 3, 4, 4, 4, 4, 2, 1]);
    }

    #[test]
    fn entities() {
        assert_eq!(unescape("a&amp;b&#39;&#x41;&unknown;&"), "a&b'A&unknown;&");
    }
}
