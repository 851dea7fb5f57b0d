import { asDeliveryError, DeliveryError, PermanentDeliveryError, retryAfterMs, TransientDeliveryError } from '../delivery-errors.js';

/**
 * A Bot Connector error as a DeliveryError: 403 (the bot was removed, the user blocked
 * it or left), 404 (no such conversation), 400 and 413 (a message Teams refuses) are
 * permanent for that message; 429 (with its Retry-After), 5xx, a timeout or a refused
 * connection is transient.
 */
export function classifyTeamsError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { statusCode?: number; code?: string; response?: { headers?: { get?: (name: string) => string | undefined } } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined) return asDeliveryError(err);
  if (status === 429) return new TransientDeliveryError('teams_429', 'Teams: rate limited', retryAfterMs(e.response?.headers?.get?.('retry-after')) ?? 1000);
  if ([400, 401, 403, 404, 410, 413].includes(status)) return new PermanentDeliveryError(`Teams refused: HTTP ${status}`, `teams_${status}`);
  return new TransientDeliveryError(`teams_${status}`, `Teams: HTTP ${status}`, retryAfterMs(e.response?.headers?.get?.('retry-after')));
}
