//! Themes: minijinja templates compiled once, and static assets.
//!
//! A theme is `themes/<name>/templates/*.html` and `themes/<name>/static/**`.
//! The default theme is built into the binary, so a site needs no copy of it.
//! A site overrides any template with `templates/<same name>` and adds or
//! replaces assets with `static/**`; assets are copied to the site root.
//! Every file of a theme or of the site's overrides stays inside the site:
//! a link that leads out is refused ([`crate::layout::confine`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::config::BaseUrl;
use crate::layout::confine::Root;
use crate::layout::source;

use super::RenderError;
use crate::linkcheck::Written;

/// Where an asset's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Builtin(&'static [u8]),
    File(PathBuf),
}

pub(crate) struct Theme {
    pub env: Environment<'static>,
    /// Output path (relative to the site root) → source.
    pub assets: BTreeMap<String, Source>,
    /// Template name → where it was read, as a message names it.
    origins: BTreeMap<String, String>,
    /// The templates read from the site's files (not built in): their origin is their path.
    on_disk: std::collections::BTreeSet<String>,
}

macro_rules! builtin {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../themes/default/", $path)))),*]
    };
}

/// The default theme, embedded. `tests::builtin_list_matches_the_folder` keeps
/// this list in step with `themes/default/`.
const DEFAULT_THEME: &[(&str, &[u8])] = builtin!(
    "templates/base.html",
    "templates/index.html",
    "templates/year.html",
    "templates/report.html",
    "templates/agency.html",
    "templates/agencies.html",
    "templates/data.html",
    "templates/404.html",
    "templates/compliance.html",
    "templates/rankings.html",
    "templates/years.html",
    "templates/search.html",
    "static/assets/style.css",
    "static/assets/favicon.svg",
    "static/assets/site.js",
    "static/assets/search.js",
);

