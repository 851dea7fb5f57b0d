import { afterEach, describe, expect, it } from 'vitest';
import { cardOf, cardText } from '../support/fake-bot-connector.js';
import { example, tinyPng } from '../support/harness.js';
import { dslChannel, teamsId, type TeamsHarness } from '../support/teams-harness.js';
import { buttonData, checkCardsAndClose, dslThread, dslThreads, fileReport, installedBot, invokeText, lastSent, textTo } from './teams-flow.js';

// The seven worked examples of escalation-rules.md, end to end through Teams: activities
// POSTed to the real botbuilder adapter at /api/messages, replies and proactive messages
// to a fake Bot Connector on loopback, real SQLite, fake clock.
let h: TeamsHarness;
// Every card the bot sent or updated is valid Adaptive Card 1.5.
afterEach(() => checkCardsAndClose(h));

// Installed in the DSL team, and for the staff who use it.
const ready = () => installedBot(['jo-patel', 'amy-clarke', 'ben-hughes', 'chris-doyle', 'dana-frost']);

const chat = (person: string) => h.personalChat(person);
const createdWith = (person: string) => h.connector.created().filter((c) => JSON.stringify(c.body.members ?? []).includes(teamsId(person)));

describe('worked examples through Teams', () => {
  it('1: a pupil friend request → DSL channel card with Acknowledge; headteacher told; the teacher gets the reference', async () => {
    h = await ready();
    const ex = example(1);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    expect(reference).toBe('SG-2026-0001');
    await h.deliver();
    const thread = dslThread(h, reference);
    expect(cardText(thread.card)).toContain('Acknowledge');
    // The channel card has the minimum: no pupil name, no staff name, no platform.
    expect(cardText(thread.card)).not.toMatch(/Instagram|Ben Hughes|Year 9/);
    // The headteacher, who never wrote to the bot, gets a 1:1 chat opened for the notice.
    expect(createdWith('alex-morgan')).toHaveLength(1);
    expect(textTo(h, chat('alex-morgan'))).toContain(`For information: report ${reference}`);
    // One confirmation: the form itself became "Report sent"; no second "Report received" card.
    expect(textTo(h, chat(ex.reporter))).toContain(`Report sent: ${reference}`);
    expect(textTo(h, chat(ex.reporter))).not.toContain('Report received');

    // The DSL acknowledges in the channel (Action.Execute); the card updates for everyone.
    const res = await h.post(h.execute('jo-patel', 'acknowledge', buttonData(thread.card, 'acknowledge'), { conversationId: thread.conversationId, replyToId: thread.rootId }));
    expect(invokeText(res)).toContain(`Acknowledged ${reference}`);
    await h.deliver();
    const update = h.connector.updates().find((u) => u.activityId === thread.rootId);
    expect(cardText(cardOf(update?.body))).toContain('Acknowledged by Jo Patel at');
    expect(cardText(cardOf(update?.body))).not.toContain('"verb":"acknowledge"');
    expect(textTo(h, chat(ex.reporter))).toContain(`Your report ${reference} has been acknowledged`);
  });

  it('2: a colleague follows pupils → headteacher DM with the choices and a required reason; nothing in the channel', async () => {
    h = await ready();
    const ex = example(2);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    expect(dslThreads(h)).toEqual([]);
    const decision = lastSent(h, chat('alex-morgan'));
    const card = cardOf(decision.body);
    expect(cardText(card)).toContain(`Decision needed: ${reference}`);
    expect(cardText(card)).toMatch(/refer_to_lado/);
    expect(cardText(card)).toMatch(/"id":"reason","label":"Reason","isMultiline":true,"isRequired":true/);
    // The colleague named in the report is never contacted.
    expect(createdWith('chris-doyle')).toEqual([]);
    expect(textTo(h, chat('chris-doyle'))).toBe('');

    const data = buttonData(card, 'decide');
    // A blank reason is refused next to its field: the invoke answers with the card again (decision-refusal.test.ts).
    const blank = await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'refer_to_lado', reason: '   ' }, { replyToId: decision.responseId ?? '' }));
    expect((blank.body as { type?: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText((blank.body as { value?: unknown }).value)).toContain('Please give the reason for your decision.');
    const ok = await h.post(h.execute('alex-morgan', 'decide', { ...data, choice: 'refer_to_lado', reason: 'Contact with pupils outside school.' }, { replyToId: decision.responseId ?? '' }));
    expect(invokeText(ok)).toBe(`Decision recorded for ${reference}.`);
    await h.deliver();
    const update = h.connector.updates().find((u) => u.activityId === decision.responseId);
    expect(cardText(cardOf(update?.body))).toContain('decided by Alex Morgan');
  });

  it('3: the headteacher posted about a pupil → the chair decides; the headteacher gets nothing and is refused', async () => {
    h = await ready();
    const ex = example(3);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    expect(textTo(h, chat('priya-shah'))).toContain(`Decision needed: ${reference}`);
    expect(createdWith('alex-morgan')).toEqual([]);
    expect(dslThreads(h)).toEqual([]);
    const card = cardOf(lastSent(h, chat('priya-shah')).body);
    const data = buttonData(card, 'decide');
    // A forged click by the headteacher: refused privately, and audited.
    const forged = await h.post(h.execute('alex-morgan', 'view', { reportId: data.reportId }));
    expect(invokeText(forged)).toMatch(/Only the people this report was sent to/);
    const refused = h.app.store.listAudit(String(data.reportId)).filter((e) => e.action === 'action.refused');
    expect(refused.map((e) => e.actor)).toEqual(['alex-morgan']);
  });

  it('4: a violent video → DSL owns it; the ICT technician gets a 1:1 block task with Mark blocked; details only privately', async () => {
    h = await ready();
    const ex = example(4);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const thread = dslThread(h, reference);
    const task = lastSent(h, chat('lee-evans'));
    const taskCard = cardOf(task.body);
    expect(cardText(taskCard)).toContain('Mark blocked');
    expect(cardText(taskCard)).toContain('https://video.example.com/watch?v=violent123');
    h.clock.advanceMinutes(12);
    const done = await h.post(h.execute('lee-evans', 'complete_task', { ...buttonData(taskCard, 'complete_task'), action: 'Blocked the domain on the web filter' }, { replyToId: task.responseId ?? '' }));
    expect(invokeText(done)).toContain(`Marked as blocked: ${reference}`);
    await h.deliver();
    expect(cardText(cardOf(h.connector.updates().find((u) => u.activityId === task.responseId)?.body))).toContain('Blocked by Lee Evans at');
    // The DSL thread hears about it as a reply; its Acknowledge card is left as it was.
    expect(textTo(h, thread.conversationId)).toContain('Blocked by Lee Evans');
    expect(h.connector.updates().filter((u) => u.activityId === thread.rootId)).toEqual([]);

    // View details from the channel: sent to the DSL's own chat, never to the channel.
    h.connector.clear();
    const view = await h.post(h.execute('jo-patel', 'view', buttonData(thread.card, 'view'), { conversationId: thread.conversationId, replyToId: thread.rootId }));
    expect(invokeText(view)).toBe('The details are in your chat with me.');
    expect(textTo(h, thread.conversationId)).toBe('');
    const details = textTo(h, chat('jo-patel'));
    expect(details).toContain('Blocked the domain on the web filter');
    expect(details).toContain('Amy Clarke');
  });

  it('5: cyberbullying with screenshots; not acknowledged in 30 working minutes → deputies reminded; 2 hours → headteacher', async () => {
    h = await ready();
    const ex = example(5);
    const { reference, cardId } = await fileReport(h, ex.reporter, ex.report);
    const prompt = cardText(cardOf(h.connector.updates().at(-1)?.body));
    expect(prompt).toContain('Now send the screenshots here');
    // Two screenshots: one sent as a file (OneDrive link), one pasted (needs the bot's token).
    h.connector.files.set('shot-1.png', { bytes: tinyPng, contentType: 'image/png' });
    h.connector.files.set('pasted', { bytes: Buffer.concat([tinyPng, Buffer.from('x')]), contentType: 'image/png' });
    const upload = h.message(ex.reporter, '', {
      text: undefined,
      attachments: [
        { contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'shot-1.png', contentUrl: 'https://contoso.sharepoint.com/x', content: { downloadUrl: `${h.connector.url}files/shot-1.png`, fileType: 'png' } },
        { contentType: 'image/*', contentUrl: `${h.connector.url}files/pasted` },
        { contentType: 'text/html', content: '<p><img src="x"></p>' },
      ],
    });
    expect((await h.post(upload)).status).toBe(200);
    expect(textTo(h, chat(ex.reporter))).toContain(`Added 2 screenshots to ${reference}: 2 attached in all.`);
    expect(cardText(cardOf(h.connector.updates().at(-1)?.body))).toMatch(/Screenshots attached","value":"2"/);
    expect(h.connector.updates().at(-1)?.activityId).toBe(cardId);

    await h.deliver();
    const thread = dslThread(h, reference);
    h.connector.clear();
    h.clock.advanceMinutes(30);
    h.app.workflow.tick();
    await h.deliver();
    expect(textTo(h, thread.conversationId)).toContain(`Reminder: ${reference} is waiting to be acknowledged`);
    expect(textTo(h, chat('sam-okafor'))).toContain('Reminder');
    h.clock.advanceMinutes(90);
    h.app.workflow.tick();
    await h.deliver();
    expect(textTo(h, chat('alex-morgan'))).toContain(`Escalated: ${reference} has not been acknowledged`);
    // The headteacher acknowledges from the DM; every card about it updates.
    const esc = lastSent(h, chat('alex-morgan'));
    const ack = await h.post(h.execute('alex-morgan', 'acknowledge', buttonData(cardOf(esc.body), 'acknowledge'), { replyToId: esc.responseId ?? '' }));
    expect(invokeText(ack)).toContain('Acknowledged');
    await h.deliver();
    const updated = h.connector.updates().map((u) => u.activityId);
    expect(updated).toEqual(expect.arrayContaining([thread.rootId, esc.responseId]));
  });

  it('6: nude images → no upload, the do-not-view guidance, an urgent DSL alert; attachments refused without being fetched', async () => {
    h = await ready();
    const ex = example(6);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    const form = h.connector.updates().at(-2);
    expect(cardText(cardOf(form?.body))).toContain('Do not view, copy, screenshot, forward');
    const sent = cardText(cardOf(h.connector.updates().at(-1)?.body));
    expect(sent).toContain('Report Remove');
    expect(sent).not.toContain('send the screenshots');
    await h.deliver();
    expect(cardText(dslThread(h, reference).card)).toContain('URGENT');
    expect(textTo(h, chat('jo-patel'))).toContain(`Decision needed: ${reference}`);

    h.connector.files.set('img', { bytes: tinyPng, contentType: 'image/png' });
    await h.post(h.message(ex.reporter, '', { text: undefined, attachments: [{ contentType: 'image/*', contentUrl: `${h.connector.url}files/img` }] }));
    expect(textTo(h, chat(ex.reporter))).toContain('This kind of report takes no files. Do not view, copy');
    expect(h.connector.downloads()).toEqual([]);
  });

  it("7: a report about the DSL's own conduct → the headteacher owns it; the DSL channel shows nothing; the DSL is refused", async () => {
    h = await ready();
    const ex = example(7);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    expect(textTo(h, chat('alex-morgan'))).toContain(reference);
    expect(dslThreads(h)).toEqual([]);
    expect(textTo(h, chat('jo-patel'))).toBe('');
    const card = h.connector.sent(chat('alex-morgan')).map((c) => cardOf(c.body)).find((c) => cardText(c).includes('"verb":"acknowledge"'));
    const forged = await h.post(h.execute('jo-patel', 'acknowledge', buttonData(card, 'acknowledge')));
    expect(invokeText(forged)).toMatch(/Only the people this report was sent to/);
    expect(textTo(h, dslChannel)).toBe('');
  });
});
