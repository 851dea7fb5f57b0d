import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Fields that may hold report text, reasons or names if anything ever passes them to a
 * log line (request bodies, HTTP client errors carrying the request they sent): removed
 * at every level. Our own lines log ids, references, rule ids and codes only.
 */
export const redactPaths = [
  'body',
  'req.body',
  'request',
  'payload',
  'form',
  'text',
  'reason',
  'description',
  'blocks',
  'view',
  'card',
  '*.body',
  '*.payload',
  '*.form',
  '*.text',
  '*.reason',
  '*.blocks',
  'err.config',
  'err.request',
  'err.response.config',
  'err.response.request',
  'err.options',
  'err.body',
  'err.requestBody',
];

/**
 * Structured logs to stdout (or `destination`, for tests). Log report ids, reference
 * numbers, rule ids and codes; never report text or people's names, at any level.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { app: 'safeguarding-bot' }, redact: { paths: redactPaths, remove: true } };
  return destination ? pino(options, destination) : pino(options);
}
