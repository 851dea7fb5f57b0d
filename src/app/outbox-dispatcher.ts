import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DeliveryChannel, OutboxItem } from '../core/ports.js';
import type { Clock } from '../core/working-time.js';
import type { OutboxStore } from '../store/outbox-store.js';
import { asDeliveryError, maxDeliveryAttempts, retryDelayWithJitterMs, TransientDeliveryError, type ChannelDeliverer, type ChannelState, type DeliveryError } from '../channels/delivery-errors.js';
import type { Logger } from '../logger.js';


export interface DispatcherOptions {
  /** Messages sent at the same time (default 4). */
  concurrency?: number;
  /** Each message's deadline: past it the attempt counts as a (transient) timeout (default 15 s). */
  itemTimeoutMs?: number;
  /** Called once for each message that failed for good (the workflow records it and tells someone else). */
  onFailed?: (item: OutboxItem, code: string) => void;
}

/**
 * Delivers the outbox. Rows are claimed (a lease in the database), so two processes
 * never send the same row; a later row for the same channel, recipient and report waits
 * for the earlier one. Up to `concurrency` messages go at once, each with its own
 * deadline, so one hung call never holds the others back. A transient failure is retried
 * with jittered back-off (or after the platform's Retry-After); a permanent one is
 * recorded and handed to `onFailed`. Rows of a channel that is not running wait.
 */
export class OutboxDispatcher {
  private readonly deliverers = new Map<DeliveryChannel, ChannelDeliverer>();
  private readonly states = new Map<DeliveryChannel, { state: ChannelState; detail?: string | undefined; since: string }>();
  /** A channel paused by a 429 until this wall-clock time. */
  private readonly pausedUntil = new Map<DeliveryChannel, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly concurrency: number;
  private readonly itemTimeoutMs: number;
  private onFailed: DispatcherOptions['onFailed'];
  private totals = { sent: 0, failed: 0 };

  constructor(
    private readonly outbox: OutboxStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: DispatcherOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 4;
    this.itemTimeoutMs = opts.itemTimeoutMs ?? 15_000;
    this.onFailed = opts.onFailed;
  }

  register(deliverer: ChannelDeliverer, state: ChannelState = 'running'): void {
    this.deliverers.set(deliverer.channel, deliverer);
    if (!this.states.has(deliverer.channel)) this.setState(deliverer.channel, state);
  }

  /** What happens to a message that failed for good (set once the workflow exists). */
  setOnFailed(fn: DispatcherOptions['onFailed']): void {
    this.onFailed = fn;
  }

  setState(channel: DeliveryChannel, state: ChannelState, detail?: string): void {
    const was = this.states.get(channel);
    if (was?.state === state && was.detail === detail) return;
    this.states.set(channel, { state, detail, since: new Date().toISOString() });
  }

  get channels(): DeliveryChannel[] {
    return [...this.deliverers.keys()];
  }

  /** Each registered channel's state, for /healthz. */
  channelStates(): Record<string, { state: ChannelState; detail?: string | undefined; since: string; pausedUntil?: string }> {
    const out: ReturnType<OutboxDispatcher['channelStates']> = {};
    for (const c of this.deliverers.keys()) {
      const s = this.states.get(c) ?? { state: 'running' as const, since: '' };
      const paused = this.pausedUntil.get(c);
      out[c] = { ...s, ...(paused && paused > Date.now() ? { pausedUntil: new Date(paused).toISOString() } : {}) };
    }
    return out;
  }

  private runningChannels(): DeliveryChannel[] {
    const now = Date.now();
    return [...this.deliverers.keys()].filter((c) => this.states.get(c)?.state === 'running' && (this.pausedUntil.get(c) ?? 0) <= now);
  }

  /** The one drain running now (every caller shares it), and whether someone asked for another pass meanwhile. */
  private draining: Promise<void> | undefined;
  private again = false;

  /**
   * Delivers what is due and resolves when nothing more can be sent now (waiting for the
   * messages in flight, each at most its deadline). Safe to call while another call runs:
   * there is only ever one drain, and a call made during it has it look once more for
   * rows before it ends (a request's kick never starts a second loop that claims and
   * races beside the first: under load that was most of a message's CPU).
   */
  async deliverDue(): Promise<{ sent: number; failed: number }> {
    const before = { ...this.totals };
    this.again = true;
    this.draining ??= this.drain();
    await this.draining;
    return { sent: this.totals.sent - before.sent, failed: this.totals.failed - before.failed };
  }

  private async drain(): Promise<void> {
    // Never finishes in the call that starts it, so `draining` is set before it is cleared.
    await Promise.resolve();
    try {
      while (this.again) {
        this.again = false;
        for (;;) {
          await this.fill();
          if (this.inFlight.size === 0) {
            if (this.sentBuffer.length === 0) break;
            const buffered = this.sentBuffer.length;
            this.flushSent(); // the next row of the same recipient and report may now go
            if (this.sentBuffer.length >= buffered) return; // not writable now: the timer tries again
            continue;
          }
          await Promise.race(this.inFlight.values());
        }
      }
    } finally {
      // Cleared in the same turn as the last look for rows: a call after this starts a new drain.
      this.draining = undefined;
    }
  }

  private stopping = false;

  /** Stops taking rows (a shutdown): what is in flight finishes; claimed rows not started are given back. */
  async stop(): Promise<void> {
    this.stopping = true;
    const waiting = this.queue.splice(0).map((i) => i.id);
    await Promise.all(this.inFlight.values());
    this.flushSent();
    try {
      this.outbox.release(this.owner, waiting);
    } catch (err) {
      this.log.warn({ code: (err as { code?: string }).code }, 'outbox: could not give back claimed messages; their claims lapse');
    }
  }

