import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { acceptsEvidence, reportKinds, type ReportKind } from '../../core/report-schemas.js';
import { localDateTime } from '../../core/working-time.js';
import { wordsForError } from '../../views/error-words.js';
import { formFields, formFromValues, formView, subjectCheckField } from '../../views/report-forms.js';
import { askedAboutSubjects } from '../conversation.js';
import { formModal, type ModalView } from './slack-blocks.js';
import { answers, modalErrors, type SlackContext } from './slack-context.js';

/**
 * G1's confirm step in Slack. When a valid report form's typed name could be someone in
 * the school file, the modal is updated (response_action "update", same view) to the
 * same form with "Is this about one of these people?" first and the answers kept; its
 * submission (callback `report_subject_check`) sends the report with the answer.
 * Screenshots already uploaded are carried by reference (their Slack file ids and
 * download addresses, never their content) in the view's private_metadata.
 */
export const subjectCheckCallback = 'report_subject_check';

/** Slack's limit for private_metadata. */
const metadataLimit = 3000;

const keptFileSchema = z.strictObject({ id: z.string().max(100), name: z.string().max(255), url: z.string().max(1000) });
const metadataSchema = z.strictObject({
  kind: z.enum(reportKinds),
  files: z.array(keptFileSchema).max(10).default([]),
  takenAt: z.number().optional(),
  postedAt: z.number().optional(),
});
type Metadata = z.infer<typeof metadataSchema>;

const uploadSchema = z
  .array(z.looseObject({ id: z.string(), name: z.string().optional(), url_private_download: z.string().optional(), url_private: z.string().optional() }))
  .catch([]);

const strings = (flat: Record<string, unknown>) => Object.fromEntries(Object.entries(flat).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** At most 100 options in a Slack menu; "None of them" (the last) always stays. */
const menuOptions = (options: unknown[]) => (options.length > 100 ? [...options.slice(0, 99), options[options.length - 1]] : options);

function checkModal(s: SlackContext, meta: Metadata, flat: Record<string, unknown>, candidates: Parameters<typeof formView>[4]): ModalView | undefined {
  const { [subjectCheckField]: _stale, ...values } = strings(flat);
  const base = formModal(formView(meta.kind, s.d.directory, values, [], candidates), false);
  const kept = meta.files.length > 0 ? [{ type: 'section', text: { type: 'plain_text', text: `Your ${meta.files.length} screenshot${meta.files.length === 1 ? ' is' : 's are'} kept and sent with the report.`, emoji: false } }] : [];
  const privateMetadata = JSON.stringify(meta);
  // Too much to carry (many files with long names): sent without asking, every possible match counted (G1's default).
  if (privateMetadata.length > metadataLimit) return undefined;
  // Slack's radio buttons take at most 10 options: a longer list is a menu.
  const blocks = base.blocks.map((b) => {
    const element = b.element as { type?: string; options?: unknown[] } | undefined;
    return b.block_id === subjectCheckField && (element?.options?.length ?? 0) > 10
      ? { ...b, element: { ...element, type: 'static_select', placeholder: { type: 'plain_text', text: 'Choose' }, options: menuOptions(element?.options ?? []) } }
      : b;
  });
  return { ...base, callback_id: subjectCheckCallback, private_metadata: privateMetadata, blocks: [...blocks, ...kept] };
}

/**
 * Called by the report form's handler before it submits: the modal that asks about the
 * people the typed name could be, or undefined to submit now (no candidates, or the form
 * has mistakes, which are shown first).
 */
export function subjectCheckStep(s: SlackContext, kind: ReportKind, flat: Record<string, unknown>): ModalView | undefined {
  const check = askedAboutSubjects(s.d.workflow, formFromValues(kind, flat), {});
  if (!check.ask) return undefined;
  const files = uploadSchema.parse(flat['evidence.files'] ?? []).flatMap((f) => {
    const url = f.url_private_download ?? f.url_private;
    return url ? [{ id: f.id, name: (f.name ?? f.id).slice(0, 255), url }] : [];
  });
  const seconds = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const takenAt = seconds(flat['evidence.takenAt']);
  const postedAt = seconds(flat['evidence.postedAt']);
  const meta: Metadata = { kind, files, ...(takenAt !== undefined ? { takenAt } : {}), ...(postedAt !== undefined ? { postedAt } : {}) };
  const modal = checkModal(s, meta, flat, check.ask);
  if (!modal) s.d.log.warn({ files: files.length }, 'Slack: the report was sent without the subject question (too much to carry)');
  return modal;
}

function readMetadata(raw: string | undefined): Metadata | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(raw || '{}'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The confirm modal's submission: the answer checked against the form as it is now, then the report sent. */
export function registerSubjectCheck(s: SlackContext): void {
  const { app, d, files } = s;
  const dir = d.directory;
  app.view(subjectCheckCallback, async ({ ack, body, view }) => {
    const meta = readMetadata(view.private_metadata);
    const flat = answers(view.state?.values);
    const userId = (body as { user?: { id?: unknown } }).user?.id;
    if (!meta || typeof userId !== 'string' || userId === '')
      return void (await ack({ response_action: 'errors', errors: { [subjectCheckField]: 'This form is out of date. Please close it and type /report again.' } }));
    const kind = meta.kind;
    // G2: files carried for a nude-images report (a forged step) are refused, never queued or fetched.
    if (!acceptsEvidence(kind) && meta.files.length > 0)
      return void (await ack({ response_action: 'errors', errors: { [subjectCheckField]: wordsForError(new DomainError('EVIDENCE_NOT_ALLOWED', 'G2')) } }));
    const reporterId = s.actor(userId);
    const form = formFromValues(kind, flat);
    const check = askedAboutSubjects(d.workflow, form, flat);
    if (check.ask) {
      // The name was changed to someone else's, or no answer came: ask again about these people.
      const again = checkModal(s, meta, flat, check.ask);
      if (again) return void (await ack({ response_action: 'update', view: again as never }));
    }
    const stamp = (seconds: number | undefined) => (seconds !== undefined ? localDateTime(new Date(seconds * 1000), dir.timeZone) : undefined);
    const takenAt = stamp(meta.takenAt);
    const postedAt = stamp(meta.postedAt);
    try {
      // The report and its files to fetch are one transaction.
      await d.workflow.submit({
        reporterId,
        form,
        idempotencyKey: `slack:${view.id}`,
        ...(check.answer ? { subjectCheck: check.answer } : {}),
        onStored: (result) => {
          for (const f of meta.files) {
            const fileMeta = { fileName: f.name, ...(takenAt ? { takenAt } : {}), ...(postedAt ? { postedAt } : {}) };
            files.add({ reportId: result.reportId, reporterId, fileId: f.id, name: f.name, url: f.url, meta: fileMeta }, d.clock());
          }
        },
      });
      await ack();
      d.dispatcher.kick();
      if (meta.files.length > 0) s.fetchPendingFiles().catch((err: unknown) => d.log.error({ err }, 'Slack: fetching evidence failed'));
    } catch (err) {
      const first = formFields[kind][0]?.id ?? 'kind';
      if (err instanceof DomainError && err.issues.length > 0) {
        const onCheck = err.issues.filter((i) => i.path === subjectCheckField);
        const errors = modalErrors(err.issues.filter((i) => i.path !== subjectCheckField), kind, first);
        for (const i of onCheck) errors[subjectCheckField] = i.message;
        return void (await ack({ response_action: 'errors', errors }));
      }
      d.log.error({ err }, 'Slack: a report could not be stored');
      await ack({ response_action: 'errors', errors: { [subjectCheckField]: wordsForError(err) } });
    }
  });
}
