//! The start tags of an HTML page and their attributes, read as the HTML
//! tokenizer of a browser reads them (WHATWG HTML §13.2.5), and nothing else:
//! no tree, no text, no entity decoding.
//!
//! The inspection needs only the attributes of start tags, but must not take
//! a `<a href>` written in a comment, a script or a quoted attribute value
//! for a link. That takes the tokenizer's states for tags, comments, raw text
//! and CDATA, and the part of tree construction that switches them: which
//! elements hold raw text, and when the parser is in SVG or MathML, where
//! they do not. lol_html, which did this before, also rewrites and matches
//! selectors; reading the frames of 10,000 report pages took it most of the
//! inspection's time. lol_html stays as the oracle of the tests.

use memchr::{memchr, memmem};

/// One attribute as written: name (in the page's case) and raw value,
/// character references not decoded; an attribute without a value has an
/// empty one.
pub(super) type Attribute<'a> = (&'a [u8], &'a [u8]);

/// Calls `each` with the name, the byte offset of its `<` and the attributes
/// of every start tag of `page`, in order. A tag cut off by the end of the
/// page is not one, as for a browser.
pub(super) fn start_tags(page: &[u8], mut each: impl FnMut(&[u8], usize, &[Attribute<'_>])) {
    let mut attrs: Vec<Attribute<'_>> = Vec::new();
    let mut spaces = vec![Space::Html];
    let mut at = 0;
    while let Some(i) = memchr(b'<', &page[at..]) {
        let lt = at + i;
        let space = spaces.last().copied().unwrap_or(Space::Html);
        match page.get(lt + 1) {
            Some(c) if c.is_ascii_alphabetic() => {
                attrs.clear();
                let Some(tag) = read_tag(page, lt + 1, &mut attrs) else { return };
                let name = &page[lt + 1..tag.name_end];
                each(name, lt, &attrs);
                at = tag.end;
                match start_feedback(space, name, &attrs, tag.self_closing) {
                    Feedback::Enter(s) => spaces.push(s),
                    Feedback::Leave => leave(&mut spaces),
                    Feedback::Text(Text::Raw) => at = raw_text_end(page, at, name),
                    Feedback::Text(Text::Plain) => return,
                    Feedback::None => {}
                }
            }
            Some(b'/') => match page.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    attrs.clear();
                    let Some(tag) = read_tag(page, lt + 2, &mut attrs) else { return };
                    at = tag.end;
                    if end_leaves(&spaces, &page[lt + 2..tag.name_end]) {
                        leave(&mut spaces);
                    }
                }
                Some(b'>') => at = lt + 3,
                Some(_) => at = bogus_comment_end(page, lt + 2),
                None => return,
            },
            Some(b'!') => {
                let rest = &page[lt + 2..];
                at = if rest.starts_with(b"--") {
                    comment_end(page, lt + 4)
                } else if space != Space::Html && rest.starts_with(b"[CDATA[") {
                    memmem::find(&page[lt + 9..], b"]]>").map_or(page.len(), |e| lt + 9 + e + 3)
                } else {
                    bogus_comment_end(page, lt + 2)
                };
            }
            Some(b'?') => at = bogus_comment_end(page, lt + 1),
            _ => at = lt + 1,
        }
    }
}

/// The namespace the tree builder is in: it decides whether a `<title>`
/// holds text or elements, and whether `<![CDATA[` opens a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Space {
    Html,
    Svg,
    MathMl,
}

/// The text that follows a start tag, where it is not markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Up to the element's end tag (`<script>`, `<style>`, `<title>`…).
    Raw,
    /// To the end of the page (`<plaintext>`).
    Plain,
}

/// What a tag changes in how the rest is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feedback {
    None,
    Enter(Space),
    Leave,
    Text(Text),
}

/// The elements whose content is raw text (or escapable raw text: the
/// inspection decodes no text, so the two are one here).
const RAW_TEXT: [&[u8]; 9] =
    [b"script", b"style", b"xmp", b"iframe", b"noembed", b"noframes", b"noscript", b"textarea", b"title"];

/// The HTML elements whose start tag ends SVG or MathML content (§13.2.6.5).
const BREAKS_OUT: [&[u8]; 44] = [
    b"b",
    b"big",
    b"blockquote",
    b"body",
    b"br",
    b"center",
    b"code",
    b"dd",
    b"div",
    b"dl",
    b"dt",
    b"em",
    b"embed",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"head",
    b"hr",
    b"i",
    b"img",
    b"li",
    b"listing",
    b"menu",
    b"meta",
    b"nobr",
    b"ol",
    b"p",
    b"pre",
    b"ruby",
    b"s",
    b"small",
    b"span",
    b"strong",
    b"strike",
    b"sub",
    b"sup",
    b"table",
    b"tt",
    b"u",
    b"ul",
    b"var",
];