  /** Delivers soon, without waiting: after an action, so cards update at once. */
  kick(): void {
    this.deliverDue().catch((err: unknown) => this.log.error({ err }, 'outbox delivery failed'));
  }

  /** Rows claimed by this process and not started yet (a claim covers one round of sending). */
  private queue: (OutboxItem & { claimedUntil: number })[] = [];

  /**
   * Claims due rows (a round's worth at once: one commit for several messages) and
   * starts as many as there are free slots. The claim's lease covers the rounds a claimed
   * row may wait here plus its own deadline, so a crashed process's rows come back soon.
   */
  private async fill(): Promise<void> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopping) return;
    if (this.queue.length < free) {
      try {
        // One round at a time: a claim is cheap (synchronous NORMAL) and each claim puts
        // the DSL channel's newest cards first, ahead of rows claimed earlier.
        const rounds = 1;
        const leaseMs = this.itemTimeoutMs * (rounds + 1) + 1_000;
        const wall = Date.now();
        const claimed = this.outbox.claimDue({
          now: this.clock(),
          channels: this.runningChannels(),
          owner: this.owner,
          leaseMs,
          limit: this.concurrency * rounds - this.queue.length,
          wall,
        });
        const queued = new Set(this.queue.map((i) => i.id));
        for (const i of claimed) if (!queued.has(i.id) && !this.inFlight.has(i.id)) this.queue.push({ ...i, claimedUntil: wall + leaseMs });
      } catch (err) {
        this.log.error({ err }, 'outbox: could not claim messages (is the database writable?)');
      }
    }
    // Nothing goes out before the steps that made it are on disk (a request's steps wait
    // for one shared fsync: group-commit.ts). A failed fsync leaves the rows claimed; their
    // lease lapses and they are claimed again.
    try {
      await this.outbox.durable();
    } catch (err) {
      this.log.error({ err }, 'outbox: the database could not be synced to disk; nothing sent this round');
      return;
    }
    if (this.stopping) return;
    // A row whose claim would lapse before its deadline is left for the next claim (by anyone).
    this.queue = this.queue.filter((i) => i.claimedUntil - Date.now() > this.itemTimeoutMs + 500);
    const items = this.queue.splice(0, free);
    for (const item of items) {
      const run = this.deliverOne(item)
        .catch((err: unknown) => this.log.error({ err, outboxId: item.id }, 'outbox: could not record a delivery'))
        .finally(() => this.inFlight.delete(item.id));
      this.inFlight.set(item.id, run);
    }
  }

  private async deliverOne(item: OutboxItem): Promise<void> {
    const deliverer = this.deliverers.get(item.channel);
    const started = Date.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new TransientDeliveryError('timeout', `no answer within ${this.itemTimeoutMs} ms`));
      }, this.itemTimeoutMs);
    });
    try {
      if (!deliverer) throw new TransientDeliveryError('channel_not_running');
      await Promise.race([deliverer.deliver(item, controller.signal), deadline]);
      clearTimeout(timer);
      this.sent(item, Date.now() - started);
    } catch (raw) {
      clearTimeout(timer);
      this.failed(item, asDeliveryError(raw), Date.now() - started);
    }
  }

  /**
   * Sent rows are marked in one commit for several (every 25 ms, or 16 at a time): a
   * commit is the slow part of sending. A crash before the commit resends nothing: each
   * channel remembers the platform's message id for the row first (message refs) and
   * skips a row it already sent.
   */
  private sentBuffer: { id: string; at: Date; durationMs: number }[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  private sent(item: OutboxItem, durationMs: number): void {
    this.sentBuffer.push({ id: item.id, at: this.clock(), durationMs });
    if (this.sentBuffer.length >= 16) this.flushSent();
    else this.flushTimer ??= setTimeout(() => this.flushSent(), 25);
  }

  private flushSent(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const rows = this.sentBuffer.splice(0);
    try {
      this.totals.sent += this.outbox.markSentMany(this.owner, rows);
    } catch (err) {
      // The database cannot be written (a full disk): kept, and marked once it can.
      this.log.error({ code: (err as { code?: string }).code, rows: rows.length }, 'outbox: could not mark messages sent; will try again');
      this.sentBuffer.unshift(...rows);
      this.flushTimer = setTimeout(() => this.flushSent(), 1_000);
    }
  }

  private failed(item: OutboxItem, err: DeliveryError, durationMs: number): void {
    this.totals.failed += 1;
    const attempts = item.attempts + 1;
    const permanent = err.kind === 'permanent' || attempts >= maxDeliveryAttempts;
    const code = err.kind === 'permanent' || attempts < maxDeliveryAttempts ? err.code : `gave_up:${err.code}`;
    const now = this.clock();
    if (err.retryAfterMs !== undefined) this.pausedUntil.set(item.channel, Date.now() + err.retryAfterMs);
    const delay = err.retryAfterMs ?? retryDelayWithJitterMs(attempts);
    const retryAt = permanent ? undefined : new Date(now.getTime() + delay);
    const recorded = this.outbox.markFailed(item.id, this.owner, { at: now, code, detail: err.message, retryAt, durationMs });
    // The platform's or network's words about the failure (never the message itself).
    const fields = { outboxId: item.id, reportId: item.reportId, channel: item.channel, type: item.messageType, attempts, code, detail: err.message.slice(0, 200) };
    if (!permanent) {
      this.log.warn(fields, 'message delivery failed; will retry');
      return;
    }
    this.log.error(fields, 'message could not be delivered; recorded, and the notice goes another way');
    if (recorded && this.onFailed) {
      try {
        this.onFailed(item, code);
      } catch (e) {
        this.log.error({ err: e, outboxId: item.id }, 'outbox: could not record a failed delivery');
      }
    }
  }
}
