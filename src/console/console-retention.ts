import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { relatedCases, type CaseConsoleDeps } from '../core/case-console.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { CaseFacts } from '../core/governors-report.js';
import { requireDsl } from '../core/retention.js';
import type { Directory } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import { formatLocal, localDate } from '../core/working-time.js';
import type { Logger } from '../logger.js';
import type { CaseRetentionStore, RetentionRow, TransferRecord } from '../store/case-retention-store.js';
import { formatDay } from '../views/answer-labels.js';
import { wordsForError } from '../views/error-words.js';
import { layout, type Chrome } from './console-pages.js';
import type { PupilIdentityStore } from '../store/pupil-identity-store.js';
import { mountTransferPack } from './console-transfer-pack.js';
import type { Session } from './console-session.js';
import { html, type SafeHtml } from './html.js';

export interface RetentionRouteDeps {
  retention: CaseRetentionStore;
  workflow: Workflow;
  directory: Directory;
  clock: () => Date;
  chrome: (session: Session) => Chrome;
  csrf: (session: Session) => string;
  sessionOf: (res: Response) => Session;
  refusal: (res: Response, session: Session, err: unknown) => void;
  /** Every case (from the store): the other cases about the same pupil, for a transfer pack. */
  allCases: () => CaseFacts[];
  /** Pupil identities (the DSL's merges and splits): which cases are about the same pupil. */
  identities: PupilIdentityStore;
  /** The console's deps, to audit a pack's download (console.exported). */
  console: CaseConsoleDeps;
  schoolName: string;
  log: Logger;
}

const reasonSchema = z.object({ reason: z.string().max(2_000).default('') });
const transferSchema = z.object({ toSchool: z.string().max(2_000).default(''), pack: z.literal('1').optional(), cases: z.union([z.string().max(40), z.array(z.string().max(40)).max(50)]).optional() });
const codeSchema = z.object({ code: z.string().max(40).default('') });
const dateOfBirthSchema = z.object({ dateOfBirth: z.string().max(40).default('') });

/** The other cases about the same pupil that this DSL may see whole (core's relatedCases), newest first. */
export function samePupilCases(d: Pick<RetentionRouteDeps, 'directory' | 'allCases' | 'identities'>, reportId: string, actorId: string) {
  return relatedCases(d, d.allCases(), reportId, actorId, d.identities.identities()).filter((r) => r.via === 'pupil');
}

/** A problem shown beside its field: the form's id, the field's name, the words. */
interface FieldProblem {
  form: 'dob' | 'transfer';
  issues: FieldIssue[];
}

/**
 * The DSL's retention page for a case (issue 14, item 7): its review date and the pupil's
 * date of birth (set or corrected here), a legal hold set or lifted with a reason,
 * disposal once due, and a transfer to the pupil's next school of this case and any of
 * the other cases about the same pupil (one PDF pack, one receipt code, confirmed here or
 * with `transfer confirm`). Every change goes through CaseRetentionStore, which audits it.
 */
