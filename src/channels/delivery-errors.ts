import type { DeliveryChannel, OutboxItem } from '../core/ports.js';

/**
 * How a failed delivery is told apart: transient (the platform is down, slow or busy:
 * retried with back-off, or after the platform's Retry-After) or permanent (the platform
 * refused this message or recipient: retrying will not mend it, so it is recorded and
 * the duty's notice goes another way). Every failure carries a short code, never text.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly kind: 'transient' | 'permanent',
    readonly code: string,
    message = code,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** An error that will not get better by retrying (a message or recipient the platform refuses). */
export class PermanentDeliveryError extends DeliveryError {
  override name = 'PermanentDeliveryError';
  constructor(message: string, code = 'refused') {
    super('permanent', code, message);
  }
}

export class TransientDeliveryError extends DeliveryError {
  override name = 'TransientDeliveryError';
  constructor(code: string, message = code, retryAfterMs?: number) {
    super('transient', code, message, retryAfterMs);
  }
}

/** Errors of the network itself (refused, reset, timed out): always transient. */
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'ECONNABORTED']);

/** A network error's code, looking through wrapped causes; undefined when it is not one. */
export function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown; original?: unknown; name?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string' && networkCodes.has(e.code)) return e.code;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'timeout';
    e = (e.original ?? e.cause) as typeof e;
  }
  return undefined;
}

/** Any error as a DeliveryError: an unknown one is transient (retried, never dropped). */
export function asDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const net = networkCode(err);
  if (net) {
    const code = net === 'timeout' ? 'timeout' : `network_${net.toLowerCase()}`;
    return new TransientDeliveryError(code, `${code}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return new TransientDeliveryError('error', err instanceof Error ? err.message : String(err));
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  const at = Date.parse(String(value));
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - now, 3600_000));
}

/** A channel adapter's half of the outbox: sends one queued message, or throws (a DeliveryError says which kind). */
export interface ChannelDeliverer {
  channel: DeliveryChannel;
  /** `signal` aborts when the item's deadline passes: the call should give up then. */
  deliver(item: OutboxItem, signal?: AbortSignal): Promise<void>;
}

/** A channel's state: only a running channel's rows are sent; the others wait, counted. */
export type ChannelState = 'running' | 'degraded' | 'stopped';

export const maxDeliveryAttempts = 20;

/** Back-off after a failed attempt: 15 s, 30 s, 1 min, … up to 1 hour (no jitter: see `retryDelayWithJitterMs`). */
export function retryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 15_000 * 2 ** Math.max(0, attempts - 1));
}

/** The back-off with ±20 % jitter, so a recovering platform is not hit by every row at once. */
export function retryDelayWithJitterMs(attempts: number, random = Math.random): number {
  return Math.round(retryDelayMs(attempts) * (0.8 + 0.4 * random()));
}
