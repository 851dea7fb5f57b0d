import { type KeptMessage, messageAuditDetails, messageFileName, messageMediaType, type ReportedMessage } from './message-evidence.js';
import type { ReportRecord } from './ports.js';
import { audit, type WorkflowCtx } from './workflow-context.js';
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
