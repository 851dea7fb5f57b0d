import type { SqliteDatabase } from './database.js';

export interface SandboxMessage {
  id: number;
  conversation: string;
  author: string;
  card?: Record<string, unknown> | undefined;
  text?: string | undefined;
  createdAt: string;
  updatedAt: string;
  version: number;
}

type Row = Record<string, unknown>;

/** The sandbox chat's messages (migration 0003). */
export class SandboxStore {
  private readonly s;

  constructor(db: SqliteDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      add: p(
        `INSERT INTO sandbox_messages (conversation, author, card_json, text, created_at, updated_at)
         VALUES (@conversation, @author, @card, @text, @at, @at) RETURNING id`,
      ),
      update: p('UPDATE sandbox_messages SET card_json = @card, updated_at = @at, version = version + 1 WHERE id = @id'),
      get: p('SELECT * FROM sandbox_messages WHERE id = @id'),
      list: p('SELECT * FROM sandbox_messages WHERE conversation = @conversation ORDER BY id'),
    };
  }

  add(conversation: string, author: string, content: { card?: Record<string, unknown>; text?: string }, at: Date): number {
    const row = this.s.add.get({
      conversation,
      author,
      card: content.card ? JSON.stringify(content.card) : null,
      text: content.text ?? null,
      at: at.toISOString(),
    }) as Row;
    return Number(row.id);
  }

  updateCard(id: number, card: Record<string, unknown>, at: Date): void {
    this.s.update.run({ id, card: JSON.stringify(card), at: at.toISOString() });
  }

  get(id: number): SandboxMessage | undefined {
    const row = this.s.get.get({ id }) as Row | undefined;
    return row ? toMessage(row) : undefined;
  }

  list(conversation: string): SandboxMessage[] {
    return (this.s.list.all({ conversation }) as Row[]).map(toMessage);
  }
}

function toMessage(r: Row): SandboxMessage {
  return {
    id: Number(r.id),
    conversation: String(r.conversation),
    author: String(r.author),
    card: r.card_json ? (JSON.parse(String(r.card_json)) as Record<string, unknown>) : undefined,
    text: r.text === null ? undefined : String(r.text),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    version: Number(r.version),
  };
}
