//! `portal init [DIR]`: a new site with every setting written out, the
//! built-in theme, one example agency with one year's report, and a README for
//! the site's editors.

use std::fs;
use std::path::{Path, PathBuf};

use super::new::write_report;
use super::{NewAgency, NewReport, new_agency};
use crate::author::{ScaffoldError, write_files};
use crate::layout::source;

/// Folder name of the example agency `init` creates.
pub const EXAMPLE_SLUG: &str = "example-bureau";
/// Its full name; 示例 marks it as sample data, as in the bundled sample site.
pub const EXAMPLE_NAME: &str = "示例局";

/// What `portal init` wrote.
#[derive(Debug)]
pub struct Initialized {
    /// `site.toml` and `README.md`, relative to the site folder.
    pub files: Vec<PathBuf>,
    /// The example agency.
    pub agency: NewAgency,
    /// The example agency's report.
    pub report: NewReport,
}

/// Creates a site in `dir` (created if missing), with the example agency's
/// report for `year`. A folder with anything in it but `.git` is refused
/// unless `force`, which overwrites the files `init` writes and nothing else.
pub fn init(dir: &Path, year: u16, force: bool) -> Result<Initialized, ScaffoldError> {
    let io = |source| ScaffoldError::Io { path: dir.to_path_buf(), source };
    if dir.exists() {
        let occupied = fs::read_dir(dir).map_err(io)?.filter_map(|e| e.ok()).any(|e| e.file_name() != ".git");
        if occupied && !force {
            return Err(ScaffoldError::NotEmpty { dir: dir.to_path_buf() });
        }
    }
    let files =
        vec![(PathBuf::from(source::SETTINGS), SITE_TOML.to_owned()), (PathBuf::from("README.md"), readme(year))];
    let files = write_files(dir, files, force)?;
    let agency = new_agency(dir, EXAMPLE_SLUG, Some(EXAMPLE_NAME), force)?;
    let report = write_report(dir, EXAMPLE_SLUG, year, force)?;
    Ok(Initialized { files, agency, report })
}

/// `site.toml` with every key of `SiteConfig` and `Footer`, commented in
/// Chinese and English. Placeholders say 示例; optional footer items are empty
/// strings, which the footer leaves out.
const SITE_TOML: &str = r#"# 站点设置 · Site settings (site.toml)
# 每一项都已写出；标明“可选”的可以留空 ""。
# Every key is present; keys marked optional may be left empty ("").
# 带“示例”的内容请改为本站的实际信息。Replace the 示例 placeholders with your own.

# 站点名称，显示在页头、浏览器标签和订阅中 · Site title: header, browser tab, feed
title = "示例县政府信息公开工作年度报告"

# 发布地址，可以带子路径，站内链接都以它开头 · Public address, may include a subpath; every link starts with it
base_url = "https://www.example.gov.cn/xxgk/"

# 只支持 zh-CN：表格用语均为国家规定的中文表述 · Only zh-CN: official Chinese wording
language = "zh-CN"

# 主题：内置的 default，或 themes/<名称>/ 文件夹 · Theme: built-in "default", or a folder themes/<name>/
theme = "default"

# 首页“最新发布”列出的报告数 · Number of reports listed under 最新发布 on the home page
latest = 10

# 首页简介（Markdown，可选）· Home page introduction (Markdown, optional)
intro = """
本站集中公布示例县各部门的政府信息公开工作年度报告，依据《中华人民共和国政府信息公开条例》
和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）编制。
"""

# 页脚：政府网站必须展示的信息 · Footer: what every government website must show
[footer]
sponsor = "示例县人民政府办公室"          # 主办单位（必填）· Sponsor (required)
organizer = ""                            # 承办单位（可选）· Organizer (optional)
site_code = "0000000000"                  # 网站标识码（必填）· Website identification code (required)
icp = "示ICP备00000000号"                 # ICP备案号（必填），链接到 beian.miit.gov.cn · ICP licence number (required)
police_record = "示公网安备 00000000000000号"   # 公安机关备案号（必填）· Public security filing number (required)
police_record_code = ""                   # 公安机关备案号中的数字，用于查询链接（可选）· Its digits, for the beian.mps.gov.cn link (optional)
address = ""                              # 联系地址（可选）· Postal address (optional)
phone = ""                                # 联系电话（可选）· Telephone (optional)
email = ""                                # 电子邮箱（可选）· E-mail (optional)
error_report_url = ""                     # “政府网站找错”链接（可选）· Link to the 政府网站找错 service (optional)

# 死链检测 · Dead-link inspection
[links]
internal = "error"   # 站内链接失效时："error" 不生成网站，"warning" 只提示 · Broken internal link: "error" stops the build, "warning" only reports
exclude = []         # portal check --external 不检查的外部网址（正则表达式）· External URLs not checked (regular expressions)

