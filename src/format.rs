//! The national report format (国办公开办函〔2021〕30号), defined once as data.
//!
//! Sections, the header trees of the three statistics tables with their official
//! wording, the keys a `data.toml` uses, and the consistency rules (勾稽关系) all
//! live here. Loading, validation, rendering and open data walk these values and
//! know nothing of the format themselves; a new format is a new [`Format`] value.

/// A rule of the format (勾稽关系 and the other checks `format-2021.md`
/// numbers), by the id that diagnostics, waivers and the docs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum RuleId {
    /// Sums within a table: R1–R4.
    R1,
    R2,
    R3,
    R4,
    /// Every figure a non-negative whole number (or an amount where the unit says so).
    R5,
    /// Carry-over between consecutive years: R6, R7.
    R6,
    R7,
    /// Figures stated in the prose agree with the tables.
    R8,
    /// A summary's (汇总) figures equal the sums of its members'.
    Summary,
}

impl RuleId {
    /// Every rule, in the docs' order.
    pub const ALL: [RuleId; 9] = [
        RuleId::R1,
        RuleId::R2,
        RuleId::R3,
        RuleId::R4,
        RuleId::R5,
        RuleId::R6,
        RuleId::R7,
        RuleId::R8,
        RuleId::Summary,
    ];

    /// The id as written in `data.toml`'s waivers and shown in diagnostics.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleId::R1 => "R1",
            RuleId::R2 => "R2",
            RuleId::R3 => "R3",
            RuleId::R4 => "R4",
            RuleId::R5 => "R5",
            RuleId::R6 => "R6",
            RuleId::R7 => "R7",
            RuleId::R8 => "R8",
            RuleId::Summary => "summary",
        }
    }

    /// The rule an id names, if any.
    pub fn parse(id: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == id)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One report format.
#[derive(Debug)]
pub struct Format {
    /// The notice that defines the format, as cited on the site.
    pub notice: &'static str,
    pub sections: &'static [Section],
    pub tables: &'static [Table],
    pub rules: &'static [SumRule],
    /// Rules between a report and the same agency's report of the year before.
    pub cross_year: &'static [CrossYearRule],
    /// Figures the narrative of [`Format::prose_section`] may quote.
    pub prose: &'static [ProseFigure],
    /// The section whose prose is compared with the tables (一、总体情况).
    pub prose_section: u8,
    /// The trend charts on every agency page, over the years.
    pub charts: &'static [Chart],
    /// What the year pages rank agencies by.
    pub rankings: &'static [Ranking],
}

/// A figure made of one or more cells of a block: the sum of every cell whose
/// row one of `rows` selects and whose column one of `columns` selects
/// (operands as in [`SumRule`]: `key` or `key.*`).
#[derive(Debug)]
pub struct Measure {
    /// What the figure is, in the format's words (a chart's series, a ranking's column).
    pub label: &'static str,
    pub table: &'static str,
    pub block: usize,
    pub rows: &'static [&'static str],
    pub columns: &'static [&'static str],
}

/// A stacked bar chart of an agency's figures, one bar per year.
#[derive(Debug)]
pub struct Chart {
    /// Stable fragment id on the agency page.
    pub id: &'static str,
    pub title: &'static str,
    /// The stacked parts of each bar, bottom first.
    pub series: &'static [Measure],
}

/// An ordering of the year's reports, largest first.
#[derive(Debug)]
pub struct Ranking {
    /// Stable fragment id on the year page.
    pub id: &'static str,
    pub title: &'static str,
    /// What the value column is headed.
    pub heading: &'static str,
    /// The figure ranked; with `per`, its share of that figure (a percentage).
    pub measure: Measure,
    pub per: Option<Measure>,
}

/// One of the six official sections.
#[derive(Debug)]
pub struct Section {
    /// 1-based position; also the Chinese ordinal in the title.
    pub number: u8,
    /// Stable fragment id on the report page.
    pub anchor: &'static str,
    /// The template's title, e.g. `二、主动公开政府信息情况`.
    pub title: &'static str,
    /// The longer title many reports use; accepted as the same section.
    pub long_title: Option<&'static str>,
    /// The statistics table printed in this section, by [`Table::key`].
    pub table: Option<&'static str>,
    /// What the section reports, in one line, after the format notice; shown to
    /// authors in the report skeleton `portal new` writes.
    pub hint: &'static str,
}

