//! Nothing from outside the site is published: a link of any kind that leads
//! out of the site root (or nowhere), a theme named by a path, and a file name
//! that cannot be a URL are refused by `check` and `build` alike, at the
//! source path; links that stay inside keep working.

mod common;

use std::fs;
use std::path::Path;

use common::{REPO, TempSite, copy_dir};

/// What `check --format json` reported, as (code, file) pairs, and whether it failed.
fn check(site: &TempSite) -> (bool, Vec<(String, String)>) {
    let run = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}{}", run.stdout, run.stderr));
    let found = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "error")
        .map(|d| (d["code"].as_str().unwrap_or("").to_owned(), d["file"].as_str().unwrap_or("").to_owned()))
        .collect();
    (run.success, found)
}

/// `check` and `build` both refuse the site with `code` at `file`, and no file
/// of the output holds `secret`.
fn refused(site: &TempSite, code: &str, file: &str, secret: &str, case: &str) {
    let (ok, found) = check(site);
    assert!(!ok, "{case}: check passed");
    assert!(found.iter().any(|(c, f)| c == code && f == file), "{case}: want {code} at {file}, got {found:?}");
    let build = site.run(&["build"]);
    assert!(!build.success, "{case}: build passed");
    assert!(build.stderr.contains(code) && build.stderr.contains(file), "{case}: build said\n{}", build.stderr);
    assert_clean(site, secret, case);
}

/// No file under the output folder holds `secret`.
fn assert_clean(site: &TempSite, secret: &str, case: &str) {
    let out = site.path("public");
    if out.exists() {
        for (path, bytes) in common::snapshot(&out) {
            assert!(!String::from_utf8_lossy(&bytes).contains(secret), "{case}: {path} holds the outside file");
        }
    }
}

/// A folder outside every site, with a file of recognisable bytes.
struct Outside {
    dir: tempfile::TempDir,
    secret: String,
}

impl Outside {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let secret = format!("SECRET-OUTSIDE-THE-SITE-{}", std::process::id());
        fs::write(dir.path().join("secret.txt"), &secret).unwrap();
        Self { dir, secret }
    }

    fn file(&self) -> std::path::PathBuf {
        self.dir.path().join("secret.txt")
    }

    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join(rel)
    }
}

#[cfg(unix)]
fn link(target: impl AsRef<Path>, site: &TempSite, rel: &str) {
    let at = site.path(rel);
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    if at.exists() || at.symlink_metadata().is_ok() {
        if at.is_dir() && !at.symlink_metadata().unwrap().file_type().is_symlink() {
            fs::remove_dir_all(&at).unwrap();
        } else {
            fs::remove_file(&at).unwrap();
        }
    }
    std::os::unix::fs::symlink(target, at).unwrap();
}

const REPORT: &str = "content/linqu-yeyuan/2024";

