//! The URL scheme of the published site: the path of every page and file a build writes, relative to `base_url`.
