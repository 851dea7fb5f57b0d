-- Screenshots a reporter uploaded in Slack's report form, waiting to be downloaded (with
-- the bot token) and handed to core. A report is stored before its files are fetched; a
-- failed download is retried with back-off, and the DSL sees the evidence as pending.

CREATE TABLE slack_pending_files (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id        TEXT NOT NULL,
  reporter_id      TEXT NOT NULL,
  file_id          TEXT NOT NULL,
  name             TEXT NOT NULL,
  url              TEXT NOT NULL,
  meta_json        TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  created_at       TEXT NOT NULL,
  UNIQUE (report_id, file_id)
);
CREATE INDEX slack_pending_files_due ON slack_pending_files (status, next_attempt_at);
