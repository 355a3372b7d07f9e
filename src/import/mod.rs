//! `portal import`: reports already published (plain text, `.docx`, a saved
//! HTML page) brought into `content/`.
//!
//! Three readers ([`text`], [`docx`], [`html`]) each produce the same
//! intermediate ([`document::Source`]: paragraphs and table grids, every piece
//! with where it was read); [`document::assemble`] finds the title, sections,
//! signature and date; [`tables`] maps the grids to the format's tables by
//! walking its header trees. What is written goes through the same writers as
//! `portal new` ([`crate::author`]); the caller then runs `portal check`.
//!
//! Nothing is guessed silently: every cell not read, section not found, label
//! matched only approximately and value inferred is a [`Finding`] with the
//! place in the input.

pub(crate) mod document;
mod docx;
mod html;
mod markdown;
pub(crate) mod tables;
mod text;
pub(crate) mod words;

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use self::document::{Document, Loc, Source};
use self::tables::Read;
use self::words::{key, squash, title_year};
use crate::author::{self, Remark, ScaffoldError};
use crate::format::{FORMAT_2021, Format, FormatId};
use crate::layout::source;
use crate::load;
use crate::model::{Date, Site};
use crate::text::{Reason, native};

/// Why a file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The site root has no `site.toml`.
    #[error("{} 中没有 site.toml：请在站点根目录运行，或用 --root 指定站点，或先用 portal init 创建站点", root.display())]
    NotASite {
        /// The directory taken as the site root.
        root: PathBuf,
    },
    /// An input file or folder could not be read.
    #[error("无法读取：{}", Reason(.0))]
    Io(#[source] std::io::Error),
    /// The text is neither UTF-8 nor in the legacy encoding tried; holds the message.
    #[error("{0}")]
    Encoding(String),
    /// A file type the importer cannot read (`.doc`, PDF, …); holds what to do instead.
    #[error("不支持的文件类型：{0}")]
    Unsupported(&'static str),
    /// A `.docx` that could not be unpacked or parsed; holds the reader's message.
    #[error("{0}")]
    Docx(String),
    /// Nothing in the file looks like a part of an annual report; holds why.
    #[error("不是政府信息公开工作年度报告：{0}")]
    NotAReport(&'static str),
    /// Neither the title nor a signature date gives the reporting year.
    #[error("无法确定报告年度：标题中没有“××××年”，也没有落款日期；请用 --year 指定，例如 --year 2024")]
    NoYear,
    /// `--year` is not a four-digit year; holds it as given.
    #[error("“{0}”不是年份：请写四位数字的报告年度，例如 2024")]
    BadYear(String),
    /// The agency could not be determined; holds why.
    #[error("无法确定机构：{0}；请用 --agency 指定机构文件夹名，例如 --agency linqu-yeyuan")]
    NoAgency(String),
    /// The agency the report names already has a folder other than the `--agency` given.
    #[error("机构“{name}”已在 content/{other}/ 中：请用 --agency {other}，同一机构只能有一个文件夹")]
    DuplicateName {
        /// The agency's full name.
        name: String,
        /// The folder it already has.
        other: String,
    },
    /// An earlier file of this run was imported as the same agency and year.
    #[error("{} 本次已从 {} 导入，这个文件未导入", native(&format!("content/{slug}/{year}/")), first.display())]
    AlreadyImported {
        /// The agency folder.
        slug: String,
        /// The reporting year.
        year: u16,
        /// The file imported there first.
        first: PathBuf,
    },
    /// An HTML page whose elements nest deeper than a browser shows.
    #[error(
        "网页第 {line} 行处的元素已嵌套 {depth} 层，超过上限 {limit} 层：浏览器也不会按原样显示这样的网页，不像是保存下来的年度报告，没有导入；请检查文件是否完整，或把正文复制到 .txt 文件（UTF-8）再导入"
    )]
    TooDeep {
        /// The line of the page where the limit was passed.
        line: u64,
        /// How many elements were open there.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// `--year` given with several files or a folder.
    #[error("--year 只能与一个文件一起使用：多个文件的年度各从其标题推断")]
    YearWithManyFiles,
    /// Writing the sources failed: a file exists without `--force`, a bad folder name, I/O.
    #[error("{0}")]
    Scaffold(#[from] ScaffoldError),
}

/// How sure the importer is of something it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    /// A cell that could not be read: not written as a number.
    Unread,
    /// A section, row or table not found in the input.
    Missing,
    /// A label or heading matched to the official one only approximately.
    Approximate,
    /// A value taken from elsewhere than where it belongs (metadata, a rule).
    Inferred,
}

impl FindingKind {
    /// The tag `portal import` prints before a finding, e.g. `未读取`.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Unread => "未读取",
            FindingKind::Missing => "未找到",
            FindingKind::Approximate => "近似对应",
            FindingKind::Inferred => "推断",
        }
    }
}

