import { afterEach, describe, expect, it } from 'vitest';
import { cardOf, cardText } from '../support/fake-bot-connector.js';
import { caseScripts, staffNames } from '../support/case-scripts.js';
import { example } from '../support/harness.js';
import type { TeamsHarness } from '../support/teams-harness.js';
import { buttonData, checkCardsAndClose, fileReport, installedBot, invokeText, lastSent, textTo } from './teams-flow.js';

// Issue 12 through Teams: every worked example ends closed from the owner's chat (View
// details → Close → the form → Close the case), with the outcome, reason and chronology
// on the record and the reporter told "closed" with no names; notes and reopen too.
let h: TeamsHarness;
afterEach(() => checkCardsAndClose(h));

const chat = (person: string) => h.personalChat(person);
const ready = () => installedBot(['jo-patel', 'sam-okafor', 'alex-morgan', 'priya-shah', 'amy-clarke', 'ben-hughes', 'chris-doyle', 'dana-frost']);

/** Clicks a button of the last card in this person's chat with this verb; returns the invoke's answer. */
async function click(person: string, verb: string, extra: Record<string, unknown> = {}) {
  const card = [...h.connector.sent(chat(person))].reverse().map((c) => cardOf(c.body)).find((c) => JSON.stringify(c?.actions ?? []).includes(`"verb":"${verb}"`));
  const sent = [...h.connector.sent(chat(person))].reverse().find((c) => cardOf(c.body) === card);
  return h.post(h.execute(person, verb, { ...buttonData(card, verb), ...extra }, { replyToId: sent?.responseId ?? '' }));
}

async function viewDetails(person: string, reportId: string): Promise<string> {
  expect(invokeText(await h.post(h.execute(person, 'view', { reportId })))).toContain('Details of');
  return cardText(cardOf(lastSent(h, chat(person)).body));
}

async function runToClose(n: number) {
  const ex = example(n);
  const script = caseScripts[n]!;
  const { reference } = await fileReport(h, ex.reporter, ex.report);
  const reportId = h.app.store.findReportByReference(reference)?.id ?? '';
  await h.deliver();
  for (const step of script.steps) {
    h.clock.advanceMinutes(5);
    if (step.verb === 'decide') {
      const res = await click(step.actor, 'decide', { choice: step.choice, reason: step.reason });
      expect(invokeText(res)).toContain('Decision recorded');
    } else if (step.verb === 'complete_task') h.app.workflow.completeTask({ reportId, actorId: step.actor, action: step.action });
    else {
      h.clock.advanceMinutes(120);
      while (h.app.workflow.tick().processed > 0);
    }
    await h.deliver();
  }
  h.clock.advanceMinutes(5);
  const details = await viewDetails(script.closer, reportId);
  expect(details).toContain('Chronology');
  const form = await click(script.closer, 'close_form');
  expect(invokeText(form)).toBe('Fill in the form below.');
  const formCard = cardText(cardOf(lastSent(h, chat(script.closer)).body));
  expect(formCard).toContain(`Close ${reference}`);
  expect(formCard).toContain('Not a safeguarding concern');
  // G5: the reason is required, and said in words.
  const blank = await click(script.closer, 'close', { outcome: script.outcome, reason: ' ' });
  // The form comes back in place, the outcome kept and the refusal next to the reason.
  const again = JSON.stringify(blank.body);
  expect(again).toContain(`Close ${reference}`);
  expect(again).toContain('Please give the reason for closing the report.');
  expect(again).toContain(`"value":"${script.outcome}"`);
  const done = await click(script.closer, 'close', { outcome: script.outcome, reason: script.reason });
  expect(JSON.stringify(done.body)).toContain(`Closed: ${reference}`);
  await h.deliver();
  return { ex, script, reference, reportId };
}

describe('every worked example ends closed through Teams (issue 12)', () => {
  for (const n of [1, 2, 3, 4, 5, 6, 7]) {
    it(`${n}: closed from the owner's chat; the cards say so; the reporter is told with no names`, async () => {
      h = await ready();
      const { ex, script, reference, reportId } = await runToClose(n);
      const updated = h.connector.updates().map((u) => cardText(cardOf(u.body))).join('\n');
      expect(updated).toContain(`Closed by ${h.app.workflow.directory.displayName(script.closer)} (${script.outcomeLabel})`);
      const reporterChat = textTo(h, chat(ex.reporter));
      expect(reporterChat).toContain(`Your report ${reference} has been closed`);
      const closedNotice = h.connector.sent(chat(ex.reporter)).map((c) => cardText(cardOf(c.body))).find((t) => t.includes('has been closed')) ?? '';
      for (const name of staffNames) expect(closedNotice).not.toContain(name);
      expect(closedNotice).not.toContain(script.reason);
      const details = await viewDetails(script.closer, reportId);
      expect(details).toContain(`Closed by ${h.app.workflow.directory.displayName(script.closer)} (${script.outcomeLabel}): ${script.reason}`);
      expect(details).toContain(`Reported by ${h.app.workflow.directory.displayName(ex.reporter)}`);
      expect(details).toContain('"verb":"reopen_form"');
      expect(details).not.toContain('"verb":"close_form"');
      expect(h.app.workflow.openQueue(script.closer)).toEqual([]);
    });
  }

  it('a note with an external reference, then reopen with a reason; the chronology shows both in time order', async () => {
    h = await ready();
    const { reportId, reference } = await runToClose(1);
    h.clock.advanceMinutes(10);
    await viewDetails('sam-okafor', reportId);
    expect(invokeText(await click('sam-okafor', 'note_form'))).toBe('Fill in the form below.');
    const noted = await click('sam-okafor', 'note', { what: 'referred_social_care', text: 'Called the front door.', externalRef: 'CSC-77' });
    expect(JSON.stringify(noted.body)).toContain(`Added to ${reference}`);
    h.clock.advanceMinutes(10);
    await viewDetails('jo-patel', reportId);
    expect(invokeText(await click('jo-patel', 'reopen_form'))).toBe('Fill in the form below.');
    expect(JSON.stringify((await click('jo-patel', 'reopen', { reason: '' })).body)).toContain('Please give the reason for reopening the report.');
    await click('jo-patel', 'reopen', { reason: 'Another request came.' });
    await h.deliver();
    const details = await viewDetails('jo-patel', reportId);
    const at = (s: string) => details.indexOf(s);
    expect(at("Referred to children's social care, recorded by Sam Okafor: Called the front door. (reference CSC-77)")).toBeGreaterThan(at('Closed by Jo Patel'));
    expect(at('Reopened by Jo Patel: Another request came.')).toBeGreaterThan(at('recorded by Sam Okafor'));
    expect(details).toContain('"verb":"close_form"');
    expect(textTo(h, chat('amy-clarke'))).toContain(`Your report ${reference} has been reopened`);
    expect(h.app.workflow.openQueue('jo-patel').map((q) => q.reference)).toEqual([reference]);
  });

  it('G1: the headteacher, subject of example 3, cannot open the close or note form for it', async () => {
    h = await ready();
    const ex = example(3);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    const reportId = h.app.store.findReportByReference(reference)?.id ?? '';
    for (const verb of ['close_form', 'note_form', 'reopen_form'])
      expect(invokeText(await h.post(h.execute('alex-morgan', verb, { reportId })))).toMatch(/Only the people this report was sent to/);
    expect(invokeText(await h.post(h.execute('alex-morgan', 'note', { reportId, what: 'note', text: 'x' })))).toMatch(/Only the people this report was sent to/);
    expect(h.app.store.listCaseEntries(reportId)).toEqual([]);
  });
});
