import type { DeliveryChannel, OutboxItem } from '../core/ports.js';
import type { Clock } from '../core/working-time.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { Logger } from './logger.js';

/** A channel adapter's half of the outbox: sends one queued message, or throws. */
export interface ChannelDeliverer {
  channel: DeliveryChannel;
  deliver(item: OutboxItem): Promise<void>;
}

/** An error that will not get better by retrying (a message the platform refuses). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export const maxDeliveryAttempts = 20;

/** Back-off after a failed attempt: 15 s, 30 s, 1 min, … up to 1 hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 15_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers the outbox: each due message goes to its channel's deliverer; a failure is
 * retried with back-off, so an outage delays messages and never loses them. Messages
 * for a channel that is not running stay queued.
 */
export class OutboxDispatcher {
  private readonly deliverers = new Map<DeliveryChannel, ChannelDeliverer>();

  constructor(
    private readonly store: SqliteStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  register(deliverer: ChannelDeliverer): void {
    this.deliverers.set(deliverer.channel, deliverer);
  }

  get channels(): DeliveryChannel[] {
    return [...this.deliverers.keys()];
  }

  /**
   * Delivers what is due. Runs one at a time: a call made while another runs waits for
   * it, so the background loop and kicks never send the same message twice.
   */
  deliverDue(limit = 50): Promise<{ sent: number; failed: number }> {
    const run = this.running.then(() => this.deliverNow(limit));
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Delivers soon, without waiting: after an action, so cards update at once. */
  kick(): void {
    this.deliverDue().catch((err: unknown) => this.log.error({ err }, 'outbox delivery failed'));
  }

  private running: Promise<void> = Promise.resolve();

  private async deliverNow(limit: number): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    for (const item of this.store.dueOutbox(this.clock(), limit)) {
      const deliverer = this.deliverers.get(item.channel);
      if (!deliverer) continue;
      try {
        await deliverer.deliver(item);
        this.store.markSent(item.id, this.clock());
        sent += 1;
      } catch (err) {
        failed += 1;
        const attempts = item.attempts + 1;
        const permanent = err instanceof PermanentDeliveryError || attempts >= maxDeliveryAttempts;
        const retryAt = permanent ? undefined : new Date(this.clock().getTime() + retryDelayMs(attempts));
        this.store.markFailed(item.id, err instanceof Error ? err.message : String(err), retryAt);
        const fields = { outboxId: item.id, reportId: item.reportId, channel: item.channel, type: item.messageType, attempts };
        if (permanent) this.log.error({ ...fields, err }, 'message could not be delivered; kept in the outbox as dead');
        else this.log.warn({ ...fields, err }, 'message delivery failed; will retry');
      }
    }
    return { sent, failed };
  }
}
