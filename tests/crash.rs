//! End-to-end: `portal build` killed at many moments over an existing output
//! leaves the whole previous site or the whole new one, and the next build
//! finishes the job with nothing left behind.

mod common;
#[path = "../benches/gen_site.rs"]
mod gen_site;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::snapshot;

const REPORTS: usize = 120;
const KILLS: u32 = 12;

fn build(site: &Path, out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["build", "--root"])
        .arg(site)
        .arg("--out")
        .arg(out)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portal")
}

fn build_ok(site: &Path, out: &Path) -> (Duration, String) {
    let start = Instant::now();
    let done = build(site, out).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
    assert!(done.status.success(), "{stderr}");
    (start.elapsed(), stderr)
}

/// Switches the site between two versions that differ in every page (the
/// site's name) and in which files there are.
fn set_version(site: &Path, new: bool) {
    let toml = site.join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let (from, to) = if new { ("title = \"", "title = \"新") } else { ("title = \"新", "title = \"") };
    fs::write(&toml, text.replacen(from, to, 1)).unwrap();
    let (gone, there) = if new { ("old.txt", "new.txt") } else { ("new.txt", "old.txt") };
    fs::create_dir_all(site.join("static/only")).unwrap();
    let _ = fs::remove_file(site.join("static/only").join(gone));
    fs::write(site.join("static/only").join(there), there).unwrap();
}

fn beside(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_killed_build_leaves_a_whole_site_old_or_new() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    gen_site::generate(&site, REPORTS);
    assert!(fs::read_to_string(site.join("site.toml")).unwrap().contains("title = \""));
    let deploy = dir.path().join("deploy");
    fs::create_dir(&deploy).unwrap();
    let out = deploy.join("public");

    // The two sites, each built whole into a folder of its own.
    let (reference_old, reference_new) = (dir.path().join("ref-old"), dir.path().join("ref-new"));
    set_version(&site, false);
    build_ok(&site, &reference_old);
    set_version(&site, true);
    let (full, _) = build_ok(&site, &reference_new);
    set_version(&site, false);
    let (old, new) = (snapshot(&reference_old), snapshot(&reference_new));
    assert_ne!(
        old.iter().map(|f| &f.0).collect::<Vec<_>>(),
        new.iter().map(|f| &f.0).collect::<Vec<_>>(),
        "the versions differ in their files"
    );

    build_ok(&site, &out);
    let mut seen = [0; 2];
    for kill in 1..=KILLS {
        // Moments spread over a whole build, most of them late, where the output is put in place.
        let at = full.mul_f64(0.3 + 0.8 * f64::from(kill) / f64::from(KILLS));
        // Each run goes the other way: from the old site to the new, then back.
        let to_new = kill % 2 == 1;
        let (before, after) = if to_new { (&old, &new) } else { (&new, &old) };
        set_version(&site, to_new);
        let mut child = build(&site, &out);
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        assert!(&now == before || &now == after, "killed after {at:?}: the output is neither site");
        seen[usize::from(&now == after)] += 1;

        let (_, stderr) = build_ok(&site, &out);
        assert!(&snapshot(&out) == after, "after {at:?}: the next build gives the new site");
        assert!(!stderr.contains("中断"), "an exchange in one step leaves nothing to repair: {stderr}");
        assert_eq!(beside(&deploy), [".portal-lock-public", ".portal-spare-public", "public"], "after {at:?}");
    }
    // Not a proof that both were seen (timing varies), but a sign the kills hit the build.
    eprintln!("killed runs that left the previous site: {}, the new site: {}", seen[0], seen[1]);
    assert!(seen[0] > 0, "no kill came before the end of a build");
}
