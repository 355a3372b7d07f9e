//! The `portal` command line: parse arguments, run the pipeline, print
//! diagnostics, set the exit status. Nothing else lives here.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use portal::diagnostics::Diagnostics;
use portal::import::{self, FileOutcome};
use portal::linkcheck::external;
use portal::linkcheck::report::LinkReport;
use portal::pipeline::{self, BuildError, Outcome};
use portal::scaffold::{self, ScaffoldError};
use portal::serve::{self, WatchMode};
use portal::sources::Sources;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Static site generator for government information-disclosure annual reports"
)]
struct Cli {
    /// Site root (the folder holding site.toml and content/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the data and write the site.
    Build {
        /// Output folder (default: <root>/public). Replaced as a whole when the build succeeds.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Preview the site: build in memory, serve it, rebuild and reload the browser on every save.
    Serve {
        /// Address to listen on; 0.0.0.0 or :: makes the preview reachable from other machines.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
        /// Scan for changes instead of waiting for file events (network drives, WSL2, Docker mounts).
        #[arg(long)]
        poll: bool,
    },
    /// Validate the data and inspect the links without writing anything.
    Check {
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also fetch every external link (http/https outside the site).
        #[arg(long)]
        external: bool,
        /// Count links that cannot be verified (403, 429, timeouts) as broken.
        #[arg(long, requires = "external")]
        strict: bool,
        /// Do not fetch external URLs matching this regular expression (repeatable; adds to site.toml's links.exclude).
        #[arg(long, value_name = "REGEX", requires = "external")]
        exclude: Vec<String>,
        /// Write the link-check report (链接检查报告) as an HTML page here.
        #[arg(long, value_name = "PATH")]
        report: Option<PathBuf>,
        /// Fetch every external link again instead of using results younger than an hour.
        #[arg(long, requires = "external")]
        no_cache: bool,
        /// Seconds to wait for each external request.
        #[arg(long, default_value_t = 15, requires = "external")]
        timeout: u64,
    },
    /// Create a new site: site.toml, a README for its editors, one example agency.
    Init {
        /// Folder of the new site (default: --root). Must be empty unless --force.
        dir: Option<PathBuf>,
        /// Reporting year of the example report (default: last year).
        #[arg(long)]
        year: Option<String>,
        /// Write into a non-empty folder, overwriting the files init writes.
        #[arg(long)]
        force: bool,
    },
    /// Create an agency (AGENCY), or a year's report of an agency (AGENCY YEAR).
    New {
        /// Agency folder name, used in URLs: `example-bureau`, or a Chinese name.
        agency: String,
        /// Reporting year: writes content/AGENCY/YEAR/report.md and data.toml.
        year: Option<String>,
        /// Full name of a new agency (default: AGENCY, when it is Chinese).
        #[arg(long, conflicts_with = "year")]
        name: Option<String>,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Import published reports (.txt, .docx, saved .html pages) into content/.
    Import {
        /// Report files to import.
        #[arg(required_unless_present = "dir", conflicts_with = "dir")]
        files: Vec<PathBuf>,
        /// Import every report file found under this folder (a saved copy of an old portal's 年报 column).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Agency folder name (default: inferred from the report's title).
        #[arg(long)]
        agency: Option<String>,
        /// Reporting year (default: inferred from the title; one file only).
        #[arg(long)]
        year: Option<String>,
        /// Overwrite an existing report.md and data.toml.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// rustc-style, for people.
    Text,
    /// One JSON document on stdout, for tools.
    Json,
}

// A build allocates and frees many small strings on both cores; mimalloc
// spends less time on it than the system allocator (measured in docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options, numbered as in its (v3) `mimalloc.h`; a test checks
/// the numbers against their defaults.
mod mi_option {
    pub const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    pub const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
}

/// For a build or a check, memory freed is handed back after 10 ms rather
/// than a second, and arenas are committed as they are used: resident memory
/// is about what the run holds. Handing it back at once costs more than it
/// saves: on this kind of machine a page handed back costs about 2 µs when
/// touched again, and a fresh build of 10,000 reports spent a second of
/// system time on that (5.5 s and 109 MiB at 0 ms, 4.4 s and 113 MiB at
/// 10 ms, 150 MiB at the default). `portal serve` never hands memory back:
/// each edit would touch it again, which took an edit of a 10,000-report
/// site from 40 ms to 200 ms. Either option is left as set in the
/// environment (`MIMALLOC_PURGE_DELAY`, `MIMALLOC_ARENA_EAGER_COMMIT`).
fn tune_allocator(serving: bool) {
    for (option, name, value) in [
        (mi_option::PURGE_DELAY, "MIMALLOC_PURGE_DELAY", if serving { -1 } else { 10 }),
        (mi_option::ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0),
    ] {
        if std::env::var_os(name).is_none() {
            // SAFETY: setting an option is a plain store into mimalloc's option table, allowed at any time.
            unsafe { libmimalloc_sys::mi_option_set(option, value) };
        }
    }
}

/// Transparent huge pages off for this process: mimalloc asks for them for
/// its arenas, and a 2 MiB page a run touches only in part is resident whole
/// (at 10,000 reports, A/B: `check` without a kept state 104 → 86 MiB, a build
/// after one edit 116 → 94 MiB, no slower). Not for `portal serve`, which
/// walks its whole site on each edit: with small pages an edit took 250 ms
/// instead of 25. `MIMALLOC_ALLOW_THP` in the environment decides instead
/// (mimalloc reads it before `main`); the process flag applies to every page
/// fault after it, whatever mimalloc asked for before.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE sets a flag of this process and touches no memory of ours.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve { .. });
    if !serving {
        no_huge_pages();
    }
    tune_allocator(serving);
    match cli.command {
        Command::Build { out } => {
            let out = out.unwrap_or_else(|| cli.root.join("public"));
            let outcome = pipeline::build(&cli.root, &out);
            emit(&outcome.diagnostics, &outcome.sources);
            match outcome.result {
                Ok(s) => {
                    say(&format!(
                        "已生成 {} 个页面（{} 份报告，共 {} 个文件，其中 {} 个有变化），用时 {:.2} 秒 → {}",
                        s.pages,
                        s.reports,
                        s.files,
                        s.written,
                        s.elapsed.as_secs_f64(),
                        out.display()
                    ));
                    ExitCode::SUCCESS
                }
                Err(BuildError::Invalid) => {
                    eprintln!("{}；{} 保持不变", summary(&outcome.diagnostics), out.display());
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("错误：{e}；{} 保持不变", out.display());
                    ExitCode::FAILURE
                }
            }
        }
        Command::Serve { bind, port, open, poll } => {
            let options = serve::Options {
                root: cli.root,
                bind,
                port,
                watch: if poll { WatchMode::Poll } else { WatchMode::Native },
            };
            let result = serve::serve(options, |event| match event {
                serve::Event::Listening { url, watch } => {
                    say(&format!("预览地址：{url}（文件监视：{}；按 Ctrl+C 停止）", watch.describe()));
                    if open {
                        open_browser(&url);
                    }
                }
                serve::Event::Built { outcome, elapsed, changed } => {
                    if let Some(first) = changed.first() {
                        let more =
                            if changed.len() > 1 { format!(" 等 {} 个文件", changed.len()) } else { String::new() };
                        say(&format!("检测到修改：{}{more}", first.display()));
                    }
                    emit(&outcome.diagnostics, &outcome.sources);
                    match &outcome.result {
                        Ok(r) => say(&format!(
                            "已生成 {} 份报告，用时 {:.2} 秒{}",
                            r.reports(),
                            elapsed.as_secs_f64(),
                            if outcome.diagnostics.is_empty() {
                                String::new()
                            } else {
                                format!("；{}", summary(&outcome.diagnostics))
                            }
                        )),
                        Err(BuildError::Invalid) => {
                            eprintln!("{}；浏览器中显示错误，修改保存后自动刷新", summary(&outcome.diagnostics))
                        }
                        Err(e) => eprintln!("错误：{e}；浏览器中显示错误，修改保存后自动刷新"),
                    }
                }
                serve::Event::WatchError(e) => eprintln!("文件监视出错：{e}"),
            });
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("错误：{e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check { format, external, strict, exclude, report, no_cache, timeout } => {
            // Every file is produced in memory (nothing is written) so that its links are inspected too.
            // External links are listed only for what looks at them: fetching, or the report.
            let checked = pipeline::inspect(&cli.root, external || report.is_some());
            let links = LinkOptions { external, strict, exclude, report, no_cache, timeout };
            let (link_report, link_failure) = match check_links(&cli.root, &checked, &links) {
                Ok(r) => r,
                Err(message) => {
                    eprintln!("错误：{message}");
                    return ExitCode::FAILURE;
                }
            };
            match format {
                Format::Text => {
                    emit(&checked.diagnostics, &checked.sources);
                    if let Some(r) = &link_report {
                        print_link_report(r);
                    }
                    if !link_failure || !checked.diagnostics.is_empty() {
                        eprintln!("{}", summary(&checked.diagnostics));
                    }
                }
                Format::Json => {
                    let mut json = checked.diagnostics.to_json(&checked.sources);
                    if let Some(r) = &link_report {
                        json["links"] = serde_json::to_value(r).unwrap_or_default();
                    }
                    say(&format!("{json:#}"));
                }
            }
            if checked.diagnostics.has_errors() || link_failure { ExitCode::FAILURE } else { ExitCode::SUCCESS }
        }
        Command::Init { dir, year, force } => {
            let dir = dir.unwrap_or(cli.root);
            authoring(init(&dir, year.as_deref(), force))
        }
        Command::New { agency, year: Some(year), force, .. } => {
            authoring(scaffold::new_report(&cli.root, &agency, &year, force).map(|report| {
                let mut lines: Vec<String> = report.files.iter().map(|f| format!("已创建 {}", f.display())).collect();
                lines.extend(report.notes.iter().map(|n| format!("· {n}")));
                lines.push("下一步：在 report.md 中写正文，在 data.toml 中填写数字，然后运行 portal check".to_owned());
                lines
            }))
        }
        Command::Import { files, dir, agency, year, force } => {
            let options = import::Options { agency, year, force };
            import(&cli.root, &files, dir.as_deref(), &options)
        }
        Command::New { agency, year: None, name, force } => {
            authoring(scaffold::new_agency(&cli.root, &agency, name.as_deref(), force).map(|created| {
                vec![
                    format!("已创建 {}（机构全称：{}）", created.path.display(), created.name),
                    format!("下一步：portal new {agency} <年份>，例如 portal new {agency} {}", scaffold::last_year()),
                ]
            }))
        }
    }
}

/// `portal import`: each file's outcome, then the same checks as `portal check`.
fn import(
    root: &std::path::Path,
    files: &[PathBuf],
    dir: Option<&std::path::Path>,
    options: &import::Options,
) -> ExitCode {
    let outcomes = match dir {
        Some(dir) => import::import_dir(root, dir, options),
        None => import::import_files(root, files, options),
    };
    let outcomes = match outcomes {
        Ok(o) => o,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut imported, mut failed) = (0, 0);
    for FileOutcome { file, result } in &outcomes {
        match result {
            Ok(done) => {
                imported += 1;
                say(&format!(
                    "导入 {} → content/{}/{}/（读到 {} 个数字）",
                    file.display(),
                    done.slug,
                    done.year,
                    done.cells
                ));
                for line in &done.inferred {
                    say(&format!("  推断 {line}"));
                }
                for f in &done.files {
                    say(&format!("  已写入 {}", f.display()));
                }
                if !done.findings.is_empty() {
                    say(&format!("  需要核对（{} 处）：", done.findings.len()));
                    for finding in &done.findings {
                        say(&format!("  [{}] {finding}", finding.kind.label()));
                    }
                }
            }
            Err(e) => {
                failed += 1;
                let verb = if dir.is_some() { "跳过" } else { "未导入" };
                eprintln!("{verb} {}：{e}", file.display());
            }
        }
    }
    if dir.is_some() {
        say(&format!("共 {} 个文件：导入 {imported} 个，跳过 {failed} 个", outcomes.len()));
    }
    if imported == 0 {
        return ExitCode::FAILURE;
    }
    say("检查导入后的站点（与 portal check 相同）：");
    let checked = pipeline::check(root);
    emit(&checked.diagnostics, &checked.sources);
    eprintln!("{}", summary(&checked.diagnostics));
    let refused = dir.is_none() && failed > 0;
    if refused || checked.diagnostics.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn init(dir: &std::path::Path, year: Option<&str>, force: bool) -> Result<Vec<String>, ScaffoldError> {
    let year = match year {
        Some(y) => scaffold::parse_year(y)?,
        None => scaffold::last_year(),
    };
    let done = scaffold::init(dir, year, force)?;
    let mut lines = vec![format!("已在 {} 创建站点：", dir.display())];
    let files = done.files.iter().chain([&done.agency.path]).chain(&done.report.files);
    lines.extend(files.map(|f| format!("  {}", f.display())));
    lines.push(format!(
        "示例机构“{}”（content/{}/）及其 {year} 年度报告可以参照填写，用不着时删除整个文件夹",
        done.agency.name,
        scaffold::EXAMPLE_SLUG
    ));
    lines.push("下一步：修改 site.toml 中的站点名称、发布地址和页脚信息，然后运行 portal build".to_owned());
    Ok(lines)
}

/// Prints what an authoring command did, or why it did nothing.
fn authoring(result: Result<Vec<String>, ScaffoldError>) -> ExitCode {
    match result {
        Ok(lines) => {
            for line in lines {
                say(&line);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

struct LinkOptions {
    external: bool,
    strict: bool,
    exclude: Vec<String>,
    report: Option<PathBuf>,
    no_cache: bool,
    timeout: u64,
}

/// Fetches external links when asked and writes the HTML report when asked.
/// Returns the report (when links were looked at beyond the build's own
/// inspection) and whether it found a failure.
fn check_links<T>(root: &Path, checked: &Outcome<T>, o: &LinkOptions) -> Result<(Option<LinkReport>, bool), String> {
    let Some(links) = &checked.links else {
        return Ok((None, false));
    };
    if !o.external && o.report.is_none() {
        return Ok((None, false));
    }
    let verdicts = if o.external {
        let mut exclude = Vec::new();
        for pattern in links.exclude.iter().chain(&o.exclude) {
            exclude.push(
                regex_lite::Regex::new(pattern).map_err(|e| format!("排除规则 {pattern} 不是有效的正则表达式：{e}"))?,
            );
        }
        let options = external::Options {
            timeout: Duration::from_secs(o.timeout),
            exclude,
            cache: (!o.no_cache).then(|| (root.join(".portal-cache/external-links.json"), Duration::from_secs(3600))),
            ..external::Options::default()
        };
        let urls: Vec<String> = links.inspection.external.iter().map(|l| l.url.clone()).collect();
        let terminal = std::io::stderr().is_terminal();
        let progress = |done: usize, total: usize| {
            if terminal {
                eprint!("\r检查外部链接：{done}/{total}");
                if done == total {
                    eprintln!();
                }
            }
        };
        Some(external::check(&urls, &options, &progress))
    } else {
        None
    };
    let report = LinkReport::new(&links.inspection, verdicts.as_ref(), &checked.sources, root);
    if let Some(path) = &o.report {
        std::fs::write(path, report.to_html("链接检查"))
            .map_err(|e| format!("无法写入链接检查报告 {}：{e}", path.display()))?;
        eprintln!("链接检查报告已写入 {}", path.display());
    }
    let failure = report.has_broken() || (o.strict && report.counts.unverifiable > 0);
    Ok((Some(report), failure))
}

fn print_link_report(r: &LinkReport) {
    for page in &r.pages {
        say(&page.page);
        for e in &page.entries {
            say(&format!("  {}  {}  {}（{}，第 {} 行）", e.kind.label(), e.url, e.reason, e.source, e.line));
        }
    }
    let c = &r.counts;
    say(&format!(
        "链接：共检查 {}，正常 {}，失效 {}，重定向 {}，无法确认 {}，未检查 {}",
        c.checked, c.ok, c.broken, c.redirected, c.unverifiable, c.skipped
    ));
}

/// Opens `url` in the desktop's browser; a failure is only worth a line.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd").args(["/C", "start", "", url]).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Err(e) = opener {
        eprintln!("无法打开浏览器（{e}），请手动打开上面的地址");
    }
}

/// Prints a line on stdout; a closed pipe (`| head`) is not an error worth a panic.
fn say(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn summary(d: &Diagnostics) -> String {
    if d.is_empty() {
        "检查通过：没有发现问题".to_owned()
    } else {
        format!("发现 {} 个错误、{} 个警告", d.errors(), d.warnings())
    }
}

fn emit(diagnostics: &Diagnostics, sources: &Sources) {
    if diagnostics.is_empty() {
        return;
    }
    let color = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
    let mut stderr = StandardStream::stderr(color);
    if diagnostics.emit(sources, &mut stderr).is_err() {
        let _ = writeln!(std::io::stderr(), "{}", diagnostics.to_plain_string(sources));
    }
    let _ = stderr.flush();
}

#[cfg(test)]
mod tests {
    use super::mi_option;

    /// The option numbers are the ones mimalloc reads: each holds its default
    /// (from the table in mimalloc's `options.c`: eager commit 2, purge delay 1000 ms).
    #[test]
    fn mimalloc_options_are_numbered_as_in_its_header() {
        // SAFETY: reading an option is a plain load from mimalloc's option table.
        let (eager, purge) = unsafe {
            (
                libmimalloc_sys::mi_option_get(mi_option::ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(mi_option::PURGE_DELAY),
            )
        };
        assert_eq!((eager, purge), (2, 1000));
    }
}
