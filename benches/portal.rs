//! Portal-scale benchmark of the `portal` binary, and the generator of
//! benchmark sites (`gen_site.rs`).
//!
//!     cargo bench --bench portal -- --generate N DIR [--only-2021]  # a site of N reports in DIR
//!     cargo bench --bench portal -- --serve-load [...]       # load on `portal serve` (serve_load/mod.rs)
//!     cargo bench --bench portal -- --reports 1000 [--reports 10000] [--runs 3] [--edits 5]
//!                                   [--work DIR] [--no-hugo] [--no-lychee] [--no-serve]
//!
//! For each size it generates a site (kept under `--work`, default
//! `target/bench`, and reused while the generator is unchanged), then times
//! the release binary, one warm-up first and the median of `--runs` after:
//! `portal build` into a new empty folder, `portal build` over the previous
//! output, `portal check`, and in `portal serve` the time from saving one
//! report to the `reload` event and to the page showing the edit. Hugo on
//! the comparison corpus of the same size (`hugo_corpus.py`) and `lychee
//! --offline --include-fragments` on portal's output are timed in the same
//! run. Peak memory is each process's maximum resident set, from `wait4`.
//! `scripts/bench` installs the tools and runs this; see docs/benchmarks.md.

mod gen_site;
mod search_bytes;
mod serve_load;

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const PORTAL: &str = env!("CARGO_BIN_EXE_portal");
/// Both generators' sources: a generated site is reused only while they are unchanged.
const GENERATOR_SOURCE: &str = include_str!("gen_site.rs");
const CORPUS_SOURCE: &str = include_str!("hugo_corpus.py");
/// Output size per report measured at 10,000 reports (21 KB on the mixed-format
/// site), with a margin, for the disk-space check.
const OUTPUT_BYTES_PER_REPORT: u64 = 25_000;
/// Two-word queries of the kind a visitor types, over the generated narratives'
/// words, from common to rare: the bytes a search fetches are measured on them.
const QUERIES: &[&str] =
    &["政务公开 培训", "行政复议 诉讼", "依申请 答复", "错链 死链", "政策解读 新媒体", "保密审查 三审三校"];

struct Options {
    sizes: Vec<usize>,
    runs: usize,
    edits: usize,
    work: PathBuf,
    hugo: bool,
    lychee: bool,
    serve: bool,
}

