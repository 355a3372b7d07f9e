//! The real `portal serve` on an ephemeral port, spoken to over real
//! sockets, for the tests in `tests/serve*.rs`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::TempSite;

pub const REPORT_MD: &str = "content/linqu-yeyuan/2024/report.md";
pub const DATA: &str = "content/linqu-yeyuan/2024/data.toml";
pub const REPORT_PAGE: &str = "/xxgk/2024/linqu-yeyuan/";
/// Generous: a rebuild of the sample takes milliseconds, but CI machines stall.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A running `portal serve`, stopped when dropped.
pub struct Preview {
    pub child: Child,
    /// `127.0.0.1:PORT` or `[::1]:PORT`.
    pub host: String,
    /// The line announcing the address and the watcher in use.
    pub banner: String,
    pub lines: mpsc::Receiver<String>,
    /// The lines passed over while waiting for others.
    pub passed: Vec<String>,
}

impl Preview {
    pub fn start(site: &TempSite, extra: &[&str]) -> Self {
        Self::start_with(site, extra, &[])
    }

    pub fn start_with(site: &TempSite, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .arg("--root")
            .arg(site.root())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        for stream in
            [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())]
        {
            let tx = tx.clone();
            thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut preview = Self { child, host: String::new(), banner: String::new(), lines, passed: Vec::new() };
        let line = preview.wait_for_line("预览地址：");
        preview.banner = line.clone();
        let url = line.split("http://").nth(1).unwrap().split('（').next().unwrap();
        preview.host = url.split('/').next().unwrap().to_owned();
        preview
    }

    /// Waits for a line of output containing `needle`; returns it.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let start = self.passed.len();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => self.passed.push(line),
                Err(_) => break,
            }
        }
        panic!("no line with {needle:?}; output so far:\n{}", self.passed[start..].join("\n"));
    }

    pub fn get(&self, path: &str) -> Reply {
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.host))
    }

    /// Sends `request` as bytes and reads the whole reply.
    pub fn raw(&self, request: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.host).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        Reply::parse(&bytes)
    }

    /// Opens the live-reload event stream under the base path and reads its greeting.
    pub fn events(&self) -> Events {
        self.events_at("/xxgk/__portal/events")
    }

    /// Opens the event stream at `path`; the greeting's data is kept in `hello`.
    pub fn events_at(&self, path: &str) -> Events {
        let mut stream = TcpStream::connect(&self.host).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host).unwrap();
        let mut events = Events { reader: BufReader::new(stream), hello: String::new() };
        let (kind, data) = events.next();
        assert_eq!(kind, "hello");
        events.hello = data;
        events
    }

    /// Polls `path` until its body contains `needle` (the rebuild has landed).
    pub fn wait_for_page(&self, path: &str, needle: &str) -> Reply {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let reply = self.get(path);
            if reply.body.contains(needle) || Instant::now() > deadline {
                return reply;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    pub fn parse(bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Self { status, head: head.to_owned(), body: body.to_owned() }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

pub struct Events {
    pub reader: BufReader<TcpStream>,
    /// The data of the greeting: which run and build of the server.
    pub hello: String,
}

impl Events {
    /// The next event as (name, data); skips the response head, comments
    /// (the server's keep-alives) and `retry`.
    pub fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        let deadline = Instant::now() + PATIENCE;
        loop {
            assert!(Instant::now() < deadline, "no event within {PATIENCE:?}");
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("event stream read");
            assert!(n > 0, "event stream closed");
            let line = line.trim_end();
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_owned();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_owned();
            } else if line.is_empty() && !name.is_empty() {
                return (name, data);
            }
        }
    }

    pub fn expect_reload(&mut self) {
        let (kind, _) = self.next();
        assert_eq!(kind, "reload");
    }
}
