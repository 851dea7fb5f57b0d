import { afterEach, describe, expect, it } from 'vitest';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { formValues } from '../../src/views/report-forms.js';
import { example } from '../support/harness.js';
import { sandboxHarness, type SandboxHarness } from '../support/sandbox-harness.js';

// The sandbox shares Teams' path for card buttons (Conversation.cardAction): a refused
// decision comes back in place of the card, what was entered kept and the refusal under
// its field, with no notice and no new message; nothing is stored until it is valid.
let h: SandboxHarness;
afterEach(async () => h?.close());

type Message = { id: number; text?: string; card?: unknown; version: number };
type State = { conversations: { id: 'chat' | 'dsl'; messages: Message[] }[] };
const call = async (path: string, body?: unknown) => {
  const res = await fetch(`${h.url}sandbox/api/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const chat = async (as: string) => ((await call(`state?as=${as}`)).body as unknown as State).conversations.find((c) => c.id === 'chat')?.messages ?? [];
const text = (m: Message | undefined) => (m?.text ?? '') + JSON.stringify(m?.card ?? '');

describe('a refused decision in the sandbox is answered next to its field', () => {
  it('2: a reason of only spaces → the same card, updated in place, choice and reason kept; then the decision is recorded', async () => {
    h = await sandboxHarness();
    const ex = example(2);
    const kind = ex.report.kind as ReportKind;
    await call('say', { as: ex.reporter, text: 'report' });
    const act = async (as: string, messageId: number, data: Record<string, unknown>) => {
      const res = await call('action', { as, conversation: 'chat', messageId, data });
      expect(res.status).toBe(200);
      return res.body.notices as string[];
    };
    const kindCard = (await chat(ex.reporter)).at(-1) as Message;
    await act(ex.reporter, kindCard.id, { verb: 'choose_kind', kind });
    await act(ex.reporter, kindCard.id, { verb: 'submit_report', kind, ...formValues(kind, ex.report) });
    const reference = /SG-\d{4}-\d{4}/.exec(text((await chat(ex.reporter)).at(-1)))?.[0] ?? '';
    const reportId = h.app.store.findReportByReference(reference)?.id ?? '';

    const before = await chat('alex-morgan');
    const card = before.find((m) => text(m).includes(`Decision needed: ${reference}`)) as Message;
    const audit = h.app.store.listAudit(reportId).length;
    const notices = await act('alex-morgan', card.id, { verb: 'decide', reportId, choice: 'refer_to_lado', reason: '   ' });
    expect(notices).toEqual([]);
    const after = await chat('alex-morgan');
    expect(after).toHaveLength(before.length);
    const again = after.find((m) => m.id === card.id) as Message;
    expect(again.version).toBeGreaterThan(card.version);
    expect(text(again)).toContain(`Decision needed: ${reference}`);
    expect(text(again)).toContain('"id":"choice","label":"Decision","style":"expanded","isRequired":true,"errorMessage":"Please choose one of the options.","value":"refer_to_lado"');
    expect(text(again)).toMatch(/"id":"reason".*"value":"   "\},\{"type":"TextBlock","text":"Please give the reason for your decision.","color":"attention"/);
    expect(h.app.store.listAudit(reportId)).toHaveLength(audit);
    expect(h.app.store.listDuties(reportId).find((d) => d.type === 'decision')?.status).toBe('open');

    await act('alex-morgan', card.id, { verb: 'decide', reportId, choice: 'refer_to_lado', reason: 'Contact with pupils outside school.' });
    expect(text((await chat('alex-morgan')).find((m) => m.id === card.id))).toContain('Refer to the LADO: decided by Alex Morgan');
  });
});