fn main() {
    let mut options = Options {
        sizes: Vec::new(),
        runs: 3,
        edits: 5,
        work: Path::new(REPO).join("target/bench"),
        hugo: true,
        lychee: true,
        serve: true,
    };
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>, what: &str| -> usize {
        v.and_then(|v| v.replace(['_', ','], "").parse().ok()).unwrap_or_else(|| panic!("{what} needs a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--generate" => {
                let reports = number(args.next(), "--generate N DIR");
                let dir = PathBuf::from(args.next().expect("--generate N DIR"));
                let formats = match args.next().as_deref() {
                    Some("--only-2021") => gen_site::Formats::Only2021,
                    _ => gen_site::Formats::ByYear,
                };
                return generate_command(reports, &dir, formats);
            }
            "--time-inspection" => {
                let runs = number(args.next(), "--time-inspection RUNS SITE");
                let site = PathBuf::from(args.next().expect("--time-inspection RUNS SITE"));
                return time_inspection(runs, &site);
            }
            "--serve-load" => return serve_load::main(args),
            "--reports" => options.sizes.push(number(args.next(), "--reports")),
            "--runs" => options.runs = number(args.next(), "--runs").max(1),
            "--edits" => options.edits = number(args.next(), "--edits").max(1),
            "--work" => options.work = PathBuf::from(args.next().expect("--work DIR")),
            "--no-hugo" => options.hugo = false,
            "--no-lychee" => options.lychee = false,
            "--no-serve" => options.serve = false,
            _ => {} // cargo bench passes --bench
        }
    }
    if options.sizes.is_empty() {
        options.sizes.push(1000);
    }
    fs::create_dir_all(&options.work).expect("create the work folder");
    let work = options.work.canonicalize().expect("work folder");
    let tools = Tools::find(&options);
    println!("portal: {PORTAL}");
    println!("hugo: {}", tools.hugo.as_deref().unwrap_or("not found: not compared"));
    println!("lychee: {}", tools.lychee.as_deref().unwrap_or("not found: not compared"));
    let mut tables = Vec::new();
    for &size in &options.sizes {
        let dir = work.join(size.to_string());
        if let Some(table) = bench_size(size, &dir, &options, &tools) {
            println!("\n{table}");
            tables.push(table);
        }
    }
    // Deleted at the end, never between timed runs: for minutes after a large tree is
    // deleted, ext4 creates directories several times slower.
    for &size in &options.sizes {
        remove_outputs(&work.join(size.to_string()));
    }
    if tables.len() > 1 {
        println!("\n## All sizes\n");
        for table in tables {
            println!("{table}\n");
        }
    }
}

/// `--generate N DIR`: what `scripts/gen-site` runs.
fn generate_command(reports: usize, dir: &Path, formats: gen_site::Formats) {
    if dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        eprintln!("{} is not empty: give an empty or new folder", dir.display());
        std::process::exit(2);
    }
    let start = Instant::now();
    gen_site::generate_in(dir, reports, formats);
    let (bytes, files) = tree_size(&dir.join("content"));
    println!(
        "{reports} reports ({} agencies) in {}: {:.1} MB in {files} files, {:.1} s",
        reports.div_ceil(gen_site::YEARS),
        dir.display(),
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
}

struct Tools {
    /// Version strings of the comparison tools found.
    hugo: Option<String>,
    lychee: Option<String>,
}

impl Tools {
    fn find(options: &Options) -> Self {
        let version = |program: &str, arg: &str| {
            let out = Command::new(program).arg(arg).output().ok().filter(|o| o.status.success())?;
            Some(String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_owned())
        };
        Self {
            hugo: if options.hugo { version("hugo", "version") } else { None },
            lychee: if options.lychee { version("lychee", "--version") } else { None },
        }
    }
}

/// One line of the results table.
struct Row {
    what: String,
    times: Vec<Duration>,
    peak_kib: Option<u64>,
    note: String,
}

impl Row {
    fn median(&self) -> Duration {
        let mut times = self.times.clone();
        times.sort();
        times[times.len() / 2]
    }
}

/// The results table of one size; `None` when the disk is too small for its outputs.
fn bench_size(size: usize, dir: &Path, options: &Options, tools: &Tools) -> Option<String> {
    println!("\n# {size} reports\n");
    fs::create_dir_all(dir).expect("create the size's folder");
    remove_outputs(dir); // left over from an interrupted run; before the warm-up
    if !enough_disk_space(dir, size, options.runs) {
        return None;
    }
    let site = dir.join("site");
    let stamp = fingerprint(&[GENERATOR_SOURCE, &size.to_string()]);
    reuse_or_make(&site, &stamp, |site| gen_site::generate(site, size));
    let (bytes, files) = tree_size(&site.join("content"));
    println!("site: {} ({:.1} MB in {files} files)", site.display(), bytes as f64 / 1e6);
    let site_arg = site.to_str().expect("UTF-8 path");
    let runs = options.runs;
    let mut rows = Vec::new();

    // A run keeps its state in the site's `.portal-cache/state.bin` for the next (docs/architecture.md):
    // each case is timed without it (cold) and with it, as an editor's runs have it.
    let state = site.join(".portal-cache").join("state.bin");
    let forget = || {
        let _ = fs::remove_file(&state);
    };
    // Fresh builds: a new numbered folder each run, none deleted meanwhile.
    let out = |i: usize| dir.join(format!("out-{i}"));
    let fresh = repeat("portal build, fresh (empty output folder, no kept state)", runs, |i| {
        forget();
        portal(&["build", "--root", site_arg, "--out", out(i).to_str().expect("UTF-8 path")])
    });
    let fresh_kept = repeat("portal build, fresh (empty output folder, state kept)", runs, |i| {
        portal(&["build", "--root", site_arg, "--out", out(runs + i).to_str().expect("UTF-8 path")])
    });
    let last = out(2 * runs);
    let (out_bytes, out_files) = tree_size(&last);
    println!("output: {:.1} MB in {out_files} files", out_bytes as f64 / 1e6);
    // What a fresh build cannot go below on this disk: its output's files, copied on
    // every core into a new folder, with nothing rendered; and the same without the CSV.
    let mut floor =
        repeat("floor: the output copied into an empty folder on both cores, nothing rendered", runs, |i| {
            copy_tree(&last, &dir.join(format!("out-floor-{i}")), |_| true)
        });
    let mut floor_html = repeat("floor: the same, without the open-data CSV files", runs, |i| {
        copy_tree(&last, &dir.join(format!("out-floor-html-{i}")), |name| !name.ends_with(".csv"))
    });
    (floor.peak_kib, floor_html.peak_kib) = (None, None);
    let last_arg = last.to_str().expect("UTF-8 path");
    let rebuild = repeat("portal build over the previous output, nothing changed", runs, |_| {
        portal(&["build", "--root", site_arg, "--out", last_arg])
    });
    let (_, _, report, original) = middle_report(&site);
    let rebuild_edit = repeat("portal build over the previous output, one report edited", runs, |i| {
        fs::write(&report, [original.as_slice(), format!("\n编辑标记 {i}。\n").as_bytes()].concat()).expect("edit");
        portal(&["build", "--root", site_arg, "--out", last_arg])
    });
    fs::write(&report, &original).expect("restore the report");
    let check_cold = repeat("portal check (validation + internal links), no kept state", runs, |_| {
        forget();
        portal(&["check", "--root", site_arg])
    });
    let check = repeat("portal check (validation + internal links), state kept", runs, |_| {
        portal(&["check", "--root", site_arg])
    });
    // The search index's share of a fresh build: the same without it, each run right after one with
    // it, so that the machine's drift over the minutes of a run falls on both alike.
    let site_toml = site.join("site.toml");
    let settings = fs::read_to_string(&site_toml).expect("read site.toml");
    let fresh_into = |name: String| {
        forget();
        portal(&["build", "--root", site_arg, "--out", dir.join(name).to_str().expect("UTF-8 path")])
    };
    let mut paired_with: Vec<Measured> = Vec::new();
    let fresh_no_search = repeat(
        "portal build, fresh, no kept state, without search ([search] enabled = false), each after one with it",
        runs,
        |i| {
            paired_with.push(fresh_into(format!("out-search-{i}")));
            fs::write(&site_toml, format!("{settings}\n[search]\nenabled = false\n")).expect("turn search off");
            let without = fresh_into(format!("out-no-search-{i}"));
            fs::write(&site_toml, &settings).expect("restore site.toml");
            without
        },
    );
    forget();
    // The archive's cost: the same agencies and years with every report in the 2021 format,
    // the site as it was before the 2019 format and free-form reports existed.
    let only_2021 = dir.join("site-2021");
    let stamp_2021 = fingerprint(&[GENERATOR_SOURCE, &size.to_string(), "only-2021"]);
    reuse_or_make(&only_2021, &stamp_2021, |site| gen_site::generate_in(site, size, gen_site::Formats::Only2021));
    let only_2021_arg = only_2021.to_str().expect("UTF-8 path");
    let state_2021 = only_2021.join(".portal-cache").join("state.bin");
    let fresh_2021 = repeat("2021-only site: portal build, fresh, no kept state", runs, |i| {
        let _ = fs::remove_file(&state_2021);
        let out = dir.join(format!("out-2021-{i}"));
        portal(&["build", "--root", only_2021_arg, "--out", out.to_str().expect("UTF-8 path")])
    });
    let check_2021 = repeat("2021-only site: portal check, no kept state", runs, |_| {
        let _ = fs::remove_file(&state_2021);
        portal(&["check", "--root", only_2021_arg])
    });
    let fresh_median = fresh.median();
    // The warm-up's pair (0) is left out, as `repeat` leaves out its run.
    let mut added: Vec<i128> = paired_with
        .iter()
        .skip(1)
        .zip(&fresh_no_search.times)
        .map(|(with, without)| with.wall.as_micros() as i128 - without.as_micros() as i128)
        .collect();
    added.sort_unstable();
    let with_peak = paired_with.iter().skip(1).map(|m| m.peak_kib).max().unwrap_or(0);
    let mut ratios = vec![format!(
        "the search index adds {} (median of {} pairs of fresh builds, with search and then without: {}) and {} of peak memory to a fresh build (no kept state)",
        signed_seconds(added.get(added.len() / 2).copied().unwrap_or(0)),
        added.len(),
        added.iter().map(|&us| signed_seconds(us)).collect::<Vec<_>>().join(", "),
        mebibytes(with_peak.saturating_sub(fresh_no_search.peak_kib.unwrap_or(0)))
    )];
    ratios.push(format!(
        "this site (free-form reports before 2019, the 2019 format for 2019–2020) / the 2021-only site: fresh build {:.2}×, check without kept state {:.2}×",
        fresh_median.as_secs_f64() / fresh_2021.median().as_secs_f64(),
        check_cold.median().as_secs_f64() / check_2021.median().as_secs_f64()
    ));
    ratios.extend(search_sizes(&last, size));
    ratios.push(browser_search(&last, dir));
    rows.extend([fresh, fresh_kept, fresh_no_search, floor, floor_html, rebuild, rebuild_edit, check_cold, check]);
    rows.extend([fresh_2021, check_2021]);
    // Where the time goes: `PORTAL_TIMINGS` makes portal print each stage's time.
    let timed = |args: &[&str]| {
        let m = run(Command::new(PORTAL).args(args).env("NO_COLOR", "1").env("PORTAL_TIMINGS", "1"));
        let lines: Vec<&str> = m.stderr.lines().filter(|l| l.starts_with("timing:")).collect();
        lines.join("; ")
    };
    println!("stages, build over the previous output: {}", timed(&["build", "--root", site_arg, "--out", last_arg]));
    println!("stages, check: {}", timed(&["check", "--root", site_arg]));
    rows.push(inspection_alone(&site, runs));

    if options.serve {
        rows.extend(serve_edits(&site, options.edits));
    }

    match &tools.lychee {
        Some(version) => {
            // lychee resolves root-relative links (`/xxgk/...`) under --root-dir: give it the base path.
            // --index-files: `dir/#id` is dir/index.html's fragment, as on a static server (without it
            // lychee looks for fragments in the directory itself and reports every such link).
            let root = dir.join("lychee-root");
            fs::create_dir_all(&root).expect("lychee root");
            std::os::unix::fs::symlink(&last, root.join("xxgk")).expect("symlink for lychee");
            let what = format!("{version} --offline --include-fragments --index-files index.html, portal's output");
            let mut row = repeat(&what, runs, |_| {
                run(Command::new("lychee")
                    .args(["--offline", "--include-fragments", "--index-files", "index.html", "--no-progress"])
                    .arg("--root-dir")
                    .arg(&root)
                    .arg(&last))
            });
            if let Some(code) = row.note.strip_prefix("exit ") {
                row.note = format!("exit status {code}: lychee reported links it could not resolve");
            }
            ratios.push(format!(
                "portal build, fresh (validation, rendering, writing and link inspection) / lychee alone: {:.2}×",
                fresh_median.as_secs_f64() / row.median().as_secs_f64()
            ));
            rows.push(row);
        }
        None => ratios.push("lychee: not installed, not compared".to_owned()),
    }
    match &tools.hugo {
        Some(version) => {
            let row = hugo(dir, size, runs, version);
            ratios.push(format!(
                "portal build, fresh / Hugo build, fresh: {:.2}×",
                fresh_median.as_secs_f64() / row.median().as_secs_f64()
            ));
            rows.push(row);
        }
        None => ratios.push("Hugo: not installed, not compared".to_owned()),
    }

    let mut table = format!("| {size} reports, median of {runs} | wall | peak memory | |\n|---|---|---|---|\n");
    for row in &rows {
        let peak = row.peak_kib.map_or("–".to_owned(), mebibytes);
        table.push_str(&format!("| {} | {} | {peak} | {} |\n", row.what, seconds(row.median()), row.note));
    }
    table.push('\n');
    for ratio in ratios {
        table.push_str(&format!("- {ratio}\n"));
    }
    Some(table)
}

/// One warm-up, then `runs` timed runs (`f` gets 0 for the warm-up, then 1..=runs).
/// The dead-link inspection on its own: every page is rendered first (not
/// timed), then inspected on both cores, then links across pages. In a child
/// process (this bench, `--time-inspection`): a child started from a bench
/// that had loaded a large site would report that memory as its own peak.
fn inspection_alone(site: &Path, runs: usize) -> Row {
    eprint!("dead-link inspection alone:");
    let out = Command::new(std::env::current_exe().expect("the bench's path"))
        .args(["--time-inspection", &runs.to_string()])
        .arg(site)
        .output()
        .expect("run the bench as a child");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut row = Row { what: String::new(), times: Vec::new(), peak_kib: None, note: String::new() };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(links) = line.strip_prefix("links ") {
            row.what = format!("dead-link inspection alone ({links} links, pages rendered beforehand)");
        } else if let Ok(nanos) = line.parse::<u64>() {
            let time = Duration::from_nanos(nanos);
            eprint!(" {}", seconds(time));
            row.times.push(time);
        }
    }
    eprintln!();
    row.note = "in process, both cores".to_owned();
    row
}

