import { afterEach, describe, expect, it } from 'vitest';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { formValues } from '../../src/views/report-forms.js';
import { caseScripts, staffNames } from '../support/case-scripts.js';
import { example } from '../support/harness.js';
import { sandboxHarness, type SandboxHarness } from '../support/sandbox-harness.js';

// Issue 12 in the sandbox, through its HTTP API as the page uses it: every worked example
// ends closed (View details → Close → the form), with the outcome, reason and chronology
// on the record and the reporter told "closed" with no names.
let h: SandboxHarness;
afterEach(async () => h?.close());

type Message = { id: number; text?: string; card?: unknown };
type State = { conversations: { id: 'chat' | 'dsl'; messages: Message[] }[] };
const call = async (path: string, body?: unknown) => {
  const res = await fetch(`${h.url}sandbox/api/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const state = async (as: string) => (await call(`state?as=${as}`)).body as unknown as State;
const text = (m: Message) => (m.text ?? '') + JSON.stringify(m.card ?? '');
/** The last message in this person's conversations containing this text, and where it is. */
async function find(as: string, needle: string): Promise<{ conversation: 'chat' | 'dsl'; message: Message }> {
  for (const c of (await state(as)).conversations.slice().reverse()) {
    const m = c.messages.filter((x) => text(x).includes(needle)).at(-1);
    if (m) return { conversation: c.id, message: m };
  }
  throw new Error(`${as} has no message with ${needle}`);
}
const act = async (as: string, needle: string, data: Record<string, unknown>) => {
  const { conversation, message } = await find(as, needle);
  const res = await call('action', { as, conversation, messageId: message.id, data });
  expect(res.status).toBe(200);
  return res.body.notices as string[];
};
const chatText = async (as: string) => (await state(as)).conversations.find((c) => c.id === 'chat')?.messages.map(text).join('\n') ?? '';

async function runToClose(n: number) {
  const ex = example(n);
  const script = caseScripts[n]!;
  const kind = ex.report.kind as ReportKind;
  await call('say', { as: ex.reporter, text: 'report' });
  await act(ex.reporter, 'What is it about?', { verb: 'choose_kind', kind });
  await act(ex.reporter, 'Send report', { verb: 'submit_report', kind, ...formValues(kind, ex.report) });
  const reference = /SG-\d{4}-\d{4}/.exec(await chatText(ex.reporter))?.[0] ?? '';
  const reportId = h.app.store.findReportByReference(reference)?.id ?? '';
  for (const step of script.steps) {
    if (step.verb === 'decide') await act(step.actor, `Decision needed: ${reference}`, { verb: 'decide', reportId, choice: step.choice, reason: step.reason });
    else if (step.verb === 'complete_task') await act(step.actor, `Please block: ${reference}`, { verb: 'complete_task', reportId, action: step.action });
    else {
      await call('clock', { minutes: 30, working: true });
      await call('clock', { minutes: 120, working: true });
    }
  }
  await act(script.closer, reference, { verb: 'view', reportId });
  expect(await chatText(script.closer)).toContain('Chronology');
  await act(script.closer, 'close_form', { verb: 'close_form', reportId });
  const blank = await act(script.closer, `Close ${reference}`, { verb: 'close', reportId, outcome: script.outcome, reason: '' });
  // The form comes back in place with the refusal next to the reason (no notice).
  expect(blank).toEqual([]);
  expect(await chatText(script.closer)).toContain('Please give the reason for closing the report.');
  await act(script.closer, `Close ${reference}`, { verb: 'close', reportId, outcome: script.outcome, reason: script.reason });
  return { ex, script, reference, reportId };
}

describe('every worked example ends closed in the sandbox (issue 12)', () => {
  for (const n of [1, 2, 3, 4, 5, 6, 7]) {
    it(`${n}: closed from View details; the cards say so; the reporter is told with no names`, async () => {
      h = await sandboxHarness();
      const { ex, script, reference, reportId } = await runToClose(n);
      const closer = h.app.workflow.directory.displayName(script.closer);
      expect(await chatText(script.closer)).toContain(`Closed: ${reference}`);
      const everything = (await state(script.closer)).conversations.flatMap((c) => c.messages.map(text)).join('\n');
      expect(everything).toContain(`Closed by ${closer} (${script.outcomeLabel})`);
      const told = (await state(ex.reporter)).conversations[0]?.messages.map(text).filter((t) => t.includes(`Your report ${reference} has been closed`)) ?? [];
      expect(told).toHaveLength(1);
      for (const name of staffNames) expect(told[0]).not.toContain(name);
      expect(told[0]).not.toContain(script.reason);
      await act(script.closer, reference, { verb: 'view', reportId });
      expect(await chatText(script.closer)).toContain(`Closed by ${closer} (${script.outcomeLabel}): ${script.reason}`);
      expect(h.app.workflow.openQueue(script.closer)).toEqual([]);
    });
  }
});
