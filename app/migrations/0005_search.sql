-- Full-text search (FTS5) over what staff look for: the text of messages,
-- conversation subjects, and contacts. Search code: app/src/search/.
--
-- All three use `unicode61 remove_diacritics 2`: case- and accent-blind, so
-- "cafe" finds "café" and "resume" finds "résumé" (2 rather than 1 also
-- folds letters that carry several diacritics, as Vietnamese ones do).
--
-- All three are external-content tables: the text lives once, in its own
-- table; the index holds only tokens, and snippet() reads the row back by
-- rowid, which is the source row's id. Triggers keep each index in step,
-- inside the same transaction as the write, so a committed message is
-- searchable at once and a rolled-back one never is. The 'delete' commands
-- hand FTS5 the old values because an external-content index can only
-- remove the tokens it is told about.

-- Message subject and body (the text extracted from HTML for email; the
-- sanitized HTML is not indexed, so markup and attributes never match).
-- Notes are indexed too: this is staff search.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, body,
    content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Every new message is searchable in the transaction that stores it.
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;

-- Only when the indexed text changes: delivery status, the Message-ID and
-- the stored HTML are updated often and must not churn the index.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, body) VALUES ('delete', old.id, old.subject, old.body);
    INSERT INTO messages_fts (rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;

-- Also fires for the ON DELETE CASCADE from conversations, so deleting a
-- conversation leaves no stale hits.
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, body) VALUES ('delete', old.id, old.subject, old.body);
END;

-- Conversation subjects: a conversation created via the API or by the team
-- may have a subject that no message repeats.
CREATE VIRTUAL TABLE conversations_fts USING fts5(
    subject,
    content = 'conversations', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_fts (rowid, subject) VALUES (new.id, new.subject);
END;

-- Only on a subject change: status, activity and counters change with
-- every message and must not touch the index.
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF subject ON conversations BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO conversations_fts (rowid, subject) VALUES (new.id, new.subject);
END;

CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;

-- Contacts: who wrote in, by name, email or phone. Email and phone may be
-- NULL; FTS5 indexes NULL as no text.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    name, email, phone,
    content = 'contacts', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name, email, phone) VALUES (new.id, new.name, new.email, new.phone);
END;

-- Only when a searchable field changes (updated_at alone does not count).
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, email, phone ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name, email, phone)
        VALUES ('delete', old.id, old.name, old.email, old.phone);
    INSERT INTO contacts_fts (rowid, name, email, phone) VALUES (new.id, new.name, new.email, new.phone);
END;

CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name, email, phone)
        VALUES ('delete', old.id, old.name, old.email, old.phone);
END;

-- Index what is already there ('rebuild' reads the content tables).
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild');
INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');
