//! `site.toml`: the portal's own settings.

use serde::Deserialize;

/// The parsed `site.toml`. Unknown keys are errors, so a typo never goes unnoticed.
/// (`Serialize` lets tests compare the keys `portal init` writes with these fields.)
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The portal's title, e.g. `临朐县人民政府信息公开年度报告`.
    pub title: String,
    /// Where the site is published, possibly under a subpath: `https://www.example.gov.cn/xxgk/`.
    pub base_url: BaseUrl,
    /// Only `zh-CN` is supported: every label on the site is official Chinese wording.
    #[serde(default = "default_language")]
    pub language: String,
    /// Theme folder name under `themes/`; `default` is built in.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Introduction shown on the home page (Markdown).
    #[serde(default)]
    pub intro: String,
    /// How many reports the home page and the feed list.
    #[serde(default = "default_latest")]
    pub latest: usize,
    /// The `[footer]` every page carries.
    pub footer: Footer,
    /// Dead-link inspection (错链、死链检测).
    #[serde(default)]
    pub links: LinksConfig,
    /// The bulk open data under `/data/`.
    #[serde(default)]
    pub data: DataConfig,
    /// What the narrative's HTML may carry.
    #[serde(default)]
    pub security: SecurityConfig,
    /// The full-text search (`search/`).
    #[serde(default)]
    pub search: SearchConfig,
    /// Which of the generated pages and files the site publishes.
    #[serde(default)]
    pub pages: PagesConfig,
}

/// The `[pages]` table: the generated pages a site may leave out. Each is
/// on by default; a page turned off is not written, and no page links to it.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PagesConfig {
    /// A year's rankings (`rankings/<year>/`), by 予以公开比例 and the like.
    #[serde(default = "yes")]
    pub rankings: bool,
    /// A year's compliance overview (`compliance/<year>/`): who published, when, and on time or not.
    #[serde(default = "yes")]
    pub compliance: bool,
    /// The RSS feed (`feed.xml`), and every page's link to it.
    #[serde(default = "yes")]
    pub feed: bool,
    /// The sitemap (`sitemap.xml`).
    #[serde(default = "yes")]
    pub sitemap: bool,
}

impl Default for PagesConfig {
    fn default() -> Self {
        Self { rankings: true, compliance: true, feed: true, sitemap: true }
    }
}

/// The `[search]` table.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Write the search index and page, and a search box on every page (the default).
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self { enabled: true }
    }
}

fn yes() -> bool {
    true
}

/// The `[security]` table.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// Publish raw HTML in `report.md` and `intro` as written, scripts and
    /// embeds included, instead of through the allow-list sanitizer.
    #[serde(default)]
    pub allow_raw_html: bool,
}

/// The open data's page (`/data/`).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// The terms under which the figures may be reused, shown on `/data/` (plain text).
    #[serde(default)]
    pub licence: String,
}

/// How broken links are treated.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LinksConfig {
    /// A broken internal link fails the build (`error`, the default) or is only reported (`warning`).
    #[serde(default)]
    pub internal: LinkSeverity,
    /// Regular expressions of external URLs `portal check --external` does not fetch.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// How a broken internal link is reported (`links.internal`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkSeverity {
    /// As an error: the build fails.
    #[default]
    Error,
    /// As a warning: the build goes on.
    Warning,
}

/// The items every government website shows in its footer.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    /// 主办单位
    pub sponsor: String,
    /// 承办单位 (optional)
    #[serde(default)]
    pub organizer: Option<String>,
    /// 网站标识码
    pub site_code: String,
    /// ICP备案号
    pub icp: String,
    /// 公安机关备案号
    pub police_record: String,
    /// 公安机关备案号 code used in the beian.mps.gov.cn link, digits only (optional).
    #[serde(default)]
    pub police_record_code: Option<String>,
    /// 联系地址
    #[serde(default)]
    pub address: Option<String>,
    /// 联系电话
    #[serde(default)]
    pub phone: Option<String>,
    /// 电子邮箱
    #[serde(default)]
    pub email: Option<String>,
    /// 政府网站找错 link (optional).
    #[serde(default)]
    pub error_report_url: Option<String>,
}

fn default_language() -> String {
    "zh-CN".to_owned()
}

fn default_theme() -> String {
    "default".to_owned()
}

fn default_latest() -> usize {
    10
}

/// The site's public address, split once into origin and path.
///
/// Every link the site writes is root-relative and starts with [`BaseUrl::path`],
/// so the site works under a subpath on any static server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://www.example.gov.cn`
    origin: String,
    /// `/xxgk/`: starts and ends with `/`.
    path: String,
}

