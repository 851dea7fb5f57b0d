import type { SqliteDatabase } from './database.js';
import type { SqliteStore } from './sqlite-store.js';

type Row = Record<string, unknown>;

/** The message type of a delivered card turned into a disposal tombstone (issue 14, item 7). */
export const tombstoneType = 'report.tombstone';

export interface TombstoneFacts {
  reportId: string;
  reference: string;
  /** The school's date of the disposal, "YYYY-MM-DD". */
  disposedOn: string;
  /** The DSL's name, as the tombstone card says it. */
  disposedBy: string;
}

/**
 * Queues, inside the disposal's transaction, one outbox message per card already
 * delivered about the case (the message references the channels keep to update cards):
 * each replaces that card with a tombstone ("SG-… was disposed of … on … by …"; no
 * content). The message carries the card's address itself, as the case's references
 * are removed with it; it is not tied to the report, so it is delivered, retried and
 * recorded like any message, and a card that cannot be updated is a delivery failure
 * the DSL is told of. Returns how many cards were queued.
 */
export function queueTombstoneCards(db: SqliteDatabase, store: SqliteStore, t: TombstoneFacts, now: Date): number {
  const refs = db.prepare('SELECT * FROM message_refs WHERE report_id = @id ORDER BY id').all({ id: t.reportId }) as Row[];
  for (const r of refs) {
    const recipientId = String(r.recipient_id);
    store.enqueue(
      {
        dedupeKey: `tombstone:${t.reportId}:${String(r.id)}`,
        channel: String(r.channel) as 'slack' | 'teams' | 'sandbox',
        recipientType: recipientId === 'dsl_channel' ? 'dsl_channel' : 'person',
        recipientId,
        messageType: tombstoneType,
        payload: {
          disposedReportId: t.reportId,
          reference: t.reference,
          disposedOn: t.disposedOn,
          disposedBy: t.disposedBy,
          card: { conversationId: String(r.conversation_id), messageId: String(r.message_id) },
        },
      },
      now,
    );
  }
  return refs.length;
}
