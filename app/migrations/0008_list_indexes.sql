-- Lists that stay an index range at a million conversations.
--
-- A list page reads its rows in the sort's index order and, on the first
-- page, counts up to 10,001 matches. Before this migration the indexes held
-- only the sort key, so every entry walked cost a lookup of the whole row to
-- test spam, status, inbox, assignee …: a first page of "All open" (about a
-- sixth of all conversations) plus its count read ~60,000 rows.
--
-- Two changes:
-- 1. Every list index carries the columns the list's WHERE reads (the
--    "covering" tail), so filters are tested inside the index and the table
--    is read only for the rows a page returns.
-- 2. Partial indexes hold only the active rows (the inbox views' default:
--    not spam, new/open/pending) and only the unread ones ("My unread"), so
--    those views and their counts are short ranges, not a walk past the
--    resolved and closed history. Their WHERE must stay word for word what
--    `conversations::list::push_filter` writes, or SQLite cannot use them.
--
-- Each index exists for a view or filter of `push_filter` in a sort of
-- `sort_columns`; `server/tests/it/list_views.rs` EXPLAINs every combination.
-- The covering tail, in every index (less the columns already in its key):
--   workspace_id, spam, status, inbox_id, assignee_id, unread, channel_id,
--   priority_rank, created_at, last_activity_at
-- Partial indexes carry their WHERE's columns too: SQLite still tests
-- `spam = 0` on each entry and would otherwise read the row for it.

-- All rows: the All and Spam views, and any view once a status is chosen.
DROP INDEX conversations_activity;
CREATE INDEX conversations_activity ON conversations (workspace_id, last_activity_at DESC, id DESC,
    spam, status, inbox_id, assignee_id, unread, channel_id, priority_rank, created_at);
DROP INDEX conversations_created;
CREATE INDEX conversations_created ON conversations (workspace_id, created_at, id,
    spam, status, inbox_id, assignee_id, unread, channel_id, priority_rank, last_activity_at);
DROP INDEX conversations_priority;
CREATE INDEX conversations_priority ON conversations (workspace_id, priority_rank DESC, last_activity_at DESC, id DESC,
    spam, status, inbox_id, assignee_id, unread, channel_id, created_at);
DROP INDEX conversations_status_activity;
CREATE INDEX conversations_status_activity ON conversations (workspace_id, status, last_activity_at DESC, id DESC,
    spam, inbox_id, assignee_id, unread, channel_id, priority_rank, created_at);
DROP INDEX conversations_inbox_activity;
CREATE INDEX conversations_inbox_activity ON conversations (inbox_id, last_activity_at DESC, id DESC,
    workspace_id, spam, status, assignee_id, unread, channel_id, priority_rank, created_at);
DROP INDEX conversations_assignee_activity;
CREATE INDEX conversations_assignee_activity ON conversations (assignee_id, last_activity_at DESC, id DESC,
    workspace_id, spam, status, inbox_id, unread, channel_id, priority_rank, created_at);
DROP INDEX conversations_channel_activity;
CREATE INDEX conversations_channel_activity ON conversations (channel_id, last_activity_at DESC, id DESC,
    workspace_id, spam, status, inbox_id, assignee_id, unread, priority_rank, created_at);

-- Active rows (All open, Mine, Unassigned, and their filters).
CREATE INDEX conversations_open_activity ON conversations (workspace_id, last_activity_at DESC, id DESC,
    spam, status, inbox_id, assignee_id, unread, channel_id, priority_rank, created_at)
    WHERE spam = 0 AND status IN ('new', 'open', 'pending');
CREATE INDEX conversations_open_created ON conversations (workspace_id, created_at, id,
    spam, status, inbox_id, assignee_id, unread, channel_id, priority_rank, last_activity_at)
    WHERE spam = 0 AND status IN ('new', 'open', 'pending');
CREATE INDEX conversations_open_priority ON conversations (workspace_id, priority_rank DESC, last_activity_at DESC, id DESC,
    spam, status, inbox_id, assignee_id, unread, channel_id, created_at)
    WHERE spam = 0 AND status IN ('new', 'open', 'pending');
CREATE INDEX conversations_open_assignee ON conversations (assignee_id, last_activity_at DESC, id DESC,
    spam, workspace_id, status, inbox_id, unread, channel_id, priority_rank, created_at)
    WHERE spam = 0 AND status IN ('new', 'open', 'pending');
CREATE INDEX conversations_open_inbox ON conversations (inbox_id, last_activity_at DESC, id DESC,
    spam, workspace_id, status, assignee_id, unread, channel_id, priority_rank, created_at)
    WHERE spam = 0 AND status IN ('new', 'open', 'pending');
CREATE INDEX conversations_open_channel ON conversations (channel_id, last_activity_at DESC, id DESC,
    spam, workspace_id, status, inbox_id, assignee_id, unread, priority_rank, created_at)
    WHERE spam = 0 AND status IN ('new', 'open', 'pending');

-- Unread rows of a person (My unread), in each sort.
CREATE INDEX conversations_unread_activity ON conversations (assignee_id, last_activity_at DESC, id DESC,
    spam, unread, workspace_id, status, inbox_id, channel_id, priority_rank, created_at)
    WHERE spam = 0 AND unread = 1;
CREATE INDEX conversations_unread_created ON conversations (assignee_id, created_at, id,
    spam, unread, workspace_id, status, inbox_id, channel_id, priority_rank, last_activity_at)
    WHERE spam = 0 AND unread = 1;
CREATE INDEX conversations_unread_priority ON conversations (assignee_id, priority_rank DESC, last_activity_at DESC, id DESC,
    spam, unread, workspace_id, status, inbox_id, channel_id, created_at)
    WHERE spam = 0 AND unread = 1;
