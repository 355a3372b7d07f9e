//! Which file changes trigger a rebuild, and the watcher that reports them.
//!
//! The site root is watched non-recursively (for `site.toml` and for source
//! folders that appear later) and each source folder recursively. The output
//! folder, `target/` and everything else at the root are never watched, so a
//! build can never trigger itself.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use notify::{Config, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::layout::source::{SETTINGS, SOURCE_DIRS};
use crate::load::Stamps;

/// Quiet time that ends a burst of events (an editor's save is several, within
/// a few milliseconds). Short: it is part of every save's wait for the browser.
const SETTLE: Duration = Duration::from_millis(30);
/// A steady stream of events still rebuilds this often.
const MAX_WAIT: Duration = Duration::from_millis(1000);
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How `portal serve` notices changed sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The operating system's notifications (inotify, FSEvents, ReadDirectoryChangesW).
    Native,
    /// Scanning the folders: for network and container mounts where events do not arrive.
    Poll,
}

impl Mode {
    /// The mode in the user's words (Chinese), for the terminal.
    pub fn describe(self) -> &'static str {
        match self {
            Mode::Native => "系统文件通知（native）",
            Mode::Poll => "定时扫描（--poll，每 0.5 秒）",
        }
    }
}

pub(super) struct SiteWatcher {
    /// `None` when polling: the polling thread needs no handle and stops when
    /// the receiver is gone.
    watcher: Option<RecommendedWatcher>,
    root: PathBuf,
    watched: Vec<PathBuf>,
}

impl SiteWatcher {
    /// Watches the sources under `root` (canonical); changed paths go to `tx`.
    pub(super) fn new(root: &Path, mode: Mode, tx: Sender<PathBuf>) -> notify::Result<Self> {
        let watcher = match mode {
            Mode::Native => {
                let handler = move |res: notify::Result<notify::Event>| {
                    if let Ok(event) = res
                        && !matches!(event.kind, EventKind::Access(_))
                    {
                        for path in event.paths {
                            let _ = tx.send(path);
                        }
                    }
                };
                let mut watcher = RecommendedWatcher::new(handler, Config::default())?;
                watcher.watch(root, RecursiveMode::NonRecursive)?;
                Some(watcher)
            }
            Mode::Poll => {
                spawn_poller(root.to_path_buf(), tx);
                None
            }
        };
        let mut this = Self { watcher, root: root.to_path_buf(), watched: Vec::new() };
        this.refresh()?;
        Ok(this)
    }

    /// Starts watching source folders created since the last call.
    pub(super) fn refresh(&mut self) -> notify::Result<()> {
        let Some(watcher) = self.watcher.as_mut() else { return Ok(()) };
        // A deleted folder's watch is gone with it; forget it so it is added again if it returns.
        self.watched.retain(|p| p.is_dir());
        for dir in SOURCE_DIRS {
            let path = self.root.join(dir);
            if path.is_dir() && !self.watched.contains(&path) {
                watcher.watch(&path, RecursiveMode::Recursive)?;
                self.watched.push(path);
            }
        }
        Ok(())
    }
}

fn spawn_poller(root: PathBuf, tx: Sender<PathBuf>) {
    let mut before = Stamps::take(&root);
    thread::spawn(move || {
        loop {
            thread::sleep(POLL_INTERVAL);
            let now = Stamps::take(&root);
            for difference in now.since(&before) {
                if tx.send(root.join(difference.path)).is_err() {
                    return;
                }
            }
            before = now;
        }
    });
}

/// Blocks until a relevant change, then until the burst of events settles.
/// Returns the relevant paths, or `None` when the watcher is gone.
pub(super) fn next_change(rx: &Receiver<PathBuf>, root: &Path) -> Option<Vec<PathBuf>> {
    let mut changed = Vec::new();
    loop {
        let path = rx.recv().ok()?;
        if relevant(root, &path) {
            changed.push(path);
            break;
        }
    }
    let start = Instant::now();
    while start.elapsed() < MAX_WAIT {
        match rx.recv_timeout(SETTLE) {
            Ok(path) if relevant(root, &path) => changed.push(path),
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    changed.sort();
    changed.dedup();
    Some(changed)
}

/// Whether a change at `path` can change the site: `site.toml`, or a file
/// under a source folder that is not an editor's temporary, swap, backup or
/// lock file.
pub(super) fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    let mut parts = rel.components().filter_map(|c| match c {
        Component::Normal(s) => Some(s.to_string_lossy()),
        _ => None,
    });
    let Some(first) = parts.next() else { return false };
    if first == SETTINGS && parts.next().is_none() {
        return true;
    }
    if !SOURCE_DIRS.contains(&first.as_ref()) {
        return false;
    }
    rel.components().all(|c| match c {
        Component::Normal(s) => !is_editor_litter(&s.to_string_lossy()),
        _ => true,
    })
}

/// Files editors write beside the one being edited.
fn is_editor_litter(name: &str) -> bool {
    name.starts_with('.')              // hidden: vim .x.swp, emacs .#x, LibreOffice .~lock.x#
        || name.starts_with('~')       // Word and WPS: ~$x.docx locks, ~WRL0001.tmp
        || name.ends_with('~')         // backups: vim, emacs, gedit
        || name.starts_with('#') && name.ends_with('#') // emacs auto-save
        || name == "4913"              // vim's probe for a writable folder
        || [".swp", ".swo", ".swx", ".tmp", ".temp", ".bak", ".part", ".crdownload", ".crswap"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_relevant_litter_and_other_folders_are_not() {
        let root = Path::new("/site");
        let yes =
            ["site.toml", "content/a/2024/report.md", "content/new-agency", "templates/base.html", "static/x.png"];
        for p in yes {
            assert!(relevant(root, &root.join(p)), "{p}");
        }
        let no = [
            "public/index.html",
            "target/debug/portal",
            "site.toml~",
            "content/a/2024/.report.md.swp",
            "content/a/2024/report.md~",
            "content/a/2024/4913",
            "content/a/2024/~$report.docx",
            "content/a/2024/#report.md#",
            "content/a/2024/report.md.tmp",
            "content/.git/index",
            "README.md",
            "/elsewhere/content/x",
        ];
        for p in no {
            assert!(!relevant(root, &root.join(p)), "{p}");
        }
    }
}
