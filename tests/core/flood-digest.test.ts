import { afterEach, describe, expect, it } from 'vitest';
import { digestPolicy } from '../../src/core/dsl-digest.js';
import { messageView } from '../../src/views/message-views.js';
import { example, harness, type Harness } from '../support/harness.js';

// A flood is absorbed (issue 9, item 8): many DSL-channel posts at once become listings of
// several reports, each with its own Acknowledge button; nothing is dropped, urgent reports
// are never held, and held posts survive a restart. Real SQLite file, fake clock.
let h: Harness;
afterEach(() => h?.close());

const friendRequest = (reporter = 'amy-clarke') => h.workflow.submit({ reporterId: reporter, form: example(1).report });
const dslPosts = () => h.outbox({ to: 'dsl_channel' }).filter((o) => o.messageType === 'report.for_acknowledgement' || o.messageType === 'reports.digest');
const listed = () => h.outbox({ type: 'reports.digest' }).flatMap((o) => (o.payload.lines as { reportId: string }[]).map((l) => l.reportId));

describe('a flood of DSL-channel posts', () => {
  it('the first few get a card each; the rest go out together, five to a post, every report listed once', async () => {
    h = harness();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await friendRequest()).reportId);
    expect(h.outbox({ type: 'report.for_acknowledgement', to: 'dsl_channel' })).toHaveLength(digestPolicy.threshold);
    expect(h.outbox({ type: 'reports.digest' })).toHaveLength(0);
    // Each held report's other messages (receipt, notices) are not held.
    expect(h.outbox({ type: 'receipt.submitted' })).toHaveLength(20);

    h.clock.advanceMinutes(digestPolicy.holdMs / 60_000);
    h.workflow.tick();
    const digests = h.outbox({ type: 'reports.digest' });
    expect(digests.map((d) => (d.payload.lines as unknown[]).length)).toEqual([5, 5, 5, 2]);
    expect(new Set([...h.outbox({ type: 'report.for_acknowledgement', to: 'dsl_channel' }).map((o) => o.reportId), ...listed()])).toEqual(new Set(ids));
    expect(dslPosts()).toHaveLength(3 + 4);
    for (const id of ids.slice(digestPolicy.threshold)) expect(h.actions(id)).toEqual(expect.arrayContaining(['notification.held', 'notification.listed']));

    // A listing's button acknowledges its own report (the one in its data).
    const view = messageView(digests[0]!, 'Europe/London');
    expect(view.actions.map((a) => a.verb)).toEqual(Array(5).fill('acknowledge'));
    const [first] = view.actions;
    expect(view.facts[0]?.title).toBe(first?.title.replace('Acknowledge ', ''));
    const ack = h.workflow.acknowledge({ reportId: first!.data.reportId, actorId: 'jo-patel' });
    expect(ack.changed).toBe(true);
    expect(h.outbox({ type: 'report.acknowledged' }).map((o) => o.reportId)).toContain(first!.data.reportId);

    // Nothing more is held once the flood has passed.
    h.clock.advanceMinutes(2);
    h.workflow.tick();
    const later = await friendRequest('ben-hughes');
    expect(h.outbox({ type: 'report.for_acknowledgement', to: 'dsl_channel' }).map((o) => o.reportId)).toContain(later.reportId);
  });

  it('an urgent report is never held: it gets its own card at once, mid-flood', async () => {
    h = harness();
    for (let i = 0; i < 5; i++) await friendRequest();
    const urgent = await h.workflow.submit({ reporterId: example(6).reporter, form: example(6).report });
    expect(h.actions(urgent.reportId)).not.toContain('notification.held');
    expect(h.outbox().filter((o) => o.reportId === urgent.reportId && o.messageType === 'report.for_acknowledgement').length).toBeGreaterThan(0);
  });

  it('held posts survive a restart, and a report acknowledged meanwhile is left out of the listing', async () => {
    h = harness();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await friendRequest()).reportId);
    const held = ids.slice(digestPolicy.threshold);
    h.workflow.acknowledge({ reportId: held[0]!, actorId: 'sam-okafor' });
    h.restart();
    h.clock.advanceMinutes(1);
    h.workflow.tick();
    expect(listed()).toEqual(held.slice(1));
    // Its deadlines still run: the held reports escalate like any other when nobody acknowledges.
    h.clock.advanceMinutes(24 * 60);
    h.workflow.tick();
    expect(h.actions(held[1]).some((a) => a.startsWith('ack.'))).toBe(true);
  });

  it('a listing the platform refuses for good is rerouted report by report', async () => {
    h = harness();
    for (let i = 0; i < 5; i++) await friendRequest();
    h.clock.advanceMinutes(1);
    h.workflow.tick();
    const [digest] = h.outbox({ type: 'reports.digest' });
    h.workflow.deliveryFailed({ ...digest!, code: 'channel_not_found' });
    const lines = digest!.payload.lines as { reportId: string }[];
    for (const l of lines) {
      expect(h.actions(l.reportId)).toContain('delivery.failed');
      // A DM to the DSL-channel's members instead, for each report.
      expect(h.outbox({ type: 'report.for_acknowledgement', to: 'jo-patel' }).map((o) => o.reportId)).toContain(l.reportId);
    }
  });
});
