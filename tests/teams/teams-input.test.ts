import { afterEach, describe, expect, it } from 'vitest';
import { cardOf, cardText } from '../support/fake-bot-connector.js';
import { formValues } from '../../src/views/report-forms.js';
import { example } from '../support/harness.js';
import { appId, dslChannel, sample, teamsHarness, type TeamsHarness } from '../support/teams-harness.js';
import { buttonData, checkCardsAndClose, dslThread, fileReport, installedBot, invokeText, lastSent, textTo } from './teams-flow.js';

// Bad input, forged clicks, duplicates and restarts: a clear answer, nothing lost, one effect.
let h: TeamsHarness;
afterEach(() => checkCardsAndClose(h));

const ready = () => installedBot(['jo-patel', 'amy-clarke']);

const reportCount = () => h.app.store.listReportsNotClosed().length;

describe('Teams: requests that are not right', () => {
  it('answers 400 to a body that is not JSON, or not an activity; 404 to other paths; the server keeps running', async () => {
    h = await ready();
    const raw = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message",' });
    expect(raw.status).toBe(400);
    expect((await h.post({ hello: 'world' })).status).toBe(400);
    expect((await h.post({ ...h.message('amy-clarke', 'hi'), serviceUrl: 'not a url' })).status).toBe(400);
    expect((await fetch(h.url, { method: 'GET' })).status).toBe(404);
    const health = await fetch(h.url.replace('api/messages', 'healthz'));
    expect(await health.json()).toMatchObject({ ok: true, channels: { teams: { state: 'running' } } });
  });

  it('a forged or malformed invoke gets a 4xx or a private refusal, and changes nothing', async () => {
    h = await ready();
    const ex = example(1);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const thread = dslThread(h, reference);
    const data = buttonData(thread.card, 'acknowledge');

    const notExecute = h.execute('jo-patel', 'acknowledge', data);
    (notExecute.value as { action: { type: string } }).action.type = 'Action.Submit';
    const bad = await h.post(notExecute);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest' } });

    const otherInvoke = await h.post({ ...h.execute('jo-patel', 'acknowledge', data), name: 'task/fetch' });
    expect(otherInvoke.status).toBe(400);
    expect(otherInvoke.body).toMatchObject({ value: { code: 'NotSupported' } });

    expect(invokeText(await h.post(h.execute('jo-patel', 'delete_everything', data)))).toMatch(/out of date or not one of mine/);
    expect(invokeText(await h.post(h.execute('jo-patel', 'acknowledge', { reportId: 'no-such-report' })))).toBe('I cannot find that report.');
    // A member of staff who is not a DSL, and someone not in the school file at all.
    expect(invokeText(await h.post(h.execute('ben-hughes', 'acknowledge', data)))).toMatch(/Only the people this report was sent to/);
    const stranger = h.execute('jo-patel', 'acknowledge', data);
    stranger.from = { id: '29:1SomeoneElse', name: 'Jo Patel' };
    expect(invokeText(await h.post(stranger))).toMatch(/Only the people this report was sent to/);

    const report = h.app.store.findReportByReference(reference);
    expect(report?.status).toBe('open');
    const refusals = h.app.store.listAudit(report?.id ?? '').filter((e) => e.action === 'action.refused');
    expect(refusals.map((e) => e.actor)).toEqual(['ben-hughes', 'teams:29:1SomeoneElse']);
  });

  it('a form with mistakes comes back as the same card with each message next to its field and the answers kept', async () => {
    h = await ready();
    await h.post(h.message('amy-clarke', 'report'));
    const cardId = lastSent(h, h.personalChat('amy-clarke')).responseId ?? '';
    await h.post(h.submit('amy-clarke', { verb: 'choose_kind', kind: 'friend_request' }, cardId));
    const res = await h.post(h.submit('amy-clarke', { verb: 'submit_report', kind: 'friend_request', platform: 'Instagram', 'occurred.date': '2031-01-01' }, cardId));
    expect(res.status).toBe(200);
    const card = cardOf(h.connector.updates().at(-1)?.body) ?? {};
    const text = cardText(card);
    expect(text).toContain('"value":"Instagram"');
    // The date error sits right after the date input.
    expect(text).toMatch(/"id":"occurred.date"[^}]*"value":"2031-01-01"\}[^{]*\{"type":"TextBlock","text":"[^"]*future/i);
    expect(reportCount()).toBe(0);
  });

  it('a report started in a team channel opens in the 1:1 chat; nothing is posted in the channel', async () => {
    h = await ready();
    const mention = h.channelMessage('amy-clarke', 'report');
    const conversationId = (mention.conversation as { id: string }).id;
    expect((await h.post(mention)).status).toBe(200);
    expect(textTo(h, conversationId)).toBe('');
    expect(cardText(cardOf(lastSent(h, h.personalChat('amy-clarke')).body))).toContain('What is it about?');
    // A form submitted from a channel card (which the bot never posts) is refused, privately.
    await h.post(h.submit('amy-clarke', { verb: 'submit_report', kind: 'something_else', description: 'x' }, '1', conversationId));
    expect(textTo(h, conversationId)).toBe('');
    expect(textTo(h, h.personalChat('amy-clarke'))).toContain('never in a channel');
    expect(reportCount()).toBe(0);
  });

  it('the same activity twice, and a double click on Send, make one report and one reply', async () => {
    h = await ready();
    await h.post(h.message('amy-clarke', 'report'));
    const cardId = lastSent(h, h.personalChat('amy-clarke')).responseId ?? '';
    await h.post(h.submit('amy-clarke', { verb: 'choose_kind', kind: 'something_else' }, cardId));
    const send = h.submit('amy-clarke', { verb: 'submit_report', kind: 'something_else', 'occurred.date': '2026-11-20', description: 'A worry about a pupil online.' }, cardId);
    const [a, b] = await Promise.all([h.post(send), h.post(send)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(h.connector.updates().filter((u) => u.activityId === cardId && cardText(u.body).includes('Report sent'))).toHaveLength(1);
    // A second click on the same card is a new activity: still one report.
    await h.post({ ...send, id: 'another-activity-id' });
    expect(reportCount()).toBe(1);
    await h.deliver();
    await h.deliver();
    // One confirmation: the form became "Report sent"; the queued receipt is not sent again (issue 12).
    expect(h.connector.sent(h.personalChat('amy-clarke')).filter((c) => cardText(c.body).includes('Report received'))).toHaveLength(0);
    expect(h.app.store.listOutbox().filter((o) => o.messageType === 'receipt.submitted' && o.status !== 'sent')).toEqual([]);

    // The same invoke twice: acknowledged once, audited once.
    const ex = example(1);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const thread = dslThread(h, reference);
    const click = h.execute('jo-patel', 'acknowledge', buttonData(thread.card, 'acknowledge'), { conversationId: thread.conversationId, replyToId: thread.rootId });
    expect(invokeText(await h.post(click))).toContain('Acknowledged');
    expect(invokeText(await h.post(click))).toBe('Already done.');
    const again = await h.post({ ...click, id: 'f:second-click' });
    expect(invokeText(again)).toContain('was already acknowledged');
    const id = h.app.store.findReportByReference(reference)?.id ?? '';
    expect(h.app.store.listAudit(id).filter((e) => e.action === 'report.acknowledged')).toHaveLength(1);
  });

  it('an older client clicking Acknowledge (the Action.Submit fallback) acknowledges; the answer goes to their own chat', async () => {
    h = await ready();
    const ex = example(1);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const thread = dslThread(h, reference);
    const actions = thread.card.actions as { verb: string; fallback: { data: Record<string, unknown> } }[];
    const fallback = actions.find((a) => a.verb === 'acknowledge')?.fallback.data ?? {};
    expect(fallback.verb).toBe('acknowledge');
    expect((await h.post(h.submit('jo-patel', fallback, thread.rootId, thread.conversationId))).status).toBe(200);
    expect(textTo(h, h.personalChat('jo-patel'))).toContain(`Acknowledged ${reference}`);
    await h.deliver();
    expect(h.connector.sent(thread.conversationId)).toEqual([]);
    expect(cardText(cardOf(h.connector.updates().find((u) => u.activityId === thread.rootId)?.body))).toContain('Acknowledged by Jo Patel');
  });

  it('every other card the bot sends is valid: welcome, help, my reports, details for the DSL, the ICT technician and the reporter', async () => {
    h = await teamsHarness();
    await h.post(h.installTeam());
    await h.post(h.installPersonal('amy-clarke'));
    expect(cardText(cardOf(lastSent(h, h.personalChat('amy-clarke')).body))).toContain('I take reports of online-safety concerns');
    await h.post(h.message('amy-clarke', 'my reports'));
    expect(cardText(cardOf(lastSent(h, h.personalChat('amy-clarke')).body))).toContain('You have not made any reports.');
    const ex = example(4);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    await h.post(h.message('amy-clarke', 'my reports'));
    expect(cardText(cardOf(lastSent(h, h.personalChat('amy-clarke')).body))).toContain(reference);
    const reportId = h.app.store.findReportByReference(reference)?.id ?? '';
    for (const person of ['jo-patel', 'lee-evans', 'amy-clarke']) {
      const res = await h.post(h.execute(person, 'view', { reportId }));
      expect(invokeText(res)).toBe(`Details of ${reference} are below.`);
    }
    expect(textTo(h, h.personalChat('jo-patel'))).toContain('Reported by');
    const ict = cardText(cardOf(lastSent(h, h.personalChat('lee-evans')).body));
    expect(ict).toContain('https://video.example.com/watch?v=violent123');
    expect(ict).not.toContain('Amy Clarke');
    const own = cardText(cardOf(lastSent(h, h.personalChat('amy-clarke')).body));
    expect(own).toContain(reference);
    expect(own).not.toContain('Rules');
    await h.post(h.message('amy-clarke', 'hello'));
    expect(textTo(h, h.personalChat('amy-clarke'))).toContain('**my reports**');
    await h.post(h.message('amy-clarke', 'whoami'));
    expect(lastSent(h, h.personalChat('amy-clarke')).body.text).toBe('Your Teams id: 29:1AmyClarke');
  });

  it('typed text is escaped for Teams markdown in every card', async () => {
    h = await ready();
    const ex = example(1);
    const report = { ...ex.report, platform: '**Insta** [click](https://evil.example) <at>Jo</at>' };
    const { reference } = await fileReport(h, ex.reporter, report);
    await h.deliver();
    const thread = dslThread(h, reference);
    await h.post(h.execute('jo-patel', 'view', buttonData(thread.card, 'view'), { conversationId: thread.conversationId }));
    const details = JSON.stringify(h.connector.sent(h.personalChat('jo-patel')).map((c) => cardOf(c.body)));
    // Only Markdown syntax is escaped: "[click]" cannot become a link, so "(…)" needs no backslash.
    expect(details).toContain('\\\\*\\\\*Insta\\\\*\\\\* \\\\[click\\\\](https://evil.example) \\\\<at\\\\>Jo\\\\</at\\\\>');
    expect(details).not.toContain('**Insta**');
  });

  it('when the Bot Connector fails, the report is kept, the retried activity finds it, and queued messages wait', async () => {
    h = await ready();
    const ex = example(2);
    const chat = h.personalChat(ex.reporter);
    await h.post(h.installPersonal(ex.reporter));
    await h.post(h.message(ex.reporter, 'report'));
    const cardId = lastSent(h, chat).responseId ?? '';
    await h.post(h.submit(ex.reporter, { verb: 'choose_kind', kind: 'staff_conduct' }, cardId));
    // 501: refused at once (the connector client retries 5xx outages itself before our outbox does).
    h.connector.failNext = { status: 501, times: 1000 };
    const send = h.submit(ex.reporter, { verb: 'submit_report', kind: 'staff_conduct', ...formValues('staff_conduct', ex.report) }, cardId);
    const failed = await h.post(send);
    // Stored, so answered 200 (not 500): the receipt with the reference follows from the outbox.
    expect(failed.status).toBe(200);
    expect(JSON.stringify(failed.body ?? {})).not.toMatch(/Chris|Doyle|pupils/);
    // Stored before any reply was attempted.
    expect(reportCount()).toBe(1);
    expect((await h.deliver()).sent).toBe(0);
    expect(h.app.store.listOutbox().filter((o) => o.status === 'pending').length).toBeGreaterThan(0);

    h.connector.failNext = undefined;
    // Answered 200, Teams does not retry; a retry anyway (same activity) makes no second report.
    expect((await h.post(send)).status).toBe(200);
    expect(reportCount()).toBe(1);
    h.clock.advanceMinutes(5);
    await h.deliver();
    expect(textTo(h, h.personalChat('alex-morgan'))).toContain('Decision needed');
    expect(textTo(h, chat)).toContain('Report received: SG-2026-0001');
    expect(h.app.store.listOutbox().filter((o) => o.status !== 'sent')).toEqual([]);
  });

  it('conversation references survive a restart: escalations reach people who never wrote to the bot', async () => {
    h = await ready();
    const ex = example(5);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const thread = dslThread(h, reference);
    await h.restart();
    h.connector.clear();
    h.clock.advanceMinutes(120);
    h.app.workflow.tick();
    await h.deliver();
    // The headteacher never messaged the bot: the chat is opened from the stored service address.
    expect(h.connector.created().map((c) => JSON.stringify(c.body.members))).toContain(JSON.stringify([{ id: '29:1AlexMorgan', name: '' }]));
    expect(textTo(h, h.personalChat('alex-morgan'))).toContain(`Escalated: ${reference}`);
    expect(textTo(h, thread.conversationId)).toContain(`Escalated: ${reference}`);
  });

  it('with MICROSOFT_APP_ID set, only activities with a valid Bot Framework token are accepted (401 otherwise)', async () => {
    h = await teamsHarness({ authenticated: true });
    const install = h.installTeam();
    const good = h.connector.token({ aud: appId, serviceurl: install.serviceUrl });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await h.post(install)).status).toBe(401);
    expect((await h.post(install, bearer('not.a.jwt'))).status).toBe(401);
    expect((await h.post(install, bearer(h.connector.token({ aud: appId, serviceurl: install.serviceUrl }, { forged: true })))).status).toBe(401);
    expect((await h.post(install, bearer(h.connector.token({ aud: 'another-bot', serviceurl: install.serviceUrl })))).status).toBe(401);
    expect((await h.post(install, bearer(h.connector.token({ aud: appId, serviceurl: 'https://elsewhere.example/' })))).status).toBe(401);
    expect((await h.post(install, bearer(h.connector.token({ aud: appId, serviceurl: install.serviceUrl, exp: 1_000_000 })))).status).toBe(401);
    expect(h.connector.calls).toEqual([]);
    // The real token: accepted, and the DSL channel's reference is stored.
    expect((await h.post(install, bearer(good))).status).toBe(200);
    const db = h.app.store.db;
    expect(db.prepare("SELECT key FROM conversation_refs WHERE channel = 'teams' ORDER BY key").all()).toEqual([{ key: `channel:${dslChannel}` }, { key: 'service' }]);
  });

  it('the samples the payloads are built on are the real shapes', () => {
    expect(sample('teams-invoke-adaptive-card-action.json').payload).toMatchObject({ type: 'invoke', name: 'adaptiveCard/action' });
    expect(sample('teams-action-submit.json').payload).toMatchObject({ type: 'message', value: { action: 'approveExpense' } });
    expect(dslChannel).toBe('19:dsl@thread.tacv2');
  });
});
