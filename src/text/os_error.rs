//! What the operating system said about a file, in the user's words where
//! the system's own words do not help: a file that another program holds
//! open (Word and WPS lock the documents they have open on Windows).

use std::fmt;
use std::io;

/// The message for a held file: what is wrong and what to do.
pub(crate) const HELD: &str = "文件被其他程序占用（例如 WPS 或 Word 正在打开它），请关闭后重试";

/// Why a file could not be opened, read or written, for a message:
/// `format!("无法读取 {}：{}", path.display(), Reason(&e))`.
pub(crate) struct Reason<'a>(pub &'a io::Error);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if held_open(self.0) { f.write_str(HELD) } else { self.0.fmt(f) }
    }
}

/// Whether another program holds the file open without sharing it, or
/// holds a lock on part of it.
#[cfg(windows)]
pub(crate) fn held_open(e: &io::Error) -> bool {
    const ERROR_SHARING_VIOLATION: i32 = 32;
    const ERROR_LOCK_VIOLATION: i32 = 33;
    matches!(e.raw_os_error(), Some(ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION))
}

/// Elsewhere opening a file never fails for another program's sake (locks
/// are advisory).
#[cfg(not(windows))]
pub(crate) fn held_open(_: &io::Error) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_errors_keep_the_systems_words() {
        let e = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(Reason(&e).to_string(), e.to_string());
        // On Unix 32 and 33 are EPIPE and EDOM, nothing to do with another program.
        #[cfg(unix)]
        for code in [32, 33] {
            let e = io::Error::from_raw_os_error(code);
            assert_eq!(Reason(&e).to_string(), e.to_string());
        }
    }

    #[cfg(windows)]
    #[test]
    fn a_sharing_or_lock_violation_says_another_program_holds_the_file() {
        for code in [32, 33] {
            assert_eq!(Reason(&io::Error::from_raw_os_error(code)).to_string(), HELD);
        }
        assert_ne!(Reason(&io::Error::from_raw_os_error(5)).to_string(), HELD);
    }
}