/// `--time-inspection RUNS SITE`: prints each run's time (nanoseconds) and the links, after a warm-up.
fn time_inspection(runs: usize, site: &Path) {
    let prepared = portal::pipeline::prepare(site, &portal::publish::Publish::from_env(portal::publish::Drafts::Hold))
        .result
        .unwrap_or_else(|_| panic!("{} does not check", site.display()));
    for i in 0..=runs {
        let (time, links) = prepared.time_inspection().expect("renders");
        if i == 0 {
            println!("links {links}");
        } else {
            println!("{}", time.as_nanos());
        }
    }
}

fn repeat(what: &str, runs: usize, mut f: impl FnMut(usize) -> Measured) -> Row {
    eprint!("{what}: warm-up");
    let warm = f(0);
    eprint!(" {}", seconds(warm.wall));
    let mut row = Row { what: what.to_owned(), times: Vec::new(), peak_kib: Some(0), note: String::new() };
    for i in 1..=runs {
        let m = f(i);
        eprint!(", {}", seconds(m.wall));
        row.times.push(m.wall);
        row.peak_kib = row.peak_kib.max(Some(m.peak_kib));
        if let Some(code) = m.failed {
            row.note = format!("exit {code}");
        }
    }
    eprintln!();
    row
}

struct Measured {
    wall: Duration,
    peak_kib: u64,
    /// Exit status of a command allowed to fail.
    failed: Option<i32>,
    stderr: String,
}

