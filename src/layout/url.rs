//! The URL scheme of the published site: the path of every page and file a build writes, relative to `base_url`.
//!
//! A page lives at a folder URL (`2024/yeyuan/`) and is written as that
//! folder's [`INDEX`], the file a static server answers a folder with. Paths
//! here are site paths: `/`-separated, without the base path; [`BaseUrl`]
//! turns them into links.
//!
//! [`BaseUrl`]: crate::config::BaseUrl

/// The home page's folder: the site root.
pub(crate) const HOME: &str = "";

/// The files a build writes into a report's folder besides its attachments.
pub(crate) const REPORT_OUTPUTS: &[&str] = &[INDEX, DATA_JSON, DATA_CSV];

/// The file a folder's page is written as.
pub(crate) const INDEX: &str = "index.html";

/// The page a server shows for a path the site does not have.
pub(crate) const NOT_FOUND: &str = "404.html";

/// The list of agencies.
pub(crate) const AGENCIES: &str = "agencies/";

/// The full-text search page; its index is beside it.
pub(crate) const SEARCH: &str = "search/";

/// The list of every year.
pub(crate) const YEARS: &str = "years/";

/// The RSS feed.
pub(crate) const FEED: &str = "feed.xml";

/// The sitemap.
pub(crate) const SITEMAP: &str = "sitemap.xml";

/// The bulk open data and its index page.
pub(crate) const DATA: &str = "data/";

/// The codebook of the bulk CSV files' columns, under [`DATA`].
pub(crate) const COLUMNS_CSV: &str = "columns.csv";

/// Every report's figures, under [`DATA`].
pub(crate) const REPORTS_JSON: &str = "reports.json";

/// The JSON Schema of the open data, under [`DATA`].
pub(crate) const SCHEMA_JSON: &str = "schema.json";

/// A report's figures as JSON, beside its page.
const DATA_JSON: &str = "data.json";

/// A report's tables as CSV, beside its page.
const DATA_CSV: &str = "data.csv";

/// The file the page at folder `dir` (`""`, `2024/`, …) is written as.
pub(crate) fn page(dir: &str) -> String {
    format!("{dir}{INDEX}")
}

/// The folder of the page written as `file`, if `file` is a page's [`INDEX`]:
/// the inverse of [`page`].
pub(crate) fn page_dir(file: &str) -> Option<&str> {
    file.strip_suffix(INDEX).filter(|dir| dir.is_empty() || dir.ends_with('/'))
}

/// A year's page.
pub(crate) fn year(year: u16) -> String {
    format!("{year}/")
}

/// A year's compliance overview (公开情况) and findings.
pub(crate) fn compliance(year: u16) -> String {
    format!("compliance/{year}/")
}

/// A year's rankings.
pub(crate) fn rankings(year: u16) -> String {
    format!("rankings/{year}/")
}

/// An agency's report for `year`: its page, with its data files and attachments beside it.
pub(crate) fn report(year: u16, agency: &str) -> String {
    format!("{year}/{agency}/")
}

/// A file beside a report's page: an attachment, by its file name.
pub(crate) fn report_file(year: u16, agency: &str, name: &str) -> String {
    format!("{}{name}", report(year, agency))
}

/// A report's figures as JSON.
pub(crate) fn report_json(year: u16, agency: &str) -> String {
    report_file(year, agency, DATA_JSON)
}

/// A report's figures as CSV.
pub(crate) fn report_csv(year: u16, agency: &str) -> String {
    report_file(year, agency, DATA_CSV)
}

/// An agency's page.
pub(crate) fn agency(agency: &str) -> String {
    format!("agencies/{agency}/")
}

/// A file of the bulk open data, by its name under [`DATA`].
pub(crate) fn data_file(name: &str) -> String {
    format!("{DATA}{name}")
}

/// The name under [`DATA`] of a bulk CSV file, one row per report: every
/// year's (`reports.csv`) or one year's (`2024.csv`), of the site's own format
/// (`format` empty) or of another (`format` `2019`: `reports-2019.csv`, `2020-2019.csv`).
pub(crate) fn bulk_csv_name(year: Option<u16>, format: &str) -> String {
    let scope = year.map_or_else(|| "reports".to_owned(), |y| y.to_string());
    if format.is_empty() { format!("{scope}.csv") } else { format!("{scope}-{format}.csv") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_folders_written_as_their_index() {
        assert_eq!(page(HOME), "index.html");
        assert_eq!(page(&report(2024, "yeyuan")), "2024/yeyuan/index.html");
        assert_eq!(page_dir("2024/yeyuan/index.html"), Some("2024/yeyuan/"));
        assert_eq!(page_dir("index.html"), Some(""));
        assert_eq!(page_dir("2024/yeyuan/notindex.html"), None);
        assert_eq!(page_dir(NOT_FOUND), None);
    }

    #[test]
    fn data_files_sit_beside_their_page_or_under_data() {
        assert_eq!(report_json(2024, "yeyuan"), "2024/yeyuan/data.json");
        assert_eq!(report_csv(2024, "yeyuan"), "2024/yeyuan/data.csv");
        assert_eq!(data_file(&bulk_csv_name(Some(2024), "")), "data/2024.csv");
        assert_eq!(bulk_csv_name(None, ""), "reports.csv");
        assert_eq!(bulk_csv_name(None, "2019"), "reports-2019.csv");
        assert_eq!(bulk_csv_name(Some(2020), "2019"), "2020-2019.csv");
        assert_eq!(data_file(SCHEMA_JSON), "data/schema.json");
    }
}