/// A statistics table: one or more blocks of cells.
#[derive(Debug)]
pub struct Table {
    /// The TOML table in `data.toml` that holds the figures, e.g. `requests`.
    pub key: &'static str,
    /// Short name used in messages and open data, e.g. `表三`.
    pub name: &'static str,
    /// The section the table belongs to.
    pub section: u8,
    pub blocks: &'static [Block],
}

/// A rectangular grid with a column header tree and a row header tree.
///
/// Table 二 is four stacked blocks (第二十条第（一）（五）（六）（八）项); tables 三
/// and 四 are one block each.
#[derive(Debug)]
pub struct Block {
    /// Caption of the block, e.g. `第二十条第（一）项`.
    pub caption: Option<&'static str>,
    /// Text of the top-left cell above the row headers.
    pub corner: Option<&'static str>,
    pub columns: &'static [Header],
    /// Row header tree. Empty means one unlabelled row (table 四).
    pub rows: &'static [Header],
    /// How `data.toml` spells the figures of this block.
    pub entries: EntryShape,
    pub unit: Unit,
}

/// How the cells of a block are grouped into TOML entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryShape {
    /// One key per leaf row; its value lists the row's cells left to right.
    ByRow,
    /// One key per lowest column group; its value lists that group's cells
    /// (used by table 四, which has a single row).
    ByColumnGroup,
}

/// The kind of number a block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A non-negative count (件).
    Count,
    /// A non-negative amount in 万元 with at most [`AMOUNT_DECIMALS`] decimals.
    Amount,
}

/// Decimal places kept for amounts; real reports print up to six (5949.088667 万元).
pub const AMOUNT_DECIMALS: u32 = 6;

/// A node of a header tree.
#[derive(Debug)]
pub struct Header {
    /// Key segment; a leaf's full key joins the segments of its ancestors with `.`.
    pub key: &'static str,
    /// The official wording, reproduced exactly on the site.
    pub label: &'static str,
    pub children: &'static [Header],
    /// A total that `data.toml` may leave out; it is then computed by the rule
    /// that defines it.
    pub total: bool,
}

/// Which way a rule runs through a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// The equation holds in every column; operands select rows.
    EachColumn,
    /// The equation holds in every row; operands select columns.
    EachRow,
}

/// A consistency rule: the sum of `lhs` equals the sum of `rhs`, along `axis`.
///
/// Operands are leaf keys of the other axis; `key.*` stands for every leaf under
/// `key`.
#[derive(Debug)]
pub struct SumRule {
    /// Rule id as in `format-2021.md` (R1–R4).
    pub id: RuleId,
    pub table: &'static str,
    pub block: usize,
    pub axis: Axis,
    pub lhs: &'static [&'static str],
    pub rhs: &'static [&'static str],
    /// The rule in the format's own words, shown with every violation.
    pub statement: &'static str,
}

/// A rule between consecutive years of one agency:
/// `this` (year Y) = `previous` (year Y−1) + Σ `plus` (Y) − Σ `minus` (Y), along `axis`.
#[derive(Debug)]
pub struct CrossYearRule {
    /// Rule id as in `format-2021.md` (R6, R7).
    pub id: RuleId,
    pub table: &'static str,
    pub block: usize,
    pub axis: Axis,
    pub this: &'static str,
    pub previous: &'static str,
    pub plus: &'static [&'static str],
    pub minus: &'static [&'static str],
    /// Legitimately broken at times (a clean-up of old documents): a warning.
    pub warning_only: bool,
    pub statement: &'static str,
}

/// A table cell that the narrative often quotes, and how it is phrased.
///
/// A phrase is a list of fragments that appear in this order within one clause,
/// the last one followed directly by the number (a few connecting words such as
/// 共 or 决定 allowed) and one of `units`.
#[derive(Debug)]
pub struct ProseFigure {
    pub table: &'static str,
    pub block: usize,
    pub row: &'static str,
    pub column: &'static str,
    pub phrases: &'static [&'static [&'static str]],
    pub units: &'static [&'static str],
}

/// Words allowed between a phrase and its number: `现行有效的行政规范性文件共10件`.
pub const PROSE_CONNECTORS: &[&str] = &["继续办理", "决定", "合计", "总计", "共", "为", "了", "达"];

const COUNT_UNITS: &[&str] = &["件", "条", "个", "项"];