fn portal(args: &[&str]) -> Measured {
    let m = run(Command::new(PORTAL).args(args).env("NO_COLOR", "1"));
    match m.failed {
        None => {}
        // SIGKILL with no output: most likely the kernel's out-of-memory killer.
        Some(-9) => panic!("portal {args:?} was killed (signal 9: out of memory?):\n{}", m.stderr),
        Some(code) => panic!("portal {args:?} failed ({code}):\n{}", m.stderr),
    }
    m
}

/// Wall time and peak resident memory of one command; its stderr is kept.
fn run(command: &mut Command) -> Measured {
    let mut stderr = tempfile::tempfile().expect("temp file for stderr");
    let start = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr.try_clone().expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let (status, peak_kib) = reap(child);
    let wall = start.elapsed();
    let mut text = String::new();
    let _ = std::io::Seek::rewind(&mut stderr);
    let _ = stderr.read_to_string(&mut text);
    let failed = (!libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0)
        .then(|| if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -libc::WTERMSIG(status) });
    Measured { wall, peak_kib, failed, stderr: text }
}

/// Waits for a child with wait4, which (unlike `Child::wait`) reports its peak
/// memory: (raw status, peak resident KiB).
fn reap(child: Child) -> (i32, u64) {
    let pid = child.id() as libc::pid_t;
    // Reaped here, not by `Child::wait`.
    #[allow(clippy::zombie_processes)]
    drop(child);
    let mut status = 0;
    // SAFETY: `rusage` is plain data; wait4 fills it for our own child, not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 failed");
    (status, usage.ru_maxrss as u64)
}

