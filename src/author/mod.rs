//! What the authoring commands share: `portal init` and `portal new`
//! ([`crate::scaffold`]) and `portal import` ([`crate::import`]) all write a
//! site's sources, and write them the same way: `data.toml` laid out like the
//! printed tables, `agency.toml`, TOML strings quoted, slugs and years checked as
//! the loader will read them, and files written under the `--force` rule.
//!
//! This floor stands below those commands, so that neither imports the other.

mod agency_toml;
mod data_toml;

use crate::text::{Reason, native};
use std::fs;
use std::path::{Path, PathBuf};

pub(crate) use self::agency_toml::agency_toml;
pub(crate) use self::data_toml::{Remark, data_toml};

/// Why an authoring command wrote nothing (or stopped part-way, for I/O).
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// `portal init` in a folder that has files in it, without `--force`.
    #[error("{} 不是空文件夹：portal init 只在空文件夹中创建站点；确实要写入，请加 --force（同名文件会被覆盖，其他文件不动）", dir.display())]
    NotEmpty {
        /// The folder the site was to be created in.
        dir: PathBuf,
    },
    /// Files to be written exist already and `--force` was not given; nothing was written.
    #[error("{} 已存在，没有改动任何文件；确实要重新生成（原内容会丢失），请加 --force", list(paths))]
    Exists {
        /// The existing files, relative to the site root.
        paths: Vec<PathBuf>,
    },
    /// An agency folder name the loader would reject, or unsafe on a command line.
    #[error("机构文件夹名“{slug}”不能用：{reason}")]
    BadSlug {
        /// The name as given.
        slug: String,
        /// Why it is refused, in Chinese.
        reason: &'static str,
    },
    /// A reporting year that is not four digits; holds it as given.
    #[error("“{0}”不是年份：请写四位数字的报告年度，例如 2024")]
    BadYear(String),
    /// A new agency with an ASCII folder name and no `--name`.
    #[error(
        "请写明机构全称：文件夹名“{slug}”只能用作网址，例如 portal new {slug} --name 示例县教育局（也可以直接用中文全称作文件夹名：portal new 示例县教育局）"
    )]
    NameRequired {
        /// The folder name given.
        slug: String,
    },
    /// A full name that is empty or contains control characters; holds it.
    #[error("机构全称“{0}”不能用：不能为空，也不能含换行等控制字符")]
    BadName(String),
    /// The site root has no `site.toml`.
    #[error("{} 中没有 site.toml：请在站点根目录运行，或用 --root 指定站点，或先用 portal init 创建站点", root.display())]
    NotASite {
        /// The directory taken as the site root.
        root: PathBuf,
    },
    /// `site.toml` exists but the site cannot be loaded.
    #[error("站点的 site.toml 有错误，无法读取站点：请先运行 portal check 查看并修正")]
    SiteBroken,
    /// No agency has the folder name given.
    #[error("找不到机构“{slug}”（content/{slug}/agency.toml）：{}", match suggestion {
        Some(s) => format!("是否想写 portal new {s} …？机构按文件夹名指定"),
        None => format!("请先运行 portal new {slug} --name 机构全称"),
    })]
    NoAgency {
        /// The folder name given.
        slug: String,
        /// The folder of an agency whose full or short name that is, if any.
        suggestion: Option<String>,
    },
    /// The agency's `agency.toml` exists but cannot be loaded.
    #[error("{} 有错误：请先运行 portal check 查看并修正", native(&format!("content/{slug}/agency.toml")))]
    AgencyBroken {
        /// The agency's folder name.
        slug: String,
    },
    /// Another folder already holds an agency with this full name.
    #[error("机构“{name}”已在 {} 中：同一机构只能有一个文件夹", native(&format!("content/{other}/")))]
    DuplicateName {
        /// The full name.
        name: String,
        /// The folder that has it.
        other: String,
    },
    /// A folder name that differs from an existing one only in letter case.
    #[error("{} 与“{slug}”只有大小写不同：网址会冲突，请换一个文件夹名", native(&format!("content/{other}/")))]
    DuplicateSlug {
        /// The folder name given.
        slug: String,
        /// The existing folder.
        other: String,
    },
    /// A file or folder could not be written (or, for `portal init`, listed).
    #[error("无法写入 {}：{}", path.display(), Reason(source))]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// Why, as the operating system reported it.
        source: std::io::Error,
    },
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("、")
}

