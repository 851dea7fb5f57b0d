/**
 * A flood is absorbed: at most `max` new reports from one person within `windowMinutes`.
 * A report already submitted is never dropped; the next one is refused with a kind
 * message (TOO_MANY_REPORTS) until the window has moved on.
 */
export interface SubmitLimit {
  max: number;
  windowMinutes: number;
}

export const defaultSubmitLimit: SubmitLimit = { max: 10, windowMinutes: 10 };

/** Whether one more report from this person now would pass the limit (0 turns the limit off). */
export function overSubmitLimit(recent: (sinceIso: string) => number, now: Date, limit: SubmitLimit): boolean {
  if (limit.max <= 0) return false;
  const since = new Date(now.getTime() - limit.windowMinutes * 60_000).toISOString();
  return recent(since) >= limit.max;
}
