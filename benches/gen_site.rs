//! Synthetic portal sites for benchmarks and tests, in the project's own format.
//!
//! `generate(root, n)` writes `site.toml` and `content/` with `n` reports:
//! ceil(n / 20) agencies, five to a county, each with up to 20 consecutive
//! years from 2005, each in the format of its year: free-form (a narrative, no
//! `data.toml`) before 2019, the 2019 format for 2019 and 2020, the 2021
//! format after; 2019's table 二 carries its totals and item counts from year
//! to year as its R7 reads them. Every figure is drawn from a seeded generator and then made to obey
//! the format's rules: the sum rules R1–R4 hold by construction, each year's
//! 上年结转 is last year's 结转下年度继续办理 (R6), 现行有效件数 follows from last
//! year's (R7), and every figure the narrative of 一、总体情况 states is the
//! table's (R8). An agency's files depend only on its index and number of
//! years, so the complete agencies of a small site are those of a large one,
//! and the same arguments give byte-identical files.
//!
//! The narrative (about 6.5 KB a report) is assembled from a pool of sentences
//! built from the bundled 冶源 sample, with varied figures, and links to the
//! previous year's report, to table fragments on the same page and others, to
//! the agency page and to a neighbouring agency, in relative, root-relative
//! and absolute same-origin form.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use rayon::prelude::*;

/// Years of reports per agency.
pub const YEARS: usize = 20;
const FIRST_YEAR: usize = 2005;
/// Agencies sharing a county (region and parent body).
const PER_COUNTY: usize = 5;
/// The path of `base_url` in the generated `site.toml`: root-relative links need it.
const BASE: &str = "/xxgk/";

/// Writes a site of `reports` reports under `root` (created if missing), each
/// report in the format of its year.
pub fn generate(root: &Path, reports: usize) {
    generate_in(root, reports, Formats::ByYear);
}

/// Which formats a generated site's reports follow.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Formats {
    /// The format of the report's year: free-form, 2019, 2021.
    ByYear,
    /// The 2021 format for every year (front matter `format = "2021"` before
    /// 2021): the site the bench compares the archive with, as it was before
    /// the archive existed.
    #[allow(dead_code)] // made by the bench and tests/gen_site.rs, not by every test that includes this file
    Only2021,
}

impl Formats {
    /// The format a report of `year` follows, as `FormatId::for_year` (or the front matter) says.
    fn of(self, year: usize) -> Fmt {
        match (self, year) {
            (Formats::Only2021, _) | (Formats::ByYear, 2021..) => Fmt::F2021,
            (Formats::ByYear, 2019..=2020) => Fmt::F2019,
            (Formats::ByYear, _) => Fmt::Free,
        }
    }
}

/// [`generate`] with the reports' formats chosen by `formats`.
pub fn generate_in(root: &Path, reports: usize, formats: Formats) {
    fs::create_dir_all(root.join("content")).expect("create the site folder");
    fs::write(root.join("site.toml"), SITE_TOML).expect("write site.toml");
    // Each agency is independent of the others: write them in parallel.
    (0..reports.div_ceil(YEARS)).into_par_iter().for_each(|a| {
        let years = (reports - a * YEARS).min(YEARS);
        write_agency(root, a, years, formats);
    });
}

const SITE_TOML: &str = r#"# 站点设置 (site.toml)：见 docs/site-toml.md。由 benches/gen_site.rs 生成的基准测试站点。
title = "示例省政府信息公开工作年度报告（基准测试站点）"
base_url = "https://www.example.gov.cn/xxgk/"
language = "zh-CN"
theme = "default"
latest = 10
intro = """
本站集中公布示例省各县人民政府所属部门和乡镇（街道）的政府信息公开工作年度报告，
依据《中华人民共和国政府信息公开条例》第四十九条、第五十条和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）编制。
本站的机构、报告和数据均为生成的演示数据，并非真实机构。
"""

[footer]
sponsor = "示例省人民政府办公厅"
site_code = "0000000000"
icp = "示ICP备00000000号"
police_record = "示公网安备 00000000000000号"
police_record_code = "00000000000000"
address = "示例市人民路1号"
phone = "0000-0000000"
email = "xxgk@example.gov.cn"

[data]
licence = "本站公开的年度报告统计数据为生成的演示数据，可以自由复制、使用和传播。（示例）"
"#;

/// SplitMix64: tiny, seedable and stable across platforms and Rust versions.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }

    /// `k` distinct items in their original order.
    fn choose<'a, T>(&mut self, items: &'a [T], k: usize) -> Vec<&'a T> {
        let mut picked: Vec<usize> = (0..items.len()).collect();
        for i in (1..picked.len()).rev() {
            picked.swap(i, self.next() as usize % (i + 1));
        }
        picked.truncate(k.min(items.len()));
        picked.sort_unstable();
        picked.into_iter().map(|i| &items[i]).collect()
    }
}

#[rustfmt::skip]
const CITIES: &[&str] = &[
    "东江市", "西岭市", "南湖市", "北川市", "青山市", "白云市", "红河市", "金沙市", "玉泉市", "长宁市", "安平市", "永和市",
    "新华市", "光明市", "丰泽市", "临江市", "清远市", "宁海市", "顺德市", "兴义市", "泰和市", "嘉禾市", "仁寿市", "文昌市",
    "桂林市",
];
/// Two of these name a county: 40 × 40 counties per city.
const COUNTY_CHARS: &[&str] = &[
    "安", "宝", "昌", "德", "丰", "福", "广", "海", "和", "华", "怀", "惠", "吉", "嘉", "建", "江", "金", "靖", "乐",
    "临", "隆", "宁", "平", "庆", "瑞", "山", "寿", "顺", "泰", "通", "武", "西", "祥", "新", "兴", "阳", "永", "玉",
    "源", "云",
];

