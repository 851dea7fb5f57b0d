import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundLoop } from '../../src/app/background-loop.js';
import { createLogger } from '../../src/logger.js';
import { PermanentDeliveryError, TransientDeliveryError, type ChannelDeliverer } from '../../src/channels/delivery-errors.js';
import { OutboxDispatcher } from '../../src/app/outbox-dispatcher.js';
import { DomainError } from '../../src/core/errors.js';
import { defaultSubmitLimit } from '../../src/core/submit-limit.js';
import { wordsForError } from '../../src/views/error-words.js';
import type { DeliveryChannel, OutboxItem } from '../../src/core/ports.js';
import { openDatabase } from '../../src/store/database.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { groupCommitFor } from '../../src/store/group-commit.js';
import { example, harness, type Harness } from '../support/harness.js';

// The outbox as one durable queue: claims, order, running channels only, timers that
// never wait for delivery, one reminder per duty per deadline, a flood absorbed.

const log = createLogger('silent');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A channel that records what it delivered (and can fail or hang on demand). */
function recorder(channel: DeliveryChannel, behave: (item: OutboxItem) => Promise<void> = async () => {}): ChannelDeliverer & { sent: OutboxItem[] } {
  const sent: OutboxItem[] = [];
  return {
    channel,
    sent,
    async deliver(item) {
      await behave(item);
      sent.push(item);
    },
  };
}

let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

describe('the outbox', () => {
  it('two processes on one database never send the same row twice', async () => {
    h = harness();
    for (let i = 0; i < 12; i++) await h.workflow.submit({ reporterId: `sandbox:staff-${i}`, form: example(1).report });
    const total = h.store.listOutbox().length;
    const second = openDatabase(h.dbFile);
    try {
      const one = recorder('sandbox', () => sleep(Math.random() * 5));
      const two = recorder('sandbox', () => sleep(Math.random() * 5));
      const a = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
      const b = new OutboxDispatcher(new OutboxStore(second, h.keys), h.clock.now, log);
      a.register(one);
      b.register(two);
      await Promise.all([a.deliverDue(), b.deliverDue(), a.deliverDue(), b.deliverDue()]);
      const ids = [...one.sent, ...two.sent].map((i) => i.id);
      expect(ids.length).toBe(total);
      expect(new Set(ids).size).toBe(total);
      expect(one.sent.length).toBeGreaterThan(0);
      expect(two.sent.length).toBeGreaterThan(0);
    } finally {
      second.close();
    }
  });

  it('sends nothing a request committed until the shared fsync has put it on disk (group commit)', async () => {
    h = harness();
    const commits = groupCommitFor(h.db);
    expect(commits.enabled).toBe(true);
    const fsyncsWhenSent: number[] = [];
    const channel = recorder('sandbox', async () => void fsyncsWhenSent.push(commits.fsyncs));
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
    d.register(channel);
    const before = commits.fsyncs;
    let delivering: Promise<unknown> | undefined;
    // As a Slack request: the report commits without its own fsync, and delivery is started
    // inside the request, before the request's answer waits for the shared fsync.
    await commits.whileAnswering(async () => {
      await h!.workflow.submit({ reporterId: 'sandbox:staff-1', form: example(1).report });
      expect(commits.unsynced).toBeGreaterThan(0);
      delivering = d.deliverDue();
    });
    await delivering;
    expect(channel.sent.length).toBeGreaterThan(0);
    expect(Math.min(...fsyncsWhenSent)).toBeGreaterThan(before);
  });

  it('keeps order per recipient and report: "acknowledged" never before "Report received", after an outage', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    let down = true;
    const ch = recorder('sandbox', async () => {
      if (down) throw new TransientDeliveryError('http_500');
    });
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
    d.register(ch);
    await d.deliverDue();
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    down = false;
    await d.deliverDue(); // the first rows back off; the later ones must not overtake them
    expect(ch.sent).toEqual([]);
    h.clock.advanceMinutes(5);
    await d.deliverDue();
    const toReporter = ch.sent.filter((i) => i.recipientId === 'amy-clarke').map((i) => i.messageType);
    expect(toReporter).toEqual(['receipt.submitted', 'receipt.status']);
    const toChannel = ch.sent.filter((i) => i.recipientType === 'dsl_channel').map((i) => i.messageType);
    expect(toChannel).toEqual(['report.for_acknowledgement', 'report.acknowledged']);
    // Each attempt is on record, with its code.
    const first = h.store.listOutbox().find((o) => o.messageType === 'receipt.submitted');
    expect(h.store.outbox.attempts(first?.id ?? '').map((a) => [a.outcome, a.code])).toEqual([['transient', 'http_500'], ['sent', undefined]]);
  });

  it("a stopped channel's rows wait, counted, and never starve the others", async () => {
    h = harness({ channels: ['teams', 'sandbox'] });
    for (let i = 0; i < 30; i++) await h.workflow.submit({ reporterId: `sandbox:staff-${i}`, form: example(1).report });
    const teams = recorder('teams');
    const sandbox = recorder('sandbox');
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
    d.register(teams, 'stopped');
    d.register(sandbox);
    await d.deliverDue();
    expect(teams.sent).toEqual([]);
    expect(sandbox.sent.length).toBe(h.store.listOutbox().filter((o) => o.channel === 'sandbox').length);
    expect(h.store.outbox.counts().teams?.waiting).toBeGreaterThanOrEqual(30);
    expect(d.channelStates().teams?.state).toBe('stopped');
  });

  it('honours Retry-After, and a permanent failure is handed on once', async () => {
    h = harness();
    await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    let calls = 0;
    const failed: string[] = [];
    const ch = recorder('sandbox', async (item) => {
      calls += 1;
      if (item.recipientType === 'dsl_channel') throw new PermanentDeliveryError('refused', 'channel_not_found');
      if (calls <= 2) throw new TransientDeliveryError('rate_limited', 'slow down', 200);
    });
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log, { concurrency: 1, onFailed: (i, code) => failed.push(`${i.messageType}:${code}`) });
    d.register(ch);
    await d.deliverDue();
    expect(d.channelStates().sandbox?.pausedUntil).toBeDefined();
    await sleep(250);
    h.clock.advanceMinutes(1);
    await d.deliverDue();
    await d.deliverDue();
    expect(failed).toEqual(['report.for_acknowledgement:channel_not_found']);
    expect(h.store.outbox.problems().map((p) => [p.state, p.errorCode])).toEqual([['failed', 'channel_not_found']]);
  });

  it('timers never wait for delivery: a reminder due during a hung delivery is queued on time', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(6).report }); // urgent: reminder at 10 minutes
    const hung = recorder('sandbox', () => new Promise<void>(() => {}));
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log, { itemTimeoutMs: 60_000 });
    d.register(hung);
    const loop = startBackgroundLoop({ workflow: h.workflow, dispatcher: d, intervalMs: 100, log });
    try {
      await sleep(150); // the deliveries are now hung
      h.clock.advanceMinutes(10);
      const started = Date.now();
      while (h.outbox({ type: 'ack.reminder' }).length === 0 && Date.now() - started < 2000) await sleep(20);
      expect(Date.now() - started).toBeLessThan(500);
      expect(h.actions(r.reportId)).toContain('ack.reminded');
    } finally {
      void loop.stop();
    }
  });

  it('a hung call has a deadline: it is retried, and the other messages are not held back', async () => {
    h = harness();
    await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    const ch = recorder('sandbox', (item) => (item.recipientType === 'dsl_channel' ? new Promise<void>(() => {}) : Promise.resolve()));
    const d = new OutboxDispatcher(h.store.outbox, h.clock.now, log, { itemTimeoutMs: 200 });
    d.register(ch);
    const started = Date.now();
    await d.deliverDue();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(ch.sent.length).toBe(h.store.listOutbox().length - 1);
    expect(h.store.outbox.problems().map((p) => [p.state, p.errorCode])).toEqual([['retrying', 'timeout']]);
  });
});

