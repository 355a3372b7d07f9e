//! `portal serve`: the site rendered in memory and served over HTTP/1.1
//! (`net`: one thread waits on every connection, a few workers answer;
//! `http`: request heads read within limits, answers written by tiny_http),
//! rebuilt when its sources change, with open tabs reloaded by server-sent
//! events.
//!
//! The preview never writes the deployable output. A build replaces the
//! served snapshot only once it is complete, and only then are tabs told to
//! reload; a failed build keeps the server up and shows its diagnostics in
//! place of the pages.

mod http;
mod net;
mod route;
mod watch;

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use self::http::{Answer, Head};
pub use self::net::Limits;
use self::net::{Reply as NetReply, Service};
use self::route::{Files, NoFiles, Reply, Snapshot};
pub use self::watch::Mode as WatchMode;
use crate::layout::confine::Root;
use crate::layout::url;
use crate::pipeline::{self, BuildError, Outcome, Prepared};
use crate::text::escape;

const LIVERELOAD_JS: &str = include_str!("livereload.js");

/// How `portal serve` runs.
pub struct Options {
    /// The site folder, built and watched.
    pub root: PathBuf,
    /// Address to listen on; `0.0.0.0` or `::` makes the preview reachable from other machines.
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// How changes to the sources are noticed.
    pub watch: WatchMode,
    /// Timeouts and the connection limit.
    pub limits: Limits,
    /// Each rebuild waits this long before it starts: a slow rebuild, for the tests.
    pub rebuild_delay: Duration,
    /// Today's date, and whether drafts are shown (with a banner) or left out.
    pub publish: crate::publish::Publish,
}

/// What the server tells the terminal; `main` decides how to print it.
pub enum Event<'a> {
    /// The server is up; sent once, after the first build.
    Listening {
        /// The preview's address, base path included: `http://127.0.0.1:1111/xxgk/`.
        url: String,
        /// How changes are being watched, for the terminal to say.
        watch: WatchMode,
    },
    /// A change was noticed; a rebuild starts.
    Rebuilding {
        /// The changed paths, relative to the site root.
        changed: &'a [PathBuf],
    },
    /// A build finished: the first, or a rebuild after a change.
    Built {
        /// The build's result and diagnostics.
        outcome: &'a Outcome<Arc<Prepared>>,
        /// How long the build took.
        elapsed: Duration,
        /// The changed paths that set the build off, relative to the site root; empty for the first build.
        changed: &'a [PathBuf],
    },
    /// Watching newly created source folders failed; the server goes on. The watcher's message.
    WatchError(String),
}

/// Why the preview server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Another process listens on the address asked for.
    #[error("端口 {0} 已被占用：请用 --port 换一个端口，或用 --port 0 自动选择空闲端口")]
    PortInUse(SocketAddr),
    /// Listening on the address failed for another reason.
    #[error("无法监听 {addr}：{source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why listening failed.
        source: io::Error,
    },
    /// The server's sockets or threads could not be set up.
    #[error("无法启动 HTTP 服务：{0}")]
    Http(io::Error),
    /// The site folder does not exist or cannot be resolved.
    #[error("找不到站点文件夹 {}：{source}", path.display())]
    Root {
        /// The site folder as given.
        path: PathBuf,
        /// Why it could not be resolved.
        source: io::Error,
    },
    /// The file watcher could not start.
    #[error("无法监视文件变化：{0}（网络盘或容器挂载的文件夹请加 --poll）")]
    Watch(#[from] notify::Error),
}

/// What request handlers share with the rebuild loop.
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Incremented after each build; event streams are told when it changes.
    generation: AtomicU64,
    /// Differs between runs, so that a tab reconnecting to a restarted server reloads.
    instance: String,
}

