-- Round robin's turn per inbox, kept so it stays fair across restarts.
CREATE TABLE inbox_round_robin (
    inbox_id      INTEGER PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    last_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL
);
