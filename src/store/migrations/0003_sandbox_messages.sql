-- The local sandbox's chat: the messages the bot and the people exchanged, as the page
-- shows them (cards are the same Adaptive Cards Teams gets). Only the sandbox writes here.

CREATE TABLE sandbox_messages (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  -- 'chat:<person id>' (a person's chat with the bot) or 'dsl' (the DSL channel)
  conversation  TEXT NOT NULL,
  -- 'bot', or the person id who wrote it
  author        TEXT NOT NULL,
  card_json     TEXT,
  text          TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sandbox_messages_by_conversation ON sandbox_messages (conversation, id);
