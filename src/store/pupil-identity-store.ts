import { createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { contentSha256 } from '../core/audit-chain.js';
import type { CaseFacts } from '../core/governors-report.js';
import { planMerge, planSplit, PupilIdentities, type IdentityChange } from '../core/pupil-identities.js';
import type { Directory } from '../core/school.js';
import { AuditLog } from './audit-store.js';
import { durableTransaction, type SqliteDatabase } from './database.js';
import type { Keyring } from './keyring.js';
import { openText, sealText } from './sealed.js';

type Row = Record<string, unknown>;
const reasonAad = (id: string) => `pupil_identity_changes.reason:${id}`;

export interface IdentityCommand {
  directory: Directory;
  /** Every case (from the store): who may see what is decided in core. */
  cases: CaseFacts[];
  actorId: string;
  reason: string | undefined;
}

/**
 * Pupil identities (issue 14, item 4; migration 0011): the DSL's merges and splits, kept
 * in order with their reasons sealed, each audited (`pupil.merged`, `pupil.split`: ids and
 * a hash of the reason only). A default identity's id is a keyed hash of the pupil's name
 * and year group (under a key derived from the key file's first key, so it survives a key
 * rotation), never the name itself.
 */
export class PupilIdentityStore {
  private readonly audit: AuditLog;
  private readonly idKey: Buffer;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly keys: Keyring,
  ) {
    this.audit = new AuditLog(db, keys);
    const first = keys.encryptionKey(keys.ids[0] ?? keys.currentId) as Buffer;
    this.idKey = Buffer.from(hkdfSync('sha256', first, Buffer.from('safeguarding-bot'), Buffer.from('pupil identity id'), 32));
  }

  private defaultId = (key: string): string => `pupil-${createHmac('sha256', this.idKey).update(key, 'utf8').digest('hex').slice(0, 24)}`;

  private changes(): IdentityChange[] {
    const rows = this.db.prepare('SELECT action, from_id, into_id, report_id, slot FROM pupil_identity_changes ORDER BY seq').all() as Row[];
    return rows.map((r) =>
      r.action === 'merge'
        ? { action: 'merge', fromId: String(r.from_id), intoId: String(r.into_id) }
        : { action: 'split', reportId: String(r.report_id), slot: String(r.slot), fromId: String(r.from_id), intoId: String(r.into_id) },
    );
  }

  /** The identities as every change so far leaves them. */
  identities(): PupilIdentities {
    return new PupilIdentities(this.changes(), this.defaultId);
  }

  private insert(change: IdentityChange, reason: string, actorId: string, at: string): string {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO pupil_identity_changes (id, action, from_id, into_id, report_id, slot, reason, actor, at)
         VALUES (@id, @action, @fromId, @intoId, @reportId, @slot, @reason, @actor, @at)`,
      )
      .run({
        id,
        action: change.action,
        fromId: change.fromId,
        intoId: change.intoId,
        reportId: change.action === 'split' ? change.reportId : null,
        slot: change.action === 'split' ? change.slot : null,
        reason: sealText(this.keys, reason, reasonAad(id)),
        actor: actorId,
        at,
      });
    return id;
  }

  /** Merges one pupil into another (two spellings of one pupil); returns the identity they now share. */
  merge(cmd: IdentityCommand & { fromId: string; intoId: string }, now: Date): string {
    return durableTransaction(this.db, () => {
      const plan = planMerge({ directory: cmd.directory, cases: cmd.cases, identities: this.identities() }, cmd);
      const at = now.toISOString();
      const change = this.insert(plan.change, plan.reason, cmd.actorId, at);
      this.audit.append({
        at,
        actor: cmd.actorId,
        action: 'pupil.merged',
        details: { change, from: plan.change.fromId, into: plan.change.intoId, reports: plan.reportIds, reasonSha256: contentSha256(plan.reason) },
      });
      return plan.change.intoId;
    });
  }

  /** Splits some of a pupil's cases ("<report id>|<slot>") off to a new identity (two pupils of one name); returns the new identity. */
  split(cmd: IdentityCommand & { fromId: string; mentions: string[] }, now: Date): string {
    return durableTransaction(this.db, () => {
      const newId = `pupil-${randomBytes(12).toString('hex')}`;
      const plan = planSplit({ directory: cmd.directory, cases: cmd.cases, identities: this.identities() }, { ...cmd, newId });
      const at = now.toISOString();
      const reasonSha256 = contentSha256(plan.reason);
      for (const c of plan.changes) {
        const change = this.insert(c, plan.reason, cmd.actorId, at);
        this.audit.append({ at, actor: cmd.actorId, action: 'pupil.split', reportId: c.reportId, details: { change, from: c.fromId, into: c.intoId, slot: c.slot, reasonSha256 } });
      }
      return newId;
    });
  }

  /** The recorded changes with their reasons opened (newest first), for the DSL's page. */
  history(): { id: string; action: 'merge' | 'split'; fromId: string; intoId: string; reportId?: string; reason: string; actor: string; at: string }[] {
    const rows = this.db.prepare('SELECT * FROM pupil_identity_changes ORDER BY seq DESC').all() as Row[];
    return rows.map((r) => ({
      id: String(r.id),
      action: r.action === 'merge' ? 'merge' : 'split',
      fromId: String(r.from_id),
      intoId: String(r.into_id),
      ...(r.report_id ? { reportId: String(r.report_id) } : {}),
      reason: openText(this.keys, String(r.reason), reasonAad(String(r.id))),
      actor: String(r.actor),
      at: String(r.at),
    }));
  }
}
