//! Which reports a run publishes, and where (`--base-url`). A draft (`draft = true`, what `portal new`
//! writes) is never published; a report dated after today is held back until
//! a build runs on or after its date (scheduled publication), with a
//! warning. Held-back reports are taken out of the site before anything is
//! summed, validated or rendered, so that no output (pages, feed, sitemap,
//! open data, summaries, the compliance overview) can show them. `portal
//! serve` keeps them, marked, so that their pages show a banner.
//!
//! "Today" is China Standard Time's date, unless fixed by `--clock` or the
//! `PORTAL_CLOCK` variable (tests, reproducible builds).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::BaseUrl;
use crate::diagnostics::{Code, Diagnostic};
use crate::layout::source;
use crate::model::{Date, Site, Status};

/// The variable that fixes "today" (`YYYY-MM-DD`) when `--clock` is not given.
pub const CLOCK_VAR: &str = "PORTAL_CLOCK";

/// China Standard Time, UTC+8, in seconds.
const CHINA_OFFSET: u64 = 8 * 3600;

/// What becomes of reports that are not published yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    /// Left out of the site (`build`, `check`, `serve --no-drafts`).
    Hold,
    /// Kept and marked (`serve`): their pages carry a 草稿 banner.
    Show,
}

/// The date a run publishes for, and what it does with drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    today: Date,
    drafts: Drafts,
    /// `--base-url`: the address to build for instead of `site.toml`'s (a staging host).
    base_url: Option<BaseUrl>,
}

/// A `--clock` or `PORTAL_CLOCK` that is not a date.
#[derive(Debug, thiserror::Error)]
#[error("“{given}”不是有效日期：今天的日期请写成 2025-01-10 的形式（--clock 或环境变量 {CLOCK_VAR}）")]
pub struct ClockError {
    given: String,
}

impl Publish {
    /// Today from `clock`, else from `PORTAL_CLOCK`, else from the system clock.
    pub fn new(clock: Option<&str>, drafts: Drafts) -> Result<Self, ClockError> {
        let fixed = clock.map(str::to_owned).or_else(|| std::env::var(CLOCK_VAR).ok().filter(|s| !s.is_empty()));
        let today = match fixed {
            Some(s) => Date::parse(s.trim()).ok_or(ClockError { given: s })?,
            None => system_today(),
        };
        Ok(Self { today, drafts, base_url: None })
    }

    /// Builds for `url` instead of `site.toml`'s `base_url` (a staging or
    /// preview host); the message says why an address cannot be one.
    pub fn with_base_url(mut self, url: &str) -> Result<Self, String> {
        self.base_url = Some(BaseUrl::parse(url).map_err(|e| format!("--base-url：{e}"))?);
        Ok(self)
    }

    /// As [`Publish::new`] without `--clock`; an unusable `PORTAL_CLOCK` is
    /// ignored (the library's callers that take no command line).
    pub fn from_env(drafts: Drafts) -> Self {
        Self::new(None, drafts).unwrap_or(Self { today: system_today(), drafts, base_url: None })
    }

    /// What drafts become.
    pub fn drafts(&self) -> Drafts {
        self.drafts
    }

    /// The day, which a kept state must have been made on to stand for this
    /// run: a scheduled report is due on a later one.
    pub(crate) fn day_key(&self) -> String {
        match &self.base_url {
            Some(url) => format!("{} {}{}", self.today, url.origin(), url.path()),
            None => self.today.to_string(),
        }
    }

    /// What a kept state says of the drafts: `None` when the site it holds
    /// had none (nor a scheduled report), so that `Hold` and `Show` see the
    /// same site; else the choice it was made with.
    pub(crate) fn drafts_key(&self, site: &Site, diagnostics: &crate::diagnostics::Diagnostics) -> Option<String> {
        let held = diagnostics.iter().any(|d| matches!(d.code, Code::Draft | Code::Scheduled));
        let shown = site.reports().any(|(_, r)| r.status != Status::Published);
        (held || shown).then(|| self.mode_key())
    }

    /// The choice of drafts, as a kept state records it.
    pub(crate) fn mode_key(&self) -> String {
        format!("{:?}", self.drafts)
    }

    /// Whether a report with `status` from its file, dated `date`, is
    /// published, a draft or scheduled today.
    pub(crate) fn status(&self, written: Status, date: Date) -> Status {
        match written {
            Status::Draft => Status::Draft,
            _ if date > self.today => Status::Scheduled,
            _ => Status::Published,
        }
    }

    /// Whether a report of this status is left out of the site.
    pub(crate) fn holds(&self, status: Status) -> bool {
        status != Status::Published && self.drafts == Drafts::Hold
    }
}

fn system_today() -> Date {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) + CHINA_OFFSET;
    Date::from_unix_days(i64::try_from(secs / 86_400).unwrap_or(0)).unwrap_or(Date { year: 1970, month: 1, day: 1 })
}

/// Takes the reports that are not published today out of `site` (or, to
/// show them, marks them), and says which, as warnings.
pub(crate) fn hold_back(site: &mut Site, publish: &Publish) -> Vec<Diagnostic> {
    if let Some(url) = &publish.base_url {
        site.config.base_url = url.clone();
    }
    let mut found = Vec::new();
    for agency in &mut site.agencies {
        let slug = agency.slug.clone();
        agency.reports.retain_mut(|report| {
            let status = publish.status(report.status, report.date);
            if status != report.status {
                Arc::make_mut(report).status = status;
            }
            if publish.drafts == Drafts::Hold {
                let path = source::report_dir(&slug, report.year).join(source::NARRATIVE_FILE);
                match status {
                    Status::Draft => found.push(
                        Diagnostic::warning(
                            Code::Draft,
                            format!("{} 是草稿（draft = true），不会发布", path.display()),
                        )
                        .at_path(path)
                        .with_note("写完并检查无误后，删除 report.md 元数据中 draft = true 这一行再构建；portal serve 可以预览草稿"),
                    ),
                    Status::Scheduled => found.push(
                        Diagnostic::warning(
                            Code::Scheduled,
                            format!(
                                "发布日期 {} 在今天（{}）之后：这份报告到那一天才会发布，在此之前的构建都不包含它",
                                report.date, publish.today
                            ),
                        )
                        .at(report.markdown_file, report.date_span.clone())
                        .with_label("尚未到发布日期")
                        .with_note("到期后请重新运行 portal build；如果日期写错了，请改为实际发布日期"),
                    ),
                    Status::Published => {}
                }
            }
            !publish.holds(status)
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_drafts_whatever_the_date_and_later_dates_wait() {
        let publish = Publish::new(Some("2025-01-10"), Drafts::Hold).unwrap();
        let day = |d| Date { year: 2025, month: 1, day: d };
        assert_eq!(publish.status(Status::Draft, day(1)), Status::Draft);
        assert_eq!(publish.status(Status::Published, day(10)), Status::Published);
        assert_eq!(publish.status(Status::Published, day(11)), Status::Scheduled);
        assert_eq!(publish.status(Status::Scheduled, day(9)), Status::Published);
        assert!(publish.holds(Status::Draft) && !publish.holds(Status::Published));
        assert!(!Publish::new(Some("2025-01-10"), Drafts::Show).unwrap().holds(Status::Draft));
        assert!(Publish::new(Some("2025-13-10"), Drafts::Show).is_err());
    }
}
