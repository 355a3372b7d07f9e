//! The `portal` command line: parse arguments, run the pipeline, print
//! diagnostics, set the exit status. Nothing else lives here.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use portal::build::{self, BuildError};
use portal::diagnostics::{Diagnostics, Sources};

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
    /// Validate the data without writing anything.
    Check {
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// rustc-style, for people.
    Text,
    /// One JSON document on stdout, for tools.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { out } => {
            let out = out.unwrap_or_else(|| cli.root.join("public"));
            let outcome = build::build(&cli.root, &out);
            emit(&outcome.diagnostics, &outcome.sources);
            match outcome.result {
                Ok(s) => {
                    say(&format!(
                        "已生成 {} 个页面（{} 份报告，共 {} 个文件），用时 {:.2} 秒 → {}",
                        s.pages,
                        s.reports,
                        s.files,
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
        Command::Check { format } => {
            let checked = build::check(&cli.root);
            match format {
                Format::Text => {
                    emit(&checked.diagnostics, &checked.sources);
                    eprintln!("{}", summary(&checked.diagnostics));
                }
                Format::Json => say(&format!("{:#}", checked.diagnostics.to_json(&checked.sources))),
            }
            if checked.diagnostics.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
        }
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
