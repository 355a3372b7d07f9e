//! `feed.xml`: RSS 2.0, newest report first.

use rss::{Channel, Guid, Item};

use crate::layout::url;
use crate::model::Site;

/// The feed lists at most this many reports, newest first.
pub(crate) const FEED_ITEMS: usize = 50;

pub(crate) fn feed(site: &Site) -> String {
    let base = &site.config.base_url;
    let reports = site.reports_newest_first();
    let items: Vec<Item> = reports
        .iter()
        .take(FEED_ITEMS)
        .map(|(agency, report)| {
            let link = base.absolute(&url::report(report.year, &agency.slug));
            let mut guid = Guid::default();
            // The permanent address of the report: never derived from build time or content.
            guid.set_value(link.clone());
            guid.set_permalink(true);
            let mut item = Item::default();
            item.set_title(report.title.clone());
            item.set_link(link);
            item.set_guid(guid);
            item.set_pub_date(report.date.to_rfc2822());
            // The description is HTML (inside the XML, which rss escapes once more).
            item.set_description(format!(
                "{}发布的{}年政府信息公开工作年度报告（{}）",
                crate::text::escape(&agency.info.name),
                report.year,
                report.date.to_chinese()
            ));
            item
        })
        .collect();
    let mut channel = Channel::default();
    channel.set_title(site.config.title.clone());
    channel.set_link(base.absolute(url::HOME));
    channel.set_description(format!("{}：最新发布的政府信息公开工作年度报告", site.config.title));
    channel.set_language("zh-CN".to_owned());
    // Deterministic: the newest publication date, not the time of the build.
    channel.set_last_build_date(reports.first().map(|(_, r)| r.date.to_rfc2822()));
    channel.set_items(items);
    channel.to_string()
}