/// Something the user must know about an import, with its place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where in the input; `None` for the document as a whole.
    pub loc: Option<Loc>,
    /// Unread, missing, approximate or inferred.
    pub kind: FindingKind,
    /// What the user should know, in Chinese.
    pub message: String,
}

impl Finding {
    pub(crate) fn new(loc: Option<Loc>, kind: FindingKind, message: String) -> Self {
        Self { loc, kind, message }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.loc {
            Some(loc) => write!(f, "{loc}：{}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A report read from a file, before anything is written.
#[derive(Debug)]
pub struct Reading {
    /// The report's text: title, sections, date, signature, contact and raw tables.
    pub document: Document,
    /// The figures read from the document's tables.
    pub read: Read,
    /// The format the report was recognised as (by the labels only it has).
    pub format: FormatId,
}

/// The kinds of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text (`.txt`, or a file without an extension that is not HTML or `.docx`).
    Text,
    /// A Word document (`.docx`).
    Docx,
    /// A saved web page (`.html`, `.htm`, …).
    Html,
}

/// The kind of a file, by extension (then by content when it has none).
pub(crate) fn kind(path: &Path, bytes: &[u8]) -> Result<Kind, ImportError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" => Ok(Kind::Text),
        "docx" => Ok(Kind::Docx),
        "html" | "htm" | "shtml" | "xhtml" => Ok(Kind::Html),
        "doc" | "wps" => {
            Err(ImportError::Unsupported("旧版 Word 文件（.doc/.wps）：请在 Word 或 WPS 中另存为 .docx 再导入"))
        }
        "pdf" => Err(ImportError::Unsupported("PDF：请复制其中的文字另存为 .txt（UTF-8）再导入")),
        "" if bytes.starts_with(b"PK") => Ok(Kind::Docx),
        "" if String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase().contains("<html") => {
            Ok(Kind::Html)
        }
        "" => Ok(Kind::Text),
        _ => Err(ImportError::Unsupported("只能导入 .txt、.docx 和 .html 文件")),
    }
}

/// Reads a report from a file's bytes. Never panics on any input.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Reading, ImportError> {
    // The readers find the body by the sections' titles, the same in every format with them.
    let format = &FORMAT_2021;
    let kind = kind(path, bytes)?;
    let (source, legacy) = match kind {
        Kind::Text => {
            let (text, legacy) = decode(bytes, None)?;
            (text::read(format, &text), legacy)
        }
        Kind::Html => {
            let (text, legacy) = decode(bytes, declared_charset(bytes))?;
            (html::read(format, &text)?, legacy)
        }
        Kind::Docx => (docx::read(bytes).map_err(ImportError::Docx)?, None),
    };
    let mut reading = reading(recognise(&source), source)?;
    if let Some(encoding) = legacy {
        reading.document.findings.insert(
            0,
            Finding::new(None, FindingKind::Inferred, format!("文件是 {encoding} 编码，已转换为 UTF-8 导入")),
        );
    }
    Ok(reading)
}

