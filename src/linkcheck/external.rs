//! `portal check --external`: fetching the links that leave the site.
//!
//! Three outcomes, never two: a link works, is broken, or cannot be verified
//! (the site refuses robots, rate-limits or does not answer in time). Each URL
//! is fetched once however many pages use it, with a global and a per-host
//! limit on concurrent requests, retries with backoff, and redirects followed
//! one hop at a time so that loops and permanent moves can be reported.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::layout::source;

/// What became of one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub(crate) enum Verdict {
    Ok,
    /// Works, through redirects; `permanent` when any hop was 301 or 308 (the link should be updated).
    Redirected {
        to: String,
        permanent: bool,
    },
    Broken {
        reason: String,
    },
    Unverifiable {
        reason: String,
    },
    /// Matched an exclusion.
    Skipped,
}

pub(crate) struct Options {
    pub timeout: Duration,
    /// Retries after the first attempt, for timeouts, 5xx and 429.
    pub retries: u32,
    pub concurrency: usize,
    pub per_host: usize,
    pub exclude: Vec<regex_lite::Regex>,
    /// Where results are kept between runs, and for how long.
    pub cache: Option<(PathBuf, Duration)>,
    /// Longest wait honoured from a `Retry-After` header.
    pub max_retry_after: Duration,
    /// The site's origin and the address of a mirror to fetch its pages from instead.
    pub mirror: Option<Mirror>,
}

/// Where to fetch the pages of the site's own host (the rest of the portal)
/// from: a local mirror, say, or a staging host.
#[derive(Debug, Clone)]
pub struct Mirror {
    /// The site's origin, `https://www.example.gov.cn`.
    pub origin: String,
    /// The address that stands for it, `http://127.0.0.1:8080`.
    pub to: String,
}

impl Mirror {
    /// `url` on the mirror, if it is on the site's host (http or https).
    pub(crate) fn map(&self, url: &str) -> Option<String> {
        let host = self.origin.split_once("://").map_or(self.origin.as_str(), |(_, h)| h);
        let (scheme, rest) = url.split_once("://")?;
        if !["http", "https"].contains(&scheme.to_ascii_lowercase().as_str()) {
            return None;
        }
        let tail = rest.get(host.len()..)?;
        let same = rest.get(..host.len()).is_some_and(|h| h.eq_ignore_ascii_case(host));
        (same && (tail.is_empty() || tail.starts_with(['/', '?'])))
            .then(|| format!("{}{tail}", self.to.trim_end_matches('/')))
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            retries: 2,
            concurrency: 16,
            per_host: 2,
            exclude: Vec::new(),
            cache: None,
            max_retry_after: Duration::from_secs(30),
            mirror: None,
        }
    }
}

/// How long a kept verdict is trusted: checking again while links are being
/// fixed fetches only what changed, and a site that was down is asked again soon.
const CACHE_TTL: Duration = Duration::from_secs(3600);

/// What `portal check --external` chooses; every other option keeps its default.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// Patterns of URLs not to fetch: `site.toml`'s `links.exclude`, then `--exclude`.
    pub exclude: Vec<String>,
    /// How long to wait for each request.
    pub timeout: Duration,
    /// Trust the verdicts of runs younger than an hour, kept under the site root.
    pub use_cache: bool,
    /// Fetch the site's own host from here (`--mirror`).
    pub mirror: Option<Mirror>,
}

/// An exclusion pattern that is not a regular expression.
#[derive(Debug, thiserror::Error)]
#[error("排除规则 {pattern} 不是有效的正则表达式：{reason}")]
pub struct InvalidExclude {
    /// The pattern as written.
    pub pattern: String,
    /// Why it does not compile.
    pub reason: regex_lite::Error,
}

impl Options {
    /// The options for checking the site at `root` as `site` asks: its
    /// patterns compiled, in order, and the site's cache unless it is refused.
    pub(crate) fn for_site(root: &Path, site: &SiteOptions) -> Result<Self, InvalidExclude> {
        let exclude = site
            .exclude
            .iter()
            .map(|pattern| {
                regex_lite::Regex::new(pattern).map_err(|reason| InvalidExclude { pattern: pattern.clone(), reason })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            timeout: site.timeout,
            exclude,
            cache: site.use_cache.then(|| (source::external_links_cache(root), CACHE_TTL)),
            mirror: site.mirror.clone(),
            ..Self::default()
        })
    }
}

impl Options {
    /// Whether `url` is fetched from the mirror.
    fn mirrors(&self, url: &str) -> bool {
        self.mirror.as_ref().is_some_and(|m| m.map(url).is_some())
    }
}

