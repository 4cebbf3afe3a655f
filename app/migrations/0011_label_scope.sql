-- Label counts read off the label index alone.
--
-- An inbox view's count under a label (All open, label "billing": 17,000
-- active of a million) looked up each labelled conversation to test its
-- workspace, inbox and assignee: about 1.7 µs a row, 18 ms for a count
-- capped at 10,001. So each label row also carries the columns an inbox
-- view narrows by — spam, workspace, inbox, assignee — kept by the
-- triggers below like `active` (migration 0010), and the label index holds
-- them all: such a count is a range of that one index, no row read.
--
-- Status, channel, priority, dates and search are not copied: with those a
-- label's count still looks its conversations up (see `count_query`).

ALTER TABLE conversation_labels ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversation_labels ADD COLUMN workspace_id INTEGER;
ALTER TABLE conversation_labels ADD COLUMN inbox_id INTEGER;
ALTER TABLE conversation_labels ADD COLUMN assignee_id INTEGER;

UPDATE conversation_labels SET (spam, workspace_id, inbox_id, assignee_id) = (
    SELECT c.spam, c.workspace_id, c.inbox_id, c.assignee_id
    FROM conversations c WHERE c.id = conversation_labels.conversation_id);

DROP INDEX conversation_labels_label;
CREATE INDEX conversation_labels_label ON conversation_labels
    (label COLLATE NOCASE, active, spam, workspace_id, inbox_id, assignee_id, conversation_id);

-- A new label takes its conversation's state (replaces 0010's trigger).
DROP TRIGGER conversation_labels_active_on_insert;
CREATE TRIGGER conversation_labels_scope_on_insert AFTER INSERT ON conversation_labels
BEGIN
    UPDATE conversation_labels SET (active, spam, workspace_id, inbox_id, assignee_id) = (
        SELECT c.spam = 0 AND c.status IN ('new', 'open', 'pending'), c.spam, c.workspace_id, c.inbox_id, c.assignee_id
        FROM conversations c WHERE c.id = NEW.conversation_id)
    WHERE conversation_id = NEW.conversation_id AND label = NEW.label;
END;

-- 0010's trigger followed only `active`; resolving a spam conversation
-- keeps it inactive but must not leave its labels counted as not spam.
DROP TRIGGER conversations_label_active;
CREATE TRIGGER conversations_label_active AFTER UPDATE OF spam, status ON conversations
WHEN (OLD.spam = 0 AND OLD.status IN ('new', 'open', 'pending'))
  IS NOT (NEW.spam = 0 AND NEW.status IN ('new', 'open', 'pending'))
  OR OLD.spam IS NOT NEW.spam
BEGIN
    UPDATE conversation_labels SET active = (NEW.spam = 0 AND NEW.status IN ('new', 'open', 'pending')),
        spam = NEW.spam
    WHERE conversation_id = NEW.id;
END;

-- Assigning and moving carry the labels along; the WHEN keeps every other
-- update (a new message, a status change) free.
CREATE TRIGGER conversations_label_scope AFTER UPDATE OF inbox_id, assignee_id ON conversations
WHEN OLD.inbox_id IS NOT NEW.inbox_id OR OLD.assignee_id IS NOT NEW.assignee_id
BEGIN
    UPDATE conversation_labels SET inbox_id = NEW.inbox_id, assignee_id = NEW.assignee_id
    WHERE conversation_id = NEW.id;
END;
