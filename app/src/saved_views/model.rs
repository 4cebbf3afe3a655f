//! The saved view as browser and server see it.

use serde::{Deserialize, Serialize};

use crate::conversations::model::ListFilter;
use crate::ids::{SavedViewId, UserId};

/// A filter saved under a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedView {
    pub id: SavedViewId,
    pub name: String,
    pub filter: ListFilter,
    /// Shown to everyone in the workspace, not only its owner.
    pub shared: bool,
    pub owner_id: UserId,
    pub owner_name: String,
    /// Whether the viewer may delete it (its owner, or an admin if shared).
    pub can_delete: bool,
}

/// The longest name the sidebar shows whole.
pub const NAME_MAX: usize = 60;
/// Saved views one person may own (the sidebar stays a sidebar).
pub const PER_USER_MAX: i64 = 50;