const MAX_REDIRECTS: usize = 10;
const USER_AGENT: &str = concat!("portal/", env!("CARGO_PKG_VERSION"), " (dead-link inspection)");

/// Checks each distinct URL once; `progress(done, total)` after each.
pub(crate) fn check(
    urls: &[String],
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> BTreeMap<String, Verdict> {
    let mut unique: Vec<&String> = urls.iter().collect();
    unique.sort();
    unique.dedup();
    let now = unix_now();
    let mut cache = options.cache.as_ref().map(|(path, ttl)| Cache::load(path, now, *ttl)).unwrap_or_default();
    let mut results = BTreeMap::new();
    let mut queue = VecDeque::new();
    for url in unique {
        if options.exclude.iter().any(|re| re.is_match(url)) {
            results.insert(url.clone(), Verdict::Skipped);
        } else if let Some(v) = cache.get(url).filter(|_| !options.mirrors(url)) {
            results.insert(url.clone(), v.clone());
        } else {
            queue.push_back(url.clone());
        }
    }
    let total = results.len() + queue.len();
    let done = Mutex::new(results.len());
    progress(results.len(), total);

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .build()
        .into();
    let queue = Mutex::new(queue);
    let hosts = HostLimit { busy: Mutex::new(HashMap::new()), freed: Condvar::new(), limit: options.per_host.max(1) };
    let found = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..options.concurrency.max(1) {
            scope.spawn(|| {
                loop {
                    let Some(url) = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front() else { return };
                    let verdict = follow(&agent, &url, options, &hosts);
                    found.lock().unwrap_or_else(|p| p.into_inner()).push((url, verdict));
                    let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
                    *done += 1;
                    progress(*done, total);
                }
            });
        }
    });
    let fresh = found.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some((path, _)) = &options.cache {
        // A mirror's verdict is not the real host's.
        for (url, verdict) in fresh.iter().filter(|(url, _)| !options.mirrors(url)) {
            cache.0.insert(url.clone(), (now, verdict.clone()));
        }
        cache.save(path);
    }
    results.extend(fresh);
    results
}

/// Follows redirects one hop at a time.
fn follow(agent: &ureq::Agent, url: &str, options: &Options, hosts: &HostLimit) -> Verdict {
    let url = options.mirror.as_ref().and_then(|m| m.map(url)).unwrap_or_else(|| url.to_owned());
    let mut current = url.clone();
    let mut seen = vec![url];
    let mut permanent = false;
    for _ in 0..=MAX_REDIRECTS {
        let (status, location) = match fetch(agent, &current, options, hosts) {
            Ok(answer) => answer,
            Err(verdict) => return verdict,
        };
        match status {
            200..=299 if seen.len() == 1 => return Verdict::Ok,
            200..=299 => return Verdict::Redirected { to: current, permanent },
            301 | 302 | 303 | 307 | 308 => {
                permanent |= status == 301 || status == 308;
                let Some(next) = location.and_then(|l| join(&current, &l)) else {
                    return Verdict::Broken {
                        reason: format!("HTTP {status} 重定向，但没有给出新地址（Location）")
                    };
                };
                if seen.contains(&next) {
                    return Verdict::Broken { reason: format!("重定向循环：{} → {next}", seen.join(" → ")) };
                }
                seen.push(next.clone());
                current = next;
            }
            401 | 403 | 429 => {
                return Verdict::Unverifiable {
                    reason: format!("HTTP {status}：网站拒绝了自动访问，请人工打开确认")
                };
            }
            _ => return Verdict::Broken { reason: format!("HTTP {status}") },
        }
    }
    Verdict::Broken { reason: format!("重定向超过 {MAX_REDIRECTS} 次：{}", seen.join(" → ")) }
}

