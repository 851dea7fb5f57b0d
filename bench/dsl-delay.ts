// How long a report waits for its post in the DSL channel: from the report stored to the
// post sent, whether the post is the report's own card or, in a flood, a listing of
// several reports (the flood guard, src/core/dsl-digest.ts: once posts for 3 reports went
// to the channel within a minute, the next wait 15 s and go out up to 5 to a listing).
// Measured per view_submission cell: the reports stored in it (by rowid), their own cards
// (outbox rows with the report's id) and the listings that named them (the audit log's
// "notification.listed" entry, at the time its listing was queued).
import Database from 'better-sqlite3';
import { percentile } from './load.js';

/** Where the database's tables ended at a moment: rows after it are new. */
export interface Mark {
  reports: number;
  outbox: number;
  audit: number;
}

export function mark(dbFile: string): Mark {
  const db = new Database(dbFile, { readonly: true });
  try {
    const max = (sql: string) => Number((db.prepare(sql).pluck().get() as number | null) ?? 0);
    return { reports: max('SELECT MAX(rowid) FROM reports'), outbox: max('SELECT MAX(rowid) FROM outbox'), audit: max('SELECT MAX(seq) FROM audit_log') };
  } finally {
    db.close();
  }
}

export interface DslDelay {
  connections: number;
  /** Report stored → its DSL-channel post sent (own card or listing), ms. */
  p50: number;
  p95: number;
  max: number;
  reports: number;
  /** Reports posted with a card of their own (before the flood guard holds posts): stored → card sent, ms. */
  cardP50: number;
  cardP95: number;
  /** Reports posted in a listing (held 15 s by the flood guard, by design): stored → listing sent, ms. */
  listedP50: number;
  /** Reports posted with a card of their own, and in a listing. */
  cards: number;
  listed: number;
  /** Reports whose post was not sent when the wait ended. */
  unsent: number;
}

type Window = { connections: number; from: Mark; to: Mark };

function measure(db: Database.Database, windows: Window[]): DslDelay[] {
  const since = Math.min(...windows.map((w) => w.from.outbox));
  const auditSince = Math.min(...windows.map((w) => w.from.audit));
  const own = new Map<string, string | null>();
  const listings = new Map<string, string | null>(); // created_at → first sent_at
  for (const o of db
    .prepare(`SELECT report_id, message_type, created_at, sent_at FROM outbox WHERE rowid > ? AND recipient_type = 'dsl_channel'`)
    .all(since) as { report_id: string | null; message_type: string; created_at: string; sent_at: string | null }[]) {
    if (o.message_type === 'reports.digest') {
      const seen = listings.get(o.created_at);
      if (seen === undefined || (o.sent_at && (!seen || o.sent_at < seen))) listings.set(o.created_at, o.sent_at);
    } else if (o.report_id && o.message_type === 'report.for_acknowledgement') own.set(o.report_id, o.sent_at);
  }
  const listedAt = new Map<string, string>();
  for (const a of db.prepare(`SELECT report_id, at FROM audit_log WHERE seq > ? AND action = 'notification.listed'`).all(auditSince) as { report_id: string; at: string }[])
    if (!listedAt.has(a.report_id)) listedAt.set(a.report_id, a.at);
  const reports = db.prepare('SELECT id, submitted_at FROM reports WHERE rowid > ? AND rowid <= ? ORDER BY rowid');
  return windows.map((w) => {
    const delays: number[] = [];
    const cardDelays: number[] = [];
    const listDelays: number[] = [];
    let cards = 0;
    let listed = 0;
    let unsent = 0;
    const rows = reports.all(w.from.reports, w.to.reports) as { id: string; submitted_at: string }[];
    for (const r of rows) {
      let sent: string | null | undefined;
      if (own.has(r.id)) {
        cards += 1;
        sent = own.get(r.id);
      } else if (listedAt.has(r.id)) {
        listed += 1;
        sent = listings.get(listedAt.get(r.id) as string);
      }
      if (sent) {
        const ms = Date.parse(sent) - Date.parse(r.submitted_at);
        delays.push(ms);
        (own.has(r.id) ? cardDelays : listDelays).push(ms);
      } else unsent += 1;
    }
    for (const d of [delays, cardDelays, listDelays]) d.sort((a, b) => a - b);
    return {
      connections: w.connections,
      p50: percentile(delays, 50),
      p95: percentile(delays, 95),
      max: delays.at(-1) ?? 0,
      cardP50: percentile(cardDelays, 50),
      cardP95: percentile(cardDelays, 95),
      listedP50: percentile(listDelays, 50),
      reports: rows.length,
      cards,
      listed,
      unsent,
    };
  });
}

/** Each window's delays, once every report in them has its post sent (or after `waitMs`). */
export async function dslPostDelays(dbFile: string, windows: Window[], waitMs: number): Promise<DslDelay[]> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const until = Date.now() + waitMs;
    let out = measure(db, windows);
    while (out.some((d) => d.unsent > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      out = measure(db, windows);
    }
    return out;
  } finally {
    db.close();
  }
}
