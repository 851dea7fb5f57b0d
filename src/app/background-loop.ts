import type { Workflow } from '../core/workflow.js';
import type { Logger } from '../logger.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';

/**
 * The background loop: due timers every interval, on their own schedule, and the outbox
 * and other due work beside them. Delivery never holds the timers back: a hung message
 * only holds its own slot, and the next timer run starts on time whatever the outbox is
 * doing. Timers and messages are rows in the database, so a restart loses nothing.
 */
export function startBackgroundLoop(opts: {
  workflow: Workflow;
  dispatcher: OutboxDispatcher;
  intervalMs: number;
  log: Logger;
  /** Other due work (e.g. fetching Slack uploads), run beside the outbox. */
  jobs?: (() => Promise<void>)[];
  /** Housekeeping (pruning past the retention): at the start, then every `maintenanceEveryMs` (default 10 minutes). */
  maintenance?: () => void;
  maintenanceEveryMs?: number;
}): { stop: () => Promise<void>; runOnce: () => Promise<void> } {
  let stopped = false;
  let delivering: Promise<void> | undefined;
  let jobsRunning: Promise<void> | undefined;

  /** Timers: synchronous database work, never waiting for a platform. */
  const runTimers = (): void => {
    try {
      const { processed } = opts.workflow.tick();
      if (processed > 0) opts.log.info({ timers: processed }, 'timers processed');
    } catch (err) {
      opts.log.error({ err }, 'timers could not run; will try again');
    }
  };

  const deliver = (): Promise<void> =>
    (delivering ??= opts.dispatcher
      .deliverDue()
      .then(() => undefined)
      .catch((err: unknown) => opts.log.error({ err }, 'outbox delivery failed; will try again'))
      .finally(() => (delivering = undefined)));

  const runJobs = (): Promise<void> =>
    (jobsRunning ??= (async () => {
      for (const job of opts.jobs ?? []) {
        try {
          await job();
        } catch (err) {
          opts.log.error({ err }, 'background job failed; will try again');
        }
      }
    })().finally(() => (jobsRunning = undefined)));

  let maintainedAt = Number.NEGATIVE_INFINITY;
  /** Housekeeping when it is due (synchronous database work, in short batches). */
  const maintain = (force = false): void => {
    if (!opts.maintenance || (!force && Date.now() - maintainedAt < (opts.maintenanceEveryMs ?? 600_000))) return;
    maintainedAt = Date.now();
    try {
      opts.maintenance();
    } catch (err) {
      opts.log.error({ err }, 'housekeeping could not run; will try again');
    }
  };

  /** One round: timers now, then the outbox and jobs (the returned promise waits for them); housekeeping too. */
  const runOnce = async (): Promise<void> => {
    runTimers();
    maintain(true);
    await Promise.all([runJobs(), deliver()]);
    // Messages the jobs queued (e.g. evidence fetched) go out in the same round.
    await deliver();
  };

  const handle = setInterval(() => {
    if (stopped) return;
    runTimers();
    void runJobs();
    void deliver();
    maintain();
  }, opts.intervalMs);
  handle.unref();
  void runOnce();

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(handle);
      await opts.dispatcher.stop();
      await Promise.all([delivering, jobsRunning]);
    },
  };
}
