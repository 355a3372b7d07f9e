//! The allocator and its tuning, set once before a command runs.

// A build allocates and frees many small strings on both cores; mimalloc
// spends less time on it than the system allocator (measured in docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options, numbered as in its (v3) `mimalloc.h`; a test checks
/// the numbers against their defaults.
mod mi_option {
    pub(super) const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    pub(super) const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
}

/// Tunes the allocator for the command about to run: `serving` for
/// `portal serve`, which keeps its memory, anything else for a run that ends.
pub(crate) fn tune(serving: bool) {
    if !serving {
        no_huge_pages();
    }
    tune_mimalloc(serving);
}

/// For a build or a check, memory freed is handed back after a short delay
/// rather than mimalloc's default, and arenas are committed as they are used:
/// resident memory stays about what the run holds, while a page handed back
/// at once would often be faulted in again soon after, which costs more than
/// it saves. `portal serve` never hands memory back: each edit would touch it
/// again. Either option is left as set in the environment
/// (`MIMALLOC_PURGE_DELAY`, `MIMALLOC_ARENA_EAGER_COMMIT`). The measurements
/// are in `docs/benchmarks.md`.
fn tune_mimalloc(serving: bool) {
    for (option, name, value) in [
        (mi_option::PURGE_DELAY, "MIMALLOC_PURGE_DELAY", if serving { -1 } else { 10 }),
        (mi_option::ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0),
    ] {
        if std::env::var_os(name).is_none() {
            // SAFETY: setting an option is a plain store into mimalloc's option table, allowed at any time.
            unsafe { libmimalloc_sys::mi_option_set(option, value) };
        }
    }
}

/// Transparent huge pages off for this process: mimalloc asks for them for
/// its arenas, and a huge page a run touches only in part is resident whole,
/// at no gain in speed. Not for `portal serve`, which walks its whole site on
/// each edit and is much slower with small pages. `MIMALLOC_ALLOW_THP` in the
/// environment decides instead (mimalloc reads it before `main`); the process
/// flag applies to every page fault after it, whatever mimalloc asked for
/// before. The measurements are in `docs/benchmarks.md`.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE sets a flag of this process and touches no memory of ours.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

#[cfg(test)]
mod tests {
    use super::mi_option;

    /// The option numbers are the ones mimalloc reads: each holds its default
    /// (from the table in mimalloc's `options.c`: eager commit 2, purge delay 1000 ms).
    #[test]
    fn mimalloc_options_are_numbered_as_in_its_header() {
        // SAFETY: reading an option is a plain load from mimalloc's option table.
        let (eager, purge) = unsafe {
            (
                libmimalloc_sys::mi_option_get(mi_option::ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(mi_option::PURGE_DELAY),
            )
        };
        assert_eq!((eager, purge), (2, 1000));
    }
}
