import type { CaseActions, QueueEntry, QueueFilters, RelatedCase } from '../core/case-console.js';
import { closeOutcomes } from '../core/messages.js';
import { noteKinds } from '../core/case-actions.js';
import { textLimits } from '../core/text-limits.js';
import { kindLabels, reportKinds } from '../core/report-schemas.js';
import type { ReportView } from '../core/workflow-types.js';
import { formatLocal } from '../core/working-time.js';
import type { FieldIssue } from '../core/errors.js';
import type { MessageView } from '../views/view-model.js';
import { chronologyWords } from '../views/case-views.js';
import { formProblems } from './form-problems.js';
import { html, type SafeHtml } from './html.js';

// The console's pages: server-rendered HTML, every value escaped by `html`, no script.

export interface Chrome {
  schoolName: string;
  /** The signed-in person, with the token for the sign-out form. */
  person?: { name: string; csrf: string };
}

export function layout(chrome: Chrome, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – Case console – ${chrome.schoolName}</title>
<link rel="stylesheet" href="/console/console.css"></head>
<body>
<header class="top">
  <span><a href="/console/">Case console</a> · ${chrome.schoolName}</span>
  ${chrome.person ? html`<nav aria-label="Console"><a href="/console/">Queue</a> · <a href="/console/people">People</a></nav>` : ''}
  ${chrome.person
    ? html`<form method="post" action="/console/sign-out"><span>${chrome.person.name}</span>
      <input type="hidden" name="_csrf" value="${chrome.person.csrf}"> <button type="submit">Sign out</button></form>`
    : ''}
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

export function signInPage(
  chrome: Chrome,
  opts: { oidc?: { label: string }; sandbox?: { people: { id: string; name: string; roles: string }[]; token: string }; notice?: string; idleMinutes: number },
): string {
  return layout(
    chrome,
    'Sign in',
    html`${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
<p>The case console is for the DSL, the deputies, the headteacher and the chair of governors, and for the ICT technician and the reputation lead for their own tasks. You are signed out after ${opts.idleMinutes} minutes without using it.</p>
${opts.oidc ? html`<p><a class="button" href="/console/sign-in/oidc">${opts.oidc.label}</a></p>` : ''}
${opts.sandbox
  ? html`<h2>Sandbox: choose who you are</h2>
<form method="post" action="/console/sign-in/sandbox">
  <input type="hidden" name="_csrf" value="${opts.sandbox.token}">
  <label for="person">Person</label>
  <select id="person" name="person">${opts.sandbox.people.map((p) => html`<option value="${p.id}">${p.name} (${p.roles})</option>`)}</select>
  <button type="submit">Sign in</button>
</form>`
  : ''}
${!opts.oidc && !opts.sandbox ? html`<p class="error" role="alert">Sign-in is not set up on this server. The school IT administrator sets CONSOLE_OIDC_ISSUER, CONSOLE_OIDC_CLIENT_ID, CONSOLE_OIDC_CLIENT_SECRET and CONSOLE_PUBLIC_URL.</p>` : ''}`,
  );
}

export function messagePage(chrome: Chrome, title: string, paragraphs: string[]): string {
  return layout(chrome, title, html`${paragraphs.map((p) => html`<p>${p}</p>`)}<p><a href="/console/">Back to the queue</a></p>`);
}

const statusWords = { open: 'Waiting to be acknowledged', acknowledged: 'Acknowledged', closed: 'Closed' } as const;
const dutyWords = { acknowledge: 'acknowledge', decision: 'decision', task: 'block task' } as const;

export function queuePage(chrome: Chrome, opts: { entries: QueueEntry[]; filters: QueueFilters; rules: string[]; timeZone: string; filteringLog?: boolean; auditLog?: boolean; reputationLog?: boolean; governorsReport?: boolean }): string {
  const at = (iso: string) => formatLocal(new Date(iso), opts.timeZone);
  const f = opts.filters;
  const option = (value: string, label: string, selected: boolean) => html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  const rows = opts.entries.map(
    (e) => html`<tr>
  <td><a href="/console/cases/${encodeURIComponent(e.reportId)}">${e.reference}</a>${e.urgent ? html` <span class="urgent">urgent</span>` : ''}</td>
  <td>${e.kindLabel}</td>
  <td>${statusWords[e.status]}${e.waitingFor.length > 0 ? html`<br><span class="muted">waiting for: ${e.waitingFor.map((w) => dutyWords[w]).join(', ')}</span>` : ''}</td>
  <td>${e.rules.join(', ')}</td>
  <td>${e.owners.join(', ') || '—'}</td>
  <td>${e.overdue ? html`<span class="overdue">Overdue</span>` : 'No'}</td>
  <td>${e.nextDeadline ? at(e.nextDeadline) : '—'}</td>
  <td>${at(e.submittedAt)}</td>
</tr>`,
  );
  return layout(
    chrome,
    'Open cases',
    html`<form class="filters" method="get" action="/console/">
  <div><label for="kind">Kind</label><select id="kind" name="kind">${option('', 'All kinds', !f.kind)}${reportKinds.map((k) => option(k, kindLabels[k], f.kind === k))}</select></div>
  <div><label for="status">Status</label><select id="status" name="status">${option('', 'All open', !f.status)}${option('open', statusWords.open, f.status === 'open')}${option('acknowledged', statusWords.acknowledged, f.status === 'acknowledged')}</select></div>
  <div><label for="rule">Rule</label><select id="rule" name="rule">${option('', 'All rules', !f.rule)}${opts.rules.map((r) => option(r, r, f.rule === r))}</select></div>
  <button type="submit">Filter</button>
</form>
${opts.entries.length === 0
  ? html`<p role="status">No open cases${f.kind || f.status || f.rule ? ' match these filters' : ''}.</p>`
  : html`<table>
<caption class="muted">${opts.entries.length} open case${opts.entries.length === 1 ? '' : 's'}, overdue first</caption>
<thead><tr><th scope="col">Reference</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Rules</th><th scope="col">Owner</th><th scope="col">Overdue</th><th scope="col">Next deadline</th><th scope="col">Reported</th></tr></thead>
<tbody>${rows}</tbody>
</table>`}
${opts.filteringLog || opts.auditLog || opts.reputationLog || opts.governorsReport ? html`<h2>Exports</h2>` : ''}
${opts.filteringLog ? html`<p><a href="/console/exports/filtering-log.csv" download>The filtering and blocking log (CSV)</a></p>` : ''}
${opts.reputationLog ? html`<p><a href="/console/exports/reputation-log.csv" download>The reputation log (CSV)</a></p>` : ''}
${opts.auditLog ? html`<p><a href="/console/exports/audit-log.csv" download>The audit log, with its verification (CSV)</a></p>` : ''}
${opts.governorsReport
  ? html`<form class="filters" method="get" action="/console/exports/governors-report.pdf">
  <div><label for="gr-from">Governors' report from</label><input type="date" id="gr-from" name="from" required></div>
  <div><label for="gr-to">to</label><input type="date" id="gr-to" name="to" required></div>
  <button type="submit">Download the governors' report (PDF)</button>
</form>`
  : ''}`,
  );
}

export interface CasePageInput {
  view: ReportView;
  details: MessageView;
  actions: CaseActions;
  csrf: string;
  timeZone: string;
  /** A refused or mistaken action, with its messages next to its fields. */
  problem?: { form: string; message: string; issues: FieldIssue[] };
  /** What was just done (after a decision or a close). */
  notice?: string;
  /** Other cases about the same member of staff or pupil that this person may see. */
  related: RelatedCase[];
  /** The DSL's link to the case's retention and transfer page. */
  retention?: boolean;
}

export function casePage(chrome: Chrome, c: CasePageInput): string {
  const v = c.view;
  const at = (iso: string) => formatLocal(new Date(iso), c.timeZone);
  const { issue, invalid, problem } = formProblems(c.problem);
  const evidence = (v.evidence ?? []).map(
    (e) => html`<tr>
  <td>${e.fileName ?? '—'}</td><td>${e.mediaType}</td><td>${Math.ceil(e.size / 1024)} KB</td><td>${at(e.addedAt)}</td>
  <td><code>${e.sha256}</code></td>
  <td><a href="/console/cases/${encodeURIComponent(v.reportId)}/evidence/${encodeURIComponent(e.id)}" rel="noopener" target="_blank">Show the file<span class="muted"> (the viewing is recorded)</span></a></td>
</tr>`,
  );
  const decisions = c.actions.decisions.map(
    (d) => html`<form class="action" method="post" action="/console/cases/${encodeURIComponent(v.reportId)}/decide">
  <h3>Decision (${d.rules.join(', ')})</h3>
  ${d.question ? html`<p>${d.question}</p>` : ''}
  ${problem(`decide-${d.dutyId}`)}
  <input type="hidden" name="_csrf" value="${c.csrf}"><input type="hidden" name="dutyId" value="${d.dutyId}">
  <label for="choice-${d.dutyId}">Decision</label>
  <select id="choice-${d.dutyId}" name="choice"${invalid(`decide-${d.dutyId}`, 'choice')}><option value="">Choose…</option>${d.choices.map((ch) => html`<option value="${ch.id}">${ch.label}</option>`)}</select>
  ${issue(`decide-${d.dutyId}`, 'choice')}
  <label for="reason-${d.dutyId}">Reason</label>
  <textarea id="reason-${d.dutyId}" name="reason"${invalid(`decide-${d.dutyId}`, 'reason')}></textarea>
  ${issue(`decide-${d.dutyId}`, 'reason')}
  <button type="submit">Record the decision</button>
</form>`,
  );
  const tasks = c.actions.tasks.map(
    (t) => html`<form class="action" method="post" action="/console/cases/${encodeURIComponent(v.reportId)}/task">
  <h3>Block task (${t.rules.join(', ')})</h3>
  ${problem(`task-${t.dutyId}`)}
  <input type="hidden" name="_csrf" value="${c.csrf}"><input type="hidden" name="dutyId" value="${t.dutyId}">
  <label for="action-${t.dutyId}">What was done</label>
  <textarea id="action-${t.dutyId}" name="action"${invalid(`task-${t.dutyId}`, 'action')}></textarea>
  ${issue(`task-${t.dutyId}`, 'action')}
  <button type="submit">Mark blocked</button>
</form>`,
  );
  const close = c.actions.mayClose
    ? html`<form class="action" method="post" action="/console/cases/${encodeURIComponent(v.reportId)}/close">
  <h3>Close the case</h3>
  ${problem('close')}
  <input type="hidden" name="_csrf" value="${c.csrf}">
  <label for="outcome">Outcome</label>
  <select id="outcome" name="outcome"${invalid('close', 'outcome')}><option value="">Choose…</option>${closeOutcomes.map((o) => html`<option value="${o.id}">${o.label}</option>`)}</select>
  ${issue('close', 'outcome')}
  <label for="close-reason">Reason</label>
  <textarea id="close-reason" name="reason"${invalid('close', 'reason')}></textarea>
  ${issue('close', 'reason')}
  <button type="submit">Close the case</button>
</form>`
    : '';
  const base = `/console/cases/${encodeURIComponent(v.reportId)}`;
  // Notes and recorded actions, and reopening: through core's addNote and reopen, which check again and audit.
  const note = v.access === 'full'
    ? html`<form class="action" method="post" action="${base}/note">
  <h3>Add a note or record what was done</h3>
  ${problem('note')}
  <input type="hidden" name="_csrf" value="${c.csrf}">
  <label for="note-what">What</label>
  <select id="note-what" name="what"${invalid('note', 'what')}>${noteKinds.map((k) => html`<option value="${k.id}">${k.label}</option>`)}</select>
  ${issue('note', 'what')}
  <label for="note-text">Note (required for a note)</label>
  <textarea id="note-text" name="text" maxlength="${textLimits.note}"${invalid('note', 'text')}></textarea>
  ${issue('note', 'text')}
  <label for="note-ref">Reference at another agency (optional)</label>
  <input id="note-ref" name="externalRef" maxlength="${textLimits.externalRef}"${invalid('note', 'externalRef')}>
  ${issue('note', 'externalRef')}
  <button type="submit">Add to the case</button>
</form>`
    : '';
  const reopen = v.access === 'full' && v.status === 'closed'
    ? html`<form class="action" method="post" action="${base}/reopen">
  <h3>Reopen the case</h3>
  ${problem('reopen')}
  <input type="hidden" name="_csrf" value="${c.csrf}">
  <label for="reopen-reason">Reason</label>
  <textarea id="reopen-reason" name="reason"${invalid('reopen', 'reason')}></textarea>
  ${issue('reopen', 'reason')}
  <button type="submit">Reopen the case</button>
</form>`
    : '';
  return layout(
    chrome,
    `Case ${v.reference}`,
    html`${c.notice ? html`<p class="notice" role="status">${c.notice}</p>` : ''}${v.urgent ? html`<p class="urgent">Urgent</p>` : ''}
<section aria-labelledby="record-h"><h2 id="record-h">The record</h2>
<dl class="facts">${c.details.facts.map((f) => html`<dt>${f.title}</dt><dd>${f.value}</dd>`)}</dl>
${c.details.paragraphs.map((p) => html`<p>${p}</p>`)}
</section>
${v.access === 'full'
  ? html`<section aria-labelledby="evidence-h"><h2 id="evidence-h">Evidence</h2>
${evidence.length === 0
  ? html`<p>No files.</p>`
  : html`<table><thead><tr><th scope="col">File</th><th scope="col">Type</th><th scope="col">Size</th><th scope="col">Added</th><th scope="col">SHA-256</th><th scope="col">View</th></tr></thead><tbody>${evidence}</tbody></table>`}
</section>`
  : ''}
${v.access === 'full' ? html`<p><a href="/console/cases/${encodeURIComponent(v.reportId)}/export.pdf" download>Download the case as a PDF</a> <span class="muted">(for a referral or a transfer; the export is recorded)</span></p>` : ''}
${v.access === 'full' ? html`<p><a href="/console/cases/${encodeURIComponent(v.reportId)}/people">People chronology: this case and the others about the same people</a></p>` : ''}
${c.retention && v.access === 'full' ? html`<p><a href="/console/cases/${encodeURIComponent(v.reportId)}/retention">Retention, legal hold and transfer</a></p>` : ''}
${v.access === 'full'
  ? html`<section aria-labelledby="related-h"><h2 id="related-h">Other cases about the same people</h2>
${c.related.length === 0
  ? html`<p>None that you can see.</p>`
  : html`<ul>${c.related.map((r) => html`<li><a href="/console/cases/${encodeURIComponent(r.reportId)}">${r.reference}</a>: ${r.kindLabel}, ${statusWords[r.status].toLowerCase()}, reported ${at(r.submittedAt)} (${r.why})</li>`)}</ul>`}
</section>`
  : ''}
<section aria-labelledby="chronology-h" id="chronology"><h2 id="chronology-h">Chronology</h2>
${(v.chronology ?? []).length === 0
  ? html`<p>Nothing recorded yet.</p>`
  : html`<ol class="chronology">${(v.chronology ?? []).map((e) => html`<li><time datetime="${e.at}">${at(e.at)}</time>: ${chronologyWords(e)}</li>`)}</ol>`}
</section>
<section aria-labelledby="actions-h"><h2 id="actions-h">Actions</h2>
${decisions.length === 0 && tasks.length === 0 && !c.actions.mayClose && !note ? html`<p>Nothing for you to do on this case now.</p>` : ''}
${decisions}${tasks}${close}${note}${reopen}
</section>`,
  );
}
