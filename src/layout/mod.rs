//! Where things are: the site's sources on disk ([`source`]), the one check
//! that a path read stays inside the site ([`confine`]) and the URLs of what a
//! build publishes ([`url`]). Every other module asks here rather than
//! spelling a folder or a path out by hand. [`name`] says which names every
//! file system the site may be copied to can hold.

pub(crate) mod confine;
pub(crate) mod name;
pub(crate) mod source;
pub(crate) mod url;
