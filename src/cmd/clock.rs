//! `--clock`: the date a run publishes for, shared by `build`, `check` and `serve`.

use portal::publish::{Drafts, Publish};

/// The day to publish for.
#[derive(clap::Args)]
pub(crate) struct Clock {
    /// 把今天当作这一天（YYYY-MM-DD）：发布日期在它之后的报告暂不发布。也可用环境变量 PORTAL_CLOCK 指定，便于测试和可重现的构建
    #[arg(long, value_name = "YYYY-MM-DD")]
    clock: Option<String>,
}

impl Clock {
    /// The run's publication settings, or the message for a date that is not one.
    pub(crate) fn publish(&self, drafts: Drafts) -> Result<Publish, portal::publish::ClockError> {
        Publish::new(self.clock.as_deref(), drafts)
    }

    /// What `build` and `serve` publish: the day, the drafts and a `--base-url`
    /// in place of `site.toml`'s; or the message for a value that is wrong.
    pub(crate) fn publish_at(&self, drafts: Drafts, base_url: Option<&str>) -> Result<Publish, String> {
        let publish = self.publish(drafts).map_err(|e| e.to_string())?;
        match base_url {
            Some(url) => publish.with_base_url(url),
            None => Ok(publish),
        }
    }
}
