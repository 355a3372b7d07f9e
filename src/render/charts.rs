//! Trend charts on the agency pages: stacked bars per year, drawn as inline SVG
//! at build time (no script, no external service).
//!
//! What is charted is data ([`crate::format::Chart`]). Every chart is an
//! `<svg role="img">` with a `<title>` and a `<desc>` that state the figures,
//! every bar segment a `<title>` with its number, and the same figures follow
//! as an HTML table, so nothing depends on seeing the picture. The SVG is
//! well-formed XML (it is parsed as such in the tests).

use std::fmt::Write;

use crate::format::Chart;
use crate::model::{Agency, Number};

use crate::text::escape;

/// Colours of the series, bottom first (Okabe–Ito: distinguishable with the
/// common colour-vision deficiencies, and in greyscale by their order).
const COLOURS: &[&str] = &["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];

const WIDTH: f64 = 640.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 24.0;
const PLOT: f64 = 180.0;
const AXIS: f64 = 28.0;
const LEGEND_ROW: f64 = 22.0;
const LEGEND_COLUMNS: usize = 3;
/// The font sizes the theme gives the chart's texts (`.chart-svg text`, `.in-bar`), in the
/// SVG's units: labels are laid out against them, so they scale with the chart.
const FONT: f64 = 12.0;
const IN_BAR_FONT: f64 = 11.0;
/// The least space between two labels side by side.
const LABEL_GAP: f64 = 6.0;

/// A coordinate written as `{:.1}` writes it. The float formatter's exact
/// arithmetic is most of a chart's cost; a coordinate not within a hair of
/// a tie rounds the same from its product by ten, and the rest go to it.
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scaled = self.0 * 10.0;
        let fraction = scaled - scaled.floor();
        if !(0.0..1e12).contains(&scaled) || self.0.is_sign_negative() || (fraction - 0.5).abs() < 1e-6 {
            return write!(f, "{:.1}", self.0);
        }
        let tenths = scaled.round() as u64;
        f.write_str(itoa::Buffer::new().format(tenths / 10))?;
        f.write_char('.')?;
        f.write_char(char::from(b'0' + (tenths % 10) as u8))
    }
}

/// The width a text takes at `font`, estimated on the wide side: a digit or
/// Latin letter is at most 0.6 em in the fonts the theme names, a Chinese
/// character 1 em.
fn text_width(text: &str, font: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.6 } else { 1.0 }).sum::<f64>() * font
}

/// Which of `n` years, one per `slot` of width, are labelled when a label is
/// `width` wide: every k-th from the first, k the least step at which
/// neighbours do not touch, and the last always (the k-th before it gives way
/// when the two would be closer than k slots). All of them when they fit.
fn labelled(n: usize, slot: f64, width: f64) -> Vec<usize> {
    let Some(last) = n.checked_sub(1) else { return Vec::new() };
    let k = ((width + LABEL_GAP) / slot).ceil().max(1.0) as usize;
    let mut shown: Vec<usize> = (0..n).step_by(k).collect();
    if shown.last() != Some(&last) {
        if shown.last().is_some_and(|&s| last - s < k && s > 0) {
            shown.pop();
        }
        shown.push(last);
    }
    shown
}

/// One chart's figures: per year, one value per series.
#[derive(Debug)]
pub(crate) struct Series {
    pub years: Vec<u16>,
    pub labels: Vec<&'static str>,
    /// `values[year][series]`; `None` where a report lacks a figure.
    pub values: Vec<Vec<Option<u64>>>,
    /// Per year, the format its figures follow (its name and notice).
    pub formats: Vec<(&'static str, &'static str)>,
}

impl Series {
    /// The chart over an agency's years whose format has it (a chart of the
    /// same id): a free-form year has no figures and is left out. Each year's
    /// figures are its own format's chart's, so a series follows its cells
    /// across a change of format.
    pub(crate) fn of(chart: &Chart, agency: &Agency) -> Self {
        let labels = chart.series.iter().map(|m| m.label).collect();
        let (mut years, mut values, mut formats) = (Vec::new(), Vec::new(), Vec::new());
        for r in &agency.reports {
            let format = r.layout();
            let Some(own) = format.charts.iter().find(|c| c.id == chart.id) else { continue };
            years.push(r.year);
            values.push(
                chart
                    .series
                    .iter()
                    .map(|m| {
                        let m = own.series.iter().find(|o| o.label == m.label)?;
                        r.figures.measure(format, m).map(Number::raw)
                    })
                    .collect(),
            );
            formats.push((format.name, format.notice));
        }
        Self { years, labels, values, formats }
    }

