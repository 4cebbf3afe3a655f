-- Files customers send on WhatsApp. The webhook carries only a media id;
-- the bytes are fetched from the Graph API after the webhook is answered,
-- so each message with a file keeps what to fetch and how the last try
-- went (the message itself is stored either way).
CREATE TABLE whatsapp_media (
    message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    media_id    TEXT NOT NULL,
    -- image | video | audio | document | sticker, as the webhook says.
    kind        TEXT NOT NULL,
    -- The document's own name, when the customer's app sent one.
    filename    TEXT,
    mime_type   TEXT,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    -- Why the last try failed, in words an agent can act on.
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);
-- Start-up finds the downloads left pending when Parley stopped.
CREATE INDEX whatsapp_media_pending ON whatsapp_media (status) WHERE status = 'pending';