describe('one reminder per duty per deadline (item 7)', () => {
  it('after downtime, a reminder and an escalation with nobody further up remind each person once', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(6).report }); // urgent
    // Escalate up the chain, one deadline at a time, then stay down past both deadlines.
    for (let i = 0; i < 6; i++) {
      h.clock.advanceMinutes(20);
      h.workflow.tick();
    }
    h.clock.advanceMinutes(200);
    h.workflow.tick();
    const reminders = h.outbox({ type: 'ack.reminder' });
    const perTick = new Map<string, number>();
    for (const o of reminders) {
      const key = `${o.recipientId}@${o.createdAt}:${String(o.payload.dutyId)}`;
      perTick.set(key, (perTick.get(key) ?? 0) + 1);
    }
    expect(reminders.length).toBeGreaterThan(0);
    expect([...perTick.values()].every((n) => n === 1)).toBe(true);
    expect(h.actions(r.reportId)).toContain('ack.escalation_exhausted');
  });
});

describe('a flood is absorbed (issue 9, item 8)', () => {
  it('one person: the 11th report in 10 minutes is refused kindly and audited; every earlier one is kept', async () => {
    h = harness({ submitLimit: defaultSubmitLimit });
    const w = h.workflow;
    for (let i = 0; i < 10; i++) await w.submit({ reporterId: 'amy-clarke', form: example(1).report });
    await expect(w.submit({ reporterId: 'amy-clarke', form: example(1).report })).rejects.toSatisfy(
      (e) => e instanceof DomainError && e.code === 'TOO_MANY_REPORTS',
    );
    expect(wordsForError(new DomainError('TOO_MANY_REPORTS', ''))).toContain('Every report you already sent is saved');
    expect(h.store.listReportsByReporter('amy-clarke')).toHaveLength(10);
    expect(h.actions()).toContain('action.refused');
    // Someone else is not held back, and the same person may report again once the window moves on.
    await w.submit({ reporterId: 'ben-hughes', form: example(1).report });
    h.clock.advanceMinutes(11);
    await w.submit({ reporterId: 'amy-clarke', form: example(1).report });
    expect(h.store.listReportsByReporter('amy-clarke')).toHaveLength(11);
  });
});

describe('a rolling restart', () => {
  it('stopping finishes what is in flight and gives back what it claimed: the next process sends it at once, once', async () => {
    h = harness();
    for (let i = 0; i < 6; i++) await h.workflow.submit({ reporterId: `sandbox:staff-${i}`, form: example(1).report });
    const first = recorder('sandbox', () => sleep(30));
    const a = new OutboxDispatcher(h.store.outbox, h.clock.now, log, { concurrency: 2 });
    a.register(first);
    const running = a.deliverDue();
    await sleep(10);
    await a.stop();
    await running;
    const second = recorder('sandbox');
    const b = new OutboxDispatcher(h.store.outbox, h.clock.now, log);
    b.register(second);
    await b.deliverDue();
    const ids = [...first.sent, ...second.sent].map((i) => i.id);
    expect(first.sent.length).toBeGreaterThan(0);
    expect(second.sent.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(h.store.listOutbox().length);
  });
});