impl Theme {
    pub(crate) fn load(root: &Path, name: &str, base: &BaseUrl) -> Result<Self, RenderError> {
        if let Some(why) = source::theme_name_error(name) {
            return Err(RenderError::Theme(format!("theme = \"{name}\" 不能使用：{why}")));
        }
        let confine = Root::new(root);
        // Template name → (where it was read, its text).
        let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut on_disk = std::collections::BTreeSet::new();
        let shown = |rel: &Path| rel.display().to_string();
        let mut assets: BTreeMap<String, Source> = BTreeMap::new();
        let theme_rel = source::theme_dir(name);
        confine.check(&theme_rel)?;
        if root.join(&theme_rel).is_dir() {
            let dir = theme_rel.join(source::TEMPLATES);
            for (rel, path) in walk(&confine, &dir)? {
                templates.insert(rel.clone(), (shown(&dir.join(&rel)), read_template(&path)?));
                on_disk.insert(rel);
            }
            for (rel, path) in walk(&confine, &theme_rel.join(source::STATIC))? {
                assets.insert(rel, Source::File(path));
            }
        } else if name == "default" {
            for (path, bytes) in DEFAULT_THEME {
                if let Some(rel) = path.strip_prefix("templates/") {
                    let text = std::str::from_utf8(bytes)
                        .map_err(|_| RenderError::Theme(format!("内置模板 {path} 不是 UTF-8")))?;
                    templates.insert(rel.to_owned(), (format!("内置主题 default 的 {rel}"), text.to_owned()));
                } else if let Some(rel) = path.strip_prefix("static/") {
                    assets.insert(rel.to_owned(), Source::Builtin(bytes));
                }
            }
        } else {
            return Err(RenderError::Theme(format!(
                "找不到主题“{name}”：请把主题放在 themes/{name}/，或在 site.toml 中写 theme = \"default\""
            )));
        }
        for (rel, path) in walk(&confine, Path::new(source::TEMPLATES))? {
            templates.insert(rel.clone(), (shown(&Path::new(source::TEMPLATES).join(&rel)), read_template(&path)?));
            on_disk.insert(rel);
        }
        for (rel, path) in walk(&confine, Path::new(source::STATIC))? {
            assets.insert(rel, Source::File(path));
        }

        let mut env = Environment::new();
        // A misspelt or missing variable is an error at its line, not an empty
        // heading on every page: templates test optional values with `is defined`.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| RenderError::Theme(describe(&e, "", None)))?;
        env.set_syntax(syntax);
        // minijinja's HTML escaping also escapes `/`, which makes every URL
        // unreadable (`&#x2f;xxgk&#x2f;`); escape strings the way the rest of
        // the site does instead.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(s) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
                crate::text::escape_into(out, s).map_err(minijinja::Error::from)
            }
            _ => minijinja::escape_formatter(out, state, value),
        });
        let base = base.clone();
        // The one way templates make links: a site path in, a link under base_url out.
        env.add_function("url", move |path: &str| base.link(path));
        let mut origins = BTreeMap::new();
        for (name, (origin, source)) in templates {
            if let Err(e) = env.add_template_owned(name.clone(), source.clone()) {
                let message = describe(&e, &origin, Some(&source));
                return Err(RenderError::Template { name, message });
            }
            origins.insert(name, origin);
        }
        Ok(Self { env, assets, origins, on_disk })
    }

    /// Where a template writes the link `url` (as the page has it) literally:
    /// the address itself in quotes, or the site path given to `url('…')`.
    /// `None` for a link computed from a variable (a report's, an agency's).
    pub(crate) fn find_link(&self, url: &str, base_path: &str) -> Option<Written> {
        let mut needles: Vec<(String, usize)> = vec![(format!("\"{url}\""), 1), (format!("'{url}'"), 1)];
        if let Some(rel) = url.strip_prefix(base_path) {
            needles.push((format!("url('{rel}')"), 5));
            needles.push((format!("url(\"{rel}\")"), 5));
        }
        // The site's own templates first: they are what a webmaster edits.
        let mut names: Vec<&String> = self.origins.keys().collect();
        names.sort_by_key(|name| !self.on_disk.contains(*name));
        names.into_iter().find_map(|name| {
            let template = self.env.get_template(name).ok()?;
            let text = template.source();
            let (at, skip, len) = needles.iter().find_map(|(n, skip)| {
                text.find(n.as_str()).map(|at| (at, *skip, n.len() - skip - if *skip == 5 { 2 } else { 1 }))
            })?;
            let shown = self.origins.get(name).cloned().unwrap_or_default();
            let path = self.on_disk.contains(name).then(|| std::path::PathBuf::from(&shown));
            Some(Written { shown, path, text: text.to_owned(), span: at + skip..at + skip + len })
        })
    }

    /// A template error in words: the file and line it is at, what went
    /// wrong, the expression quoted.
    pub(crate) fn describe(&self, e: &minijinja::Error) -> String {
        let name = e.name().unwrap_or_default();
        let origin = self.origins.get(name).map_or(name, String::as_str);
        let template = self.env.get_template(name).ok();
        describe(e, origin, template.as_ref().map(|t| t.source()))
    }
}

