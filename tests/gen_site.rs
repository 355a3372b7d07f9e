//! The benchmark sites of `benches/gen_site.rs` are clean (no error, no warning
//! from `portal check` or `portal build`), deterministic, and not all alike.

#[path = "../benches/gen_site.rs"]
mod gen_site;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

const REPORTS: usize = 60;

fn portal(args: &[&str], root: &Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .arg("--root")
        .arg(root)
        .env("NO_COLOR", "1")
        .output()
        .expect("run portal");
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// Every file under `dir` as (relative path, bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn generated_site_checks_and_builds_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    gen_site::generate(&site, REPORTS);

    let (ok, text) = portal(&["check"], &site);
    assert!(ok, "check failed:\n{text}");
    assert!(text.contains("检查通过：没有发现问题"), "check found something:\n{text}");

    let out = dir.path().join("out");
    let (ok, text) = portal(&["build", "--out", out.to_str().unwrap()], &site);
    assert!(ok, "build failed:\n{text}");
    assert!(text.contains(&format!("{REPORTS} 份报告")), "{text}");
    for word in ["warning", "error", "警告", "错误"] {
        assert!(!text.contains(word), "build reported {word}:\n{text}");
    }
    // The narrative's links to the previous year and to table fragments made it to the page.
    let page = fs::read_to_string(out.join("2022/agency-00001/index.html")).unwrap();
    assert!(page.contains("href=\"../../2021/agency-00001/\""), "link to the previous year");
    assert!(page.contains("href=\"#table-requests\""), "link to a table on the same page");
    // Free-form before 2019, the 2019 format for 2019–2020, 2021's after.
    let free = fs::read_to_string(out.join("2010/agency-00001/index.html")).unwrap();
    assert!(free.contains("href=\"#part-3\"") && !free.contains("class=\"stats"), "a free-form page");
    assert!(!site.join("content/agency-00001/2018/data.toml").exists());
    let f2019 = fs::read_to_string(site.join("content/agency-00001/2020/data.toml")).unwrap();
    assert!(f2019.contains("procurement = [") && f2019.contains("results.other = ["), "{f2019}");
    let page = fs::read_to_string(out.join("2020/agency-00001/index.html")).unwrap();
    assert!(page.contains("第二十条第（九）项"), "a 2019-format page");
    assert!(fs::read_to_string(site.join("content/agency-00001/2021/data.toml")).unwrap().contains("litigation"));
}

/// The bench's comparison site: the same agencies and years, every report in the 2021 format.
#[test]
fn only_2021_site_checks_cleanly_in_one_format() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    gen_site::generate_in(&site, REPORTS, gen_site::Formats::Only2021);

    let (ok, text) = portal(&["check"], &site);
    assert!(ok, "check failed:\n{text}");
    assert!(text.contains("检查通过：没有发现问题"), "check found something:\n{text}");
    let files = tree(&site);
    let tables = files.iter().filter(|(p, _)| p.ends_with("data.toml")).count();
    assert_eq!(tables, REPORTS, "every report has its tables");
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with("data.toml")) {
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains("litigation") && !text.contains("procurement"), "{path} is not in the 2021 format");
    }
    // Before 2021 the front matter names the format; from 2021 the year does.
    let front = |year: usize| {
        let text = fs::read_to_string(site.join(format!("content/agency-00001/{year}/report.md"))).unwrap();
        text.split("+++").nth(1).unwrap().to_owned()
    };
    assert!(front(2010).contains("format = \"2021\"") && front(2020).contains("format = \"2021\""));
    assert!(!front(2022).contains("format"), "{}", front(2022));
    // Same agencies and years as the site by year.
    let by_year = dir.path().join("by-year");
    gen_site::generate(&by_year, REPORTS);
    let reports = |files: &[(String, Vec<u8>)]| {
        files.iter().filter(|(p, _)| p.ends_with("report.md")).map(|(p, _)| p.clone()).collect::<Vec<_>>()
    };
    assert_eq!(reports(&files), reports(&tree(&by_year)));
}

#[test]
fn generation_is_deterministic_and_varied() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    gen_site::generate(a.path(), REPORTS);
    gen_site::generate(b.path(), REPORTS);
    let files = tree(a.path());
    assert!(files == tree(b.path()), "two generations differ");

    let reports = files.iter().filter(|(p, _)| p.ends_with("report.md")).count();
    assert_eq!(reports, REPORTS);
    // Figures and narratives differ between reports (the first year of an agency
    // with no requests can repeat another's tables, so allow a few repeats).
    let distinct = |name: &str| {
        files
            .iter()
            .filter(|(p, _)| p.ends_with(name))
            .map(|(_, bytes)| strip_names(bytes))
            .collect::<BTreeSet<_>>()
            .len()
    };
    let tables = files.iter().filter(|(p, _)| p.ends_with("data.toml")).count();
    assert_eq!(tables, REPORTS / 20 * 6, "data.toml from 2019 on only");
    assert!(distinct("data.toml") > tables * 3 / 4, "only {} distinct tables", distinct("data.toml"));
    let narratives: BTreeSet<String> = files
        .iter()
        .filter(|(p, _)| p.ends_with("report.md"))
        .map(|(_, bytes)| {
            // The body without figures and years: what differs is the choice of sentences.
            let text = String::from_utf8_lossy(bytes);
            text.rsplit("+++\n").next().unwrap().chars().filter(|c| !c.is_ascii_digit()).collect()
        })
        .collect();
    assert!(narratives.len() > REPORTS / 2, "only {} distinct narratives", narratives.len());
    // Not all zeros: applications were received and answered.
    let with_requests = files
        .iter()
        .filter(|(p, bytes)| {
            p.ends_with("data.toml") && !String::from_utf8_lossy(bytes).contains("new          = [0, 0")
        })
        .count();
    assert!(with_requests > tables / 2, "only {with_requests} reports with applications");

    // A smaller site is a prefix of a larger one: a complete agency's files depend on its index only.
    let c = tempfile::tempdir().unwrap();
    gen_site::generate(c.path(), 40);
    let small = tree(c.path());
    assert_eq!(small.iter().filter(|(p, _)| p.ends_with("report.md")).count(), 40);
    for (path, bytes) in &small {
        let same = files.iter().find(|(p, _)| p == path).map(|(_, b)| b);
        assert_eq!(same, Some(bytes), "{path} differs between a 40- and a {REPORTS}-report site");
    }
}

/// The text without its first line, which names the agency and year.
fn strip_names(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split_once('\n').map_or(String::new(), |(_, rest)| rest.to_owned())
}