impl BaseUrl {
    /// Reads `base_url` with a URL parser and writes it back in one canonical
    /// form: scheme and host in lower case (an IDN host in punycode), no
    /// default port, a path that ends with `/`. Only what a published site's
    /// address can be passes: `http` or `https` (in any case), a host, a port
    /// from 1 to 65535, no user, query or fragment, nothing that would have to
    /// be escaped where the address is written into a page.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if let Some(c) = s.chars().find(|&c| c.is_whitespace() || c.is_control() || "\"'<>`\\{}|^".contains(c)) {
            let c = if c.is_whitespace() { "空格".to_owned() } else { format!("“{}”", c.escape_default()) };
            return Err(format!("base_url 不能含{c}：请只写网址本身，例如 https://www.example.gov.cn/xxgk/"));
        }
        let (scheme, rest) = s.split_once("://").unwrap_or(("", s));
        if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
            return Err(format!("base_url 必须以 http:// 或 https:// 开头：{s}"));
        }
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("base_url 缺少域名：{s}"));
        }
        let url = url::Url::parse(s).map_err(|e| match e {
            url::ParseError::InvalidPort => format!("base_url 的端口号必须是 1 到 65535 之间的数字：{s}"),
            url::ParseError::EmptyHost => format!("base_url 缺少域名：{s}"),
            other => format!("base_url 不是有效的网址（{other}）：{s}"),
        })?;
        if url.port() == Some(0) {
            return Err(format!("base_url 的端口号必须是 1 到 65535 之间的数字：{s}"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("base_url 不能包含用户名或密码：{s}"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("base_url 不能包含查询参数或锚点：{s}"));
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| format!("base_url 缺少域名：{s}"))?;
        let origin = match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        };
        let mut path = url.path().to_owned();
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(Self { origin, path })
    }

    /// The path every internal link starts with.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// `https://www.example.gov.cn`, without a trailing slash.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// An absolute URL for a site path such as `2024/yeyuan/` (percent-encoded).
    pub(crate) fn absolute(&self, site_path: &str) -> String {
        format!("{}{}", self.origin, self.link(site_path))
    }

    /// A root-relative URL for a site path such as `2024/yeyuan/` (percent-encoded,
    /// so agency folders may have Chinese names).
    pub(crate) fn link(&self, site_path: &str) -> String {
        let mut out = String::with_capacity(self.path.len() + site_path.len());
        out.push_str(&self.path);
        for b in site_path.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
}

impl serde::Serialize for BaseUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}{}", self.origin, self.path))
    }
}

impl<'de> Deserialize<'de> for BaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BaseUrl::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_the_subpath() {
        let b = BaseUrl::parse("https://www.example.gov.cn/xxgk").unwrap();
        assert_eq!(b.path(), "/xxgk/");
        assert_eq!(b.link("2024/"), "/xxgk/2024/");
        assert_eq!(b.absolute("feed.xml"), "https://www.example.gov.cn/xxgk/feed.xml");
    }

    #[test]
    fn links_are_percent_encoded() {
        let b = BaseUrl::parse("https://a.cn/xxgk/").unwrap();
        assert_eq!(b.link("2024/示例/"), "/xxgk/2024/%E7%A4%BA%E4%BE%8B/");
    }

    #[test]
    fn base_url_at_domain_root() {
        let b = BaseUrl::parse("http://localhost:8080").unwrap();
        assert_eq!(b.path(), "/");
        assert_eq!(b.absolute(""), "http://localhost:8080/");
    }

    #[test]
    fn base_url_rejects_nonsense() {
        let bad = [
            "www.example.gov.cn",
            "",
            "https://",
            "https:///x",
            "https:/a.cn/",
            "https:a.cn",
            "ftp://a.cn/",
            "javascript://a.cn/",
            "file:///etc/",
            "https://a.cn/x?y",
            "https://a.cn/x?",
            "https://a.cn/x#top",
            "https://user@a.cn/",
            "https://user:pw@a.cn/",
            "https://a.cn:99999/",
            "https://a.cn:65536/",
            "https://a.cn:0/",
            "https://a.cn:-1/",
            "https://a.cn:port/",
            "https://a..cn:/x y",
            "https://[::1/",
        ];
        for s in bad {
            assert!(BaseUrl::parse(s).is_err(), "{s:?} should be refused");
        }
    }

    #[test]
    fn base_url_refuses_what_would_need_escaping_in_a_page() {
        for c in [' ', '\t', '\n', '"', '\'', '<', '>', '`', '\\', '{', '}', '|', '^', '\u{0}', '\u{3000}'] {
            for s in [format!("https://a.cn/x{c}y/"), format!("https://a{c}.cn/"), format!("{c}https://a.cn/")] {
                assert!(BaseUrl::parse(&s).is_err(), "{s:?} should be refused");
            }
        }
        assert!(BaseUrl::parse("https://a.cn/\"><script>alert(1)</script>").is_err());
    }

    #[test]
    fn base_url_is_written_back_in_one_form() {
        let cases = [
            ("HTTPS://WWW.Example.GOV.cn/xxgk", "https://www.example.gov.cn", "/xxgk/"),
            ("Http://a.cn", "http://a.cn", "/"),
            ("https://a.cn:443/x/", "https://a.cn", "/x/"),
            ("http://a.cn:80", "http://a.cn", "/"),
            ("https://a.cn:8443/x", "https://a.cn:8443", "/x/"),
            ("http://localhost:65535/", "http://localhost:65535", "/"),
            ("https://a.cn/a/./b/../c", "https://a.cn", "/a/c/"),
            ("https://政府.cn/公开/", "https://xn--mxtq1m.cn", "/%E5%85%AC%E5%BC%80/"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", "/"),
            ("http://[::1]:8080/", "http://[::1]:8080", "/"),
        ];
        for (given, origin, path) in cases {
            let b = BaseUrl::parse(given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!((b.origin(), b.path()), (origin, path), "{given}");
            let again = BaseUrl::parse(&format!("{}{}", b.origin(), b.path())).unwrap();
            assert_eq!(again, b, "{given}: the canonical form reads back as itself");
        }
    }
}
