-- Filters saved under a name (the sidebar's saved views), and each user's
-- choice of list-view columns.

-- A saved view: a list filter (JSON of `ListFilter`) under a name, private
-- to its owner or shared with the workspace.
CREATE TABLE saved_views (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    filter        TEXT NOT NULL,
    shared        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
-- The sidebar reads "mine and the shared ones" of one workspace, by name.
CREATE INDEX saved_views_workspace ON saved_views (workspace_id, user_id, name);
CREATE INDEX saved_views_shared ON saved_views (workspace_id, shared, name);
-- One name per owner, so the sidebar never shows two alike of one person.
CREATE UNIQUE INDEX saved_views_name ON saved_views (user_id, name COLLATE NOCASE);

-- The list view's columns in the user's order (JSON array of column keys);
-- NULL is the default set.
ALTER TABLE users ADD COLUMN list_columns TEXT;
