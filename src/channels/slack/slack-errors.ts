import { asDeliveryError, DeliveryError, PermanentDeliveryError, retryAfterMs, TransientDeliveryError } from '../delivery-errors.js';

/** Web API errors that mean "busy or broken just now": retried. Every other platform error is a refusal. */
const transientCodes = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited', 'team_added_to_org', 'timeout']);

/** Errors that mean the bot's token no longer works: the whole Slack channel needs its check again. */
export const tokenErrors = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'not_authed', 'account_inactive_bot', 'no_permission']);

/**
 * A Slack Web API error as a DeliveryError: a platform error code (channel_not_found,
 * user_not_found, account_inactive, not_in_channel, token_revoked, invalid_auth,
 * msg_blocks_too_long …) is permanent for that message; HTTP 5xx, 429 (with its
 * Retry-After), a timeout or a refused connection is transient.
 */
export function classifySlackError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number; headers?: Record<string, unknown>; original?: unknown };
  switch (e.code) {
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'platform_error';
      return transientCodes.has(code) ? new TransientDeliveryError(code, `Slack: ${code}`) : new PermanentDeliveryError(`Slack refused: ${code}`, code);
    }
    case 'slack_webapi_rate_limited':
      return new TransientDeliveryError('rate_limited', 'Slack: rate limited', (e.retryAfter ?? 1) * 1000);
    case 'slack_webapi_http_error': {
      const status = e.statusCode ?? 0;
      const after = retryAfterMs(e.headers?.['retry-after']);
      return new TransientDeliveryError(status === 429 ? 'rate_limited' : `http_${status}`, `Slack: HTTP ${status}`, status === 429 ? (after ?? 1000) : after);
    }
    case 'slack_webapi_request_error':
      return asDeliveryError(e.original ?? err);
    default:
      return asDeliveryError(err);
  }
}
