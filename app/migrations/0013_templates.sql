-- Reply templates (canned responses): text an agent inserts into the
-- composer by typing its shortcut (`/refund`), with merge fields filled for
-- the open conversation.

-- `kind` is what the text is written for: 'email' (subject and body) or
-- 'text' (body only, for SMS and WhatsApp — and the website chat and API
-- channels, which carry plain text too). One 'text' kind rather than one per
-- channel kind, because SMS and WhatsApp replies are the same short plain
-- text: admins would otherwise keep two copies of every text.
CREATE TABLE templates (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    -- Stored as typed, without the leading slash.
    shortcut      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('email', 'text')),
    subject       TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL,
    -- Who wrote it; NULL for the demo's seeded ones.
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- One shortcut per workspace in any case (/Refund and /refund would be the
-- same keystrokes in the composer). The list query reads a workspace's
-- templates ordered by shortcut in this same collation, so this index also
-- serves it: no sort, no scan.
CREATE UNIQUE INDEX templates_shortcut ON templates (workspace_id, shortcut COLLATE NOCASE);
