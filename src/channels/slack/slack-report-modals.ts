import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { acceptsEvidence, reportKinds } from '../../core/report-schemas.js';
import { jsonOrUndefined } from '../wire-body.js';
import { localDateTime } from '../../core/working-time.js';
import { wordsForError } from '../../views/error-words.js';
import { formFields, formFromValues, formView } from '../../views/report-forms.js';
import { formModal, kindModal } from './slack-blocks.js';
import { answers, modalErrors, type SlackContext } from './slack-context.js';
import { subjectCheckStep } from './slack-subject-check.js';

const formNotOpened =
  'Slack did not open the report form just now, so nothing has been sent. Please try /report again in a minute. If it is urgent, tell the DSL in person or by phone now.';

// Built once (zod's schemas are costly to build, cheap to use).
const formMetaSchema = z.object({ kind: z.enum(reportKinds) });
const uploadsSchema = z
  .array(z.looseObject({ id: z.string(), name: z.string().optional(), url_private_download: z.string().optional(), url_private: z.string().optional() }))
  .catch([]);

/** /report and the report modals: the kind, then that kind's form; the report is stored before the modal closes. */
export function registerReportModals(s: SlackContext): void {
  const { app, client, d, files } = s;
  const dir = d.directory;
  app.command('/report', async ({ ack, body }) => {
    // The form first (the client gives up within 2.5 s), then the answer: if Slack failed,
    // the person is told plainly, inside Slack's 3 s, that nothing was sent.
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: kindModal() as never });
      await ack();
    } catch (err) {
      d.log.warn({ code: (err as { code?: string }).code }, 'Slack: the report form could not be opened');
      await ack({ response_type: 'ephemeral', text: formNotOpened });
    }
  });

  app.view('report_kind', async ({ ack, view }) => {
    const kind = z.enum(reportKinds).safeParse(answers(view.state.values).kind);
    if (!kind.success) return void (await ack({ response_action: 'errors', errors: { kind: 'Please choose what kind of concern this is.' } }));
    await ack({ response_action: 'update', view: formModal(formView(kind.data, dir), kind.data === 'cyberbullying') as never });
  });

  app.view('report_form', async ({ ack, body, view }) => {
    const meta = formMetaSchema.safeParse(jsonOrUndefined(view.private_metadata));
    if (!meta.success) return void (await ack({ response_action: 'errors', errors: {} }));
    const kind = meta.data.kind;
    const flat = answers(view.state.values);
    // G2: a nude-images report never takes a file; refused here, before anything is queued or fetched.
    if (!acceptsEvidence(kind) && carriesFiles(flat['evidence.files'])) {
      d.log.warn({ viewId: view.id }, 'Slack: a nude-images report carried a file: refused without fetching it');
      return void (await ack({ response_action: 'errors', errors: { [formFields[kind][0]?.id ?? 'kind']: wordsForError(new DomainError('EVIDENCE_NOT_ALLOWED', 'G2')) } }));
    }
    // G1: a typed name that could be someone in the school file is asked about before the report is sent.
    const ask = subjectCheckStep(s, kind, flat);
    if (ask) return void (await ack({ response_action: 'update', view: ask as never }));
    const reporterId = s.actor(body.user.id);
    const uploads = uploadsSchema.parse(flat['evidence.files'] ?? []);
    // Slack's datetimepicker gives unix seconds; core keeps school-time "YYYY-MM-DDTHH:MM".
    const stamp = (seconds: unknown) => (typeof seconds === 'number' ? localDateTime(new Date(seconds * 1000), dir.timeZone) : undefined);
    const takenAt = stamp(flat['evidence.takenAt']);
    const postedAt = stamp(flat['evidence.postedAt']);
    try {
      // The report and its files to fetch (after the modal closes, retried if Slack is slow) are one transaction.
      await d.workflow.submit({
        reporterId,
        form: formFromValues(kind, flat),
        idempotencyKey: `slack:${view.id}`,
        onStored: (result) => {
          for (const f of uploads) {
            const url = f.url_private_download ?? f.url_private;
            if (!url) continue;
            const meta = { fileName: f.name ?? f.id, ...(takenAt ? { takenAt } : {}), ...(postedAt ? { postedAt } : {}) };
            files.add({ reportId: result.reportId, reporterId, fileId: f.id, name: f.name ?? f.id, url, meta }, d.clock());
          }
        },
      });
      await ack();
      d.dispatcher.kick();
      if (uploads.length > 0) s.fetchPendingFiles().catch((err: unknown) => d.log.error({ err }, 'Slack: fetching evidence failed'));
    } catch (err) {
      if (err instanceof DomainError && err.issues.length > 0) {
        await ack({ response_action: 'errors', errors: modalErrors(err.issues, kind, formFields[kind][0]?.id ?? 'kind') });
        return;
      }
      d.log.error({ err }, 'Slack: a report could not be stored');
      await ack({ response_action: 'errors', errors: { [formFields[kind][0]?.id ?? 'kind']: wordsForError(err) } });
    }
  });
}

/** Whether a form's file input holds anything at all (a malformed value counts: it is not trusted to be empty). */
function carriesFiles(raw: unknown): boolean {
  if (raw === undefined || raw === null) return false;
  return Array.isArray(raw) ? raw.length > 0 : true;
}
