//! HTTP/1.1 messages without I/O: a request head read from the bytes a
//! connection has received so far, with every limit checked as the bytes
//! arrive, and a response written out whole (by tiny_http's `Response`) so
//! that it leaves in one write.

use std::io;

use tiny_http::{HTTPVersion, Header, Response, StatusCode};

/// The longest request line accepted: far above any URL of a site.
pub(super) const MAX_LINE: usize = 8 * 1024;
/// The longest head accepted, request line and headers together.
pub(super) const MAX_HEAD: usize = 32 * 1024;
const MAX_HEADERS: usize = 100;

/// A request head, read whole.
#[derive(Debug, PartialEq)]
pub(super) struct Head {
    pub method: String,
    /// The request target as sent (UTF-8; percent-decoding is `route`'s).
    pub target: String,
    /// HTTP/1.0 (`false`) or HTTP/1.1 (`true`).
    pub http11: bool,
    /// Whether the client keeps the connection open after this request.
    pub keep_alive: bool,
    /// The request says it has a body. Bodies are never read: the connection
    /// is closed after the answer, since the next request's start is unknown.
    pub has_body: bool,
}

/// Why a request head is refused; the answer's status and text.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(super) enum Malformed {
    /// Not `METHOD SP TARGET SP HTTP/x.y`, or a target that is not UTF-8.
    RequestLine(&'static str),
    /// A request line over [`MAX_LINE`].
    LineTooLong,
    /// A header line without a name and a colon, with control bytes, or conflicting lengths.
    Header(&'static str),
    /// A head over [`MAX_HEAD`] or with more than [`MAX_HEADERS`] headers.
    HeadTooLarge,
    /// HTTP/2 and later are not spoken over this connection.
    Version,
}

impl Malformed {
    pub(super) fn status(self) -> u16 {
        match self {
            Malformed::RequestLine(_) | Malformed::LineTooLong | Malformed::Header(_) => 400,
            Malformed::HeadTooLarge => 431,
            Malformed::Version => 505,
        }
    }

    pub(super) fn text(self) -> &'static str {
        match self {
            Malformed::RequestLine(why) | Malformed::Header(why) => why,
            Malformed::LineTooLong => "请求行过长",
            Malformed::HeadTooLarge => "请求头过大",
            Malformed::Version => "只支持 HTTP/1.0 和 HTTP/1.1",
        }
    }
}

/// What the bytes received so far make.
#[derive(Debug, PartialEq)]
pub(super) enum Parsed {
    /// Not a whole head yet, and nothing wrong so far.
    Partial,
    /// A head, and how many bytes of the input it took.
    Head(Head, usize),
    Malformed(Malformed),
}

/// Reads a request head from the start of `input`.
pub(super) fn parse(input: &[u8]) -> Parsed {
    // Empty lines before a request line are allowed (RFC 9112, 2.2).
    let start = input.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(input.len());
    if start > MAX_LINE {
        return Parsed::Malformed(Malformed::LineTooLong);
    }
    let mut lines = Lines { input, at: start };
    let Some(line) = lines.next() else {
        return if input.len() - start > MAX_LINE {
            Parsed::Malformed(Malformed::LineTooLong)
        } else {
            Parsed::Partial
        };
    };
    if line.len() > MAX_LINE {
        return Parsed::Malformed(Malformed::LineTooLong);
    }
    let (method, target, http11) = match request_line(line) {
        Ok(parts) => parts,
        Err(e) => return Parsed::Malformed(e),
    };
    let mut head = Head { method, target, http11, keep_alive: http11, has_body: false };
    let mut length: Option<&[u8]> = None;
    let mut headers = 0;
    loop {
        let Some(line) = lines.next() else {
            return if lines.at > MAX_HEAD || input.len() > MAX_HEAD {
                Parsed::Malformed(Malformed::HeadTooLarge)
            } else {
                Parsed::Partial
            };
        };
        if lines.at > MAX_HEAD {
            return Parsed::Malformed(Malformed::HeadTooLarge);
        }
        if line.is_empty() {
            break;
        }
        headers += 1;
        if headers > MAX_HEADERS {
            return Parsed::Malformed(Malformed::HeadTooLarge);
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Parsed::Malformed(Malformed::Header("请求头缺少冒号"));
        };
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return Parsed::Malformed(Malformed::Header("请求头名称不正确"));
        }
        if value.iter().any(|&b| b < 0x20 && b != b'\t' || b == 0x7f) {
            return Parsed::Malformed(Malformed::Header("请求头中有控制字符"));
        }
        if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',').map(trim) {
                if token.eq_ignore_ascii_case(b"close") {
                    head.keep_alive = false;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && !head.http11 {
                    head.keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case(b"content-length") {
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) || length.is_some_and(|l| l != value) {
                return Parsed::Malformed(Malformed::Header("Content-Length 不正确"));
            }
            length = Some(value);
            head.has_body |= value.iter().any(|&b| b != b'0');
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            head.has_body = true;
        }
    }
    Parsed::Head(head, lines.at)
}