    /// The years where the format changes from the year before, with the new format.
    fn changes(&self) -> Vec<(usize, (&'static str, &'static str))> {
        (1..self.formats.len())
            .filter(|&y| self.formats[y] != self.formats[y - 1])
            .map(|y| (y, self.formats[y]))
            .collect()
    }

    fn total(&self, year: usize) -> u64 {
        self.values[year].iter().flatten().sum()
    }
}

/// Every id [`chart_html`] gives the chart's elements (the same for any figures).
pub(crate) fn ids(chart: &Chart) -> Vec<String> {
    let id = chart.id;
    vec![id.to_owned(), format!("{id}-caption"), format!("{id}-title"), format!("{id}-desc")]
}

/// The chart as a `<figure>`: the SVG and the table of its figures.
pub(crate) fn chart_html(chart: &Chart, series: &Series) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<figure class=\"chart\" id=\"{id}\" aria-labelledby=\"{id}-caption\"><figcaption id=\"{id}-caption\">{}</figcaption><div class=\"chart-body\">",
        escape(chart.title),
        id = chart.id
    );
    out.push_str(&svg(chart, series));
    out.push_str(&table(chart, series));
    out.push_str(&format_note(series));
    out.push_str("</div></figure>");
    out
}

/// Where the chart's years change format: a note under the chart.
fn format_note(series: &Series) -> String {
    let changes = series.changes();
    let Some(first) = series.formats.first().filter(|_| !changes.is_empty()) else { return String::new() };
    let mut runs = vec![(0, *first)];
    runs.extend(changes);
    let parts: Vec<String> = runs
        .iter()
        .enumerate()
        .map(|(i, &(start, (name, notice)))| {
            let end = runs.get(i + 1).map_or(series.years.len(), |r| r.0) - 1;
            let years = if start == end {
                format!("{}年", series.years[start])
            } else {
                format!("{}—{}年", series.years[start], series.years[end])
            };
            format!("{years}按{name}（{notice}）")
        })
        .collect();
    format!(
        "<p class=\"chart-note\">注：报告格式有变化，虚线处为分界：{}统计；两种格式共有的栏目才连续画出。</p>",
        escape(&parts.join("，"))
    )
}

/// Text alternative: every year's figures in words.
fn description(series: &Series) -> String {
    let years: Vec<String> = series
        .years
        .iter()
        .enumerate()
        .map(|(y, year)| {
            let parts: Vec<String> = series
                .labels
                .iter()
                .zip(&series.values[y])
                .map(|(label, v)| format!("{label} {}", v.map_or_else(|| "—".to_owned(), |v| v.to_string())))
                .collect();
            format!("{year}年合计 {} 件（{}）", series.total(y), parts.join("，"))
        })
        .collect();
    format!("{}。", years.join("；"))
}

/// A round upper bound for the axis and its step: 1, 2 or 5 times a power of ten.
fn axis(max: u64) -> (u64, u64) {
    let target = max.max(1).div_ceil(4);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if step * m >= target {
                let step = step * m;
                return (step * max.max(1).div_ceil(step), step);
            }
        }
        step *= 10;
    }
}

