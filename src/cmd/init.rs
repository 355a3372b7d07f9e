//! `portal init`: create a new site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portal::scaffold::{self, ScaffoldError};

use super::console::authoring;

/// 新建站点：site.toml、给编辑人员的 README 和一个示例机构
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 新站点的文件夹（默认：--root）。必须是空文件夹，除非加 --force
    dir: Option<PathBuf>,
    /// 示例报告的年度（默认：上一年）
    #[arg(long, value_name = "年份")]
    year: Option<String>,
    /// 写入非空文件夹，覆盖 init 要写的文件（其他文件不动）
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