fn request_line(line: &[u8]) -> Result<(String, String, bool), Malformed> {
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Malformed::RequestLine("请求行应为“方法 路径 HTTP/版本”，以单个空格分隔"));
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(Malformed::RequestLine("请求方法不正确"));
    }
    if target.is_empty() || target.iter().any(|&b| b <= 0x20 || b == 0x7f) {
        return Err(Malformed::RequestLine("请求路径为空或含有控制字符"));
    }
    let Ok(target) = std::str::from_utf8(target) else {
        return Err(Malformed::RequestLine("请求路径不是 UTF-8"));
    };
    let http11 = match version {
        b"HTTP/1.1" => true,
        b"HTTP/1.0" => false,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] if major.is_ascii_digit() && minor.is_ascii_digit() => {
            return Err(Malformed::Version);
        }
        [b'H', b'T', b'T', b'P', b'/', major] if major.is_ascii_digit() => return Err(Malformed::Version),
        _ => return Err(Malformed::RequestLine("HTTP 版本不正确")),
    };
    // Both checked above: a token is ASCII, the target UTF-8.
    Ok((String::from_utf8_lossy(method).into_owned(), target.to_owned(), http11))
}

/// The lines of a head, each without its CRLF (or bare LF); `None` at an unfinished line.
struct Lines<'a> {
    input: &'a [u8],
    /// Where the next line starts.
    at: usize,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = &self.input[self.at..];
        let end = rest.iter().position(|&b| b == b'\n')?;
        self.at += end + 1;
        Some(rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]))
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// A `tchar` of RFC 9110: the characters of methods and header names.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// An answer to write: status, headers and body.
pub(super) struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub(super) fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", content_type.to_owned()), ("Cache-Control", "no-store".to_owned())],
            body,
        }
    }

    pub(super) fn text(status: u16, text: &str) -> Self {
        Self::new(status, "text/plain; charset=utf-8", text.as_bytes().to_vec())
    }

    pub(super) fn with(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The whole response as bytes: the head, and the body unless `head_only`
    /// (a `HEAD` request). `keep_alive` is `None` to close the connection
    /// after it, or the idle timeout in seconds that the client is told.
    pub(super) fn to_bytes(&self, http11: bool, head_only: bool, keep_alive: Option<u64>) -> Vec<u8> {
        let mut response = Response::from_data(self.body.as_slice())
            .with_status_code(StatusCode(self.status))
            .with_chunked_threshold(usize::MAX)
            .with_header(header("Server", "portal"));
        for (name, value) in &self.headers {
            response.add_header(header(name, value));
        }
        // tiny_http refuses to set `Connection`; it goes in below.
        let mut connection = String::new();
        match keep_alive {
            Some(seconds) => {
                // HTTP/1.1 keeps connections open unless told; HTTP/1.0 only when told.
                if !http11 {
                    connection.push_str("Connection: keep-alive\r\n");
                }
                response.add_header(header("Keep-Alive", &format!("timeout={seconds}")));
            }
            None => connection.push_str("Connection: close\r\n"),
        }
        let mut out = Vec::with_capacity(self.body.len() + 512);
        let version = if http11 { HTTPVersion(1, 1) } else { HTTPVersion(1, 0) };
        // Writing into a Vec cannot fail.
        let _: io::Result<()> = response.raw_print(&mut out, version, &[], head_only, None);
        // The head is ASCII and ends at the first empty line.
        if let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            out.splice(end + 2..end + 2, connection.into_bytes());
        }
        out
    }
}

