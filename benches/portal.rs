//! Portal-scale benchmark: generates a site of N reports from the bundled
//! sample and times the `portal` binary on it (fresh build, rebuild over the
//! previous output, check) and the dead-link inspection alone, with the peak
//! memory of each command. `lychee --offline` is timed on the same output when
//! it is installed.
//!
//!     cargo bench --bench portal -- [--reports 10000] [--runs 5]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const YEARS: u16 = 10;

fn main() {
    let mut reports = 10_000usize;
    let mut runs = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--reports" => reports = args.next().and_then(|v| v.parse().ok()).expect("--reports N"),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            _ => {} // cargo bench passes --bench
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    let start = Instant::now();
    generate(&site, reports);
    let input: u64 = dir_size(&site.join("content"));
    println!(
        "site: {reports} reports ({} agencies × {YEARS} years), {:.1} MB of input, generated in {:.1} s",
        reports / YEARS as usize,
        input as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );

    let out = dir.path().join("out");
    let out_arg = out.to_str().expect("utf-8 temp path");
    let site_arg = site.to_str().expect("utf-8 temp path");
    let mut table = Vec::new();
    table.push(measure("fresh build (empty output folder)", runs, || {
        let _ = fs::remove_dir_all(&out);
        portal(&["build", "--root", site_arg, "--out", out_arg])
    }));
    table.push(measure("rebuild over the previous output", runs, || {
        portal(&["build", "--root", site_arg, "--out", out_arg])
    }));
    table.push(measure("check (validation + internal links)", runs, || portal(&["check", "--root", site_arg])));
    println!("output: {:.1} MB in {} files", dir_size(&out) as f64 / 1e6, count_files(&out));

    if Command::new("lychee").arg("--version").output().is_ok() {
        // lychee resolves root-relative links (`/xxgk/...`) under --root-dir: give it the base path.
        let lychee_root = dir.path().join("lychee-root");
        fs::create_dir_all(&lychee_root).expect("lychee root");
        std::os::unix::fs::symlink(&out, lychee_root.join("xxgk")).expect("symlink");
        table.push(measure("lychee --offline --include-fragments (same output)", runs, || {
            run(Command::new("lychee")
                .args(["--offline", "--include-fragments", "--no-progress", "--root-dir"])
                .arg(&lychee_root)
                .arg(&out))
        }));
    } else {
        println!("lychee is not installed (cargo install lychee --locked): not compared");
    }

    println!("\n| {reports} reports, median of {runs} | wall | peak memory |\n|---|---|---|");
    for row in table {
        let peak = row.peak_kib.map_or("–".to_owned(), |k| format!("{:.0} MiB", k as f64 / 1024.0));
        println!("| {} | {:.3} s | {peak} |", row.what, row.median.as_secs_f64());
    }
}

struct Row {
    what: String,
    median: Duration,
    peak_kib: Option<u64>,
}

fn measure(what: &str, runs: usize, mut f: impl FnMut() -> (Duration, u64)) -> Row {
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let (t, kib) = f();
        times.push(t);
        peak = peak.max(kib);
    }
    Row { what: what.to_owned(), median: median(times), peak_kib: Some(peak) }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn portal(args: &[&str]) -> (Duration, u64) {
    run(Command::new(env!("CARGO_BIN_EXE_portal")).args(args))
}

/// Wall time and peak resident memory (KiB) of one command, which must succeed.
fn run(command: &mut Command) -> (Duration, u64) {
    let start = Instant::now();
    // Reaped by wait4 below, which (unlike `Child::wait`) reports the peak memory.
    #[allow(clippy::zombie_processes)]
    let child = command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data; wait4 fills it for the child we spawned and have not reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(reaped, pid, "wait4 failed");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{command:?} failed");
    (elapsed, usage.ru_maxrss as u64)
}

/// A site of `reports` reports: the 冶源 sample's narrative and figures under
/// `reports / YEARS` agencies, each with YEARS consecutive years.
fn generate(root: &Path, reports: usize) {
    let repo = Path::new(REPO);
    fs::create_dir_all(root.join("content")).expect("create site");
    fs::copy(repo.join("site.toml"), root.join("site.toml")).expect("site.toml");
    let sample = repo.join("content/linqu-yeyuan");
    let agency_toml = fs::read_to_string(sample.join("agency.toml")).expect("agency.toml");
    let report_md = fs::read_to_string(sample.join("2024/report.md")).expect("report.md");
    let data_toml = fs::read_to_string(sample.join("2024/data.toml")).expect("data.toml");
    for a in 0..reports.div_ceil(YEARS as usize) {
        let name = format!("示例县第{a}街道办事处");
        let dir: PathBuf = root.join("content").join(format!("agency-{a:05}"));
        fs::create_dir_all(&dir).expect("agency dir");
        let agency =
            agency_toml.replace("临朐县冶源街道办事处", &name).replace("weight = 10", &format!("weight = {a}"));
        fs::write(dir.join("agency.toml"), agency).expect("agency.toml");
        for y in 0..YEARS {
            if a * YEARS as usize + y as usize >= reports {
                break;
            }
            let year = 2015 + y;
            let year_dir = dir.join(year.to_string());
            fs::create_dir_all(&year_dir).expect("year dir");
            let md = report_md
                .replace("临朐县冶源街道办事处2024年", &format!("{name}{year}年"))
                .replace("date = 2025-01-10", &format!("date = {}-01-15", year + 1));
            fs::write(year_dir.join("report.md"), md).expect("report.md");
            fs::write(year_dir.join("data.toml"), &data_toml).expect("data.toml");
        }
    }
}

fn dir_size(dir: &Path) -> u64 {
    walk(dir).iter().filter_map(|p| fs::metadata(p).ok()).map(|m| m.len()).sum()
}

fn count_files(dir: &Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}
