//! The sample report as a `.docx` and as an HTML page with the official
//! table layout (merged header cells), for the import tests and the Wine
//! test. Included with `#[path]`, so that other tests do not compile it.

// Each test uses what it needs of these.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::Path;

use portal::format::{Block, Header, depth, leaf_count};

use super::common::REPO;

/// A cell of a table as laid out: HTML's view (spans), converted for Word.
#[derive(Clone)]
pub(crate) struct TCell {
    text: String,
    colspan: usize,
    rowspan: usize,
}

/// A cell's text.
pub(crate) fn text(cell: &TCell) -> &str {
    &cell.text
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

/// A report of the sample.
fn sample_report(slug: &str, year: u16) -> std::sync::Arc<portal::model::Report> {
    let loaded = portal::load::load(Path::new(REPO));
    let sample = loaded.site.expect("the sample loads");
    let agency = sample.agencies.iter().find(|a| a.slug == slug).expect("a sample agency");
    agency.reports.iter().find(|r| r.year == year).expect("a sample report").clone()
}

/// The official tables of a report of the sample, in its format, as laid-out rows.
fn official_tables(report: &portal::model::Report) -> Vec<(u8, Vec<Vec<TCell>>)> {
    let mut out = Vec::new();
    for (t, table) in report.format.format().tables_ix() {
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

/// The sample's 2024 report as published, without its date line.
pub(crate) fn sample_parts() -> Vec<Part> {
    let mut parts = report_parts("linqu-yeyuan", 2024);
    parts.pop();
    parts
}

/// A report of the sample as its office would print it: title, paragraphs,
/// each official table after its section's heading and its own Markdown
/// tables where they stand, then the signature and the date.
pub(crate) fn report_parts(slug: &str, year: u16) -> Vec<Part> {
    let report = sample_report(slug, year);
    let md = fs::read_to_string(Path::new(REPO).join(format!("content/{slug}/{year}/report.md"))).unwrap();
    let body = md.splitn(3, "+++\n").nth(2).unwrap();
    let mut tables = official_tables(&report);
    let mut parts = vec![Part::Para(report.title.clone())];
    let mut own: Vec<Vec<TCell>> = Vec::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(row) = line.trim().strip_prefix('|') {
            if !row.starts_with("---") {
                own.push(row.trim_end_matches('|').split('|').map(|c| tc(c.trim(), 1, 1)).collect());
            }
            continue;
        }
        if !own.is_empty() {
            parts.push(Part::Table(std::mem::take(&mut own)));
        }
        let text = line.trim_start_matches('#').trim();
        parts.push(Part::Para(text.to_owned()));
        if line.starts_with("## ")
            && let Some(section) = report.format.format().section_by_title(text)
            && let Some(i) = tables.iter().position(|(s, _)| *s == section.number)
        {
            parts.push(Part::Table(tables.remove(i).1));
        }
    }
    if !own.is_empty() {
        parts.push(Part::Table(own));
    }
    parts.push(Part::Para(report.signed_by.clone()));
    let d = report.date;
    parts.push(Part::Para(format!("{}年{}月{}日", d.year, d.month, d.day)));
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
    docx_linking(parts, None)
}

/// [`docx`], ending with a line `附件：NAME` whose NAME links to `href` (a hyperlink resolved
/// through `word/_rels/document.xml.rels`, as Word writes it).
pub(crate) fn docx_linking(parts: &[Part], attachment: Option<(&str, &str)>) -> Vec<u8> {
    let mut body = String::new();
    for part in parts {
        match part {
            Part::Para(t) => body.push_str(&w_para(t)),
            Part::Table(rows) => body.push_str(&w_table(rows)),
        }
    }
    if let Some((name, _)) = attachment {
        body.push_str(&format!(
            "<w:p><w:r><w:t>附件：</w:t></w:r><w:hyperlink r:id=\"rId1\"><w:r><w:t>{}</w:t></w:r></w:hyperlink></w:p>",
            xml_escape(name)
        ));
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}</w:body></w:document>"
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
    if let Some((_, href)) = attachment {
        zip.start_file("word/_rels/document.xml.rels", options).unwrap();
        zip.write_all(
            format!(
                "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" \
                 Target=\"{}\" TargetMode=\"External\"/></Relationships>",
                xml_escape(href)
            )
            .as_bytes(),
        )
        .unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub(crate) fn html_page(parts: &[Part], with_date: bool) -> String {
    let left_out = (!with_date).then_some("2025年1月10日");
    page_of(parts, "临朐县冶源街道办事处2024年政府信息公开工作年度报告", "2025-01-10 16:20", left_out, "")
}

/// A report as a county portal (TRS) publishes it: navigation, a header with
/// the publication date, the body, `after` (an attachments line, say), a share
/// bar and a footer that repeats a section title. A paragraph holding
/// `left_out` is not printed.
pub(crate) fn page_of(parts: &[Part], title: &str, pub_date: &str, left_out: Option<&str>, after: &str) -> String {
    let mut body = String::new();
    for part in parts {
        match part {
            Part::Para(t) if left_out.is_some_and(|l| t.contains(l)) => {}
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
    let title = xml_escape(title);
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{pub_date}">
<title>{title}_临朐县人民政府</title></head>
<body><div class="header"><nav><ul><li><a href="/">首页</a></li><li><a href="/xxgk/">政府信息公开</a></li>
<li><a href="/xxgk/nb/2023.html">临朐县冶源街道办事处2023年政府信息公开工作年度报告</a></li></ul></nav></div>
<div class="container"><div class="left"><table class="layout"><tr><td>
<div class="info">发布时间：{pub_date} 来源：冶源街道 浏览次数：128</div>
<div id="zoom" class="TRS_Editor">
{body}{after}</div></td></tr></table></div>
<div class="share">分享到：微信 微博</div></div>
<footer><p>主办单位：临朐县人民政府办公室 地址：临朐县民主路 电话：0536-3111111</p><p>一、总体情况</p></footer>
</body></html>"#
    )
}

/// The parts as plain text, as copied out of a Word file or a PDF: one line
/// per paragraph, a table's cells separated by tabs.
pub(crate) fn text_of_parts(parts: &[Part]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Para(t) => out.push_str(&format!("{t}\n")),
            Part::Table(rows) => {
                for row in rows {
                    // A merged cell is its text and then empty cells, as a PDF's text copies it.
                    let cells: Vec<&str> = row
                        .iter()
                        .flat_map(|c| std::iter::once(c.text.as_str()).chain(std::iter::repeat_n("", c.colspan - 1)))
                        .collect();
                    out.push_str(&format!("{}\n", cells.join("\t")));
                }
            }
        }
    }
    out
}