fn svg(chart: &Chart, series: &Series) -> String {
    let n = series.years.len().max(1);
    let legend_rows = series.labels.len().div_ceil(LEGEND_COLUMNS);
    let height = TOP + PLOT + AXIS + legend_rows as f64 * LEGEND_ROW + 8.0;
    let plot_w = WIDTH - LEFT - RIGHT;
    let max = (0..series.years.len()).map(|y| series.total(y)).max().unwrap_or(0);
    let (top, step) = axis(max);
    let y_of = |v: u64| TOP + PLOT - PLOT * v as f64 / top as f64;
    let id = chart.id;

    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">"
    );
    let _ = write!(out, "<title id=\"{id}-title\">{}</title>", escape(chart.title));
    let _ = write!(out, "<desc id=\"{id}-desc\">{}</desc>", escape(&description(series)));

    // Grid lines and the value axis.
    let mut tick = 0;
    while tick <= top {
        let y = y_of(tick);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{tick}</text>",
            Tenths(WIDTH - RIGHT),
            Tenths(LEFT - 6.0),
            Tenths(y + 4.0),
            y = Tenths(y)
        );
        tick += step;
    }

    // Bars, one per year, series stacked bottom first. With many years not every
    // year is labelled (`labelled`); the table beside the chart has them all.
    let slot = plot_w / n as f64;
    let bar = (slot * 0.6).min(72.0);
    let year_width = series.years.iter().map(|y| text_width(&format!("{y}年"), FONT)).fold(0.0, f64::max);
    let shown = labelled(series.years.len(), slot, year_width);
    // Totals above the bars: every year's when they fit in a slot, else the labelled years'.
    let total_width =
        (0..series.years.len()).map(|y| text_width(&series.total(y).to_string(), FONT)).fold(0.0, f64::max);
    let every_total = total_width + LABEL_GAP <= slot;
    for (y, year) in series.years.iter().enumerate() {
        let labelled = shown.binary_search(&y).is_ok();
        let x = LEFT + slot * y as f64 + (slot - bar) / 2.0;
        let mut base = 0;
        for (s, value) in series.values[y].iter().enumerate() {
            let Some(v) = value.filter(|&v| v > 0) else { continue };
            let (y1, y0) = (y_of(base + v), y_of(base));
            let h = y0 - y1;
            let label = series.labels[s];
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y1}\" width=\"{bar}\" height=\"{h}\" fill=\"{}\"><title>{year}年 {}：{v} 件</title></rect>",
                COLOURS[s % COLOURS.len()],
                escape(label),
                x = Tenths(x),
                y1 = Tenths(y1),
                bar = Tenths(bar),
                h = Tenths(h)
            );
            if h >= 14.0 && text_width(&v.to_string(), IN_BAR_FONT) + 2.0 <= bar {
                let _ = write!(
                    out,
                    "<text class=\"in-bar\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{v}</text>",
                    Tenths(x + bar / 2.0),
                    Tenths(y1 + h / 2.0 + 4.0)
                );
            }
            base += v;
        }
        if every_total || labelled {
            let _ = write!(
                out,
                "<text class=\"total\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                Tenths(x + bar / 2.0),
                Tenths(y_of(base) - 5.0),
                base
            );
        }
        if labelled {
            let _ = write!(
                out,
                "<text class=\"year\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{year}年</text>",
                Tenths(x + bar / 2.0),
                Tenths(TOP + PLOT + 18.0)
            );
        }
    }
    // Where the format changes: a dashed line between the two years.
    for (y, _) in series.changes() {
        let x = LEFT + slot * y as f64;
        let _ = write!(
            out,
            "<line class=\"format-change\" x1=\"{x}\" y1=\"{TOP}\" x2=\"{x}\" y2=\"{}\" stroke=\"#666\" stroke-dasharray=\"4 3\"/>",
            Tenths(TOP + PLOT),
            x = Tenths(x)
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        Tenths(TOP + PLOT),
        Tenths(WIDTH - RIGHT),
        Tenths(TOP + PLOT)
    );

    // Legend.
    let col_w = plot_w / LEGEND_COLUMNS as f64;
    for (s, label) in series.labels.iter().enumerate() {
        let x = LEFT + col_w * (s % LEGEND_COLUMNS) as f64;
        let y = TOP + PLOT + AXIS + LEGEND_ROW * (s / LEGEND_COLUMNS) as f64;
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text class=\"legend\" x=\"{}\" y=\"{}\">{}</text>",
            Tenths(y + 2.0),
            COLOURS[s % COLOURS.len()],
            Tenths(x + 18.0),
            Tenths(y + 13.0),
            escape(label),
            x = Tenths(x)
        );
    }
    out.push_str("</svg>");
    out
}

