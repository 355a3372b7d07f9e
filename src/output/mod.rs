//! Stage 4: the files beside the pages (feed, sitemap, open data) and the
//! atomic writer.

pub mod feed;
pub mod opendata;
pub mod sitemap;
pub mod write;
