import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs to stdout. Log report ids, reference numbers, rule ids and codes;
 * never report text or people's names.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'safeguarding-bot' } });
}
