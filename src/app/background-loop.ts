import type { Workflow } from '../core/workflow.js';
import type { Logger } from './logger.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';

/**
 * The background loop: runs due timers, then delivers the outbox, every interval. The
 * timers and messages are rows in the database; this loop only polls them, so a
 * restart loses nothing. One run at a time.
 */
export function startBackgroundLoop(opts: {
  workflow: Workflow;
  dispatcher: OutboxDispatcher;
  intervalMs: number;
  log: Logger;
  /** Other due work, after the timers and before the outbox. */
  jobs?: (() => Promise<void>)[];
}): { stop: () => Promise<void>; runOnce: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = async (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      try {
        const { processed } = opts.workflow.tick();
        if (processed > 0) opts.log.info({ timers: processed }, 'timers processed');
        for (const job of opts.jobs ?? []) await job();
        await opts.dispatcher.deliverDue();
      } catch (err) {
        opts.log.error({ err }, 'background loop run failed; will try again');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const handle = setInterval(() => {
    if (!stopped) void runOnce();
  }, opts.intervalMs);
  handle.unref();
  void runOnce();

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(handle);
      if (running) await running;
    },
  };
}
