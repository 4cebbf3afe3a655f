-- The website widget channel.

-- A browser that has written in through a widget: it keeps the token (we
-- keep its SHA-256) and reads its conversation with it. One contact may
-- have several visitors (devices); a visitor whose site signed its
-- identity keeps the site's identifier, which finds the contact again.
CREATE TABLE widget_visitors (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    channel_id       INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    token_hash       TEXT NOT NULL UNIQUE,
    contact_id       INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    identifier       TEXT,
    -- The conversation the visitor's next message joins and the panel shows.
    conversation_id  INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL
);
-- A signed-in visitor on a new device finds their contact by identifier.
CREATE INDEX widget_visitors_identifier ON widget_visitors (channel_id, identifier) WHERE identifier IS NOT NULL;

-- Where a conversation came from, for transports that say (the widget):
-- the page the visitor last wrote from and the attributes its snippet
-- passed (a JSON object of short texts). One row per conversation, so the
-- hot conversations table and its list indexes stay as they are.
CREATE TABLE conversation_context (
    conversation_id  INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    page_url         TEXT,
    attributes       TEXT NOT NULL DEFAULT '{}',
    updated_at       INTEGER NOT NULL
);
