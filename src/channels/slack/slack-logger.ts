import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';

/**
 * One line from Bolt or the Web API client, made safe to log: their lines can carry
 * request and response bodies (report text, pupils' and staff names), so anything from
 * the first brace or bracket on is cut, quoted text is blanked, and the line is short.
 */
export function safeSlackLine(parts: unknown[]): string {
  const words = parts.map((p) => (p instanceof Error ? `${p.name}: ${p.message}` : typeof p === 'string' ? p : typeof p === 'number' || typeof p === 'boolean' ? String(p) : '[data]'));
  const line = words.join(' ');
  const cut = line.search(/[{[]/);
  return (cut >= 0 ? `${line.slice(0, cut)}[data]` : line).replace(/"[^"]*"|'[^']*'/g, '"…"').slice(0, 200);
}

/**
 * A pino logger in the shape Bolt wants. Bolt's and the Web API client's debug lines are
 * never logged, whatever LOG_LEVEL says: they print the bodies of Slack's requests and
 * the bot's calls (report text and names). Info, warnings and errors are logged made safe.
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: (...m: unknown[]) => child.info(safeSlackLine(m)),
    warn: (...m: unknown[]) => child.warn(safeSlackLine(m)),
    error: (...m: unknown[]) => child.error(safeSlackLine(m)),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}
