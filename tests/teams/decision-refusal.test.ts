import { afterEach, describe, expect, it } from 'vitest';
import { cardProblems } from '../support/adaptive-card-check.js';
import { cardOf, cardText } from '../support/fake-bot-connector.js';
import { example } from '../support/harness.js';
import type { TeamsHarness } from '../support/teams-harness.js';
import { buttonData, checkCardsAndClose, fileReport, installedBot, invokeText, lastSent } from './teams-flow.js';

// A refused decision (or block task) on Teams comes back next to its field, as Slack's
// modal and the sandbox do: the Action.Execute invoke answers with the same card, what was
// entered kept and the refusal under its field, in place of the card that was clicked.
// Nothing is stored for a refusal; a valid answer still records the decision.
let h: TeamsHarness;
afterEach(() => checkCardsAndClose(h));

type Card = Record<string, unknown>;
const chat = (person: string) => h.personalChat(person);

/** The card of an invoke response that replaces the clicked card (application/vnd.microsoft.card.adaptive). */
function invokeCard(res: { status: number; body: unknown }): Card {
  const body = res.body as { statusCode?: number; type?: string; value?: unknown };
  expect(res.status).toBe(200);
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  const card = body.value as Card;
  expect(cardProblems(card)).toEqual([]);
  return card;
}

/** Each input of a card with its value and the refusal shown under it (the TextBlock after it in its container). */
function fields(card: Card): Record<string, { value?: unknown; issue?: string }> {
  const out: Record<string, { value?: unknown; issue?: string }> = {};
  const walk = (items: unknown[]) =>
    items.forEach((item, i) => {
      const el = item as { type?: string; id?: string; value?: unknown; items?: unknown[]; color?: string; text?: string };
      if (el.items) walk(el.items);
      if (!el.type?.startsWith('Input.') || !el.id) return;
      const next = items[i + 1] as { type?: string; color?: string; text?: string } | undefined;
      out[el.id] = { value: el.value, ...(next?.type === 'TextBlock' && next.color === 'attention' ? { issue: next.text ?? '' } : {}) };
    });
  walk((card.body ?? []) as unknown[]);
  return out;
}

/** What a refusal must leave untouched: the duties, the audit log, the outbox. */
function stored(reportId: string) {
  return JSON.stringify({ duties: h.app.store.listDuties(reportId), audit: h.app.store.listAudit(reportId).length, outbox: h.app.store.outbox.list().length });
}

async function decisionFor(n: number, decider: string) {
  const ex = example(n);
  const { reference } = await fileReport(h, ex.reporter, ex.report);
  await h.deliver();
  const decision = lastSent(h, chat(decider));
  const card = cardOf(decision.body);
  expect(cardText(card)).toContain(`Decision needed: ${reference}`);
  const reportId = h.app.store.findReportByReference(reference)?.id ?? '';
  return { reference, reportId, cardId: decision.responseId ?? '', data: buttonData(card, 'decide') };
}

