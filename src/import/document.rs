//! The common intermediate every reader produces, and its assembly into a
//! report: title, publication date, signing body, narrative sections and
//! table grids, each with where it was read.

use std::fmt;

use super::markdown;
use super::words::{find_date, key, squash};
use super::{Finding, FindingKind};
use crate::format::Format;
use crate::model::{Contact, Date};

/// Where something was read in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loc {
    /// A line of a text file (1-based).
    Line(usize),
    /// A paragraph of a `.docx` or HTML body, in document order (1-based).
    Paragraph(usize),
    /// A row of a `.docx` or HTML table, both counted in document order (1-based).
    TableRow { table: usize, row: usize },
    /// The page's metadata (`<meta name="…">`, `<title>`, the page heading).
    Meta(&'static str),
    /// A labelled date printed on the page outside the report body (`发布时间：…`).
    PageText(&'static str),
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Line(n) => write!(f, "第 {n} 行"),
            Loc::Paragraph(n) => write!(f, "第 {n} 段"),
            Loc::TableRow { table, row } => write!(f, "第 {table} 个表格第 {row} 行"),
            Loc::Meta(name) => write!(f, "网页的 {name}"),
            Loc::PageText(label) => write!(f, "网页上正文以外的“{label}”"),
        }
    }
}

/// A paragraph of text.
#[derive(Debug, Clone)]
pub struct Para {
    pub text: String,
    pub loc: Loc,
}

/// A table as read: rows of cells, each with its source.
#[derive(Debug, Clone, Default)]
pub struct RawTable {
    pub rows: Vec<RawRow>,
    /// Cells sit at their real grid columns (merged cells resolved), as in a
    /// `.docx` or HTML table; otherwise (text) only their order is known.
    pub positional: bool,
}

#[derive(Debug, Clone)]
pub struct RawRow {
    pub cells: Vec<RawCell>,
    pub loc: Loc,
}

/// A cell: its text and, in a positional table, the grid columns it spans.
/// Cells covered by a merged cell above (rowspan, `w:vMerge`) are left out.
#[derive(Debug, Clone)]
pub struct RawCell {
    pub text: String,
    pub col: usize,
    pub span: usize,
}

/// A piece of a document, in order.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    Para(Para),
    Table(RawTable),
}

/// A file the report links to as its attachment (the original PDF, a spreadsheet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The link's text, or the file name when the link has none.
    pub name: String,
    /// The address as written in the page.
    pub href: String,
    pub loc: Loc,
}

/// Extensions of the files a report links to as its attachments.
const ATTACHMENT_EXTENSIONS: &[&str] =
    &["pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip", "rar", "7z", "txt", "csv"];

/// The file an address names (`/files/%E5%8E%9F%E4%BB%B6.pdf?v=2`: `原件.pdf`) when it is an
/// attachment's, by its extension; percent-decoded where that gives UTF-8.
pub(crate) fn attachment_file(href: &str) -> Option<String> {
    let path = href.trim().split(['?', '#']).next()?;
    let file = path.rsplit(['/', '\\']).next()?;
    let (_, ext) = file.rsplit_once('.')?;
    ATTACHMENT_EXTENSIONS
        .contains(&ext.to_ascii_lowercase().as_str())
        .then(|| String::from_utf8(crate::text::percent_decode(file)).unwrap_or_else(|_| file.to_owned()))
}

/// Whether a paragraph is a line of attachments only (`附件：原件.pdf`), `linked` being the
/// names of the attachments it links: such a line is read as its links, not as text.
pub(crate) fn attachments_only(text: &str, linked: &[String]) -> bool {
    if linked.is_empty() {
        return false;
    }
    let mut rest = text.to_owned();
    for name in linked {
        rest = rest.replacen(name.as_str(), "", 1);
    }
    rest.replace("附件", "").chars().all(|c| c.is_whitespace() || c.is_ascii_digit() || !c.is_alphanumeric())
}

/// What a reader found: the pieces of the report body in order, and what the
/// container says about it (an HTML page's metadata).
#[derive(Debug, Default)]
pub(crate) struct Source {
    pub pieces: Vec<Piece>,
    pub title: Option<Para>,
    pub date: Option<(Date, Loc)>,
    pub attachments: Vec<Attachment>,
}

/// One of the format's sections as found.
#[derive(Debug, Clone)]
pub struct SectionText {
    /// The heading to write, as Markdown: as printed (escaped) when it is an
    /// official title, else the official title.
    pub heading: String,
    /// Markdown paragraphs, text escaped (sub-headings already turned into `###`).
    pub paragraphs: Vec<String>,
}

