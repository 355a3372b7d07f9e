//! End-to-end: the trend charts of an agency with many years (issue #23). The year labels are
//! thinned so that they never overlap, the first and last year always labelled, and the figures
//! table beside a chart scrolls inside its frame with a visible cue: checked in the built page,
//! and in headless chromium at 390, 1280 and 1700 px (`tests/clients/charts.mjs`), which also takes
//! the screenshots (into `target/tmp/screenshots/`, or `$PORTAL_SCREENSHOTS`: `docs/screenshots`
//! refreshes the README's). A missing tool fails the test; it never skips.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{REPO, TempSite};

const AGENCY: &str = "linqu-yeyuan";

/// The sample with 冶源街道's 2024 report copied to every year from `first` to 2023, in the 2021
/// format (`format = "2021"`: the tables and charts go back that far), its requests varying by year.
fn many_years(first: u16) -> TempSite {
    let site = TempSite::sample();
    let md = site.read(&format!("content/{AGENCY}/2024/report.md"));
    let data = site.read(&format!("content/{AGENCY}/2024/data.toml"));
    for year in first..2024 {
        let n = u32::from(year) * 7 % 23 + 3;
        let years = |text: &str| {
            text.replace("2025", "\u{0}").replace("2024", &year.to_string()).replace('\u{0}', &(year + 1).to_string())
        };
        let report = years(&md).replace("依申请6条", &format!("依申请{n}条")).replacen(
            "\nsigned_by",
            "\nformat = \"2021\"\nsigned_by",
            1,
        );
        let figures = years(&data).replace("[6, 0, 0, 0, 0, 0, 6]", &format!("[{n}, 0, 0, 0, 0, 0, {n}]"));
        site.write(&format!("content/{AGENCY}/{year}/report.md"), &report);
        site.write(&format!("content/{AGENCY}/{year}/data.toml"), &figures);
    }
    site
}

/// The year labels of each chart of a page, in order.
fn year_labels(page: &str) -> Vec<Vec<String>> {
    page.split("<svg ")
        .skip(1)
        .map(|svg| {
            let svg = &svg[..svg.find("</svg>").unwrap()];
            svg.split("<text class=\"year\"")
                .skip(1)
                .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn many_years_are_labelled_first_last_and_every_few() {
    for (first, years) in [(2020, 5), (2005, 20), (1985, 40)] {
        let site = many_years(first);
        let build = site.build_ok();
        assert!(!build.stderr.contains("error"), "{}", build.stderr);
        let page = site.out(&format!("agencies/{AGENCY}/index.html"));
        let charts = year_labels(&page);
        assert_eq!(charts.len(), 3, "{years} years");
        for labels in charts {
            assert_eq!(labels.first().map(String::as_str), Some(format!("{first}年").as_str()), "{years} years");
            assert_eq!(labels.last().map(String::as_str), Some("2024年"), "{years} years");
            if years <= 12 {
                assert_eq!(labels.len(), years, "{labels:?}");
            } else {
                assert!(labels.len() < years && labels.len() >= 8, "{years} years: {labels:?}");
            }
        }
        // The table beside each chart has every year.
        for year in first..=2024 {
            assert!(page.contains(&format!("<tr><th scope=\"row\">{year}年</th>")), "{year}");
        }
    }
}

/// Where the screenshots go: beside the build, so that a test run leaves the
/// repository as it was; `PORTAL_SCREENSHOTS=docs/screenshots` refreshes the README's.
fn screenshot_dir() -> PathBuf {
    match std::env::var_os("PORTAL_SCREENSHOTS") {
        Some(dir) => Path::new(REPO).join(dir),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
    }
}

/// A static file server (Python's) for the built site, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> (Server, u16) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("python3")
        .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 (scripts/test-deps installs it)");
    let server = Server(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "python3 -m http.server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, port)
}

#[test]
fn charts_of_twenty_years_fit_in_chromium() {
    for (tool, args) in [("chromium", "--version"), ("node", "--version"), ("python3", "--version")] {
        let ok = Command::new(tool).arg(args).output().is_ok_and(|o| o.status.success());
        assert!(ok, "{tool} is missing: run scripts/test-deps");
    }
    assert!(
        Path::new(REPO).join("tests/clients/node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run scripts/test-deps"
    );
    let site = many_years(2005);
    // Served from a folder whose `xxgk/` is the site, as under the sample's base path.
    let www = site.path("www");
    let build = site.run(&["build", "--out", www.join("xxgk").to_str().unwrap()]);
    assert!(build.success, "{}", build.stderr);
    let (_server, port) = serve(&www);
    let config = serde_json::json!({
        "url": format!("http://127.0.0.1:{port}/xxgk/agencies/{AGENCY}/"),
        "years": [2005, 2024],
        "screenshotDir": screenshot_dir(),
        "name": "agency-20-years",
    });
    let config_path = site.path("charts.json");
    std::fs::write(&config_path, config.to_string()).unwrap();
    let out = Command::new("node")
        .arg(Path::new(REPO).join("tests/clients/charts.mjs"))
        .arg(&config_path)
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprint!("{stdout}");
    assert!(out.status.success(), "charts.mjs failed:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("9 charts at 3 widths"), "{stdout}");
}
