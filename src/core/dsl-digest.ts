import type { DigestEntry, ReportRecord } from './ports.js';
import { summarise } from './messages.js';
import type { WorkflowCtx } from './workflow-context.js';

/**
 * A flood is absorbed (issue 9): when many DSL-channel posts fall due at once, the
 * channel gets one listing for several reports instead of a card each, so a report
 * that comes after the flood is not buried under it. Nothing is dropped: each held post
 * is a row, sent in a listing a few seconds later (across restarts), and each report in
 * it keeps its own Acknowledge button, deadline and escalation. Urgent reports are never
 * held: they always get their own card at once.
 */
export const digestPolicy = {
  /** Posts for this many reports within `windowMs` are a flood; the next ones are held. */
  threshold: 3,
  windowMs: 60_000,
  /** How long the first held post waits for others to join it. */
  holdMs: 15_000,
  /** Reports per listing: one Acknowledge button each (an Adaptive Card shows at most five actions). */
  perMessage: 5,
} as const;

export type DigestMessage = DigestEntry['message'];
const held = new Set<string>(['report.for_acknowledgement', 'ack.reminder', 'report.escalated']);

/** A duty post to the DSL channel that should wait for a listing: true when it was held (not queued). */
export function holdForDigest(
  c: WorkflowCtx,
  report: ReportRecord,
  type: string,
  now: Date,
  extra: Record<string, unknown>,
): boolean {
  if (report.urgent || !held.has(type) || typeof extra.dutyId !== 'string') return false;
  const pending = c.store.pendingDigestAt();
  if (pending === undefined && c.store.recentDslPosts(new Date(now.getTime() - digestPolicy.windowMs)) < digestPolicy.threshold) return false;
  const { dutyId, ...rest } = extra;
  c.store.holdForDigest({
    reportId: report.id,
    dutyId,
    message: type as DigestMessage,
    extra: rest,
    addedAt: now.getTime(),
    flushAt: pending ?? now.getTime() + digestPolicy.holdMs,
  });
  return true;
}

/** One report's line in a listing: what the post was, with the ids its button needs. */
export interface DigestLine {
  [key: string]: unknown;
  reportId: string;
  reference: string;
  kindLabel: string;
  submittedAt: string;
  dutyId: string;
  message: DigestMessage;
  dueAt?: string;
  toRole?: string;
  possibleSubjectSkipped?: true;
}

/**
 * The held posts whose time has come, as listings of up to `perMessage` reports. A post
 * whose duty was done meanwhile (acknowledged from App Home, say) or whose report closed
 * is left out; a report held twice (new, then reminded) is listed once, as its latest post.
 */
export function dueDigests(c: WorkflowCtx, now: Date): DigestLine[][] {
  const entries = c.store.takeDueDigest(now, 500);
  const latest = new Map<string, DigestLine>();
  for (const e of entries) {
    const report = c.store.getReport(e.reportId);
    const duty = c.store.getDuty(e.dutyId);
    if (!report || !duty || duty.status === 'done' || report.status === 'closed') {
      latest.delete(e.reportId);
      continue;
    }
    const s = summarise(report);
    latest.set(e.reportId, {
      reportId: report.id,
      reference: s.reference,
      kindLabel: s.kindLabel,
      submittedAt: s.submittedAt,
      dutyId: e.dutyId,
      message: e.message,
      ...(typeof e.extra.dueAt === 'string' ? { dueAt: e.extra.dueAt } : {}),
      ...(typeof e.extra.toRole === 'string' ? { toRole: e.extra.toRole } : {}),
      ...(s.possibleSubjectSkipped ? { possibleSubjectSkipped: true as const } : {}),
    });
  }
  const lines = [...latest.values()];
  const out: DigestLine[][] = [];
  for (let i = 0; i < lines.length; i += digestPolicy.perMessage) out.push(lines.slice(i, i + digestPolicy.perMessage));
  return out;
}
