import { afterEach, describe, expect, it, vi } from 'vitest';
import { example } from '../support/harness.js';
import { slackHarness, slackId, slackSample, type SlackHarness } from '../support/slack-harness.js';
import { fileReport } from './slack-flow.js';

let h: SlackHarness;
afterEach(async () => {
  await h?.close();
});

let events = 0;
function homeOpened(personId: string): Record<string, unknown> {
  const event = structuredClone(slackSample('app-home-opened-event.json').payload as Record<string, unknown>);
  (event.event as Record<string, unknown>).user = slackId(personId);
  event.event_id = `Ev0HOME${++events}`;
  return event;
}

const published = () => h.api.of('views.publish').map((c) => JSON.stringify(c.body.view));

describe('App Home (drawn after the answer, never in front of other requests)', () => {
  it('is drawn again once a case changes, and the same while nothing has', async () => {
    h = await slackHarness();
    expect((await h.event(homeOpened('jo-patel'))).status).toBe(200);
    await vi.waitFor(() => expect(published()).toHaveLength(1));
    expect(published()[0]).toContain('Nothing is waiting for you.');

    const ex = example(1);
    await fileReport(h, ex.reporter, ex.report);
    await h.event(homeOpened('jo-patel'));
    await vi.waitFor(() => expect(published()).toHaveLength(2));
    expect(published()[1]).toContain('SG-2026-0001: Yours');

    await h.event(homeOpened('jo-patel'));
    await vi.waitFor(() => expect(published()).toHaveLength(3));
    expect(published()[2]).toBe(published()[1]);
  });

  it('answers a /report while many App Homes are waiting to be drawn, and publishes the latest tab', async () => {
    h = await slackHarness();
    const ex = example(1);
    await fileReport(h, ex.reporter, ex.report);
    const before = h.api.of('views.publish').length;
    const opens = Array.from({ length: 30 }, () => h.event(homeOpened('jo-patel')));
    const report = await h.command('amy-clarke');
    expect(report.status).toBe(200);
    for (const r of await Promise.all(opens)) expect(r.status).toBe(200);
    await vi.waitFor(() => expect(h.api.of('views.publish').length).toBeGreaterThan(before));
    // Opens that come while one is waiting are drawn together: never more publishes than opens.
    await new Promise((r) => setTimeout(r, 100));
    expect(h.api.of('views.publish').length - before).toBeLessThanOrEqual(30);
    expect(published().at(-1)).toContain('SG-2026-0001: Yours');
  });
});
