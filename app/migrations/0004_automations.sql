-- Routing rules: ordered per workspace, the first enabled match decides
-- where a new conversation goes.
CREATE TABLE routing_rules (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1,
    -- JSON: what the arrival must look like (see routing/model.rs).
    conditions    TEXT NOT NULL,
    inbox_id      INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    team_id       INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    priority      TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX routing_rules_order ON routing_rules (workspace_id, position, id);

-- Automations: trigger, conditions, actions (JSON documents, read whole),
-- and what the rule last did so Settings can show it.
CREATE TABLE automations (
    id                    INTEGER PRIMARY KEY,
    workspace_id          INTEGER NOT NULL REFERENCES workspaces(id),
    name                  TEXT NOT NULL,
    enabled               INTEGER NOT NULL DEFAULT 1,
    trigger               TEXT NOT NULL,
    conditions            TEXT NOT NULL DEFAULT '[]',
    actions               TEXT NOT NULL DEFAULT '[]',
    recipe                TEXT,
    run_count             INTEGER NOT NULL DEFAULT 0,
    last_run_at           INTEGER,
    last_conversation_id  INTEGER,
    last_error            TEXT,
    last_error_at         INTEGER,
    created_at            INTEGER NOT NULL
);
CREATE INDEX automations_workspace ON automations (workspace_id, id);

-- Durable work with a due time: automation timers, delayed auto-replies,
-- rule runs queued from events. A runner claims a due job by pushing
-- `locked_until` forward in one UPDATE, so two Parley processes never run
-- the same job; a crashed run's lease expires and it runs again.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    kind             TEXT NOT NULL,
    automation_id    INTEGER REFERENCES automations(id) ON DELETE CASCADE,
    conversation_id  INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    -- One pending job per key (a timer per rule and conversation, a run per rule and event).
    dedupe           TEXT NOT NULL,
    due_at           INTEGER NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}',
    locked_until     INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    done_at          INTEGER,
    created_at       INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (due_at) WHERE done_at IS NULL;
CREATE UNIQUE INDEX jobs_pending_once ON jobs (dedupe) WHERE done_at IS NULL;

-- How far the automation engine has read the event log (one row per engine).
CREATE TABLE engine_cursor (
    name           TEXT PRIMARY KEY,
    last_event_id  INTEGER NOT NULL
);
-- Rules apply from now on, not to history.
INSERT INTO engine_cursor (name, last_event_id) VALUES ('automations', COALESCE((SELECT MAX(id) FROM events), 0));

-- The line the thread shows for an event ("Assigned to Dana by round
-- robin"), and the automations whose actions caused it (loop guard).
ALTER TABLE events ADD COLUMN activity TEXT;
ALTER TABLE events ADD COLUMN rule_chain TEXT NOT NULL DEFAULT '[]';
-- Which conversation fields the event changed (status, assignee, inbox, priority, label).
ALTER TABLE events ADD COLUMN fields TEXT NOT NULL DEFAULT '[]';

-- In-app notifications (automation "notify"), newest first per user.
CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    conversation_id  INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    text             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    read_at          INTEGER
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
-- A conversation's pending timers (details pane, tests).
CREATE INDEX jobs_conversation ON jobs (conversation_id) WHERE done_at IS NULL;
