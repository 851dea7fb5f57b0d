import type { DeliveryChannel } from '../core/ports.js';
import type { SqliteDatabase } from './database.js';

type Row = Record<string, unknown>;

export interface MessageRef {
  reportId: string;
  recipientId: string;
  dutyId?: string | undefined;
  messageType: string;
  conversationId: string;
  messageId: string;
  outboxId?: string | undefined;
  createdAt: string;
}

export interface UploadTarget {
  reportId: string;
  conversationId: string;
  messageId?: string | undefined;
  createdAt: string;
}

const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/**
 * What chat channels remember between restarts (migration 0002): conversation
 * references, the messages that carry report cards, handled event ids and where a
 * person's next uploads go. Channel-generic: Teams and Slack share the tables.
 */
export class ChannelStore {
  private readonly s;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly channel: DeliveryChannel,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      putRef: p(
        `INSERT INTO conversation_refs (channel, key, ref_json, updated_at) VALUES (@channel, @key, @ref, @at)
         ON CONFLICT (channel, key) DO UPDATE SET ref_json = excluded.ref_json, updated_at = excluded.updated_at`,
      ),
      getRef: p('SELECT ref_json FROM conversation_refs WHERE channel = @channel AND key = @key'),
      deleteRef: p('DELETE FROM conversation_refs WHERE channel = @channel AND key = @key'),
      putMessage: p(
        `INSERT OR IGNORE INTO message_refs (channel, report_id, recipient_id, duty_id, message_type, conversation_id, message_id, outbox_id, created_at)
         VALUES (@channel, @reportId, @recipientId, @dutyId, @messageType, @conversationId, @messageId, @outboxId, @createdAt)`,
      ),
      messages: p(
        `SELECT * FROM message_refs WHERE channel = @channel AND report_id = @reportId AND recipient_id = @recipientId ORDER BY id`,
      ),
      reportMessages: p('SELECT * FROM message_refs WHERE channel = @channel AND report_id = @reportId ORDER BY id'),
      messageByOutbox: p('SELECT * FROM message_refs WHERE outbox_id = @outboxId'),
      markHandled: p('INSERT OR IGNORE INTO handled_events (channel, event_id, handled_at) VALUES (@channel, @eventId, @at)'),
      isHandled: p('SELECT 1 FROM handled_events WHERE channel = @channel AND event_id = @eventId'),
      putUpload: p(
        `INSERT INTO upload_targets (channel, user_id, report_id, conversation_id, message_id, created_at)
         VALUES (@channel, @userId, @reportId, @conversationId, @messageId, @createdAt)
         ON CONFLICT (channel, user_id) DO UPDATE SET report_id = excluded.report_id, conversation_id = excluded.conversation_id,
           message_id = excluded.message_id, created_at = excluded.created_at`,
      ),
      getUpload: p('SELECT * FROM upload_targets WHERE channel = @channel AND user_id = @userId'),
    };
  }

  /** The references this process last stored: every incoming activity carries its own, nearly always unchanged. */
  private readonly refsWritten = new Map<string, string>();

  putRef(key: string, ref: unknown, at: Date): void {
    const json = JSON.stringify(ref);
    if (this.refsWritten.get(key) === json) return; // the same as stored: no write
    this.s.putRef.run({ channel: this.channel, key, ref: json, at: at.toISOString() });
    // Remembered only once committed (a write inside a transaction could still be rolled back).
    if (this.db.inTransaction) this.refsWritten.delete(key);
    else this.refsWritten.set(key, json);
  }

  getRef<T>(key: string): T | undefined {
    const row = this.s.getRef.get({ channel: this.channel, key }) as Row | undefined;
    return row ? (JSON.parse(String(row.ref_json)) as T) : undefined;
  }

  deleteRef(key: string): void {
    this.s.deleteRef.run({ channel: this.channel, key });
    this.refsWritten.delete(key);
  }

  putMessage(ref: MessageRef): void {
    this.s.putMessage.run({ channel: this.channel, dutyId: null, outboxId: null, ...ref });
  }

  /** The messages sent to a recipient about a report, oldest first. */
  messages(reportId: string, recipientId: string): MessageRef[] {
    return (this.s.messages.all({ channel: this.channel, reportId, recipientId }) as Row[]).map(toMessage);
  }

  /** Every message sent about a report, to anyone, oldest first. */
  reportMessages(reportId: string): MessageRef[] {
    return (this.s.reportMessages.all({ channel: this.channel, reportId }) as Row[]).map(toMessage);
  }

  messageForOutbox(outboxId: string): MessageRef | undefined {
    const row = this.s.messageByOutbox.get({ outboxId }) as Row | undefined;
    return row ? toMessage(row) : undefined;
  }

  /** Records an incoming event as handled; false when it already was. */
  markHandled(eventId: string, at: Date): boolean {
    return this.s.markHandled.run({ channel: this.channel, eventId, at: at.toISOString() }).changes === 1;
  }

  isHandled(eventId: string): boolean {
    return this.s.isHandled.get({ channel: this.channel, eventId }) !== undefined;
  }

  putUploadTarget(userId: string, target: UploadTarget): void {
    this.s.putUpload.run({ channel: this.channel, userId, messageId: null, ...target });
  }

  uploadTarget(userId: string): UploadTarget | undefined {
    const r = this.s.getUpload.get({ channel: this.channel, userId }) as Row | undefined;
    return r
      ? { reportId: String(r.report_id), conversationId: String(r.conversation_id), messageId: opt(r.message_id), createdAt: String(r.created_at) }
      : undefined;
  }
}

function toMessage(r: Row): MessageRef {
  return {
    reportId: String(r.report_id),
    recipientId: String(r.recipient_id),
    dutyId: opt(r.duty_id),
    messageType: String(r.message_type),
    conversationId: String(r.conversation_id),
    messageId: String(r.message_id),
    outboxId: opt(r.outbox_id),
    createdAt: String(r.created_at),
  };
}
