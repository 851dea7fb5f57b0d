import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { slackHarness, slackId, type SlackHarness } from '../support/slack-harness.js';
import { fileReport, textOf } from './slack-flow.js';

// Disposal leaves nothing in chat (issue 14, item 7): every card Slack was given about a
// disposed case (the DSL channel's, the DMs) is replaced through the outbox by a tombstone
// with no content; a card Slack will not update is reported to the DSL and headteacher.
let h: SlackHarness;
afterEach(async () => h?.close());

const dm = (person: string) => `D${slackId(person)}`;

/** A case filed through Slack, delivered, acknowledged and closed; the cards Slack was given about it. */
async function closedCase() {
  const ex = example(5);
  const { reference, reportId } = await fileReport(h, ex.reporter, ex.report);
  await h.deliver();
  h.app.workflow.acknowledge({ reportId, actorId: 'jo-patel' });
  h.app.workflow.close({ reportId, actorId: 'jo-patel', outcome: 'action_taken', reason: 'Spoke to both families.' });
  await h.deliver();
  const cards = h.api.of('chat.postMessage').filter((c) => textOf([c]).includes(reference)).map((c) => ({ channel: String(c.body.channel), ts: String(c.ts) }));
  // The pupil's 25th birthday is tomorrow (recorded by the DSL): the case is due then.
  h.app.retention.setDateOfBirth(reference, '2001-11-24', 'jo-patel', h.clock.now());
  return { ex, reference, reportId, cards };
}

describe('Slack: a disposed case leaves only tombstones', () => {
  it('updates every delivered card (the DSL channel, the DMs) to the tombstone, through the outbox', async () => {
    h = await slackHarness();
    const { reference, reportId, cards } = await closedCase();
    expect(cards.map((c) => c.channel)).toEqual(expect.arrayContaining(['C0DSLPRIV01', dm('amy-clarke')]));
    h.clock.advanceMinutes(2 * 24 * 60);
    h.api.calls.length = 0;
    await h.app.retention.dispose(reference, 'jo-patel', 'Review date reached', h.clock.now());
    await h.deliver();
    await h.deliver();

    const tombstone = `${reference} was disposed of under the retention rules on 25 November 2026 by Jo Patel`;
    const updates = h.api.of('chat.update');
    for (const card of cards) {
      const update = updates.find((u) => u.body.channel === card.channel && u.body.ts === card.ts);
      expect(update, `${card.channel} ${card.ts}`).toBeDefined();
      expect(textOf([update!])).toContain(tombstone);
      // Nothing of the report: no kind, no text, no buttons.
      expect(textOf([update!])).not.toMatch(/Cyberbullying|class group chat|"actions"|"button"/);
    }
    const disposed = h.app.store.listAudit(reportId).find((a) => a.action === 'report.disposed');
    expect(disposed?.details.chatCards).toBe(cards.length);
    expect(updates.filter((u) => textOf([u]).includes(tombstone))).toHaveLength(cards.length);
    expect(h.app.store.listOutbox().filter((o) => o.messageType === 'report.tombstone').map((o) => o.status)).toEqual(cards.map(() => 'sent'));
    // The DSL and the headteacher are told of the disposal as before.
    for (const person of ['jo-patel', 'alex-morgan']) expect(textOf(h.api.postedTo(dm(person)))).toContain(`Case disposed of: ${reference}`);
  });

  it('a card Slack will not update is recorded and told to the DSL and the headteacher (no content)', async () => {
    h = await slackHarness();
    const { ex, reference, reportId, cards } = await closedCase();
    const refused = cards.filter((c) => c.channel === dm(ex.reporter));
    expect(refused.length).toBeGreaterThan(0);
    h.clock.advanceMinutes(2 * 24 * 60);
    h.api.calls.length = 0;
    // The reporter's chat refuses updates (the account was removed, say).
    h.api.errorFor.set(dm(ex.reporter), 'channel_not_found');
    await h.app.retention.dispose(reference, 'jo-patel', 'Review date reached', h.clock.now());
    await h.deliver();
    await h.deliver();

    expect(h.api.of('chat.update').filter((u) => u.body.channel === 'C0DSLPRIV01')).toHaveLength(1);
    expect(h.app.store.listOutbox().filter((o) => o.messageType === 'report.tombstone' && o.status === 'dead')).toHaveLength(refused.length);
    const failed = h.app.store.listAudit(reportId).filter((a) => a.action === 'delivery.failed' && a.details.type === 'report.tombstone');
    expect(failed).toHaveLength(refused.length);
    expect(h.app.store.verifyAudit().ok).toBe(true);
    for (const person of ['jo-patel', 'alex-morgan']) {
      const told = h.api.postedTo(dm(person)).filter((c) => textOf([c]).includes('Not removed from chat'));
      // Once per chat the cards are in, however many cards it holds.
      expect(told).toHaveLength(1);
      expect(textOf(told)).toContain(`Not removed from chat: a card of ${reference}`);
      expect(textOf(told)).toContain("Amy Clarke's chat with the bot");
      expect(textOf(told)).not.toContain('class group chat');
    }
  });
});
