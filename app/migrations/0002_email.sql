-- The email channel: threading keys, CC, attachments, raw mail kept for
-- inspection, the sender blocklist and channel health.

-- The local part of a channel's forwarding address (`support-ab12cd34`),
-- fixed at creation so forwarding rules set up by customers keep working
-- when the channel's settings change.
ALTER TABLE channels ADD COLUMN inbound_local TEXT;
CREATE UNIQUE INDEX channels_inbound_local ON channels (lower(inbound_local)) WHERE inbound_local IS NOT NULL;
-- Last health check: ok | unconfigured | failing, with the reason.
ALTER TABLE channels ADD COLUMN health_status TEXT NOT NULL DEFAULT 'ok'
    CHECK (health_status IN ('ok', 'unconfigured', 'failing'));
ALTER TABLE channels ADD COLUMN health_detail TEXT;
ALTER TABLE channels ADD COLUMN health_checked_at INTEGER;

-- The RFC 5322 Message-ID of every mail Parley sent or received, so a reply's
-- In-Reply-To / References finds its conversation.
ALTER TABLE messages ADD COLUMN message_id TEXT;
CREATE INDEX messages_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
-- SHA-256 of the parsed content: the same Message-ID with the same content
-- is one delivery seen twice.
ALTER TABLE messages ADD COLUMN content_hash TEXT;
-- JSON array of addresses copied on this message.
ALTER TABLE messages ADD COLUMN cc TEXT NOT NULL DEFAULT '[]';
-- The auto-reply is sent by no agent; the thread says so.
ALTER TABLE messages ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;

-- JSON array of addresses kept on every reply (inbound CCs, reply-all people).
ALTER TABLE conversations ADD COLUMN cc TEXT NOT NULL DEFAULT '[]';
-- A reply that arrived after the reopen window starts a new conversation
-- that points back at the old one.
ALTER TABLE conversations ADD COLUMN previous_conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL;

-- Files on messages. The bytes live on disk under the data directory,
-- named by their SHA-256 (identical files are stored once).
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    -- Set for inline parts (`cid:` images in HTML mail).
    content_id    TEXT,
    inline        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
-- A thread loads its messages' attachments in one query.
CREATE INDEX attachments_message ON attachments (message_id);

-- Every mail received, raw, before parsing: what was accepted (and into
-- which message), and what was rejected and why. Nothing is lost.
CREATE TABLE inbound_mail (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER REFERENCES workspaces(id),
    channel_id    INTEGER REFERENCES channels(id) ON DELETE SET NULL,
    transport     TEXT NOT NULL CHECK (transport IN ('smtp', 'http')),
    mail_from     TEXT NOT NULL DEFAULT '',
    rcpt_to       TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL,
    -- The first bytes only when the mail was over the size limit.
    raw           BLOB NOT NULL,
    truncated     INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL CHECK (status IN ('accepted', 'duplicate', 'rejected')),
    error         TEXT,
    message_id    INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    received_at   INTEGER NOT NULL
);
-- Settings shows a channel's rejected mail, newest first.
CREATE INDEX inbound_mail_channel ON inbound_mail (channel_id, status, id DESC);

-- Senders whose mail goes to Spam (marking a conversation as spam adds its
-- contact's address; Not spam removes it).
CREATE TABLE blocked_senders (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    address       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, address)
);
-- Replies left queued when Parley stopped are sent again at start.
CREATE INDEX messages_queued ON messages (id) WHERE delivery_status = 'queued';

-- Files an agent uploaded for a reply or note not sent yet; sending moves
-- them to `attachments`.
CREATE TABLE uploads (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX uploads_user ON uploads (user_id, id);