fn header(name: &str, value: &str) -> Header {
    // Names are ours; values are ASCII (`route` percent-encodes redirect targets).
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("static header"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(input: &str) -> Head {
        match parse(input.as_bytes()) {
            Parsed::Head(head, used) => {
                assert_eq!(used, input.len(), "{input:?}");
                head
            }
            other => panic!("{input:?}: {other:?}"),
        }
    }

    fn malformed(input: &[u8]) -> Malformed {
        match parse(input) {
            Parsed::Malformed(m) => m,
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(input)),
        }
    }

    #[test]
    fn heads_and_keep_alive() {
        let h = head("GET /xxgk/ HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!((h.method.as_str(), h.target.as_str(), h.http11, h.keep_alive), ("GET", "/xxgk/", true, true));
        assert!(!head("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").keep_alive);
        assert!(!head("GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(head("GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n").keep_alive);
        assert!(!head("GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n").keep_alive);
        // Bare LF, leading empty lines, raw UTF-8 in the target.
        assert_eq!(head("\r\nGET /示例 HTTP/1.1\nHost: x\n\n").target, "/示例");
        assert!(head("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").has_body);
        assert!(!head("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").has_body);
        assert!(head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").has_body);
        // Pipelined: the head ends where the next request starts.
        let two = b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
        assert!(matches!(parse(two), Parsed::Head(_, 19)));
    }

    #[test]
    fn every_prefix_of_a_head_is_partial() {
        let full = "GET /xxgk/2024/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";
        for n in 0..full.len() {
            assert_eq!(parse(&full.as_bytes()[..n]), Parsed::Partial, "{n}");
        }
    }

    #[test]
    fn malformed_request_lines_are_refused() {
        for line in [
            &b"GET /\xff\xfe HTTP/1.1"[..],
            b"GET /\xe7\xa4 HTTP/1.1",
            b"\x00\x01 NONSENSE",
            b"GET",
            b"GET /",
            b"GET  / HTTP/1.1",
            b"GET / HTTP/1.1 extra",
            b"GET / FTP/1.0",
            b"GET / http/1.1",
            b"G(T / HTTP/1.1",
            b"\xff\xff\xff / HTTP/1.1",
            b"GET /a\x7fb HTTP/1.1",
            b"GET /a\tb HTTP/1.1",
            b" GET / HTTP/1.1",
        ] {
            let mut request = line.to_vec();
            request.extend_from_slice(b"\r\nHost: x\r\n\r\n");
            assert!(matches!(malformed(&request), Malformed::RequestLine(_)), "{:?}", String::from_utf8_lossy(line));
            assert_eq!(malformed(&request).status(), 400);
        }
        assert_eq!(malformed(b"GET / HTTP/2.0\r\n\r\n"), Malformed::Version);
        assert_eq!(malformed(b"PRI * HTTP/2\r\n\r\n"), Malformed::Version);
    }

    #[test]
    fn an_overlong_line_is_refused_before_it_ends() {
        let mut request = b"GET /".to_vec();
        request.resize(MAX_LINE + 1, b'a');
        assert_eq!(malformed(&request), Malformed::LineTooLong);
        assert_eq!(Malformed::LineTooLong.status(), 400);
        request.extend_from_slice(b" HTTP/1.1\r\n\r\n");
        assert_eq!(malformed(&request), Malformed::LineTooLong);
        // Endless empty lines are no way round it, nor is a line of garbage.
        assert_eq!(malformed(&vec![b'\n'; MAX_LINE + 2][..]).status(), 400);
        assert_eq!(malformed(&vec![0xff; MAX_LINE + 1][..]), Malformed::LineTooLong);
    }

    #[test]
    fn malformed_or_oversized_headers_are_refused() {
        for header in [&b"NoColon"[..], b": empty-name", b"Bad Name: x", b"X: a\x01b", b"Content-Length: -1"] {
            let mut request = b"GET / HTTP/1.1\r\n".to_vec();
            request.extend_from_slice(header);
            request.extend_from_slice(b"\r\n\r\n");
            assert!(matches!(malformed(&request), Malformed::Header(_)), "{:?}", String::from_utf8_lossy(header));
        }
        assert!(matches!(
            malformed(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            Malformed::Header(_)
        ));
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X: y\r\n".repeat(MAX_HEADERS + 1));
        assert_eq!(malformed(many.as_bytes()), Malformed::HeadTooLarge);
        let long = format!("GET / HTTP/1.1\r\nX: {}", "y".repeat(MAX_HEAD));
        assert_eq!(malformed(long.as_bytes()), Malformed::HeadTooLarge);
    }

    #[test]
    fn answers_are_whole_and_say_whether_the_connection_stays() {
        let answer = Answer::text(200, "你好");
        let text = String::from_utf8(answer.to_bytes(true, false, Some(30))).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("\r\nContent-Length: 6\r\n") && text.contains("Keep-Alive: timeout=30"), "{text}");
        assert!(text.ends_with("\r\n\r\n你好"), "{text}");
        let head = String::from_utf8(answer.to_bytes(true, true, None)).unwrap();
        assert!(head.contains("Content-Length: 6\r\n") && head.contains("Connection: close\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "{head}");
        let old = String::from_utf8(answer.to_bytes(false, false, Some(5))).unwrap();
        assert!(old.starts_with("HTTP/1.0 200 OK\r\n") && old.contains("Connection: keep-alive\r\n"), "{old}");
        // Large bodies are not chunked: one length, one buffer.
        let big = Answer::new(200, "text/css", vec![b'x'; 1 << 20]).to_bytes(true, false, Some(30));
        assert!(String::from_utf8_lossy(&big[..400]).contains("Content-Length: 1048576"));
    }
}
