//! The link-check report (链接检查报告): every problem link grouped by the
//! page it is on, the home page first (inspectors weigh it most), as data for
//! the console, JSON and an HTML page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::external::{self, InvalidExclude, SiteOptions, Verdict};
use super::{Inspection, Source};
use crate::layout::url;
use crate::sources::Sources;
use crate::text::escape;

/// How many links the report counts of each outcome. A link is counted once
/// per address however many pages have it (a template's link is on every
/// page); `checked` alone counts every place a link is written.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    /// Links looked at, internal and external, every place they are written.
    pub checked: usize,
    /// External addresses that answered.
    pub ok: usize,
    /// Addresses that lead nowhere, internal and external.
    pub broken: usize,
    /// External addresses that redirect, temporarily or for good; only permanent redirects are listed.
    pub redirected: usize,
    /// External addresses whose site refused or did not answer.
    pub unverifiable: usize,
    /// External addresses not fetched: excluded, or fetching was not asked for.
    pub skipped: usize,
    /// Pages that have a listed link.
    pub pages: usize,
}

impl Counts {
    /// The counts in words, as the console and the HTML report show them.
    pub fn words(&self) -> String {
        format!(
            "共检查 {} 处链接；按地址计（同一地址出现在多个页面上只算一次）：失效 {} 个，重定向 {} 个，无法确认 {} 个，\
             未检查 {} 个，外部地址正常 {} 个；列出的链接在 {} 个页面上",
            self.checked, self.broken, self.redirected, self.unverifiable, self.skipped, self.ok, self.pages
        )
    }
}

/// What is wrong with a listed link. JSON and the HTML report's row classes
/// name it in lowercase (`broken`, `unverifiable`, `redirected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkOutcome {
    /// Leads nowhere: a missing page or fragment, an HTTP error, a failed connection.
    Broken,
    /// The site refused or did not answer: it may only be refusing robots.
    Unverifiable,
    /// Works, but moved for good (301 or 308): the link should be updated.
    /// Temporary redirects are counted, never listed.
    Redirected,
}

impl LinkOutcome {
    /// The outcome in words, as the console and the HTML report show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Broken => "失效",
            Self::Unverifiable => "无法确认",
            Self::Redirected => "已永久迁移",
        }
    }

    /// Its name in JSON, and the class of its row in the HTML report.
    fn name(self) -> &'static str {
        match self {
            Self::Broken => "broken",
            Self::Unverifiable => "unverifiable",
            Self::Redirected => "redirected",
        }
    }
}

/// The HTML report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("无法写入链接检查报告 {}：{reason}", path.display())]
pub struct WriteError {
    /// Where it was to be written.
    pub path: PathBuf,
    /// Why it could not be.
    pub reason: std::io::Error,
}

/// One listed link.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// What is wrong with it.
    pub kind: LinkOutcome,
    /// The URL: as written for an internal link, absolute for an external one.
    pub url: String,
    /// Line in the generated page.
    pub line: usize,
    /// Where it was written: `content/…/report.md:21:5`, `static/about.html`, or the template.
    pub source: String,
    /// Why it is listed, in the user's words (Chinese).
    pub reason: String,
}

/// The listed links of one page.
#[derive(Debug, Serialize)]
pub struct PageEntries {
    /// Site path of the page.
    pub page: String,
    /// Its listed links; a template's link only on the first page that has it.
    pub entries: Vec<Entry>,
}

/// The report: every listed link, by page.
#[derive(Debug, Serialize)]
pub struct LinkReport {
    /// How many links had each outcome, listed or not.
    pub counts: Counts,
    /// Pages with listed links, the home page first, then by site path.
    pub pages: Vec<PageEntries>,
}

