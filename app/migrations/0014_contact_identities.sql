-- The addresses and numbers a person has besides their contact's main
-- email and phone. Merging two contacts keeps the second one's email and
-- phone here, so nothing is lost and a later message from either address
-- or number still finds the one person (see contacts/merge.rs and
-- `find_or_create`). Like the main fields, each belongs to one contact.

CREATE TABLE contact_identities (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    value         TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
-- Found by value on every arrival that names no known main address.
CREATE UNIQUE INDEX contact_identities_value ON contact_identities (workspace_id, kind, lower(value));
-- Listed with their contact.
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);
