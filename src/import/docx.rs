//! `.docx`: a zip of XML. The body of `word/document.xml` is read in order:
//! paragraphs, and tables with their real cell structure (`w:gridSpan`,
//! `w:vMerge`, `w:gridBefore`). Attachments are the hyperlinks to files
//! (`w:hyperlink`, whose address is in `word/_rels/document.xml.rels`) and
//! the embedded objects (`o:OLEObject`: a spreadsheet pasted in as an icon).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::document::{
    Attachment, Loc, Para, Piece, RawCell, RawRow, RawTable, Source, attachment_file, attachments_only,
};
use super::words::squash;

/// `word/document.xml` larger than this is refused (a zip bomb, not a report).
const MAX_XML: u64 = 64 * 1024 * 1024;

/// Reads a `.docx` file's bytes; the error says why in Chinese.
pub(super) fn read(bytes: &[u8]) -> Result<Source, String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("不是有效的 .docx 文件（zip 结构有误：{e}）"))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| "文件中没有 word/document.xml：不是 Word 文档".to_owned())?
        .take(MAX_XML)
        .read_to_string(&mut xml)
        .map_err(|e| format!("无法读取 word/document.xml：{e}"))?;
    // Without relationships (a minimal file) there are no links to resolve.
    let mut rels = String::new();
    if let Ok(file) = zip.by_name("word/_rels/document.xml.rels") {
        file.take(MAX_XML)
            .read_to_string(&mut rels)
            .map_err(|e| format!("无法读取 word/_rels/document.xml.rels：{e}"))?;
    }
    parse(&xml, &relationships(&rels)?)
}

/// Relationship id → target (an address, or a part of the package such as `embeddings/x.xlsx`).
type Relationships = HashMap<String, String>;

fn relationships(xml: &str) -> Result<Relationships, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = HashMap::new();
    loop {
        match reader.read_event().map_err(|e| format!("word/_rels/document.xml.rels 不是有效的 XML：{e}"))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    out.insert(id, target);
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok().flatten()?;
    let raw = String::from_utf8_lossy(&a.value);
    Some(quick_xml::escape::unescape(&raw).map_or_else(|_| raw.to_string(), |v| v.into_owned()))
}

#[derive(Default)]
struct CellBuilder {
    text: String,
    span: usize,
    /// Covered by the merged cell above (`<w:vMerge/>` without `restart`).
    covered: bool,
}

#[derive(Default)]
struct TableBuilder {
    rows: Vec<Vec<RawCell>>,
    row: Option<(Vec<RawCell>, usize)>,
    cell: Option<CellBuilder>,
    /// A nested table inside a cell covered by a merged cell: its text is left out.
    within_covered: bool,
}

fn val(e: &BytesStart<'_>) -> Option<String> {
    attr(e, "w:val")
}

