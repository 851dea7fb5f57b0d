-- What the chat channels keep between restarts: where to reach people and channels
-- (Teams conversation references), which message carries which report's card (to update
-- it later), which incoming activities were already handled (duplicates have one effect),
-- and which report a person's next uploads belong to. No report text is stored here.

CREATE TABLE conversation_refs (
  channel     TEXT NOT NULL,
  -- 'user:<platform user id>', 'channel:<platform channel id>' or 'service' (the last seen endpoint)
  key         TEXT NOT NULL,
  ref_json    TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (channel, key)
);

CREATE TABLE message_refs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  channel          TEXT NOT NULL,
  report_id        TEXT NOT NULL,
  recipient_id     TEXT NOT NULL,
  duty_id          TEXT,
  message_type     TEXT NOT NULL,
  conversation_id  TEXT NOT NULL,
  message_id       TEXT NOT NULL,
  outbox_id        TEXT,
  created_at       TEXT NOT NULL
);
CREATE INDEX message_refs_by_report ON message_refs (channel, report_id, recipient_id);
CREATE UNIQUE INDEX message_refs_by_outbox ON message_refs (outbox_id) WHERE outbox_id IS NOT NULL;

CREATE TABLE handled_events (
  channel     TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  handled_at  TEXT NOT NULL,
  PRIMARY KEY (channel, event_id)
);

CREATE TABLE upload_targets (
  channel          TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  report_id        TEXT NOT NULL,
  conversation_id  TEXT NOT NULL,
  message_id       TEXT,
  created_at       TEXT NOT NULL,
  PRIMARY KEY (channel, user_id)
);