/// Hugo on the comparison corpus of the same size, fresh folder each run.
fn hugo(dir: &Path, size: usize, runs: usize, version: &str) -> Row {
    let corpus = dir.join("hugo-corpus");
    let agencies = size.div_ceil(gen_site::YEARS).to_string();
    let stamp = fingerprint(&[CORPUS_SOURCE, &agencies]);
    reuse_or_make(&corpus, &stamp, |corpus| {
        let script = Path::new(REPO).join("benches/hugo_corpus.py");
        let status = Command::new("python3")
            .arg(script)
            .arg("--out")
            .arg(corpus)
            .args(["--agencies", &agencies, "--formats", "hugo"])
            .stdout(Stdio::null())
            .status()
            .expect("python3 benches/hugo_corpus.py");
        assert!(status.success(), "hugo_corpus.py failed");
    });
    // `hugo v0.111.3+extended linux/amd64 …` → `0.111.3`
    let short = version.split_whitespace().nth(1).unwrap_or(version).trim_start_matches('v');
    let short = short.split('+').next().unwrap_or(short);
    let mut row = repeat(&format!("Hugo {short} build, fresh (comparison corpus, same size)"), runs, |i| {
        let m = run(Command::new("hugo")
            .args(["--quiet", "--source"])
            .arg(corpus.join("hugo"))
            .arg("--destination")
            .arg(dir.join(format!("hugo-out-{i}"))));
        assert!(m.failed.is_none(), "hugo failed:\n{}", m.stderr);
        m
    });
    row.note = "tables in Markdown, no validation or link inspection".to_owned();
    row
}

/// The one-edit rebuild of `portal serve`: append a marker to one report, time
/// until the `reload` event and until the page shows the marker. The report is
/// restored afterwards.
fn serve_edits(site: &Path, edits: usize) -> Vec<Row> {
    let (slug, year, file, original) = middle_report(site);

    let start = Instant::now();
    let mut server = Server::start(site);
    let started = start.elapsed();
    eprintln!("portal serve: first build and listening in {}", seconds(started));
    let page = format!("{}{year}/{slug}/", server.base);
    let body = server.get(&page);
    assert!(body.contains("年政府信息公开工作年度报告"), "the report page is served: {page}");
    // A first search makes the index (docs/search.md); each edit then updates it in place.
    let t = Instant::now();
    let meta = server.get(&format!("{}search/meta.json", server.base));
    let first_search = t.elapsed();
    let shards: u32 = meta
        .split_once("\"shards\":")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .expect("search/meta.json gives the shard count");
    let reloads = server.events();

    let nonce = std::process::id();
    let (mut to_reload, mut to_page, mut to_search) = (Vec::new(), Vec::new(), Vec::new());
    eprint!("portal serve, one edit → reload event / page / search index:");
    for i in 0..edits {
        // Quiet before each edit, so that a late event of the last rebuild is not taken for this one.
        thread::sleep(Duration::from_millis(300));
        while reloads.try_recv().is_ok() {}
        // Its ASCII run is one search token: the shard that holds it shows when the index has the edit.
        let word = format!("{nonce}x{i}");
        let marker = format!("基准测试标记{word}");
        let shard = format!("{}search/s/{}.bin", server.base, search_bytes::shard_of(&word, shards));
        let t0 = Instant::now();
        let mut f = fs::OpenOptions::new().append(true).open(&file).expect("open report.md");
        f.write_all(format!("\n{marker}。\n").as_bytes()).expect("append to report.md");
        drop(f);
        let deadline = t0 + Duration::from_secs(600);
        let page_at = loop {
            if server.get(&page).contains(&marker) {
                break t0.elapsed();
            }
            assert!(Instant::now() < deadline, "the edit never reached the page");
            // Every 2 ms at first; later 1 % of the time so far, so that polling does not slow a long rebuild.
            thread::sleep(Duration::from_millis(2).max(t0.elapsed() / 100));
        };
        let search_at = loop {
            if server.get(&shard).contains(&word) {
                break t0.elapsed();
            }
            assert!(Instant::now() < deadline, "the edit never reached the search index");
            thread::sleep(Duration::from_millis(2).max(t0.elapsed() / 100));
        };
        let reload_at = reloads.recv_timeout(Duration::from_secs(600)).expect("a reload event").duration_since(t0);
        eprint!(" {}/{}/{}", seconds(reload_at), seconds(page_at), seconds(search_at));
        to_reload.push(reload_at);
        to_page.push(page_at);
        to_search.push(search_at);
    }
    eprintln!();
    fs::write(&file, &original).expect("restore report.md");
    let peak_kib = server.stop();
    vec![
        Row {
            what: "portal serve: start until serving (first build)".to_owned(),
            times: vec![started],
            peak_kib: Some(peak_kib),
            note: "peak memory of the whole serve session".to_owned(),
        },
        Row {
            what: format!("portal serve: one edit → `reload` event (median of {edits} edits)"),
            times: to_reload,
            peak_kib: None,
            note: "includes the 30 ms wait for more events".to_owned(),
        },
        Row {
            what: format!("portal serve: one edit → page shows it (median of {edits} edits)"),
            times: to_page,
            peak_kib: None,
            note: "polled every 2 ms (1 % of the wait after 200 ms)".to_owned(),
        },
        Row {
            what: "portal serve: first search (`search/meta.json`: the index is made)".to_owned(),
            times: vec![first_search],
            peak_kib: None,
            note: String::new(),
        },
        Row {
            what: format!("portal serve: one edit → search index has it (median of {edits} edits)"),
            times: to_search,
            peak_kib: None,
            note: "its shard polled after the page showed it".to_owned(),
        },
    ]
}

