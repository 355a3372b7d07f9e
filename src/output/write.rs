//! Writes the built site so that at every instant the output folder holds
//! the whole previous site or the whole new one, and a rebuild touches only
//! what changed.
//!
//! Beside the output folder (say `public`) lives its spare,
//! `.portal-spare-public`: the site as it was one build ago. A build brings
//! the spare up to the new site. A file the output already holds as it is
//! becomes a hard link to the output's file, so that it keeps its
//! modification time (for `rsync` and object-storage sync); a changed file
//! is written; what is no longer part of the site is removed. Only when
//! every file has been produced without error are the two folders exchanged,
//! in one step on Linux (`renameat2` with `RENAME_EXCHANGE`). The previous
//! site becomes the spare of the next build, which then catches up only on
//! what changed. Writing the whole tree anew on every build would cost more
//! than the build.
//!
//! Where the folders cannot be exchanged in one step (Windows, other systems,
//! a file system without the call), three renames put the spare in place:
//! between the first two the output folder is missing for an instant, never
//! mixed, and a run killed there is finished by the next one, which finds the
//! previous site at `.portal-old-public`. Where the output folder cannot be
//! renamed at all (a link to a folder whose parent portal may not write, a
//! folder a Windows program holds open), the changed files are renamed into
//! place one by one while the marker `.portal-mixed-public` says so. A run
//! killed there leaves the marker; the next run reports it and compares every
//! file, so that nothing stays mixed unnoticed.
//!
//! `.portal-lock-public` keeps two builds from writing one output at once.
//!
//! Files that are costly to make and carry no links (the open data) come with
//! a fingerprint of what they are made from. A [`Manifest`] kept beside the
//! sources records, for each such file written, its fingerprint, size and
//! modification time; a file whose inputs did not change and which is still
//! in the output as written is not made again.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::text::Reason;
use rayon::prelude::*;
use tempfile::TempDir;

/// Why the output could not be written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    /// A file or folder could not be written, moved or removed.
    #[error("无法写入 {}：{reason}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        reason: String,
    },
    /// Another run holds the output's lock.
    #[error("另一个 portal 正在写入 {}，请等它结束后再运行", path.display())]
    Busy {
        /// The output folder.
        path: PathBuf,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), reason: Reason(&source).to_string() }
}

/// An output folder being written. Dropped without [`Output::commit`], it
/// leaves the output as it was.
pub(crate) struct Output {
    /// The output folder as named (it may be a link to the folder written).
    out: PathBuf,
    /// Where the new site is written.
    spare: Spare,
    /// Site paths written into the spare (the others are the output's files).
    written: Mutex<Vec<String>>,
    /// What the previous build recorded, and what this one records.
    manifest: Option<(PathBuf, Manifest)>,
    recorded: Mutex<Manifest>,
    /// Whether a run was killed while it put its output in place.
    interrupted: bool,
    /// Whether there is an output folder to build over (a killed run's swap
    /// finished): if not, no file of it can be kept, and none is looked for.
    had_output: bool,
    /// The names beside the output: the lock (held while this lives), marker, old folder.
    beside: Beside,
    _lock: fs::File,
}

/// The tree the new site is written into.
enum Spare {
    /// The whole new site, in `.portal-spare-<name>` beside `real`, the
    /// output folder itself (a link followed); exchanged with it on commit.
    /// `fresh`: the spare was made by this run, so that nothing in it is
    /// stale or in a new file's way.
    Tree { dir: PathBuf, real: PathBuf, fresh: bool },
    /// Only the changed files, in a temporary folder beside the output; they
    /// are moved into place one by one on commit.
    Staging(TempDir),
}

impl Spare {
    fn dir(&self) -> &Path {
        match self {
            Spare::Tree { dir, .. } => dir,
            Spare::Staging(staging) => staging.path(),
        }
    }
}

/// The names portal keeps beside an output folder called `name`.
struct Beside {
    dir: PathBuf,
    name: String,
}

impl Beside {
    fn of(folder: &Path) -> Self {
        let dir = match folder.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Self { dir, name }
    }

    fn path(&self, what: &str) -> PathBuf {
        self.dir.join(format!(".portal-{what}-{}", self.name))
    }

