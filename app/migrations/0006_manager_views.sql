-- The list's filters and sorts beyond the inbox view's (priority, channel,
-- label), each with the index its list query needs.

-- Priority as a number, so "most urgent first" is an index order and not a
-- CASE evaluated per row. VIRTUAL: computed on read, costs no storage.
ALTER TABLE conversations ADD COLUMN priority_rank INTEGER
    GENERATED ALWAYS AS (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                                       WHEN 'low' THEN 1 ELSE 0 END) VIRTUAL;
-- The priority sort (and the priority filter), newest activity within a rank.
CREATE INDEX conversations_priority ON conversations (workspace_id, priority_rank DESC, last_activity_at DESC, id DESC);
-- The channel filter (channel_id IN the channels of one kind).
CREATE INDEX conversations_channel_activity ON conversations (channel_id, last_activity_at DESC, id DESC);
-- The label filter finds its conversations; labels compare case-insensitively.
CREATE INDEX conversation_labels_label ON conversation_labels (label COLLATE NOCASE, conversation_id);