/// The file's text. Old portals and Windows editors save GBK (GB2312, GB18030)
/// and UTF-16: converting them is the importer's job, unlike `portal check`,
/// which asks for UTF-8 sources. Returns the legacy encoding's name when one
/// was used.
fn decode(
    bytes: &[u8],
    declared: Option<&'static encoding_rs::Encoding>,
) -> Result<(String, Option<String>), ImportError> {
    if let Ok(text) = crate::text::decode(bytes.to_vec()) {
        return Ok((text, None));
    }
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, len)) => (encoding, len),
        None => (declared.filter(|e| *e != encoding_rs::UTF_8).unwrap_or(encoding_rs::GB18030), 0),
    };
    encoding
        .decode_without_bom_handling_and_without_replacement(&bytes[bom_len..])
        .map(|text| (text.into_owned(), Some(encoding.name().to_ascii_uppercase())))
        .ok_or_else(|| ImportError::Encoding(format!("文件既不是 UTF-8，也不是 {} 编码：无法读取", encoding.name())))
}

/// The `charset` an HTML page declares in its first bytes (`<meta charset>` or `http-equiv`).
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
}

fn reading(id: FormatId, source: Source) -> Result<Reading, ImportError> {
    let format = id.format();
    let mut document = document::assemble(format, source);
    if !format.has_tables() {
        // Its own headings and tables are kept; nothing is matched to the national tables.
        if document.title.is_none() && document.preamble.is_empty() {
            return Err(ImportError::NotAReport("文件中没有标题，也没有正文"));
        }
        if document.title.is_none() {
            document.findings.push(Finding::new(None, FindingKind::Missing, "未找到报告标题".to_owned()));
        }
        document.findings.insert(
            0,
            Finding::new(
                None,
                FindingKind::Inferred,
                "按自由格式导入（2019 年以前的报告没有国家统一的统计表）：保留原有标题、段落和表格，不生成 data.toml"
                    .to_owned(),
            ),
        );
        return Ok(Reading { document, read: Read::empty(format), format: id });
    }
    let sections_found = document.sections.iter().filter(|s| s.is_some()).count();
    let mut findings = Vec::new();
    let read = tables::read(format, &document.tables, &mut findings);
    let cells = read.sources.len();
    if sections_found == 0 && cells == 0 {
        return Err(ImportError::NotAReport("找不到官方格式的任何一部分标题（如“一、总体情况”），也找不到统计表"));
    }
    if document.title.is_none() {
        document.findings.push(Finding::new(None, FindingKind::Missing, "未找到报告标题".to_owned()));
    }
    for (section, found) in format.sections.iter().zip(&document.sections) {
        if found.is_none() {
            let effect = if section.table.is_some() {
                "（统计表照常按数据生成）"
            } else {
                "：report.md 中没有这一部分，portal check 会报错"
            };
            document.findings.push(Finding::new(
                None,
                FindingKind::Missing,
                format!("未找到第{}部分“{}”{effect}", chinese(section.number), section.title),
            ));
        }
    }
    if document.date.is_none() {
        document.findings.push(Finding::new(None, FindingKind::Missing, "未找到发布日期（落款日期）".to_owned()));
    }
    document.findings.extend(findings);
    if id != FormatId::ALL[0] {
        document.findings.insert(
            0,
            Finding::new(
                None,
                FindingKind::Inferred,
                format!("按{}（{}）导入：表格中有只有这一格式才有的栏目", format.name, format.notice),
            ),
        );
    }
    Ok(Reading { document, read, format: id })
}

fn chinese(n: u8) -> &'static str {
    ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"].get(usize::from(n)).copied().unwrap_or("")
}

/// A format recognised by labels only it has.
#[derive(Debug)]
pub(crate) struct Marked {
    pub format: FormatId,
    /// Labels of its tables or headings (compared as [`key`]s).
    pub markers: &'static [&'static str],
    /// How many markers must be present.
    pub needed: usize,
}

