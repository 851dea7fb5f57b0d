-- Pupil identities (issue 14, item 4). A pupil is, by default, their name and year group
-- as reported; this table keeps only what the DSL changed, in order: a merge (one identity
-- into another) or a case split off to a new identity. Identity ids are keyed hashes or
-- random, never names; the reason is sealed (aad "pupil_identity_changes.reason:<id>").
-- Undoing is the opposite step, so nothing here is ever changed or deleted.

CREATE TABLE pupil_identity_changes (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  id        TEXT NOT NULL UNIQUE,
  action    TEXT NOT NULL CHECK (action IN ('merge', 'split')),
  from_id   TEXT NOT NULL,
  into_id   TEXT NOT NULL,
  report_id TEXT,
  slot      TEXT,
  reason    TEXT NOT NULL,
  actor     TEXT NOT NULL,
  at        TEXT NOT NULL,
  CHECK (action = 'merge' OR (report_id IS NOT NULL AND slot IS NOT NULL))
);
CREATE TRIGGER pupil_identity_changes_keep_update BEFORE UPDATE ON pupil_identity_changes
BEGIN SELECT RAISE(ABORT, 'pupil identity changes are never changed'); END;
CREATE TRIGGER pupil_identity_changes_keep_delete BEFORE DELETE ON pupil_identity_changes
BEGIN SELECT RAISE(ABORT, 'pupil identity changes are never deleted'); END;
