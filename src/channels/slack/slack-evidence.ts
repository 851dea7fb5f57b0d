import { retryDelayMs } from '../delivery-errors.js';
import { DomainError } from '../../core/errors.js';
import { downloadLimited } from '../download.js';
import type { SlackContext } from './slack-context.js';

const maxFileAttempts = 10;

/**
 * Evidence uploads, fetched after the report is stored: only from Slack's file host (or
 * the configured Web API host), with the bot token; a failure is retried with back-off.
 * One run at a time; a call during a run waits for it.
 */
export function slackEvidenceFetcher(s: Pick<SlackContext, 'd' | 'files'>): () => Promise<void> {
  const { d, files } = s;
  const apiOrigin = d.config.apiUrl ? new URL(d.config.apiUrl).origin : undefined;
  const trusted = (url: URL) => url.protocol === 'https:' && (url.hostname === 'files.slack.com' || url.hostname.endsWith('.slack.com'));
  let fetching: Promise<void> | undefined;
  const fetchDue = async (): Promise<void> => {
    for (const f of files.due(d.clock())) {
      try {
        const url = new URL(f.url);
        if (!trusted(url) && url.origin !== apiOrigin) throw new DomainError('EVIDENCE_TYPE', 'not a Slack file address');
        // The bot token goes only to Slack (or the configured Web API host).
        const bytes = await downloadLimited(url, { token: d.config.botToken, maxBytes: d.maxEvidenceBytes });
        await d.workflow.attachEvidence({ reportId: f.reportId, actorId: f.reporterId, bytes, meta: f.meta });
        files.markDone(f.id);
      } catch (err) {
        const permanent = err instanceof DomainError || f.attempts + 1 >= maxFileAttempts;
        files.markFailed(f.id, err instanceof Error ? err.message : String(err), permanent ? undefined : new Date(d.clock().getTime() + retryDelayMs(f.attempts + 1)));
        d.log.warn({ reportId: f.reportId, attempts: f.attempts + 1, permanent }, 'Slack: an evidence file could not be fetched');
      }
    }
    d.dispatcher.kick();
  };
  /** One run at a time; a call during a run waits for it. */
  const fetchPendingFiles = (): Promise<void> => {
    fetching ??= fetchDue().finally(() => {
      fetching = undefined;
    });
    return fetching;
  };
  return fetchPendingFiles;
}