/// A kind of agency: full-name suffix, short name, how it calls itself, and
/// how busy it is (requests and administrative decisions).
struct Kind {
    suffix: &'static str,
    short: &'static str,
    we: &'static str,
    /// Typical new applications a year.
    requests: u64,
    /// Typical licensing, penalty and enforcement decisions a year.
    decisions: [u64; 3],
    /// Issues 规章 (only a county government's office here).
    rules: bool,
    /// Collects 行政事业性收费.
    fees: bool,
}

#[rustfmt::skip]
const KINDS: &[Kind] = &[
    Kind { suffix: "人民政府办公室", short: "县政府办", we: "我办", requests: 40, decisions: [0, 0, 0], rules: true, fees: false },
    Kind { suffix: "教育局", short: "教育局", we: "我局", requests: 25, decisions: [60, 5, 0], rules: false, fees: true },
    Kind { suffix: "自然资源局", short: "自然资源局", we: "我局", requests: 120, decisions: [300, 80, 10], rules: false, fees: true },
    Kind { suffix: "住房和城乡建设局", short: "住建局", we: "我局", requests: 90, decisions: [500, 60, 5], rules: false, fees: true },
    Kind { suffix: "市场监督管理局", short: "市场监管局", we: "我局", requests: 60, decisions: [2500, 400, 40], rules: false, fees: true },
    Kind { suffix: "卫生健康局", short: "卫健局", we: "我局", requests: 30, decisions: [800, 150, 5], rules: false, fees: true },
    Kind { suffix: "民政局", short: "民政局", we: "我局", requests: 15, decisions: [40, 2, 0], rules: false, fees: false },
    Kind { suffix: "城关街道办事处", short: "城关街道", we: "我街道", requests: 8, decisions: [0, 10, 2], rules: false, fees: false },
    Kind { suffix: "东城镇人民政府", short: "东城镇", we: "我镇", requests: 5, decisions: [0, 6, 1], rules: false, fees: false },
    Kind { suffix: "交通运输局", short: "交通运输局", we: "我局", requests: 20, decisions: [900, 300, 30], rules: false, fees: true },
];

struct Agency {
    slug: String,
    name: String,
    short: &'static str,
    we: &'static str,
    county: String,
    kind: &'static Kind,
    /// The previous agency of the same county, which always has all its years.
    neighbour: Option<(String, &'static str)>,
}

fn slug(a: usize) -> String {
    format!("agency-{a:05}")
}

fn agency(a: usize) -> Agency {
    let c = a / PER_COUNTY;
    let city = CITIES[c % CITIES.len()];
    let j = c / CITIES.len();
    // A bijection of j < 1600 onto two characters, so counties do not repeat within a city.
    let n = COUNTY_CHARS.len();
    let county = format!("{}{}县", COUNTY_CHARS[j % n], COUNTY_CHARS[(j / n + 3 * j + 7) % n]);
    // Distinct kinds within a county, in a different order per county.
    let kind = &KINDS[(a % PER_COUNTY + 3 * c) % KINDS.len()];
    let neighbour = (!a.is_multiple_of(PER_COUNTY)).then(|| (slug(a - 1), agency_short(a - 1)));
    Agency {
        slug: slug(a),
        name: format!("{city}{county}{}", kind.suffix),
        short: kind.short,
        we: kind.we,
        county: format!("{city}{county}"),
        kind,
        neighbour,
    }
}

fn agency_short(a: usize) -> &'static str {
    let c = a / PER_COUNTY;
    KINDS[(a % PER_COUNTY + 3 * c) % KINDS.len()].short
}

fn write_agency(root: &Path, a: usize, years: usize, formats: Formats) {
    let agency = agency(a);
    let dir = root.join("content").join(&agency.slug);
    fs::create_dir_all(&dir).expect("create an agency folder");
    let mut rng = Rng::new(a as u64);
    fs::write(dir.join("agency.toml"), agency_toml(&agency, a, &mut rng)).expect("write agency.toml");
    // How busy this agency is relative to its kind, for the whole series.
    let scale = *rng.pick(&[0u64, 1, 2, 3, 4, 6, 8, 12, 20]);
    let mut previous: Option<Figures> = None;
    let mut items: Option<Items2019> = None;
    for y in 0..years {
        let year = FIRST_YEAR + y;
        let figures = Figures::draw(&mut rng, agency.kind, scale, previous.as_ref());
        let year_dir = dir.join(year.to_string());
        fs::create_dir_all(&year_dir).expect("create a year folder");
        match formats.of(year) {
            // A free-form report: its narrative alone, no data.toml.
            Fmt::Free => {}
            Fmt::F2019 => {
                let now = Items2019::next(items.as_ref(), a, year, &figures);
                fs::write(year_dir.join("data.toml"), data_toml_2019(&agency, year, &figures, &now))
                    .expect("write data.toml");
                items = Some(now);
            }
            Fmt::F2021 => {
                fs::write(year_dir.join("data.toml"), data_toml(&agency, year, &figures)).expect("write data.toml");
            }
        }
        let markdown = report_md(&agency, year, formats, &figures, previous.as_ref(), y + 1 < years, &mut rng);
        fs::write(year_dir.join("report.md"), markdown).expect("write report.md");
        previous = Some(figures);
    }
}