/// A `portal serve --port 0` we started; stopped by `stop` or when dropped.
struct Server {
    child: Option<Child>,
    /// `127.0.0.1:PORT`.
    host: String,
    /// The path the site is served under, e.g. `/xxgk/`.
    base: String,
}

impl Server {
    fn start(site: &Path) -> Self {
        Self::start_with(Path::new(PORTAL), site)
    }

    /// [`Server::start`] with another `portal` binary.
    fn start_with(portal: &Path, site: &Path) -> Self {
        let mut child = Command::new(portal)
            .args(["serve", "--port", "0", "--root"])
            .arg(site)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start portal serve");
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let tx = tx.clone();
            thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        // The address is printed once the first build is served: `预览地址：http://HOST/BASE/（…）`.
        let line = loop {
            match lines.recv_timeout(Duration::from_secs(600)) {
                Ok(line) if line.contains("http://") => break line,
                Ok(_) => {}
                Err(_) => panic!("portal serve printed no address"),
            }
        };
        // Keep draining the output, so that the server never blocks on a full pipe.
        thread::spawn(move || while lines.recv().is_ok() {});
        let url = line.split("http://").nth(1).expect("address").split(['（', ' ']).next().expect("address");
        let (host, path) = url.split_once('/').unwrap_or((url, ""));
        Self { child: Some(child), host: host.to_owned(), base: format!("/{path}") }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.host).expect("connect to portal serve");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.host).expect("request");
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).expect("response");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Opens `<base>__portal/events`; the instant of each `reload` event arrives on the channel.
    fn events(&self) -> mpsc::Receiver<Instant> {
        let mut stream = TcpStream::connect(&self.host).expect("connect to portal serve");
        write!(stream, "GET {}__portal/events HTTP/1.1\r\nHost: {}\r\n\r\n", self.base, self.host).expect("request");
        let mut reader = BufReader::new(stream);
        let (tx, rx) = mpsc::channel();
        let mut line = String::new();
        // The greeting (`event: hello`) comes first; wait for it so that no reload is missed.
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && !line.starts_with("event: hello") {
            line.clear();
        }
        thread::spawn(move || {
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if line.trim_end() == "event: reload" && tx.send(Instant::now()).is_err() {
                    break;
                }
                line.clear();
            }
        });
        rx
    }

    /// Stops the server; its peak resident memory in KiB.
    fn stop(&mut self) -> u64 {
        let Some(mut child) = self.child.take() else { return 0 };
        let _ = child.kill();
        reap(child).1
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Makes `dir` with `make` unless it was made with the same `stamp`; the stamp
/// file sits beside it, so the site holds nothing but the site.
fn reuse_or_make(dir: &Path, stamp: &str, make: impl FnOnce(&Path)) {
    let stamp_file = dir.with_extension("stamp");
    if dir.is_dir() && fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        println!("reusing {}", dir.display());
        return;
    }
    let _ = fs::remove_file(&stamp_file);
    // Set aside, not deleted: deleting a large tree slows the timed runs that follow (remove_outputs).
    if dir.exists() && fs::rename(dir, dir.with_extension("stale")).is_err() {
        let _ = fs::remove_dir_all(dir);
    }
    let start = Instant::now();
    make(dir);
    fs::write(&stamp_file, stamp).expect("write the stamp");
    println!("generated {} in {}", dir.display(), seconds(start.elapsed()));
}

