//! `portal new`: create an agency, or a year's report of an agency.

use std::path::Path;
use std::process::ExitCode;

use portal::scaffold;

use super::console::authoring;

/// 新建机构（portal new 机构），或机构某一年度的报告（portal new 机构 年份，写成草稿）
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 机构文件夹名，用在网址中：例如 jiaoyu，也可以是中文名称
    #[arg(value_name = "机构")]
    agency: String,
    /// 报告年度：写入 content/机构/年份/report.md 和 data.toml
    #[arg(value_name = "年份")]
    year: Option<String>,
    /// 新机构的全称（默认：文件夹名为中文时就用它）
    #[arg(long, conflicts_with = "year", value_name = "全称")]
    name: Option<String>,
    /// 覆盖已经存在的文件
    #[arg(long)]
    force: bool,
}

/// Creates the report when a year is given, the agency otherwise.
pub(crate) fn execute(root: &Path, args: Args) -> ExitCode {
    let Args { agency, year, name, force } = args;
    match year {
        Some(year) => authoring(scaffold::new_report(root, &agency, &year, force).map(|report| {
            let mut lines: Vec<String> = report.files.iter().map(|f| format!("已创建 {}", f.display())).collect();
            lines.extend(report.notes.iter().map(|n| format!("· {n}")));
            lines.push("下一步：在 report.md 中写正文，在 data.toml 中填写数字，然后运行 portal check".to_owned());
            lines
        })),
        None => authoring(scaffold::new_agency(root, &agency, name.as_deref(), force).map(|created| {
            vec![
                format!("已创建 {}（机构全称：{}）", created.path.display(), created.name),
                format!("下一步：portal new {agency} <年份>，例如 portal new {agency} {}", scaffold::last_year()),
            ]
        })),
    }
}