    /// Removes the staging folders of runs that were killed (and of earlier
    /// versions, which staged every build there).
    fn remove_leftovers(&self) {
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(STAGING_PREFIX) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

const STAGING_PREFIX: &str = ".portal-new-";

/// Per site path: the fingerprint of a file's inputs, its size and its
/// modification time (nanoseconds) as written.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Manifest(HashMap<String, (u64, u64, i128)>);

/// The first line of a manifest names the output folder it speaks for.
const OUTPUT_LINE: &str = "# output: ";

impl Manifest {
    fn read(path: &Path) -> Self {
        let text = fs::read_to_string(path).unwrap_or_default();
        let mut out = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.splitn(4, ' ');
            let (Some(fp), Some(len), Some(mtime), Some(path)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if let (Ok(fp), Ok(len), Ok(mtime)) = (u64::from_str_radix(fp, 16), len.parse(), mtime.parse()) {
                out.insert(path.to_owned(), (fp, len, mtime));
            }
        }
        Self(out)
    }

    fn write(&self, path: &Path, out: &Path) -> io::Result<()> {
        let mut lines: Vec<String> =
            self.0.iter().map(|(p, (fp, len, mtime))| format!("{fp:016x} {len} {mtime} {p}\n")).collect();
        lines.sort();
        let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
        lines.insert(0, format!("{OUTPUT_LINE}{}\n", out.display()));
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, lines.concat())
    }

    /// Whether the manifest at `path` speaks for an output folder that is
    /// still there. One that does not (or from before manifests named their
    /// folder) can only take disk space.
    pub(crate) fn is_live(path: &Path) -> bool {
        use std::io::BufRead;
        let Ok(file) = fs::File::open(path) else { return false };
        let mut first = String::new();
        let _ = io::BufReader::new(file).read_line(&mut first);
        first.strip_prefix(OUTPUT_LINE).is_some_and(|out| Path::new(out.trim_end_matches('\n')).is_dir())
    }
}

/// A regular file's size and modification time (nanoseconds).
fn stamp(meta: &fs::Metadata) -> Option<(u64, i128)> {
    let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), i128::try_from(mtime).ok()?))
}

/// The metadata of the file just written at `path` through `file`: from the
/// open file where the system set its times as it was written (no second
/// walk of the path), else from the path once it is closed, since Windows may
/// set them again then.
fn written_meta(file: fs::File, path: &Path) -> Option<fs::Metadata> {
    if cfg!(unix) {
        file.metadata().ok()
    } else {
        drop(file);
        file_meta(path)
    }
}

/// The metadata of `path` if it is a regular file (a link is not followed).
fn file_meta(path: &Path) -> Option<fs::Metadata> {
    fs::symlink_metadata(path).ok().filter(fs::Metadata::is_file)
}

