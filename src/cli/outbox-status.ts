import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openDatabase } from '../store/database.js';
import { OutboxStore, type OutboxProblem } from '../store/outbox-store.js';

/** `outbox status [--db <file>] [--json]`. */
export function addOutboxCommands(program: Command, out: (s: string) => void): void {
  program
    .command('outbox')
    .description('the outbox of messages to deliver')
    .command('status')
    .description('list waiting, retrying and failed messages with their reasons (ids and codes only)')
    .option('--db <file>', 'the database (default: DATABASE_PATH or data/safeguarding.db)')
    .option('--json', 'print as JSON')
    .action((opts: { db?: string; json?: boolean }) => {
      const db = openDatabase(opts.db ?? loadConfig().databasePath);
      try {
        const outbox = new OutboxStore(db); // ids and codes only: no key needed
        out(outboxStatusText(outbox.counts(), outbox.problems(), opts.json === true));
      } finally {
        db.close();
      }
    });
}

/**
 * `outbox status`: per channel, how many messages wait, retry or failed; then each one not
 * delivered with its reason. Ids, message types and error codes only: never report text.
 */
export function outboxStatusText(counts: Record<string, { waiting: number; retrying: number; failed: number }>, problems: OutboxProblem[], json: boolean): string {
  if (json) return JSON.stringify({ counts, messages: problems }, null, 2);
  const channels = Object.entries(counts);
  if (channels.length === 0) return 'OK: every message has been delivered (nothing waiting, retrying or failed)';
  const lines = channels.map(([c, n]) => `${c}: ${n.waiting} waiting, ${n.retrying} retrying, ${n.failed} failed`);
  lines.push('', 'state     channel  type                        to                  report                                attempts  reason / next try');
  for (const p of problems) {
    const to = p.recipientType === 'dsl_channel' ? 'DSL channel' : p.recipientId;
    const why = p.state === 'failed' ? `failed: ${p.errorCode ?? 'unknown'}` : p.state === 'retrying' ? `${p.errorCode ?? 'error'}; next try ${p.nextAttemptAt ?? ''}` : `waiting since ${p.createdAt}`;
    lines.push([p.state.padEnd(9), p.channel.padEnd(8), p.messageType.padEnd(27), to.padEnd(19), (p.reportId ?? '-').padEnd(37), String(p.attempts).padEnd(9), why].join(' '));
  }
  return lines.join('\n');
}
