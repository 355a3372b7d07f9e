//! `portal`: a static site generator for government information-disclosure
//! portals (政府信息公开工作年度报告).
//!
//! One pipeline ([`pipeline`]), one module per stage: `load` → `summary`
//! (汇总) → `validate` → `render` → `linkcheck` → `output` (feed, sitemap,
//! open data, the writer). The report format itself is data ([`format`]);
//! the site is a model ([`model`]) that knows nothing of HTML. Preview
//! ([`serve`]), authoring ([`scaffold`]) and [`import`] stand on the
//! pipeline; the last two write sources through the floor they share
//! (`author`). Modules stand on floors, each using only its own and those
//! below (`docs/architecture.md`; `tests/architecture.rs` checks it).

#![warn(missing_docs, unreachable_pub)]

pub(crate) mod author;
pub mod compliance;
pub(crate) mod config;
pub mod diagnostics;
pub mod format;
pub mod import;
pub(crate) mod layout;
pub mod linkcheck;
pub mod load;
pub(crate) mod markdown;
pub mod model;
pub(crate) mod output;
pub mod pipeline;
pub mod publish;
pub(crate) mod rank;
pub(crate) mod render;
pub mod scaffold;
pub mod serve;
pub mod sources;
pub(crate) mod summary;
pub(crate) mod text;
pub(crate) mod validate;