/// The format of one generated report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Free,
    F2019,
    F2021,
}

impl Fmt {
    /// The fragment a link to section `n` (1–6) of a report in this format names.
    fn section(self, n: usize) -> String {
        match self {
            Fmt::Free => format!("part-{n}"),
            _ => format!("section-{n}"),
        }
    }

    /// The fragment of table `key` (`requests`, `appeals`) on a report in this
    /// format; a free-form report has its section's heading instead.
    fn table(self, key: &str) -> String {
        match (self, key) {
            (Fmt::Free, "requests") => "part-3".to_owned(),
            (Fmt::Free, _) => "part-4".to_owned(),
            _ => format!("table-{key}"),
        }
    }
}

/// What the 2019 format's table 二 carries from year to year: 对外公开总数量 of
/// 规章 and 规范性文件, and 上一年项目数量 with its 本年增/减 of （五）（六）（八）.
struct Items2019 {
    published_total: [u64; 2],
    /// 行政许可, 其他对外管理服务事项, 行政处罚, 行政强制, 行政事业性收费.
    previous: [u64; 5],
    change: [i64; 5],
}

impl Items2019 {
    /// This year's, from last year's (R7 holds): the totals grow by what was
    /// published, the item counts by last year's change.
    fn next(before: Option<&Items2019>, a: usize, year: usize, f: &Figures) -> Self {
        let published_total = match before {
            Some(b) => [b.published_total[0] + f.rules[0], b.published_total[1] + f.normative[0]],
            None => [f.rules[2], f.normative[2]],
        };
        let previous = match before {
            Some(b) => std::array::from_fn(|i| b.previous[i].saturating_add_signed(b.change[i])),
            None => std::array::from_fn(|i| 5 + ((a + 3 * i) % 11) as u64),
        };
        let change = std::array::from_fn(|i| ((a + year + i) % 5) as i64 - 2);
        Self { published_total, previous, change }
    }
}

/// `data.toml` in the 2019 format (国办公开办函〔2019〕60号).
fn data_toml_2019(agency: &Agency, year: usize, f: &Figures, items: &Items2019) -> String {
    let mut out = String::with_capacity(6 * 1024);
    let item = |i: usize, decisions: Option<u64>| match decisions {
        Some(d) => format!("[{}, {}, {d}]", items.previous[i], items.change[i]),
        None => format!("[{}, {}]", items.previous[i], items.change[i]),
    };
    let _ = write!(
        out,
        "# {name} {year} 年度报告的统计数据（表二、表三、表四），按 2019 年版格式（国办公开办函〔2019〕60号）。

[active]
# 第二十条第（一）项          [本年新制作数量, 本年新公开数量, 对外公开总数量]
rules               = [{r0}, {r0}, {rt}]   # 规章
normative_documents = [{n0}, {n0}, {nt}]   # 规范性文件
# 第二十条第（五）项          [上一年项目数量, 本年增/减, 处理决定数量]
licensing      = {licensing}   # 行政许可
other_services = {other}   # 其他对外管理服务事项
# 第二十条第（六）项
penalty     = {penalty}   # 行政处罚
enforcement = {enforcement}   # 行政强制
# 第二十条第（八）项          [上一年项目数量, 本年增/减]
fees = {fees}   # 行政事业性收费
# 第二十条第（九）项          [采购项目数量, 采购总金额（万元）]
procurement = [{projects}, {amount}]   # 政府集中采购

[requests]
new          = {new}   # 一、本年新收政府信息公开申请数量
carried_over = {carried_over}   # 二、上年结转政府信息公开申请数量
",
        name = agency.name,
        r0 = f.rules[0],
        rt = items.published_total[0],
        n0 = f.normative[0],
        nt = items.published_total[1],
        licensing = item(0, Some(f.licensing)),
        other = item(1, Some(f.licensing / 4)),
        penalty = item(2, Some(f.penalty)),
        enforcement = item(3, Some(f.enforcement)),
        fees = item(4, None),
        projects = f.fees_cents % 17,
        amount = f.fees(),
        new = request_row(&f.new),
        carried_over = request_row(&f.carried_over),
    );
    // （六）其他处理 is one row: the sum of 2021's three items.
    let other: [u64; COLS] = std::array::from_fn(|c| f.results[18..].iter().map(|r| r[c]).sum());
    result_rows(&mut out, f, 18);
    let _ = write!(
        out,
        "results.other = {}   # （六）其他处理
results.total = {}   # （七）总计
carried_forward = {}   # 四、结转下年度继续办理

[appeals]
",
        request_row(&other),
        request_row(&f.results_total()),
        request_row(&f.carried_forward),
    );
    for (key, v) in [
        ("reconsideration", f.appeals[0]),
        ("litigation.direct", f.appeals[1]),
        ("litigation.after_reconsideration", f.appeals[2]),
    ] {
        let _ = writeln!(out, "{key:<32} = [{}, {}, {}, {}, {}]", v[0], v[1], v[2], v[3], total(&v));
    }
    out
}

