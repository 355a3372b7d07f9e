//! The sample report as a `.docx` and as an HTML page with the official
//! table layout (merged header cells), for the import tests and the Wine
//! test. Included with `#[path]`, so that other tests do not compile it.

use std::fs;
use std::io::Write;
use std::path::Path;

use portal::format::{Block, FORMAT_2021, Header, depth, leaf_count};

use super::common::REPO;

/// A cell of a table as laid out: HTML's view (spans), converted for Word.
#[derive(Clone)]
pub(crate) struct TCell {
    text: String,
    colspan: usize,
    rowspan: usize,
}

pub(crate) fn tc(text: &str, colspan: usize, rowspan: usize) -> TCell {
    TCell { text: text.to_owned(), colspan, rowspan }
}

/// The rows of one block as the official table prints it: caption, merged
/// column headers, merged row headers, then the figures.
fn block_rows(block: &Block, width: usize, value: &dyn Fn(usize, usize) -> String) -> Vec<Vec<TCell>> {
    let (col_depth, row_depth) = (depth(block.columns), depth(block.rows));
    let mut rows: Vec<Vec<TCell>> = Vec::new();
    if let Some(caption) = block.caption {
        rows.push(vec![tc(caption, width, 1)]);
    }
    let mut header: Vec<Vec<TCell>> = vec![Vec::new(); col_depth];
    fn columns(nodes: &[Header], level: usize, depth: usize, out: &mut Vec<Vec<TCell>>) {
        for n in nodes {
            if n.children.is_empty() {
                out[level].push(tc(n.label, 1, depth - level));
            } else {
                out[level].push(tc(n.label, leaf_count(n), 1));
                columns(n.children, level + 1, depth, out);
            }
        }
    }
    columns(block.columns, 0, col_depth, &mut header);
    if row_depth > 0 {
        header[0].insert(0, tc(block.corner.unwrap_or(""), row_depth, col_depth));
    }
    // Widen the last header cell to the table's width (表二's blocks share one table).
    let leaves = block.column_leaves().len();
    if let Some(last) = header[0].last_mut() {
        last.colspan += width - row_depth.max(1) * usize::from(row_depth > 0) - leaves;
    }
    rows.extend(header);
    let mut labels: Vec<Vec<TCell>> = Vec::new();
    fn row_labels(nodes: &[Header], level: usize, depth: usize, out: &mut Vec<Vec<TCell>>, pending: &mut Vec<TCell>) {
        for n in nodes {
            if n.children.is_empty() {
                pending.push(tc(n.label, depth - level, 1));
                out.push(std::mem::take(pending));
            } else {
                pending.push(tc(n.label, 1, leaf_count(n)));
                row_labels(n.children, level + 1, depth, out, pending);
            }
        }
    }
    if row_depth == 0 {
        labels.push(Vec::new());
    } else {
        row_labels(block.rows, 0, row_depth, &mut labels, &mut Vec::new());
    }
    for (r, mut cells) in labels.into_iter().enumerate() {
        cells.extend((0..leaves).map(|c| tc(&value(r, c), 1, 1)));
        let used: usize = cells.iter().map(|c| c.colspan).sum::<usize>() + row_depth - cells.len().min(row_depth);
        if let Some(last) = cells.last_mut() {
            last.colspan += width.saturating_sub(used.max(row_depth + leaves));
        }
        rows.push(cells);
    }
    rows
}

/// The three official tables with the sample's figures, as laid-out rows.
pub(crate) fn official_tables() -> Vec<(u8, Vec<Vec<TCell>>)> {
    let loaded = portal::load::load(Path::new(REPO));
    let sample = loaded.site.expect("the sample loads");
    let agency = sample.agencies.iter().find(|a| a.slug == "linqu-yeyuan").expect("the sample's real agency");
    let report = agency.reports.iter().find(|r| r.year == 2024).expect("its 2024 report");
    let mut out = Vec::new();
    for (t, table) in FORMAT_2021.tables_ix() {
        let width = table.blocks.iter().map(|b| depth(b.rows) + b.column_leaves().len()).max().unwrap_or(1);
        let mut rows = Vec::new();
        for (b, block) in table.blocks.iter().enumerate() {
            let grid = report.figures.grid(t, b);
            let value = |r: usize, c: usize| grid.value(r, c).map(|v| v.to_string()).unwrap_or_default();
            rows.extend(block_rows(block, width, &value));
        }
        out.push((table.section, rows));
    }
    out
}

/// The sample's paragraphs in order (title first, signature and date last),
/// with each table after its section heading.
pub(crate) enum Part {
    Para(String),
    Table(Vec<Vec<TCell>>),
}

