//! `/data/schema.json`: a JSON Schema (2020-12) of `reports.json` and of every
//! `data.json`, generated from the formats. Each format's report is
//! `#/$defs/report-<format>`; `#/$defs/report` is any of them, told apart by
//! `format`. Each position of a table's arrays carries the official wording
//! (`title`), the key (`x-key`) and, for a cell, its bulk CSV column (`x-code`).

use serde_json::{Value, json};

use super::{format_def, level_key};
use crate::config::BaseUrl;
use crate::format::{Format, Unit, join_key};
use crate::layout::url;
use crate::model::Level;

pub(crate) fn schema(formats: &[&Format], base: &BaseUrl) -> Vec<u8> {
    let notices: Vec<&str> = formats.iter().map(|f| f.notice).collect();
    let mut defs = serde_json::Map::new();
    let mut refs = Vec::new();
    for (i, format) in formats.iter().enumerate() {
        let def = format_def(formats, i);
        refs.push(json!({ "$ref": format!("#/$defs/{def}") }));
        defs.insert(def, report(format));
    }
    defs.insert("report".to_owned(), json!({ "title": "一份年度报告", "oneOf": refs }));
    defs.insert("count".to_owned(), json!({ "type": "integer", "minimum": 0, "description": "件数" }));
    defs.insert("signed_count".to_owned(), json!({ "type": "integer", "description": "增减数（可为负数）" }));
    defs.insert(
        "amount".to_owned(),
        json!({ "type": "number", "minimum": 0, "description": "金额（万元），最多 6 位小数" }),
    );
    let levels: Vec<&str> = [Level::Township, Level::County, Level::City, Level::Province].map(level_key).to_vec();
    defs.insert(
        "summary".to_owned(),
        json!({
            "description": "汇总报告：由成员机构的数据汇总而成",
            "type": "object",
            "required": ["level", "members", "missing", "computed"],
            "additionalProperties": false,
            "properties": {
                "level": { "enum": levels },
                "members": { "type": "array", "items": { "type": "string" }, "description": "计入汇总的成员机构代码" },
                "missing": { "type": "array", "items": { "type": "string" }, "description": "当年没有报告、未计入汇总的成员机构代码" },
                "computed": { "type": "boolean", "description": "true：数据为成员机构之和；false：数据为汇总报告自行填报（已与成员机构之和逐项核对）" }
            }
        }),
    );
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": base.absolute(&url::data_file(url::SCHEMA_JSON)),
        "title": "政府信息公开工作年度报告统计数据",
        "description": format!(
            "全部年度报告的统计表数据（格式依据{}）。每份报告的 data.json 符合 #/$defs/report。表格按官方表格的分项、行、列顺序排列为数组，各位置的官方表述见 title，稳定的键见 x-key，对应 CSV 文件的列代码见 x-code。",
            notices.join("、")
        ),
        "type": "object",
        "required": ["formats", "reports"],
        "additionalProperties": false,
        "properties": {
            "formats": { "type": "array", "items": { "enum": notices }, "description": "各报告所依据的格式" },
            "reports": { "type": "array", "items": { "$ref": "#/$defs/report" } }
        },
        "$defs": defs
    });
    let mut out = serde_json::to_vec_pretty(&schema).unwrap_or_default();
    out.push(b'\n');
    out
}

/// One report of `format`.
fn report(format: &Format) -> Value {
    let mut tables = serde_json::Map::new();
    for table in format.tables {
        let blocks: Vec<Value> = table
            .blocks
            .iter()
            .map(|block| {
                let unit = |row, col| match block.cell_unit(row, col) {
                    Unit::Count => "#/$defs/count",
                    Unit::SignedCount => "#/$defs/signed_count",
                    Unit::Amount => "#/$defs/amount",
                };
                let cols = block.column_leaves();
                let rows: Vec<Value> = block
                    .row_leaves()
                    .iter()
                    .map(|row| {
                        let prefix = join_key(table.key, &row.key);
                        let cells: Vec<Value> = cols
                            .iter()
                            .map(|col| {
                                json!({ "$ref": unit(row, col), "title": col.label(), "x-key": col.key, "x-code": join_key(&prefix, &col.key) })
                            })
                            .collect();
                        json!({
                            "title": if row.key.is_empty() { table.name.to_owned() } else { row.label() },
                            "x-key": row.key,
                            "type": "array",
                            "prefixItems": cells,
                            "minItems": cols.len(),
                            "items": false,
                        })
                    })
                    .collect();
                json!({
                    "title": block.caption.unwrap_or(table.name),
                    "type": "array",
                    "prefixItems": rows,
                    "minItems": rows.len(),
                    "items": false,
                })
            })
            .collect();
        tables.insert(
            table.key.to_owned(),
            json!({
                "title": table.name,
                "type": "array",
                "prefixItems": blocks,
                "minItems": table.blocks.len(),
                "items": false,
            }),
        );
    }
    let table_keys: Vec<&str> = format.tables.iter().map(|t| t.key).collect();
    json!({
        "title": format!("一份年度报告（格式依据{}）", format.notice),
        "type": "object",
        "required": ["agency", "agency_name", "year", "title", "published", "url", "format", "tables", "computed"],
        "additionalProperties": false,
        "properties": {
            "agency": { "type": "string", "description": "机构代码（content/ 下的文件夹名，也用于网址）" },
            "agency_name": { "type": "string", "description": "机构全称" },
            "year": { "type": "integer", "description": "报告年度" },
            "title": { "type": "string" },
            "published": { "type": "string", "format": "date", "description": "发布日期" },
            "url": { "type": "string", "format": "uri", "description": "报告页面" },
            "format": { "const": format.notice, "description": "报告所依据的格式" },
            "summary": { "$ref": "#/$defs/summary" },
            "tables": {
                "type": "object",
                "required": table_keys,
                "additionalProperties": false,
                "properties": tables
            },
            "computed": {
                "description": "未填报、按勾稽关系计算出的总计：[表格, 分项序号, 行序号, 列序号]（从 0 起）",
                "type": "array",
                "items": {
                    "type": "array",
                    "prefixItems": [
                        { "enum": table_keys },
                        { "type": "integer", "minimum": 0 },
                        { "type": "integer", "minimum": 0 },
                        { "type": "integer", "minimum": 0 }
                    ],
                    "minItems": 4,
                    "items": false
                }
            }
        }
    })
}
