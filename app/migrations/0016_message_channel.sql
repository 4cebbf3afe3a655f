-- A reply may go out on another of the contact's channels than the one the
-- conversation arrived on (a website chat answered by email, an email
-- thread followed up by text). Such a message names its channel here;
-- NULL, as for every message before, means the conversation's own. The
-- providers' adapters and their status reports read
-- COALESCE(m.channel_id, c.channel_id).
ALTER TABLE messages ADD COLUMN channel_id INTEGER REFERENCES channels(id) ON DELETE SET NULL;
