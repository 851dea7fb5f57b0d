-- Many DSL-channel posts at once (a flood) are batched: each post held back here is a
-- row (a report, its duty, what the post was: new, reminder or escalated), sent as one
-- listing at `flush_at` by the background tick. Rows survive a restart; a post is never
-- dropped, only combined with others. `extra_json` holds ids and times only.

CREATE TABLE dsl_digest (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id   TEXT NOT NULL REFERENCES reports (id),
  duty_id     TEXT NOT NULL,
  message     TEXT NOT NULL,
  extra_json  TEXT NOT NULL,
  added_at    INTEGER NOT NULL,
  flush_at    INTEGER NOT NULL,
  flushed_at  INTEGER
);
CREATE INDEX dsl_digest_due ON dsl_digest (flushed_at, flush_at);
CREATE INDEX dsl_digest_added ON dsl_digest (added_at);
CREATE INDEX outbox_dsl_recent ON outbox (recipient_type, created_at) WHERE recipient_type = 'dsl_channel';
