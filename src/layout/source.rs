//! The site's sources on disk: `site.toml`, `content/` and its report files, `static/`, `templates/`, themes and `.portal-cache/`.
//!
//! Paths inside the site come in two forms. The relative ones (`content/a/2024/data.toml`) are what
//! messages show and what [`crate::sources::Sources`] registers; functions that take a `root` give the
//! path to open.

use std::path::{Path, PathBuf};

/// The site's settings, at the root.
pub(crate) const SETTINGS: &str = "site.toml";

/// The folder of agencies and their reports.
pub(crate) const CONTENT: &str = "content";

/// The folders a site is read from, besides [`SETTINGS`]: what `portal serve`
/// watches and what a run compares with the state the previous one kept.
pub(crate) const SOURCE_DIRS: &[&str] = &[CONTENT, THEMES, TEMPLATES, STATIC];

/// An agency's settings, in its folder.
pub(crate) const AGENCY_FILE: &str = "agency.toml";

/// A report's narrative, in its year's folder.
pub(crate) const NARRATIVE_FILE: &str = "report.md";

/// A report's figures, in its year's folder.
pub(crate) const DATA_FILE: &str = "data.toml";

/// Files copied to the site as they are (and, in a theme, the theme's own).
pub(crate) const STATIC: &str = "static";

/// Page templates overriding the theme's (and, in a theme, the theme's own).
pub(crate) const TEMPLATES: &str = "templates";

/// Installed themes, one folder each.
pub(crate) const THEMES: &str = "themes";

/// What runs keep for later runs; never part of the output.
const CACHE: &str = ".portal-cache";

/// `content/<slug>`, relative to the root.
pub(crate) fn agency_dir(slug: &str) -> PathBuf {
    Path::new(CONTENT).join(slug)
}

/// `content/<slug>/agency.toml`, relative to the root.
pub(crate) fn agency_file(slug: &str) -> PathBuf {
    agency_dir(slug).join(AGENCY_FILE)
}

/// `content/<slug>/<year>`, relative to the root.
pub(crate) fn report_dir(slug: &str, year: u16) -> PathBuf {
    agency_dir(slug).join(year.to_string())
}

/// Whether a file in a report's folder is one of its own (the narrative or
/// the figures) rather than an attachment.
pub(crate) fn is_report_file(name: &str) -> bool {
    name == NARRATIVE_FILE || name == DATA_FILE
}

/// The agency folder and year of a report's own file, given relative to the
/// site root: `content/<slug>/<year>/report.md` or `data.toml`.
pub(crate) fn report_file(rel: &Path) -> Option<(String, u16)> {
    let parts: Vec<&str> = rel.iter().map(|p| p.to_str()).collect::<Option<_>>()?;
    match parts[..] {
        [CONTENT, slug, year, name] if is_report_file(name) => Some((slug.to_owned(), year.parse().ok()?)),
        _ => None,
    }
}

/// Where `portal build` writes the site unless told otherwise: `public/` under `root`.
pub fn default_output(root: &Path) -> PathBuf {
    root.join("public")
}

/// `themes/<name>`, relative to the root.
pub(crate) fn theme_dir(name: &str) -> PathBuf {
    Path::new(THEMES).join(name)
}

/// Why a theme's name (`theme` in `site.toml`) cannot name a folder of
/// `themes/`: it must be one folder name, not a path that could lead elsewhere.
pub(crate) fn theme_name_error(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("主题名不能为空")
    } else if name.contains(['/', '\\', ':', '\0']) || name == "." || name == ".." || Path::new(name).is_absolute() {
        Some("主题名只能是 themes/ 下一个文件夹的名字，不能含 / \\ : 或写成 .. 或绝对路径")
    } else {
        None
    }
}

/// `.portal-cache/` under `root`.
fn cache_dir(root: &Path) -> PathBuf {
    root.join(CACHE)
}

/// The state a run keeps for the next: `.portal-cache/state.bin`.
pub(crate) fn state_file(root: &Path) -> PathBuf {
    cache_dir(root).join("state.bin")
}

/// The manifest of one output folder, named by a hash of its resolved path:
/// `.portal-cache/build-<hash>.txt`.
pub(crate) fn manifest_file(root: &Path, output_hash: u64) -> PathBuf {
    cache_dir(root).join(format!("build-{output_hash:016x}.txt"))
}

/// Whether a file name in the cache folder is an output's manifest.
pub(crate) fn is_manifest_name(name: &str) -> bool {
    name.starts_with("build-") && name.ends_with(".txt")
}

/// What `check --external` learned of external links, kept between runs:
/// `.portal-cache/external-links.json`.
pub(crate) fn external_links_cache(root: &Path) -> PathBuf {
    cache_dir(root).join("external-links.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_files_name_their_agency_and_year() {
        assert_eq!(report_file(Path::new("content/a/2024/report.md")), Some(("a".to_owned(), 2024)));
        assert_eq!(report_file(&report_dir("a", 2024).join(DATA_FILE)), Some(("a".to_owned(), 2024)));
        assert_eq!(report_file(Path::new("content/a/2024/附件.pdf")), None);
        assert_eq!(report_file(&agency_file("a")), None);
        assert_eq!(report_file(Path::new("static/a/2024/report.md")), None);
    }

    #[test]
    fn theme_names_are_one_folder() {
        for good in ["default", "gov-blue", "主题"] {
            assert_eq!(theme_name_error(good), None, "{good}");
        }
        for bad in ["", ".", "..", "../x", "../../../x", "/etc", "a/b", "a\\b", "C:x", "C:\\x", "x\0"] {
            assert!(theme_name_error(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn cache_files_sit_in_the_cache_folder() {
        let root = Path::new("/site");
        assert_eq!(state_file(root), Path::new("/site/.portal-cache/state.bin"));
        assert_eq!(external_links_cache(root), Path::new("/site/.portal-cache/external-links.json"));
        let manifest = manifest_file(root, 0xab);
        assert_eq!(manifest, Path::new("/site/.portal-cache/build-00000000000000ab.txt"));
        assert!(is_manifest_name(&manifest.file_name().unwrap().to_string_lossy()));
    }
}