impl Output {
    /// Prepares to write the files at `paths` (site paths) into `out`, with
    /// the fingerprints of the previous build at `manifest`, if any.
    pub(crate) fn open<'p>(
        out: &Path,
        paths: impl Iterator<Item = &'p str>,
        manifest: Option<PathBuf>,
    ) -> Result<Self, WriteError> {
        let named = Beside::of(out);
        fs::create_dir_all(&named.dir).map_err(io_err(&named.dir))?;
        // A link to the output (a deploy folder elsewhere) stays: the folder it leads to is replaced.
        let real = if fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
            out.canonicalize().map_err(io_err(out))?
        } else {
            out.to_path_buf()
        };
        match fs::metadata(&real) {
            Ok(m) if !m.is_dir() => {
                return Err(WriteError::Io { path: out.to_path_buf(), reason: "它不是文件夹".to_owned() });
            }
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_err(out)(e)),
            _ => {}
        }
        // The spare goes beside the folder written, where it can be exchanged with it. Failing
        // that (a folder that is a mount point, or whose parent portal may not write), the changed
        // files are staged beside the name given.
        let tree = Beside::of(&real);
        let tree_lock = (!is_mount_point(&real)).then(|| lock(&tree));
        let (beside, lock, whole) = match tree_lock {
            Some(Ok(lock)) => (tree, lock, true),
            Some(Err(e @ WriteError::Busy { .. })) => return Err(e),
            Some(Err(e)) if real == out => return Err(e),
            _ => {
                let lock = lock(&named)?;
                (named, lock, false)
            }
        };
        let interrupted = finish_swap(&beside, &real).map_err(io_err(&real))? | beside.path("mixed").exists();
        beside.remove_leftovers();
        // Looked at once the swap of a killed run is finished, which may have put the output back.
        let had_output = real.is_dir();
        let spare = if whole {
            let dir = beside.path("spare");
            let fresh = fs::symlink_metadata(&dir).is_err();
            make_dirs(&dir, paths)?;
            Spare::Tree { dir, real, fresh }
        } else {
            let staging =
                tempfile::Builder::new().prefix(STAGING_PREFIX).tempdir_in(&beside.dir).map_err(io_err(&beside.dir))?;
            Spare::Staging(staging)
        };
        // Fingerprints speak for files in the output as written; after an
        // interrupted run every file is compared instead.
        let manifest = manifest.map(|path| {
            let previous = if interrupted { Manifest::default() } else { Manifest::read(&path) };
            (path, previous)
        });
        Ok(Self {
            out: out.to_path_buf(),
            spare,
            written: Mutex::default(),
            manifest,
            recorded: Mutex::default(),
            interrupted,
            had_output,
            beside,
            _lock: lock,
        })
    }

    /// Whether a run was killed while it put its output in place. The output
    /// may then have been mixed; this one replaces every file that differs.
    pub(crate) fn was_interrupted(&self) -> bool {
        self.interrupted
    }

    /// Whether the output holds the file at `path` as made from inputs with
    /// this fingerprint (then it need not be made again).
    pub(crate) fn is_current(&self, path: &str, fingerprint: u64) -> bool {
        self.carry_over(path, Some(fingerprint)).is_some()
    }

    /// Carries the previous build's file at `path` into the new site if it is
    /// still as written, whatever it was made from; its fingerprint.
    pub(crate) fn keep_previous(&self, path: &str) -> Option<u64> {
        self.carry_over(path, None)
    }

    /// The previous build's file at `path`, if it is still as that build wrote it.
    pub(crate) fn previous(&self, path: &str) -> Option<Vec<u8>> {
        let ((_, len, _), old, _) = self.as_written(path, None)?;
        fs::read(&old).ok().filter(|b| b.len() as u64 == len)
    }

    /// [`Output::is_current`] and [`Output::keep_previous`]: the file kept and recorded.
    fn carry_over(&self, path: &str, fingerprint: Option<u64>) -> Option<u64> {
        let (entry, old, meta) = self.as_written(path, fingerprint)?;
        self.keep(path, &old, &meta).ok()?;
        self.record(path, entry);
        Some(entry.0)
    }

    /// What the previous build recorded of `path` (fingerprint, length, time), its
    /// file there and that file's metadata, if the file is still as written and,
    /// with `fingerprint`, was made from inputs with it.
    fn as_written(&self, path: &str, fingerprint: Option<u64>) -> Option<((u64, u64, i128), PathBuf, fs::Metadata)> {
        let (_, previous) = self.manifest.as_ref()?;
        let entry @ (fp, len, mtime) = *previous.0.get(path)?;
        if fingerprint.is_some_and(|f| f != fp) {
            return None;
        }
        let old = self.out.join(path);
        let meta = file_meta(&old).filter(|m| stamp(m) == Some((len, mtime)))?;
        Some((entry, old, meta))
    }

    /// Carries the output's file at `path`, which is as it should be, into the new site.
    fn keep(&self, path: &str, old: &Path, meta: &fs::Metadata) -> Result<(), WriteError> {
        match &self.spare {
            Spare::Tree { dir, .. } => carry(old, meta, &dir.join(path)),
            Spare::Staging(_) => Ok(()),
        }
    }

    fn record(&self, path: &str, entry: (u64, u64, i128)) {
        self.recorded.lock().unwrap_or_else(|p| p.into_inner()).0.insert(path.to_owned(), entry);
    }

    /// Notes the fingerprint of a file just put, for the next build.
    fn note(&self, path: &str, meta: Option<fs::Metadata>, fingerprint: Option<u64>) {
        if let (Some(fp), Some(_), Some((len, mtime))) = (fingerprint, &self.manifest, meta.as_ref().and_then(stamp)) {
            self.record(path, (fp, len, mtime));
        }
    }

    /// Where the file at `path` is written, made ready: nothing there, its folder made.
    fn target(&self, path: &str) -> Result<PathBuf, WriteError> {
        let target = self.spare.dir().join(path);
        match &self.spare {
            // Its folders were made when the output was opened.
            Spare::Tree { fresh: false, .. } => clear(&target).map_err(io_err(&target))?,
            Spare::Tree { fresh: true, .. } => {}
            Spare::Staging(_) => {
                if let Some(dir) = target.parent() {
                    fs::create_dir_all(dir).map_err(io_err(dir))?;
                }
            }
        }
        self.written.lock().unwrap_or_else(|p| p.into_inner()).push(path.to_owned());
        Ok(target)
    }

    /// Writes one file made by `write`, streamed (it may be large).
    pub(crate) fn put_stream(
        &self,
        path: &str,
        fingerprint: Option<u64>,
        write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), WriteError> {
        let target = self.target(path)?;
        let file = fs::File::create(&target).map_err(io_err(&target))?;
        let mut w = io::BufWriter::with_capacity(1 << 17, file);
        write(&mut w).and_then(|()| io::Write::flush(&mut w)).map_err(io_err(&target))?;
        let file = w.into_inner().map_err(|e| io_err(&target)(e.into_error()))?;
        self.note(path, written_meta(file, &target), fingerprint);
        Ok(())
    }

    /// Writes one file, unless the output already holds it as it is.
    pub(crate) fn put(&self, path: &str, bytes: &[u8], fingerprint: Option<u64>) -> Result<(), WriteError> {
        if self.had_output {
            let old = self.out.join(path);
            let holds = fingerprint.and_then(|f| self.as_written(path, Some(f))).map(|(_, _, meta)| meta);
            if let Some(meta) = holds.or_else(|| unchanged(&old, bytes)) {
                self.keep(path, &old, &meta)?;
                self.note(path, Some(meta), fingerprint);
                return Ok(());
            }
        }
        let target = self.target(path)?;
        let mut file = fs::File::create(&target).map_err(io_err(&target))?;
        io::Write::write_all(&mut file, bytes).map_err(io_err(&target))?;
        self.note(path, written_meta(file, &target), fingerprint);
        Ok(())
    }

    /// Puts the new site in place; the files not among `paths` are gone.
    /// Returns the number of files written.
    pub(crate) fn commit<'p>(self, paths: impl Iterator<Item = &'p str>) -> Result<usize, WriteError> {
        let keep: HashSet<&str> = paths.collect();
        let mut written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|p| p.into_inner()));
        written.sort_unstable();
        let placed = match &self.spare {
            Spare::Tree { dir, real, fresh } => {
                if !fresh {
                    remove_stale(dir, dir, &keep)?;
                }
                crash_point("spare made")?;
                swap(dir, real, &self.beside)?
            }
            Spare::Staging(staging) => Placed::FileByFile(staging.path().to_path_buf()),
        };
        if let Placed::FileByFile(from) = placed {
            let mixed = self.beside.path("mixed");
            fs::write(&mixed, "portal: 上次构建在逐个替换文件时中断；下次构建会逐一核对并修复。\n")
                .map_err(io_err(&mixed))?;
            move_into(&from, &self.out, &written, &keep)?;
        }
        // The whole site is in place: nothing is mixed any more, whatever happened before.
        let mixed = self.beside.path("mixed");
        if let Err(e) = fs::remove_file(&mixed)
            && e.kind() != io::ErrorKind::NotFound
        {
            return Err(io_err(&mixed)(e));
        }
        // Renaming keeps modification times, so what was noted still holds.
        if let Some((path, _)) = &self.manifest {
            let recorded = std::mem::take(&mut *self.recorded.lock().unwrap_or_else(|p| p.into_inner()));
            recorded.write(path, &self.out).map_err(io_err(path))?;
        }
        Ok(written.len())
    }
}