# 开放数据 · Open data (/data/)
[data]
# 开放数据的使用许可，显示在 /data/ 页面上（可选）· Terms of reuse of the figures, shown on /data/ (optional)
licence = "本站公开的年度报告统计数据可以自由复制、使用和传播，使用时请注明来源：示例县人民政府办公室。"

# 安全 · Security
[security]
# true：report.md 和简介中的原始 HTML 不经过滤直接发布（含脚本，请慎用）；false：删除脚本、嵌入内容等并提示 · true: publish raw HTML unsanitized (scripts included); false: remove scripts, embeds and the like, with a warning
allow_raw_html = false

# 全文搜索 · Full-text search
[search]
# true：生成搜索索引和搜索页，每页页头有搜索框；false：不提供搜索 · true: write the search index and page, a search box on every page; false: no search
enabled = true

# 生成的页面：不需要的可以关闭，关闭后不生成该页面，其他页面也不再链接它 · Generated pages: one turned off is not written, and no page links to it
[pages]
rankings = true     # 各年度排名（按予以公开比例等）· Each year's rankings
compliance = true   # 各年度报告公开情况（是否按时发布）· Each year's compliance overview (published on time or not)
feed = true         # RSS 订阅（feed.xml）及各页面上的订阅链接 · The RSS feed and every page's link to it
sitemap = true      # 网站地图（sitemap.xml），供搜索引擎收录 · The sitemap, for search engines
"#;

fn readme(year: u16) -> String {
    let next = year + 1;
    format!(
        r#"# 政府信息公开工作年度报告网站

本文件夹是用 portal 生成的年度报告网站的源文件。改动后运行 `portal build`，网站生成在 `public/` 文件夹中，
把它整个上传到网站服务器上 `site.toml` 中 `base_url` 所写的位置即可。

## 文件

| 文件 | 内容 |
|---|---|
| `site.toml` | 站点名称、发布地址、页脚信息；每一项都有中文说明 |
| `content/<机构>/agency.toml` | 机构全称、上级机关、联系方式 |
| `content/<机构>/<年份>/report.md` | 年度报告正文：六个部分的标题已写好，在标题下面写正文 |
| `content/<机构>/<年份>/data.toml` | 表二、表三、表四的数字：每一行旁边注明了官方表格中的名称 |

`content/{slug}/` 是示例机构，可以参照它填写，用不着时整个文件夹删除即可。

## 每年一月写新一年的报告

1. `portal new <机构文件夹> <年份>`，例如 `portal new {slug} {next}`：生成这一年的 `report.md` 和 `data.toml`。
   有上一年度报告的，“上年结转”和“现行有效件数”会自动从上一年度填入。
2. 在 `report.md` 中写正文，并把发布日期 `date` 改为实际发布日期；在 `data.toml` 中填写数字。
3. `portal check`：核对各表的勾稽关系和与上一年度的衔接，有问题会指出文件、行号和原因。
4. `portal build`：生成网站。有任何错误时不会生成，原来的网站保持不变。

## 新增一个机构

`portal new <文件夹名> --name <机构全称>`，例如 `portal new jiaoyu --name 示例县教育局`；
文件夹名会出现在网址中，用英文字母、数字和 - 最方便，也可以直接用中文：`portal new 示例县教育局`。
"#,
        slug = super::EXAMPLE_SLUG,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::tests::toml_keys;
    use crate::config::SiteConfig;

    /// Every field of `SiteConfig` (and its footer) is written, and nothing else:
    /// read back and serialized, the settings have exactly the keys of the file.
    #[test]
    fn site_toml_has_every_key_of_site_config() {
        let config: SiteConfig = toml::from_str(SITE_TOML).unwrap();
        assert_eq!(config.theme, "default");
        let written: toml::Table = toml::from_str(SITE_TOML).unwrap();
        let fields = toml::Table::try_from(&config).unwrap();
        assert_eq!(toml_keys(&written), toml_keys(&fields));
    }

    #[test]
    fn every_key_has_a_chinese_and_an_english_comment() {
        let lines: Vec<&str> = SITE_TOML.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some((key, _)) = line.split_once(" = ").filter(|(k, _)| !k.starts_with('#')) else { continue };
            // The comment is on the line or on the line above.
            let comment = [line.split_once('#').map_or("", |(_, c)| c), lines[i.saturating_sub(1)]].concat();
            assert!(!comment.is_ascii(), "{key}: no Chinese comment");
            assert!(comment.contains(" · ") || comment.contains("· "), "{key}: no English comment");
        }
    }
}