/// The formats other than the newest, by what marks them; a report with none of
/// these is read in the newest format.
pub(crate) const MARKED: &[Marked] = &[
    Marked {
        format: FormatId::F2019,
        markers: &["本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增减", "采购总金额"],
        needed: 1,
    },
    Marked {
        format: FormatId::FreeForm,
        markers: &[
            "依申请公开政府信息情况",
            "依申请公开政府信息的情况",
            "政府信息公开的收费及减免情况",
            "因政府信息公开申请行政复议提起行政诉讼的情况",
            "概述",
        ],
        needed: 2,
    },
];

/// The format of a report as read, by the labels of its tables and short lines.
fn recognise(source: &Source) -> FormatId {
    let mut texts: Vec<String> = Vec::new();
    for piece in &source.pieces {
        match piece {
            document::Piece::Para(p) if p.text.chars().count() <= 40 => texts.push(key(&p.text)),
            document::Piece::Para(_) => {}
            document::Piece::Table(t) => texts.extend(t.rows.iter().flat_map(|r| &r.cells).map(|c| key(&c.text))),
        }
    }
    MARKED
        .iter()
        .find(|f| f.markers.iter().filter(|m| texts.iter().any(|t| t.contains(&key(m)))).count() >= f.needed)
        .map_or(FormatId::ALL[0], |f| f.format)
}

/// Options of `portal import`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Agency folder name; inferred from the title when absent.
    pub agency: Option<String>,
    /// Reporting year; inferred from the title when absent (one file only).
    pub year: Option<String>,
    /// Overwrite existing `report.md` and `data.toml`.
    pub force: bool,
}

/// What importing one file did.
#[derive(Debug)]
pub struct Imported {
    /// The agency folder the report went into.
    pub slug: String,
    /// The reporting year, given or inferred.
    pub year: u16,
    /// Files written, relative to the site root.
    pub files: Vec<PathBuf>,
    /// What was inferred rather than given, in words.
    pub inferred: Vec<String>,
    /// What the user must check, in input order (those without a place last).
    pub findings: Vec<Finding>,
    /// Number of table cells read.
    pub cells: usize,
}

/// One file's outcome.
#[derive(Debug)]
pub struct FileOutcome {
    /// The input file, as given.
    pub file: PathBuf,
    /// What was imported, or why nothing was.
    pub result: Result<Imported, ImportError>,
}

/// Imports `files` into the site at `root`.
pub fn import_files(root: &Path, files: &[PathBuf], options: &Options) -> Result<Vec<FileOutcome>, ImportError> {
    if options.year.is_some() && files.len() > 1 {
        return Err(ImportError::YearWithManyFiles);
    }
    import_all(root, files, options)
}

fn import_all(root: &Path, files: &[PathBuf], options: &Options) -> Result<Vec<FileOutcome>, ImportError> {
    let mut run = Run::new(root)?;
    Ok(files.iter().map(|f| FileOutcome { file: f.clone(), result: run.import(f, options) }).collect())
}

/// Imports every report file under `dir` (recursively, in name order).
pub fn import_dir(root: &Path, dir: &Path, options: &Options) -> Result<Vec<FileOutcome>, ImportError> {
    if options.year.is_some() {
        return Err(ImportError::YearWithManyFiles);
    }
    let mut files = Vec::new();
    collect(dir, &mut files).map_err(ImportError::Io)?;
    import_all(root, &files, options)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// State across the files of one `portal import`.
struct Run<'a> {
    root: &'a Path,
    site: Option<Site>,
    /// (slug, year) written in this run, and from which file.
    done: Vec<(String, u16, PathBuf)>,
    /// Agencies created in this run: slug → name.
    created: BTreeSet<(String, String)>,
}

impl<'a> Run<'a> {
    fn new(root: &'a Path) -> Result<Self, ImportError> {
        if !root.join(source::SETTINGS).is_file() {
            return Err(ImportError::NotASite { root: root.to_path_buf() });
        }
        let site = load::load(root).site;
        Ok(Self { root, site, done: Vec::new(), created: BTreeSet::new() })
    }

