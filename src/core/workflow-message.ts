import { type KeptMessage, keptMessageSchema, messageAuditDetails, messageFileName, messageMediaType, type ReportedMessage } from './message-evidence.js';
import type { ReportRecord } from './ports.js';
import { audit, type WorkflowCtx } from './workflow-context.js';
import type { ReportView } from './workflow-types.js';
import { localDateTime } from './working-time.js';

/**
 * Keeps the reported message with its report, inside the report's transaction: its file
 * (already written, named by hash) as evidence, and who reported which message, when, with
 * the content and evidence hashes, on the record (G7). G2: for nude images only the entry.
 */
export function recordReportedMessage(c: WorkflowCtx, report: ReportRecord, message: ReportedMessage, kept: KeptMessage, by: string, now: Date, evidenceSha256: string[]): void {
  if (kept.file)
    c.store.insertEvidence({
      id: c.newId(),
      reportId: report.id,
      sha256: kept.file.sha256,
      size: kept.file.size,
      mediaType: messageMediaType,
      fileName: messageFileName(message),
      postedAt: localDateTime(new Date(kept.postedAt), c.directory.timeZone),
      addedBy: by,
      addedAt: now.toISOString(),
    });
  audit(c, by, 'message.reported', report.id, now, messageAuditDetails(message, kept, evidenceSha256));
}

/**
 * The report's details with the message it was made from, for those who see the full
 * record: the message as kept (read from its sealed evidence file). A file that cannot
 * be read leaves the details as they are (the evidence is still listed, with its hash).
 */
export async function withReportedMessage(c: WorkflowCtx, v: ReportView): Promise<ReportView> {
  if (v.access !== 'full') return v;
  const e = c.store.listEvidence(v.reportId).find((x) => x.mediaType === messageMediaType);
  if (!e) return v;
  try {
    const kept = keptMessageSchema.parse(JSON.parse((await c.files.read(e.sha256)).toString('utf8')));
    return {
      ...v,
      message: {
        platform: kept.platform,
        ...(kept.author.name ? { authorName: kept.author.name } : {}),
        postedAt: kept.postedAt,
        ...(kept.link ? { link: kept.link } : {}),
        plainText: kept.plainText,
        attachments: kept.attachments,
      },
    };
  } catch {
    return v;
  }
}
