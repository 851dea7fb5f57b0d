import { afterEach, describe, expect, it } from 'vitest';
import { cardText, teamsRefusedBytes } from '../support/fake-bot-connector.js';
import { example } from '../support/harness.js';
import { largestForm, seeds } from '../support/largest-inputs.js';
import type { TeamsHarness } from '../support/teams-harness.js';
import { buttonData, checkCardsAndClose, dslThread, fileReport, installedBot, textTo } from './teams-flow.js';

// Sizes, over the wire: the fake Bot Connector refuses an activity over 100 KB of UTF-16
// with HTTP 413, as Teams does.
let h: TeamsHarness;
afterEach(() => checkCardsAndClose(h));

describe('Teams: the largest report the form accepts', () => {
  it('is sent once and accepted: the block task, the DSL thread, and the details in the DSL’s own chat', async () => {
    h = await installedBot(['jo-patel', 'lee-evans', example(4).reporter]);
    const report = largestForm('inappropriate_content', seeds.backslashes);
    const { reference } = await fileReport(h, example(4).reporter, report);
    const result = await h.deliver();
    expect(result.failed).toBe(0);
    expect(h.connector.refused).toEqual([]);
    expect(textTo(h, h.personalChat('lee-evans'))).toContain(`Please block: ${reference}`);
    const thread = dslThread(h, reference);
    await h.post(h.execute('jo-patel', 'view', buttonData(thread.card, 'view'), { conversationId: thread.conversationId }));
    const details = h.connector.sent(h.personalChat('jo-patel'));
    expect(details.length).toBeGreaterThan(0);
    expect(h.connector.refused).toEqual([]);
    for (const call of h.connector.calls) expect(JSON.stringify(call.body).length * 2).toBeLessThanOrEqual(80 * 1024);
    expect(cardText(details.map((d) => d.body))).toContain(reference);
  });

  it('the fake refuses an activity over 100 KB with 413, as Teams does', async () => {
    h = await installedBot([]);
    const res = await fetch(`${h.connector.url}v3/conversations/a:chat/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'x'.repeat(teamsRefusedBytes / 2) }),
    });
    expect(res.status).toBe(413);
    expect(h.connector.refused).toHaveLength(1);
  });
});
