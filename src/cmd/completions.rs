//! `portal completions SHELL`: the shell's completion script, from clap's generator.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

/// 输出命令行补全脚本，例如 portal completions bash > /etc/bash_completion.d/portal
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 终端程序：bash、zsh、fish、powershell 或 elvish
    #[arg(value_name = "终端")]
    shell: Shell,
}

/// Writes the script on stdout.
pub(crate) fn execute<T: CommandFactory>(args: Args) -> ExitCode {
    let mut cmd = super::cli::command::<T>();
    clap_complete::generate(args.shell, &mut cmd, "portal", &mut std::io::stdout());
    ExitCode::SUCCESS
}
