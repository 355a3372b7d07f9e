//! `portal import`: write sources from published reports, then check the site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portal::import::{self, FileOutcome};
use portal::pipeline;

use super::console::{emit, fail, say, summary};

/// Import published reports (.txt, .docx, saved .html pages) into content/.
#[derive(clap::Args)]
pub(crate) struct Args {
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
