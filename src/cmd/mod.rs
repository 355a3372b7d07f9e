//! One module per command: its clap arguments (`Args`) and its `execute`,
//! which runs it and returns the exit status. What they print in common is in
//! [`console`].

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod cli;
mod clock;
pub(crate) mod completions;
pub(crate) mod console;
pub(crate) mod explain;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod new;
mod progress;
pub(crate) mod serve;

/// `--quiet`: only errors and warnings, no progress and no closing lines.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `--quiet` for the run.
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub(crate) fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}
