//! `--serve-load`: load on `portal serve`, for `scripts/bench-serve` (documented
//! in docs/benchmarks.md).
//!
//! ```sh
//! cargo bench --bench portal -- --serve-load [--portal PATH] [--site DIR] [--connections N]
//!     [--seconds S] [--idle N] [--path URL-PATH]
//! ```
//!
//! Starts `PATH serve --port 0` (default: the release binary) on a copy of
//! the site (default: the sample site at the repository root), then measures,
//! with plain `std` sockets:
//!
//! 1. N keep-alive connections (default 50) asking for one page (default the
//!    report page `2024/linqu-yeyuan/`) as fast as they can for S seconds;
//! 2. the same with a new connection per request (`Connection: close`);
//! 3. the keep-alive load while a report is edited every 200 ms;
//! 4. the server's resident memory and threads with `--idle` idle connections
//!    open (default 3,000), and how long a new request takes meanwhile.
//!
//! A reply counts as an error unless it is a 200 with the whole body its
//! `Content-Length` announced. Prints markdown tables.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

struct Options {
    portal: PathBuf,
    site: PathBuf,
    connections: usize,
    seconds: f64,
    idle: usize,
    path: String,
}

use super::{PORTAL, REPO, Server};

/// Runs the measurements with the arguments after `--serve-load`.
pub(crate) fn main(mut args: impl Iterator<Item = String>) {
    let root = Path::new(REPO);
    let mut options = Options {
        portal: PathBuf::from(PORTAL),
        site: root.to_path_buf(),
        connections: 50,
        seconds: 5.0,
        idle: 3000,
        path: "2024/linqu-yeyuan/".to_owned(),
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--portal" => options.portal = PathBuf::from(value()),
            "--site" => options.site = PathBuf::from(value()),
            "--connections" => options.connections = value().parse().expect("--connections N"),
            "--seconds" => options.seconds = value().parse().expect("--seconds S"),
            "--idle" => options.idle = value().parse().expect("--idle N"),
            "--path" => options.path = value().trim_start_matches('/').to_owned(),
            "--bench" => {} // cargo bench passes it
            other => panic!("unknown argument {other}; see the top of benches/serve_load/mod.rs"),
        }
    }
    let work = std::env::temp_dir().join(format!("portal-serve-load-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    copy_site(&options.site, &work);
    let result = std::panic::catch_unwind(|| run(&options, &work));
    let _ = fs::remove_dir_all(&work);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn run(options: &Options, site: &Path) {
    let server = Server::start_with(&options.portal, site);
    let page = format!("{}{}", server.base, options.path);
    let duration = Duration::from_secs_f64(options.seconds);
    let first = fetch(&server.host, &page, false).expect("the page is served");
    println!("portal: {}", options.portal.display());
    println!("page: {page} ({} bytes)", first.len());
    println!("connections: {}, {} s per load\n", options.connections, options.seconds);
    println!("| load | requests/s | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|");

    let warm = load(&server.host, &page, options.connections, Duration::from_millis(500), true);
    drop(warm);
    let keep = load(&server.host, &page, options.connections, duration, true);
    keep.row(&format!("{} keep-alive connections", options.connections));
    let closed = load(&server.host, &page, options.connections, duration, false);
    closed.row(&format!("{} connections, a new one per request", options.connections));

    let report = site.join("content/linqu-yeyuan/2024/report.md");
    let original = fs::read_to_string(&report).expect("the sample's report.md");
    let editing = Arc::new(AtomicBool::new(true));
    let editor = {
        let (editing, report, original) = (Arc::clone(&editing), report.clone(), original.clone());
        thread::spawn(move || {
            let mut edits = 0usize;
            while editing.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(200));
                edits += 1;
                fs::write(&report, format!("{original}\n编辑 {edits}\n")).expect("edit report.md");
            }
            edits
        })
    };
    let edited = load(&server.host, &page, options.connections, duration, true);
    editing.store(false, Ordering::Relaxed);
    let edits = editor.join().expect("editor");
    edited
        .row(&format!("{} keep-alive connections, report.md edited every 200 ms ({edits} edits)", options.connections));
    fs::write(&report, &original).expect("restore report.md");

    idle(&server, &page, options.idle);
}

/// Opens `count` connections that send nothing and reports what the server holds meanwhile.
fn idle(server: &Server, page: &str, count: usize) {
    thread::sleep(Duration::from_millis(500));
    let before = status(server.pid());
    let fresh_before = fresh_requests(&server.host, page);
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        match TcpStream::connect(&server.host) {
            Ok(s) => sockets.push(s),
            Err(e) => {
                println!("\nopening idle connection {}: {e}", sockets.len() + 1);
                break;
            }
        }
    }
    thread::sleep(Duration::from_secs(1));
    let during = status(server.pid());
    let fresh_during = fresh_requests(&server.host, page);
    // Whether the server still holds them: a closed one reads end-of-file at once.
    let open = sockets
        .iter()
        .filter(|s| {
            let _ = s.set_nonblocking(true);
            let mut byte = [0u8; 1];
            matches!((&**s).read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        })
        .count();
    let opened = sockets.len();
    drop(sockets);
    thread::sleep(Duration::from_secs(2));
    let after = status(server.pid());
    println!("\n| {opened} idle connections | resident MB | threads | new request p50 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    let row = |what: &str, s: &Status, fresh: Option<&Latencies>| {
        let (p50, max) = fresh.map_or(("".to_owned(), "".to_owned()), |f| (ms(f.quantile(0.5)), ms(f.quantile(1.0))));
        println!("| {what} | {} | {} | {p50} | {max} |", s.rss_mb(), s.threads());
    };
    row("before", &before, Some(&fresh_before));
    row(&format!("with them open ({open} still open on the server)"), &during, Some(&fresh_during));
    row("after they closed", &after, None);
}

