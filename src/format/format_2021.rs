//! The format in force since the 2021 reports (国办公开办函〔2021〕30号), as data.

use super::{
    Axis, Block, Chart, CrossYearRule, EntryShape, Format, Header, Measure, ProseFigure, Ranking, RuleId, Section,
    SumRule, Table, Unit,
};

const COUNT_UNITS: &[&str] = &["件", "条", "个", "项"];

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
