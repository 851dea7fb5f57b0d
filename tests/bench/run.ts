// npm run bench: how fast the engine routes, the workflow stores, and the tick escalates.
// Figures, not assertions: speed is measured here, never in a timed test.
import { performance } from 'node:perf_hooks';
import { route } from '../../src/core/policy-engine.js';
import { makeReportSchema } from '../../src/core/report-schemas.js';
import { formValues } from '../../src/views/report-forms.js';
import { example, harness } from '../support/harness.js';
import { teamsHarness } from '../support/teams-harness.js';

function measure(name: string, n: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(50, n); i += 1) fn(i); // warm up
  const start = performance.now();
  for (let i = 0; i < n; i += 1) fn(i);
  const ms = performance.now() - start;
  console.log(`${name.padEnd(44)} ${String(n).padStart(6)} runs  ${(ms / n).toFixed(3).padStart(8)} ms each  ${Math.round((n / ms) * 1000).toString().padStart(7)} /s`);
}

async function measureAsync(name: string, n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < n; i += 1) await fn(i);
  const ms = performance.now() - start;
  console.log(`${name.padEnd(44)} ${String(n).padStart(6)} runs  ${(ms / n).toFixed(3).padStart(8)} ms each  ${Math.round((n / ms) * 1000).toString().padStart(7)} /s`);
}

const h = harness({ channels: ['slack', 'teams'] });
try {
  const forms = [1, 2, 3, 4, 5, 6, 7].map((n) => example(n));
  const schema = makeReportSchema({ today: '2026-11-23' });
  const parsed = forms.map((f) => schema.parse(f.report));
  const now = h.clock.now();
  measure('policy engine: route() a worked example', 20_000, (i) => {
    route({ form: parsed[i % 7]!, reporterId: 'amy-clarke' }, h.workflow.policy, h.workflow.directory, now);
  });
  await measureAsync('workflow: submit (validate, route, store, queue)', 2_000, (i) =>
    h.workflow.submit({ reporterId: forms[i % 7]!.reporter, form: forms[i % 7]!.report }),
  );
  const toAcknowledge = h.store.listReportsNotClosed().filter((r) => r.routing.dslChannel === 'acknowledge');
  measure('workflow: acknowledge (DSL channel)', 500, (i) => {
    const open = toAcknowledge[i + 50];
    if (open) h.workflow.acknowledge({ reportId: open.id, actorId: 'jo-patel' });
  });
  h.clock.advanceMinutes(60 * 24 * 3);
  const start = performance.now();
  let processed = 0;
  for (;;) {
    const { processed: p } = h.workflow.tick(500);
    if (p === 0) break;
    processed += p;
  }
  const ms = performance.now() - start;
  console.log(`${'workflow: tick over due timers'.padEnd(44)} ${String(processed).padStart(6)} timers ${(ms / Math.max(1, processed)).toFixed(3).padStart(7)} ms each`);
  const audit = performance.now();
  const check = h.store.verifyAudit();
  console.log(`${'audit verify'.padEnd(44)} ${String(check.count).padStart(6)} entries ${(performance.now() - audit).toFixed(1).padStart(7)} ms in all (${check.ok ? 'OK' : 'BROKEN'})`);
  console.log(`outbox rows: ${h.store.listOutbox().length}`);
} finally {
  h.close();
}

// Teams, end to end: HTTP to /api/messages, botbuilder's CloudAdapter, core, SQLite and
// the reply to the fake Bot Connector on loopback; then the outbox delivered to it.
{
  const t = await teamsHarness();
  try {
    await t.post(t.installTeam());
    const ex = example(1);
    const values = formValues('friend_request', ex.report);
    await measureAsync('teams: "report" → kind card', 300, () => t.post(t.message('amy-clarke', 'report')));
    await measureAsync('teams: form Send → stored, card updated', 300, (i) =>
      t.post(t.submit('amy-clarke', { verb: 'submit_report', kind: 'friend_request', ...values }, `card-${i}`)),
    );
    // The Send timing includes the outbox deliveries it starts (receipt, DSL thread, notice).
    await t.deliver();
    console.log(`Bot Connector calls so far: ${t.connector.calls.length} (replies, card updates, new chats and threads)`);
    const reports = t.app.store.listReportsNotClosed();
    await measureAsync('teams: Acknowledge click (invoke) → answered', 200, (i) =>
      t.post(t.execute('jo-patel', 'acknowledge', { reportId: reports[i]?.id ?? '' })),
    );
  } finally {
    await t.close();
  }
}

// Slack, end to end: a signed request to /slack/events, Bolt, core, SQLite, and the
// answer (modal opened on the fake Web API, or the modal closed once stored).
{
  const { slackHarness } = await import('../support/slack-harness.js');
  const { formState, viewSubmission } = await import('../slack/slack-flow.js');
  const s = await slackHarness();
  try {
    const ex = example(1);
    await measureAsync('slack: /report → modal opened', 300, () => s.command('amy-clarke'));
    await measureAsync('slack: form submitted → stored, modal closed', 300, (i) =>
      s.interaction(viewSubmission('amy-clarke', { id: `V-bench-${i}`, callback_id: 'report_form', private_metadata: JSON.stringify({ kind: 'friend_request' }), state: formState('friend_request', ex.report) })),
    );
    await s.deliver();
    console.log(`Slack Web API calls so far: ${s.api.calls.length}`);
  } finally {
    await s.close();
  }
}
