//! Typed places in a loaded site, so that an agency's index cannot be taken
//! for a report's, a table's or a count.

use serde::{Deserialize, Serialize};

/// An agency's place in [`super::Site::agencies`]: stable for as long as the
/// site is the one loaded (an edit of a report's files keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AgencyIx(usize);

impl AgencyIx {
    /// The agency at `index` of the site's agencies.
    pub(crate) const fn new(index: usize) -> Self {
        Self(index)
    }

    /// Its index in the site's agencies.
    pub(crate) const fn index(self) -> usize {
        self.0
    }
}

/// A report's place: its agency, and its index in that agency's reports
/// (oldest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReportIx {
    /// The agency that published it.
    pub agency: AgencyIx,
    /// Its index in [`super::Agency::reports`].
    pub index: usize,
}