/// Opens and locks the lock file beside an output folder.
fn lock(beside: &Beside) -> Result<fs::File, WriteError> {
    let path = beside.path("lock");
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io_err(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(WriteError::Busy { path: beside.dir.join(&beside.name) }),
        Err(fs::TryLockError::Error(e)) => Err(io_err(&path)(e)),
    }
}

/// How the new site was put in place.
enum Placed {
    /// As a whole: the output folder is the new tree.
    Whole,
    /// Not yet: the output folder could not be moved, so the changed files
    /// in this folder go into it one by one.
    FileByFile(PathBuf),
}

/// Puts the complete tree `spare` in the place of the output folder `real`,
/// which becomes the spare.
fn swap(spare: &Path, real: &Path, beside: &Beside) -> Result<Placed, WriteError> {
    if !real.exists() {
        fs::rename(spare, real).map_err(io_err(real))?;
        return Ok(Placed::Whole);
    }
    if !forced(Knob::Renames) && !forced(Knob::FileByFile) && exchange(spare, real).is_ok() {
        return Ok(Placed::Whole);
    }
    // In three steps; `finish_swap` completes them after a kill.
    let old = beside.path("old");
    if forced(Knob::FileByFile) || fs::rename(real, &old).is_err() {
        return Ok(Placed::FileByFile(spare.to_path_buf()));
    }
    crash_point("output moved aside")?;
    fs::rename(spare, real).map_err(io_err(real))?;
    crash_point("spare moved in")?;
    fs::rename(&old, spare).map_err(io_err(spare))?;
    Ok(Placed::Whole)
}

