//! `portal import`: write sources from published reports, then check the site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portal::import::{self, FileOutcome};
use portal::pipeline;

use super::console::{emit, fail, say, summary};

/// 导入已发布的报告（.txt、.docx、另存的 .html 网页）到 content/
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 要导入的报告文件
    #[arg(required_unless_present = "dir", conflicts_with = "dir", value_name = "文件")]
    files: Vec<PathBuf>,
    /// 导入这个文件夹中找到的所有报告文件（例如旧网站“年报”栏目的另存副本）
    #[arg(long, value_name = "文件夹")]
    dir: Option<PathBuf>,
    /// 机构文件夹名（默认：根据报告标题推断）
    #[arg(long, value_name = "机构")]
    agency: Option<String>,
    /// 报告年度（默认：根据标题推断；只用于单个文件）
    #[arg(long, value_name = "年份")]
    year: Option<String>,
    /// 覆盖已有的 report.md 和 data.toml
    #[arg(long)]
    force: bool,
}

/// Each file's outcome, then the same checks as `portal check`.
pub(crate) fn execute(root: &Path, args: Args) -> ExitCode {
    let Args { files, dir, agency, year, force } = args;
    let options = import::Options { agency, year, force };
    let outcomes = match &dir {
        Some(dir) => import::import_dir(root, dir, &options),
        None => import::import_files(root, &files, &options),
    };
    let outcomes = match outcomes {
        Ok(o) => o,
        Err(e) => return fail(e),
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
    let checked = pipeline::check(root, &portal::publish::Publish::from_env(portal::publish::Drafts::Hold));
    emit(&checked.diagnostics, &checked.sources);
    eprintln!("{}", summary(&checked.diagnostics));
    let refused = dir.is_none() && failed > 0;
    if refused || checked.diagnostics.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
