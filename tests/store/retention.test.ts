import { afterEach, describe, expect, it } from 'vitest';
import { pruneExpired, retentionDays } from '../../src/store/retention.js';
import { example, harness, type Harness } from '../support/harness.js';

// Pruning (issue 15): sent messages, handled-event ids and idempotency keys go after the
// retention; everything that must stay stays (reports, duties, timers, the audit log,
// message references, pending and failed messages, and anything recent).
let h: Harness;
afterEach(() => h?.close());

const count = (table: string, where = '1') => (h.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;

describe('pruning past the retention', () => {
  it('deletes old sent messages (and their attempts), handled events and idempotency keys; keeps the rest', async () => {
    h = harness();
    const ex = example(1);
    const old = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report, idempotencyKey: 'slack:V-old' });
    const oldRows = h.outbox().map((o) => o.id);
    // Two of the old report's messages are sent, one fails for good, the rest wait.
    const [sentA, sentB, dead] = oldRows;
    const mark = h.db.prepare(`UPDATE outbox SET status = @status, sent_at = @at WHERE id = @id`);
    const sentAt = new Date(h.clock.now().getTime() - (retentionDays + 1) * 86_400_000).toISOString();
    mark.run({ id: sentA, status: 'sent', at: sentAt });
    mark.run({ id: sentB, status: 'sent', at: sentAt });
    mark.run({ id: dead, status: 'dead', at: null });
    h.db.prepare(`INSERT INTO outbox_attempts (outbox_id, attempt, at, outcome) VALUES (@id, 1, @at, 'sent')`).run({ id: sentA, at: sentAt });
    h.db.prepare(`INSERT INTO message_refs (channel, report_id, recipient_id, message_type, conversation_id, message_id, outbox_id, created_at)
      VALUES ('slack', @r, 'dsl_channel', 'x', 'C1', '1.1', @id, @at)`).run({ r: old.reportId, id: sentA, at: sentAt });
    const longAgo = new Date(h.clock.now().getTime() - (retentionDays + 1) * 86_400_000).toISOString();
    h.db.prepare(`UPDATE idempotency_keys SET created_at = @at`).run({ at: longAgo });
    h.db.prepare(`INSERT INTO handled_events (channel, event_id, handled_at) VALUES ('slack', 'event:old', @at), ('slack', 'event:new', @now)`).run({ at: longAgo, now: h.clock.now().toISOString() });
    // A recent report: its sent message and key stay.
    const recent = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report, idempotencyKey: 'slack:V-new' });
    const recentRow = h.outbox().find((o) => o.reportId === recent.reportId)?.id;
    mark.run({ id: recentRow, status: 'sent', at: h.clock.now().toISOString() });
    const auditBefore = count('audit_log');

    const pruned = pruneExpired(h.db, h.clock.now(), { batch: 1 });
    expect(pruned).toEqual({ outbox: 2, attempts: 1, handledEvents: 1, idempotencyKeys: 1 });
    expect(count('outbox', `id IN ('${sentA}', '${sentB}')`)).toBe(0);
    expect(count('outbox_attempts')).toBe(0);
    expect(count('outbox', `id = '${dead}'`)).toBe(1); // a failed message is kept for the DSL to see
    expect(count('outbox', `id = '${recentRow}'`)).toBe(1);
    expect(count('outbox', `status = 'pending'`)).toBe(oldRows.length - 3 + h.outbox().filter((o) => o.reportId === recent.reportId).length - 1);
    expect(count('message_refs')).toBe(1); // a card can still be updated
    expect(count('handled_events')).toBe(1);
    expect(count('idempotency_keys')).toBe(1);
    expect(h.store.getIdempotent('submit:slack:V-new')).toBeDefined();
    expect(count('reports')).toBe(2);
    expect(count('audit_log')).toBe(auditBefore);
    expect(h.store.verifyAudit().ok).toBe(true);
    // Nothing more to do: a second run prunes nothing.
    expect(pruneExpired(h.db, h.clock.now())).toEqual({ outbox: 0, attempts: 0, handledEvents: 0, idempotencyKeys: 0 });
  });
});
