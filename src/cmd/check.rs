//! `portal check`: validate, inspect the links, write nothing; optionally
//! fetch the external links and write the link-check report.

use std::error::Error;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use portal::compliance::Unpublished;
use portal::linkcheck::external::{Mirror, SiteOptions};
use portal::linkcheck::report::LinkReport;
use portal::pipeline::{self, Outcome};
use portal::publish::Drafts;

use super::console::{emit, fail, say, summary};
use super::progress::{Pass, ProgressLine};

/// 检查数据和链接，不写入任何文件
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 诊断信息的输出格式：text 供人阅读，json 供程序处理
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "格式")]
    format: Format,
    /// 同时访问每个外部链接（本站以外的 http/https 地址），检查是否失效
    #[arg(long)]
    external: bool,
    /// 把无法确认的链接（403、429、超时）也算作失效
    #[arg(long, requires = "external")]
    strict: bool,
    /// 不访问与这个正则表达式匹配的外部地址（可多次使用；在 site.toml 的 links.exclude 之外另加）
    #[arg(long, value_name = "正则表达式", requires = "external")]
    exclude: Vec<String>,
    /// 把链接检查报告写成 HTML 网页，保存到这个路径
    #[arg(long, value_name = "路径")]
    report: Option<PathBuf>,
    /// 重新访问所有外部链接，不使用一小时内的检查结果
    #[arg(long, requires = "external")]
    no_cache: bool,
    /// 本站所在主机上 base_url 以外的页面（门户的其他栏目）改从这个地址检查，例如本机镜像 http://127.0.0.1:8080
    #[arg(long, value_name = "地址", requires = "external")]
    mirror: Option<String>,
    /// 每个外部链接最多等待的秒数
    #[arg(long, default_value_t = 15, requires = "external", value_name = "秒")]
    timeout: u64,
    /// 把草稿和尚未到发布日期的报告当作已发布一样检查（portal serve 也是这样检查的）
    #[arg(long)]
    drafts: bool,
    #[command(flatten)]
    clock: super::clock::Clock,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// 供人阅读的文字
    Text,
    /// 一个 JSON 文档（标准输出），供程序处理
    Json,
}

/// Checks the site at `root`; fails on any error or failing link.
pub(crate) fn execute(root: &Path, args: Args) -> ExitCode {
    // Every file is produced in memory (nothing is written) so that its links are inspected too.
    // External links are listed only for what looks at them: fetching, or the report.
    let publish = match args.clock.publish(if args.drafts { Drafts::Show } else { Drafts::Hold }) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let progress = ProgressLine::start(Pass::Check);
    let checked = pipeline::inspect(root, args.external || args.report.is_some(), &publish, &progress);
    progress.finish();
    let link_report = match check_links(root, &checked, &args) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let link_failure = link_report.as_ref().is_some_and(|r| r.fails(args.strict));
    match args.format {
        Format::Text => {
            emit(&checked.diagnostics, &checked.sources);
            if let Some(r) = &link_report {
                print_link_report(r);
            }
            if let Ok(inspected) = &checked.result {
                print_unpublished(&inspected.unpublished);
            }
            let quiet_pass = super::quiet() && checked.diagnostics.is_empty();
            if (!link_failure || !checked.diagnostics.is_empty()) && !quiet_pass {
                eprintln!("{}", summary(&checked.diagnostics));
            }
        }
        Format::Json => {
            let mut json = checked.diagnostics.to_json(&checked.sources);
            if let Some(r) = &link_report {
                json["links"] = serde_json::to_value(r).unwrap_or_default();
            }
            if let Ok(inspected) = &checked.result {
                json["unpublished"] = serde_json::to_value(&inspected.unpublished).unwrap_or_default();
            }
            say(&format!("{json:#}"));
        }
    }
    if checked.diagnostics.has_errors() || link_failure { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Fetches external links when asked and writes the HTML report when asked.
/// Returns the report when links were looked at beyond the build's own
/// inspection, or the error that stops the check.
fn check_links<T>(root: &Path, checked: &Outcome<T>, args: &Args) -> Result<Option<LinkReport>, Box<dyn Error>> {
    let Some(links) = &checked.links else {
        return Ok(None);
    };
    if !args.external && args.report.is_none() {
        return Ok(None);
    }
    let fetch = args.external.then(|| SiteOptions {
        exclude: links.exclude.iter().chain(&args.exclude).cloned().collect(),
        timeout: Duration::from_secs(args.timeout),
        use_cache: !args.no_cache,
        mirror: args.mirror.as_ref().map(|to| Mirror { origin: links.origin.clone(), to: to.clone() }),
    });
    // Progress, as every command shows it: on a terminal, and not with `--quiet`.
    let shown = std::io::stderr().is_terminal() && !super::quiet();
    let progress = |done: usize, total: usize| {
        if shown {
            eprint!("\r检查外部链接：{done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    };
    let report = LinkReport::check(root, &links.inspection, &checked.sources, fetch.as_ref(), &progress)?;
    if let Some(path) = &args.report {
        report.write_html(path, "链接检查")?;
        if !super::quiet() {
            eprintln!("链接检查报告已写入 {}", path.display());
        }
    }
    Ok(Some(report))
}

/// The agencies that owe reports (未发布), in the check's summary.
fn print_unpublished(unpublished: &[Unpublished]) {
    if unpublished.is_empty() {
        return;
    }
    eprintln!("未发布：下列机构应发布而没有年度报告");
    for u in unpublished {
        let years: Vec<String> = u.years.iter().map(u16::to_string).collect();
        eprintln!("  {}（content/{}/）：{} 年度", u.name, u.slug, years.join("、"));
    }
    eprintln!(
        "  补上报告：portal new 文件夹名 年份；机构已撤销或合并的，在其 agency.toml 中写 [dissolved] 的 last_year 和 reason；\
         从某一年才开始报告的，写 first_year（详见 portal explain unpublished）"
    );
}

fn print_link_report(r: &LinkReport) {
    for page in &r.pages {
        say(&page.page);
        for e in &page.entries {
            say(&format!("  {}  {}  {}（{}，第 {} 行）", e.kind.label(), e.url, e.reason, e.source, e.line));
        }
    }
    say(&format!("链接：{}", r.counts.words()));
}
