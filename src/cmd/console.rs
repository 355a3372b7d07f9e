//! What every command prints the same way: lines, diagnostics, the summary.

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};

use portal::diagnostics::Diagnostics;
use portal::sources::Sources;

/// Prints a line on stdout; a closed pipe (`| head`) is not an error worth a panic.
pub(super) fn say(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// The closing line of a check: no problem, or how many of each severity.
pub(super) fn summary(d: &Diagnostics) -> String {
    if d.is_empty() {
        "检查通过：没有发现问题".to_owned()
    } else {
        format!("发现 {} 个错误、{} 个警告", d.errors(), d.warnings())
    }
}

/// Prints the diagnostics on stderr, in colour on a terminal. Buffered: the
/// renderer writes a source line piece by piece, and stderr is unbuffered.
pub(super) fn emit(diagnostics: &Diagnostics, sources: &Sources) {
    if diagnostics.is_empty() {
        return;
    }
    let color = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
    let mut stderr = BufferedStandardStream::stderr(color);
    if diagnostics.emit(sources, &mut stderr).is_err() {
        let _ = writeln!(stderr, "{}", diagnostics.to_plain_string(sources));
    }
    // As rustc does: where the user, holding only the binary, reads more.
    let codes = diagnostics.codes();
    if let Some(first) = codes.first() {
        let others =
            if codes.len() > 1 { format!("；其他代码：{}", codes[1..].join("、")) } else { String::new() };
        let _ = writeln!(stderr, "要了解问题的详细解释和改法，运行 portal explain {first}{others}");
    }
    let _ = stderr.flush();
}

/// Prints what an authoring command did, or why it did nothing.
pub(super) fn authoring(result: Result<Vec<String>, impl Display>) -> ExitCode {
    match result {
        Ok(lines) => {
            for line in lines {
                say(&line);
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Prints an error that stops the command, and fails.
pub(super) fn fail(e: impl Display) -> ExitCode {
    eprintln!("错误：{e}");
    ExitCode::FAILURE
}

/// While it lives, the console reads what portal prints as UTF-8. Rust
/// writes to a console window in UTF-16 already, but what is piped on
/// (`portal check | more`) or printed by a program portal starts is read in
/// the console's code page, GBK (936) on a Chinese Windows. The previous
/// code page comes back when portal exits (not when Ctrl+C kills it).
pub(crate) struct Utf8Console {
    #[cfg(windows)]
    previous: u32,
}

impl Utf8Console {
    /// Switches the console's output to UTF-8, where there is a console.
    pub(crate) fn enable() -> Self {
        #[cfg(windows)]
        {
            use windows_sys::Win32::System::Console::{GetConsoleOutputCP, SetConsoleOutputCP};
            const CP_UTF8: u32 = 65001;
            // SAFETY: plain calls without pointers; both fail harmlessly without a console.
            let previous = unsafe { GetConsoleOutputCP() };
            if previous != 0 && previous != CP_UTF8 {
                // SAFETY: as above.
                unsafe { SetConsoleOutputCP(CP_UTF8) };
            }
            Self { previous }
        }
        #[cfg(not(windows))]
        Self {}
    }
}

#[cfg(windows)]
impl Drop for Utf8Console {
    fn drop(&mut self) {
        use windows_sys::Win32::System::Console::SetConsoleOutputCP;
        if self.previous != 0 && self.previous != 65001 {
            // SAFETY: a plain call without pointers.
            unsafe { SetConsoleOutputCP(self.previous) };
        }
    }
}
