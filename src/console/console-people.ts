import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { relatedCases } from '../core/case-console.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { CaseFacts } from '../core/governors-report.js';
import type { WorkflowStore } from '../core/ports.js';
import { peopleIndex, personFor, searchPeople } from '../core/pupil-identities.js';
import { kindLabels } from '../core/report-schemas.js';
import type { Directory } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import { formatLocal } from '../core/working-time.js';
import type { PupilIdentityStore } from '../store/pupil-identity-store.js';
import { chronologyWords } from '../views/case-views.js';
import { wordsForError } from '../views/error-words.js';
import { peopleSearchPage, personPage } from './console-people-pages.js';
import { layout, type Chrome } from './console-pages.js';
import type { Session } from './console-session.js';
import { html } from './html.js';

export interface PeopleRouteDeps {
  workflow: Workflow;
  directory: Directory;
  store: WorkflowStore;
  clock: () => Date;
  identities: PupilIdentityStore;
  allCases: () => CaseFacts[];
  chrome: (session: Session) => Chrome;
  csrf: (session: Session) => string;
  sessionOf: (res: Response) => Session;
  /** The console's one place for a refused or bad request (a 4xx page, never a 500). */
  refusal: (res: Response, session: Session, err: unknown, what?: 'case' | 'person') => void;
}

const searchSchema = z.object({ q: z.string().max(100).default('') });
/** A person's address: a pupil identity (keyed hash or random) or a member of staff's school-file id. */
const personId = z.string().regex(/^(pupil-[0-9a-f]{24}|staff-[A-Za-z0-9._@-]{1,128})$/);
const mergeSchema = z.object({ other: z.string().max(200).default(''), reason: z.string().max(2_000).default('') });
const splitSchema = z.object({
  case: z.union([z.string().max(300), z.array(z.string().max(300)).max(50)]).default([]).transform((v) => (Array.isArray(v) ? v : [v])),
  reason: z.string().max(2_000).default(''),
});

function formBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new DomainError('TEXT_TOO_LONG', 'the form has a field that is too long or malformed');
  return parsed.data;
}

/**
 * The people pages (issue 14, item 4): /console/people (search by name), a person's page
 * with all their cases this reader may see whole and one chronology across them, and the
 * DSL's merge and split forms; and the people chronology from a case. G1 and "never
 * reveal a case the reader may not see" are core's (peopleIndex, personFor); each case
 * read is audited as a view (workflow.view).
 */