export function mountRetention(router: Router, d: RetentionRouteDeps): void {
  const show = (req: Request, res: Response, status = 200, problem?: string, notice?: string, fields?: FieldProblem) => {
    const session = d.sessionOf(res);
    try {
      requireDsl(d.directory.rolesOf(session.p));
      const view = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      const c = d.retention.review(view.reference);
      const base = `/console/cases/${encodeURIComponent(c.reportId)}`;
      const csrf = html`<input type="hidden" name="_csrf" value="${d.csrf(session)}">`;
      const body = html`<p><a href="${base}">Back to case ${c.reference}</a></p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
${factsOf(c, d)}
${dateOfBirthSection(c, base, csrf, fields)}
${holdSection(c, base, csrf)}
${disposalSection(c, base, csrf, c.reviewDate <= localDate(d.clock(), d.directory.timeZone))}
${transferSection(c, base, csrf, samePupilCases(d, c.reportId, session.p), d.retention.transfersOf(c.reportId), d, fields)}`;
      res.status(status).type('html').send(layout(d.chrome(session), `Retention: ${c.reference}`, body));
    } catch (err) {
      d.refusal(res, session, err);
    }
  };

  const act = (run: (session: Session, reference: string, body: unknown, reportId: string) => Promise<string> | string, form?: FieldProblem['form']) => async (req: Request, res: Response) => {
    const session = d.sessionOf(res);
    let reference: string;
    try {
      requireDsl(d.directory.rolesOf(session.p));
      reference = d.workflow.view({ reportId: String(req.params.id), actorId: session.p }).reference;
    } catch (err) {
      return d.refusal(res, session, err);
    }
    try {
      show(req, res, 200, undefined, await run(session, reference, req.body, String(req.params.id)));
    } catch (err) {
      if (!(err instanceof DomainError)) return d.refusal(res, session, err);
      // A receipt code no transfer has is a mistake in the form, not a missing case.
      const status = err.code === 'ALREADY_DONE' ? 409 : 400;
      if (form && err.issues.length > 0) return show(req, res, status, wordsForError(err), undefined, { form, issues: err.issues });
      const words = err.code === 'NOT_FOUND' ? 'No transfer has that receipt code: please check it.' : [wordsForError(err), ...err.issues.map((i) => i.message)].join(' ');
      show(req, res, status, words);
    }
  };
  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const p = schema.safeParse(body ?? {});
    if (!p.success) throw new DomainError('TEXT_TOO_LONG', 'a field is too long or malformed');
    return p.data;
  };

  router.get('/cases/:id/retention', (req, res) => show(req, res));
  router.post(
    '/cases/:id/retention/date-of-birth',
    act((s, ref, body) => {
      const r = d.retention.setDateOfBirth(ref, parse(dateOfBirthSchema, body).dateOfBirth, s.p, d.clock());
      return `The date of birth is recorded. The review date is now ${r.reviewDate} (the pupil's 25th birthday).`;
    }, 'dob'),
  );
  router.post('/cases/:id/retention/hold', act((s, ref, body) => (d.retention.setHold(ref, s.p, parse(reasonSchema, body).reason, d.clock()), 'The legal hold is in place.')));
  router.post('/cases/:id/retention/lift-hold', act((s, ref, body) => (d.retention.liftHold(ref, s.p, parse(reasonSchema, body).reason, d.clock()), 'The legal hold is lifted.')));
  router.post(
    '/cases/:id/retention/transfer',
    act((s, ref, body, reportId) => {
      const p = parse(transferSchema, body);
      // The cases ticked (this one, ticked at first; any of the others about the same pupil, and nothing else); without the choice, this case.
      const chosen = p.cases === undefined ? (p.pack ? [] : [ref]) : Array.isArray(p.cases) ? p.cases : [p.cases];
      const allowed = new Set([ref, ...samePupilCases(d, reportId, s.p).map((r) => r.reference)]);
      if (chosen.some((x) => !allowed.has(x))) throw new DomainError('VALIDATION_FAILED', 'a case chosen is not about this pupil', [{ path: 'cases', message: 'Choose only this case and the other cases about the same pupil.' }]);
      if (chosen.length === 0) throw new DomainError('VALIDATION_FAILED', 'no case chosen', [{ path: 'cases', message: 'Please choose at least one case.' }]);
      const t = d.retention.recordTransfer(chosen, p.toSchool, s.p, d.clock());
      const n = new Set(chosen).size;
      return `Transfer recorded${n > 1 ? ` for ${n} cases` : ''}. Receipt code: ${t.code}. Receipt is due by ${formatLocal(new Date(t.dueAt), d.directory.timeZone)}. Download the pack below and send it securely.`;
    }, 'transfer'),
  );
  router.post('/cases/:id/retention/confirm', act((s, _ref, body) => (d.retention.confirmTransfer(parse(codeSchema, body).code, s.p, d.clock()), 'Receipt confirmed.')));
  router.post('/cases/:id/retention/dispose', async (req, res) => {
    const session = d.sessionOf(res);
    try {
      requireDsl(d.directory.rolesOf(session.p));
      const view = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      const t = await d.retention.dispose(view.reference, session.p, parse(reasonSchema, req.body).reason, d.clock());
      res
        .status(200)
        .type('html')
        .send(
          layout(
            d.chrome(session),
            `Disposed: ${t.reference}`,
            html`<p role="status">${t.reference} was disposed of. Its tombstone and audit entries remain; the DSL and headteacher are told, and the cards about it in Slack or Teams are being replaced by a tombstone.</p><p><a href="/console/">Back to the queue</a></p>`,
          ),
        );
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND') return d.refusal(res, session, err);
      show(req, res, 400, wordsForError(err));
    }
  });
  mountTransferPack(router, d);
}

