-- The first schema: reports and their duties, evidence metadata, the hash-chained
-- audit log, the outbox of messages to deliver, timers, idempotency keys.

CREATE TABLE reports (
  id              TEXT PRIMARY KEY,
  reference       TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed')),
  urgent          INTEGER NOT NULL CHECK (urgent IN (0, 1)),
  reporter_id     TEXT NOT NULL,
  submitted_at    TEXT NOT NULL,
  form_json       TEXT NOT NULL,
  routing_json    TEXT NOT NULL,
  acknowledged_at TEXT,
  closed_at       TEXT,
  closed_by       TEXT,
  outcome         TEXT,
  close_reason    TEXT
);
CREATE INDEX reports_reporter ON reports (reporter_id, submitted_at);
CREATE INDEX reports_status ON reports (status);

CREATE TABLE reference_counters (
  year INTEGER PRIMARY KEY,
  last INTEGER NOT NULL
);

CREATE TABLE duties (
  id           TEXT PRIMARY KEY,
  report_id    TEXT NOT NULL REFERENCES reports (id),
  type         TEXT NOT NULL CHECK (type IN ('acknowledge', 'decision', 'task')),
  rules_json   TEXT NOT NULL,
  nominal_role TEXT NOT NULL,
  levels_json  TEXT NOT NULL,
  reach        INTEGER NOT NULL,
  via          TEXT NOT NULL CHECK (via IN ('dsl_channel', 'direct_message')),
  spec_json    TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('open', 'done')),
  done_by      TEXT,
  done_at      TEXT,
  result_json  TEXT,
  created_at   TEXT NOT NULL
);
CREATE INDEX duties_report ON duties (report_id);

CREATE TABLE evidence (
  id         TEXT PRIMARY KEY,
  report_id  TEXT NOT NULL REFERENCES reports (id),
  sha256     TEXT NOT NULL,
  size       INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  file_name  TEXT,
  taken_at   TEXT,
  posted_at  TEXT,
  added_by   TEXT NOT NULL,
  added_at   TEXT NOT NULL,
  UNIQUE (report_id, sha256)
);
-- Evidence is kept, never deleted [004 §11.2, §11.4].
CREATE TRIGGER evidence_keep_update BEFORE UPDATE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence records are never changed'); END;
CREATE TRIGGER evidence_keep_delete BEFORE DELETE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence records are never deleted'); END;

-- G7: append-only, each entry holding the previous entry's hash.
CREATE TABLE audit_log (
  seq          INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  report_id    TEXT,
  details_json TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_report ON audit_log (report_id, seq);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- The newest entry, so that losing entries from the end is detected too.
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  dedupe_key      TEXT NOT NULL UNIQUE,
  channel         TEXT NOT NULL,
  recipient_type  TEXT NOT NULL CHECK (recipient_type IN ('person', 'dsl_channel')),
  recipient_id    TEXT NOT NULL,
  message_type    TEXT NOT NULL,
  report_id       TEXT,
  payload_json    TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE timers (
  token      TEXT PRIMARY KEY,
  report_id  TEXT NOT NULL REFERENCES reports (id),
  duty_id    TEXT NOT NULL REFERENCES duties (id),
  kind       TEXT NOT NULL CHECK (kind IN ('ack_remind', 'ack_escalate', 'decision_due')),
  due_at     INTEGER NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('pending', 'done', 'cancelled')),
  created_at TEXT NOT NULL,
  fired_at   TEXT
);
CREATE INDEX timers_due ON timers (status, due_at);

CREATE TABLE idempotency_keys (
  key         TEXT PRIMARY KEY,
  result_json TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
