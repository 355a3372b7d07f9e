//! Helpers for end-to-end tests: temporary sites and the `portal` binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A site in a temporary folder, removed when dropped.
pub struct TempSite {
    pub dir: tempfile::TempDir,
}

impl TempSite {
    /// A copy of the bundled sample site (`site.toml` and `content/`).
    pub fn sample() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::copy(Path::new(REPO).join("site.toml"), dir.path().join("site.toml")).unwrap();
        copy_dir(&Path::new(REPO).join("content"), &dir.path().join("content"));
        Self { dir }
    }

    /// The sample reduced to the one real report (临朐县冶源街道办事处 2024).
    pub fn yeyuan() -> Self {
        let site = Self::sample();
        for entry in fs::read_dir(site.path("content")).unwrap() {
            let path = entry.unwrap().path();
            if !path.ends_with("linqu-yeyuan") {
                fs::remove_dir_all(path).unwrap();
            }
        }
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    /// Replaces the first occurrence of `from` in a file; panics if absent.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// `portal <args> --root <site>`, without colours.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
        command.args(args).arg("--root").arg(self.root()).env("NO_COLOR", "1");
        command
    }

    /// Runs `portal <args> --root <site>`.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().unwrap())
    }

    /// Runs `portal <args> --root <site>` with stage timings on, and says
    /// whether the run used the state the previous one kept.
    pub fn run_restoring(&self, args: &[&str]) -> (Run, bool) {
        let run = Run::from(self.command(args).env("PORTAL_TIMINGS", "1").output().unwrap());
        let restored = run.stderr.contains("timing: restore");
        let stderr = run.stderr.lines().filter(|l| !l.starts_with("timing: ")).map(|l| format!("{l}\n")).collect();
        (Run { stderr, ..run }, restored)
    }

    /// A copy of the site's sources alone: no output, no cache.
    pub fn sources_copy(&self) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for entry in fs::read_dir(self.root()).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if name == "public" || name == ".portal-cache" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &dir.path().join(&name));
            } else {
                fs::copy(entry.path(), dir.path().join(&name)).unwrap();
            }
        }
        Self { dir }
    }

    /// Builds into `<site>/public` and asserts success.
    pub fn build_ok(&self) -> Run {
        let run = self.run(&["build"]);
        assert!(run.success, "build failed:\n{}", run.stderr);
        run
    }

    pub fn out(&self, rel: &str) -> String {
        self.read(&format!("public/{rel}"))
    }
}

pub struct Run {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Self {
            success: o.status.success(),
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir`, as sorted relative paths with their bytes.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A search text pack (`search/d/<year>/<group>.txt`) as text: UTF-16LE after
/// its byte-order mark, a first line of ids and lengths, then the documents
/// (docs/search.md).
pub fn search_pack(bytes: &[u8]) -> String {
    assert_eq!(bytes.get(..2), Some(&[0xFF, 0xFE][..]), "a pack starts with the UTF-16LE byte-order mark");
    let units: Vec<u16> = bytes[2..].chunks_exact(2).map(|u| u16::from_le_bytes([u[0], u[1]])).collect();
    String::from_utf16(&units).expect("a pack is UTF-16")
}

/// Visible text of an HTML page: tags removed, the few entities we write decoded.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The numbers in the `<td>` cells of the table row whose header is `label`.
pub fn row_cells(html: &str, label: &str) -> Vec<String> {
    let th = format!(">{label}</th>");
    let at = html.find(&th).unwrap_or_else(|| panic!("no row {label}"));
    let row_end = at + html[at..].find("</tr>").unwrap();
    let row = &html[at..row_end];
    row.split("<td").skip(1).map(|cell| text_of(&format!("<td{cell}")).trim().to_owned()).collect()
}

/// Values of an attribute (`href`, `src`, `id`) in a page, in order.
pub fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A report as `portal new` wrote it, filled in: text for every section, no
/// hints, no `draft`, and `date` where given.
pub fn finished(md: &str, date: Option<&str>) -> String {
    let mut out = String::new();
    let mut comment = false;
    for line in md.lines() {
        if line.starts_with("draft = ") {
            continue;
        }
        if let (Some(date), true) = (date, line.starts_with("date = ")) {
            out.push_str(&format!("date = {date}\n"));
            continue;
        }
        if line.starts_with("<!--") {
            comment = true;
        }
        if !comment {
            out.push_str(line);
            out.push('\n');
            if line.starts_with("## ") {
                out.push_str("\n本年度无此类情况。\n");
            }
        }
        if line.ends_with("-->") {
            comment = false;
        }
    }
    out
}