function factsOf(c: RetentionRow, d: Pick<RetentionRouteDeps, 'retention' | 'directory'>): SafeHtml {
  const dob = c.dateOfBirth ? `${formatDay(c.dateOfBirth)} (${c.dateOfBirthFrom === 'dsl' ? 'recorded by the DSL' : 'as the form gave it'})` : 'Not known';
  return html`<dl class="facts">
  <dt>Review date</dt><dd>${c.reviewDate} (${c.basis === 'date_of_birth' ? "the pupil's 25th birthday" : `the school's rule: ${d.directory.retention.defaultYears} years after it was reported`})</dd>
  <dt>Pupil's date of birth</dt><dd>${dob}</dd>
  <dt>Status</dt><dd>${c.status === 'closed' ? 'Closed' : 'Open'}</dd>
  <dt>Legal hold</dt><dd>${c.held ? `Yes: ${d.retention.holdReason(c.reference) ?? ''}` : 'No'}</dd>
</dl>`;
}

const fieldError = (fields: FieldProblem | undefined, form: FieldProblem['form'], path: string) => {
  const i = fields?.form === form ? fields.issues.find((x) => x.path === path) : undefined;
  return {
    note: i ? html`<span class="field-error" id="${form}-${path}-error">${i.message}</span>` : '',
    attrs: i ? html` aria-invalid="true" aria-describedby="${form}-${path}-error"` : '',
  };
};

function dateOfBirthSection(c: RetentionRow, base: string, csrf: SafeHtml, fields: FieldProblem | undefined): SafeHtml {
  const e = fieldError(fields, 'dob', 'dateOfBirth');
  return html`<section aria-labelledby="dob-h"><h2 id="dob-h">${c.dateOfBirth ? "Correct the pupil's date of birth" : "The pupil's date of birth"}</h2>
<p>The case is kept until the pupil's 25th birthday. When the form did not give the date of birth, or gave it wrong, record it here: the review date follows it, and the change is in the audit log.</p>
<form class="action" method="post" action="${base}/retention/date-of-birth">${csrf}
  <label for="dob">Date of birth</label>
  ${e.note}
  <input id="dob" name="dateOfBirth" type="date" required value="${c.dateOfBirth ?? ''}"${e.attrs}>
  <button type="submit">${c.dateOfBirth ? 'Correct the date of birth' : 'Record the date of birth'}</button>
</form></section>`;
}

function holdSection(c: RetentionRow, base: string, csrf: SafeHtml): SafeHtml {
  return html`<section aria-labelledby="hold-h"><h2 id="hold-h">${c.held ? 'Lift the legal hold' : 'Legal hold'}</h2>
<form class="action" method="post" action="${base}/retention/${c.held ? 'lift-hold' : 'hold'}">${csrf}
  ${reasonField('hold-reason')}
  <button type="submit">${c.held ? 'Lift the hold' : 'Place a legal hold'}</button>
</form></section>`;
}

const reasonField = (id: string) => html`<label for="${id}">Reason (required; do not name anyone)</label>
  <textarea id="${id}" name="reason" required maxlength="500"></textarea>`;

function disposalSection(c: RetentionRow, base: string, csrf: SafeHtml, due: boolean): SafeHtml {
  return html`<section aria-labelledby="dispose-h"><h2 id="dispose-h">Disposal</h2>
${due && c.status === 'closed' && !c.held
  ? html`<p>This case is past its review date. Disposal removes its record, evidence and text for good, and replaces the cards about it in Slack or Teams with a tombstone; a tombstone (reference, kind, dates, who and why) and the audit log remain, and the DSL and headteacher are told.</p>
<form class="action" method="post" action="${base}/retention/dispose">${csrf}
  ${reasonField('dispose-reason')}
  <button type="submit">Dispose of this case</button>
</form>`
  : html`<p>Not possible now: ${c.held ? 'the case is under a legal hold.' : c.status !== 'closed' ? 'the case is open.' : `the case is kept until ${c.reviewDate}.`}</p>`}
</section>`;
}

function transferSection(
  c: RetentionRow,
  base: string,
  csrf: SafeHtml,
  samePupil: ReturnType<typeof samePupilCases>,
  transfers: TransferRecord[],
  d: Pick<RetentionRouteDeps, 'directory'>,
  fields: FieldProblem | undefined,
): SafeHtml {
  const at = (iso: string) => formatLocal(new Date(iso), d.directory.timeZone);
  const e = fieldError(fields, 'transfer', 'cases');
  const school = fieldError(fields, 'transfer', 'toSchool');
  const choice = (id: string, reference: string, label: string, checked: boolean) =>
    html`<div class="choice"><input type="checkbox" id="${id}" name="cases" value="${reference}"${checked ? html` checked` : ''}${e.attrs}> <label for="${id}">${label}</label></div>`;
  return html`<section aria-labelledby="transfer-h"><h2 id="transfer-h">Transfer to the pupil's next school</h2>
<p>Choose the cases to send: this one, and any of the other cases about the same pupil. They go in one PDF pack with one receipt code; the next school's DSL has five school days to confirm receipt, and if they have not, you are reminded.</p>
<form class="action" method="post" action="${base}/retention/transfer">${csrf}
  <input type="hidden" name="pack" value="1">
  <fieldset><legend>Cases in the pack</legend>
  ${e.note}
  ${choice('case-self', c.reference, `${c.reference} (this case)`, true)}
  ${samePupil.map((r, i) => choice(`case-${i}`, r.reference, `${r.reference}: ${r.kindLabel}, reported ${at(r.submittedAt)}, ${r.status === 'closed' ? 'closed' : 'open'}`, false))}
  ${samePupil.length === 0 ? html`<p>No other case about this pupil (name and year group as reported).</p>` : ''}
  </fieldset>
  <label for="to-school">Receiving school</label>
  ${school.note}
  <input id="to-school" name="toSchool" required maxlength="200"${school.attrs}>
  <button type="submit">Record the transfer</button>
</form>
${transfers.length > 0
  ? html`<h3>Transfers of this case</h3>
<table><thead><tr><th scope="col">Receipt code</th><th scope="col">To</th><th scope="col">Cases</th><th scope="col">Sent</th><th scope="col">Receipt</th><th scope="col">Pack</th></tr></thead><tbody>
${transfers.map(
  (t) => html`<tr><td>${t.code}</td><td>${t.toSchool}</td><td>${t.references.join(', ')}</td><td>${at(t.createdAt)} by ${d.directory.displayName(t.createdBy)}</td><td>${t.confirmedAt ? `Confirmed ${at(t.confirmedAt)}` : `Due by ${at(t.dueAt)}`}</td><td><a href="${base}/retention/transfers/${encodeURIComponent(t.code)}/pack.pdf">Download the pack of ${t.code} (PDF)</a></td></tr>`,
)}
</tbody></table>`
  : ''}
<form class="action" method="post" action="${base}/retention/confirm">${csrf}
  <label for="code">Receipt code confirmed by the receiving school</label>
  <input id="code" name="code" required maxlength="20">
  <button type="submit">Confirm receipt</button>
</form></section>`;
}
