//! `portal init`: create a new site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portal::scaffold::{self, ScaffoldError};

use super::console::authoring;

/// Create a new site: site.toml, a README for its editors, one example agency.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Folder of the new site (default: --root). Must be empty unless --force.
    dir: Option<PathBuf>,
    /// Reporting year of the example report (default: last year).
    #[arg(long)]
    year: Option<String>,
    /// Write into a non-empty folder, overwriting the files init writes.
    #[arg(long)]
    force: bool,
}

/// Creates the site in `args.dir`, or at `root`.
pub(crate) fn execute(root: &Path, args: Args) -> ExitCode {
    let dir = args.dir.unwrap_or_else(|| root.to_path_buf());
    authoring(init(&dir, args.year.as_deref(), args.force))
}

fn init(dir: &Path, year: Option<&str>, force: bool) -> Result<Vec<String>, ScaffoldError> {
    let year = match year {
        Some(y) => scaffold::parse_year(y)?,
        None => scaffold::last_year(),
    };
    let done = scaffold::init(dir, year, force)?;
    let mut lines = vec![format!("已在 {} 创建站点：", dir.display())];
    let files = done.files.iter().chain([&done.agency.path]).chain(&done.report.files);
    lines.extend(files.map(|f| format!("  {}", f.display())));
    lines.push(format!(
        "示例机构“{}”（{}{}）及其 {year} 年度报告可以参照填写，用不着时删除整个文件夹",
        done.agency.name,
        Path::new("content").join(scaffold::EXAMPLE_SLUG).display(),
        std::path::MAIN_SEPARATOR
    ));
    lines.push("下一步：修改 site.toml 中的站点名称、发布地址和页脚信息，然后运行 portal build".to_owned());
    Ok(lines)
}
