import { afterEach, describe, expect, it } from 'vitest';
import { cardOf, cardText } from '../support/fake-bot-connector.js';
import { example } from '../support/harness.js';
import type { TeamsHarness } from '../support/teams-harness.js';
import { checkCardsAndClose, dslThread, fileReport, installedBot } from './teams-flow.js';

// Disposal leaves nothing in chat (issue 14, item 7), in Teams: the DSL channel's card and
// the reporter's card (the form that became "Report sent") are updated in place, through
// the outbox, to a tombstone with no content; a card Teams refuses to update is reported
// to the DSL and the headteacher.
let h: TeamsHarness;
afterEach(() => checkCardsAndClose(h));

const ready = () => installedBot(['jo-patel', 'sam-okafor', 'alex-morgan', 'priya-shah', 'amy-clarke', 'ben-hughes']);

async function closedCase() {
  const ex = example(5);
  const { reference, cardId } = await fileReport(h, ex.reporter, ex.report);
  const reportId = h.app.store.findReportByReference(reference)?.id ?? '';
  await h.deliver();
  h.app.workflow.acknowledge({ reportId, actorId: 'jo-patel' });
  h.app.workflow.close({ reportId, actorId: 'jo-patel', outcome: 'action_taken', reason: 'Spoke to both families.' });
  await h.deliver();
  // The pupil's 25th birthday is tomorrow (recorded by the DSL): the case is due then.
  h.app.retention.setDateOfBirth(reference, '2001-11-24', 'jo-patel', h.clock.now());
  h.clock.advanceMinutes(2 * 24 * 60);
  return { ex, reference, reportId, cardId };
}

describe('Teams: a disposed case leaves only tombstones', () => {
  it("updates the DSL channel's card and the reporter's card in place to the tombstone", async () => {
    h = await ready();
    const { ex, reference, reportId, cardId } = await closedCase();
    const thread = dslThread(h, reference);
    const before = h.connector.updates().length;
    await h.app.retention.dispose(reference, 'jo-patel', 'Review date reached', h.clock.now());
    await h.deliver();
    await h.deliver();

    const tombstone = `${reference} was disposed of under the retention rules on 25 November 2026 by Jo Patel`;
    const updates = h.connector.updates().slice(before);
    const disposed = h.app.store.listAudit(reportId).find((a) => a.action === 'report.disposed');
    expect(updates).toHaveLength(Number(disposed?.details.chatCards));
    for (const u of updates) {
      const text = cardText(cardOf(u.body));
      expect(text).toContain(tombstone);
      expect(text).not.toMatch(/Cyberbullying|class group chat|Action\.Execute/);
      expect(u.body.summary).toBe(tombstone);
    }
    const updated = updates.map((u) => u.activityId);
    expect(updated).toContain(thread.rootId);
    expect(updated).toContain(cardId);
    expect(updates.find((u) => u.activityId === cardId)?.conversationId).toBe(h.personalChat(ex.reporter));
    expect(h.app.store.listOutbox().filter((o) => o.messageType === 'report.tombstone').every((o) => o.status === 'sent')).toBe(true);
  });

  it('a card Teams refuses to update is recorded and told to the DSL and the headteacher', async () => {
    h = await ready();
    const { ex, reference, reportId } = await closedCase();
    h.connector.refuseFor.set(h.personalChat(ex.reporter), 403);
    await h.app.retention.dispose(reference, 'jo-patel', 'Review date reached', h.clock.now());
    await h.deliver();
    await h.deliver();

    expect(h.app.store.listAudit(reportId).filter((a) => a.action === 'delivery.failed' && a.details.type === 'report.tombstone').length).toBeGreaterThan(0);
    expect(h.app.store.verifyAudit().ok).toBe(true);
    for (const person of ['jo-patel', 'alex-morgan']) {
      const told = h.connector.sent(h.personalChat(person)).map((c) => cardText(cardOf(c.body))).filter((t) => t.includes('Not removed from chat'));
      expect(told).toHaveLength(1);
      expect(told[0]).toContain(`Not removed from chat: a card of ${reference}`);
      expect(told[0]).not.toContain('class group chat');
    }
  });
});
