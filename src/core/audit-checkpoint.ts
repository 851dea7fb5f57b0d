import { auditCheckpointAction } from './audit-chain.js';
import type { AuditEntry, AuditInput, DeliveryChannel, OutboxInput } from './ports.js';
import type { Directory } from './school.js';
import type { Clock } from './working-time.js';

/** What a checkpoint needs from storage. */
export interface CheckpointStore {
  transaction<T>(fn: () => T): T;
  appendAudit(entry: AuditInput): AuditEntry;
  enqueue(item: OutboxInput, now: Date): void;
  /** The newest entry, and the newest checkpoint entry. */
  auditHead(): { seq: number; hash: string; at: string } | undefined;
  lastAuditEntry(action: string): AuditEntry | undefined;
  firstAuditEntry(): AuditEntry | undefined;
}

export interface CheckpointDeps {
  store: CheckpointStore;
  directory: Directory;
  channels: DeliveryChannel[];
  clock: Clock;
  /** How often: a checkpoint is made when this long has passed since the last one and something was written since. */
  everyHours: number;
}

/**
 * The audit log's anchor outside the database: when due, the head (entry number and
 * hash) is sent to the DSL in a message, and the sending is written into the log. The
 * DSL's chat history keeps it where the database's owner cannot quietly change it;
 * `audit verify --head SEQ:HASH` checks the log still holds that entry, unchanged.
 * Returns the anchored head, or undefined when nothing was due.
 */
export function checkpointAudit(d: CheckpointDeps): { seq: number; hash: string } | undefined {
  if (d.everyHours <= 0) return undefined;
  const now = d.clock();
  return d.store.transaction(() => {
    const head = d.store.auditHead();
    if (!head) return undefined;
    const last = d.store.lastAuditEntry(auditCheckpointAction);
    if (last && last.seq >= head.seq) return undefined; // nothing written since
    const since = last?.at ?? d.store.firstAuditEntry()?.at ?? head.at;
    if (now.getTime() - new Date(since).getTime() < d.everyHours * 3_600_000) return undefined;
    const dsl = d.directory.withRole('dsl').map((p) => p.id);
    d.store.appendAudit({ at: now.toISOString(), actor: 'system', action: auditCheckpointAction, details: { seq: head.seq, hash: head.hash, to: dsl } });
    for (const personId of dsl) {
      const person = d.directory.get(personId);
      for (const channel of d.channels.filter((c) => c === 'sandbox' || (c === 'slack' && person?.slack) || (c === 'teams' && person?.teams)))
        d.store.enqueue(
          {
            dedupeKey: `audit-checkpoint:${head.seq}:${channel}:${personId}`,
            channel,
            recipientType: 'person',
            recipientId: personId,
            messageType: 'audit.checkpoint',
            payload: { seq: head.seq, hash: head.hash, at: now.toISOString() },
          },
          now,
        );
    }
    return { seq: head.seq, hash: head.hash };
  });
}
