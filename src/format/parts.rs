//! What the 2019 and 2021 formats have in common, defined once: table 四 whole,
//! most of table 三's header trees and rules, four of the six sections, and the
//! prose figures, charts and rankings over those cells. Each format module
//! assembles its [`Format`](super::Format) from these and its own parts, so a
//! cell both formats have is spelled (key, label, unit) in one place only.

use super::{
    Axis, Block, Chart, CrossYearRule, EntryShape, Header, Measure, ProseFigure, Ranking, RuleId, Section, SumRule,
    Table, Unit,
};

pub(super) const COUNT_UNITS: &[&str] = &["件", "条", "个", "项"];

pub(super) const fn requests(
    label: &'static str,
    rows: &'static [&'static str],
    columns: &'static [&'static str],
) -> Measure {
    Measure { label, table: "requests", block: 0, rows, columns }
}

const fn appeals(label: &'static str, columns: &'static [&'static str]) -> Measure {
    Measure { label, table: "appeals", block: 0, rows: &[""], columns }
}

pub(super) const fn leaf(key: &'static str, label: &'static str) -> Header {
    Header { key, label, children: &[], total: false, unit: None }
}

pub(super) const fn total(key: &'static str, label: &'static str) -> Header {
    Header { key, label, children: &[], total: true, unit: None }
}

pub(super) const fn group(key: &'static str, label: &'static str, children: &'static [Header]) -> Header {
    Header { key, label, children, total: false, unit: None }
}

// ── Sections ────────────────────────────────────────────────────────────
// Sections 二 and 六 differ in what they ask for (their hints); see each format.

pub(super) const SECTION_1: Section = Section {
    number: 1,
    anchor: "section-1",
    title: "一、总体情况",
    long_title: None,
    table: None,
    hint: "综述本机关贯彻落实《中华人民共和国政府信息公开条例》的情况，主要包括主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障等方面。",
};

pub(super) const SECTION_3: Section = Section {
    number: 3,
    anchor: "section-3",
    title: "三、收到和处理政府信息公开申请情况",
    long_title: Some("三、行政机关收到和处理政府信息公开申请情况"),
    table: Some("requests"),
    hint: "报告本年度收到和处理政府信息公开申请的情况，按申请人情况分列。",
};

pub(super) const SECTION_4: Section = Section {
    number: 4,
    anchor: "section-4",
    title: "四、政府信息公开行政复议、行政诉讼情况",
    long_title: Some("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    table: Some("appeals"),
    hint: "报告本机关因政府信息公开工作被申请行政复议、提起行政诉讼的情况及其结果。",
};

pub(super) const SECTION_5: Section = Section {
    number: 5,
    anchor: "section-5",
    title: "五、存在的主要问题及改进情况",
    long_title: Some("五、政府信息公开工作存在的主要问题及改进情况"),
    table: None,
    hint: "报告本机关政府信息公开工作存在的主要问题和改进措施，以及上一年度所列问题的整改情况。",
};

/// A section 二 with its format's hint.
pub(super) const fn section_2(hint: &'static str) -> Section {
    Section {
        number: 2,
        anchor: "section-2",
        title: "二、主动公开政府信息情况",
        long_title: Some("二、行政机关主动公开政府信息情况"),
        table: Some("active"),
        hint,
    }
}

/// A section 六 with its format's hint.
pub(super) const fn section_6(hint: &'static str) -> Section {
    Section {
        number: 6, anchor: "section-6", title: "六、其他需要报告的事项", long_title: None, table: None, hint
    }
}

// ── Table 二: the rows both formats have ───────────────────────────────

/// Corner text of every block of table 二.
pub(super) const CONTENT: Option<&str> = Some("信息内容");

pub(super) const RULES: Header = leaf("rules", "规章");
pub(super) const LICENSING: Header = leaf("licensing", "行政许可");
pub(super) const PENALTY: Header = leaf("penalty", "行政处罚");
pub(super) const ENFORCEMENT: Header = leaf("enforcement", "行政强制");
pub(super) const FEES: Header = leaf("fees", "行政事业性收费");

// ── Table 三 ──────────────────────────────────────────────────────────

const REQUEST_CORNER: Option<&str> = Some("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）");

const APPLICANTS: &[Header] = &[group(
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
)];

pub(super) const NEW: Header = leaf("new", "一、本年新收政府信息公开申请数量");
pub(super) const CARRIED_OVER: Header = leaf("carried_over", "二、上年结转政府信息公开申请数量");
pub(super) const CARRIED_FORWARD: Header = leaf("carried_forward", "四、结转下年度继续办理");
pub(super) const RESULTS_LABEL: &str = "三、本年度办理结果";
pub(super) const GRANTED: Header = leaf("granted", "（一）予以公开");
pub(super) const PARTLY_GRANTED: Header =
    leaf("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）");
pub(super) const WITHHELD: Header = group(
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
);
pub(super) const UNAVAILABLE: Header = group(
    "unavailable",
    "（四）无法提供",
    &[
        leaf("not_held", "1.本机关不掌握相关政府信息"),
        leaf("needs_creation", "2.没有现成信息需要另行制作"),
        leaf("unclear", "3.补正后申请内容仍不明确"),
    ],
);
pub(super) const NOT_PROCESSED: Header = group(
    "not_processed",
    "（五）不予处理",
    &[
        leaf("petitions", "1.信访举报投诉类申请"),
        leaf("repeated", "2.重复申请"),
        leaf("publications", "3.要求提供公开出版物"),
        leaf("excessive", "4.无正当理由大量反复申请"),
        leaf("confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    ],
);
pub(super) const RESULTS_TOTAL: Header = total("total", "（七）总计");

/// Table 三's one block over its format's row tree (the formats differ in
/// （六）其他处理): the corner and the columns are the same.
pub(super) const fn requests_block(rows: &'static [Header]) -> Block {
    Block {
        caption: None,
        corner: REQUEST_CORNER,
        columns: APPLICANTS,
        rows,
        entries: EntryShape::ByRow,
        default_unit: Unit::Count,
    }
}

pub(super) const R1: SumRule = SumRule {
    id: RuleId::R1,
    table: "requests",
    block: 0,
    axis: Axis::EachColumn,
    lhs: &["new", "carried_over"],
    rhs: &["results.total", "carried_forward"],
    statement: "第一项加第二项之和，等于第三项加第四项之和",
};

pub(super) const R2: SumRule = SumRule {
    id: RuleId::R2,
    table: "requests",
    block: 0,
    axis: Axis::EachRow,
    lhs: &["total"],
    rhs: &["natural", "org.*"],
    statement: "总计等于自然人与法人或其他组织各列之和",
};

/// R6: 二、上年结转 (Y) = 四、结转下年度继续办理 (Y−1). Both formats have both
/// rows, so the rule also holds from a 2020 report to a 2021 one.
pub(super) const R6: CrossYearRule = CrossYearRule {
    id: RuleId::R6,
    table: "requests",
    block: 0,
    axis: Axis::EachColumn,
    this: "carried_over",
    previous: "carried_forward",
    plus_previous: &[],
    plus: &[],
    minus: &[],
    warning_only: false,
    statement: "本年“二、上年结转政府信息公开申请数量”应等于上一年度报告的“四、结转下年度继续办理”",
};

// ── Table 四: the same in both formats ────────────────────────────────

const OUTCOMES: &[Header] = &[
    leaf("upheld", "结果维持"),
    leaf("corrected", "结果纠正"),
    leaf("other", "其他结果"),
    leaf("pending", "尚未审结"),
    total("total", "总计"),
];

pub(super) const APPEALS: Table = Table {
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
        default_unit: Unit::Count,
    }],
};

pub(super) const R4: [SumRule; 3] = [
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
];

// ── Prose figures, charts and rankings over the shared cells ──────────

const fn request_figure(row: &'static str, phrases: &'static [&'static [&'static str]]) -> ProseFigure {
    ProseFigure { table: "requests", block: 0, row, column: "total", phrases, units: COUNT_UNITS }
}

/// What 一、总体情况 quotes of tables 三 and 四.
pub(super) const REQUEST_PROSE: [ProseFigure; 6] = [
    request_figure("new", &[&["新收", "申请"], &["收到", "申请"], &["受理", "申请"]]),
    request_figure("carried_over", &[&["上年结转"]]),
    request_figure("results.total", &[&["办结"]]),
    request_figure("results.granted", &[&["予以公开"]]),
    request_figure("results.partly_granted", &[&["部分公开"]]),
    request_figure("carried_forward", &[&["结转下年度"], &["结转下一年度"]]),
];

/// What 一、总体情况 quotes of table 二's 处理决定数量: the same rows and block
/// positions in both formats.
pub(super) const DECISION_PROSE: [ProseFigure; 3] = [
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
];

pub(super) const APPEAL_PROSE: ProseFigure = ProseFigure {
    table: "appeals",
    block: 0,
    row: "",
    column: "reconsideration.total",
    phrases: &[&["申请行政复议"]],
    units: COUNT_UNITS,
};

pub(super) const CHART_APPLICANTS: Chart = Chart {
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
};

/// The results chart with its format's operand for （六）其他处理: the id, title
/// and series labels are the same, so a trend can follow it across formats.
pub(super) const fn chart_results(series: &'static [Measure]) -> Chart {
    Chart { id: "chart-results", title: "本年度办理结果", series }
}

/// The five result series both formats have, and （六） over `other`.
pub(super) const fn result_series(other: &'static [&'static str]) -> [Measure; 6] {
    [
        requests("予以公开", &["results.granted"], &["total"]),
        requests("部分公开", &["results.partly_granted"], &["total"]),
        requests("不予公开", &["results.withheld.*"], &["total"]),
        requests("无法提供", &["results.unavailable.*"], &["total"]),
        requests("不予处理", &["results.not_processed.*"], &["total"]),
        requests("其他处理", other, &["total"]),
    ]
}

pub(super) const CHART_APPEALS: Chart = Chart {
    id: "chart-appeals",
    title: "政府信息公开行政复议、行政诉讼案件数量",
    series: &[
        appeals("行政复议", &["reconsideration.total"]),
        appeals("行政诉讼（未经复议直接起诉）", &["litigation.direct.total"]),
        appeals("行政诉讼（复议后起诉）", &["litigation.after_reconsideration.total"]),
    ],
};

pub(super) const RANKINGS: &[Ranking] = &[
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
];