/// Checks an agency folder name as the loader will, plus what only a command
/// line can smuggle in (path separators, a hidden folder).
pub(crate) fn check_agency_slug(slug: &str) -> Result<(), ScaffoldError> {
    let bad = |reason| Err(ScaffoldError::BadSlug { slug: slug.to_owned(), reason });
    if slug.is_empty() {
        return bad("不能为空");
    }
    if slug.contains(['/', '\\']) {
        return bad("只写文件夹名本身，不能含 / 或 \\");
    }
    if slug.starts_with('.') {
        return bad("不能以 . 开头（这样的文件夹会被忽略）");
    }
    crate::load::check_slug(slug).or_else(bad)
}

/// A reporting year as typed: four digits.
pub fn parse_year(text: &str) -> Result<u16, ScaffoldError> {
    // The deadline date is written as year + 1: keep it a four-digit year.
    crate::load::parse_year(text)
        .filter(|y| (1000..9999).contains(y))
        .ok_or_else(|| ScaffoldError::BadYear(text.to_owned()))
}

/// A TOML basic string, escaped.
pub(crate) fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Writes files under `root`. Without `force`, refuses (writing nothing) when
/// any of them exists. Returns the paths written, relative to `root`.
pub(crate) fn write_files(
    root: &Path,
    files: Vec<(PathBuf, String)>,
    force: bool,
) -> Result<Vec<PathBuf>, ScaffoldError> {
    if !force {
        let existing: Vec<PathBuf> =
            files.iter().filter(|(rel, _)| root.join(rel).exists()).map(|(rel, _)| rel.clone()).collect();
        if !existing.is_empty() {
            return Err(ScaffoldError::Exists { paths: existing });
        }
    }
    let mut written = Vec::with_capacity(files.len());
    for (rel, text) in files {
        let path = root.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| ScaffoldError::Io { path: parent.to_path_buf(), source })?;
        }
        fs::write(&path, text).map_err(|source| ScaffoldError::Io { path: path.clone(), source })?;
        written.push(rel);
    }
    Ok(written)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every key of a TOML table, dotted, sorted.
    pub(crate) fn toml_keys(t: &toml::Table) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in t {
            match v.as_table() {
                Some(sub) => out.extend(toml_keys(sub).into_iter().map(|s| format!("{k}.{s}"))),
                None => out.push(k.clone()),
            }
        }
        out.sort();
        out
    }

    #[test]
    fn slugs_the_loader_rejects_are_refused() {
        for bad in ["", "a b", "a/b", "..", ".hidden", "agencies", "a?b", "a#b"] {
            assert!(check_agency_slug(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["example-bureau", "示例县教育局", "冶源街道", "a_b.c"] {
            assert!(check_agency_slug(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn years_are_four_digits() {
        assert_eq!(parse_year("2024").ok(), Some(2024));
        for bad in ["24", "二〇二四", "2024年", "9999", "0999", ""] {
            assert!(parse_year(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn toml_strings_are_escaped() {
        let s = toml_str("示例\"局\\");
        let parsed: toml::Table = toml::from_str(&format!("name = {s}")).unwrap();
        assert_eq!(parsed["name"].as_str(), Some("示例\"局\\"));
    }

    #[test]
    fn existing_files_are_listed_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("b.txt"), "old").unwrap();
        let files = vec![(PathBuf::from("a.txt"), "a".to_owned()), (PathBuf::from("b.txt"), "b".to_owned())];
        let err = write_files(dir.path(), files.clone(), false).unwrap_err();
        assert!(matches!(&err, ScaffoldError::Exists { paths } if paths == &[PathBuf::from("b.txt")]));
        assert!(!dir.path().join("a.txt").exists());
        write_files(dir.path(), files, true).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("b.txt")).unwrap(), "b");
    }
}
