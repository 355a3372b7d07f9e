//! Stage 4: the files beside the pages (feed, sitemap, open data) and the
//! atomic writer.

pub(crate) mod feed;
pub(crate) mod opendata;
pub(crate) mod search;
pub(crate) mod sitemap;
pub(crate) mod write;
