//! `portal build`: validate the data and write the site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portal::pipeline::{self, BuildError};

use portal::publish::Drafts;

use super::console::{emit, fail, say, summary};
use super::progress::{Pass, ProgressLine};

/// 检查数据并生成网站（写入输出文件夹）
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 输出文件夹（默认：站点根目录下的 public）。生成成功时整体替换，失败时保持原样
    #[arg(long, value_name = "文件夹")]
    out: Option<PathBuf>,
    /// 连同草稿和尚未到发布日期的报告一起生成，页面上标明“草稿”：用于内部审阅的预览站点，不要部署到正式网站
    #[arg(long)]
    drafts: bool,
    /// 按这个地址生成，代替 site.toml 的 base_url：用于测试站、预览站，例如 https://test.example.gov.cn/xxgk/
    #[arg(long, value_name = "地址")]
    base_url: Option<String>,
    #[command(flatten)]
    clock: super::clock::Clock,
}

/// Builds the site at `root` into its output folder.
pub(crate) fn execute(root: &Path, args: Args) -> ExitCode {
    let out = args.out.unwrap_or_else(|| pipeline::default_output(root));
    let publish =
        match args.clock.publish_at(if args.drafts { Drafts::Show } else { Drafts::Hold }, args.base_url.as_deref()) {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
    let progress = ProgressLine::start(Pass::Build);
    let outcome = pipeline::build(root, &out, &publish, &progress);
    progress.finish();
    emit(&outcome.diagnostics, &outcome.sources);
    match outcome.result {
        Ok(s) => {
            if s.repaired {
                say(&format!(
                    "注意：上一次构建在替换 {} 时被中断，那时它可能新旧混杂；本次构建已将其整体更新",
                    out.display()
                ));
            }
            if !super::quiet() {
                say(&format!(
                    "已生成 {} 个页面（{} 份报告，共 {} 个文件，其中 {} 个有变化），用时 {:.2} 秒 → {}",
                    s.pages,
                    s.reports,
                    s.files,
                    s.written,
                    s.elapsed.as_secs_f64(),
                    out.display()
                ));
            }
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
