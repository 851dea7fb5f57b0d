import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../core/errors.js';
import { requireDsl } from '../core/retention.js';
import type { Directory } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import { formatLocal, localDate } from '../core/working-time.js';
import type { CaseRetentionStore } from '../store/case-retention-store.js';
import { wordsForError } from '../views/error-words.js';
import { layout, type Chrome } from './console-pages.js';
import type { Session } from './console-session.js';
import { html } from './html.js';

export interface RetentionRouteDeps {
  retention: CaseRetentionStore;
  workflow: Workflow;
  directory: Directory;
  clock: () => Date;
  chrome: (session: Session) => Chrome;
  csrf: (session: Session) => string;
  sessionOf: (res: Response) => Session;
  refusal: (res: Response, session: Session, err: unknown) => void;
}

const reasonSchema = z.object({ reason: z.string().max(2_000).default('') });
const transferSchema = z.object({ toSchool: z.string().max(2_000).default('') });
const codeSchema = z.object({ code: z.string().max(40).default('') });

/**
 * The DSL's retention page for a case (issue 14, item 7): its review date, a legal hold
 * set or lifted with a reason, disposal once due, and a transfer to the pupil's next
 * school (the case PDF and a receipt code, confirmed here or with `transfer confirm`).
 * Every change goes through CaseRetentionStore, which audits it.
 */
export function mountRetention(router: Router, d: RetentionRouteDeps): void {
  const show = (req: Request, res: Response, status = 200, problem?: string, notice?: string) => {
    const session = d.sessionOf(res);
    try {
      requireDsl(d.directory.rolesOf(session.p));
      const view = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      const c = d.retention.review(view.reference);
      const due = c.reviewDate <= localDate(d.clock(), d.directory.timeZone);
      const base = `/console/cases/${encodeURIComponent(c.reportId)}`;
      const csrf = html`<input type="hidden" name="_csrf" value="${d.csrf(session)}">`;
      const reasonField = (id: string) => html`<label for="${id}">Reason (required; do not name anyone)</label>
  <textarea id="${id}" name="reason" required maxlength="500"></textarea>`;
      const body = html`<p><a href="${base}">Back to case ${c.reference}</a></p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<dl class="facts">
  <dt>Review date</dt><dd>${c.reviewDate} (${c.basis === 'date_of_birth' ? "the pupil's 25th birthday" : `the school's rule: ${d.directory.retention.defaultYears} years after it was reported`})</dd>
  <dt>Status</dt><dd>${c.status === 'closed' ? 'Closed' : 'Open'}</dd>
  <dt>Legal hold</dt><dd>${c.held ? `Yes: ${d.retention.holdReason(c.reference) ?? ''}` : 'No'}</dd>
</dl>
<section aria-labelledby="hold-h"><h2 id="hold-h">${c.held ? 'Lift the legal hold' : 'Legal hold'}</h2>
<form class="action" method="post" action="${base}/retention/${c.held ? 'lift-hold' : 'hold'}">${csrf}
  ${reasonField('hold-reason')}
  <button type="submit">${c.held ? 'Lift the hold' : 'Place a legal hold'}</button>
</form></section>
<section aria-labelledby="dispose-h"><h2 id="dispose-h">Disposal</h2>
${due && c.status === 'closed' && !c.held
  ? html`<p>This case is past its review date. Disposal removes its record, evidence and text for good; a tombstone (reference, kind, dates, who and why) and the audit log remain, and the DSL and headteacher are told.</p>
<form class="action" method="post" action="${base}/retention/dispose">${csrf}
  ${reasonField('dispose-reason')}
  <button type="submit">Dispose of this case</button>
</form>`
  : html`<p>Not possible now: ${c.held ? 'the case is under a legal hold.' : c.status !== 'closed' ? 'the case is open.' : `the case is kept until ${c.reviewDate}.`}</p>`}
</section>
<section aria-labelledby="transfer-h"><h2 id="transfer-h">Transfer to the pupil's next school</h2>
<p>Send the <a href="${base}/export.pdf">case PDF</a> to the next school's DSL securely, with the receipt code this gives. They have five school days to confirm receipt; if they have not, you are reminded.</p>
<form class="action" method="post" action="${base}/retention/transfer">${csrf}
  <label for="to-school">Receiving school</label>
  <input id="to-school" name="toSchool" required maxlength="200">
  <button type="submit">Record the transfer</button>
</form>
<form class="action" method="post" action="${base}/retention/confirm">${csrf}
  <label for="code">Receipt code confirmed by the receiving school</label>
  <input id="code" name="code" required maxlength="20">
  <button type="submit">Confirm receipt</button>
</form></section>`;
      res.status(status).type('html').send(layout(d.chrome(session), `Retention: ${c.reference}`, body));
    } catch (err) {
      d.refusal(res, session, err);
    }
  };

  const act = (run: (session: Session, reference: string, body: unknown) => Promise<string> | string) => async (req: Request, res: Response) => {
    const session = d.sessionOf(res);
    let reference: string;
    try {
      requireDsl(d.directory.rolesOf(session.p));
      reference = d.workflow.view({ reportId: String(req.params.id), actorId: session.p }).reference;
    } catch (err) {
      return d.refusal(res, session, err);
    }
    try {
      show(req, res, 200, undefined, await run(session, reference, req.body));
    } catch (err) {
      if (!(err instanceof DomainError)) return d.refusal(res, session, err);
      // A receipt code no transfer has is a mistake in the form, not a missing case.
      const words = err.code === 'NOT_FOUND' ? 'No transfer has that receipt code: please check it.' : [wordsForError(err), ...err.issues.map((i) => i.message)].join(' ');
      show(req, res, err.code === 'ALREADY_DONE' ? 409 : 400, words);
    }
  };
  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const p = schema.safeParse(body ?? {});
    if (!p.success) throw new DomainError('TEXT_TOO_LONG', 'a field is too long or malformed');
    return p.data;
  };

  router.get('/cases/:id/retention', (req, res) => show(req, res));
  router.post('/cases/:id/retention/hold', act((s, ref, body) => (d.retention.setHold(ref, s.p, parse(reasonSchema, body).reason, d.clock()), 'The legal hold is in place.')));
  router.post('/cases/:id/retention/lift-hold', act((s, ref, body) => (d.retention.liftHold(ref, s.p, parse(reasonSchema, body).reason, d.clock()), 'The legal hold is lifted.')));
  router.post('/cases/:id/retention/transfer', act((s, ref, body) => {
    const t = d.retention.recordTransfer([ref], parse(transferSchema, body).toSchool, s.p, d.clock());
    return `Transfer recorded. Receipt code: ${t.code}. Receipt is due by ${formatLocal(new Date(t.dueAt), d.directory.timeZone)}.`;
  }));
  router.post('/cases/:id/retention/confirm', act((s, _ref, body) => (d.retention.confirmTransfer(parse(codeSchema, body).code, s.p, d.clock()), 'Receipt confirmed.')));
  router.post('/cases/:id/retention/dispose', async (req, res) => {
    const session = d.sessionOf(res);
    try {
      requireDsl(d.directory.rolesOf(session.p));
      const view = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      const t = await d.retention.dispose(view.reference, session.p, parse(reasonSchema, req.body).reason, d.clock());
      res.status(200).type('html').send(layout(d.chrome(session), `Disposed: ${t.reference}`, html`<p role="status">${t.reference} was disposed of. Its tombstone and audit entries remain; the DSL and headteacher are told.</p><p><a href="/console/">Back to the queue</a></p>`));
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND') return d.refusal(res, session, err);
      show(req, res, 400, wordsForError(err));
    }
  });
}