/// A copy of the default theme under `dir`, with the secret among its assets.
fn theme_copy(dir: &Path, outside: &Outside) {
    copy_dir(&Path::new(REPO).join("themes/default"), dir);
    fs::copy(outside.file(), dir.join("static/secret.txt")).unwrap();
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_refused_in_every_place() {
    let outside = Outside::new();
    // An agency and a report that live outside, complete and valid.
    copy_dir(&Path::new(REPO).join("content/linqu-yeyuan"), &outside.path("agency"));
    fs::write(outside.path("agency/2024/secret.txt"), &outside.secret).unwrap();
    theme_copy(&outside.path("theme"), &outside);
    fs::create_dir_all(outside.path("assets")).unwrap();
    fs::copy(outside.file(), outside.path("assets/secret.css")).unwrap();

    type Setup = fn(&TempSite, &Outside);
    let cases: &[(&str, Setup, &str)] = &[
        ("static file", |s, o| link(o.file(), s, "static/x.txt"), "static/x.txt"),
        ("static folder", |s, o| link(o.path("assets"), s, "static/dir"), "static/dir"),
        ("static/ itself", |s, o| link(o.path("assets"), s, "static"), "static"),
        ("attachment", |s, o| link(o.file(), s, &format!("{REPORT}/a.pdf")), "content/linqu-yeyuan/2024/a.pdf"),
        ("template", |s, o| link(o.file(), s, "templates/404.html"), "templates/404.html"),
        ("templates/ itself", |s, o| link(o.path("theme/templates"), s, "templates"), "templates"),
        (
            "theme file",
            |s, o| {
                theme_copy(&s.path("themes/mine"), o);
                link(o.file(), s, "themes/mine/static/assets/x.css");
                s.edit("site.toml", "theme = \"default\"", "theme = \"mine\"");
            },
            "themes/mine/static/assets/x.css",
        ),
        (
            "theme template",
            |s, o| {
                theme_copy(&s.path("themes/mine"), o);
                link(o.file(), s, "themes/mine/templates/404.html");
                s.edit("site.toml", "theme = \"default\"", "theme = \"mine\"");
            },
            "themes/mine/templates/404.html",
        ),
        (
            "theme folder",
            |s, o| {
                link(o.path("theme"), s, "themes/mine");
                s.edit("site.toml", "theme = \"default\"", "theme = \"mine\"");
            },
            "themes/mine",
        ),
        ("themes/ itself", |s, o| link(o.dir.path(), s, "themes"), "themes"),
        ("agency folder", |s, o| link(o.path("agency"), s, "content/evil"), "content/evil"),
        ("content/ itself", |s, o| link(o.path("agency/.."), s, "content"), "content"),
        (
            "year folder",
            |s, o| link(o.path("agency/2024"), s, "content/linqu-yeyuan/2023"),
            "content/linqu-yeyuan/2023",
        ),
        (
            "report.md",
            |s, o| link(o.path("agency/2024/report.md"), s, &format!("{REPORT}/report.md")),
            "content/linqu-yeyuan/2024/report.md",
        ),
        (
            "data.toml",
            |s, o| link(o.path("agency/2024/data.toml"), s, &format!("{REPORT}/data.toml")),
            "content/linqu-yeyuan/2024/data.toml",
        ),
        (
            "agency.toml",
            |s, o| link(o.path("agency/agency.toml"), s, "content/linqu-yeyuan/agency.toml"),
            "content/linqu-yeyuan/agency.toml",
        ),
        (
            "site.toml",
            |s, o| {
                fs::copy(s.path("site.toml"), o.path("site.toml")).unwrap();
                link(o.path("site.toml"), s, "site.toml");
            },
            "site.toml",
        ),
        (
            "a link to a link that leads out",
            |s, o| {
                link(o.file(), s, "shared/hop.txt");
                link("../shared/hop.txt", s, "static/first.txt");
            },
            "static/first.txt",
        ),
    ];
    for (case, setup, file) in cases {
        let site = TempSite::yeyuan();
        setup(&site, &outside);
        refused(&site, "outside-root", file, &outside.secret, case);
    }
}

#[test]
fn a_theme_is_named_not_pathed() {
    let outside = Outside::new();
    theme_copy(&outside.path("theme"), &outside);
    let absolute = outside.path("theme").to_string_lossy().replace('\\', "\\\\");
    for name in ["../../../x", "../theme", "a/b", "..\\x", "C:\\x", "..", "", absolute.as_str()] {
        let site = TempSite::yeyuan();
        site.edit("site.toml", "theme = \"default\"", &format!("theme = \"{}\"", name.replace('\\', "\\\\")));
        let (ok, found) = check(&site);
        assert!(!ok, "{name}: check passed");
        assert!(found.iter().any(|(c, f)| c == "config" && f == "site.toml"), "{name}: {found:?}");
        assert!(!site.run(&["build"]).success, "{name}: build passed");
        assert_clean(&site, &outside.secret, name);
    }
}

#[cfg(unix)]
#[test]
fn links_that_stay_inside_keep_working() {
    let site = TempSite::yeyuan();
    site.write("shared/notice.txt", "共享的附件");
    site.write("shared/assets/extra.css", "body{}");
    link("../../../shared/notice.txt", &site, &format!("{REPORT}/notice.txt"));
    link(site.path("shared/assets"), &site, "static/extra");
    link("../shared/notice.txt", &site, "static/notice.txt");
    // The report's own files kept elsewhere in the site, linked in.
    fs::rename(site.path(&format!("{REPORT}/report.md")), site.path("shared/report.md")).unwrap();
    link(site.path("shared/report.md"), &site, &format!("{REPORT}/report.md"));
    let (ok, found) = check(&site);
    assert!(ok, "{found:?}");
    site.build_ok();
    assert_eq!(site.out("2024/linqu-yeyuan/notice.txt"), "共享的附件");
    assert_eq!(site.out("notice.txt"), "共享的附件");
    assert_eq!(site.out("extra/extra.css"), "body{}");
    assert!(site.out("2024/linqu-yeyuan/index.html").contains("一、总体情况"));
}

#[cfg(unix)]
#[test]
fn check_finds_what_build_would_fail_on() {
    use std::os::unix::ffi::OsStrExt;
    let bad_name = std::ffi::OsStr::from_bytes(b"\xff\xfe.pdf");
    type Setup = fn(&TempSite);
    let cases: &[(&str, Setup, &str, &str)] = &[
        (
            "dangling attachment",
            |s| link("nowhere.pdf", s, &format!("{REPORT}/a.pdf")),
            "io",
            "content/linqu-yeyuan/2024/a.pdf",
        ),
        ("dangling static file", |s| link("nowhere.css", s, "static/a.css"), "io", "static/a.css"),
        ("dangling template", |s| link("nowhere.html", s, "templates/404.html"), "io", "templates/404.html"),
        ("a folder linked into itself", |s| link(".", s, "static/loop"), "path", "static/loop"),
    ];
    for (case, setup, code, file) in cases {
        let site = TempSite::yeyuan();
        setup(&site);
        refused(&site, code, file, "\u{0}", case);
    }
    for dir in [REPORT, "static"] {
        let site = TempSite::yeyuan();
        fs::create_dir_all(site.path(dir)).unwrap();
        fs::write(site.path(dir).join(bad_name), "x").unwrap();
        let (ok, found) = check(&site);
        assert!(!ok, "{dir}: check passed");
        let file = Path::new(dir).join(bad_name).to_string_lossy().into_owned();
        assert!(found.iter().any(|(c, f)| c == "encoding" && *f == file), "{dir}: {found:?}");
        assert!(!site.run(&["build"]).success, "{dir}: build passed");
    }
}