/// Parses `word/document.xml`, its links resolved by `rels`.
fn parse(xml: &str, rels: &Relationships) -> Result<Source, String> {
    let mut reader = Reader::from_str(xml);
    let mut pieces = Vec::new();
    let mut attachments: Vec<Attachment> = Vec::new();
    // The hyperlink being read, when it leads to a file: its address and where its text starts.
    let mut link: Option<(String, usize)> = None;
    // The names of the attachments the paragraph being read links.
    let mut linked: Vec<String> = Vec::new();
    let mut tables: Vec<TableBuilder> = Vec::new();
    let mut para: Option<String> = None;
    let mut in_text = false;
    let (mut paragraphs, mut table_count) = (0usize, 0usize);
    loop {
        let event = reader.read_event().map_err(|e| format!("word/document.xml 不是有效的 XML：{e}"))?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"w:p" if !empty => para = Some(String::new()),
                b"w:t" if !empty => in_text = true,
                b"w:tab" | b"w:br" | b"w:cr" => {
                    if let Some(p) = para.as_mut() {
                        p.push(' ');
                    }
                }
                b"w:tbl" if !empty => {
                    let within_covered = tables.len() > 1
                        && tables
                            .last()
                            .is_some_and(|t| t.within_covered || t.cell.as_ref().is_some_and(|c| c.covered));
                    tables.push(TableBuilder { within_covered, ..TableBuilder::default() });
                }
                b"w:tr" if !empty => {
                    if let Some(t) = tables.last_mut() {
                        t.row = Some((Vec::new(), 0));
                    }
                }
                b"w:gridBefore" => {
                    let n: usize = val(&e).and_then(|v| v.parse().ok()).unwrap_or(0);
                    if let Some((_, col)) = tables.last_mut().and_then(|t| t.row.as_mut()) {
                        *col += n.min(64);
                    }
                }
                b"w:tc" if !empty => {
                    if let Some(t) = tables.last_mut() {
                        t.cell = Some(CellBuilder { span: 1, ..CellBuilder::default() });
                    }
                }
                b"w:gridSpan" => {
                    if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        c.span = val(&e).and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, 64);
                    }
                }
                b"w:hyperlink" if !empty => {
                    link = attr(&e, "r:id")
                        .and_then(|id| rels.get(&id))
                        .filter(|target| attachment_file(target).is_some())
                        .map(|target| (target.clone(), para.as_ref().map_or(0, String::len)));
                }
                b"o:OLEObject" => {
                    if let Some(target) = attr(&e, "r:id").and_then(|id| rels.get(&id)) {
                        let name = target.rsplit('/').next().unwrap_or(target).to_owned();
                        let href = format!("word/{}", target.trim_start_matches('/'));
                        add(&mut attachments, Attachment { name, href, loc: here(&tables, table_count, paragraphs) });
                    }
                }
                b"w:vMerge" => {
                    if let Some(c) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        c.covered = val(&e).is_none_or(|v| v != "restart");
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                let text = t.xml10_content().map_err(|e| format!("word/document.xml 编码有误：{e}"))?;
                if let Some(p) = para.as_mut() {
                    p.push_str(&text);
                }
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().map_err(|e| format!("word/document.xml 编码有误：{e}"))?;
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => quick_xml::escape::resolve_predefined_entity(&name).and_then(|s| s.chars().next()),
                };
                if let (Some(p), Some(c)) = (para.as_mut(), c) {
                    p.push(c);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:hyperlink" => {
                    if let Some((href, start)) = link.take() {
                        let text = para.as_ref().and_then(|p| p.get(start..)).map(squash).unwrap_or_default();
                        let name = if text.is_empty() { attachment_file(&href).unwrap_or_default() } else { text };
                        linked.push(name.clone());
                        add(&mut attachments, Attachment { name, href, loc: here(&tables, table_count, paragraphs) });
                    }
                }
                b"w:p" => {
                    let text = para.take().unwrap_or_default();
                    // A line of attachments only (`附件：原件.pdf`) is read as its links.
                    let links = std::mem::take(&mut linked);
                    if !links.is_empty() && attachments_only(&squash(&text), &links) {
                        continue;
                    }
                    // A nested table's text belongs to the outermost cell, in
                    // document order: written there at once, it is never copied
                    // level by level (a table may nest thousands deep).
                    let hidden = tables.len() > 1
                        && tables
                            .last()
                            .is_some_and(|t| t.within_covered || t.cell.as_ref().is_some_and(|c| c.covered));
                    if hidden {
                        continue;
                    }
                    match tables.first_mut().and_then(|t| t.cell.as_mut()) {
                        Some(cell) => {
                            if !cell.text.is_empty() {
                                cell.text.push(' ');
                            }
                            cell.text.push_str(&text);
                        }
                        None => {
                            paragraphs += 1;
                            pieces.push(Piece::Para(Para { text, loc: Loc::Paragraph(paragraphs) }));
                        }
                    }
                }
                b"w:tc" => {
                    if let Some(t) = tables.last_mut()
                        && let (Some(cell), Some((cells, col))) = (t.cell.take(), t.row.as_mut())
                    {
                        if !cell.covered {
                            cells.push(RawCell { text: squash(&cell.text), col: *col, span: cell.span });
                        }
                        *col += cell.span;
                    }
                }
                b"w:tr" => {
                    if let Some(t) = tables.last_mut()
                        && let Some((cells, _)) = t.row.take()
                    {
                        t.rows.push(cells);
                    }
                }
                b"w:tbl" => {
                    let Some(done) = tables.pop() else { continue };
                    // A table inside a cell: its text is in the outermost cell already.
                    if !tables.is_empty() {
                        continue;
                    }
                    table_count += 1;
                    let rows = done
                        .rows
                        .into_iter()
                        .enumerate()
                        .map(|(i, cells)| RawRow { cells, loc: Loc::TableRow { table: table_count, row: i + 1 } })
                        .collect();
                    pieces.push(Piece::Table(RawTable { rows, positional: true }));
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(Source { pieces, attachments, ..Source::default() })
}

/// Records an attachment, once per address.
fn add(attachments: &mut Vec<Attachment>, found: Attachment) {
    if !attachments.iter().any(|a| a.href == found.href) {
        attachments.push(found);
    }
}