fn agency_toml(agency: &Agency, a: usize, rng: &mut Rng) -> String {
    format!(
        r#"# 机构信息 (agency.toml)：见 docs/content.md
name = "{name}"
short_name = "{short}"
parent = "{county}人民政府"
region = "示例省{county}"
weight = {weight}

[contact]
office = "{short}办公室"
address = "{county}人民路{number}号"
postcode = "{postcode}"
phone = "0{area}-{phone}"
email = "xxgk{a}@example.gov.cn"
"#,
        name = agency.name,
        short = agency.short,
        county = agency.county,
        weight = (a % PER_COUNTY + 1) * 10,
        number = rng.range(1, 300),
        postcode = rng.range(100_000, 899_999),
        area = rng.range(100, 999),
        phone = rng.range(2_000_000, 8_999_999),
    )
}

/// Applicant columns of 表三 (without 总计).
const COLS: usize = 6;
/// Result rows of 表三: （一）–（六）, every numbered item.
const RESULTS: usize = 21;

/// The figures of one report. Totals are computed when written.
struct Figures {
    /// [本年制发, 本年废止, 现行有效] of 规章 and 行政规范性文件.
    rules: [u64; 3],
    normative: [u64; 3],
    licensing: u64,
    penalty: u64,
    enforcement: u64,
    /// 万元 × 100.
    fees_cents: u64,
    new: [u64; COLS],
    carried_over: [u64; COLS],
    results: [[u64; COLS]; RESULTS],
    carried_forward: [u64; COLS],
    /// [维持, 纠正, 其他, 尚未审结] of 行政复议, 未经复议直接起诉, 复议后起诉.
    appeals: [[u64; 4]; 3],
}

/// How often each result row is used, relative to the others: mostly 予以公开
/// and 本机关不掌握, a little of everything else.
const RESULT_WEIGHTS: [u64; RESULTS] = [
    300, 80, // 予以公开, 部分公开
    3, 5, 3, 10, 10, 15, 5, 5, // 不予公开 1–8
    250, 30, 20, // 无法提供 1–3
    40, 20, 5, 5, 10, // 不予处理 1–5
    20, 2, 30, // 其他处理 1–3
];

impl Figures {
    fn draw(rng: &mut Rng, kind: &Kind, scale: u64, previous: Option<&Figures>) -> Self {
        // A year's activity: the agency's scale times a yearly swing of 50–150 %.
        let swing = |rng: &mut Rng, typical: u64| typical * scale * rng.range(50, 150) / 400;
        let new_total = swing(rng, kind.requests) + rng.range(0, 3);
        let mut new = [0; COLS];
        // 自然人 take most; companies what the others leave.
        let natural = new_total * rng.range(60, 100) / 100;
        new[0] = natural;
        let mut rest = new_total - natural;
        for (c, share) in [(3, 20), (2, 20), (4, 30), (5, 50)] {
            new[c] = rng.range(0, rest * share / 100);
            rest -= new[c];
        }
        new[1] = rest;
        let carried_over = previous.map_or([0; COLS], |p| p.carried_forward);
        let mut results = [[0; COLS]; RESULTS];
        let mut carried_forward = [0; COLS];
        // Each agency leans on some results more than others.
        let weights: Vec<u64> = RESULT_WEIGHTS.iter().map(|w| w * rng.range(1, 4)).collect();
        let sum: u64 = weights.iter().sum();
        for c in 0..COLS {
            let open = new[c] + carried_over[c];
            // A late application now and then is answered next year.
            carried_forward[c] = if open > 0 && rng.percent(25) { rng.range(0, open.div_ceil(8)) } else { 0 };
            for _ in 0..open - carried_forward[c] {
                let mut x = rng.next() % sum;
                let row = weights.iter().position(|&w| x < w || (x -= w, false).1).expect("in range");
                results[row][c] += 1;
            }
        }
        let documents = |rng: &mut Rng, previous: Option<[u64; 3]>, issue: u64, base: u64| {
            let in_force_before = previous.map_or_else(|| rng.range(0, base), |p| p[2]);
            let issued = rng.range(0, issue);
            let repealed = rng.range(0, (in_force_before + issued).min(issue));
            [issued, repealed, in_force_before + issued - repealed]
        };
        let rules = if kind.rules { documents(rng, previous.map(|p| p.rules), 2, 6) } else { [0; 3] };
        let normative = documents(rng, previous.map(|p| p.normative), 3 + scale, 4 * scale);
        let appeal = |rng: &mut Rng, p: u64| {
            if scale > 0 && rng.percent(p) {
                [rng.range(0, 3), rng.range(0, 1), rng.range(0, 1), rng.range(0, 2)]
            } else {
                [0; 4]
            }
        };
        Self {
            rules,
            normative,
            licensing: swing(rng, kind.decisions[0]),
            penalty: swing(rng, kind.decisions[1]),
            enforcement: swing(rng, kind.decisions[2]),
            fees_cents: if kind.fees && scale > 0 { rng.range(0, 50_000 * scale) } else { 0 },
            new,
            carried_over,
            results,
            carried_forward,
            appeals: [appeal(rng, 30), appeal(rng, 15), appeal(rng, 10)],
        }
    }

    fn results_total(&self) -> [u64; COLS] {
        std::array::from_fn(|c| self.results.iter().map(|r| r[c]).sum())
    }