/// One hop: HEAD, falling back to GET where HEAD is refused; retries with
/// backoff for timeouts, 5xx and 429. Returns the final status and `Location`.
fn fetch(
    agent: &ureq::Agent,
    url: &str,
    options: &Options,
    hosts: &HostLimit,
) -> Result<(u16, Option<String>), Verdict> {
    let host = host_of(url);
    let mut attempt = 0;
    loop {
        let answer = {
            let _slot = hosts.acquire(&host);
            let head = agent.head(url).call();
            match head {
                // Servers that do not do HEAD say so in many ways.
                Ok(r) if matches!(r.status().as_u16(), 400 | 403 | 404 | 405 | 501) => agent.get(url).call(),
                Err(ureq::Error::Protocol(_)) => agent.get(url).call(),
                other => other,
            }
        };
        let retry_in = |attempt: u32| Duration::from_millis(200 * 2u64.pow(attempt));
        match answer {
            Ok(r) => {
                let status = r.status().as_u16();
                let retryable = status == 429 || (500..=599).contains(&status);
                if retryable && attempt < options.retries {
                    let wait = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs)
                        .unwrap_or_else(|| retry_in(attempt))
                        .min(options.max_retry_after);
                    thread::sleep(wait);
                    attempt += 1;
                    continue;
                }
                if (500..=599).contains(&status) {
                    return Err(Verdict::Broken {
                        reason: format!("HTTP {status}（重试 {attempt} 次后仍然出错）")
                    });
                }
                let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
                return Ok((status, location));
            }
            Err(ureq::Error::Timeout(_)) if attempt < options.retries => {
                thread::sleep(retry_in(attempt));
                attempt += 1;
            }
            Err(e @ ureq::Error::Timeout(_)) => {
                return Err(Verdict::Unverifiable {
                    reason: format!(
                        "{} 秒内没有响应（重试 {attempt} 次）：{}",
                        options.timeout.as_secs_f64(),
                        chain(&e)
                    ),
                });
            }
            Err(e) => return Err(Verdict::Broken { reason: describe(&e) }),
        }
    }
}

/// A transport failure in words, with its whole cause chain.
fn describe(e: &ureq::Error) -> String {
    let what = match e {
        ureq::Error::HostNotFound => "域名解析失败（DNS）",
        ureq::Error::ConnectionFailed => "无法连接",
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => "连接被拒绝",
        ureq::Error::Io(io) if io.to_string().contains("lookup") => "域名解析失败（DNS）",
        ureq::Error::Io(_) => "网络错误",
        ureq::Error::Tls(_) => "HTTPS 证书或加密连接出错",
        ureq::Error::BadUri(_) => "网址格式不对",
        _ => "请求失败",
    };
    format!("{what}：{}", chain(e))
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(&format!("：{s}"));
        source = s.source();
    }
    out
}

/// Resolves a `Location` against the URL it came from.
fn join(from: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_owned());
    }
    let (scheme, rest) = from.split_once("://")?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    let origin = format!("{scheme}://{}", &rest[..host_end]);
    if let Some(rest) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some(format!("{origin}{location}"));
    }
    let path = &rest[host_end..];
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    Some(format!("{origin}{}{location}", if dir.is_empty() { "/" } else { dir }))
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("").to_ascii_lowercase()
}

/// At most `limit` requests at a time to one host.
struct HostLimit {
    busy: Mutex<HashMap<String, usize>>,
    freed: Condvar,
    limit: usize,
}

struct Slot<'a> {
    hosts: &'a HostLimit,
    host: String,
}

impl HostLimit {
    fn acquire(&self, host: &str) -> Slot<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while busy.get(host).copied().unwrap_or(0) >= self.limit {
            busy = self.freed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
        *busy.entry(host.to_owned()).or_default() += 1;
        Slot { hosts: self, host: host.to_owned() }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut busy = self.hosts.busy.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = busy.get_mut(&self.host) {
            *n -= 1;
        }
        self.hosts.freed.notify_all();
    }
}

/// Results of earlier runs: URL → (checked at, verdict).
#[derive(Default, Serialize, Deserialize)]
struct Cache(BTreeMap<String, (u64, Verdict)>);

impl Cache {
    /// The entries younger than `ttl`; an unreadable cache is an empty one.
    fn load(path: &std::path::Path, now: u64, ttl: Duration) -> Self {
        let Ok(text) = std::fs::read_to_string(path) else { return Self::default() };
        let mut cache: Self = serde_json::from_str(&text).unwrap_or_default();
        cache.0.retain(|_, (at, _)| now.saturating_sub(*at) < ttl.as_secs());
        cache
    }

    fn get(&self, url: &str) -> Option<&Verdict> {
        self.0.get(url).map(|(_, v)| v)
    }

    /// Best effort: a cache that cannot be written only makes the next run slower.
    fn save(&self, path: &std::path::Path) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_string(self) {
            let _ = std::fs::write(path, text);
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_url() {
        assert_eq!(join("http://a.cn/x/y", "/z").as_deref(), Some("http://a.cn/z"));
        assert_eq!(join("http://a.cn/x/y", "z").as_deref(), Some("http://a.cn/x/z"));
        assert_eq!(join("http://a.cn", "z").as_deref(), Some("http://a.cn/z"));
        assert_eq!(join("https://a.cn/x", "//b.cn/q").as_deref(), Some("https://b.cn/q"));
        assert_eq!(join("http://a.cn/x", "https://c.cn/").as_deref(), Some("https://c.cn/"));
        assert_eq!(host_of("https://WWW.Gov.cn:443/a?b"), "www.gov.cn:443");
    }
}