/// A report assembled from a [`Source`].
#[derive(Debug, Default)]
pub struct Document {
    pub title: Option<Para>,
    pub date: Option<(Date, Loc)>,
    pub signed_by: Option<Para>,
    pub preamble: Vec<String>,
    /// Indexed by section number − 1.
    pub sections: Vec<Option<SectionText>>,
    /// Tables, each with the section it sits in.
    pub tables: Vec<(Option<u8>, RawTable)>,
    /// For each table, how many paragraphs of `preamble` come before it: a
    /// report without sections keeps its tables where they stood.
    pub table_places: Vec<usize>,
    /// Files the report links to as attachments, in order.
    pub attachments: Vec<Attachment>,
    pub contact: Contact,
    pub findings: Vec<Finding>,
}

/// Characters that end a sentence or a clause a paragraph may end with.
pub(crate) const TERMINAL: &[char] =
    &['。', '！', '？', '；', '：', '…', '”', '’', '）', '」', '』', '.', '!', '?', ';', ':', ')'];

const NUMERALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// `（一）主动公开`: a numbered sub-heading inside a section.
pub(crate) fn is_subheading(text: &str) -> bool {
    let t = squash(text);
    let Some(rest) = t.strip_prefix('（').or_else(|| t.strip_prefix('(')) else { return false };
    let digits = rest.chars().take_while(|c| NUMERALS.contains(c)).count();
    let after = rest.chars().nth(digits);
    digits > 0 && matches!(after, Some('）' | ')')) && t.chars().count() <= 50 && !t.contains(['。', '；', '！', '？'])
}

/// The section number of a heading written `三、……` (a Chinese numeral and `、`),
/// when the line is short enough to be one.
pub(crate) fn numbered_heading(text: &str) -> Option<u8> {
    let t = squash(text);
    let (numeral, _) = t.split_once('、')?;
    let n = NUMERALS.iter().position(|c| numeral == c.to_string())?;
    (t.chars().count() <= 40 && !t.contains(['。', '；'])).then(|| u8::try_from(n + 1).ok()).flatten()
}

/// The official section a line is the heading of: `(number, exact)`.
pub(crate) fn section_heading(format: &Format, text: &str) -> Option<(u8, bool)> {
    let k = key(text);
    if k.is_empty() {
        return None;
    }
    if let Some(s) = format.sections.iter().find(|s| key(s.title) == k || s.long_title.is_some_and(|l| key(l) == k)) {
        return Some((s.number, true));
    }
    numbered_heading(text).filter(|n| usize::from(*n) <= format.sections.len()).map(|n| (n, false))
}

/// Whether a line is a report title.
pub(crate) fn is_title(text: &str) -> bool {
    let k = key(text);
    k.contains("年度报告") && (k.contains("政府信息公开") || k.contains("政务公开")) && k.chars().count() <= 80
}

/// Assembles a report from what a reader found.
pub(crate) fn assemble(format: &'static Format, source: Source) -> Document {
    let mut doc = Document {
        sections: vec![None; format.sections.len()],
        attachments: source.attachments,
        ..Document::default()
    };
    let mut paras: Vec<(Option<u8>, Para)> = Vec::new();
    // For each table, how many paragraphs were read before it.
    let mut after: Vec<usize> = Vec::new();
    let mut title = source.title;
    let mut current: Option<u8> = None;
    for piece in source.pieces {
        match piece {
            Piece::Table(t) => {
                after.push(paras.len());
                doc.tables.push((current, t));
            }
            Piece::Para(p) => {
                let text = squash(&p.text);
                if text.is_empty() {
                    continue;
                }
                let p = Para { text, loc: p.loc };
                // The title: the first paragraph, before any section.
                if current.is_none() && paras.is_empty() && is_title(&p.text) {
                    if title.as_ref().is_none_or(|t| key(&t.text) == key(&p.text)) {
                        title = Some(p);
                    }
                    continue;
                }
                match section_heading(format, &p.text) {
                    Some((n, exact)) if current.is_none_or(|c| n > c) => {
                        let section = &format.sections[usize::from(n) - 1];
                        if !exact {
                            doc.findings.push(Finding::new(
                                Some(p.loc),
                                FindingKind::Approximate,
                                format!("标题“{}”不是官方表述，按第{}部分“{}”读取", p.text, n, section.title),
                            ));
                        }
                        let heading = if exact { markdown::text(&p.text) } else { section.title.to_owned() };
                        doc.sections[usize::from(n) - 1] = Some(SectionText { heading, paragraphs: Vec::new() });
                        current = Some(n);
                    }
                    _ => paras.push((current, p)),
                }
            }
        }
    }
    doc.title = title;
    // The signature block: the publication date last, the signing body before it.
    if let Some((_, last)) = paras.last()
        && let Some((date, range)) = find_date(&last.text)
        && last.text.chars().count() <= 30
    {
        let loc = last.loc;
        let before = squash(&last.text[..range.start]);
        paras.pop();
        doc.date = Some((date, loc));
        if !before.is_empty() {
            doc.signed_by = Some(Para { text: before, loc });
        } else if let Some((_, p)) = paras.last()
            && p.text.chars().count() <= 40
            && !p.text.contains(['。', '，', '；', '：'])
        {
            doc.signed_by = paras.pop().map(|(_, p)| p);
        }
    }
    // No date: a last line that can only be a name is still the signature.
    if doc.date.is_none()
        && let Some((_, last)) = paras.last()
        && last.text.chars().count() <= 30
        && !last.text.contains(['。', '，', '；', '：', '、', ',', '.'])
        && !is_subheading(&last.text)
    {
        doc.signed_by = paras.pop().map(|(_, p)| p);
    }
    if doc.date.is_none() {
        doc.date = source.date;
        if let Some((date, loc)) = doc.date {
            doc.findings.push(Finding::new(
                Some(loc),
                FindingKind::Inferred,
                format!("正文末尾没有落款日期：发布日期 {date} 取自{loc}"),
            ));
        }
    }
    // Paragraphs of the preamble before each read paragraph, to place the tables among them.
    let mut preamble_before = Vec::with_capacity(paras.len() + 1);
    let mut count = 0;
    for (section, _) in &paras {
        preamble_before.push(count);
        if section.and_then(|n| doc.sections.get(usize::from(n) - 1)).is_none_or(Option::is_none) {
            count += 1;
        }
    }
    preamble_before.push(count);
    doc.table_places = after.iter().map(|&i| preamble_before.get(i).copied().unwrap_or(count)).collect();
    for (section, p) in paras {
        let markdown =
            if is_subheading(&p.text) { format!("### {}", markdown::text(&p.text)) } else { markdown::text(&p.text) };
        match section.and_then(|n| doc.sections.get_mut(usize::from(n) - 1)).and_then(Option::as_mut) {
            Some(s) => s.paragraphs.push(markdown),
            None => {
                if doc.contact == Contact::default() {
                    doc.contact = contact(&p.text);
                }
                doc.preamble.push(markdown);
            }
        }
    }
    doc
}