/// Where SVG and MathML hold HTML again.
fn integration_point(space: Space, name: &[u8]) -> bool {
    let points: &[&[u8]] = match space {
        Space::Svg => &[b"desc", b"title", b"foreignobject"],
        Space::MathMl => &[b"mi", b"mo", b"mn", b"ms", b"mtext"],
        Space::Html => &[],
    };
    one_of(name, points)
}

fn start_feedback(space: Space, name: &[u8], attrs: &[Attribute<'_>], self_closing: bool) -> Feedback {
    if name.eq_ignore_ascii_case(b"svg") || name.eq_ignore_ascii_case(b"math") {
        let s = if name.len() == 3 { Space::Svg } else { Space::MathMl };
        return if self_closing { Feedback::None } else { Feedback::Enter(s) };
    }
    match space {
        Space::Html if one_of(name, &RAW_TEXT) => Feedback::Text(Text::Raw),
        Space::Html if name.eq_ignore_ascii_case(b"plaintext") => Feedback::Text(Text::Plain),
        Space::Html => Feedback::None,
        _ if one_of(name, &BREAKS_OUT) => Feedback::Leave,
        _ if name.eq_ignore_ascii_case(b"font")
            && attrs.iter().any(|(n, _)| one_of(n, &[b"color", b"size", b"face"])) =>
        {
            Feedback::Leave
        }
        _ if integration_point(space, name) && !self_closing => Feedback::Enter(Space::Html),
        _ => Feedback::None,
    }
}

/// Whether end tag `name` takes the parser out of the namespace it is in.
fn end_leaves(spaces: &[Space], name: &[u8]) -> bool {
    match spaces {
        [.., outer, Space::Html] => integration_point(*outer, name),
        [.., Space::Svg] => one_of(name, &[b"svg", b"p", b"br"]),
        [.., Space::MathMl] => one_of(name, &[b"math", b"p", b"br"]),
        _ => false,
    }
}

fn leave(spaces: &mut Vec<Space>) {
    if spaces.len() > 1 {
        spaces.pop();
    }
}

fn one_of(name: &[u8], names: &[&[u8]]) -> bool {
    names.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// A tag read: where its name ends, where the tag ends (after its `>`), and
/// whether it is written self-closing (`<br/>`).
struct Tag {
    name_end: usize,
    end: usize,
    self_closing: bool,
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// Reads the tag whose name starts at `start`, its attributes into `attrs`;
/// `None` if the page ends inside it.
fn read_tag<'a>(page: &'a [u8], start: usize, attrs: &mut Vec<Attribute<'a>>) -> Option<Tag> {
    let until = |from: usize, stop: &dyn Fn(u8) -> bool| page[from..].iter().position(|&b| stop(b)).map(|p| from + p);
    let name_end = until(start, &|b| is_space(b) || b == b'/' || b == b'>')?;
    let mut i = name_end;
    loop {
        // Before an attribute name.
        i = until(i, &|b| !is_space(b))?;
        match page[i] {
            b'>' => return Some(Tag { name_end, end: i + 1, self_closing: false }),
            b'/' => {
                i += 1;
                if *page.get(i)? == b'>' {
                    return Some(Tag { name_end, end: i + 1, self_closing: true });
                }
                continue;
            }
            _ => {}
        }
        // The name; a `=` first is part of it.
        let name_start = i;
        i = until(i + 1, &|b| is_space(b) || matches!(b, b'/' | b'>' | b'='))?;
        let name = &page[name_start..i];
        i = until(i, &|b| !is_space(b))?;
        if page[i] != b'=' {
            attrs.push((name, &[]));
            continue;
        }
        i = until(i + 1, &|b| !is_space(b))?;
        let value = match page[i] {
            quote @ (b'"' | b'\'') => {
                let close = i + 1 + memchr(quote, &page[i + 1..])?;
                let value = &page[i + 1..close];
                i = close + 1;
                value
            }
            b'>' => &[],
            _ => {
                let end = until(i, &|b| is_space(b) || b == b'>')?;
                let value = &page[i..end];
                i = end;
                value
            }
        };
        attrs.push((name, value));
    }
}

/// Where the raw text after the start tag of `name` ends: at its end tag's
/// `<`, or the end of the page.
fn raw_text_end(page: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(i) = memmem::find(&page[at..], b"</") {
        let lt = at + i;
        let after = lt + 2 + name.len();
        if page.get(lt + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name))
            && page.get(after).is_some_and(|&b| is_space(b) || b == b'/' || b == b'>')
        {
            return lt;
        }
        at = lt + 2;
    }
    page.len()
}

/// The end of a comment whose text starts at `from` (after `<!--`): after
/// `-->` or `--!>`; `<!-->` and `<!--->` are empty comments.
fn comment_end(page: &[u8], from: usize) -> usize {
    let rest = &page[from.min(page.len())..];
    if rest.starts_with(b">") {
        return from + 1;
    }
    if rest.starts_with(b"->") {
        return from + 2;
    }
    let mut at = 0;
    while let Some(i) = memmem::find(&rest[at..], b"--") {
        let dashes = at + i;
        let mut j = dashes + 2;
        // `--->`: the comment's text may end in dashes.
        while rest.get(j) == Some(&b'-') {
            j += 1;
        }
        match rest.get(j) {
            Some(b'>') => return from + j + 1,
            Some(b'!') if rest.get(j + 1) == Some(&b'>') => return from + j + 2,
            _ => at = j,
        }
    }
    page.len()
}

/// The end of a bogus comment (`<!DOCTYPE …>`, `<?…>`, `</ …>`): after the
/// next `>`.
fn bogus_comment_end(page: &[u8], from: usize) -> usize {
    memchr(b'>', &page[from.min(page.len())..]).map_or(page.len(), |i| from + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every start tag of `page` as `name attr=value …`.
    fn tags(page: &str) -> Vec<String> {
        let mut out = Vec::new();
        start_tags(page.as_bytes(), |name, _, attrs| {
            let mut s = String::from_utf8_lossy(name).into_owned();
            for (n, v) in attrs {
                s.push_str(&format!(" {}={}", String::from_utf8_lossy(n), String::from_utf8_lossy(v)));
            }
            out.push(s);
        });
        out
    }

    #[test]
    fn attributes_in_every_quoting() {
        assert_eq!(
            tags(r#"<a href="x y" title='a"b' data-n=1 hidden>t</a><img src=i.png/><br/>"#),
            ["a href=x y title=a\"b data-n=1 hidden=", "img src=i.png/", "br"]
        );
        assert_eq!(tags("<p\nid = \"a\"\tclass=b>"), ["p id=a class=b"]);
        assert_eq!(tags(r#"<a href="1"id="2"/x=3>"#), ["a href=1 id=2 x=3"]);
        assert_eq!(tags("<a =x>"), ["a =x="]);
    }

    #[test]
    fn markup_that_is_not_a_tag() {
        assert_eq!(tags("<!-- <a href=1> --><a href=2>"), ["a href=2"]);
        assert_eq!(
            tags("<!--><a href=1><!---><a href=2><!-- x --!><a href=3><!-- x ---><a href=4>"),
            ["a href=1", "a href=2", "a href=3", "a href=4"]
        );
        assert_eq!(tags("<!DOCTYPE html><?xml x?></ x><a href=1>< a href=2></>"), ["a href=1"]);
        assert_eq!(tags(r#"<a title=">" href=1><a title="<a href=2>">"#), ["a title=> href=1", "a title=<a href=2>"]);
        assert_eq!(tags("<a href=1"), Vec::<String>::new());
        assert_eq!(tags("<a href='1>"), Vec::<String>::new());
    }

    #[test]
    fn raw_text_holds_no_tags() {
        assert_eq!(
            tags("<script>x='<a href=1>'</scripts></script ><style><a href=2></STYLE><a href=3>"),
            ["script", "style", "a href=3"]
        );
        assert_eq!(tags("<title><a href=1></title><textarea><a href=2></textarea>"), ["title", "textarea"]);
        assert_eq!(tags("<plaintext></plaintext><a href=1>"), ["plaintext"]);
    }

    #[test]
    fn svg_and_mathml_are_read_as_foreign_content() {
        // In SVG, `<title>` and `<style>` hold elements, and CDATA sections are sections.
        assert_eq!(
            tags("<svg><style><a href=1></style><![CDATA[<a href=2>]]></svg><style><a href=3></style>"),
            ["svg", "style", "a href=1", "style"]
        );
        // …except at an integration point, and after an HTML element that ends the SVG.
        assert_eq!(tags("<svg><desc><style><a href=1></style></desc></svg>"), ["svg", "desc", "style"]);
        assert_eq!(tags("<svg><p><style><a href=1></style>"), ["svg", "p", "style"]);
        // A self-closed `<svg/>` holds nothing (§13.2.6.5; lol_html enters SVG there).
        assert_eq!(tags("<svg/><style><a href=1></style>"), ["svg", "style"]);
        assert_eq!(tags("<math><mi><title><a href=1></title></mi></math>"), ["math", "mi", "title"]);
        // Outside foreign content, `<![CDATA[` is a bogus comment that ends at the first `>`.
        assert_eq!(tags("<![CDATA[<a href=1>]]><a href=2>"), ["a href=2"]);
    }

    /// A start tag read: lowercase name, offset, attributes.
    type Read = (String, usize, Vec<(String, String)>);

    /// Every start tag as lol_html reads it: lowercase names, raw values.
    /// `None` where it gives up on a page (its strict mode does on some
    /// ambiguous markup).
    fn lol_html_tags(page: &[u8]) -> Option<Vec<Read>> {
        use lol_html::{HtmlRewriter, Settings, element};
        let mut out = Vec::new();
        let mut rewriter = HtmlRewriter::new(
            Settings::new().append_element_content_handler(element!("*", |el| {
                let attrs = el.attributes().iter().map(|a| (a.name(), a.value())).collect();
                out.push((el.tag_name(), el.source_location().bytes().start, attrs));
                Ok(())
            })),
            |_: &[u8]| {},
        );
        rewriter.write(page).and_then(|()| rewriter.end()).ok()?;
        Some(out)
    }

    fn scanned(page: &[u8]) -> Vec<Read> {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let mut out = Vec::new();
        start_tags(page, |name, at, attrs| {
            let attrs = attrs.iter().map(|(n, v)| (text(n).to_ascii_lowercase(), text(v))).collect();
            out.push((text(name).to_ascii_lowercase(), at, attrs));
        });
        out
    }

    /// Markup that tokenizers get wrong, each read as lol_html reads it.
    #[test]
    fn reads_as_lol_html_reads() {
        let pages = [
            r#"<!DOCTYPE html><html lang="zh-CN"><HEAD><Link REL=stylesheet HREF="/a.css"></HEAD><body>"#,
            r#"<a href="x y" title='a"b' data-n=1 hidden>t</a><img src=i.png/><br/><input value=a/b disabled/>"#,
            "<p\nid = \"a\"\tclass=b><a href=\"1\"id=\"2\"/x=3><a =x><a href=\"&amp;&#x4E00;\">",
            "<!-- <a href=1> --><a href=2><!--><a href=3><!---><a href=4><!-- x --!><a href=5><!-- x ---><a href=6>",
            "<!-- a -- b --><a href=7><!DOCTYPE html><?xml x?></ x><a href=8>< a href=9></><a href=10>",
            r#"<a title=">" href=1><a title="<a href=2>"></a title="</a>"><a href=3>"#,
            "<script>x='<a href=1>'</scripts></script ><style><a href=2></STYLE><a href=3>",
            "<title><a href=1></title><textarea><a href=2></textarea><xmp><a href=3></xmp><noscript><a href=4></noscript>",
            "<iframe><a href=1></iframe><noembed><a href=2></noembed><noframes><a href=3></noframes><a href=4>",
            "<svg><style><a href=1></style><![CDATA[<a href=2>]]></svg><style><a href=3></style><a href=4>",
            "<svg><desc><style><a href=1></style></desc><title><b>x</b></title></svg><a href=2>",
            "<svg viewBox='0 0 1 1'><p><style><a href=1></style><a href=2>",
            "<math><mi><title><a href=1></title></mi><style><a href=2></style></math><a href=3>",
            "<svg><font color=red><style><a href=1></style><a href=2>",
            "<svg><g></p><style><a href=1></style></svg><a href=2>",
            "<![CDATA[<a href=1>]]><a href=2><a href=3",
            "<a href='1>",
            "<table><tr><td headers=\"a b\" id=c>1<td>2</table><a\r\nhref=\"r\"\r\n>",
            "<a href=1 href=2><A NAME=x ID=y>",
        ];
        let mut read = 0;
        for page in pages {
            let Some(expected) = lol_html_tags(page.as_bytes()) else { continue };
            assert_eq!(scanned(page.as_bytes()), expected, "{page}");
            read += 1;
        }
        assert!(read >= pages.len() - 2, "lol_html read only {read} of the pages");
    }

    /// Every page of the bundled sample site, read as lol_html reads it.
    #[test]
    fn reads_the_sample_site_as_lol_html_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let publish = crate::publish::Publish::new(Some("2026-06-01"), crate::publish::Drafts::Hold).unwrap();
        let prepared = crate::pipeline::prepare(root, &publish).result.unwrap_or_else(|_| panic!("the sample site"));
        let mut pages = 0;
        for entry in prepared.entries.iter().filter(|e| e.path.ends_with(".html") || e.path.ends_with('/')) {
            let page = prepared.produce(entry).unwrap();
            let expected = lol_html_tags(&page).unwrap_or_else(|| panic!("lol_html reads {}", entry.path));
            assert_eq!(scanned(&page), expected, "{}", entry.path);
            pages += 1;
        }
        assert!(pages > 20, "{pages} pages");
    }
}
