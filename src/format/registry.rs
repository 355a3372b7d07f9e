//! Which formats there are, and which one a report of a given year follows:
//! the one place that maps years to formats.

use super::{FORMAT_2019, FORMAT_2021, Format};

/// A report format, by name: what front matter writes (`format = "2019"`) and
/// what open data and messages say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum FormatId {
    /// 国办公开办函〔2021〕30号, for the reports of 2021 on.
    #[serde(rename = "2021")]
    F2021,
    /// 国办公开办函〔2019〕60号, for the reports of 2019 and 2020.
    #[serde(rename = "2019")]
    F2019,
    /// No national tables: a narrative and its attachments (the reports of
    /// 2008–2018, written under the 2007 regulation, or any report published
    /// without the tables).
    #[serde(rename = "free")]
    FreeForm,
}

impl FormatId {
    /// Every format, newest first.
    pub const ALL: [FormatId; 3] = [FormatId::F2021, FormatId::F2019, FormatId::FreeForm];

    /// The format a report of `year` follows unless its front matter names
    /// another: 2021 on, the 2021 format; 2019 and 2020, the 2019 format (the
    /// revised regulation took effect on 15 May 2019, and 60号 set the template
    /// from the 2019 reports); before, no national template.
    pub const fn for_year(year: u16) -> FormatId {
        match year {
            2021.. => FormatId::F2021,
            2019..=2020 => FormatId::F2019,
            _ => FormatId::FreeForm,
        }
    }

    /// The key front matter and open data use: `2021`, `2019` or `free`.
    pub const fn key(self) -> &'static str {
        match self {
            FormatId::F2021 => "2021",
            FormatId::F2019 => "2019",
            FormatId::FreeForm => "free",
        }
    }

    /// The format a key names, if any.
    pub fn from_key(key: &str) -> Option<FormatId> {
        FormatId::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The format itself.
    pub const fn format(self) -> &'static Format {
        match self {
            FormatId::F2021 => &FORMAT_2021,
            FormatId::F2019 => &FORMAT_2019,
            FormatId::FreeForm => &FORMAT_FREE,
        }
    }
}

impl std::fmt::Display for FormatId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// The free-form reports: no sections of the template, no tables, no rules.
/// Every stage that walks a format walks this one to nothing; what differs
/// (a narrative's own headings as its contents) asks [`Format::has_tables`].
pub static FORMAT_FREE: Format = Format {
    id: FormatId::FreeForm,
    name: "自由格式",
    notice: "",
    sections: &[],
    tables: &[],
    rules: &[],
    cross_year: &[],
    prose: &[],
    prose_section: 1,
    charts: &[],
    rankings: &[],
};

impl Format {
    /// The key front matter and open data use ([`FormatId::key`]).
    pub fn key(&self) -> &'static str {
        self.id.key()
    }

    /// Whether the format has the national template: sections and tables.
    pub fn has_tables(&self) -> bool {
        !self.tables.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_map_to_the_format_in_force() {
        let cases = [
            (2008, FormatId::FreeForm),
            (2018, FormatId::FreeForm),
            (2019, FormatId::F2019),
            (2020, FormatId::F2019),
            (2021, FormatId::F2021),
            (2024, FormatId::F2021),
            (0, FormatId::FreeForm),
            (u16::MAX, FormatId::F2021),
        ];
        for (year, id) in cases {
            assert_eq!(FormatId::for_year(year), id, "{year}");
        }
        // Every year maps to some format, and the map only ever moves forward.
        let mut last = FormatId::for_year(0);
        for year in 1..=u16::MAX {
            let id = FormatId::for_year(year);
            assert!(id <= last, "{year}: {id} after {last}");
            last = id;
        }
    }

    #[test]
    fn ids_keys_and_formats_agree() {
        for id in FormatId::ALL {
            assert_eq!(id.format().id, id);
            assert_eq!(FormatId::from_key(id.key()), Some(id));
            assert_eq!(id.format().key(), id.key());
            assert!(!id.format().name.is_empty());
            // Front matter spells it as the key.
            let toml = format!("format = \"{}\"", id.key());
            #[derive(serde::Deserialize)]
            struct Front {
                format: FormatId,
            }
            assert_eq!(toml::from_str::<Front>(&toml).map(|f| f.format).ok(), Some(id));
        }
        assert_eq!(FormatId::from_key("2020"), None);
        let names: std::collections::BTreeSet<_> = FormatId::ALL.iter().map(|f| f.format().name).collect();
        assert_eq!(names.len(), FormatId::ALL.len());
    }

    #[test]
    fn free_form_has_nothing_to_walk() {
        let f = &FORMAT_FREE;
        assert!(!f.has_tables() && f.sections.is_empty() && f.rules.is_empty() && f.cross_year.is_empty());
        assert!(f.prose.is_empty() && f.charts.is_empty() && f.rankings.is_empty());
        assert!(f.notice.is_empty());
        assert_eq!(f.waivable(), [crate::format::RuleId::Summary]);
        assert!(FORMAT_2019.has_tables() && FORMAT_2021.has_tables());
    }
}
