import { retryDelayWithJitterMs } from '../delivery-errors.js';
import { classifySlackError } from './slack-errors.js';
import type { SlackChannelDeps } from './slack-context.js';

/**
 * Slack down at start is a degraded channel, not a dead process: the token is checked
 * (auth.test) at start and, while that fails, again with back-off (5 s, 10 s, … 5 min,
 * jittered). Until it passes, Slack's outgoing messages wait in the outbox (counted in
 * /healthz) and everything else runs. Logged once when it goes down, once when back.
 */
export function slackHealth(opts: { d: SlackChannelDeps; check: () => Promise<void> }): { start(): Promise<void>; stop(): void; lost(code: string): void } {
  const { d } = opts;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let stopped = false;
  let running: Promise<void> | undefined;

  const attempt = (): Promise<void> =>
    (running ??= (async () => {
      try {
        await opts.check();
        if (failures > 0) d.log.info({ after: failures }, 'Slack: reachable again; its messages are being sent');
        failures = 0;
        d.dispatcher.setState('slack', 'running');
      } catch (err) {
        const code = classifySlackError(err).code;
        if (failures === 0) d.log.error({ code }, 'Slack: not reachable or the token is refused; running without Slack until it answers (messages wait)');
        failures += 1;
        d.dispatcher.setState('slack', 'degraded', code);
        schedule(Math.min(5 * 60_000, retryDelayWithJitterMs(failures) / 3));
      } finally {
        running = undefined;
      }
    })());

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void attempt(), ms);
    timer.unref();
  };

  return {
    start: () => attempt(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    /** A token error while sending: the channel is checked again now. */
    lost(code: string) {
      d.dispatcher.setState('slack', 'degraded', code);
      void attempt();
    },
  };
}