/// Finishes the three-step swap of a killed run, if there was one. Returns
/// whether there was.
fn finish_swap(beside: &Beside, real: &Path) -> io::Result<bool> {
    let (old, spare) = (beside.path("old"), beside.path("spare"));
    if !old.exists() {
        return Ok(false);
    }
    if real.exists() {
        // The new site is in place; the previous one becomes the spare.
        if spare.exists() { fs::remove_dir_all(&old)? } else { fs::rename(&old, &spare)? }
    } else if spare.exists() {
        // Killed with the output moved aside: the spare, complete by then, goes in.
        fs::rename(&spare, real)?;
        fs::rename(&old, &spare)?;
    } else {
        fs::rename(&old, real)?;
    }
    Ok(true)
}

/// Whether `dir` is a mount point: it cannot be renamed, nor hold links to
/// files of its parent's file system.
#[cfg(unix)]
fn is_mount_point(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let parent = Beside::of(dir).dir;
    match (fs::metadata(dir), fs::metadata(parent)) {
        (Ok(d), Ok(p)) => d.dev() != p.dev(),
        _ => false,
    }
}

/// Folders mounted into others are rare here, and renaming them fails
/// cleanly: the files are then moved one by one.
#[cfg(not(unix))]
fn is_mount_point(_: &Path) -> bool {
    false
}

/// Exchanges two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (a, b) = (CString::new(a.as_os_str().as_bytes())?, CString::new(b.as_os_str().as_bytes())?);
    // SAFETY: both are NUL-terminated paths that outlive the call.
    let done = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// No system call exchanges two folders here: the three-step swap does.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Moves the files at `written` from `from` into `out`, after removing what
/// `out` holds that is not a file of the site.
fn move_into(from: &Path, out: &Path, written: &[String], keep: &HashSet<&str>) -> Result<(), WriteError> {
    fs::create_dir_all(out).map_err(io_err(out))?;
    remove_stale(out, out, keep)?;
    let mut made: HashSet<PathBuf> = HashSet::new();
    for (n, path) in written.iter().enumerate() {
        if n == written.len() / 2 {
            crash_point("half the files moved")?;
        }
        let target = out.join(path);
        if let Some(dir) = target.parent()
            && made.insert(dir.to_path_buf())
        {
            make_dir(out, dir)?;
        }
        let staged = from.join(path);
        if fs::rename(&staged, &target).is_ok() {
            continue;
        }
        // A folder where the file goes now (the site changed shape), or another file system.
        clear(&target).map_err(io_err(&target))?;
        if let Err(e) = fs::rename(&staged, &target) {
            if e.kind() != io::ErrorKind::CrossesDevices {
                return Err(io_err(&target)(e));
            }
            let part = target.with_file_name(format!("{STAGING_PREFIX}{n}"));
            fs::copy(&staged, &part).and_then(|_| fs::rename(&part, &target)).map_err(io_err(&target))?;
        }
    }
    Ok(())
}

/// Makes `target` (in the spare) the same file as `old` (in the output), unless it is already.
fn carry(old: &Path, meta: &fs::Metadata, target: &Path) -> Result<(), WriteError> {
    if file_meta(target).is_some_and(|t| same_file(&t, meta)) {
        return Ok(());
    }
    clear(target).map_err(io_err(target))?;
    if fs::hard_link(old, target).is_ok() {
        return Ok(());
    }
    // A file system without hard links: a copy as old as the file, for the same reason.
    fs::copy(old, target)
        .and_then(|_| fs::File::options().write(true).open(target))
        .and_then(|f| f.set_modified(meta.modified()?))
        .map_err(io_err(target))
}

/// Whether two regular files are one (hard links to it).
#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Whether two regular files are one (hard links to it): std has no file id
/// here, but a copy has a creation time of its own.
#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok() && a.created().ok() == b.created().ok()
}

/// Removes whatever is at `path`, if anything.
fn clear(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
    }
}

/// Makes the folders under `root` the files at `paths` go in, replacing
/// files that stand where a folder goes.
fn make_dirs<'p>(root: &Path, paths: impl Iterator<Item = &'p str>) -> Result<(), WriteError> {
    let mut dirs: Vec<&str> = paths.filter_map(|p| p.rsplit_once('/').map(|(d, _)| d)).collect();
    dirs.sort_unstable();
    dirs.dedup();
    fs::create_dir_all(root).map_err(io_err(root))?;
    // On every core: a folder whose parent another thread has yet to make makes it as well.
    let blocked: Vec<&str> = dirs.into_par_iter().filter(|dir| fs::create_dir_all(root.join(dir)).is_err()).collect();
    // Where a file is in the way, it is replaced, one folder at a time.
    for dir in blocked {
        make_dir(root, &root.join(dir))?;
    }
    Ok(())
}