fn fingerprint(parts: &[&str]) -> String {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// A report in the middle of the site (so nothing depends on its being first
/// or last): agency folder, year, its `report.md` and that file's text.
fn middle_report(site: &Path) -> (String, u16, PathBuf, Vec<u8>) {
    let agencies = fs::read_dir(site.join("content")).expect("content").count();
    let slug = format!("agency-{:05}", agencies / 2);
    let year = fs::read_dir(site.join("content").join(&slug))
        .expect("agency folder")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u16>().ok())
        .max()
        .expect("a year");
    let file = site.join(format!("content/{slug}/{year}/report.md"));
    let original = fs::read(&file).expect("read report.md");
    (slug, year, file, original)
}

/// Everything the timed runs wrote under a size's folder, and generated sources set aside as stale.
fn remove_outputs(dir: &Path) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("out-")
            || name.starts_with("hugo-out-")
            || name == "lychee-root"
            || name == "search-root"
            || name.ends_with(".stale")
        {
            let path = entry.path();
            let _ = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
        }
    }
}

/// Whether a size's outputs fit on the disk (each run writes a whole new site); says why not.
fn enough_disk_space(dir: &Path, size: usize, runs: usize) -> bool {
    let path = std::ffi::CString::new(dir.to_str().expect("UTF-8 path")).expect("path");
    // SAFETY: `statvfs` is plain data, filled for a NUL-terminated path.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut st) } != 0 {
        return true;
    }
    let free = st.f_bavail as u64 * st.f_frsize as u64;
    // 2 × runs + 1 fresh builds (with the warm-up), runs + 1 pairs with and without search, runs + 1
    // of the 2021-only site, runs + 1 copies of one for the floor, and as many copies without the
    // CSV, a fifth of the size each.
    let folders = 6 * runs as u64 + 6;
    let need = OUTPUT_BYTES_PER_REPORT * size as u64 * folders * 6 / 5;
    if need > free {
        eprintln!(
            "{size} reports need about {:.0} GB for {folders} output folders; {:.0} GB are free under {}: skipped. Use fewer --runs or another --work.",
            need as f64 / 1e9,
            free as f64 / 1e9,
            dir.display()
        );
        return false;
    }
    true
}

/// A difference of two times, in microseconds, as [`seconds`] writes a time.
fn signed_seconds(us: i128) -> String {
    let magnitude = seconds(Duration::from_micros(us.unsigned_abs() as u64));
    if us < 0 { format!("−{magnitude}") } else { magnitude }
}

fn seconds(d: Duration) -> String {
    match d.as_secs_f64() {
        s if s < 1.0 => format!("{:.0} ms", s * 1000.0),
        s => format!("{s:.2} s"),
    }
}

fn mebibytes(kib: u64) -> String {
    match kib as f64 / 1024.0 {
        m if m >= 1024.0 => format!("{:.1} GiB", m / 1024.0),
        m => format!("{m:.0} MiB"),
    }
}

/// Copies the files under `from` whose name passes `keep` into `to`, a new
/// folder: the folders first, then the files on every core (`fs::copy`, so the
/// bytes never pass through this process). Timed like a run; peak memory is
/// not a process's here.
fn copy_tree(from: &Path, to: &Path, keep: impl Fn(&str) -> bool + Sync) -> Measured {
    use rayon::prelude::*;
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in fs::read_dir(from.join(&rel)).expect("read the output").flatten() {
            let path = rel.join(entry.file_name());
            if entry.file_type().expect("file type").is_dir() {
                stack.push(path.clone());
                dirs.push(path);
            } else if keep(&entry.file_name().to_string_lossy()) {
                files.push(path);
            }
        }
    }
    dirs.sort(); // parents before children
    let start = Instant::now();
    fs::create_dir(to).expect("the copy's folder");
    for d in &dirs {
        fs::create_dir(to.join(d)).expect("create a folder");
    }
    files.par_iter().for_each(|f| {
        fs::copy(from.join(f), to.join(f)).expect("copy a file");
    });
    Measured { wall: start.elapsed(), peak_kib: 0, failed: None, stderr: String::new() }
}