    /// The slug, full name and short name of every agency known to the site or this run.
    fn agencies(&self) -> Vec<(String, String, Option<String>)> {
        let mut out: Vec<(String, String, Option<String>)> = self
            .site
            .iter()
            .flat_map(|s| &s.agencies)
            .map(|a| (a.slug.clone(), a.info.name.clone(), a.info.short_name.clone()))
            .collect();
        out.extend(self.created.iter().map(|(s, n)| (s.clone(), n.clone(), None)));
        out
    }

    fn import(&mut self, file: &Path, options: &Options) -> Result<Imported, ImportError> {
        let bytes = fs::read(file).map_err(ImportError::Io)?;
        let reading = read(file, &bytes)?;
        let format = reading.format.format();
        let doc = &reading.document;
        let mut inferred = Vec::new();
        let title = doc.title.as_ref().map(|t| squash(&t.text));

        let year = match &options.year {
            Some(y) => author::parse_year(y).map_err(|_| ImportError::BadYear(y.clone()))?,
            None => match (title.as_deref().and_then(title_year), doc.date) {
                (Some((y, _)), _) => {
                    inferred.push(format!("报告年度：{y}（取自标题）"));
                    y
                }
                (None, Some((d, _))) => {
                    let y = d.year - 1;
                    inferred.push(format!("报告年度：{y}（标题中没有年份，按发布日期 {d} 的上一年）"));
                    y
                }
                (None, None) => return Err(ImportError::NoYear),
            },
        };
        let name_in_title = title.as_deref().and_then(agency_name_in_title);
        let known = self.agencies();
        let (slug, name, existing) = match &options.agency {
            Some(slug) => {
                author::check_agency_slug(slug)?;
                match known.iter().find(|(s, _, _)| s == slug) {
                    Some((_, name, _)) => (slug.clone(), name.clone(), true),
                    None => {
                        let name = name_in_title.clone().or_else(|| doc.signed_by.as_ref().map(|p| p.text.clone()));
                        let name = name.ok_or_else(|| {
                            ImportError::NoAgency("标题中找不到机构名称，content/ 中也没有这个机构".to_owned())
                        })?;
                        if let Some((other, _, _)) = known.iter().find(|(_, n, _)| *n == name) {
                            return Err(ImportError::DuplicateName { name, other: other.clone() });
                        }
                        (slug.clone(), name, false)
                    }
                }
            }
            None => {
                let name = name_in_title.clone().ok_or_else(|| {
                    ImportError::NoAgency(
                        "标题中找不到机构名称（标题应为“××2024年政府信息公开工作年度报告”）".to_owned(),
                    )
                })?;
                match known.iter().find(|(_, n, short)| *n == name || short.as_deref() == Some(&name)) {
                    Some((slug, full, _)) => {
                        inferred.push(format!("机构：content/{slug}/（标题中的机构名称“{name}”与已有机构相同）"));
                        (slug.clone(), full.clone(), true)
                    }
                    None => {
                        author::check_agency_slug(&name).map_err(|e| ImportError::NoAgency(e.to_string()))?;
                        inferred.push(format!(
                            "机构：content/{name}/（新机构，以标题中的机构全称作文件夹名；要用拼音或英文网址，请加 --agency）"
                        ));
                        (name.clone(), name, false)
                    }
                }
            }
        };
        if let Some((_, _, first)) = self.done.iter().find(|(s, y, _)| *s == slug && *y == year) {
            return Err(ImportError::AlreadyImported { slug, year, first: first.clone() });
        }

        let mut findings = doc.findings.clone();
        let date = match doc.date {
            Some((d, _)) => d,
            None => {
                let d = Date { year: year + 1, month: 1, day: 31 };
                findings.push(Finding::new(
                    None,
                    FindingKind::Inferred,
                    format!("发布日期暂填为 {d}（年度报告的发布截止日期）：请在 report.md 中改为实际发布日期"),
                ));
                d
            }
        };
        let signed_by = match &doc.signed_by {
            Some(p) => squash(&p.text),
            None => {
                findings.push(Finding::new(
                    None,
                    FindingKind::Inferred,
                    format!("未找到落款：signed_by 暂用机构全称“{name}”"),
                ));
                name.clone()
            }
        };
        let title = title.unwrap_or_else(|| {
            let t = format!("{name}{year}年政府信息公开工作年度报告");
            findings.push(Finding::new(None, FindingKind::Inferred, format!("标题暂写为“{t}”")));
            t
        });

        let dir = source::report_dir(&slug, year);
        for file in &doc.attachments {
            findings.push(Finding::new(
                Some(file.loc),
                FindingKind::Missing,
                format!(
                    "附件“{}”（{}）没有随正文导入：请取得原件放入 {}{}，报告页会在文末列出",
                    file.name,
                    file.href,
                    dir.display(),
                    std::path::MAIN_SEPARATOR
                ),
            ));
        }
        let source_name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into());
        // Named in a comment line of each file: a line break in the name would end the comment.
        let source_name = source_name.replace(['\n', '\r'], " ");
        // The front matter names the format where the year would name another.
        let named = (FormatId::for_year(year) != reading.format).then_some(reading.format);
        let md = report_md(format, doc, &title, date, &signed_by, &source_name, named);
        let mut files = vec![(dir.join(source::NARRATIVE_FILE), md)];
        if format.has_tables() {
            files.push((dir.join(source::DATA_FILE), data_toml(format, &name, year, &reading.read, &source_name)));
        }
        if !existing {
            files.push((source::agency_file(&slug), author::agency_toml(&name, &doc.contact)));
        }
        let written = author::write_files(self.root, files, options.force)?;
        if !existing {
            self.created.insert((slug.clone(), name.clone()));
        }
        self.done.push((slug.clone(), year, file.to_path_buf()));
        let cells = reading.read.sources.len();
        findings.sort_by_key(|f| (f.loc.is_none(), f.loc, f.kind));
        Ok(Imported { slug, year, files: written, inferred, findings, cells })
    }
}

