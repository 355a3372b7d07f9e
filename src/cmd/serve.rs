//! `portal serve`: the preview server, with a line for each rebuild.

use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use portal::pipeline::BuildError;
use portal::publish::Drafts;
use portal::serve::{self, Event, WatchMode};

use super::console::{emit, fail, say, summary};

/// 本机预览：在内存中生成网站并提供浏览，每次保存文件后重新生成并刷新浏览器
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 监听的地址；0.0.0.0 或 :: 让其他电脑也能访问预览
    #[arg(long, default_value = "127.0.0.1", value_name = "地址")]
    bind: IpAddr,
    /// 监听的端口；0 表示自动选一个空闲端口
    #[arg(long, default_value_t = 1111, value_name = "端口")]
    port: u16,
    /// 在默认浏览器中打开预览
    #[arg(long)]
    open: bool,
    /// 定时扫描文件变化，而不是等待系统通知（用于网络盘、WSL2、Docker 挂载的文件夹）
    #[arg(long)]
    poll: bool,
    /// 连接空闲多少秒后关闭
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..), hide = true)]
    idle_timeout: u64,
    /// 同时保持的连接数上限
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..), hide = true)]
    max_connections: u64,
    /// 不显示草稿和尚未到发布日期的报告，与 portal build 发布的一致（默认显示，并在页面上标明“草稿”）
    #[arg(long)]
    no_drafts: bool,
    /// 按这个地址生成，代替 site.toml 的 base_url：用于测试站、预览站，例如 https://test.example.gov.cn/xxgk/
    #[arg(long, value_name = "地址")]
    base_url: Option<String>,
    #[command(flatten)]
    clock: super::clock::Clock,
}

/// Serves the site at `root` until interrupted.
pub(crate) fn execute(root: &Path, args: Args) -> ExitCode {
    let publish =
        match args.clock.publish_at(if args.no_drafts { Drafts::Hold } else { Drafts::Show }, args.base_url.as_deref())
        {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
    let options = serve::Options {
        publish,
        root: root.to_path_buf(),
        bind: args.bind,
        port: args.port,
        watch: if args.poll { WatchMode::Poll } else { WatchMode::Native },
        limits: serve::Limits {
            idle_timeout: Duration::from_secs(args.idle_timeout),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        },
        // A test's slow rebuild, to send requests while one runs.
        rebuild_delay: std::env::var("PORTAL_TEST_REBUILD_DELAY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(Duration::ZERO, Duration::from_millis),
    };
    let result = serve::serve(options, |event| match event {
        Event::Listening { url, watch } => {
            say(&format!("预览地址：{url}（文件监视：{}；按 Ctrl+C 停止）", watch.describe()));
            if args.open {
                open_browser(&url);
            }
        }
        Event::Rebuilding { changed } => {
            if let Some(first) = changed.first() {
                let more = if changed.len() > 1 { format!(" 等 {} 个文件", changed.len()) } else { String::new() };
                say(&format!("检测到修改：{}{more}，正在重新生成", first.display()));
            }
        }
        Event::Built { outcome, elapsed, changed: _ } => {
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
        Event::WatchError(e) => eprintln!("文件监视出错：{e}"),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
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
