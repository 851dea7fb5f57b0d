import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { fill, largestForm } from '../support/largest-inputs.js';
import { slackHarness, slackId, type SlackHarness } from '../support/slack-harness.js';
import { buttonOf, buttonPress, fileReport, textOf, viewSubmission } from './slack-flow.js';

// Sizes, over the wire: the fake Web API refuses what Slack refuses (msg_blocks_too_long
// past 12,000 characters of block text, invalid_blocks, invalid_arguments for views).
let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
const dslChannel = 'C0DSLPRIV01';
const dm = (person: string) => `D${slackId(person)}`;

describe('Slack: the largest report the form accepts', () => {
  it('is sent once and accepted: the block task, the DSL channel card, the receipt, and the details modal', async () => {
    h = await slackHarness();
    const report = largestForm('inappropriate_content');
    const { reference } = await fileReport(h, example(4).reporter, report);
    const result = await h.deliver();
    expect(result.failed).toBe(0);
    expect(h.api.calls.filter((c) => c.refused)).toEqual([]);
    const task = h.api.postedTo(dm('lee-evans'));
    expect(task).toHaveLength(1);
    expect(textOf(task)).toContain((report.urls as string[])[0]);
    expect(h.api.postedTo(dslChannel)).toHaveLength(1);
    // The DSL opens the details: one modal, accepted, with the whole description.
    const card = h.api.postedTo(dslChannel)[0];
    await h.interaction(buttonPress('jo-patel', 'view', buttonOf(card, 'view'), { channel: dslChannel, ts: card!.ts! }));
    const opened = h.api.of('views.open').at(-1);
    expect(opened?.refused).toBeUndefined();
    expect(JSON.stringify(opened?.body.view)).toContain(reference);
  });

  it('a decision reason longer than core keeps is refused next to the field; the modal caps it at the same length', async () => {
    h = await slackHarness();
    const ex = example(2);
    await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const decision = h.api.postedTo(dm('alex-morgan')).find((c) => textOf([c]).includes('Decision needed'));
    await h.interaction(buttonPress('alex-morgan', 'decide', buttonOf(decision, 'decide'), { channel: dm('alex-morgan'), ts: decision!.ts! }));
    const modal = h.api.of('views.open').at(-1)?.body.view as { private_metadata: string };
    expect(JSON.stringify(modal)).toContain('"max_length":2000');
    const state = (reason: string) => ({ choice: { value: { type: 'radio_buttons', selected_option: { value: 'refer_to_lado' } } }, reason: { value: { type: 'plain_text_input', value: reason } } });
    const long = await h.interaction(viewSubmission('alex-morgan', { callback_id: 'decide', private_metadata: modal.private_metadata, state: state(fill(2001)) }));
    expect(long.body).toEqual({ response_action: 'errors', errors: { reason: 'Please keep this under 2,000 characters (it has 2,001).' } });
    const ok = await h.interaction(viewSubmission('alex-morgan', { callback_id: 'decide', private_metadata: modal.private_metadata, state: state(fill(2000)) }));
    expect(ok.body).toBeFalsy();
  });

  it('the fake refuses as Slack does: too much block text, or a block over its limit', async () => {
    h = await slackHarness();
    const post = async (blocks: unknown[]) => {
      const res = await fetch(`${h!.api.url}api/chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test-bot-token' },
        body: JSON.stringify({ channel: dslChannel, text: 't', blocks }),
      });
      return (await res.json()) as { ok: boolean; error?: string };
    };
    const section = (n: number) => ({ type: 'section', text: { type: 'plain_text', text: 'x'.repeat(n) } });
    expect(await post([section(3000), section(3000), section(3000), section(3000), section(1000)])).toEqual({ ok: false, error: 'msg_blocks_too_long' });
    expect(await post([section(3001)])).toEqual({ ok: false, error: 'invalid_blocks' });
    expect((await post([section(3000)])).ok).toBe(true);
  });
});