/// Contact details in the usual closing sentence of the opening paragraph:
/// `如对本年度报告有疑问，请与……联系（地址：……，邮编：……，电话：……，传真：……，电子邮箱：……）`.
pub(crate) fn contact(text: &str) -> Contact {
    let folded: String = text.chars().map(|c| if c == '：' { ':' } else { c }).collect();
    let field = |labels: &[&str]| -> Option<String> {
        labels.iter().find_map(|label| {
            let at = folded.find(&format!("{label}:"))? + label.len() + 1;
            let rest = &folded[at..];
            let end = rest.find(['，', ',', '；', ';', '）', ')', '。', '（', '(']).unwrap_or(rest.len());
            let value = rest[..end].trim();
            (!value.is_empty() && value.chars().count() <= 60).then(|| value.to_owned())
        })
    };
    let office = folded.rfind("请与").and_then(|at| {
        let rest = &folded[at + "请与".len()..];
        let end = rest.find("联系")?;
        let name = rest[..end].trim();
        (!name.is_empty() && name.chars().count() <= 30 && !name.contains(['，', ','])).then(|| name.to_owned())
    });
    Contact {
        office,
        address: field(&["通讯地址", "联系地址", "地址"]),
        postcode: field(&["邮政编码", "邮编"]),
        phone: field(&["联系电话", "咨询电话", "电话"]),
        fax: field(&["传真"]),
        email: field(&["电子邮箱", "电子信箱", "邮箱", "E-mail", "Email"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;

    #[test]
    fn headings() {
        assert_eq!(
            section_heading(&FORMAT_2021, "四、因政府信息公开工作被申请行政复议、提起行政诉讼 情况"),
            Some((4, true))
        );
        assert_eq!(section_heading(&FORMAT_2021, "一、总体概况"), Some((1, false)));
        assert_eq!(section_heading(&FORMAT_2021, "一、本年度共收到申请6件。"), None);
        assert!(is_subheading("（一）主动公开"));
        assert!(is_subheading("(三) 政府信息管理"));
        assert!(!is_subheading("（一）主动公开。本年度共公开信息1259条。"));
    }

    #[test]
    fn contact_details() {
        let c = contact(
            "如对本年度报告有疑问，请与冶源街道办事处党政办公室联系（地址：潍坊市临朐县浮山路8号，邮编：262605，电话：0536-3631123，传真：0536-3631224，电子邮箱：lqxyyz@wf.shandong.cn）。",
        );
        assert_eq!(c.office.as_deref(), Some("冶源街道办事处党政办公室"));
        assert_eq!(c.address.as_deref(), Some("潍坊市临朐县浮山路8号"));
        assert_eq!(c.postcode.as_deref(), Some("262605"));
        assert_eq!(c.phone.as_deref(), Some("0536-3631123"));
        assert_eq!(c.fax.as_deref(), Some("0536-3631224"));
        assert_eq!(c.email.as_deref(), Some("lqxyyz@wf.shandong.cn"));
    }
}