pub(crate) fn sample_parts() -> Vec<Part> {
    let md = fs::read_to_string(Path::new(REPO).join("content/linqu-yeyuan/2024/report.md")).unwrap();
    let body = md.splitn(3, "+++\n").nth(2).unwrap();
    let mut tables = official_tables();
    let mut parts = vec![Part::Para("临朐县冶源街道办事处2024年政府信息公开工作年度报告".to_owned())];
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        let text = line.trim_start_matches('#').trim();
        parts.push(Part::Para(text.to_owned()));
        if line.starts_with("## ") {
            let n = FORMAT_2021.section_by_title(text).unwrap().number;
            if let Some(i) = tables.iter().position(|(s, _)| *s == n) {
                parts.push(Part::Table(tables.remove(i).1));
            }
        }
    }
    parts.push(Part::Para("冶源街道办事处".to_owned()));
    parts
}

pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn w_para(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", xml_escape(text))
}

/// A table in WordprocessingML: rowspans become `w:vMerge` restart/continue cells.
fn w_table(rows: &[Vec<TCell>]) -> String {
    // Per row: (column, cell, continues) after resolving rowspans.
    let mut placed: Vec<Vec<(usize, TCell, bool)>> = vec![Vec::new(); rows.len()];
    let mut covered: Vec<Vec<bool>> = vec![Vec::new(); rows.len()];
    for (r, row) in rows.iter().enumerate() {
        let mut col = 0;
        for cell in row {
            while covered[r].get(col).copied().unwrap_or(false) {
                col += 1;
            }
            placed[r].push((col, cell.clone(), false));
            for rr in r..(r + cell.rowspan).min(rows.len()) {
                if covered[rr].len() < col + cell.colspan {
                    covered[rr].resize(col + cell.colspan, false);
                }
                covered[rr][col..col + cell.colspan].fill(true);
                if rr > r {
                    placed[rr].push((col, cell.clone(), true));
                }
            }
            col += cell.colspan;
        }
    }
    let mut xml = String::from("<w:tbl>");
    for row in &mut placed {
        row.sort_by_key(|(c, _, _)| *c);
        xml.push_str("<w:tr>");
        for (_, cell, cont) in row.iter() {
            let merge = match (cell.rowspan > 1, cont) {
                (true, false) => "<w:vMerge w:val=\"restart\"/>",
                (true, true) => "<w:vMerge/>",
                _ => "",
            };
            let text = if *cont { String::from("<w:p/>") } else { w_para(&cell.text) };
            xml.push_str(&format!(
                "<w:tc><w:tcPr><w:gridSpan w:val=\"{}\"/>{merge}</w:tcPr>{text}</w:tc>",
                cell.colspan
            ));
        }
        xml.push_str("</w:tr>");
    }
    xml.push_str("</w:tbl>");
    xml
}

pub(crate) fn docx(parts: &[Part]) -> Vec<u8> {
    let mut body = String::new();
    for part in parts {
        match part {
            Part::Para(t) => body.push_str(&w_para(t)),
            Part::Table(rows) => body.push_str(&w_table(rows)),
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
    )
    .unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

pub(crate) fn html_page(parts: &[Part], with_date: bool) -> String {
    let mut body = String::new();
    for part in parts {
        match part {
            Part::Para(t) if !with_date && t.contains("2025年1月10日") => {}
            Part::Para(t) => body.push_str(&format!("<p style=\"text-indent:2em\">{}</p>\n", xml_escape(t))),
            Part::Table(rows) => {
                body.push_str("<table border=\"1\" cellspacing=\"0\"><tbody>\n");
                for row in rows {
                    body.push_str("<tr>");
                    for c in row {
                        body.push_str(&format!(
                            "<td colspan=\"{}\" rowspan=\"{}\"><p>{}</p></td>",
                            c.colspan,
                            c.rowspan,
                            xml_escape(&c.text)
                        ));
                    }
                    body.push_str("</tr>\n");
                }
                body.push_str("</tbody></table>\n");
            }
        }
    }
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="临朐县冶源街道办事处2024年政府信息公开工作年度报告">
<meta name="PubDate" content="2025-01-10 16:20">
<title>临朐县冶源街道办事处2024年政府信息公开工作年度报告_临朐县人民政府</title></head>
<body><div class="header"><nav><ul><li><a href="/">首页</a></li><li><a href="/xxgk/">政府信息公开</a></li>
<li><a href="/xxgk/nb/2023.html">临朐县冶源街道办事处2023年政府信息公开工作年度报告</a></li></ul></nav></div>
<div class="container"><div class="left"><table class="layout"><tr><td>
<div class="info">发布时间：2025-01-10 来源：冶源街道 浏览次数：128</div>
<div id="zoom" class="TRS_Editor">
{body}</div></td></tr></table></div>
<div class="share">分享到：微信 微博</div></div>
<footer><p>主办单位：临朐县人民政府办公室 地址：临朐县民主路 电话：0536-3111111</p><p>一、总体情况</p></footer>
</body></html>"#
    )
}