/// The agency named in a title: `临朐县冶源街道办事处2024年政府信息公开工作年度报告`
/// → `临朐县冶源街道办事处`; also `2024年临朐县…政府信息公开工作年度报告`.
pub(crate) fn agency_name_in_title(title: &str) -> Option<String> {
    let title = squash(title);
    let (_, range) = title_year(&title)?;
    let before = title[..range.start].trim_end_matches("关于").trim();
    let name = if before.is_empty() {
        let after = title[range.end..].trim_start_matches('度');
        let end = after.find("政府信息公开").or_else(|| after.find("政务公开"))?;
        after[..end].trim_end_matches('的').trim().to_owned()
    } else {
        before.to_owned()
    };
    (!name.is_empty()).then_some(name)
}

/// `data.toml` for the figures `portal import` read from `source`. Cells it
/// could not read are `?` in a commented-out row, so `portal check` reports the
/// row missing until someone fills it in from the printed report.
fn data_toml(format: &Format, agency: &str, year: u16, read: &Read, source: &str) -> String {
    let remarks = read.remarks.iter().map(|(at, text)| (*at, Remark::Imported(text.clone()))).collect();
    format!(
        "# 由 portal import 从 {source} 导入。未能读取的数字写作 ?，所在的行已注释掉：请按原报告填写数字并去掉行首的 #。\n{}",
        author::data_toml(format, agency, year, &read.figures, &remarks)
    )
}

