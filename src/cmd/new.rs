//! `portal new`: create an agency, or a year's report of an agency.

use std::path::Path;
use std::process::ExitCode;

use portal::scaffold;

use super::console::authoring;

/// Create an agency (AGENCY), or a year's report of an agency (AGENCY YEAR).
#[derive(clap::Args)]
pub(crate) struct Args {
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
