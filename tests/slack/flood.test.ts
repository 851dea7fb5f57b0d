import { afterEach, describe, expect, it } from 'vitest';
import { digestPolicy } from '../../src/core/dsl-digest.js';
import { example } from '../support/harness.js';
import { slackHarness, type SlackHarness } from '../support/slack-harness.js';
import { buttonPress, fileReport, textOf } from './slack-flow.js';

// A flood through Slack (issue 9, item 8): after the first few, the DSL channel gets one
// listing for several reports (each with its own Acknowledge button, each button in its
// own block since Slack wants action ids unique per block), not a card each.
let h: SlackHarness | undefined;
afterEach(async () => h?.close());

const dslChannel = 'C0DSLPRIV01';

describe('a flood through Slack', () => {
  it('eight reports at once: three cards, then one listing; a listing button acknowledges its own report', async () => {
    h = await slackHarness();
    for (const who of ['amy-clarke', 'ben-hughes', 'chris-doyle', 'amy-clarke', 'ben-hughes', 'chris-doyle', 'amy-clarke', 'ben-hughes'])
      await fileReport(h, who, example(1).report);
    // References are numbered in the order the reports were stored.
    const refs = Array.from({ length: 8 }, (_, i) => `SG-2026-${String(i + 1).padStart(4, '0')}`);
    await h.deliver();
    expect(h.api.postedTo(dslChannel)).toHaveLength(digestPolicy.threshold);

    h.clock.advanceMinutes(1);
    h.app.workflow.tick();
    await h.deliver();
    const posts = h.api.postedTo(dslChannel);
    expect(posts).toHaveLength(digestPolicy.threshold + 1);
    const listing = posts.at(-1)!;
    const text = textOf([listing]);
    expect(text).toContain("5 reports need acknowledging: SG-2026-");
    for (const ref of refs.slice(digestPolicy.threshold)) expect(text).toContain(ref);
    // No report text or names in the channel listing.
    expect(text).not.toMatch(/Instagram|Year 8|Amy|Ben|Chris/);

    const blocks = (listing.body.blocks ?? []) as { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[];
    const buttons = blocks.filter((b) => b.type === 'actions');
    expect(buttons).toHaveLength(5);
    for (const b of buttons) expect(new Set(b.elements!.map((e) => e.action_id)).size).toBe(b.elements!.length);

    const value = buttons[2]!.elements![0]!.value;
    const res = await h.interaction(buttonPress('jo-patel', 'acknowledge', value, { channel: dslChannel, ts: listing.ts! }));
    expect(res.status).toBe(200);
    await h.deliver();
    const reportId = (JSON.parse(value) as { reportId: string }).reportId;
    expect(h.app.store.getReport(reportId)?.status).toBe('acknowledged');
    // Its own card, with View details, follows in the channel; the listing is left as it was.
    expect(textOf(h.api.postedTo(dslChannel).slice(posts.length))).toContain('Acknowledged by Jo Patel');
    expect(h.api.of('chat.update').filter((c) => c.body.ts === listing.ts)).toEqual([]);
  });
});
