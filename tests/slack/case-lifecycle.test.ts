import { afterEach, describe, expect, it } from 'vitest';
import { caseScripts, staffNames } from '../support/case-scripts.js';
import { example } from '../support/harness.js';
import { slackHarness, slackId, type SlackHarness } from '../support/slack-harness.js';
import { buttonPress, fileReport, textOf, viewSubmission } from './slack-flow.js';

// Issue 12 through Slack: every worked example ends closed (View details → Close → the
// close modal, whose submission is the shared conversation verb), with the outcome,
// reason and chronology on the record and the reporter told "closed" with no names.
let h: SlackHarness;
afterEach(async () => h?.close());

type Json = Record<string, unknown>;
const dm = (person: string) => `D${slackId(person)}`;
const modals = (callback: string) => h.api.of('views.open').concat(h.api.of('views.push')).map((c) => c.body.view as Json).filter((v) => v.callback_id === callback);
const press = (person: string, verb: string, reportId: string, inModal = false) => {
  const payload = buttonPress(person, verb, JSON.stringify({ reportId }), { channel: dm(person), ts: '1.000100' });
  return h.interaction(inModal ? { ...payload, view: { id: 'V0DETAILS', type: 'modal', callback_id: 'details', private_metadata: '', state: { values: {} } }, channel: undefined, container: { type: 'view', view_id: 'V0DETAILS' } } : payload);
};
const radio = (value: string) => ({ value: { type: 'radio_buttons', selected_option: { value } } });
const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
const submit = (person: string, callback: string, state: Json) =>
  h.interaction(viewSubmission(person, { callback_id: callback, private_metadata: String(modals(callback).at(-1)?.private_metadata), state }));

async function runToClose(n: number) {
  const ex = example(n);
  const script = caseScripts[n]!;
  const { reference, reportId } = await fileReport(h, ex.reporter, ex.report);
  await h.deliver();
  for (const step of script.steps) {
    h.clock.advanceMinutes(5);
    if (step.verb === 'decide') {
      await h.interaction(buttonPress(step.actor, 'decide', JSON.stringify({ reportId }), { channel: dm(step.actor), ts: '1.000100' }));
      const res = await submit(step.actor, 'decide', { choice: radio(step.choice), reason: input(step.reason) });
      expect(res.body).toBeFalsy();
    } else if (step.verb === 'complete_task') h.app.workflow.completeTask({ reportId, actorId: step.actor, action: step.action });
    else {
      h.clock.advanceMinutes(120);
      while (h.app.workflow.tick().processed > 0);
    }
    await h.deliver();
  }
  h.clock.advanceMinutes(5);
  await press(script.closer, 'view', reportId);
  const details = JSON.stringify(modals('details').at(-1));
  expect(details).toContain('Chronology');
  expect(details).toContain('"action_id":"close_form"');
  await press(script.closer, 'close_form', reportId, true);
  expect(h.api.of('views.push').length).toBeGreaterThan(0);
  expect(JSON.stringify(modals('close').at(-1))).toContain('Not a safeguarding concern');
  const blank = await submit(script.closer, 'close', { outcome: radio(script.outcome), reason: input('  ') });
  expect(blank.body).toEqual({ response_action: 'errors', errors: { reason: 'Please give the reason for closing the report.' } });
  const ok = await submit(script.closer, 'close', { outcome: radio(script.outcome), reason: input(script.reason) });
  expect(ok.status).toBe(200);
  expect(ok.body).toBeFalsy();
  await h.deliver();
  return { ex, script, reference, reportId };
}

describe('every worked example ends closed through Slack (issue 12)', () => {
  for (const n of [1, 2, 3, 4, 5, 6, 7]) {
    it(`${n}: closed through the close modal; the cards say so; the reporter is told with no names`, async () => {
      h = await slackHarness();
      const { ex, script, reference, reportId } = await runToClose(n);
      const closer = h.app.workflow.directory.displayName(script.closer);
      expect(textOf(h.api.of('chat.update'))).toContain(`Closed by ${closer} (${script.outcomeLabel})`);
      const told = h.api.postedTo(dm(ex.reporter)).filter((c) => textOf([c]).includes(`Your report ${reference} has been closed`));
      expect(told).toHaveLength(1);
      for (const name of staffNames) expect(textOf(told)).not.toContain(name);
      expect(textOf(told)).not.toContain(script.reason);
      await press(script.closer, 'view', reportId);
      const details = JSON.stringify(modals('details').at(-1));
      expect(details).toContain(`Closed by ${closer} (${script.outcomeLabel}): ${script.reason}`);
      expect(details).toContain('"action_id":"reopen_form"');
      expect(h.app.workflow.openQueue(script.closer)).toEqual([]);
    });
  }

  it('a note from View details (pushed on top), then reopen; a refused close names its field; the subject is refused', async () => {
    h = await slackHarness();
    const { reportId, reference } = await runToClose(1);
    await press('sam-okafor', 'note_form', reportId, true);
    const none = await submit('sam-okafor', 'note', { what: radio('note'), text: input(' ') });
    expect(none.body).toEqual({ response_action: 'errors', errors: { text: 'Please write the note.' } });
    const noted = await submit('sam-okafor', 'note', { what: radio('referred_police'), text: input(''), externalRef: input('POL-123') });
    expect(noted.body).toBeFalsy();
    await press('jo-patel', 'reopen_form', reportId);
    expect(modals('reopen')).toHaveLength(1);
    expect((await submit('jo-patel', 'reopen', { reason: input('New messages.') })).body).toBeFalsy();
    await h.deliver();
    expect(textOf(h.api.postedTo(dm('amy-clarke')))).toContain(`Your report ${reference} has been reopened`);
    await press('jo-patel', 'view', reportId);
    const details = JSON.stringify(modals('details').at(-1));
    expect(details).toContain('Reported to the police, recorded by Sam Okafor (reference POL-123)');
    expect(details).toContain('Reopened by Jo Patel: New messages.');
    expect(details).toContain('"action_id":"close_form"');
  });

  it('G1: the headteacher, subject of example 3, is refused the close and note forms privately', async () => {
    h = await slackHarness();
    const ex = example(3);
    const { reportId } = await fileReport(h, ex.reporter, ex.report);
    const before = modals('close').length + modals('note').length;
    await press('alex-morgan', 'close_form', reportId);
    await press('alex-morgan', 'note_form', reportId);
    expect(modals('close').length + modals('note').length).toBe(before);
    expect(h.api.of('chat.postEphemeral').map((c) => c.body.text)).toEqual([expect.stringMatching(/Only the people/), expect.stringMatching(/Only the people/)]);
    expect(h.app.store.listCaseEntries(reportId)).toEqual([]);
  });
});
