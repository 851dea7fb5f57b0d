import { pairSafeEnd } from '../../views/message-budget.js';

/**
 * What Slack takes in one message or modal (Block Kit reference), and the budget the
 * bot keeps within. Slack refuses a message whose block text passes about 12,000
 * characters (`msg_blocks_too_long`, undocumented); the bot keeps to 10,000.
 */
export const slackLimits = {
  /** The bot's budget for all the text of one message's blocks. */
  messageText: 10_000,
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  radioOptions: 10,
  selectOptions: 100,
  inputLabel: 2000,
  placeholder: 150,
  plainTextInput: 3000,
  modalTitle: 24,
  privateMetadata: 3000,
} as const;

/** All the text in blocks: every text object's `text`, which is what Slack counts. */
export function blockTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + blockTextLength(v), 0);
  if (!value || typeof value !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'text' && typeof v === 'string') n += v.length;
    else if (typeof v === 'object') n += blockTextLength(v);
  }
  return n;
}

/**
 * `esc(raw)`, cut (before escaping, so no escape is split) until it is at most `max`
 * characters, ending with `tail` when cut.
 */
export function escapedWithin(raw: string, max: number, esc: (s: string) => string, tail = '…'): string {
  const whole = esc(raw);
  if (whole.length <= max) return whole;
  let lo = 0;
  let hi = raw.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (esc(raw.slice(0, mid)).length + tail.length <= max) lo = mid;
    else hi = mid - 1;
  }
  lo = pairSafeEnd(raw, lo);
  return `${esc(raw.slice(0, lo))}${tail}`;
}