/// A template error, in one line: where (`origin`, read from `source`), what, and its causes.
fn describe(e: &minijinja::Error, origin: &str, source: Option<&str>) -> String {
    use minijinja::ErrorKind as K;
    let what = match e.kind() {
        K::UndefinedError => "用到了未定义的变量或属性（可用 is defined 判断，或用 default 过滤器给出默认值）",
        K::SyntaxError => "模板语法错误",
        K::TemplateNotFound => "找不到引用的模板",
        K::UnknownFilter => "未知的过滤器",
        K::UnknownTest => "未知的测试",
        K::UnknownFunction => "未知的函数",
        K::UnknownMethod => "未知的方法",
        K::UnknownBlock => "未知的块",
        K::TooManyArguments | K::MissingArgument => "参数个数不对",
        K::InvalidOperation | K::NonPrimitive | K::NonKey | K::CannotUnpack => "无法对这个值进行此操作",
        _ => "渲染出错",
    };
    let mut msg = match e.line() {
        Some(line) => format!("{origin} 第 {line} 行：{what}"),
        None if origin.is_empty() => what.to_owned(),
        None => format!("{origin}：{what}"),
    };
    let line = e.line().zip(source).and_then(|(line, source)| source.lines().nth(line.checked_sub(1)?));
    if let Some(quoted) = line.map(template_tags).filter(|q| !q.is_empty()) {
        msg.push_str(&format!("：{quoted}"));
    }
    if let Some(detail) = e.detail() {
        msg.push_str(&format!("（{detail}）"));
    }
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        msg.push_str(&format!("：{c}"));
        cause = c.source();
    }
    msg
}

/// The template tags (`{{ … }}`, `{% … %}`) of a line, to quote where an
/// error is without its HTML around; the line itself if it has none. At most
/// 200 characters.
fn template_tags(line: &str) -> String {
    let mut tags = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('{') {
        let close = match rest[start..].get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            _ => {
                rest = &rest[start + 1..];
                continue;
            }
        };
        let Some(len) = rest[start..].find(close) else { break };
        tags.push(&rest[start..start + len + 2]);
        rest = &rest[start + len + 2..];
    }
    let quoted = if tags.is_empty() { line.trim().to_owned() } else { tags.join(" ") };
    let mut out: String = quoted.chars().take(200).collect();
    if out.len() < quoted.len() {
        out.push('…');
    }
    out
}

fn read_template(path: &Path) -> Result<String, RenderError> {
    fs::read_to_string(path).map_err(|e| RenderError::Io { path: path.to_path_buf(), source: e })
}

/// Files under the folder `dir` of the site (if it exists), as (`a/b.css`,
/// path to open), sorted. The folder and every link under it must stay inside
/// the site; a name that is not UTF-8 cannot be a site path.
fn walk(root: &Root, dir: &Path) -> Result<Vec<(String, PathBuf)>, RenderError> {
    let mut out = Vec::new();
    root.check(dir)?;
    if !root.path().join(dir).is_dir() {
        return Ok(out);
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RenderError::Io { path, source }
    };
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let full = root.path().join(&d);
        for entry in fs::read_dir(&full).map_err(io(&full))? {
            let entry = entry.map_err(io(&full))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(RenderError::Name(d.join(&name)));
            };
            if name.starts_with('.') {
                continue;
            }
            let rel = d.join(name);
            let kind = entry.file_type().map_err(io(&entry.path()))?;
            root.check_entry(&rel, kind.is_symlink())?;
            // A link followed leads inside the site: it may loop only through
            // a folder of the site, which the stack would then visit forever.
            if entry.path().is_dir() {
                if kind.is_symlink() && leads_to_ancestor(&entry.path()) {
                    return Err(RenderError::Loop(rel));
                }
                stack.push(rel);
            } else if let Ok(inner) = rel.strip_prefix(dir) {
                let site_path =
                    inner.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                out.push((site_path, entry.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a link to a folder leads to the folder it is in, or above it.
fn leads_to_ancestor(link: &Path) -> bool {
    let (Ok(target), Some(Ok(parent))) = (link.canonicalize(), link.parent().map(Path::canonicalize)) else {
        return false;
    };
    parent.starts_with(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_matches_the_folder() {
        let root = Root::new(Path::new(env!("CARGO_MANIFEST_DIR")));
        let mut on_disk: Vec<String> =
            walk(&root, Path::new("themes/default")).unwrap().into_iter().map(|(rel, _)| rel).collect();
        on_disk.sort();
        let mut listed: Vec<String> = DEFAULT_THEME.iter().map(|(p, _)| p.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed, "update DEFAULT_THEME in src/render/theme.rs");
    }
}