impl LinkReport {
    /// The report of `portal check`: the inspection's internal problems, and
    /// its external links fetched when `fetch` asks for it (otherwise they
    /// count as not checked); `progress(done, total)` after each URL.
    pub fn check(
        root: &Path,
        inspection: &Inspection,
        sources: &Sources,
        fetch: Option<&SiteOptions>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Self, InvalidExclude> {
        let verdicts = match fetch {
            Some(site) => {
                let options = external::Options::for_site(root, site)?;
                let urls: Vec<String> = inspection.external.iter().map(|l| l.url.clone()).collect();
                Some(external::check(&urls, &options, progress))
            }
            None => None,
        };
        Ok(Self::new(inspection, verdicts.as_ref(), sources, root))
    }

    /// Internal problems from the inspection, and the verdicts of external
    /// links when they were fetched.
    /// `root` is the site root, for showing the paths of the site's own files.
    pub(crate) fn new(
        inspection: &Inspection,
        verdicts: Option<&BTreeMap<String, Verdict>>,
        sources: &Sources,
        root: &Path,
    ) -> Self {
        let mut counts = Counts { checked: inspection.checked, ..Counts::default() };
        let mut by_page: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for b in &inspection.broken {
            by_page.entry(b.page.clone()).or_default().push(Entry {
                kind: LinkOutcome::Broken,
                url: b.url.clone(),
                line: b.line,
                source: source_text(&b.source, sources, root),
                reason: b.explain(),
            });
        }
        let broken_urls: BTreeSet<&str> = inspection.broken.iter().map(|b| b.url.as_str()).collect();
        counts.broken = broken_urls.len();
        // Each address counted once, by its verdict; every place it is written is listed.
        let mut counted: BTreeSet<&str> = BTreeSet::new();
        for link in &inspection.external {
            let first = counted.insert(link.url.as_str());
            let count = |n: &mut usize| {
                if first {
                    *n += 1;
                }
            };
            let Some(verdict) = verdicts.and_then(|v| v.get(&link.url)) else {
                count(&mut counts.skipped);
                continue;
            };
            let (kind, reason) = match verdict {
                Verdict::Ok => {
                    count(&mut counts.ok);
                    continue;
                }
                Verdict::Skipped => {
                    count(&mut counts.skipped);
                    continue;
                }
                Verdict::Redirected { to, permanent } => {
                    count(&mut counts.redirected);
                    if !permanent {
                        continue;
                    }
                    (LinkOutcome::Redirected, format!("已永久迁移到 {to}，请把链接改为新地址"))
                }
                Verdict::Broken { reason } => {
                    count(&mut counts.broken);
                    (LinkOutcome::Broken, reason.clone())
                }
                Verdict::Unverifiable { reason } => {
                    count(&mut counts.unverifiable);
                    (LinkOutcome::Unverifiable, reason.clone())
                }
            };
            let source = source_text(&link.source, sources, root);
            by_page.entry(link.page.clone()).or_default().push(Entry {
                kind,
                url: link.url.clone(),
                line: link.line,
                source,
                reason,
            });
        }
        counts.pages = by_page.len();
        let mut pages: Vec<PageEntries> =
            by_page.into_iter().map(|(page, entries)| PageEntries { page, entries }).collect();
        // The home page first: inspectors weigh its links most.
        let home = url::page(url::HOME);
        pages.sort_by_key(|p| (p.page != home, p.page.clone()));
        Self { counts, pages: once_per_template(pages) }
    }

    pub(crate) fn has_broken(&self) -> bool {
        self.counts.broken > 0
    }

    /// Whether the links fail the check: any is broken, or, when `strict`,
    /// any could not be verified.
    pub fn fails(&self, strict: bool) -> bool {
        self.has_broken() || (strict && self.counts.unverifiable > 0)
    }

    /// Writes [`Self::to_html`] to `path`.
    pub fn write_html(&self, path: &Path, title: &str) -> Result<(), WriteError> {
        std::fs::write(path, self.to_html(title)).map_err(|reason| WriteError { path: path.to_owned(), reason })
    }

    /// The report as a standalone HTML page (链接检查报告).
    pub(crate) fn to_html(&self, title: &str) -> String {
        let c = &self.counts;
        let mut rows = String::new();
        for page in &self.pages {
            for e in &page.entries {
                rows.push_str(&format!(
                    "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td><a href=\"{}\">{}</a></td><td>{}</td></tr>\n",
                    e.kind.name(),
                    escape(&page.page),
                    escape(&e.source),
                    e.kind.label(),
                    escape(&e.url),
                    escape(&e.url),
                    escape(&e.reason)
                ));
            }
        }
        format!(
            r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>链接检查报告 · {title}</title>
<style>
body {{ font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 2rem; color: #1a1a1a; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; word-break: break-all; }}
th {{ background: #f2f2f2; }}
tr.broken td:nth-child(3) {{ color: #b00020; font-weight: bold; }}
</style>
</head>
<body>
<h1>链接检查报告</h1>
<p>{title}：{}。首页的问题列在最前。</p>
<table>
<thead><tr><th scope="col">页面</th><th scope="col">出处</th><th scope="col">结果</th><th scope="col">链接</th><th scope="col">原因</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"#,
            c.words(),
            title = escape(title),
        )
    }
}

/// A template's link is on every page built from it: it is listed once, on
/// the first page that has it, with the number of pages.
fn once_per_template(pages: Vec<PageEntries>) -> Vec<PageEntries> {
    let mut first: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    let mut out: Vec<PageEntries> = Vec::new();
    for page in pages {
        let mut kept = Vec::new();
        for e in page.entries {
            if e.source != TEMPLATE {
                kept.push(e);
                continue;
            }
            let key = (e.url.clone(), e.reason.clone());
            match first.get_mut(&key) {
                Some((_, _, count)) => *count += 1,
                None => {
                    first.insert(key, (out.len(), kept.len(), 1));
                    kept.push(e);
                }
            }
        }
        out.push(PageEntries { page: page.page, entries: kept });
    }
    for (page, entry, count) in first.into_values() {
        if count > 1 {
            out[page].entries[entry].source = format!("{TEMPLATE}（共 {count} 个页面）");
        }
    }
    out.retain(|p| !p.entries.is_empty());
    out
}

const TEMPLATE: &str = "模板";

fn source_text(source: &Source, sources: &Sources, root: &Path) -> String {
    match source {
        Source::Markdown(file, span) => {
            let (line, column) = sources.line_col(*file, span.start);
            format!("{}:{line}:{column}", sources.path(*file).display())
        }
        Source::File(path) => path.strip_prefix(root).unwrap_or(path).display().to_string(),
        Source::Template => TEMPLATE.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::LinkOutcome;

    /// The HTML report's row classes are the names JSON gives the outcomes.
    #[test]
    fn outcome_names_are_its_json_strings() {
        for outcome in [LinkOutcome::Broken, LinkOutcome::Unverifiable, LinkOutcome::Redirected] {
            assert_eq!(serde_json::to_value(outcome).ok(), Some(serde_json::Value::from(outcome.name())));
        }
    }
}
