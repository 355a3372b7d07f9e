//! The `portal` command line: parse the arguments, tune the allocator, hand
//! over to the command's module ([`cmd`]) and return its exit status.

mod alloc;
mod cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "portal",
    version = env!("PORTAL_VERSION"),
    about = "政府信息公开工作年度报告网站生成器：检查数据、生成静态网站、本机预览",
    after_help = "每个命令的说明：portal 命令 --help，例如 portal build --help\n诊断代码的详细解释：portal explain 代码，例如 portal explain R3"
)]
struct Cli {
    /// 站点根目录（含 site.toml 和 content/ 的文件夹）
    #[arg(long, global = true, default_value = ".", value_name = "文件夹")]
    root: PathBuf,
    /// 只显示错误和警告：不显示进度和完成信息
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// The commands, in the order `portal --help` lists them; each one's help is
/// on its `Args`.
#[derive(Subcommand)]
enum Command {
    Build(cmd::build::Args),
    Serve(cmd::serve::Args),
    Check(cmd::check::Args),
    Init(cmd::init::Args),
    New(cmd::new::Args),
    Import(cmd::import::Args),
    Explain(cmd::explain::Args),
    Completions(cmd::completions::Args),
}

fn main() -> ExitCode {
    // Before parsing: the help clap prints is Chinese too.
    let _console = cmd::console::Utf8Console::enable();
    let Cli { root, quiet, command } = match cmd::cli::parse() {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    cmd::set_quiet(quiet);
    alloc::tune(matches!(command, Command::Serve(_)));
    match command {
        Command::Build(args) => cmd::build::execute(&root, args),
        Command::Serve(args) => cmd::serve::execute(&root, args),
        Command::Check(args) => cmd::check::execute(&root, args),
        Command::Init(args) => cmd::init::execute(&root, args),
        Command::New(args) => cmd::new::execute(&root, args),
        Command::Import(args) => cmd::import::execute(&root, args),
        Command::Explain(args) => cmd::explain::execute(args),
        Command::Completions(args) => cmd::completions::execute::<Cli>(args),
    }
}