impl Shared {
    fn current(&self) -> Arc<Snapshot> {
        self.snapshot.read().map(|s| Arc::clone(&s)).unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    fn publish(&self, snapshot: Snapshot) {
        match self.snapshot.write() {
            Ok(mut s) => *s = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn build_id(&self, generation: u64) -> String {
        format!("{}-{generation}", self.instance)
    }
}

impl Service for Shared {
    fn answer(&self, head: &Head) -> NetReply {
        answer(self, head)
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn event(&self, generation: u64) -> Vec<u8> {
        format!("event: reload\ndata: {}\n\n", self.build_id(generation)).into_bytes()
    }
}

/// Builds, serves and rebuilds until the process is stopped.
pub fn serve(options: Options, mut report: impl FnMut(Event<'_>)) -> Result<(), ServeError> {
    let root = options.root.canonicalize().map_err(|source| ServeError::Root { path: options.root.clone(), source })?;
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = TcpListener::bind(addr).map_err(|source| match source.kind() {
        io::ErrorKind::AddrInUse => ServeError::PortInUse(addr),
        _ => ServeError::Bind { addr, source },
    })?;
    let local = listener.local_addr().map_err(|source| ServeError::Bind { addr, source })?;

    // Watch before the first build, so that no save between the two is missed.
    let (tx, rx) = mpsc::channel();
    let mut watcher = watch::SiteWatcher::new(&root, options.watch, tx)?;

    let start = Instant::now();
    let (outcome, mut live) = pipeline::preview(&root, &options.publish);
    report(Event::Built { outcome: &outcome, elapsed: start.elapsed(), changed: &[] });
    let confine = Root::new(&root);
    let first = snapshot(&confine, &outcome, None);
    let base = first.base_path.clone().unwrap_or_else(|| "/".to_owned());
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(first)),
        generation: AtomicU64::new(1),
        instance: format!("{nanos:x}"),
    });
    let waker =
        net::start(listener, options.limits, Arc::clone(&shared) as Arc<dyn Service>).map_err(ServeError::Http)?;
    report(Event::Listening { url: format!("http://{local}{base}"), watch: options.watch });

    while let Some(changed) = watch::next_change(&rx, &root) {
        let changed: Vec<PathBuf> =
            changed.iter().map(|p| p.strip_prefix(&root).map_or_else(|_| p.clone(), Path::to_path_buf)).collect();
        if let Err(e) = watcher.refresh() {
            report(Event::WatchError(e.to_string()));
        }
        report(Event::Rebuilding { changed: &changed });
        let start = Instant::now();
        std::thread::sleep(options.rebuild_delay);
        let (outcome, next) = rebuild(&root, &options.publish, live.as_ref(), &changed);
        live = next;
        // Tabs reload first; the terminal can wait.
        let elapsed = start.elapsed();
        let previous = shared.current();
        shared.publish(snapshot(&confine, &outcome, Some(&previous)));
        // The server thread lives as long as the process.
        let _ = waker.wake();
        report(Event::Built { outcome: &outcome, elapsed, changed: &changed });
    }
    Ok(())
}

/// Checks the site again after `changed` (paths relative to the root). Edits
/// of existing reports only are checked report by report ([`pipeline::preview_edit`]),
/// which on a large site is what keeps a save from waiting for a full check.
fn rebuild(
    root: &Path,
    publish: &crate::publish::Publish,
    live: Option<&pipeline::Live>,
    changed: &[PathBuf],
) -> (Outcome<Arc<Prepared>>, Option<pipeline::Live>) {
    let mut edited: Vec<(String, u16)> = Vec::new();
    for path in changed {
        match crate::layout::source::report_file(path) {
            Some(report) if !edited.contains(&report) => edited.push(report),
            Some(_) => {}
            None => return pipeline::preview(root, publish),
        }
    }
    let Some(first) = live else { return pipeline::preview(root, publish) };
    let mut owned: Option<pipeline::Live> = None;
    for (n, (slug, year)) in edited.iter().enumerate() {
        let base = owned.as_ref().unwrap_or(first);
        let Some((outcome, next)) = pipeline::preview_edit(root, base, slug, *year) else {
            return pipeline::preview(root, publish);
        };
        // The last edit, or one that failed: its outcome is the answer.
        if n + 1 == edited.len() || next.is_none() {
            return (outcome, next);
        }
        owned = next;
    }
    pipeline::preview(root, publish)
}

impl Files for Prepared {
    fn lookup(&self, path: &str) -> Option<Option<&Path>> {
        self.entry(path).map(|e| match &e.kind {
            pipeline::Kind::Asset(crate::render::Content::File(source)) => Some(source.as_path()),
            _ => None,
        })
    }

    fn produce(&self, path: &str) -> Result<Vec<u8>, String> {
        let entry = self.entry(path).ok_or_else(|| format!("{path} 不存在"))?;
        Prepared::produce(self, entry).map_err(|e| e.to_string())
    }
}

/// The snapshot to serve after a build. A failed build keeps the previous
/// files, so that assets keep loading.
fn snapshot(root: &Root, outcome: &Outcome<Arc<Prepared>>, previous: Option<&Snapshot>) -> Snapshot {
    let base = outcome.base_path.clone().or_else(|| previous.and_then(|p| p.base_path.clone()));
    match &outcome.result {
        Ok(prepared) => Snapshot {
            base_path: base,
            files: Arc::clone(prepared) as Arc<dyn Files>,
            failure: None,
            root: root.clone(),
        },
        Err(e) => {
            let mut text = outcome.diagnostics.to_plain_string(&outcome.sources);
            if !matches!(e, BuildError::Invalid) || text.is_empty() {
                text.push_str(&e.to_string());
            }
            // The last good build keeps serving its files.
            let files: Arc<dyn Files> =
                previous.map_or_else(|| Arc::new(NoFiles) as Arc<dyn Files>, |p| Arc::clone(&p.files));
            Snapshot { base_path: base, files, failure: Some(text), root: root.clone() }
        }
    }
}

/// The answer to one request, from the snapshot of the last build: a
/// request never waits for a rebuild.
fn answer(shared: &Shared, head: &Head) -> NetReply {
    let snapshot = shared.current();
    let text = "text/plain; charset=utf-8";
    NetReply::Answer(match route::route(&snapshot, &head.method, &head.target) {
        Reply::File { path, depth } => match snapshot.files.produce(&path) {
            Ok(body) => {
                let body = if path.ends_with(".html") { with_script(&body, depth) } else { body };
                Answer::new(200, route::content_type(&path), body)
            }
            Err(e) => Answer::text(500, &e),
        },
        Reply::Failure { depth } => Answer::new(500, "text/html; charset=utf-8", failure_page(&snapshot, depth)),
        Reply::Redirect(to) => Answer::new(302, text, Vec::new()).with("Location", &to),
        Reply::NotFound { depth } => not_found(&snapshot, depth),
        Reply::Script => Answer::new(200, "text/javascript; charset=utf-8", LIVERELOAD_JS.as_bytes().to_vec()),
        Reply::Events => return event_stream(shared),
        Reply::BadRequest(why) => Answer::text(400, why),
        Reply::MethodNotAllowed => Answer::new(405, text, Vec::new()).with("Allow", "GET, HEAD"),
    })
}

fn not_found(snapshot: &Snapshot, depth: Option<usize>) -> Answer {
    let page = snapshot.files.lookup(url::NOT_FOUND).and_then(|_| snapshot.files.produce(url::NOT_FOUND).ok());
    match (page, depth) {
        (Some(page), Some(depth)) => Answer::new(404, "text/html; charset=utf-8", with_script(&page, depth)),
        (Some(page), None) => Answer::new(404, "text/html; charset=utf-8", page),
        (None, _) => Answer::text(404, "页面不存在"),
    }
}

/// The page with the live-reload script before `</body>`, linked relative to
/// the page so that it works under any path and behind a reverse proxy.
fn with_script(html: &[u8], depth: usize) -> Vec<u8> {
    let tag = format!("<script src=\"{}{}\"></script>\n", "../".repeat(depth), route::SCRIPT);
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn failure_page(snapshot: &Snapshot, depth: usize) -> Vec<u8> {
    let text = snapshot.failure.as_deref().unwrap_or("");
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>生成失败 · portal 预览</title>
<style>
body {{ margin: 0; background: #fff5f5; color: #1a1a1a; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }}
main {{ max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ color: #b00020; font-size: 1.5rem; }}
pre {{ background: #fff; border: 1px solid #e0b4b4; padding: 1rem; overflow-x: auto; font-size: 0.95rem; line-height: 1.5; white-space: pre-wrap; }}
</style>
</head>
<body>
<main role="alert">
<h1>站点生成失败：刚保存的修改有错误</h1>
<p>请按下面列出的问题（每条都写明了文件和行号）改正并保存，本页会自动刷新为改好后的页面。</p>
<p>这只是本机预览：正式网站和输出文件夹都没有任何改动。改正之前，预览中的每个网页都显示本说明。</p>
<pre>{}</pre>
</main>
</body>
</html>
"#,
        escape(text)
    );
    with_script(page.as_bytes(), depth)
}

/// Turns the connection into a server-sent event stream: a `hello` with the
/// current build, then (from the server thread) a `reload` after each build.
fn event_stream(shared: &Shared) -> NetReply {
    let generation = shared.generation.load(Ordering::SeqCst);
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n\
         Connection: close\r\n\r\nretry: 1000\n\nevent: hello\ndata: {}\n\n",
        shared.build_id(generation)
    );
    NetReply::Stream { head: head.into_bytes(), generation }
}