describe('a refused decision on Teams is answered next to its field (issue 12, Teams)', () => {
  it('2: a reason of only spaces → the card again in the invoke response, choice and reason kept, the refusal under Reason; nothing stored; then the decision is recorded', async () => {
    h = await installedBot(['jo-patel', 'amy-clarke', 'alex-morgan']);
    const { reference, reportId, cardId, data } = await decisionFor(2, 'alex-morgan');
    const before = stored(reportId);
    const calls = h.connector.calls.length;

    const blank = await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'refer_to_lado', reason: '   ' }, { replyToId: cardId }));
    const again = invokeCard(blank);
    expect(cardText(again)).toContain(`Decision needed: ${reference}`);
    expect(cardText(again)).toContain('Decide by');
    const f = fields(again);
    expect(f.choice).toEqual({ value: 'refer_to_lado' });
    expect(f.reason).toEqual({ value: '   ', issue: 'Please give the reason for your decision.' });
    // Still the decision card: its button records the decision for the same duty.
    expect(buttonData(again, 'decide')).toEqual(data);
    // The card replaced in place: no new message, no update, in the chat.
    expect(h.connector.calls.length).toBe(calls);
    expect(stored(reportId)).toBe(before);
    expect(h.app.store.listDuties(reportId).find((d) => d.type === 'decision')?.status).toBe('open');

    const ok = await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'refer_to_lado', reason: 'Contact with pupils outside school.' }, { replyToId: cardId }));
    expect(invokeText(ok)).toBe(`Decision recorded for ${reference}.`);
    await h.deliver();
    const update = h.connector.updates().find((u) => u.activityId === cardId);
    expect(cardText(cardOf(update?.body))).toContain('decided by Alex Morgan');
    expect(h.app.store.listDuties(reportId).find((d) => d.type === 'decision')?.result).toEqual({ choice: 'refer_to_lado', reason: 'Contact with pupils outside school.' });
  });

  it('no choice and no reason → both refusals, each under its own field; a choice that is not offered is refused the same way', async () => {
    h = await installedBot(['jo-patel', 'amy-clarke', 'alex-morgan']);
    const { reportId, cardId, data } = await decisionFor(2, 'alex-morgan');
    const before = stored(reportId);
    const none = fields(invokeCard(await h.post(h.execute('alex-morgan', 'decide', data, { replyToId: cardId }))));
    expect(none.choice).toEqual({ value: '', issue: 'Please choose one of the options.' });
    expect(none.reason).toEqual({ value: '', issue: 'Please give the reason for your decision.' });
    const forged = fields(invokeCard(await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'sack_them', reason: 'Because.' }, { replyToId: cardId }))));
    expect(forged.choice).toEqual({ value: 'sack_them', issue: 'Please choose one of the options.' });
    expect(forged.reason).toEqual({ value: 'Because.' });
    expect(stored(reportId)).toBe(before);
  });

  it('3 (G1): the chair gets the card again; the headteacher, its subject, forging the same click gets words, never the card', async () => {
    h = await installedBot(['jo-patel', 'amy-clarke', 'priya-shah']);
    const { reference, reportId, cardId, data } = await decisionFor(3, 'priya-shah');
    const again = invokeCard(await h.post(h.execute('priya-shah', 'decide', { ...data, choice: 'refer_to_lado', reason: ' ' }, { replyToId: cardId })));
    expect(fields(again).reason?.issue).toBe('Please give the reason for your decision.');
    // Someone who may not decide never sees the card (its reference, kind, question): refused in words, and audited.
    const refused = await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'refer_to_lado', reason: ' ' }));
    expect(invokeText(refused)).not.toContain(reference);
    expect(h.app.store.listAudit(reportId).filter((e) => e.action === 'action.refused').map((e) => e.actor)).toEqual(['alex-morgan']);
  });

  it('a decision already recorded is said in words (nothing to fill in again)', async () => {
    h = await installedBot(['jo-patel', 'amy-clarke', 'alex-morgan']);
    const { reference, cardId, data } = await decisionFor(2, 'alex-morgan');
    expect(invokeText(await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'refer_to_lado', reason: 'First.' }, { replyToId: cardId })))).toBe(`Decision recorded for ${reference}.`);
    const late = await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'no_further_action', reason: ' ' }, { replyToId: cardId }));
    expect(invokeText(late)).toMatch(/already/i);
  });

  it('Action.Submit (older clients): the refused card replaces the clicked one in the chat with the refusal under its field', async () => {
    h = await installedBot(['jo-patel', 'amy-clarke', 'alex-morgan']);
    const { reportId, cardId, data } = await decisionFor(2, 'alex-morgan');
    const before = stored(reportId);
    h.connector.clear();
    expect((await h.post(h.submit('alex-morgan', { verb: 'decide', ...data, choice: 'refer_to_lado', reason: '  ' }, cardId))).status).toBe(200);
    expect(h.connector.sent(chat('alex-morgan'))).toEqual([]);
    const update = h.connector.updates().find((u) => u.activityId === cardId);
    expect(fields(cardOf(update?.body) ?? {}).reason).toEqual({ value: '  ', issue: 'Please give the reason for your decision.' });
    expect(stored(reportId)).toBe(before);
  });

  it('4: the ICT technician\'s block task with an action of only spaces comes back the same way; then Mark blocked works', async () => {
    h = await installedBot(['jo-patel', 'amy-clarke', 'lee-evans']);
    const ex = example(4);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const task = lastSent(h, chat('lee-evans'));
    const data = buttonData(cardOf(task.body), 'complete_task');
    const reportId = h.app.store.findReportByReference(reference)?.id ?? '';
    const before = stored(reportId);
    const again = invokeCard(await h.post(h.execute('lee-evans', 'complete_task', { ...data, action: '   ' }, { replyToId: task.responseId ?? '' })));
    expect(cardText(again)).toContain(`Please block: ${reference}`);
    expect(cardText(again)).toContain('https://video.example.com/watch?v=violent123');
    expect(fields(again).action).toEqual({ value: '   ', issue: 'Please say what action you took.' });
    expect(stored(reportId)).toBe(before);
    const done = await h.post(h.execute('lee-evans', 'complete_task', { ...data, action: 'Blocked on the filter' }, { replyToId: task.responseId ?? '' }));
    expect(invokeText(done)).toContain(`Marked as blocked: ${reference}`);
  });
});
