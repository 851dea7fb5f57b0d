-- The outbox as one durable queue for every process: a claim (who is sending a row, and
-- until when) so two processes never send the same row; the code of the last failure;
-- a log of every attempt (ids and codes, never message text); indexes that keep order
-- per channel, recipient and report.

ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_until INTEGER;
ALTER TABLE outbox ADD COLUMN error_code TEXT;

CREATE INDEX outbox_order ON outbox (channel, recipient_id, report_id, status);

CREATE TABLE outbox_attempts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id   TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  at          TEXT NOT NULL,
  -- 'sent', 'transient' (will retry) or 'permanent' (the platform refused it)
  outcome     TEXT NOT NULL CHECK (outcome IN ('sent', 'transient', 'permanent')),
  code        TEXT,
  detail      TEXT,
  duration_ms INTEGER
);
CREATE INDEX outbox_attempts_by_row ON outbox_attempts (outbox_id, id);

-- /healthz writes here (one row) to learn whether the database can be written now.
CREATE TABLE health_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT NOT NULL
);
