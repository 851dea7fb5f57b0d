-- Retention and transfer (issue 14, item 7). A legal hold keeps a case from disposal; a
-- disposal leaves a tombstone (reference, kind, dates, who, why; no content) and removes
-- the case's rows, which the keep-triggers of 0001 and 0008 now allow for a disposed case
-- only. A transfer records a pack sent to a pupil's next school and its receipt deadline.

CREATE TABLE legal_holds (
  report_id TEXT PRIMARY KEY REFERENCES reports (id),
  reason    TEXT NOT NULL,
  set_by    TEXT NOT NULL,
  set_at    TEXT NOT NULL
);

CREATE TABLE disposals (
  report_id    TEXT PRIMARY KEY,
  reference    TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  closed_at    TEXT,
  review_date  TEXT NOT NULL,
  disposed_at  TEXT NOT NULL,
  disposed_by  TEXT NOT NULL,
  reason       TEXT NOT NULL
);
CREATE TRIGGER disposals_keep_update BEFORE UPDATE ON disposals
BEGIN SELECT RAISE(ABORT, 'tombstones are never changed'); END;
CREATE TRIGGER disposals_keep_delete BEFORE DELETE ON disposals
BEGIN SELECT RAISE(ABORT, 'tombstones are never deleted'); END;

CREATE TABLE transfers (
  code         TEXT PRIMARY KEY,
  report_ids   TEXT NOT NULL,
  to_school    TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  due_at       TEXT NOT NULL,
  confirmed_at TEXT,
  confirmed_by TEXT,
  reminded_at  TEXT
);
CREATE INDEX transfers_due ON transfers (confirmed_at, due_at);

DROP TRIGGER evidence_keep_delete;
CREATE TRIGGER evidence_keep_delete BEFORE DELETE ON evidence
WHEN NOT EXISTS (SELECT 1 FROM disposals WHERE report_id = OLD.report_id)
BEGIN SELECT RAISE(ABORT, 'evidence records are never deleted'); END;
DROP TRIGGER case_entries_keep_delete;
CREATE TRIGGER case_entries_keep_delete BEFORE DELETE ON case_entries
WHEN NOT EXISTS (SELECT 1 FROM disposals WHERE report_id = OLD.report_id)
BEGIN SELECT RAISE(ABORT, 'case entries are never deleted'); END;
