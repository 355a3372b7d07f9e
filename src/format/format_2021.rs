//! The format in force since the 2021 reports (国办公开办函〔2021〕30号), as data.
//! What it shares with the 2019 format is in `parts`.

use super::parts::{
    self, APPEALS, CARRIED_FORWARD, CARRIED_OVER, CONTENT, COUNT_UNITS, ENFORCEMENT, FEES, GRANTED, LICENSING, NEW,
    NOT_PROCESSED, PARTLY_GRANTED, PENALTY, RESULTS_LABEL, RESULTS_TOTAL, RULES, UNAVAILABLE, WITHHELD, group, leaf,
};
use super::{
    Axis, Block, CrossYearRule, EntryShape, Format, FormatId, Header, Measure, ProseFigure, RuleId, SumRule, Table,
    Unit,
};

/// Table 三's rows: （六）其他处理 has three items.
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
            group(
                "other",
                "（六）其他处理",
                &[
                    leaf("no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
                    leaf("fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
                    leaf("other", "3.其他"),
                ],
            ),
            RESULTS_TOTAL,
        ],
    ),
    CARRIED_FORWARD,
];

const RESULT_SERIES: [Measure; 6] = parts::result_series(&["results.other.*"]);

/// The format in force since the 2021 reports.
pub static FORMAT_2021: Format = Format {
    id: FormatId::F2021,
    name: "2021 年版格式",
    notice: "国办公开办函〔2021〕30号",
    sections: &[
        parts::SECTION_1,
        parts::section_2(
            "报告本年度制发、废止和现行有效的规章、行政规范性文件，以及行政许可、行政处罚、行政强制的处理决定和行政事业性收费情况。",
        ),
        parts::SECTION_3,
        parts::SECTION_4,
        parts::SECTION_5,
        parts::section_6(
            "报告依据《政府信息公开信息处理费管理办法》收取信息处理费的情况，以及本机关认为需要报告的其他事项。",
        ),
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
                        leaf("issued", "本年制发件数"),
                        leaf("repealed", "本年废止件数"),
                        leaf("in_force", "现行有效件数"),
                    ],
                    rows: &[RULES, leaf("normative_documents", "行政规范性文件")],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（五）项"),
                    corner: CONTENT,
                    columns: &[leaf("decisions", "本年处理决定数量")],
                    rows: &[LICENSING],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（六）项"),
                    corner: CONTENT,
                    columns: &[leaf("decisions", "本年处理决定数量")],
                    rows: &[PENALTY, ENFORCEMENT],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Count,
                },
                Block {
                    caption: Some("第二十条第（八）项"),
                    corner: CONTENT,
                    columns: &[leaf("amount", "本年收费金额（单位：万元）")],
                    rows: &[FEES],
                    entries: EntryShape::ByRow,
                    default_unit: Unit::Amount,
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
                "results.other.*",
            ],
            statement: "（七）总计等于（一）、（二）与（三）至（六）各项之和",
        },
        parts::R4[0],
        parts::R4[1],
        parts::R4[2],
    ],
    cross_year: &[
        parts::R6,
        CrossYearRule {
            id: RuleId::R7,
            table: "active",
            block: 0,
            axis: Axis::EachRow,
            this: "in_force",
            previous: "in_force",
            plus_previous: &[],
            plus: &["issued"],
            minus: &["repealed"],
            warning_only: true,
            statement: "现行有效件数应等于上一年度的现行有效件数加本年制发件数减本年废止件数",
        },
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
        parts::DECISION_PROSE[0],
        parts::DECISION_PROSE[1],
        parts::DECISION_PROSE[2],
        ProseFigure {
            table: "active",
            block: 3,
            row: "fees",
            column: "amount",
            phrases: &[&["行政事业性收费"]],
            units: &["万元"],
        },
        parts::APPEAL_PROSE,
    ],
    prose_section: 1,
    charts: &[parts::CHART_APPLICANTS, parts::chart_results(&RESULT_SERIES), parts::CHART_APPEALS],
    rankings: parts::RANKINGS,
};
