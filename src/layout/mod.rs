//! Where things are: the site's sources on disk ([`source`]) and the URLs of
//! what a build publishes ([`url`]). Every other module asks here rather than
//! spelling a folder or a path out by hand.

pub(crate) mod source;
pub(crate) mod url;