/// The chart's figures as a table: a row per year, a column per series.
fn table(chart: &Chart, series: &Series) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<div class=\"table-scroll\" role=\"region\" aria-label=\"{0}（数据）\" tabindex=\"0\"><table class=\"stats chart-data\"><caption>{0}（单位：件）</caption><thead><tr><th scope=\"col\">年度</th>",
        escape(chart.title)
    );
    for label in &series.labels {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(label));
    }
    out.push_str("<th scope=\"col\">合计</th></tr></thead><tbody>");
    for (y, year) in series.years.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">{year}年</th>");
        for v in &series.values[y] {
            let _ = write!(out, "<td class=\"num\">{}</td>", v.map_or_else(|| "—".to_owned(), |v| v.to_string()));
        }
        let _ = write!(out, "<td class=\"num\">{}</td></tr>", series.total(y));
    }
    out.push_str("</tbody></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_lists_every_id_the_chart_has() {
        use crate::format::FORMAT_2021;
        for chart in FORMAT_2021.charts {
            let series = Series {
                years: vec![2023, 2024],
                labels: vec!["甲", "乙"],
                values: vec![vec![Some(1), Some(2)], vec![Some(3), None]],
                formats: vec![("甲格式", "甲号"), ("乙格式", "乙号")],
            };
            let html = chart_html(chart, &series);
            let mut found: Vec<String> =
                html.split(" id=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_owned()).collect();
            let mut listed = ids(chart);
            found.sort();
            listed.sort();
            assert_eq!(found, listed);
            assert!(!html.contains("href=") && !html.contains("src="), "a chart has no links: they are not inspected");
        }
    }

    #[test]
    fn a_change_of_format_is_marked() {
        let chart = &crate::format::FORMAT_2021.charts[0];
        let mut series = Series {
            years: vec![2019, 2020, 2021],
            labels: vec!["甲"],
            values: vec![vec![Some(1)], vec![Some(2)], vec![Some(3)]],
            formats: vec![("2019 年版格式", "60号"), ("2019 年版格式", "60号"), ("2021 年版格式", "30号")],
        };
        let html = chart_html(chart, &series);
        assert!(html.contains("2019—2020年按2019 年版格式（60号），2021年按2021 年版格式（30号）"), "{html}");
        assert_eq!(html.matches("class=\"format-change\"").count(), 1);
        series.formats = vec![("2021 年版格式", "30号"); 3];
        let html = chart_html(chart, &series);
        assert!(!html.contains("chart-note") && !html.contains("format-change"), "{html}");
    }

    /// The boxes of the year labels an SVG shows: (left, right, text), in order.
    #[test]
    fn tenths_are_written_as_the_float_formatter_writes_them() {
        let mut values = vec![0.0, 0.05, 0.25, 0.35, 1.45, 2.5, 99.95, 123.456, 1e11, -0.04, -3.25, f64::NAN, 1e300];
        values.extend((0..20_000).map(|i| f64::from(i) * 0.0137 + 0.5 * f64::from(i % 7)));
        values.extend((1..500).map(|n| 576.0 / f64::from(n)));
        for v in values {
            assert_eq!(Tenths(v).to_string(), format!("{v:.1}"), "{v:?}");
        }
    }

    fn year_boxes(svg: &str) -> Vec<(f64, f64, String)> {
        svg.split("<text class=\"year\" x=\"")
            .skip(1)
            .map(|rest| {
                let x: f64 = rest[..rest.find('"').unwrap()].parse().unwrap();
                let text = &rest[rest.find('>').unwrap() + 1..rest.find("</text>").unwrap()];
                let w = text_width(text, FONT);
                (x - w / 2.0, x + w / 2.0, text.to_owned())
            })
            .collect()
    }

    #[test]
    fn year_labels_never_overlap_and_keep_the_first_and_last() {
        let chart = &crate::format::FORMAT_2021.charts[0];
        for n in [1_u16, 2, 5, 6, 12, 20, 21, 40, 60] {
            let years: Vec<u16> = (0..n).map(|i| 2000 + i).collect();
            let series = Series {
                labels: vec!["甲", "乙"],
                values: years.iter().map(|&y| vec![Some(u64::from(y % 7) * 150), Some(9)]).collect(),
                formats: vec![("2021 年版格式", "30号"); years.len()],
                years: years.clone(),
            };
            let boxes = year_boxes(&svg(chart, &series));
            let first = format!("{}年", years[0]);
            let last = format!("{}年", years[years.len() - 1]);
            assert_eq!(boxes.first().map(|b| &b.2), Some(&first), "{n} years");
            assert_eq!(boxes.last().map(|b| &b.2), Some(&last), "{n} years");
            for pair in boxes.windows(2) {
                assert!(pair[0].1 + LABEL_GAP <= pair[1].0, "{n} years: {pair:?}");
            }
            // Inside the drawing.
            assert!(boxes.iter().all(|b| b.0 >= 0.0 && b.1 <= WIDTH), "{n} years: {boxes:?}");
            // A dozen years are all labelled (48 units each); twenty and more are
            // thinned, not dropped wholesale.
            if n <= 12 {
                assert_eq!(boxes.len(), usize::from(n), "{n} years");
            } else {
                assert!(boxes.len() >= 5 && boxes.len() < usize::from(n), "{n} years: {}", boxes.len());
            }
        }
    }

    #[test]
    fn labels_thin_by_the_width_they_need() {
        // 576 units for 20 years: 28.8 each, a 40.8-wide label needs two slots.
        assert_eq!(labelled(20, 28.8, 40.8), vec![0, 2, 4, 6, 8, 10, 12, 14, 16, 19]);
        assert_eq!(labelled(5, 115.2, 40.8), vec![0, 1, 2, 3, 4]);
        // The last is kept; the one before it gives way when too close.
        assert_eq!(labelled(40, 14.4, 40.8), vec![0, 4, 8, 12, 16, 20, 24, 28, 32, 39]);
        assert_eq!(labelled(41, 14.0, 40.8), vec![0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
        assert_eq!(labelled(0, 10.0, 40.8), Vec::<usize>::new());
    }

    #[test]
    fn axis_is_round_and_covers_the_maximum() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(7), (8, 2));
        assert_eq!(axis(11), (15, 5));
        assert_eq!(axis(138), (150, 50));
        assert_eq!(axis(1000), (1000, 500));
    }
}
