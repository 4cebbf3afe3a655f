-- Parley's first schema (SQLite). Times are INTEGER milliseconds since the
-- Unix epoch: they sort and index as numbers on SQLite and PostgreSQL alike.
-- Enums are TEXT words checked here so bad data cannot land even by hand.

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    availability  TEXT NOT NULL DEFAULT 'available' CHECK (availability IN ('available', 'away', 'offline')),
    signature     TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
-- Login looks users up by address, case-insensitively; one account per address.
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE teams (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
-- The access check walks from a user to their teams.
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE inboxes (
    id                   INTEGER PRIMARY KEY,
    workspace_id         INTEGER NOT NULL REFERENCES workspaces(id),
    name                 TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    email                TEXT,
    is_default           INTEGER NOT NULL DEFAULT 0,
    color                TEXT NOT NULL DEFAULT '#3B82F6',
    icon                 TEXT NOT NULL DEFAULT 'inbox',
    default_assignee_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    access_everyone      INTEGER NOT NULL DEFAULT 1,
    -- Policy documents kept whole as JSON (shape in inboxes/model.rs):
    -- they are read and written as a unit, never queried by field.
    assignment_rules     TEXT NOT NULL DEFAULT '{}',
    working_hours        TEXT NOT NULL DEFAULT '{}',
    auto_responder       TEXT NOT NULL DEFAULT '{}',
    outside_hours_message TEXT NOT NULL DEFAULT '',
    created_at           INTEGER NOT NULL
);
-- Names are unique per workspace, compared case-insensitively.
CREATE UNIQUE INDEX inboxes_name ON inboxes (workspace_id, lower(name));

-- Who belongs to an inbox (its access list when access_everyone = 0, and
-- the assignment pool), with their inbox role.
CREATE TABLE inbox_members (
    inbox_id  INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role      TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('admin', 'agent')),
    PRIMARY KEY (inbox_id, user_id)
);
-- The access check asks "which inboxes may this user see".
CREATE INDEX inbox_members_user ON inbox_members (user_id);

CREATE TABLE inbox_teams (
    inbox_id  INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    PRIMARY KEY (inbox_id, team_id)
);
CREATE INDEX inbox_teams_team ON inbox_teams (team_id);

CREATE TABLE channels (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('email', 'sms', 'whatsapp', 'widget', 'api')),
    inbox_id      INTEGER NOT NULL REFERENCES inboxes(id),
    enabled       INTEGER NOT NULL DEFAULT 1,
    settings      TEXT NOT NULL DEFAULT '{}',
    -- Unguessable; names the channel in hook and widget URLs.
    token         TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL
);
CREATE INDEX channels_workspace ON channels (workspace_id, kind);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT,
    phone         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- One person is one contact: an address or number belongs to one contact.
CREATE UNIQUE INDEX contacts_email ON contacts (workspace_id, lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone ON contacts (workspace_id, phone) WHERE phone IS NOT NULL;
-- The contact list pages by (name, id).
CREATE INDEX contacts_list ON contacts (workspace_id, id DESC);

CREATE TABLE conversations (
    id                 INTEGER PRIMARY KEY,
    workspace_id       INTEGER NOT NULL REFERENCES workspaces(id),
    inbox_id           INTEGER NOT NULL REFERENCES inboxes(id),
    channel_id         INTEGER NOT NULL REFERENCES channels(id),
    contact_id         INTEGER NOT NULL REFERENCES contacts(id),
    subject            TEXT NOT NULL DEFAULT '',
    -- The latest message's first line, kept here so the list needs no join to messages.
    preview            TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'open', 'pending', 'snoozed', 'resolved', 'closed')),
    priority           TEXT NOT NULL DEFAULT 'none'
                       CHECK (priority IN ('none', 'low', 'medium', 'high', 'urgent')),
    assignee_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    spam               INTEGER NOT NULL DEFAULT 0,
    unread             INTEGER NOT NULL DEFAULT 1,
    snoozed_until      INTEGER,
    message_count      INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    last_activity_at   INTEGER NOT NULL,
    first_response_at  INTEGER,
    last_inbound_at    INTEGER,
    last_outbound_at   INTEGER,
    resolved_at        INTEGER,
    closed_at          INTEGER
);
-- Keyset pages of the list, newest activity first, per view and filter:
-- the whole workspace, one inbox, one assignee, one status.
CREATE INDEX conversations_activity ON conversations (workspace_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_inbox_activity ON conversations (inbox_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_assignee_activity ON conversations (assignee_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_status_activity ON conversations (workspace_id, status, last_activity_at DESC, id DESC);
-- "Order added" sort.
CREATE INDEX conversations_created ON conversations (workspace_id, created_at, id);
-- A contact's other conversations (right pane, contact page).
CREATE INDEX conversations_contact ON conversations (contact_id, last_activity_at DESC);
-- The snooze waker finds what is due.
CREATE INDEX conversations_snoozed ON conversations (snoozed_until) WHERE status = 'snoozed';

CREATE TABLE conversation_labels (
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    label            TEXT NOT NULL,
    PRIMARY KEY (conversation_id, label)
);

CREATE TABLE messages (
    id                   INTEGER PRIMARY KEY,
    conversation_id      INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction            TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')),
    channel_kind         TEXT NOT NULL CHECK (channel_kind IN ('email', 'sms', 'whatsapp', 'widget', 'api', 'note')),
    sender_user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    sender_contact_id    INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    subject              TEXT NOT NULL DEFAULT '',
    body                 TEXT NOT NULL,
    -- Sanitized HTML only; raw HTML is never stored here.
    html                 TEXT,
    delivery_status      TEXT CHECK (delivery_status IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    failure_reason       TEXT,
    provider_message_id  TEXT,
    created_at           INTEGER NOT NULL
);
-- The thread, oldest first.
CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- The append-only audit trail; also the live stream and its catch-up.
CREATE TABLE events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    conversation_id  INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
    inbox_id         INTEGER,
    kind             TEXT NOT NULL,
    actor_user_id    INTEGER,
    payload          TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);
-- Catch-up reads "everything after id N in my workspace".
CREATE INDEX events_workspace ON events (workspace_id, id);
CREATE INDEX events_conversation ON events (conversation_id, id);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    -- SHA-256 of the key: keys are long random strings, so a fast hash is
    -- enough and lets every request look the key up by index.
    key_hash      TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