export function mountPeople(router: Router, d: PeopleRouteDeps): void {
  const at = (iso: string) => formatLocal(new Date(iso), d.directory.timeZone);

  router.get('/people', (req, res) => {
    const session = d.sessionOf(res);
    const parsed = searchSchema.safeParse(req.query);
    if (!parsed.success)
      return void res.status(400).type('html').send(peopleSearchPage(d.chrome(session), { query: '', results: [], problem: 'Please type at most 100 characters of a name.' }));
    const people = peopleIndex(d, d.allCases(), d.identities.identities(), session.p);
    res.status(200).type('html').send(peopleSearchPage(d.chrome(session), { query: parsed.data.q, results: searchPeople(people, parsed.data.q) }));
  });

  const showPerson = (req: Request, res: Response, status = 200, problem?: { form: 'merge' | 'split'; message: string; issues: FieldIssue[] }) => {
    const session = d.sessionOf(res);
    try {
      const id = personId.safeParse(String(req.params.id));
      if (!id.success) throw new DomainError('NOT_FOUND', 'no such person');
      const cases = d.allCases();
      const identities = d.identities.identities();
      const person = personFor(d, cases, identities, session.p, id.data);
      if (person.id !== id.data && !problem) return res.redirect(303, `/console/people/${encodeURIComponent(person.id)}`);
      const views = person.cases.map((c) => d.workflow.view({ reportId: c.report.id, actorId: session.p }));
      const mayChange = person.kind === 'pupil' && d.directory.rolesOf(session.p).includes('dsl');
      const others = mayChange
        ? [...peopleIndex(d, cases, identities, session.p).values()]
            .filter((o) => o.kind === 'pupil' && o.id !== person.id)
            .map((o) => ({ id: o.id, label: o.names.join('; ') }))
            .sort((a, b) => a.label.localeCompare(b.label, 'en-GB'))
        : [];
      // The DSL's record of how this pupil was told apart or merged (to undo a step by its opposite).
      const visible = new Map(views.map((v) => [v.reportId, v.reference]));
      const history = mayChange
        ? d.identities
            .history()
            .filter((h) => identities.root(h.intoId) === person.id || identities.root(h.fromId) === person.id)
            .filter((h) => h.action === 'merge' || (h.reportId !== undefined && visible.has(h.reportId)) || identities.root(h.intoId) === person.id)
            .map((h) => ({
              at: h.at,
              by: d.directory.displayName(h.actor),
              what: h.action === 'merge' ? 'merged another spelling into this pupil' : `split ${visible.get(h.reportId ?? '') ?? 'a case'} off to ${identities.root(h.intoId) === person.id ? 'this pupil' : 'another pupil'}`,
              reason: h.reason,
            }))
        : [];
      const notice = req.query.done === 'merged' ? 'The pupils are merged.' : req.query.done === 'split' ? 'The cases chosen are now this pupil.' : undefined;
      return res.status(status).type('html').send(
        personPage(d.chrome(session), { person, views, timeZone: d.directory.timeZone, csrf: d.csrf(session), mayChange, others, history, ...(problem ? { problem } : {}), ...(notice ? { notice } : {}) }),
      );
    } catch (err) {
      return d.refusal(res, session, err, 'person');
    }
  };

  router.get('/people/:id', (req, res) => showPerson(req, res));

  const change = (form: 'merge' | 'split', run: (session: Session, id: string, body: unknown) => string, done: string) => (req: Request, res: Response) => {
    const session = d.sessionOf(res);
    try {
      const id = personId.safeParse(String(req.params.id));
      if (!id.success) throw new DomainError('NOT_FOUND', 'no such person');
      const to = run(session, id.data, req.body);
      res.redirect(303, `/console/people/${encodeURIComponent(to)}?done=${done}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND') return d.refusal(res, session, err, 'person');
      const issues = err.issues.length > 0 ? err.issues : [{ path: form === 'merge' ? 'other' : 'case', message: wordsForError(err) }];
      return showPerson(req, res, err.code === 'ALREADY_DONE' ? 409 : 400, { form, message: wordsForError(err), issues });
    }
  };

  router.post(
    '/people/:id/merge',
    change('merge', (session, id, body) => {
      const b = formBody(mergeSchema, body);
      return d.identities.merge({ directory: d.directory, cases: d.allCases(), actorId: session.p, fromId: b.other, intoId: id, reason: b.reason }, d.clock());
    }, 'merged'),
  );

  router.post(
    '/people/:id/split',
    change('split', (session, id, body) => {
      const b = formBody(splitSchema, body);
      return d.identities.split({ directory: d.directory, cases: d.allCases(), actorId: session.p, fromId: id, mentions: b.case, reason: b.reason }, d.clock());
    }, 'split'),
  );

  // The people chronology from a case: this case and the others about the same people.
  router.get('/cases/:id/people', (req, res) => {
    const session = d.sessionOf(res);
    try {
      const self = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      if (self.access !== 'full') throw new DomainError('FORBIDDEN', 'only the whole record has a people chronology');
      const related = relatedCases(d, d.allCases(), self.reportId, session.p, d.identities.identities());
      const views = [self, ...related.map((r) => d.workflow.view({ reportId: r.reportId, actorId: session.p }))];
      const entries = views
        .flatMap((v) => (v.chronology ?? []).map((e) => ({ v, e })))
        .sort((a, b) => a.e.at.localeCompare(b.e.at));
      const link = (id: string, ref: string) => html`<a href="/console/cases/${encodeURIComponent(id)}">${ref}</a>`;
      const body = html`<p>${link(self.reportId, `Back to case ${self.reference}`)}</p>
<section aria-labelledby="cases-h"><h2 id="cases-h">Cases</h2>
<table><thead><tr><th scope="col">Case</th><th scope="col">Kind</th><th scope="col">Reported</th><th scope="col">Why it is here</th></tr></thead><tbody>
<tr><td>${link(self.reportId, self.reference)}</td><td>${kindLabels[self.kind]}</td><td>${at(self.submittedAt)}</td><td>this case</td></tr>
${related.map((r) => html`<tr><td>${link(r.reportId, r.reference)}</td><td>${r.kindLabel}</td><td>${at(r.submittedAt)}</td><td>${r.why}</td></tr>`)}
</tbody></table></section>
<section aria-labelledby="timeline-h" id="timeline"><h2 id="timeline-h">Chronology across these cases</h2>
${entries.length === 0
  ? html`<p>Nothing recorded yet.</p>`
  : html`<ol class="chronology">${entries.map(({ v, e }) => html`<li><time datetime="${e.at}">${at(e.at)}</time> (${v.reference}): ${chronologyWords(e)}</li>`)}</ol>`}
</section>`;
      res.status(200).type('html').send(layout(d.chrome(session), `People chronology from ${self.reference}`, body));
    } catch (err) {
      d.refusal(res, session, err);
    }
  });
}
