import { afterEach, describe, expect, it } from 'vitest';
import { demoSchool, example } from '../support/harness.js';
import { slackHarness, type SlackHarness } from '../support/slack-harness.js';
import { teamsHarness, type TeamsHarness } from '../support/teams-harness.js';
import { cardText } from '../support/fake-bot-connector.js';

// Fault windows: the fakes answer 500, 429 with Retry-After, hang past the deadline, and
// refuse connections for a while, then recover: every message arrives once, in order.

const twice = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);
const modes = ['500', '429', 'hang', 'refuse'] as const;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
type Bot = { app: SlackHarness['app']; clock: SlackHarness['clock']; deliver(): Promise<{ sent: number; failed: number }> };

/** Reports made (and some acknowledged) while the platform is failing. */
async function reportsDuringWindow(h: Bot, prefix: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await h.app.workflow.submit({ reporterId: `${prefix}${i}`, form: example(1).report });
    ids.push(r.reportId);
    await h.deliver();
    if (i % 2 === 0) h.app.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    await h.deliver();
  }
  return ids;
}

/** After recovery: time moves on past the back-off, until everything is delivered. */
async function recover(h: Bot): Promise<void> {
  for (let i = 0; i < 40 && h.app.store.listOutbox().some((o) => o.status === 'pending'); i++) {
    h.clock.advanceMinutes(5);
    await h.deliver();
    await sleep(60);
  }
  expect(h.app.store.listOutbox().filter((o) => o.status !== 'sent')).toEqual([]);
}

describe('fault windows on Slack', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('500, 429 with Retry-After, a hang past the deadline, refused connections: every message once, in order per report', async () => {
    h = await slackHarness({ env: { DELIVERY_TIMEOUT_MS: '1500' } });
    const api = h.api;
    const all: string[] = [];
    for (const [w, mode] of modes.entries()) {
      if (mode === 'refuse') await api.stop();
      else api.fault = { mode, retryAfter: 1 };
      all.push(...(await reportsDuringWindow(h, `slack:U0W${w}STAFF`, 3)));
      if (mode === 'refuse') await api.start(api.port);
      api.fault = undefined;
      api.releaseHung();
      await sleep(mode === '429' ? 1100 : 0);
      await recover(h);
    }
    expect(api.faulted).toBeGreaterThan(0);
    // Once each: no message posted twice to the same place.
    const posts = api.of('chat.postMessage').map((c) => `${String(c.body.channel)}|${String(c.body.text)}`);
    expect(twice(posts)).toEqual([]);
    // In order: each acknowledged report's channel card was posted before it was updated,
    // and its reporter heard "received" before "acknowledged".
    const dsl = demoSchool.directory.channels.dsl.slack ?? '';
    for (const id of all) {
      const report = h.app.store.getReport(id);
      if (!report || report.status !== 'acknowledged') continue;
      const card = api.calls.findIndex((c) => c.method === 'chat.postMessage' && c.body.channel === dsl && String(c.body.text).includes(report.reference));
      const update = api.calls.findIndex((c) => c.method === 'chat.update' && String(c.body.text).includes(report.reference));
      expect(card).toBeGreaterThanOrEqual(0);
      expect(update).toBeGreaterThan(card);
      const dm = `D${report.reporterId.slice('slack:'.length)}`;
      const texts = api.postedTo(dm).map((c) => String(c.body.text));
      expect(texts.findIndex((t) => t.includes('received'))).toBeLessThan(texts.findIndex((t) => t.includes('acknowledged')));
    }
  });
});

describe('fault windows on Teams', () => {
  let t: TeamsHarness | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('500, 429 with Retry-After, a hang past the deadline, refused connections: every message once, in order per report', async () => {
    t = await teamsHarness({ env: { DELIVERY_TIMEOUT_MS: '1500' } });
    expect((await t.post(t.installTeam())).status).toBe(200);
    for (const p of ['jo-patel', 'sam-okafor', 'alex-morgan']) expect((await t.post(t.installPersonal(p))).status).toBe(200);
    const c = t.connector;
    c.clear();
    for (const [w, mode] of modes.entries()) {
      if (mode === 'refuse') await c.stop();
      else c.fault = { mode, retryAfter: 1 };
      await reportsDuringWindow(t, `teams:29:W${w}Staff`, 3);
      if (mode === 'refuse') await c.start();
      c.fault = undefined;
      c.releaseHung();
      await sleep(mode === '429' ? 1100 : 0);
      await recover(t);
    }
    expect(c.faulted).toBeGreaterThan(0);
    // One DSL channel thread per report, never two; each card updated only after it was posted.
    const threads = c.created().filter((x) => (x.body.channelData as { channel?: unknown } | undefined)?.channel);
    const refs = threads.map((x) => /SG-\d{4}-\d{4}/.exec(cardText(x.body))?.[0]);
    expect(twice(refs.map(String))).toEqual([]);
    expect(refs.length).toBe(12);
    const sends = c.sent().map((x) => `${x.conversationId}|${cardText(x.body)}`);
    expect(twice(sends).map((x) => x.slice(0, 120))).toEqual([]);
  });
});
