-- Label lists and counts that read only the active labelled conversations.
--
-- The inbox views (All open, Mine, Unassigned) show active conversations:
-- not spam, and new, open or pending. A common label ("vip" on 25,000 of a
-- million conversations, 4,000 of them active) made such a list either
-- walk every active conversation testing the label, or look up every
-- labelled one to test its status: about 200 ms for the count alone.
--
-- So each label row knows whether its conversation is active, kept by the
-- triggers below, and its index starts (label, active): an active view's
-- label list is then a lookup of just its active conversations by id.
-- The flag's test must stay word for word the partial indexes' WHERE of
-- migration 0008 (spam = 0 AND status IN ('new', 'open', 'pending')).

ALTER TABLE conversation_labels ADD COLUMN active INTEGER NOT NULL DEFAULT 0;

UPDATE conversation_labels SET active = (
    SELECT c.spam = 0 AND c.status IN ('new', 'open', 'pending')
    FROM conversations c WHERE c.id = conversation_labels.conversation_id);

DROP INDEX conversation_labels_label;
CREATE INDEX conversation_labels_label ON conversation_labels (label COLLATE NOCASE, active, conversation_id);

-- A new label takes its conversation's state.
CREATE TRIGGER conversation_labels_active_on_insert AFTER INSERT ON conversation_labels
BEGIN
    UPDATE conversation_labels SET active = (
        SELECT c.spam = 0 AND c.status IN ('new', 'open', 'pending')
        FROM conversations c WHERE c.id = NEW.conversation_id)
    WHERE conversation_id = NEW.conversation_id AND label = NEW.label;
END;

-- A conversation that becomes active or stops being active (resolved,
-- closed, snoozed, marked spam, reopened) carries its labels along. The
-- WHEN keeps every other update (a new message, an assignment) free.
CREATE TRIGGER conversations_label_active AFTER UPDATE OF spam, status ON conversations
WHEN (OLD.spam = 0 AND OLD.status IN ('new', 'open', 'pending'))
  IS NOT (NEW.spam = 0 AND NEW.status IN ('new', 'open', 'pending'))
BEGIN
    UPDATE conversation_labels SET active = (NEW.spam = 0 AND NEW.status IN ('new', 'open', 'pending'))
    WHERE conversation_id = NEW.id;
END;
