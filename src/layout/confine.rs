//! The one check every reader of the site's files makes: does this path,
//! with its links followed, stay under the site root?
//!
//! A site is published as it is, so a link inside it that leads to
//! `/etc/passwd` would publish that file. Links that stay inside the site
//! keep working; one that leads out, or nowhere, is an [`Escape`].

use std::io;
use std::path::{Component, Path, PathBuf};

/// The site root, as given and as the file system resolves it.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    given: PathBuf,
    /// `given` made absolute (links not followed), once: the loader names
    /// each report's file by it.
    absolute: PathBuf,
    canonical: PathBuf,
}

/// A path of the site that does not stay inside it. Paths are relative to the
/// site root, as the user sees them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Escape {
    /// A link (or a `..`) that leads out of the site root.
    #[error("{} 指向站点根目录以外的 {}：站点只发布根目录内的文件，请把文件复制进站点，或删除这个链接", link.display(), target.display())]
    Outside {
        /// The link, relative to the root.
        link: PathBuf,
        /// Where it leads, resolved.
        target: PathBuf,
    },
    /// A link whose target does not exist.
    #[error("{} 是失效的链接：它指向的 {} 不存在", link.display(), target.display())]
    Dangling {
        /// The link, relative to the root.
        link: PathBuf,
        /// What the link says, as written.
        target: PathBuf,
    },
}

impl Escape {
    /// The path the problem is at, relative to the root.
    pub(crate) fn link(&self) -> &Path {
        match self {
            Escape::Outside { link, .. } | Escape::Dangling { link, .. } => link,
        }
    }
}

impl Root {
    /// The root at `root`; when it cannot be resolved (it does not exist, say)
    /// it stands for itself, made absolute, and reading it fails later anyway.
    pub(crate) fn new(root: &Path) -> Self {
        let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let canonical = root.canonicalize().unwrap_or_else(|_| absolute.clone());
        Self { given: root.to_path_buf(), absolute, canonical }
    }

    /// The root as given: what paths to open are joined to.
    pub(crate) fn path(&self) -> &Path {
        &self.given
    }

    /// The root made absolute, its links not followed.
    pub(crate) fn absolute(&self) -> &Path {
        &self.absolute
    }

    /// Checks `rel` (relative to the root) component by component: the first
    /// link that leads out of the root or nowhere is the error. A path that
    /// does not exist is not this check's business: reading it says so.
    pub(crate) fn check(&self, rel: &Path) -> Result<(), Escape> {
        // Only a site's settings (a theme's name) could put these in a path.
        if rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
            let target = std::path::absolute(self.given.join(rel)).unwrap_or_else(|_| rel.to_path_buf());
            return Err(Escape::Outside { link: rel.to_path_buf(), target });
        }
        let mut at = PathBuf::new();
        for component in rel.components() {
            at.push(component);
            match self.given.join(&at).symlink_metadata() {
                Ok(meta) if meta.file_type().is_symlink() => self.follow(&at)?,
                Ok(_) => {}
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    /// Checks an entry found by listing a folder that was checked already:
    /// only a link (`is_link`, from the listing) needs following.
    pub(crate) fn check_entry(&self, rel: &Path, is_link: bool) -> Result<(), Escape> {
        if is_link { self.follow(rel) } else { Ok(()) }
    }

    /// Whether `file` (a path to open), with every link resolved, is inside
    /// the root: for a file checked before and opened later, in case a link
    /// was put in its place since.
    pub(crate) fn holds(&self, file: &Path) -> bool {
        file.canonicalize().is_ok_and(|f| f.starts_with(&self.canonical))
    }

    /// Resolves the link at `rel`, whose folder is inside the root.
    fn follow(&self, rel: &Path) -> Result<(), Escape> {
        let path = self.given.join(rel);
        match path.canonicalize() {
            Ok(target) if target.starts_with(&self.canonical) => Ok(()),
            Ok(target) => Err(Escape::Outside { link: rel.to_path_buf(), target }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let target = path.read_link().unwrap_or_default();
                Err(Escape::Dangling { link: rel.to_path_buf(), target })
            }
            // Unreadable for another reason (permissions, a loop): reading it says why.
            Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_and_absolute_paths_lead_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path());
        assert!(root.check(Path::new("themes/a")).is_ok());
        assert!(root.check(Path::new("./themes/a")).is_ok());
        for bad in ["themes/../../x", "..", "themes/a/../../.."] {
            assert!(matches!(root.check(Path::new(bad)), Err(Escape::Outside { .. })), "{bad}");
        }
        let absolute = std::path::absolute("/etc").unwrap();
        assert!(matches!(root.check(&Path::new("themes").join(&absolute)), Err(Escape::Outside { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_named() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let at = |rel: &str| dir.path().join(rel);
        std::fs::create_dir_all(at("static/sub")).unwrap();
        std::fs::write(at("static/sub/ok.txt"), "x").unwrap();
        symlink(outside.path().join("secret"), at("static/file")).unwrap();
        symlink(outside.path(), at("static/dir")).unwrap();
        symlink("sub/ok.txt", at("static/inside")).unwrap();
        symlink("sub", at("static/inside-dir")).unwrap();
        symlink("file", at("static/chain")).unwrap();
        symlink("nowhere", at("static/dangling")).unwrap();
        symlink(dir.path().join("static"), at("linked")).unwrap();
        let root = Root::new(dir.path());

        assert!(root.check(Path::new("static/inside")).is_ok());
        assert!(root.check(Path::new("static/inside-dir/ok.txt")).is_ok());
        assert!(root.check(Path::new("linked/sub/ok.txt")).is_ok());
        assert!(root.check(Path::new("static/missing")).is_ok());
        let secret = outside.path().join("secret").canonicalize().unwrap();
        for (rel, link) in [
            ("static/file", "static/file"),
            ("static/chain", "static/chain"),
            ("static/dir/secret", "static/dir"),
            ("linked/file", "linked/file"),
        ] {
            match root.check(Path::new(rel)) {
                Err(Escape::Outside { link: named, target }) => {
                    assert_eq!(named, Path::new(link), "{rel}");
                    assert!(target.starts_with(outside.path().canonicalize().unwrap()), "{rel}");
                }
                other => panic!("{rel}: {other:?}"),
            }
        }
        assert_eq!(
            root.check_entry(Path::new("static/file"), true),
            Err(Escape::Outside { link: "static/file".into(), target: secret })
        );
        assert_eq!(
            root.check(Path::new("static/dangling")),
            Err(Escape::Dangling { link: "static/dangling".into(), target: "nowhere".into() })
        );
        assert!(root.holds(&at("static/inside")));
        assert!(!root.holds(&at("static/file")));
    }
}