/// The bench's queries typed in chromium on the search page of the output `out`, served by
/// Python's static server on loopback under the base path (`tests/clients/search.mjs`, its
/// `queries` gate alone): the time from the last key until the results settled, which includes
/// the script's 100 ms pause after typing. A line for the table; says why when the tools that
/// `scripts/test-deps` installs are missing.
fn browser_search(out: &Path, dir: &Path) -> String {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let driver = Path::new(REPO).join("tests/clients");
    let have = |program: &str| Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    if !have("node")
        || !have("python3")
        || !Path::new(&chromium).exists()
        || !driver.join("node_modules/playwright-core").is_dir()
    {
        return "search in the browser: not measured (node, python3, chromium and tests/clients' modules: run scripts/test-deps)".to_owned();
    }
    let root = dir.join("search-root");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).expect("search root");
    std::os::unix::fs::symlink(out, root.join("xxgk")).expect("symlink for the static server");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let mut server = Command::new("python3")
        .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the static server did not start");
        thread::sleep(Duration::from_millis(50));
    }
    let queries: Vec<serde_json::Value> = QUERIES
        .iter()
        .map(|q| serde_json::json!({ "name": "bench", "q": q, "first": null, "only": false, "marks": [], "none": false }))
        .collect();
    let config = serde_json::json!({ "base": format!("http://127.0.0.1:{port}/xxgk/"), "gates": ["queries"], "queries": queries });
    let config_path = dir.join("search-root").join("config.json");
    fs::write(&config_path, config.to_string()).expect("write the browser config");
    let run = Command::new("node").arg(driver.join("search.mjs")).arg(&config_path).env("CHROMIUM", &chromium).output();
    let _ = server.kill();
    let _ = server.wait();
    let run = run.expect("node search.mjs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        return format!(
            "search in the browser: failed: {}{}",
            stdout.trim(),
            String::from_utf8_lossy(&run.stderr).trim()
        );
    }
    // "search/ query bench “政务公开 培训”: 10 shown, first …, marks […] (183 ms after the last key)"
    let mut times: Vec<(String, u64)> = stdout
        .lines()
        .filter_map(|l| {
            let q = l.split_once('“')?.1.split_once('”')?.0;
            let ms = l.rsplit_once(" (")?.1.strip_suffix(" ms after the last key)")?.parse().ok()?;
            Some((q.to_owned(), ms))
        })
        .collect();
    let detail: Vec<String> = times.iter().map(|(q, ms)| format!("{q} {ms} ms")).collect();
    times.sort_by_key(|t| t.1);
    match (times.get(times.len() / 2), times.last()) {
        (Some(median), Some(max)) => format!(
            "search in chromium over a static server on loopback: results {} ms (median), {} ms at most after the last key, including the script's 100 ms pause: {}",
            median.1,
            max.1,
            detail.join("; ")
        ),
        _ => format!("search in the browser: no timing in the driver's output: {}", stdout.trim()),
    }
}

/// The search index's size, what a search downloads (`search_bytes.rs`), and the size of the
/// pages that list every agency, from a fresh output `out` of `size` reports: lines for the table.
fn search_sizes(out: &Path, size: usize) -> Vec<String> {
    let kb = |b: u64| format!("{:.1} KB", b as f64 / 1e3);
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
    let search = out.join("search");
    let (total, files) = tree_size(&search);
    let (shards, shard_files) = tree_size(&search.join("s"));
    let (texts, _) = tree_size(&search.join("d"));
    let meta = fs::metadata(search.join("meta.json")).map_or(0, |m| m.len());
    let mut lines = vec![format!(
        "search index: {} in {files} files ({} a report): meta.json {}, postings {} in {shard_files} shards, texts {}",
        mb(total),
        kb(total / size as u64),
        kb(meta),
        mb(shards),
        mb(texts)
    )];
    let (index, fixed) = search_bytes::Index::open(out, &search);
    let mut per_query: Vec<search_bytes::QueryBytes> = QUERIES.iter().map(|q| index.query(q)).collect();
    let detail: Vec<String> = per_query
        .iter()
        .map(|q| {
            let (query, total, texts, packs) = (&q.query, kb(q.total()), q.documents_fetched, q.packs_fetched);
            format!("{query} {total} ({texts} texts in {packs} packs, {} shown)", q.results)
        })
        .collect();
    per_query.sort_by_key(|q| q.total());
    let median = per_query[per_query.len() / 2].total();
    let max = per_query.last().map_or(0, |q| q.total());
    let shards_max = per_query.iter().map(|q| q.shards).max().unwrap_or(0);
    lines.push(format!(
        "a first search fetches {} of fixed payload (search.js {}, meta.json {}), {} with the search page; a two-word query {} (median), {} at most, of which shards at most {}: {}",
        kb(fixed[0] + fixed[1]),
        kb(fixed[0]),
        kb(fixed[1]),
        kb(fixed.iter().sum()),
        kb(median),
        kb(max),
        kb(shards_max),
        detail.join("; ")
    ));
    let page = |path: &str| fs::metadata(out.join(path)).map_or(0, |m| m.len());
    let latest = fs::read_dir(out)
        .expect("the output")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u16>().ok())
        .max()
        .unwrap_or(0);
    lines.push(format!(
        "pages that list every agency: home {}, year page ({latest}) {}, agency index {}",
        kb(page("index.html")),
        kb(page(&format!("{latest}/index.html"))),
        kb(page("agencies/index.html"))
    ));
    lines
}

/// Bytes and files under `dir`.
fn tree_size(dir: &Path) -> (u64, usize) {
    let (mut bytes, mut files) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(entry.path()),
                Ok(_) => {
                    bytes += entry.metadata().map_or(0, |m| m.len());
                    files += 1;
                }
                Err(_) => {}
            }
        }
    }
    (bytes, files)
}
