//! One module per command: its clap arguments (`Args`) and its `execute`,
//! which runs it and returns the exit status. What they print in common is in
//! [`console`].

pub(crate) mod build;
pub(crate) mod check;
mod clock;
pub(crate) mod console;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod new;
pub(crate) mod serve;
