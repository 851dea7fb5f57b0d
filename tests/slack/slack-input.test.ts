import { afterEach, describe, expect, it, vi } from 'vitest';
import { example } from '../support/harness.js';
import { sign, slackHarness, slackId, slackSample, type SlackHarness } from '../support/slack-harness.js';
import { buttonOf, buttonPress, fileReport, formState, textOf, viewSubmission } from './slack-flow.js';

// Bad signatures, retries, double submissions, a public DSL channel, typed mrkdwn,
// App Home: one effect, nothing lost, nothing leaked.
let h: SlackHarness;
afterEach(async () => h?.close());

const dslChannel = 'C0DSLPRIV01';
const dm = (person: string) => `D${slackId(person)}`;

describe('Slack: requests that are not right', () => {
  it('refuses a bad or stale signature with 401 and changes nothing', async () => {
    h = await slackHarness();
    const body = new URLSearchParams({ ...(slackSample('slash-command.json').form_fields as Record<string, string>), command: '/report', user_id: slackId('amy-clarke') }).toString();
    const now = Math.floor(Date.now() / 1000);
    expect((await h.post(body, 'application/x-www-form-urlencoded', sign(body, now, 'another-secret'))).status).toBe(401);
    expect((await h.post(body, 'application/x-www-form-urlencoded', sign(body, now - 6 * 60))).status).toBe(401);
    expect((await h.post(`${body}&text=tampered`, 'application/x-www-form-urlencoded', sign(body, now))).status).toBe(401);
    expect((await h.post(body, 'application/x-www-form-urlencoded', {})).status).toBe(401);
    expect(h.api.of('views.open')).toEqual([]);
    // The same request, signed properly, opens the modal.
    expect((await h.post(body, 'application/x-www-form-urlencoded', sign(body, now))).status).toBe(200);
    expect(h.api.of('views.open')).toHaveLength(1);
  });

  it('a form with mistakes stays open with each message next to its field', async () => {
    h = await slackHarness();
    const ex = example(1);
    const res = await h.interaction(
      viewSubmission(ex.reporter, {
        callback_id: 'report_form',
        private_metadata: JSON.stringify({ kind: 'friend_request' }),
        state: formState('friend_request', { ...ex.report, platform: undefined, occurred: { date: '2031-01-01' } }),
      }),
    );
    const body = res.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual(['occurred.date', 'platform']);
    expect(body.errors['occurred.date']).toMatch(/future/i);
    expect(h.app.store.listReportsNotClosed()).toEqual([]);
  });

  it('the same view submitted twice (a double click or a retry) is one report; a retried event is handled once', async () => {
    h = await slackHarness();
    const ex = example(1);
    const submission = viewSubmission(ex.reporter, { id: 'V0SAME', callback_id: 'report_form', private_metadata: JSON.stringify({ kind: 'friend_request' }), state: formState('friend_request', ex.report) });
    await Promise.all([h.interaction(submission), h.interaction(submission)]);
    await h.interaction(submission);
    expect(h.app.store.listReportsNotClosed()).toHaveLength(1);

    const event = structuredClone(slackSample('app-home-opened-event.json').payload as Record<string, unknown>);
    (event.event as Record<string, unknown>).user = slackId('jo-patel');
    expect((await h.event(event)).status).toBe(200);
    expect((await h.event(event, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    // App Home is drawn and published just after the event is answered (nothing waits behind it).
    await vi.waitFor(() => expect(h.api.of('views.publish')).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 50)); // the retry is never drawn a second time
    expect(h.api.of('views.publish')).toHaveLength(1);
    // The DSL's App Home: the open queue with the next deadline.
    const home = JSON.stringify(h.api.of('views.publish')[0]?.body.view);
    expect(home).toContain('Open cases: 1 yours, 0 overdue');
    expect(home).toMatch(/SG-2026-0001: Yours.*Waiting for acknowledgement.*Next deadline: Mon, 23 Nov 2026, 10:30/);
  });

  it("staff see only their own reports' statuses in App Home (G6)", async () => {
    h = await slackHarness();
    const ex = example(1);
    await fileReport(h, ex.reporter, ex.report);
    const event = structuredClone(slackSample('app-home-opened-event.json').payload as Record<string, unknown>);
    (event.event as Record<string, unknown>).user = slackId(ex.reporter);
    event.event_id = 'Ev0STAFF';
    await h.event(event);
    await vi.waitFor(() => expect(h.api.of('views.publish')).toHaveLength(1));
    const home = JSON.stringify(h.api.of('views.publish').at(-1)?.body.view);
    expect(home).toContain('Your reports');
    expect(home).toContain('SG-2026-0001');
    expect(home).not.toContain('Open cases');
    expect(home).not.toMatch(/Jo Patel|Instagram/);
  });

  it('refuses to post into a public DSL channel: the report is kept and the DSL and deputies get it by DM with a warning', async () => {
    h = await slackHarness();
    h.api.publicChannels.add(dslChannel);
    const ex = example(1);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    expect(h.api.postedTo(dslChannel)).toEqual([]);
    for (const person of ['jo-patel', 'sam-okafor']) {
      const text = textOf(h.api.postedTo(dm(person)));
      expect(text).toContain('public');
      expect(text).toContain(`New report: ${reference}`);
    }
    // Acknowledging from the DM works and updates the DM cards.
    const card = h.api.postedTo(dm('jo-patel')).find((c) => textOf([c]).includes('New report'));
    await h.interaction(buttonPress('jo-patel', 'acknowledge', buttonOf(card, 'acknowledge'), { channel: dm('jo-patel'), ts: card!.ts! }));
    await h.deliver();
    expect(textOf(h.api.of('chat.update'))).toContain('Acknowledged by Jo Patel');
    expect(h.app.store.findReportByReference(reference)?.status).toBe('acknowledged');
  });

  it('escapes typed text: no @channel, <!here>, user mentions or links get through', async () => {
    h = await slackHarness();
    const ex = example(2);
    const evil = '<!channel> <!here> @channel <@U0HEAD00001> <https://evil.example|click me> *bold*';
    const { reference } = await fileReport(h, ex.reporter, { ...ex.report, platform: evil, description: evil });
    await h.deliver();
    const decision = h.api.postedTo(dm('alex-morgan')).find((c) => textOf([c]).includes('Decision needed'));
    await h.interaction(buttonPress('alex-morgan', 'view', buttonOf(decision, 'view'), { channel: dm('alex-morgan'), ts: decision!.ts! }));
    const details = JSON.stringify(h.api.of('views.open').at(-1)?.body.view);
    expect(details).toContain(reference);
    expect(details).toContain('&lt;!channel&gt;');
    expect(details).not.toMatch(/<!channel>|<!here>|<@U0HEAD00001>|<https:\/\/evil/);
    expect(details).toContain('@\u200bchannel');
  });

  it('a Slack outage delays messages and loses none', async () => {
    h = await slackHarness();
    const ex = example(1);
    expect((await h.command(ex.reporter)).status).toBe(200); // Slack was up when the form opened
    await h.api.stop();
    const sent = await h.interaction(viewSubmission(ex.reporter, { callback_id: 'report_form', private_metadata: JSON.stringify({ kind: 'friend_request' }), state: formState('friend_request', ex.report) }));
    expect(sent.status).toBe(200); // stored, and the modal closes, while Slack's Web API is down
    const down = await h.deliver();
    expect(down.sent).toBe(0);
    expect(h.app.store.listOutbox().filter((o) => o.status === 'pending').length).toBeGreaterThan(0);
    await h.api.start(h.api.port);
    h.clock.advanceMinutes(5);
    await h.deliver();
    expect(h.app.store.listOutbox().filter((o) => o.status !== 'sent')).toEqual([]);
    expect(textOf(h.api.postedTo(dslChannel))).toContain('New report: SG-2026-0001');
  });
});
