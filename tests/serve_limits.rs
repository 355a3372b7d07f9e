//! End-to-end: what `portal serve` does with connections, over real sockets
//! on 127.0.0.1: keep-alive, the idle timeout, the connection limit, malformed
//! requests, and requests made while a rebuild runs. Speed is measured by
//! `scripts/bench-serve`, not here.

mod common;
#[path = "serve/preview.rs"]
mod preview;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::TempSite;
use preview::{PATIENCE, Preview, REPORT_MD, REPORT_PAGE};

/// One client connection, read response by response.
struct Client {
    reader: BufReader<TcpStream>,
}

#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Client {
    fn connect(preview: &Preview) -> Self {
        let stream = TcpStream::connect(&preview.host).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        Self { reader: BufReader::new(stream) }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).unwrap();
    }

    fn get(&mut self, path: &str) -> Response {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        self.response(false)
    }

    /// Reads one response whole, by its `Content-Length` (none for a `HEAD`).
    fn response(&mut self, head_only: bool) -> Response {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("response head");
            assert!(n > 0, "connection closed before a response; got {head:?}");
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut response = Response { status, head, body: Vec::new() };
        if !head_only {
            let length: usize = response.header("Content-Length").expect("Content-Length").parse().unwrap();
            response.body = vec![0; length];
            self.reader.read_exact(&mut response.body).expect("the whole body");
        }
        response
    }

    /// Whether the server closes the connection within `within` (reading nothing else).
    fn closed_within(&mut self, within: Duration) -> bool {
        self.reader.get_ref().set_read_timeout(Some(within)).unwrap();
        let mut rest = Vec::new();
        let closed = match self.reader.read_to_end(&mut rest) {
            Ok(_) => true,
            Err(e) => matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted),
        };
        self.reader.get_ref().set_read_timeout(Some(PATIENCE)).unwrap();
        assert!(rest.is_empty(), "unexpected bytes: {:?}", String::from_utf8_lossy(&rest));
        closed
    }
}

