//! The format of the 2019 and 2020 reports (国办公开办函〔2019〕60号), as data.
//! What it shares with the 2021 format is in `parts`; `docs/data-format.md`
//! says which keys it shares and what is chosen where the notice is silent.

use super::parts::{
    self, APPEALS, CARRIED_FORWARD, CARRIED_OVER, CONTENT, COUNT_UNITS, ENFORCEMENT, FEES, GRANTED, LICENSING, NEW,
    NOT_PROCESSED, PARTLY_GRANTED, PENALTY, RESULTS_LABEL, RESULTS_TOTAL, RULES, UNAVAILABLE, WITHHELD, group, leaf,
};
use super::{
    Axis, Block, CrossYearRule, EntryShape, Format, FormatId, Header, Measure, ProseFigure, RuleId, SumRule, Table,
    Unit,
};

/// Table 三's rows: （六）其他处理 is one row without items.
const REQUEST_ROWS: &[Header] = &[
    NEW,
    CARRIED_OVER,
    group(
        "results",
        RESULTS_LABEL,
        &[
            GRANTED,
            PARTLY_GRANTED,
            WITHHELD,
            UNAVAILABLE,
            NOT_PROCESSED,
            leaf("other", "（六）其他处理"),
            RESULTS_TOTAL,
        ],
    ),
    CARRIED_FORWARD,
];

const PREVIOUS_ITEMS: Header = leaf("previous_items", "上一年项目数量");
/// A change: fewer items than last year is a negative number.
const CHANGE: Header = leaf("change", "本年增/减").in_unit(Unit::SignedCount);
/// The columns of items （五） and （六）.
const ITEM_COLUMNS: &[Header] = &[PREVIOUS_ITEMS, CHANGE, leaf("decisions", "处理决定数量")];

/// 上一年项目数量 (Y) = 上一年项目数量 (Y−1) + 本年增/减 (Y−1), in block `block`.
const fn items_carried(block: usize) -> CrossYearRule {
    CrossYearRule {
        id: RuleId::R7,
        table: "active",
        block,
        axis: Axis::EachRow,
        this: "previous_items",
        previous: "previous_items",
        plus_previous: &["change"],
        plus: &[],
        minus: &[],
        warning_only: true,
        statement: "上一年项目数量应等于上一年度报告的上一年项目数量加其本年增/减",
    }
}

const RESULT_SERIES: [Measure; 6] = parts::result_series(&["results.other"]);

/// The format of the 2019 and 2020 reports.
pub static FORMAT_2019: Format = Format {
    id: FormatId::F2019,
    name: "2019 年版格式",
    notice: "国办公开办函〔2019〕60号",
    sections: &[
        parts::SECTION_1,
        parts::section_2(
            "报告本年度新制作、新公开和对外公开的规章、规范性文件，行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费的项目数量及其增减和处理决定，以及政府集中采购情况。",
        ),
        parts::SECTION_3,
        parts::SECTION_4,
        parts::SECTION_5,
        parts::section_6("报告本机关认为需要报告的其他事项。"),
    ],
    tables: &[
        Table {
            key: "active",
            name: "表二",
            section: 2,
            blocks: &[
                Block {
                    caption: Some("第二十条第（一）项"),
                    corner: CONTENT,
                    columns: &[
                        leaf("made", "本年新制作数量"),
                        leaf("published", "本年新公开数量"),
                        leaf("published_total", "对外公开总数量"),
                    ],
                    rows: &[RULES, leaf("normative_documents", "规范性文件")],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（五）项"),
                    corner: CONTENT,
                    columns: ITEM_COLUMNS,
                    rows: &[LICENSING, leaf("other_services", "其他对外管理服务事项")],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（六）项"),
                    corner: CONTENT,
                    columns: ITEM_COLUMNS,
                    rows: &[PENALTY, ENFORCEMENT],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（八）项"),
                    corner: CONTENT,
                    columns: &[PREVIOUS_ITEMS, CHANGE],
                    rows: &[FEES],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（九）项"),
                    corner: CONTENT,
                    // Reports write the amount in 万元, as the 2021 format's fee.
                    columns: &[leaf("projects", "采购项目数量"), leaf("amount", "采购总金额").in_unit(Unit::Amount)],
                    rows: &[leaf("procurement", "政府集中采购")],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
            ],
        },
        Table { key: "requests", name: "表三", section: 3, blocks: &[parts::requests_block(REQUEST_ROWS)] },
        APPEALS,
    ],
    rules: &[
        parts::R1,
        parts::R2,
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
                "results.other",
            ],
            statement: "（七）总计等于（一）、（二）、（三）至（五）各项与（六）之和",
        },
        parts::R4[0],
        parts::R4[1],
        parts::R4[2],
    ],
    cross_year: &[
        parts::R6,
        // Whether 对外公开总数量 runs on from year to year the notice does not
        // say: read as everything made public so far, and only warned about.
        CrossYearRule {
            id: RuleId::R7,
            table: "active",
            block: 0,
            axis: Axis::EachRow,
            this: "published_total",
            previous: "published_total",
            plus_previous: &[],
            plus: &["published"],
            minus: &[],
            warning_only: true,
            statement: "对外公开总数量应等于上一年度的对外公开总数量加本年新公开数量",
        },
        items_carried(1),
        items_carried(2),
        items_carried(3),
    ],
    prose: &[
        parts::REQUEST_PROSE[0],
        parts::REQUEST_PROSE[1],
        parts::REQUEST_PROSE[2],
        parts::REQUEST_PROSE[3],
        parts::REQUEST_PROSE[4],
        parts::REQUEST_PROSE[5],
        ProseFigure {
            table: "active",
            block: 0,
            row: "normative_documents",
            column: "made",
            phrases: &[&["制作", "规范性文件"]],
            units: COUNT_UNITS,
        },
        ProseFigure {
            table: "active",
            block: 0,
            row: "normative_documents",
            column: "published",
            phrases: &[&["新公开", "规范性文件"]],
            units: COUNT_UNITS,
        },
        parts::DECISION_PROSE[0],
        parts::DECISION_PROSE[1],
        parts::DECISION_PROSE[2],
        ProseFigure {
            table: "active",
            block: 4,
            row: "procurement",
            column: "projects",
            phrases: &[&["政府集中采购项目"]],
            units: &["个", "项"],
        },
        ProseFigure {
            table: "active",
            block: 4,
            row: "procurement",
            column: "amount",
            phrases: &[&["政府集中采购", "金额"], &["采购总金额"]],
            units: &["万元"],
        },
        parts::APPEAL_PROSE,
    ],
    prose_section: 1,
    charts: &[parts::CHART_APPLICANTS, parts::chart_results(&RESULT_SERIES), parts::CHART_APPEALS],
    rankings: parts::RANKINGS,
};
