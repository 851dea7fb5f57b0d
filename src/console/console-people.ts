import type { Response, Router } from 'express';
import { relatedCases } from '../core/case-console.js';
import { DomainError } from '../core/errors.js';
import type { CaseFacts } from '../core/governors-report.js';
import { kindLabels } from '../core/report-schemas.js';
import type { Directory } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import { formatLocal } from '../core/working-time.js';
import { chronologyWords } from '../views/case-views.js';
import { layout, type Chrome } from './console-pages.js';
import type { Session } from './console-session.js';
import { html } from './html.js';

export interface PeopleRouteDeps {
  workflow: Workflow;
  directory: Directory;
  allCases: () => CaseFacts[];
  chrome: (session: Session) => Chrome;
  sessionOf: (res: Response) => Session;
  refusal: (res: Response, session: Session, err: unknown) => void;
}

/**
 * The people chronology from a case (issue 14, item 4): this case and every other case
 * about the same member of staff or the same pupil (name and year group as reported)
 * that this person may see whole, their chronologies in one timeline. G1: a case whose
 * subject is this person is never included (core's relatedCases and view check it), and
 * each case read is audited as a view.
 */
export function mountPeople(router: Router, d: PeopleRouteDeps): void {
  router.get('/cases/:id/people', (req, res) => {
    const session = d.sessionOf(res);
    try {
      const self = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      if (self.access !== 'full') throw new DomainError('FORBIDDEN', 'only the whole record has a people chronology');
      const related = relatedCases(d, d.allCases(), self.reportId, session.p);
      const views = [self, ...related.map((r) => d.workflow.view({ reportId: r.reportId, actorId: session.p }))];
      const at = (iso: string) => formatLocal(new Date(iso), d.directory.timeZone);
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