/// Where the reader is: the row of the outermost table, or the next paragraph of the body.
fn here(tables: &[TableBuilder], table_count: usize, paragraphs: usize) -> Loc {
    match tables.first() {
        Some(t) => Loc::TableRow { table: table_count + 1, row: t.rows.len() + 1 },
        None => Loc::Paragraph(paragraphs + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_cells_keep_their_columns() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:r><w:t>标题 &amp; 说明</w:t></w:r></w:p>
            <w:tbl>
              <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc>
                    <w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr>
              <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge/></w:tcPr><w:p/></w:tc>
                    <w:tc><w:p><w:r><w:t>6</w:t></w:r></w:p></w:tc></w:tr>
            </w:tbl></w:body></w:document>"#;
        let source = parse(xml, &Relationships::new()).unwrap();
        let Piece::Para(p) = &source.pieces[0] else { panic!() };
        assert_eq!(p.text, "标题 & 说明");
        let Piece::Table(t) = &source.pieces[1] else { panic!() };
        assert_eq!(t.rows[0].cells.iter().map(|c| (c.col, c.span)).collect::<Vec<_>>(), [(0, 2), (2, 1)]);
        assert_eq!(t.rows[1].cells.len(), 1);
        assert_eq!((t.rows[1].cells[0].col, t.rows[1].cells[0].text.as_str()), (2, "6"));
        assert_eq!(t.rows[1].loc, Loc::TableRow { table: 1, row: 2 });
    }

    #[test]
    fn a_nested_table_is_text_of_its_outer_cell() {
        let cell = |text: &str| format!("<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>");
        let covered = "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>盖</w:t></w:r></w:p></w:tc>";
        let inner = format!("<w:tbl><w:tr>{}{}</w:tr><w:tr>{covered}</w:tr></w:tbl>", cell("乙"), cell("丙"));
        let xml = format!(
            "<w:document><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p>{inner}<w:p><w:r><w:t>丁 x</w:t></w:r></w:p></w:tc>{}</w:tr></w:tbl></w:body></w:document>",
            cell("6")
        );
        let source = parse(&xml, &Relationships::new()).unwrap();
        let [Piece::Table(t)] = &source.pieces[..] else { panic!("{:?}", source.pieces) };
        let texts: Vec<&str> = t.rows[0].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["甲乙丙丁 x", "6"]);
    }

    /// Tables nested `depth` deep, each cell with some text before the next table.
    fn nested_tables(depth: usize) -> String {
        let mut xml = String::from("<w:document><w:body>");
        for _ in 0..depth {
            xml.push_str("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>字</w:t></w:r></w:p>");
        }
        for _ in 0..depth {
            xml.push_str("</w:tc></w:tr></w:tbl>");
        }
        xml.push_str("</w:body></w:document>");
        xml
    }

    #[test]
    fn deeply_nested_tables_are_read_without_recursion() {
        let depth = 100_000;
        let xml = nested_tables(depth);
        // A small stack: any recursion per level would overflow it.
        let source = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&xml, &Relationships::new()))
            .unwrap()
            .join()
            .expect("no stack overflow")
            .unwrap();
        let [Piece::Table(t)] = &source.pieces[..] else { panic!("one table") };
        assert_eq!(t.rows[0].cells[0].text.chars().count(), depth);
    }

    #[test]
    fn links_to_files_and_embedded_objects_are_attachments() {
        let rels = relationships(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId5" Type="…/hyperlink" Target="http://www.example.gov.cn/files/%E5%8E%9F%E4%BB%B6.pdf" TargetMode="External"/>
            <Relationship Id="rId6" Type="…/hyperlink" Target="http://www.example.gov.cn/xxgk/" TargetMode="External"/>
            <Relationship Id="rId7" Type="…/oleObject" Target="embeddings/Microsoft_Excel_Worksheet1.xlsx"/>
            </Relationships>"#,
        )
        .unwrap();
        let xml = r#"<w:document><w:body>
            <w:p><w:r><w:t>全年主动公开信息126条。</w:t></w:r></w:p>
            <w:p><w:r><w:t>详见</w:t></w:r><w:hyperlink r:id="rId6"><w:r><w:t>公开目录</w:t></w:r></w:hyperlink><w:r><w:t>。</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:object><o:OLEObject ProgID="Excel.Sheet.12" r:id="rId7"/></w:object></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t>附件：</w:t></w:r><w:hyperlink r:id="rId5"><w:r><w:t>原件</w:t></w:r></w:hyperlink></w:p>
            <w:p><w:hyperlink r:id="rId5"><w:r><w:t>原件</w:t></w:r></w:hyperlink><w:r><w:t>为准。</w:t></w:r></w:p>
            </w:body></w:document>"#;
        let source = parse(xml, &rels).unwrap();
        let found: Vec<(&str, &str, Loc)> =
            source.attachments.iter().map(|a| (a.name.as_str(), a.href.as_str(), a.loc)).collect();
        assert_eq!(
            found,
            [
                (
                    "Microsoft_Excel_Worksheet1.xlsx",
                    "word/embeddings/Microsoft_Excel_Worksheet1.xlsx",
                    Loc::TableRow { table: 1, row: 1 }
                ),
                ("原件", "http://www.example.gov.cn/files/%E5%8E%9F%E4%BB%B6.pdf", Loc::Paragraph(3)),
            ]
        );
        // The line of the attachment alone is not text; a sentence that links it is, once.
        let texts: Vec<&str> = source
            .pieces
            .iter()
            .filter_map(|p| if let Piece::Para(p) = p { Some(p.text.as_str()) } else { None })
            .collect();
        assert_eq!(texts, ["全年主动公开信息126条。", "详见公开目录。", "原件为准。"]);
    }

    #[test]
    fn broken_files_are_errors() {
        assert!(read(b"not a zip").is_err());
        assert!(parse("<w:document><w:body><w:p></w:tbl>", &Relationships::new()).is_err());
    }
}
