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
    about = "Static site generator for government information-disclosure annual reports"
)]
struct Cli {
    /// Site root (the folder holding site.toml and content/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
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
}

fn main() -> ExitCode {
    let Cli { root, command } = Cli::parse();
    let _console = cmd::console::Utf8Console::enable();
    alloc::tune(matches!(command, Command::Serve(_)));
    match command {
        Command::Build(args) => cmd::build::execute(&root, args),
        Command::Serve(args) => cmd::serve::execute(&root, args),
        Command::Check(args) => cmd::check::execute(&root, args),
        Command::Init(args) => cmd::init::execute(&root, args),
        Command::New(args) => cmd::new::execute(&root, args),
        Command::Import(args) => cmd::import::execute(&root, args),
    }
}
