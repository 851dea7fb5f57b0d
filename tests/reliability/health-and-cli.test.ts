import { afterEach, describe, expect, it } from 'vitest';
import { health } from '../../src/app/health.js';
import { createLogger } from '../../src/logger.js';
import { PermanentDeliveryError } from '../../src/channels/delivery-errors.js';
import { OutboxDispatcher } from '../../src/app/outbox-dispatcher.js';
import { runCli } from '../../src/cli/main.js';
import { example, harness, type Harness } from '../support/harness.js';
import { slackHarness, type SlackHarness } from '../support/slack-harness.js';

const log = createLogger('silent');

describe('/healthz and outbox status', () => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.close();
    h = undefined;
  });

  it('/healthz says whether the database can be written now', async () => {
    h = harness();
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
    expect(health({ store: h.store, dispatcher: d, schoolName: 'S' })).toMatchObject({ ok: true, database: { writable: true } });
    h.db.pragma('query_only = ON'); // as a read-only file or a full disk would
    expect(health({ store: h.store, dispatcher: d, schoolName: 'S' })).toMatchObject({ ok: false, database: { writable: false } });
  });

  it('`outbox status` lists waiting, retrying and failed messages with ids and codes, never report text', async () => {
    h = harness();
    await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
    d.register({
      channel: 'sandbox',
      async deliver(item) {
        if (item.recipientType === 'dsl_channel') throw new PermanentDeliveryError('refused', 'channel_not_found');
        if (item.recipientId === 'amy-clarke') throw new Error('socket hang up');
      },
    });
    await d.deliverDue();
    const lines: string[] = [];
    expect(await runCli(['outbox', 'status', '--db', h.dbFile], (s) => lines.push(s))).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/sandbox: \d+ waiting, 1 retrying, 1 failed/);
    expect(text).toContain('failed: channel_not_found');
    expect(text).toContain('receipt.submitted');
    const form = example(1).report as Record<string, unknown>;
    for (const v of Object.values(form)) if (typeof v === 'string' && v.length > 12) expect(text).not.toContain(v);
  });
});

describe('Slack down at start', () => {
  let s: SlackHarness | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('is a degraded channel, not a dead process: messages wait, counted; it is checked again and they go', async () => {
    s = await slackHarness({ beforeStart: async (api) => void (api.fault = { mode: '500' }) });
    expect(s.app.dispatcher.channelStates().slack).toMatchObject({ state: 'degraded', detail: 'http_500' });
    await s.app.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    await s.deliver();
    expect(s.api.of('chat.postMessage')).toEqual([]);
    const res = await fetch(s.url.replace('slack/events', 'healthz'));
    const body = (await res.json()) as { channels: { slack: { state: string; outbox: { waiting: number } } } };
    expect(body.channels.slack.state).toBe('degraded');
    expect(body.channels.slack.outbox.waiting).toBeGreaterThan(0);
    s.api.fault = undefined;
    const started = Date.now();
    while (s.app.dispatcher.channelStates().slack?.state !== 'running' && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
    expect(s.app.dispatcher.channelStates().slack?.state).toBe('running');
    await s.deliver();
    expect(s.api.of('chat.postMessage').length).toBeGreaterThan(0);
    expect(s.app.store.listOutbox().filter((o) => o.status !== 'sent')).toEqual([]);
  }, 20_000);
});

describe('a database that cannot be written for a while', () => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.close();
    h = undefined;
  });

  it('holds deliveries back (nothing claimed), and marks what was sent once it can be written again: nothing sent twice', async () => {
    h = harness();
    await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    const sent: string[] = [];
    let readOnlyNext = false;
    const db = h.db;
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
    d.register({
      channel: 'sandbox',
      async deliver(item) {
        sent.push(item.id);
        if (readOnlyNext) db.pragma('query_only = ON'); // the disk fills up just after the platform call
      },
    });
    readOnlyNext = true;
    await d.deliverDue();
    const first = sent.length;
    expect(first).toBeGreaterThan(0);
    await d.deliverDue(); // nothing can be claimed now
    expect(sent.length).toBe(first);
    readOnlyNext = false;
    db.pragma('query_only = OFF');
    await new Promise((r) => setTimeout(r, 1_200)); // the marks are written
    await d.deliverDue();
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.length).toBe(h.store.listOutbox().length);
    expect(h.store.listOutbox().filter((o) => o.status !== 'sent')).toEqual([]);
  });
});