#[test]
fn keep_alive_answers_are_whole_and_in_order() {
    let site = TempSite::sample();
    let preview = Preview::start(&site, &[]);
    let reference = preview.get(REPORT_PAGE).body;
    assert!(reference.len() > 16 * 1024, "a page larger than a TCP segment: {}", reference.len());
    let mut client = Client::connect(&preview);
    for round in 0..20 {
        let page = client.get(REPORT_PAGE);
        assert_eq!(page.status, 200, "round {round}");
        assert_eq!(page.text(), reference, "round {round}");
        assert!(page.header("Keep-Alive").is_some_and(|v| v.starts_with("timeout=")), "{}", page.head);
        let css = client.get("/xxgk/assets/style.css");
        assert_eq!((css.status, css.header("Content-Type")), (200, Some("text/css; charset=utf-8")));
        assert_eq!(client.get("/xxgk/2019/").status, 404);
        let redirect = client.get("/");
        assert_eq!((redirect.status, redirect.header("Location")), (302, Some("/xxgk/")));
        client.send(format!("HEAD {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        let head = client.response(true);
        assert_eq!(head.header("Content-Length"), Some(reference.len().to_string().as_str()));
    }

    // Pipelined: three requests in one write, three answers in order.
    let mut pipelined = Client::connect(&preview);
    let three = format!(
        "GET {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\n\r\nGET /xxgk/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /xxgk/assets/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    pipelined.send(three.as_bytes());
    assert_eq!(pipelined.response(false).text(), reference);
    assert_eq!(pipelined.response(false).status, 404);
    let last = pipelined.response(false);
    assert_eq!((last.status, last.header("Connection")), (200, Some("close")));
    assert!(pipelined.closed_within(PATIENCE), "closed after `Connection: close`");

    // HTTP/1.0 closes unless asked to keep the connection.
    let mut old = Client::connect(&preview);
    old.send(format!("GET {REPORT_PAGE} HTTP/1.0\r\n\r\n").as_bytes());
    assert_eq!(old.response(false).text(), reference);
    assert!(old.closed_within(PATIENCE));
    let mut kept = Client::connect(&preview);
    kept.send(format!("GET {REPORT_PAGE} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").as_bytes());
    assert_eq!(kept.response(false).header("Connection"), Some("keep-alive"));
    kept.send(format!("GET {REPORT_PAGE} HTTP/1.0\r\n\r\n").as_bytes());
    assert_eq!(kept.response(false).text(), reference);

    // A request with a body is answered, and the connection closed: the body is never read.
    let mut post = Client::connect(&preview);
    post.send(format!("POST {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").as_bytes());
    let refused = post.response(false);
    assert_eq!((refused.status, refused.header("Connection")), (405, Some("close")));
    assert!(post.closed_within(PATIENCE));
}

#[test]
fn idle_connections_are_closed_after_the_timeout() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &["--idle-timeout", "1"]);
    // Never a request; one after a request; one in the middle of a request head.
    let mut silent = Client::connect(&preview);
    let mut after = Client::connect(&preview);
    assert_eq!(after.get(REPORT_PAGE).status, 200);
    let mut partial = Client::connect(&preview);
    partial.send(b"GET /xxgk/ HTTP/1.1\r\nHost: x\r\n");
    let start = Instant::now();
    assert!(silent.closed_within(PATIENCE), "a connection that never sent a request");
    assert!(after.closed_within(PATIENCE), "a kept-alive connection after its request");
    let timeout = partial.response(false);
    assert_eq!((timeout.status, timeout.header("Connection")), (408, Some("close")));
    assert!(partial.closed_within(PATIENCE));
    assert!(start.elapsed() >= Duration::from_millis(500), "closed before the timeout: {:?}", start.elapsed());

    // A connection in use is not idle: requests spaced closer than the timeout keep it.
    let mut busy = Client::connect(&preview);
    for _ in 0..6 {
        assert_eq!(busy.get(REPORT_PAGE).status, 200);
        thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn the_default_timeout_keeps_a_connection_for_a_while() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &[]);
    let mut client = Client::connect(&preview);
    assert_eq!(client.get(REPORT_PAGE).header("Keep-Alive"), Some("timeout=30"));
    assert!(!client.closed_within(Duration::from_secs(2)));
    assert_eq!(client.get(REPORT_PAGE).status, 200);
}

#[test]
fn beyond_the_connection_limit_idle_ones_make_room_or_new_ones_get_503() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &["--max-connections", "8"]);

    // Eight idle connections, the oldest first; a ninth is served, and the oldest closed for it.
    let mut idle: Vec<Client> = (0..8)
        .map(|_| {
            let mut c = Client::connect(&preview);
            assert_eq!(c.get(REPORT_PAGE).status, 200);
            thread::sleep(Duration::from_millis(20));
            c
        })
        .collect();
    let mut ninth = Client::connect(&preview);
    assert_eq!(ninth.get(REPORT_PAGE).status, 200);
    assert!(idle[0].closed_within(PATIENCE), "the connection idle the longest makes room");
    assert_eq!(idle[7].get(REPORT_PAGE).status, 200, "the others stay");
    drop(idle);

    // Many more than the limit: each one is still served, one after the other.
    for n in 0..50 {
        let mut c = Client::connect(&preview);
        assert_eq!(c.get("/xxgk/assets/style.css").status, 200, "connection {n}");
    }

    // Eight connections in the middle of a request: none idle, so a new one is refused cleanly.
    thread::sleep(Duration::from_millis(300));
    let mut receiving: Vec<Client> = (0..8)
        .map(|_| {
            let mut c = Client::connect(&preview);
            c.send(b"GET /xxgk/ HTTP/1.1\r\n");
            c
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    let mut refused = Client::connect(&preview);
    refused.send(format!("GET {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    let answer = refused.response(false);
    assert_eq!((answer.status, answer.header("Retry-After")), (503, Some("1")), "{}", answer.text());
    assert!(refused.closed_within(PATIENCE));
    // The requests being received are still answered.
    for c in &mut receiving {
        c.send(b"Host: x\r\n\r\n");
        assert_eq!(c.response(false).status, 200);
    }
    drop(receiving);
}

#[test]
fn hundreds_of_connections_in_every_state_add_no_thread() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &[]);
    let before = threads(&preview);
    let mut crowd = Vec::new();
    for n in 0..300 {
        let mut c = Client::connect(&preview);
        match n % 4 {
            0 => {}
            1 => c.send(b"GET /xxgk/ HT"),
            2 => assert_eq!(c.get(REPORT_PAGE).status, 200),
            _ => c.send(format!("GET {REPORT_PAGE} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()),
        }
        crowd.push(c);
    }
    // Every connection is still held, and a new one is served at once.
    assert_eq!(Client::connect(&preview).get(REPORT_PAGE).status, 200);
    for (n, c) in crowd.iter_mut().enumerate() {
        match n % 4 {
            1 => {
                c.send(b"TP/1.1\r\nHost: x\r\n\r\n");
                assert_eq!(c.response(false).status, 200, "{n}");
            }
            3 => assert_eq!(c.response(false).status, 200, "{n}"),
            _ => {}
        }
        assert_eq!(c.get("/xxgk/assets/style.css").status, 200, "{n}");
    }
    if let (Some(before), Some(now)) = (before, threads_of(&preview)) {
        assert!(now <= before, "threads grew from {before} to {now} with 300 connections");
    }
}

#[test]
fn malformed_requests_get_a_400_and_the_connection_closes() {
    let site = TempSite::yeyuan();
    let preview = Preview::start(&site, &[]);
    let overlong = format!("GET /xxgk/{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(20 * 1024));
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("invalid UTF-8 in the path", b"GET /xxgk/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), 400),
        ("a cut UTF-8 sequence", b"GET /xxgk/\xe7\xa4 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), 400),
        ("invalid UTF-8 in the method", b"G\xc3T /xxgk/ HTTP/1.1\r\n\r\n".to_vec(), 400),
        ("control bytes", b"\x00\x01 NONSENSE\r\n\r\n".to_vec(), 400),
        ("no version", b"GET /xxgk/\r\n\r\n".to_vec(), 400),
        ("not HTTP", b"HELLO\r\n\r\n".to_vec(), 400),
        ("two spaces", b"GET  /xxgk/ HTTP/1.1\r\n\r\n".to_vec(), 400),
        ("a TLS hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(), 400),
        ("an overlong request line", overlong.into_bytes(), 400),
        ("a header without a colon", b"GET /xxgk/ HTTP/1.1\r\nHost x\r\n\r\n".to_vec(), 400),
        ("a head over 32 KB", format!("GET /xxgk/ HTTP/1.1\r\nX: {}\r\n\r\n", "y".repeat(40_000)).into_bytes(), 431),
        ("HTTP/2", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), 505),
    ];
    for (what, request, status) in cases {
        let mut client = Client::connect(&preview);
        client.send(&request);
        let answer = client.response(false);
        assert_eq!(answer.status, status, "{what}: {}", answer.text());
        assert_eq!(answer.header("Connection"), Some("close"), "{what}");
        assert!(!answer.text().is_empty(), "{what}: the answer says why");
        assert!(client.closed_within(PATIENCE), "{what}: closed after the answer");
    }

    // A line that never ends is refused once it is too long, without waiting for its end.
    let mut endless = Client::connect(&preview);
    let _ = endless.reader.get_mut().write_all(&[b'a'; 64 * 1024]);
    assert_eq!(endless.response(false).status, 400);

    // Refused requests do not stop the server.
    assert_eq!(Client::connect(&preview).get(REPORT_PAGE).status, 200);
}

#[test]
fn a_request_during_a_rebuild_is_answered_at_once_from_the_previous_build() {
    let site = TempSite::yeyuan();
    // Each rebuild first waits 3 s: requests are certain to arrive during one.
    let mut preview = Preview::start_with(&site, &[], &[("PORTAL_TEST_REBUILD_DELAY_MS", "3000")]);
    let mut events = preview.events();
    let mut kept = Client::connect(&preview);
    assert_eq!(kept.get(REPORT_PAGE).status, 200);

    site.edit(REPORT_MD, "收到政府信息依申请6条", "收到政府信息依申请6条。重建期间的修改");
    preview.wait_for_line("正在重新生成");
    let during = Instant::now();
    for client in [&mut kept, &mut Client::connect(&preview)] {
        let page = client.get(REPORT_PAGE);
        assert_eq!(page.status, 200);
        assert!(!page.text().contains("重建期间的修改"), "the rebuild has not finished");
    }
    let answered = during.elapsed();
    let finished: Vec<String> = preview.lines.try_iter().collect();
    assert!(
        !finished.iter().any(|l| l.contains("已生成")),
        "answered only after the rebuild ({answered:?}): {finished:?}"
    );

    events.expect_reload();
    let page = kept.get(REPORT_PAGE);
    assert!(page.text().contains("重建期间的修改"), "after the rebuild, the new page");
}

/// The server's threads (Linux: from /proc), once its start has settled.
fn threads(preview: &Preview) -> Option<u64> {
    thread::sleep(Duration::from_millis(300));
    threads_of(preview)
}

fn threads_of(preview: &Preview) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", preview.child.id())).ok()?;
    status.lines().find_map(|l| l.strip_prefix("Threads:")).and_then(|v| v.trim().parse().ok())
}