impl SumRule {
    /// A rule whose left side is a single total marked [`Header::total`] defines
    /// that total: it is computed from the right side when left out.
    pub fn defines_total(&self) -> bool {
        self.lhs.len() == 1
    }
}

const fn requests(label: &'static str, rows: &'static [&'static str], columns: &'static [&'static str]) -> Measure {
    Measure { label, table: "requests", block: 0, rows, columns }
}

const fn appeals(label: &'static str, columns: &'static [&'static str]) -> Measure {
    Measure { label, table: "appeals", block: 0, rows: &[""], columns }
}

const fn leaf(key: &'static str, label: &'static str) -> Header {
    Header { key, label, children: &[], total: false }
}

const fn total(key: &'static str, label: &'static str) -> Header {
    Header { key, label, children: &[], total: true }
}

const fn group(key: &'static str, label: &'static str, children: &'static [Header]) -> Header {
    Header { key, label, children, total: false }
}

const OUTCOMES: &[Header] = &[
    leaf("upheld", "结果维持"),
    leaf("corrected", "结果纠正"),
    leaf("other", "其他结果"),
    leaf("pending", "尚未审结"),
    total("total", "总计"),
];

/// The format in force since the 2021 reports.
pub static FORMAT_2021: Format = Format {
    notice: "国办公开办函〔2021〕30号",
    sections: &[
        Section {
            number: 1,
            anchor: "section-1",
            title: "一、总体情况",
            long_title: None,
            table: None,
            hint: "综述本机关贯彻落实《中华人民共和国政府信息公开条例》的情况，主要包括主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障等方面。",
        },
        Section {
            number: 2,
            anchor: "section-2",
            title: "二、主动公开政府信息情况",
            long_title: Some("二、行政机关主动公开政府信息情况"),
            table: Some("active"),
            hint: "报告本年度制发、废止和现行有效的规章、行政规范性文件，以及行政许可、行政处罚、行政强制的处理决定和行政事业性收费情况。",
        },
        Section {
            number: 3,
            anchor: "section-3",
            title: "三、收到和处理政府信息公开申请情况",
            long_title: Some("三、行政机关收到和处理政府信息公开申请情况"),
            table: Some("requests"),
            hint: "报告本年度收到和处理政府信息公开申请的情况，按申请人情况分列。",
        },
        Section {
            number: 4,
            anchor: "section-4",
            title: "四、政府信息公开行政复议、行政诉讼情况",
            long_title: Some("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
            table: Some("appeals"),
            hint: "报告本机关因政府信息公开工作被申请行政复议、提起行政诉讼的情况及其结果。",
        },
        Section {
            number: 5,
            anchor: "section-5",
            title: "五、存在的主要问题及改进情况",
            long_title: Some("五、政府信息公开工作存在的主要问题及改进情况"),
            table: None,
            hint: "报告本机关政府信息公开工作存在的主要问题和改进措施，以及上一年度所列问题的整改情况。",
        },
        Section {
            number: 6,
            anchor: "section-6",
            title: "六、其他需要报告的事项",
            long_title: None,
            table: None,
            hint: "报告依据《政府信息公开信息处理费管理办法》收取信息处理费的情况，以及本机关认为需要报告的其他事项。",
        },
    ],
    tables: &[
        Table {
            key: "active",
            name: "表二",
            section: 2,
            blocks: &[
                Block {
                    caption: Some("第二十条第（一）项"),
                    corner: Some("信息内容"),
                    columns: &[
                        leaf("issued", "本年制发件数"),
                        leaf("repealed", "本年废止件数"),
                        leaf("in_force", "现行有效件数"),
                    ],
                    rows: &[leaf("rules", "规章"), leaf("normative_documents", "行政规范性文件")],
                    entries: EntryShape::ByRow,
                    unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（五）项"),
                    corner: Some("信息内容"),
                    columns: &[leaf("decisions", "本年处理决定数量")],
                    rows: &[leaf("licensing", "行政许可")],
                    entries: EntryShape::ByRow,
                    unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（六）项"),
                    corner: Some("信息内容"),
                    columns: &[leaf("decisions", "本年处理决定数量")],
                    rows: &[leaf("penalty", "行政处罚"), leaf("enforcement", "行政强制")],
                    entries: EntryShape::ByRow,
                    unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（八）项"),
                    corner: Some("信息内容"),
                    columns: &[leaf("amount", "本年收费金额（单位：万元）")],
                    rows: &[leaf("fees", "行政事业性收费")],
                    entries: EntryShape::ByRow,
                    unit: Unit::Amount,
                },
            ],
        },
        Table {
            key: "requests",
            name: "表三",
            section: 3,
            blocks: &[Block {
                caption: None,
                corner: Some("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
                columns: &[group(
                    "",
                    "申请人情况",
                    &[
                        leaf("natural", "自然人"),
                        group(
                            "org",
                            "法人或其他组织",
                            &[
                                leaf("business", "商业企业"),
                                leaf("research", "科研机构"),
                                leaf("public_welfare", "社会公益组织"),
                                leaf("legal_services", "法律服务机构"),
                                leaf("other", "其他"),
                            ],
                        ),
                        total("total", "总计"),
                    ],
                )],
                rows: &[
                    leaf("new", "一、本年新收政府信息公开申请数量"),
                    leaf("carried_over", "二、上年结转政府信息公开申请数量"),
                    group(
                        "results",
                        "三、本年度办理结果",
                        &[
                            leaf("granted", "（一）予以公开"),
                            leaf("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
                            group(
                                "withheld",
                                "（三）不予公开",
                                &[
                                    leaf("state_secret", "1.属于国家秘密"),
                                    leaf("prohibited", "2.其他法律行政法规禁止公开"),
                                    leaf("three_securities", "3.危及“三安全一稳定”"),
                                    leaf("third_party", "4.保护第三方合法权益"),
                                    leaf("internal_affairs", "5.属于三类内部事务信息"),
                                    leaf("process_information", "6.属于四类过程性信息"),
                                    leaf("enforcement_files", "7.属于行政执法案卷"),
                                    leaf("query_matters", "8.属于行政查询事项"),
                                ],
                            ),
                            group(
                                "unavailable",
                                "（四）无法提供",
                                &[
                                    leaf("not_held", "1.本机关不掌握相关政府信息"),
                                    leaf("needs_creation", "2.没有现成信息需要另行制作"),
                                    leaf("unclear", "3.补正后申请内容仍不明确"),
                                ],
                            ),
                            group(
                                "not_processed",
                                "（五）不予处理",
                                &[
                                    leaf("petitions", "1.信访举报投诉类申请"),
                                    leaf("repeated", "2.重复申请"),
                                    leaf("publications", "3.要求提供公开出版物"),
                                    leaf("excessive", "4.无正当理由大量反复申请"),
                                    leaf("confirmation", "5.要求行政机关确认或重新出具已获取信息"),
                                ],
                            ),
                            group(
                                "other",
                                "（六）其他处理",
                                &[
                                    leaf(
                                        "no_correction",
                                        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                                    ),
                                    leaf(
                                        "fee_unpaid",
                                        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                                    ),
                                    leaf("other", "3.其他"),
                                ],
                            ),
                            total("total", "（七）总计"),
                        ],
                    ),
                    leaf("carried_forward", "四、结转下年度继续办理"),
                ],
                entries: EntryShape::ByRow,
                unit: Unit::Count,
            }],
        },
        Table {
            key: "appeals",
            name: "表四",
            section: 4,
            blocks: &[Block {
                caption: None,
                corner: None,
                columns: &[
                    group("reconsideration", "行政复议", OUTCOMES),
                    group(
                        "litigation",
                        "行政诉讼",
                        &[
                            group("direct", "未经复议直接起诉", OUTCOMES),
                            group("after_reconsideration", "复议后起诉", OUTCOMES),
                        ],
                    ),
                ],
                rows: &[],
                entries: EntryShape::ByColumnGroup,
                unit: Unit::Count,
            }],
        },
    ],
    rules: &[
        SumRule {
            id: RuleId::R1,
            table: "requests",
            block: 0,
            axis: Axis::EachColumn,
            lhs: &["new", "carried_over"],
            rhs: &["results.total", "carried_forward"],
            statement: "第一项加第二项之和，等于第三项加第四项之和",
        },
        SumRule {
            id: RuleId::R2,
            table: "requests",
            block: 0,
            axis: Axis::EachRow,
            lhs: &["total"],
            rhs: &["natural", "org.*"],
            statement: "总计等于自然人与法人或其他组织各列之和",
        },
        SumRule {
            id: RuleId::R3,
            table: "requests",
            block: 0,
            axis: Axis::EachColumn,
            lhs: &["results.total"],
            rhs: &[
                "results.granted",
                "results.partly_granted",
                "results.withheld.*",
                "results.unavailable.*",
                "results.not_processed.*",
                "results.other.*",
            ],
            statement: "（七）总计等于（一）、（二）与（三）至（六）各项之和",
        },
        SumRule {
            id: RuleId::R4,
            table: "appeals",
            block: 0,
            axis: Axis::EachRow,
            lhs: &["reconsideration.total"],
            rhs: &[
                "reconsideration.upheld",
                "reconsideration.corrected",
                "reconsideration.other",
                "reconsideration.pending",
            ],
            statement: "行政复议总计等于结果维持、结果纠正、其他结果、尚未审结之和",
        },
        SumRule {
            id: RuleId::R4,
            table: "appeals",
            block: 0,
            axis: Axis::EachRow,
            lhs: &["litigation.direct.total"],
            rhs: &[
                "litigation.direct.upheld",
                "litigation.direct.corrected",
                "litigation.direct.other",
                "litigation.direct.pending",
            ],
            statement: "未经复议直接起诉总计等于结果维持、结果纠正、其他结果、尚未审结之和",
        },
        SumRule {
            id: RuleId::R4,
            table: "appeals",
            block: 0,
            axis: Axis::EachRow,
            lhs: &["litigation.after_reconsideration.total"],
            rhs: &[
                "litigation.after_reconsideration.upheld",
                "litigation.after_reconsideration.corrected",
                "litigation.after_reconsideration.other",
                "litigation.after_reconsideration.pending",
            ],
            statement: "复议后起诉总计等于结果维持、结果纠正、其他结果、尚未审结之和",
        },
    ],
    cross_year: &[
        CrossYearRule {
            id: RuleId::R6,
            table: "requests",
            block: 0,
            axis: Axis::EachColumn,
            this: "carried_over",
            previous: "carried_forward",
            plus: &[],
            minus: &[],
            warning_only: false,
            statement: "本年“二、上年结转政府信息公开申请数量”应等于上一年度报告的“四、结转下年度继续办理”",
        },
        CrossYearRule {
            id: RuleId::R7,
            table: "active",
            block: 0,
            axis: Axis::EachRow,
            this: "in_force",
            previous: "in_force",
            plus: &["issued"],
            minus: &["repealed"],
            warning_only: true,
            statement: "现行有效件数应等于上一年度的现行有效件数加本年制发件数减本年废止件数",
        },
    ],
    prose: &[
        ProseFigure {
            table: "requests",
            block: 0,
            row: "new",
            column: "total",
            phrases: &[&["新收", "申请"], &["收到", "申请"], &["受理", "申请"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "requests",
            block: 0,
            row: "carried_over",
            column: "total",
            phrases: &[&["上年结转"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "requests",
            block: 0,
            row: "results.total",
            column: "total",
            phrases: &[&["办结"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "requests",
            block: 0,
            row: "results.granted",
            column: "total",
            phrases: &[&["予以公开"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "requests",
            block: 0,
            row: "results.partly_granted",
            column: "total",
            phrases: &[&["部分公开"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "requests",
            block: 0,
            row: "carried_forward",
            column: "total",
            phrases: &[&["结转下年度"], &["结转下一年度"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 0,
            row: "normative_documents",
            column: "in_force",
            phrases: &[&["现行有效", "规范性文件"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 0,
            row: "normative_documents",
            column: "issued",
            phrases: &[&["制发", "规范性文件"], &["印发", "规范性文件"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 0,
            row: "rules",
            column: "in_force",
            phrases: &[&["现行有效", "规章"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 1,
            row: "licensing",
            column: "decisions",
            phrases: &[&["行政许可"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 2,
            row: "penalty",
            column: "decisions",
            phrases: &[&["行政处罚"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 2,
            row: "enforcement",
            column: "decisions",
            phrases: &[&["行政强制"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 3,
            row: "fees",
            column: "amount",
            phrases: &[&["行政事业性收费"]],
            units: &["万元"],
        },
        ProseFigure {
            table: "appeals",
            block: 0,
            row: "",
            column: "reconsideration.total",
            phrases: &[&["申请行政复议"]],
            units: COUNT_UNITS,
        },
    ],
    prose_section: 1,
    charts: &[
        Chart {
            id: "chart-applicants",
            title: "本年新收政府信息公开申请数量（按申请人情况）",
            series: &[
                requests("自然人", &["new"], &["natural"]),
                requests("商业企业", &["new"], &["org.business"]),
                requests("科研机构", &["new"], &["org.research"]),
                requests("社会公益组织", &["new"], &["org.public_welfare"]),
                requests("法律服务机构", &["new"], &["org.legal_services"]),
                requests("其他", &["new"], &["org.other"]),
            ],
        },
        Chart {
            id: "chart-results",
            title: "本年度办理结果",
            series: &[
                requests("予以公开", &["results.granted"], &["total"]),
                requests("部分公开", &["results.partly_granted"], &["total"]),
                requests("不予公开", &["results.withheld.*"], &["total"]),
                requests("无法提供", &["results.unavailable.*"], &["total"]),
                requests("不予处理", &["results.not_processed.*"], &["total"]),
                requests("其他处理", &["results.other.*"], &["total"]),
            ],
        },
        Chart {
            id: "chart-appeals",
            title: "政府信息公开行政复议、行政诉讼案件数量",
            series: &[
                appeals("行政复议", &["reconsideration.total"]),
                appeals("行政诉讼（未经复议直接起诉）", &["litigation.direct.total"]),
                appeals("行政诉讼（复议后起诉）", &["litigation.after_reconsideration.total"]),
            ],
        },
    ],
    rankings: &[
        Ranking {
            id: "ranking-received",
            title: "按本年新收政府信息公开申请数量排序",
            heading: "本年新收申请（件）",
            measure: requests("本年新收政府信息公开申请数量", &["new"], &["total"]),
            per: None,
        },
        Ranking {
            id: "ranking-granted",
            title: "按予以公开占办理结果的比例排序",
            heading: "予以公开比例",
            measure: requests("予以公开", &["results.granted"], &["total"]),
            per: Some(requests("办理结果总计", &["results.total"], &["total"])),
        },
    ],
};

/// A leaf of a header tree, flattened: its full key and the labels on the way down.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub key: String,
    pub labels: Vec<&'static str>,
    pub total: bool,
}

impl Leaf {
    /// The official wording of the leaf, its ancestors' labels first.
    pub fn label(&self) -> String {
        self.labels.join(" ")
    }

    /// The leaf's own label, without its ancestors'.
    pub fn own_label(&self) -> &'static str {
        self.labels.last().copied().unwrap_or("")
    }
}

/// The leaves of a header tree of the format, computed once: every stage asks
/// for them for every report. An empty tree has one leaf with an empty key.
fn cached_leaves(headers: &'static [Header]) -> &'static [Leaf] {
    static CACHE: std::sync::RwLock<Vec<(usize, &'static [Leaf])>> = std::sync::RwLock::new(Vec::new());
    let id = headers.as_ptr() as usize;
    let found = CACHE.read().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
    if let Some(leaves) = found {
        return leaves;
    }
    let computed = if headers.is_empty() {
        vec![Leaf { key: String::new(), labels: Vec::new(), total: false }]
    } else {
        leaves(headers)
    };
    // A format has a handful of header trees: what is leaked here is bounded.
    let computed: &'static [Leaf] = Box::leak(computed.into_boxed_slice());
    CACHE.write().unwrap_or_else(|p| p.into_inner()).push((id, computed));
    computed
}

/// Flattens a header tree into its leaves, left to right (or top to bottom).
pub fn leaves(headers: &[Header]) -> Vec<Leaf> {
    fn walk(nodes: &[Header], prefix: &str, labels: &mut Vec<&'static str>, out: &mut Vec<Leaf>) {
        for node in nodes {
            let key = join_key(prefix, node.key);
            labels.push(node.label);
            if node.children.is_empty() {
                out.push(Leaf { key, labels: labels.clone(), total: node.total });
            } else {
                walk(node.children, &key, labels, out);
            }
            labels.pop();
        }
    }
    let mut out = Vec::new();
    walk(headers, "", &mut Vec::new(), &mut out);
    out
}

/// The official wording of a cell: its row's labels, then its column's.
pub fn join_label(block: &Block, row: usize, col: usize) -> String {
    let rows = block.row_leaves();
    let cols = block.column_leaves();
    let mut labels: Vec<&str> = rows.get(row).map(|l| l.labels.clone()).unwrap_or_default();
    labels.extend(cols.get(col).map(|l| l.labels.clone()).unwrap_or_default());
    labels.join(" ")
}

/// Joins key segments; empty segments (an unnamed grouping header) vanish.
pub fn join_key(prefix: &str, key: &str) -> String {
    match (prefix.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{key}"),
    }
}

/// Depth of a header tree (0 for an empty tree).
pub fn depth(headers: &[Header]) -> usize {
    headers.iter().map(|h| 1 + depth(h.children)).max().unwrap_or(0)
}

/// Number of leaves under a node.
pub fn leaf_count(header: &Header) -> usize {
    if header.children.is_empty() { 1 } else { header.children.iter().map(leaf_count).sum() }
}

/// Indexes of the leaves an operand selects (`key` or `key.*`).
pub fn select(leaves: &[Leaf], operand: &str) -> Vec<usize> {
    match operand.strip_suffix(".*") {
        Some(prefix) => leaves
            .iter()
            .enumerate()
            .filter(|(_, l)| l.key.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')))
            .map(|(i, _)| i)
            .collect(),
        None => leaves.iter().position(|l| l.key == operand).into_iter().collect(),
    }
}

impl Block {
    pub fn column_leaves(&self) -> &'static [Leaf] {
        cached_leaves(self.columns)
    }

    /// Row leaves; a block without row headers has one leaf with an empty key.
    pub fn row_leaves(&self) -> &'static [Leaf] {
        cached_leaves(self.rows)
    }

    /// The TOML entries of this block: each entry's key, its label path, and the
    /// `(row, column)` cells it lists, in order. Made once per block, as the
    /// leaves are: every report's `data.toml` is read against them.
    pub fn entries(&self) -> &'static [Entry] {
        type Cache = Vec<((usize, usize, EntryShape), &'static [Entry])>;
        static CACHE: std::sync::RwLock<Cache> = std::sync::RwLock::new(Vec::new());
        let id = (self.rows.as_ptr() as usize, self.columns.as_ptr() as usize, self.entries);
        let found = CACHE.read().unwrap_or_else(|p| p.into_inner()).iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
        if let Some(entries) = found {
            return entries;
        }
        // A format has a handful of blocks: what is leaked here is bounded.
        let made: &'static [Entry] = Box::leak(self.make_entries().into_boxed_slice());
        CACHE.write().unwrap_or_else(|p| p.into_inner()).push((id, made));
        made
    }

    fn make_entries(&self) -> Vec<Entry> {
        let rows = self.row_leaves();
        let cols = self.column_leaves();
        match self.entries {
            EntryShape::ByRow => rows
                .iter()
                .enumerate()
                .map(|(r, row)| Entry {
                    key: row.key.clone(),
                    labels: row.labels.clone(),
                    cells: (0..cols.len()).map(|c| (r, c)).collect(),
                    optional: row.total,
                })
                .collect(),
            EntryShape::ByColumnGroup => {
                // Group consecutive leaf columns by their parent key.
                let mut out: Vec<Entry> = Vec::new();
                for (c, col) in cols.iter().enumerate() {
                    let parent = col.key.rsplit_once('.').map_or("", |(p, _)| p);
                    match out.last_mut() {
                        Some(e) if e.key == parent => e.cells.push((0, c)),
                        _ => out.push(Entry {
                            key: parent.to_owned(),
                            labels: col.labels[..col.labels.len() - 1].to_vec(),
                            cells: vec![(0, c)],
                            optional: false,
                        }),
                    }
                }
                out
            }
        }
    }
}

/// One key of `data.toml` and the cells its value lists.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub labels: Vec<&'static str>,
    pub cells: Vec<(usize, usize)>,
    /// The whole entry may be left out (a total row, computed instead).
    pub optional: bool,
}

impl Format {
    pub fn table(&self, key: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.key == key)
    }

    /// The statement of a rule (sum or cross-year) by id.
    pub fn rule_statement(&self, id: RuleId) -> Option<&'static str> {
        self.rules
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.statement)
            .or_else(|| self.cross_year.iter().find(|r| r.id == id).map(|r| r.statement))
    }

    /// The rules a report's waivers may name: the sum and cross-year rules and
    /// `summary`, in that order. Not R5 (a value that is not a number has
    /// nothing to publish) nor R8 (a warning already).
    pub fn waivable(&self) -> Vec<RuleId> {
        let mut out: Vec<RuleId> =
            self.rules.iter().map(|r| r.id).chain(self.cross_year.iter().map(|r| r.id)).collect();
        out.push(RuleId::Summary);
        out.dedup();
        out
    }

    /// The section a heading text names, by either of its official titles.
    pub fn section_by_title(&self, text: &str) -> Option<&Section> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        self.sections.iter().find(|s| s.title == text || s.long_title == Some(text.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_table_has_the_official_shape() {
        let t = FORMAT_2021.table("requests").unwrap();
        let b = &t.blocks[0];
        assert_eq!(b.column_leaves().len(), 7);
        assert_eq!(b.row_leaves().len(), 25);
        assert_eq!(depth(b.columns), 3);
        assert_eq!(depth(b.rows), 3);
        assert_eq!(b.column_leaves()[1].key, "org.business");
        assert_eq!(b.row_leaves()[4].key, "results.withheld.state_secret");
    }

    #[test]
    fn appeals_entries_are_the_three_column_groups() {
        let b = &FORMAT_2021.table("appeals").unwrap().blocks[0];
        let keys: Vec<_> = b.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["reconsideration", "litigation.direct", "litigation.after_reconsideration"]);
        assert!(b.entries().iter().all(|e| e.cells.len() == 5));
    }

    #[test]
    fn every_rule_operand_selects_something() {
        for rule in FORMAT_2021.rules {
            let block = &FORMAT_2021.table(rule.table).unwrap().blocks[rule.block];
            let leaves = match rule.axis {
                Axis::EachColumn => block.row_leaves(),
                Axis::EachRow => block.column_leaves(),
            };
            for op in rule.lhs.iter().chain(rule.rhs) {
                assert!(!select(leaves, op).is_empty(), "{} operand {op} selects nothing", rule.id);
            }
        }
    }

    #[test]
    fn every_cross_year_and_prose_cell_exists() {
        for rule in FORMAT_2021.cross_year {
            let block = &FORMAT_2021.table(rule.table).unwrap().blocks[rule.block];
            let leaves = match rule.axis {
                Axis::EachColumn => block.row_leaves(),
                Axis::EachRow => block.column_leaves(),
            };
            for op in [rule.this, rule.previous].iter().chain(rule.plus).chain(rule.minus) {
                assert_eq!(select(leaves, op).len(), 1, "{} operand {op}", rule.id);
            }
        }
        for p in FORMAT_2021.prose {
            let block = &FORMAT_2021.table(p.table).unwrap().blocks[p.block];
            assert_eq!(select(block.row_leaves(), p.row).len(), 1, "{}", p.row);
            assert_eq!(select(block.column_leaves(), p.column).len(), 1, "{}", p.column);
        }
    }

    #[test]
    fn every_chart_and_ranking_measure_selects_cells() {
        let measures = FORMAT_2021
            .charts
            .iter()
            .flat_map(|c| c.series)
            .chain(FORMAT_2021.rankings.iter().flat_map(|r| std::iter::once(&r.measure).chain(&r.per)));
        for m in measures {
            let block = &FORMAT_2021.table(m.table).unwrap().blocks[m.block];
            for op in m.rows {
                assert!(!select(block.row_leaves(), op).is_empty(), "{}: row {op}", m.label);
            }
            for op in m.columns {
                assert!(!select(block.column_leaves(), op).is_empty(), "{}: column {op}", m.label);
            }
        }
    }

    #[test]
    fn wildcard_selects_only_descendants() {
        let b = &FORMAT_2021.table("requests").unwrap().blocks[0];
        let rows = b.row_leaves();
        assert_eq!(select(rows, "results.withheld.*").len(), 8);
        assert_eq!(select(rows, "results.*").len(), 22);
    }

    #[test]
    fn section_titles_match_both_forms() {
        assert_eq!(FORMAT_2021.section_by_title("二、行政机关主动公开政府信息情况").unwrap().number, 2);
        assert_eq!(
            FORMAT_2021.section_by_title("四、因政府信息公开工作被申请行政复议、提起行政诉讼 情况").unwrap().number,
            4
        );
        assert!(FORMAT_2021.section_by_title("七、其他").is_none());
    }
}

#[cfg(test)]
mod docs_tests {
    use super::*;

    /// docs/data-format.md documents every key a `data.toml` may contain.
    #[test]
    fn every_entry_key_is_documented() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data-format.md")).unwrap();
        for table in FORMAT_2021.tables {
            assert!(doc.contains(&format!("`[{}]`", table.key)), "[{}] undocumented", table.key);
            for block in table.blocks {
                for entry in block.entries() {
                    assert!(doc.contains(&format!("| `{}` |", entry.key)), "{} undocumented", entry.key);
                }
            }
        }
    }
}
