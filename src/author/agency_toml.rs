//! `agency.toml` as `portal new` and `portal import` write it: the name, and
//! every contact key, commented out where unknown.

use super::toml_str;
use crate::model::Contact;

/// `agency.toml`: the name, and every contact key, commented out where unknown.
pub(crate) fn agency_toml(name: &str, contact: &Contact) -> String {
    let line = |key: &str, value: &Option<String>, example: &str, comment: &str| -> String {
        let (prefix, value) = match value {
            Some(v) => ("", toml_str(v)),
            None => ("# ", format!("\"{example}\"")),
        };
        let text = format!("{prefix}{key} = {value}");
        let width = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
        let pad = " ".repeat(35usize.saturating_sub(width).max(1));
        if comment.is_empty() { format!("{text}\n") } else { format!("{text}{pad}# {comment}\n") }
    };
    let mut out = format!(
        r#"# 机构信息 (agency.toml)。
# 只有 name 是必填的；要填写其他项目，去掉行首的 # 并改成实际内容。

name = {name}    # 机构全称（必填），也用作年度报告的标题和落款
# short_name = "简称"              # 简称，用于列表和导航
# parent = "上级机关全称"          # 上级机关：年度页面按它分组
# region = "所在省市县"            # 所在地区（没有上级机关时按它分组）
weight = 0                         # 排序：数字小的在前
# first_year = 2021                # 从哪一年起应发布年度报告（默认：第一份报告的年份）
# 机构已撤销或合并时，写明最后一个应报告的年度和原因：
# dissolved = {{ last_year = 2023, reason = "2024年1月机构改革，职责划入某某局" }}

[contact]                          # 联系方式，显示在机构页面上（每一项都可选）
"#,
        name = toml_str(name)
    );
    out.push_str(&line("office", &contact.office, "办公室名称", "联系机构"));
    out.push_str(&line("address", &contact.address, "联系地址", ""));
    out.push_str(&line("postcode", &contact.postcode, "000000", ""));
    out.push_str(&line("phone", &contact.phone, "0000-0000000", ""));
    out.push_str(&line("fax", &contact.fax, "0000-0000000", ""));
    out.push_str(&line("email", &contact.email, "xxgk@example.gov.cn", ""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::tests::toml_keys;
    use crate::model::AgencyInfo;

    /// Every key of `AgencyInfo` and `Contact` is in the template, commented
    /// out where optional: uncommented, the file reads back with all of them.
    #[test]
    fn agency_toml_lists_every_key() {
        let text = agency_toml("示例局", &Contact::default());
        let parsed: AgencyInfo = toml::from_str(&text).unwrap();
        assert_eq!(parsed.name, "示例局");
        let uncommented: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let full: AgencyInfo = toml::from_str(&uncommented).unwrap();
        let written: toml::Table = toml::from_str(&uncommented).unwrap();
        let fields: toml::Table = toml::Table::try_from(&full).unwrap();
        assert_eq!(toml_keys(&written), toml_keys(&fields));
    }
}