/// Makes the folder `dir` under `root`, replacing files in the way.
fn make_dir(root: &Path, dir: &Path) -> Result<(), WriteError> {
    if fs::create_dir_all(dir).is_ok() {
        return Ok(());
    }
    let mut at = root.to_path_buf();
    for part in dir.strip_prefix(root).unwrap_or(dir).components() {
        at.push(part);
        if fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
            fs::remove_file(&at).map_err(io_err(&at))?;
        }
    }
    fs::create_dir_all(dir).map_err(io_err(dir))
}

/// The metadata of `path` if it is a regular file holding exactly `bytes`.
fn unchanged(path: &Path, bytes: &[u8]) -> Option<fs::Metadata> {
    file_meta(path).filter(|m| m.len() == bytes.len() as u64 && fs::read(path).is_ok_and(|b| b == bytes))
}

/// Removes what `dir` holds that is not a file of the site, and the folders
/// left empty. Returns whether `dir` is now empty.
fn remove_stale(root: &Path, dir: &Path, keep: &HashSet<&str>) -> Result<bool, WriteError> {
    let entries: Vec<fs::DirEntry> =
        fs::read_dir(dir).map_err(io_err(dir))?.collect::<Result<_, _>>().map_err(io_err(dir))?;
    let results: Vec<Result<bool, WriteError>> = entries
        .par_iter()
        .map(|entry| {
            let path = entry.path();
            let rel = site_path(root, &path);
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                if remove_stale(root, &path, keep)? {
                    fs::remove_dir(&path).map_err(io_err(&path))?;
                    return Ok(true);
                }
                Ok(false)
            } else if rel.as_deref().is_some_and(|rel| keep.contains(rel)) {
                Ok(false)
            } else {
                fs::remove_file(&path).map_err(io_err(&path))?;
                Ok(true)
            }
        })
        .collect();
    let mut removed = 0;
    for r in results {
        removed += usize::from(r?);
    }
    Ok(removed == entries.len())
}

/// The site path (`/`-separated) of `path` under `root`.
fn site_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// What a test forces, to take the paths other systems take.
#[derive(Debug, Clone, Copy)]
enum Knob {
    /// The three-step swap, as where folders cannot be exchanged in one step.
    Renames,
    /// Moving files one by one, as where the output folder cannot be moved.
    FileByFile,
}

#[cfg(test)]
fn forced(knob: Knob) -> bool {
    match knob {
        Knob::Renames => tests::FORCE_RENAMES.with(std::cell::Cell::get),
        Knob::FileByFile => tests::FILE_BY_FILE.with(std::cell::Cell::get),
    }
}

#[cfg(not(test))]
#[inline(always)]
fn forced(_: Knob) -> bool {
    false
}

/// Where a test stands in for a kill: the run stops there, as a killed one
/// would, leaving what it made.
#[cfg(test)]
fn crash_point(at: &'static str) -> Result<(), WriteError> {
    if tests::CRASH_AT.with(|c| c.get()) == Some(at) {
        return Err(WriteError::Io { path: PathBuf::from(at), reason: "killed (test)".to_owned() });
    }
    Ok(())
}