/// `report.md`: front matter from the report's title, date and signature, the
/// opening paragraphs, then each section found under its heading.
fn report_md(
    format: &Format,
    doc: &Document,
    title: &str,
    date: Date,
    signed_by: &str,
    source: &str,
    named: Option<FormatId>,
) -> String {
    let mut out = format!(
        "+++\n# 由 portal import 从 {source} 导入\ntitle = {}\ndate = {date}\nsigned_by = {}\n{}+++\n",
        author::toml_str(title),
        author::toml_str(signed_by),
        named.map_or_else(String::new, |f| format!("format = \"{}\"\n", f.key())),
    );
    let free = !format.has_tables();
    // A free-form report's tables stand where they stood, among its paragraphs.
    let mut tables = doc.tables.iter().zip(&doc.table_places).filter(|_| free).peekable();
    for (i, p) in doc.preamble.iter().enumerate() {
        while let Some(((_, table), _)) = tables.next_if(|(_, at)| **at <= i) {
            out.push('\n');
            out.push_str(&markdown_table(table));
        }
        // A free-form report's own numbered headings (`一、概述`) are its sections.
        if free && document::numbered_heading(p).is_some() {
            out.push_str(&format!("\n## {p}\n"));
        } else {
            out.push_str(&format!("\n{p}\n"));
        }
    }
    for ((_, table), _) in tables {
        out.push('\n');
        out.push_str(&markdown_table(table));
    }
    for (section, found) in format.sections.iter().zip(&doc.sections) {
        let heading = match found {
            Some(s) => s.heading.clone(),
            // The table sections are written anyway: their tables are placed there.
            None if section.table.is_some() => section.long_title.unwrap_or(section.title).to_owned(),
            None => continue,
        };
        out.push_str(&format!("\n## {heading}\n"));
        for p in found.iter().flat_map(|s| &s.paragraphs) {
            out.push_str(&format!("\n{p}\n"));
        }
    }
    out
}

/// A table as read, as a Markdown table: its first row the header, `|` escaped.
fn markdown_table(table: &document::RawTable) -> String {
    let width = table
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.col + c.span).max().unwrap_or(r.cells.len()))
        .max()
        .unwrap_or(0);
    let width = width.max(1);
    let mut out = String::new();
    for (i, row) in table.rows.iter().enumerate() {
        let mut cells = vec![String::new(); width];
        for (j, cell) in row.cells.iter().enumerate() {
            let at = if table.positional { cell.col } else { j };
            if let Some(slot) = cells.get_mut(at) {
                *slot = squash(&cell.text).replace('|', "\\|");
            }
        }
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            out.push_str(&format!("|{}\n", "---|".repeat(width)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_names_from_titles() {
        assert_eq!(
            agency_name_in_title("临朐县冶源街道办事处2024年政府信息公开 工作年度报告").as_deref(),
            Some("临朐县冶源街道办事处")
        );
        assert_eq!(
            agency_name_in_title("2023年度示例县教育局政府信息公开工作年度报告").as_deref(),
            Some("示例县教育局")
        );
        assert_eq!(agency_name_in_title("政府信息公开工作年度报告"), None);
    }

    #[test]
    fn formats_are_recognised_by_their_own_labels() {
        let para = |t: &str| document::Piece::Para(document::Para { text: t.to_owned(), loc: Loc::Line(1) });
        let source = Source {
            pieces: vec![document::Piece::Table(document::RawTable {
                rows: vec![document::RawRow {
                    cells: vec![document::RawCell { text: "本年新 制作数量".into(), col: 0, span: 1 }],
                    loc: Loc::Line(3),
                }],
                positional: false,
            })],
            ..Source::default()
        };
        assert_eq!(recognise(&source), FormatId::F2019);
        let source = Source {
            pieces: vec![
                para("一、概述"),
                para("三、依申请公开政府信息情况"),
                para("四、政府信息公开的收费及减免情况"),
            ],
            ..Source::default()
        };
        assert_eq!(recognise(&source), FormatId::FreeForm);
        let source = Source { pieces: vec![para("一、总体情况")], ..Source::default() };
        assert_eq!(recognise(&source), FormatId::F2021);
    }
}
