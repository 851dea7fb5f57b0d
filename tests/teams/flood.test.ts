import { afterEach, describe, expect, it } from 'vitest';
import { digestPolicy } from '../../src/core/dsl-digest.js';
import { cardOf, cardText } from '../support/fake-bot-connector.js';
import { example } from '../support/harness.js';
import type { TeamsHarness } from '../support/teams-harness.js';
import { checkCardsAndClose, dslThreads, fileReport, installedBot, invokeText } from './teams-flow.js';

// A flood through Teams (issue 9, item 8): after the first few, the DSL channel gets one
// new thread listing several reports (at most five Acknowledge buttons: Adaptive Cards'
// limit), not a thread each; each button acknowledges its own report.
let h: TeamsHarness;
afterEach(() => checkCardsAndClose(h));

describe('a flood through Teams', () => {
  it('seven reports at once: three threads, then one listing; its buttons acknowledge their own reports', async () => {
    h = await installedBot(['jo-patel', 'amy-clarke', 'ben-hughes', 'chris-doyle']);
    for (const who of ['amy-clarke', 'ben-hughes', 'chris-doyle', 'amy-clarke', 'ben-hughes', 'chris-doyle', 'amy-clarke'])
      await fileReport(h, who, example(1).report);
    await h.deliver();
    expect(dslThreads(h)).toHaveLength(digestPolicy.threshold);

    h.clock.advanceMinutes(1);
    h.app.workflow.tick();
    await h.deliver();
    const threads = dslThreads(h);
    expect(threads).toHaveLength(digestPolicy.threshold + 1);
    const listing = threads.at(-1)!;
    const card = cardOf(listing.body.activity as Record<string, unknown>) ?? {};
    const text = cardText(card);
    expect(text).toContain('4 reports need acknowledging');
    for (let n = 4; n <= 7; n++) expect(text).toContain(`SG-2026-000${n}`);
    expect(text).not.toMatch(/Instagram|Year 8|Amy|Ben|Chris/);

    const actions = (card.actions ?? []) as { type: string; verb?: string; data?: Record<string, unknown> }[];
    expect(actions.filter((a) => a.verb === 'acknowledge')).toHaveLength(4);
    const data = actions[1]!.data!;
    const channel = (listing.body.channelData as { channel: { id: string } }).channel.id;
    const res = await h.post(h.execute('jo-patel', 'acknowledge', data, { conversationId: `${channel};messageid=${listing.responseId}`, replyToId: listing.responseId ?? '' }));
    expect(invokeText(res)).toContain('Acknowledged SG-2026-0005');
    expect(h.app.store.getReport(String(data.reportId))?.status).toBe('acknowledged');
  });
});
