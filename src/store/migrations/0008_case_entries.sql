-- A case's own record beyond its duties (issue 12): notes and recorded actions (spoke to
-- the pupil, referred to the LADO, ...), and each closing and reopening with its outcome
-- and reason. Text and external references are sealed with the keyring like other report
-- text; the audit log holds their content hashes. Entries are never changed or deleted.

CREATE TABLE case_entries (
  id            TEXT PRIMARY KEY,
  report_id     TEXT NOT NULL REFERENCES reports (id),
  kind          TEXT NOT NULL CHECK (kind IN ('note', 'action', 'closed', 'reopened')),
  what          TEXT,
  actor         TEXT NOT NULL,
  at            TEXT NOT NULL,
  text          TEXT,
  external_ref  TEXT
);
CREATE INDEX case_entries_report ON case_entries (report_id, at);
CREATE TRIGGER case_entries_keep_update BEFORE UPDATE ON case_entries
BEGIN SELECT RAISE(ABORT, 'case entries are never changed'); END;
CREATE TRIGGER case_entries_keep_delete BEFORE DELETE ON case_entries
BEGIN SELECT RAISE(ABORT, 'case entries are never deleted'); END;