#[cfg(not(test))]
#[inline(always)]
fn crash_point(_: &'static str) -> Result<(), WriteError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    thread_local! {
        /// The crash point a test stops the run at.
        pub(super) static CRASH_AT: Cell<Option<&'static str>> = const { Cell::new(None) };
        pub(super) static FORCE_RENAMES: Cell<bool> = const { Cell::new(false) };
        pub(super) static FILE_BY_FILE: Cell<bool> = const { Cell::new(false) };
    }

    #[test]
    fn folders_are_made_in_parallel_and_files_in_their_way_replaced() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        // Files where folders go, at the top and deeper down.
        fs::write(root.join("2024"), "a file").unwrap();
        fs::create_dir_all(root.join("2023/a")).unwrap();
        fs::write(root.join("2023/a/b"), "a file").unwrap();
        let mut paths: Vec<String> = (0..400).map(|i| format!("{}/agency-{i:03}/index.html", 2005 + i % 20)).collect();
        paths.push("2023/a/b/c/index.html".to_owned());
        paths.push("index.html".to_owned());
        make_dirs(root, paths.iter().map(String::as_str)).unwrap();
        for p in &paths {
            let dir = Path::new(p).parent().unwrap();
            assert!(root.join(dir).is_dir(), "{p}");
        }
    }

    fn write(out: &Path, files: &[(&str, &str)]) -> Result<usize, WriteError> {
        let output = Output::open(out, files.iter().map(|f| f.0), None)?;
        for (path, text) in files {
            output.put(path, text.as_bytes(), None)?;
        }
        output.commit(files.iter().map(|f| f.0))
    }

    /// `write`, stopped at the crash point `at` as a kill there would.
    fn killed_at(out: &Path, at: &'static str, files: &[(&str, &str)]) {
        CRASH_AT.with(|c| c.set(Some(at)));
        let result = write(out, files);
        CRASH_AT.with(|c| c.set(None));
        assert!(result.is_err(), "{at}: the run went past its crash point");
    }

    /// Every file under `dir`, as (site path, text).
    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push((site_path(dir, &path).unwrap(), fs::read_to_string(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    fn as_tree(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut files: Vec<_> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
        files.sort();
        files
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    const OLD: &[(&str, &str)] = &[("a/index.html", "A"), ("b.css", "B"), ("old/x.html", "O"), ("y", "dir to be")];
    const NEW: &[(&str, &str)] = &[("a/index.html", "A"), ("b.css", "B2"), ("c/d/e.html", "E"), ("y/z.html", "Z")];

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&fs::metadata(path).unwrap())
    }

    #[test]
    fn unchanged_files_are_kept_changed_ones_written_stale_ones_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        assert_eq!(write(&out, OLD).unwrap(), 4);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o755, 0o755, "readable by the web server");
        }
        let mtime = fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap();
        #[cfg(unix)]
        let (a, b) = (inode(&out.join("a/index.html")), inode(&out.join("b.css")));
        assert_eq!(write(&out, NEW).unwrap(), 3);
        assert_eq!(tree(&out), as_tree(NEW));
        assert_eq!(fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap(), mtime, "unchanged: kept");
        #[cfg(unix)]
        {
            assert_eq!(inode(&out.join("a/index.html")), a, "unchanged: the same file");
            assert_ne!(inode(&out.join("b.css")), b);
        }
        // Beside the output: its spare (the previous site) and its lock, nothing else.
        assert_eq!(names(dir.path()), [".portal-lock-public", ".portal-spare-public", "public"]);
        assert_eq!(tree(&dir.path().join(".portal-spare-public")), as_tree(OLD));
        // The spare catches up: a third build from it gives the third site.
        let third: &[(&str, &str)] = &[("a/index.html", "A3"), ("c/d/e.html", "E"), ("y", "a file again")];
        assert_eq!(write(&out, third).unwrap(), 2);
        assert_eq!(tree(&out), as_tree(third));
        assert_eq!(tree(&dir.path().join(".portal-spare-public")), as_tree(NEW));
    }

    #[test]
    fn a_spare_left_without_its_output_is_brought_up_to_the_site() {
        // The output deleted by hand, its spare still there: the spare is not fresh, and
        // what it holds that the site has not is gone, even a folder where a file goes.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let spare = dir.path().join(".portal-spare-public");
        fs::create_dir_all(spare.join("old")).unwrap();
        fs::write(spare.join("old/x.html"), "stale").unwrap();
        fs::create_dir_all(spare.join("b.css")).unwrap();
        assert_eq!(write(&out, NEW).unwrap(), 4);
        assert_eq!(tree(&out), as_tree(NEW));
        // A first build into nothing at all writes the same site.
        let other = dir.path().join("other");
        assert_eq!(write(&other, NEW).unwrap(), 4);
        assert_eq!(tree(&other), as_tree(NEW));
    }

    #[test]
    fn an_output_dropped_before_commit_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[("a.html", "A")]).unwrap();
        let output = Output::open(&out, ["a.html", "b.html"].into_iter(), None).unwrap();
        output.put("a.html", b"A2", None).unwrap();
        output.put("b.html", b"B", None).unwrap();
        drop(output);
        assert_eq!(tree(&out), as_tree(&[("a.html", "A")]));
        write(&out, &[("a.html", "A3")]).unwrap();
        assert_eq!(tree(&out), as_tree(&[("a.html", "A3")]));
    }

    #[test]
    fn a_run_killed_at_any_step_leaves_a_whole_site_and_the_next_repairs() {
        for at in ["spare made", "output moved aside", "spare moved in"] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("public");
            write(&out, OLD).unwrap();
            // The three-step swap, as where folders cannot be exchanged in one step.
            FORCE_RENAMES.with(|c| c.set(true));
            killed_at(&out, at, NEW);
            let seen = if out.exists() { tree(&out) } else { Vec::new() };
            assert!(seen == as_tree(OLD) || seen == as_tree(NEW) || seen.is_empty(), "{at}: mixed: {seen:?}");
            let third: &[(&str, &str)] = &[("a/index.html", "A3"), ("b.css", "B2")];
            let output = Output::open(&out, third.iter().map(|f| f.0), None).unwrap();
            assert_eq!(output.was_interrupted(), at != "spare made", "{at}");
            assert!(out.is_dir(), "{at}: a swap cut short is finished before anything else");
            for (path, text) in third {
                output.put(path, text.as_bytes(), None).unwrap();
            }
            output.commit(third.iter().map(|f| f.0)).unwrap();
            FORCE_RENAMES.with(|c| c.set(false));
            assert_eq!(tree(&out), as_tree(third), "{at}");
            assert_eq!(names(dir.path()), [".portal-lock-public", ".portal-spare-public", "public"], "{at}");
        }
    }

    #[test]
    fn files_moved_one_by_one_are_marked_until_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, OLD).unwrap();
        FILE_BY_FILE.with(|c| c.set(true));
        killed_at(&out, "half the files moved", NEW);
        assert!(dir.path().join(".portal-mixed-public").exists(), "the marker says the output may be mixed");
        let output = Output::open(&out, NEW.iter().map(|f| f.0), None).unwrap();
        assert!(output.was_interrupted());
        for (path, text) in NEW {
            output.put(path, text.as_bytes(), None).unwrap();
        }
        output.commit(NEW.iter().map(|f| f.0)).unwrap();
        FILE_BY_FILE.with(|c| c.set(false));
        assert_eq!(tree(&out), as_tree(NEW));
        assert!(!dir.path().join(".portal-mixed-public").exists());
        // Also the next run through a full swap.
        write(&out, OLD).unwrap();
        assert_eq!(tree(&out), as_tree(OLD));
    }

    #[test]
    fn two_runs_cannot_write_one_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Output::open(&out, ["a.html"].into_iter(), None).unwrap();
        let second = Output::open(&out, ["a.html"].into_iter(), None);
        assert!(matches!(second, Err(WriteError::Busy { .. })), "{:?}", second.err());
        drop(first);
        assert!(Output::open(&out, ["a.html"].into_iter(), None).is_ok());
    }

    #[test]
    fn staging_left_by_a_killed_run_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(dir.path().join(".portal-new-xyz/a/b")).unwrap();
        fs::write(dir.path().join(".portal-new-xyz/a/b/c.html"), "x").unwrap();
        write(&out, &[("a.html", "A")]).unwrap();
        assert_eq!(names(dir.path()), [".portal-lock-public", "public"]);
    }

    #[test]
    fn a_file_made_from_the_same_inputs_is_not_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let (out, manifest) = (dir.path().join("public"), dir.path().join("cache/manifest"));
        let build = |fp: u64, text: &str| {
            let output = Output::open(&out, ["d.csv"].into_iter(), Some(manifest.clone())).unwrap();
            let current = output.is_current("d.csv", fp);
            if !current {
                output.put_stream("d.csv", Some(fp), &mut |w| w.write_all(text.as_bytes())).unwrap();
            }
            output.commit(["d.csv"].into_iter()).unwrap();
            current
        };
        assert!(!build(1, "one"), "nothing recorded yet");
        assert!(build(1, "one"), "same inputs, file as written");
        assert!(build(1, "one"), "and again, from the spare");
        assert!(!build(2, "two"), "inputs changed");
        assert_eq!(fs::read_to_string(out.join("d.csv")).unwrap(), "two");
        fs::write(out.join("d.csv"), "edited by hand").unwrap();
        assert!(!build(2, "two"), "the file is not as written");
        assert_eq!(fs::read_to_string(out.join("d.csv")).unwrap(), "two");
    }

    #[cfg(unix)]
    #[test]
    fn an_output_that_is_a_symlink_stays_one() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("www");
        fs::create_dir(&real).unwrap();
        let out = dir.path().join("public");
        std::os::unix::fs::symlink(&real, &out).unwrap();
        write(&out, &[("a/index.html", "A")]).unwrap();
        write(&out, &[("a/index.html", "A2")]).unwrap();
        assert!(fs::symlink_metadata(&out).unwrap().file_type().is_symlink(), "still a symlink");
        assert_eq!(fs::read_to_string(real.join("a/index.html")).unwrap(), "A2");
        assert!(dir.path().join(".portal-spare-www").is_dir(), "the folder it leads to was swapped");
    }

    #[test]
    fn a_file_may_replace_a_folder_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let folder: &[(&str, &str)] = &[("x/index.html", "X"), ("y.html", "Y")];
        let file: &[(&str, &str)] = &[("x", "now a file"), ("y.html", "Y")];
        for (files, by_file) in [(folder, false), (file, true), (folder, true), (file, false), (folder, false)] {
            FILE_BY_FILE.with(|c| c.set(by_file));
            write(&out, files).unwrap();
            assert_eq!(tree(&out), as_tree(files), "one by one: {by_file}");
        }
        FILE_BY_FILE.with(|c| c.set(false));
    }
}