/// 20 requests, each on a new connection, one after another.
fn fresh_requests(host: &str, page: &str) -> Latencies {
    let mut times = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        if fetch(host, page, false).is_ok() {
            times.push(start.elapsed());
        }
    }
    Latencies::new(times)
}

struct Outcome {
    latencies: Latencies,
    errors: usize,
    elapsed: Duration,
    first_error: Option<String>,
}

impl Outcome {
    fn row(&self, what: &str) {
        let rate = self.latencies.0.len() as f64 / self.elapsed.as_secs_f64();
        let l = &self.latencies;
        println!(
            "| {what} | {rate:.0} | {} | {} | {} | {} |",
            ms(l.quantile(0.5)),
            ms(l.quantile(0.99)),
            ms(l.quantile(1.0)),
            self.errors
        );
        if let Some(e) = &self.first_error {
            println!("<!-- first error: {e} -->");
        }
    }
}

/// `connections` clients asking for `page` until `duration` has passed.
fn load(host: &str, page: &str, connections: usize, duration: Duration, keep_alive: bool) -> Outcome {
    let start = Instant::now();
    let deadline = start + duration;
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let (host, page) = (host.to_owned(), page.to_owned());
            thread::spawn(move || client(&host, &page, deadline, keep_alive))
        })
        .collect();
    let mut times = Vec::new();
    let (mut errors, mut first_error) = (0, None);
    for c in clients {
        let (t, e, first) = c.join().expect("client thread");
        times.extend(t);
        errors += e;
        first_error = first_error.or(first);
    }
    Outcome { latencies: Latencies::new(times), errors, elapsed: start.elapsed(), first_error }
}

fn client(host: &str, page: &str, deadline: Instant, keep_alive: bool) -> (Vec<Duration>, usize, Option<String>) {
    let (mut times, mut errors, mut first_error) = (Vec::new(), 0, None);
    let mut conn: Option<BufReader<TcpStream>> = None;
    while Instant::now() < deadline {
        let start = Instant::now();
        let result = if keep_alive {
            let reader = match conn.take() {
                Some(r) => Ok(r),
                None => connect(host).map(BufReader::new),
            };
            reader.and_then(|mut r| {
                let body = exchange(&mut r, host, page, true)?;
                conn = Some(r);
                Ok(body)
            })
        } else {
            fetch(host, page, false)
        };
        match result {
            Ok(_) => times.push(start.elapsed()),
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(e);
                thread::sleep(Duration::from_millis(10));
            }
        }
    }
    (times, errors, first_error)
}

fn connect(host: &str) -> Result<TcpStream, String> {
    let s = TcpStream::connect(host).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    Ok(s)
}

/// One request on a new connection; the body.
fn fetch(host: &str, page: &str, keep_alive: bool) -> Result<Vec<u8>, String> {
    let mut reader = BufReader::new(connect(host)?);
    exchange(&mut reader, host, page, keep_alive)
}

/// Writes one request and reads its response whole; the body of a 200.
fn exchange(r: &mut BufReader<TcpStream>, host: &str, page: &str, keep_alive: bool) -> Result<Vec<u8>, String> {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    let request = format!("GET {page} HTTP/1.1\r\nHost: {host}\r\nConnection: {connection}\r\n\r\n");
    r.get_mut().write_all(request.as_bytes()).map_err(|e| format!("write: {e}"))?;
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| format!("status line: {e}"))?;
    if !line.starts_with("HTTP/1.1 200 ") {
        return Err(format!("status line {line:?}"));
    }
    let mut length = None;
    loop {
        line.clear();
        r.read_line(&mut line).map_err(|e| format!("header: {e}"))?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or("no Content-Length")?;
    let mut body = vec![0; length];
    r.read_exact(&mut body).map_err(|e| format!("body of {length} bytes: {e}"))?;
    Ok(body)
}

struct Latencies(Vec<Duration>);

impl Latencies {
    fn new(mut times: Vec<Duration>) -> Self {
        times.sort();
        Self(times)
    }

    fn quantile(&self, q: f64) -> Option<Duration> {
        let last = self.0.len().checked_sub(1)?;
        Some(self.0[((last as f64) * q).round() as usize])
    }
}

fn ms(d: Option<Duration>) -> String {
    d.map_or_else(|| "–".to_owned(), |d| format!("{:.1}", d.as_secs_f64() * 1000.0))
}

/// Resident memory and threads of the server, from `/proc` (Linux only).
struct Status(Option<(u64, u64)>);

impl Status {
    fn rss_mb(&self) -> String {
        self.0.map_or("n/a".to_owned(), |(kib, _)| format!("{:.0}", kib as f64 / 1024.0))
    }
    fn threads(&self) -> String {
        self.0.map_or("n/a".to_owned(), |(_, t)| t.to_string())
    }
}

/// Resident memory and threads of the server `pid`, from `/proc`.
fn status(pid: u32) -> Status {
    let Ok(text) = fs::read_to_string(format!("/proc/{pid}/status")) else { return Status(None) };
    let field = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next()?.parse().ok())
    };
    Status(field("VmRSS:").zip(field("Threads:")))
}

/// Copies the site's sources (not its output or the cache) into `to`.
fn copy_site(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("work folder");
    fs::copy(from.join("site.toml"), to.join("site.toml")).expect("site.toml");
    for dir in ["content", "themes", "templates", "static"] {
        if from.join(dir).is_dir() {
            copy_dir(&from.join(dir), &to.join(dir));
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let path = entry.path();
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            fs::copy(&path, to.join(entry.file_name())).expect("copy file");
        }
    }
}