    fn fees(&self) -> String {
        match self.fees_cents {
            0 => "0".to_owned(),
            cents => format!("{}.{:02}", cents / 100, cents % 100),
        }
    }
}

fn total(row: &[u64]) -> u64 {
    row.iter().sum()
}

/// `[a, b, c, d, e, f, 总计]`.
fn request_row(row: &[u64; COLS]) -> String {
    let cells: Vec<String> = row.iter().chain([&total(row)]).map(u64::to_string).collect();
    format!("[{}]", cells.join(", "))
}

const RESULT_KEYS: [(&str, &str); RESULTS] = [
    ("results.granted", "（一）予以公开"),
    ("results.partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("results.withheld.state_secret", "1.属于国家秘密"),
    ("results.withheld.prohibited", "2.其他法律行政法规禁止公开"),
    ("results.withheld.three_securities", "3.危及“三安全一稳定”"),
    ("results.withheld.third_party", "4.保护第三方合法权益"),
    ("results.withheld.internal_affairs", "5.属于三类内部事务信息"),
    ("results.withheld.process_information", "6.属于四类过程性信息"),
    ("results.withheld.enforcement_files", "7.属于行政执法案卷"),
    ("results.withheld.query_matters", "8.属于行政查询事项"),
    ("results.unavailable.not_held", "1.本机关不掌握相关政府信息"),
    ("results.unavailable.needs_creation", "2.没有现成信息需要另行制作"),
    ("results.unavailable.unclear", "3.补正后申请内容仍不明确"),
    ("results.not_processed.petitions", "1.信访举报投诉类申请"),
    ("results.not_processed.repeated", "2.重复申请"),
    ("results.not_processed.publications", "3.要求提供公开出版物"),
    ("results.not_processed.excessive", "4.无正当理由大量反复申请"),
    ("results.not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    ("results.other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("results.other.fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("results.other.other", "3.其他"),
];

/// The group heading printed before a result row, as in the sample's layout.
fn result_group(row: usize) -> Option<&'static str> {
    match row {
        0 => Some("# 三、本年度办理结果"),
        2 => Some("# （三）不予公开"),
        10 => Some("# （四）无法提供"),
        13 => Some("# （五）不予处理"),
        18 => Some("# （六）其他处理"),
        _ => None,
    }
}

/// `data.toml` in the layout of the sample (and of `portal new`), totals written out.
/// The first `rows` result rows of 表三, with their group comments.
fn result_rows(out: &mut String, f: &Figures, rows: usize) {
    for (r, ((key, label), row)) in RESULT_KEYS.iter().zip(&f.results).enumerate().take(rows) {
        if let Some(group) = result_group(r) {
            out.push_str(group);
            out.push('\n');
        }
        let _ = writeln!(out, "{key:<36} = {}   # {label}", request_row(row));
    }
}

fn data_toml(agency: &Agency, year: usize, f: &Figures) -> String {
    let mut out = String::with_capacity(6 * 1024);
    let triple = |v: [u64; 3]| format!("[{}, {}, {}]", v[0], v[1], v[2]);
    let _ = write!(
        out,
        "# {name} {year} 年度报告的统计数据（表二、表三、表四）。
# 写法见 docs/data-format.md。每一行的键对应官方表格中的一行，注释是官方表述。

# ── 二、主动公开政府信息情况 ───────────────────────────────────────────
[active]
# 第二十条第（一）项          [本年制发件数, 本年废止件数, 现行有效件数]
rules               = {rules}   # 规章
normative_documents = {normative}   # 行政规范性文件
# 第二十条第（五）项          本年处理决定数量
licensing = {licensing}                     # 行政许可
# 第二十条第（六）项          本年处理决定数量
penalty     = {penalty}                   # 行政处罚
enforcement = {enforcement}                   # 行政强制
# 第二十条第（八）项          本年收费金额（单位：万元）
fees = {fees}                          # 行政事业性收费

# ── 三、收到和处理政府信息公开申请情况 ─────────────────────────────────
# 每行 7 个数，依次为申请人情况：
#   [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计]
[requests]
new          = {new}   # 一、本年新收政府信息公开申请数量
carried_over = {carried_over}   # 二、上年结转政府信息公开申请数量
",
        name = agency.name,
        rules = triple(f.rules),
        normative = triple(f.normative),
        licensing = f.licensing,
        penalty = f.penalty,
        enforcement = f.enforcement,
        fees = f.fees(),
        new = request_row(&f.new),
        carried_over = request_row(&f.carried_over),
    );
    result_rows(&mut out, f, RESULTS);
    let _ = write!(
        out,
        "results.total = {}   # （七）总计
carried_forward = {}   # 四、结转下年度继续办理

# ── 四、政府信息公开行政复议、行政诉讼情况 ─────────────────────────────
# 每组 5 个数：[结果维持, 结果纠正, 其他结果, 尚未审结, 总计]
[appeals]
",
        request_row(&f.results_total()),
        request_row(&f.carried_forward),
    );
    for (key, label, v) in [
        ("reconsideration", "行政复议", f.appeals[0]),
        ("litigation.direct", "行政诉讼 · 未经复议直接起诉", f.appeals[1]),
        ("litigation.after_reconsideration", "行政诉讼 · 复议后起诉", f.appeals[2]),
    ] {
        let _ = writeln!(out, "{key:<32} = [{}, {}, {}, {}, {}]   # {label}", v[0], v[1], v[2], v[3], total(&v));
    }
    out
}

/// Fills `{we}`, `{short}`, `{year}` and `{county}`; each `{n}` becomes a
/// number of its own in `lo..=hi`.
fn fill(template: &str, agency: &Agency, year: usize, rng: &mut Rng, (lo, hi): (u64, u64)) -> String {
    let mut text =
        template.replace("{we}", agency.we).replace("{short}", agency.short).replace("{county}", &agency.county);
    text = text.replace("{year}", &year.to_string());
    while text.contains("{n}") {
        text = text.replacen("{n}", &rng.range(lo, hi).to_string(), 1);
    }
    text
}

const OPENING: &str = "本年度报告依照《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称“《条例》”），以及《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）的相关规定编制而成。";

const OUTLINES: &[&str] = &[
    "内容主要涵盖六大板块：一是总体情况；二是主动公开政府信息情况；三是收到和处理政府信息公开申请情况；四是政府信息公开行政复议和行政诉讼情况；五是存在的主要问题及改进情况；六是其他需要报告的事项。",
    "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分。",
];

const OVERVIEW: &[&str] = &[
    "{year}年，{we}深入贯彻《中华人民共和国政府信息公开条例》，对标省、市、县政务公开要求，强化责任担当，提升思想认识。秉持扩大范围、细化要求的原则，创新方式方法，力求各类政府信息及时、主动公开。",
    "{we}紧扣群众关切与党政工作重点，以扎实行动推进政务公开，让民众第一时间获取关键资讯，为提升治理效能、保障群众知情权不懈努力，促使政务公开工作稳步迈向新高度。",
    "在{county}人民政府的正确领导下，{we}坚持以人民为中心的发展思想，认真落实政务公开各项工作要求，不断提升政府信息公开的质量和实效。",
];

const ACTIVE: &[&str] = &[
    "一是公开内容更为充实完备。进一步细化政务公开的范围界定、内容梳理、形式规范及制度建设，构建起更为系统、全面的政务公开框架。",
    "{year}年，{we}依托政务公开平台与政务新媒体，累计发布{n}条信息。",
    "二是公开时间更为精准及时。充分考量各类公开事项特性，分类确定公开时间节点，针对常规性、常态化工作，严格执行定期公开与更新机制，维持信息的动态连贯性。",
    "三是公开重点更为突显聚焦。始终坚持以群众关切事项为政务公开核心导向，创新运用多元载体与形式，拓宽公众监督渠道。",
    "一方面，设立投诉信箱、公布举报及监督电话，及时收集、处理群众反馈；另一方面，借助公示栏等传统宣传阵地，延伸信息覆盖面，方便群众获取信息。",
    "全年发布政策解读材料{n}篇，更新办事指南{n}项。",
];

const REQUESTS: &[&str] = &[
    "{we}对依申请公开工作程序予以明确，着力构建并完善政府信息公开申请登记、审核、办理、答复以及归档的工作制度，以此强化工作的规范性。",
    "严格按照法定时限答复申请人，对申请内容不明确的，及时告知申请人作出补正，切实保障申请人的合法权益。",
    "畅通网络、信函、当面等申请渠道，在政府信息公开网站公布申请指南和申请表格，方便群众提出申请。",
];

const MANAGEMENT: &[&str] = &[
    "一是严格落实保密审查、“三审三校”以及备案制度，针对发布内容展开严谨细致的审核工作，确认内容准确无误之后才进行发布操作；",
    "二是用心抓好政务公开网站的运营工作，按照规定时间完成各个栏目的动态更新任务，全力保障更新内容的质量水平；",
    "三是强化日常管理力度，安排专门的工作人员定期对历史稿件进行错敏信息排查，认真做好网站的日常巡检以及监测相关工作。",
    "全年开展历史信息清理{n}次，排查整改问题链接{n}个。",
];

const PLATFORMS: &[&str] = &[
    "网站栏目建设。依据信息类别与受众需求合理设置板块，如政策法规、政务动态、办事指南、互动交流等栏目，分类展示政策文件，实时更新工作进展，明晰办事要求。",
    "新媒体平台建设。积极建设政务微博，专业运营，定时发布信息并及时互动；精心打造微信公众号，完善菜单功能，多样推送内容并开展线上活动。",
    "信息公开线下渠道建设。政务服务大厅设信息公开区，摆放公开栏并配工作人员答疑；社区设宣传栏定期更新生活相关信息。",
];

const OVERSIGHT: &[&str] = &[
    "政务公开培训情况。积极组织业务人员参与各类培训会议，深入研习政务公开的各项工作要求。全年组织专题培训{n}次，参训人员{n}人次。",
    "机构建设情况。安排专门的工作人员负责相关工作，进一步完善常态化的监管机制，针对错链、死链以及不良链接等重点内容，常态化地组织排查与整治工作。",
    "工作考核情况。把政务公开年度工作要点作为衡量工作的重要指标依据，进一步对任务进行细化分解，打造集问题、任务、责任于一体的整改清单，完成一项，销号一项。",
    "社会评议和责任追究情况。充分借助政府信息公开咨询电话、领导信箱、调查征集、网上留言等互动渠道，大范围收集社会公众的意见建议，及时、高效地做出回应与答复。",
    "人员和经费保障情况。明确政务公开专门机构的设置，为其配强、配齐专职人员，还设立专项经费，保障政务公开工作有专人抓落实。",
];

const PROBLEMS: &[&str] = &[
    "{year}年{we}信息公开工作虽取得了一定成绩，但仍存在一些问题：一是对政务公开的界定还不够明确，并存在公开不及时的情况；二是协调联动不足，部门之间协调配合不够顺畅；三是欠缺互动性，不能很好地满足公众参与政务、表达诉求的愿望。",
    "对照上级要求，{we}政务公开工作仍有不足：政策解读的形式还比较单一，解读材料的针对性不强；政务新媒体更新频率不够稳定；工作人员的业务能力有待进一步提升。",
];

const IMPROVEMENTS: &[&str] = &[
    "一是多平台布局，积极入驻主流新媒体平台，根据不同平台的特点和用户群体属性，有针对性地制作和发布信息内容。二是建立健全协调制度，明确各部门在综合性信息公开事项中的职责分工。三是完善互动渠道建设，优化留言界面设计，方便民众操作。",
    "下一步，{we}将丰富政策解读形式，多采用图解、视频、问答等群众喜闻乐见的方式；建立政务新媒体内容更新台账，定期检查；每季度组织一次业务培训，提升工作人员的能力水平。",
];

const INNOVATIONS: &[&str] = &[
    "一是新媒体融合应用。整合微信公众号、短视频等新媒体平台资源，根据不同平台的用户特点和传播规律，有针对性地发布政务信息，有效提升了信息传播的覆盖面和吸引力。",
    "二是案例式解读实施。选取与群众生活息息相关的实际案例，结合具体政策条款进行分析讲解，使公众能够更直观地掌握政策如何在实际中运用。",
    "三是建立公众参与政务公开评价体系。制定涵盖信息准确性、及时性、实用性以及互动性等维度的评价指标，邀请公众对政务公开工作进行评价打分。",
];

/// `k` of the templates, in their order, filled.
fn pick(rng: &mut Rng, templates: &[&str], k: usize, agency: &Agency, year: usize, range: (u64, u64)) -> Vec<String> {
    rng.choose(templates, k).into_iter().map(|t| fill(t, agency, year, rng, range)).collect()
}

/// `1.text`, `2.text`, … as the sample numbers its paragraphs.
fn numbered(items: Vec<String>) -> Vec<String> {
    items.into_iter().enumerate().map(|(i, t)| format!("{}.{t}", i + 1)).collect()
}

fn paragraphs(out: &mut String, items: &[String]) {
    for p in items {
        out.push_str(p);
        out.push_str("\n\n");
    }
}

/// `report.md`: front matter and the six sections. The figures that 一、总体情况
/// states are taken from `f` in phrases R8 ties to a cell, so they always agree.
fn report_md(
    agency: &Agency,
    year: usize,
    formats: Formats,
    f: &Figures,
    previous: Option<&Figures>,
    has_next: bool,
    rng: &mut Rng,
) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let (slug, short) = (&agency.slug, agency.short);
    let fmt = formats.of(year);
    // Only where the year alone would name another format.
    let declared = if fmt != Formats::ByYear.of(year) { "format = \"2021\"\n" } else { "" };
    let _ = write!(
        out,
        "+++\ntitle = \"{name}{year}年政府信息公开工作年度报告\"\ndate = {next}-01-{day:02}\nsigned_by = \"{name}\"\n{declared}+++\n\n",
        name = agency.name,
        next = year + 1,
        day = rng.range(5, 31),
    );
    let outline = OUTLINES[year % OUTLINES.len()];
    let opening = match fmt {
        Fmt::F2021 => OPENING.to_owned(),
        Fmt::F2019 => OPENING.replace("〔2021〕30号", "〔2019〕60号"),
        Fmt::Free => OPENING.replace("国务院令第711号", "国务院令第492号").replace(
            "，以及《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）",
            "",
        ),
    };
    let _ = write!(
        out,
        "{opening}{outline}本年度报告中所列数据统计期限从{year}年1月1日到{year}年12月31日止。本报告可在政府信息公开网站（<https://www.example.gov.cn/xxgk/>）查看或下载。\n\n## 一、总体情况\n\n"
    );
    let k = 1 + year % 2;
    let overview = pick(rng, OVERVIEW, k, agency, year, (0, 0));
    paragraphs(&mut out, &overview);

    // R8: every stated figure is the table's, in a phrase the check recognises.
    let new = total(&f.new);
    let results = total(&f.results_total());
    let comparison = match previous.map(|p| total(&p.new)) {
        Some(before) if before < new => format!("，较上年增加{}件", new - before),
        Some(before) if before > new => format!("，较上年减少{}件", before - new),
        Some(_) => "，与上年持平".to_owned(),
        None => String::new(),
    };
    let _ = write!(
        out,
        "{year}年，{we}本年新收政府信息公开申请{new}件{comparison}；上年结转{co}件，办结{results}件，其中予以公开{granted}件，部分公开{partly}件；结转下年度继续办理{cf}件。各项数据详见本报告[第三部分的统计表](#{requests})。",
        we = agency.we,
        co = total(&f.carried_over),
        granted = total(&f.results[0]),
        partly = total(&f.results[1]),
        cf = total(&f.carried_forward),
        requests = fmt.table("requests"),
    );
    match previous {
        Some(_) => {
            let _ = write!(
                out,
                "上一年度的情况见[{}年度报告](../../{}/{slug}/)，其申请办理情况见该报告的[统计表](/xxgk/{}/{slug}/#{})。",
                year - 1,
                year - 1,
                year - 1,
                formats.of(year - 1).table("requests")
            );
        }
        None => {
            let _ = write!(out, "{short}历年的年度报告见[机构页面]({BASE}agencies/{slug}/#reports-title)。");
        }
    }
    out.push_str("\n\n### （一）主动公开\n\n");
    let active = pick(rng, ACTIVE, 2, agency, year, (3, 400));
    paragraphs(&mut out, &active);
    let mut documents = match fmt {
        Fmt::F2019 => format!("本年新制作规范性文件{}件，新公开规范性文件{}件", f.normative[0], f.normative[0]),
        _ => format!(
            "本年制发行政规范性文件{}件，废止{}件，现行有效的规范性文件共{}件",
            f.normative[0], f.normative[1], f.normative[2]
        ),
    };
    if agency.kind.rules && fmt != Fmt::F2019 {
        let _ = write!(documents, "；现行有效规章{}件", f.rules[2]);
    }
    let _ = write!(
        out,
        "{documents}。全年作出行政许可决定{}件，行政处罚决定{}件，行政强制决定{}件，收取行政事业性收费{}万元。\n\n",
        f.licensing,
        f.penalty,
        f.enforcement,
        f.fees()
    );

    out.push_str("### （二）依申请公开\n\n");
    out.push_str(&pick(rng, REQUESTS, 2, agency, year, (0, 0)).concat());
    let reconsideration = total(&f.appeals[0]);
    let litigation = total(&f.appeals[1]) + total(&f.appeals[2]);
    if reconsideration + litigation == 0 {
        let _ = write!(out, "{year}年，{}全年未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。\n\n", agency.we);
    } else {
        let _ = write!(
            out,
            "{year}年，{}因政府信息公开被申请行政复议{reconsideration}件，被提起行政诉讼{litigation}件，详见[第四部分](#{})。\n\n",
            agency.we,
            fmt.table("appeals")
        );
    }

    out.push_str("### （三）政府信息管理\n\n");
    out.push_str(&pick(rng, MANAGEMENT, 2, agency, year, (1, 60)).concat());
    out.push_str("\n\n### （四）政府信息公开平台建设\n\n");
    paragraphs(&mut out, &numbered(pick(rng, PLATFORMS, 2, agency, year, (0, 0))));
    out.push_str("### （五）监督保障\n\n");
    paragraphs(&mut out, &numbered(pick(rng, OVERSIGHT, 2, agency, year, (2, 120))));

    out.push_str("## 二、行政机关主动公开政府信息情况\n\n");
    if has_next {
        let _ = write!(
            out,
            "下一年度的主动公开情况见[{}年度报告](../../{}/{slug}/#{})。\n\n",
            year + 1,
            year + 1,
            formats.of(year + 1).section(2)
        );
    }
    out.push_str("## 三、行政机关收到和处理政府信息公开申请情况\n\n");
    if let Some((other, other_short)) = &agency.neighbour {
        let _ = write!(
            out,
            "同一地区[{other_short}的{year}年度报告]({BASE}{year}/{other}/#{section})可供对照，本地区各机构的情况见[{year}年度汇总页面](../../{year}/)。\n\n",
            section = fmt.section(3)
        );
    }
    out.push_str("## 四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n\n");
    out.push_str("## 五、政府信息公开工作存在的主要问题及改进情况\n\n### （一）存在问题\n\n");
    let problem = pick(rng, PROBLEMS, 1, agency, year, (0, 0)).concat();
    let improvement = pick(rng, IMPROVEMENTS, 1, agency, year, (0, 0)).concat();
    let _ = write!(out, "{problem}\n\n### （二）改进情况\n\n{improvement}\n\n");

    out.push_str("## 六、其他需要报告的事项\n\n");
    let _ = write!(
        out,
        "### （一）依据《政府信息公开信息处理费管理办法》收取信息处理费的情况\n\n{year}年度{}依申请公开政府信息未收取任何费用。\n\n",
        agency.we
    );
    out.push_str("### （二）本行政机关落实上级年度政务公开工作要点情况\n\n按照有关文件要求，从加强重点领域公开、提升政策解读实效、规范公开制度机制、做好培训监督考核等方面入手，依法、及时、准确、有序地推进政府信息公开工作。\n\n");
    let (proposals, motions) = (rng.range(0, 12), rng.range(0, 12));
    let led = rng.range(0, proposals);
    let _ = write!(
        out,
        "### （三）本行政机关人大代表建议和政协提案办理结果公开情况\n\n共收到人大代表建议{proposals}件，其中主办{led}件，协办{}件；收到政协提案{motions}件。办理结果已按要求公开。\n\n",
        proposals - led
    );
    out.push_str("### （四）本行政机关年度政务公开工作创新情况\n\n");
    paragraphs(&mut out, &pick(rng, INNOVATIONS, 1, agency, year, (0, 0)));
    let _ = write!(
        out,
        "### （五）本行政机关政府信息公开工作年度报告数据统计需要特别说明的事项\n\n报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。\n\n### （六）本行政机关认为需要报告的其他事项\n\n无。\n\n### （七）其他有关文件专门要求通过政府信息公开工作年度报告予以报告的事项\n\n无。\n"
    );
    out
}
