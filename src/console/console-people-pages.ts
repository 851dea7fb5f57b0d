import type { FieldIssue } from '../core/errors.js';
import { mentionRef, spelling, type PersonEntry } from '../core/pupil-identities.js';
import { kindLabels } from '../core/report-schemas.js';
import type { ReportView } from '../core/workflow-types.js';
import { formatLocal } from '../core/working-time.js';
import { chronologyWords } from '../views/case-views.js';
import { layout, type Chrome } from './console-pages.js';
import { formProblems } from './form-problems.js';
import { html } from './html.js';

// The people pages (issue 14, item 4): the search, and one person's cases in one chronology,
// with the DSL's merge and split forms. Every value is escaped by `html`; no script.

const kindWords = { pupil: 'Pupil', staff: 'Member of staff' } as const;
const statusWords = { open: 'Waiting to be acknowledged', acknowledged: 'Acknowledged', closed: 'Closed' } as const;
const personHref = (id: string) => `/console/people/${encodeURIComponent(id)}`;
const caseHref = (id: string) => `/console/cases/${encodeURIComponent(id)}`;

export function peopleSearchPage(chrome: Chrome, p: { query: string; results: PersonEntry[]; problem?: string }): string {
  const searched = p.query.trim() !== '';
  return layout(
    chrome,
    'People',
    html`<p>Find a pupil (by name and year group as reported) or a member of staff, and see all their cases that you may see in one chronology.</p>
<form class="filters" method="get" action="/console/people" role="search">
  <div><label for="q">Name, or part of a name</label>
  <input type="search" id="q" name="q" value="${p.query}" maxlength="100"${p.problem ? html` aria-invalid="true" aria-describedby="q-error"` : ''}>
  ${p.problem ? html`<span class="field-error" id="q-error">${p.problem}</span>` : ''}</div>
  <button type="submit">Search</button>
</form>
${!searched
  ? html`<p class="muted">Type a name to search. Only people in cases you may see are found.</p>`
  : p.results.length === 0
    ? html`<p role="status">Nobody found in the cases you may see.</p>`
    : html`<section aria-labelledby="results-h"><h2 id="results-h">${p.results.length === 1 ? '1 person found' : `${p.results.length} people found`}</h2>
<table><thead><tr><th scope="col">Name as reported</th><th scope="col">Who</th><th scope="col">Cases</th></tr></thead><tbody>
${p.results.map((r) => html`<tr><td><a href="${personHref(r.id)}">${r.names.join('; ')}</a></td><td>${kindWords[r.kind]}</td><td>${r.cases.length}</td></tr>`)}
</tbody></table></section>`}`,
  );
}

export interface PersonPageInput {
  person: PersonEntry;
  views: ReportView[];
  timeZone: string;
  csrf: string;
  /** The DSL on a pupil's page: the merge and split forms. */
  mayChange: boolean;
  /** The other pupils this reader may see, for the merge form. */
  others: { id: string; label: string }[];
  problem?: { form: 'merge' | 'split'; message: string; issues: FieldIssue[] };
  notice?: string;
  /** The DSL's merges and splits of this pupil, newest first, with their reasons. */
  history: { at: string; by: string; what: string; reason: string }[];
}

export function personPage(chrome: Chrome, c: PersonPageInput): string {
  const p = c.person;
  const at = (iso: string) => formatLocal(new Date(iso), c.timeZone);
  const { issue, invalid, problem } = formProblems(c.problem);
  const csrf = html`<input type="hidden" name="_csrf" value="${c.csrf}">`;
  const entries = c.views.flatMap((v) => (v.chronology ?? []).map((e) => ({ v, e }))).sort((a, b) => a.e.at.localeCompare(b.e.at));
  const ref = new Map(c.views.map((v) => [v.reportId, v.reference]));
  const merge = c.mayChange
    ? html`<form class="action" method="post" action="${personHref(p.id)}/merge">
  <h3>Merge another pupil into this one</h3>
  <p>When two spellings are the same pupil (for example “Sam Jones, Y8” and “Samuel Jones, 8”). Undo it by splitting the cases off again.</p>
  ${problem('merge')}${csrf}
  <label for="merge-other">The same pupil as</label>
  <select id="merge-other" name="other"${invalid('merge', 'other')}><option value="">Choose…</option>${c.others.map((o) => html`<option value="${o.id}">${o.label}</option>`)}</select>
  ${issue('merge', 'other')}
  <label for="merge-reason">Reason (required; recorded)</label>
  <textarea id="merge-reason" name="reason" maxlength="500"${invalid('merge', 'reason')}></textarea>
  ${issue('merge', 'reason')}
  <button type="submit">Merge</button>
</form>`
    : '';
  const split = c.mayChange && p.mentions.length > 1
    ? html`<form class="action" method="post" action="${personHref(p.id)}/split">
  <h3>Split cases off to another pupil</h3>
  <p>When two pupils share a name and year group: the cases chosen become a new pupil. Undo it by merging them back.</p>
  ${problem('split')}${csrf}
  <fieldset${c.problem?.form === 'split' && c.problem.issues.some((x) => x.path === 'case') ? html` aria-describedby="split-case-error"` : ''}><legend>Cases about the other pupil</legend>
  ${p.mentions.map((m, i) => html`<div><input type="checkbox" id="split-${i}" name="case" value="${mentionRef(m)}"> <label for="split-${i}">${ref.get(m.reportId) ?? ''}: ${spelling(m)}</label></div>`)}
  </fieldset>
  ${issue('split', 'case')}
  <label for="split-reason">Reason (required; recorded)</label>
  <textarea id="split-reason" name="reason" maxlength="500"${invalid('split', 'reason')}></textarea>
  ${issue('split', 'reason')}
  <button type="submit">Split off</button>
</form>`
    : '';
  return layout(
    chrome,
    `${kindWords[p.kind]}: ${p.names[0] ?? ''}`,
    html`${c.notice ? html`<p class="notice" role="status">${c.notice}</p>` : ''}
<p><a href="/console/people">Search for someone else</a></p>
${p.names.length > 1 ? html`<p>Also reported as: ${p.names.slice(1).join('; ')}</p>` : ''}
<section aria-labelledby="cases-h"><h2 id="cases-h">Cases</h2>
<table><thead><tr><th scope="col">Case</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Reported</th></tr></thead><tbody>
${c.views.map((v) => html`<tr><td><a href="${caseHref(v.reportId)}">${v.reference}</a></td><td>${kindLabels[v.kind]}</td><td>${statusWords[v.status]}</td><td>${at(v.submittedAt)}</td></tr>`)}
</tbody></table></section>
<section aria-labelledby="timeline-h" id="timeline"><h2 id="timeline-h">Chronology across these cases</h2>
${entries.length === 0
  ? html`<p>Nothing recorded yet.</p>`
  : html`<ol class="chronology">${entries.map(({ v, e }) => html`<li><time datetime="${e.at}">${at(e.at)}</time> (${v.reference}): ${chronologyWords(e)}</li>`)}</ol>`}
</section>
${merge || split ? html`<section aria-labelledby="change-h"><h2 id="change-h">Telling pupils apart</h2>${merge}${split}
${c.history.length > 0 ? html`<h3>Changes so far</h3><ol class="chronology">${c.history.map((h) => html`<li><time datetime="${h.at}">${at(h.at)}</time>: ${h.by} ${h.what}. Reason: ${h.reason}</li>`)}</ol>` : ''}</section>` : ''}`,
  );
}
