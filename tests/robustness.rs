//! Nothing panics on user data: the sample's files cut short at many points,
//! with bytes flipped and lines duplicated, always give diagnostics (or a
//! build), never a panic.

mod common;

use std::fs;

use common::TempSite;

const FILES: &[&str] = &[
    "site.toml",
    "content/linqu-yeyuan/agency.toml",
    "content/linqu-yeyuan/2024/report.md",
    "content/linqu-yeyuan/2024/data.toml",
];

/// Deterministic pseudo-random numbers (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
}

fn variants(original: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Cut short at 40 points, including inside multi-byte characters.
    for i in 0..40 {
        out.push(original[..original.len() * i / 40].to_vec());
    }
    // Single bytes replaced by characters that mean something to TOML or Markdown.
    for _ in 0..40 {
        let mut v = original.to_vec();
        let at = rng.next() % v.len();
        const MEANINGFUL: &[u8] = b"\"[]=#.,+-\n\t\\{}0\xff";
        v[at] = MEANINGFUL[rng.next() % MEANINGFUL.len()];
        out.push(v);
    }
    // A line duplicated (duplicate keys, repeated headings).
    let lines: Vec<&[u8]> = original.split_inclusive(|&b| b == b'\n').collect();
    for _ in 0..10 {
        let at = rng.next() % lines.len();
        let mut v = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            v.extend_from_slice(line);
            if i == at {
                v.extend_from_slice(line);
            }
        }
        out.push(v);
    }
    out
}

#[test]
fn mangled_files_never_panic() {
    let site = TempSite::yeyuan();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut failures = 0;
    let mut runs = 0;
    let out = tempfile::tempdir().unwrap();
    for file in FILES {
        let path = site.path(file);
        let original = fs::read(&path).unwrap();
        for variant in variants(&original, &mut rng) {
            fs::write(&path, &variant).unwrap();
            // A whole build: every page, feed and open-data file is produced.
            let outcome = std::panic::catch_unwind(|| {
                portal::pipeline::build(
                    site.root(),
                    &out.path().join("public"),
                    &portal::publish::Publish::from_env(portal::publish::Drafts::Hold),
                    &portal::pipeline::NoProgress,
                )
            });
            runs += 1;
            match outcome {
                Err(_) => {
                    failures += 1;
                    let keep = std::env::temp_dir().join(format!("portal-panic-{failures}"));
                    let _ = fs::write(&keep, &variant);
                    eprintln!("{file}: panic; input kept in {}", keep.display());
                }
                // A broken file is an error that names a file, or the build goes through.
                Ok(outcome) => assert!(
                    outcome.result.is_ok() || outcome.diagnostics.has_errors(),
                    "{file}: failed without a diagnostic"
                ),
            }
        }
        fs::write(&path, &original).unwrap();
    }
    assert_eq!(failures, 0, "{failures} of {runs} mangled inputs panicked");
    assert!(runs > 300);
}
