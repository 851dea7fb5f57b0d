import type { ChannelStore } from '../../store/channel-store.js';

/**
 * The sandbox's clock: real time plus an offset that only moves forward ("skip
 * ahead"), kept in the sandbox database so that a restart keeps the sandbox's time.
 * Everything in the bot (workflow, timers, outbox) reads this clock in the sandbox.
 */
export class SandboxClock {
  offsetMs = 0;

  constructor(private readonly realNow: () => Date = () => new Date()) {}

  readonly now = (): Date => new Date(this.realNow().getTime() + this.offsetMs);

  load(refs: ChannelStore): void {
    this.offsetMs = refs.getRef<{ offsetMs: number }>('clock')?.offsetMs ?? 0;
  }

  skipTo(at: Date, refs: ChannelStore): void {
    this.offsetMs = Math.max(this.offsetMs, at.getTime() - this.realNow().getTime());
    refs.putRef('clock', { offsetMs: this.offsetMs }, this.now());
  }
}
