//! `portal`: a static site generator for government information-disclosure
//! portals (政府信息公开工作年度报告).
//!
//! One pipeline, one module per stage:
//! [`load`] → [`summary`] (汇总) → [`validate`] → [`render`] → [`output`] (write, feed, sitemap, open data).
//! The report format itself is data ([`format`]); the site is a model ([`model`])
//! that knows nothing of HTML. Authoring commands (`portal init`, `portal new`)
//! live in [`scaffold`], outside the pipeline, and so does `portal import`
//! ([`import`]), which writes sources from published reports; both write
//! through `author`, the floor they share.

#![warn(unreachable_pub)]

pub(crate) mod author;
pub mod compliance;
pub mod config;
pub mod diagnostics;
pub mod format;
pub mod import;
pub mod layout;
pub mod linkcheck;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod rank;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod sources;
pub mod summary;
pub mod text;
pub mod validate;
