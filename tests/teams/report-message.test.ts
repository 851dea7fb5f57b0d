import { afterEach, describe, expect, it } from 'vitest';
import { messageMediaType } from '../../src/core/message-evidence.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { cardText } from '../support/fake-bot-connector.js';
import { tinyPng } from '../support/harness.js';
import { botId, sample, teamsId, tenantId, type TeamsHarness } from '../support/teams-harness.js';
import { buttonData, checkCardsAndClose, dslThread, dslThreads, installedBot, lastSent, textTo } from './teams-flow.js';

// "Report to safeguarding" on a Teams message (issue 13): the composeExtension/fetchTask
// and composeExtension/submitAction invokes (tests/fixtures/platform-samples/
// teams-message-action-*.json) POSTed to the real botbuilder adapter at /api/messages.
type Json = Record<string, unknown>;
let h: TeamsHarness;
afterEach(async () => {
  where = undefined;
  await checkCardsAndClose(h);
});

const classChannel = '19:class-8b-general@thread.tacv2';
const sourceConversation = `${classChannel};messageid=1763900000123`;

/** Where the reported message is: a channel of a class team (the samples), or a group chat. */
type Where = { conversation: Json; channelData?: Json };
let where: Where | undefined;

function invoke(name: 'fetchTask' | 'submitAction', reporter: string, message: Json, data?: Json): Json {
  const s = structuredClone(sample(`teams-message-action-${name === 'fetchTask' ? 'fetch-task' : 'submit-action'}.json`).payload as Json);
  const value = s.value as Json;
  return {
    ...s,
    id: `f:${name}-${Math.random().toString(36).slice(2)}`,
    serviceUrl: h.connector.url,
    from: { id: teamsId(reporter), name: reporter },
    conversation: { ...(s.conversation as Json), id: sourceConversation },
    ...where,
    value: { ...value, messagePayload: { ...(value.messagePayload as Json), ...message }, ...(data ? { data } : { data: undefined }) },
  };
}

/** The dialog's card from an invoke answer (task/continue). */
function dialogCard(res: { status: number; body: unknown }): Json {
  expect(res.status).toBe(200);
  const task = (res.body as { task?: { type: string; value: { card: { content: Json } } } }).task;
  expect(task?.type).toBe('continue');
  const card = task?.value.card.content ?? {};
  expect(cardProblems(card)).toEqual([]);
  return card;
}

/** The inputs of a card and their values (what Teams sends back when nothing is changed). */
function inputs(card: unknown, out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(card)) for (const c of card) inputs(c, out);
  else if (card && typeof card === 'object') {
    const o = card as Json;
    if (typeof o.type === 'string' && o.type.startsWith('Input.') && typeof o.id === 'string') out[o.id] = typeof o.value === 'string' ? o.value : '';
    for (const v of Object.values(o)) if (v && typeof v === 'object') inputs(v, out);
  }
  return out;
}

/** fetchTask → kind → form (prefilled) → send; returns the last dialog card and the reference. */
async function reportMessage(reporter: string, message: Json, kind: string, answers: Record<string, string>): Promise<{ form: Json; sent: Json; reference: string }> {
  const kindCard = dialogCard(await h.post(invoke('fetchTask', reporter, message)));
  expect(cardText(kindCard)).toContain('What is it about?');
  // Teams sends each Action.Submit's data with the card's inputs merged in.
  const dataOf = (card: Json) => ((card.actions as { data?: Json }[] | undefined)?.[0]?.data ?? {});
  const form = dialogCard(await h.post(invoke('submitAction', reporter, message, { ...dataOf(kindCard), kind })));
  const values = { ...inputs(form), ...answers };
  const sent = dialogCard(await h.post(invoke('submitAction', reporter, message, { ...dataOf(form), ...values })));
  const reference = /Report sent: (SG-\d{4}-\d{4})/.exec(cardText(sent))?.[1] ?? '';
  if (!reference) throw new Error(`not sent: ${cardText(sent)}`);
  return { form, sent, reference };
}

const report = (reference: string) => {
  const r = h.app.store.findReportByReference(reference);
  if (!r) throw new Error(`no report ${reference}`);
  return r;
};
const auditOf = (reference: string, action: string) => h.app.store.listAudit(report(reference).id).find((e) => e.action === action);

describe('Report this message in Teams', () => {
  it('worked example 2 from a message: a colleague\'s post → the headteacher decides; the colleague is the subject, told nothing, cannot view', async () => {
    h = await installedBot(['ben-hughes', 'alex-morgan', 'chris-doyle', 'jo-patel']);
    const message = {
      id: '1763900000200',
      createdDateTime: '2026-11-23T08:30:00.000Z',
      from: { user: { id: teamsId('chris-doyle'), displayName: 'Chris Doyle', userIdentityType: 'aadUser' } },
      body: { contentType: 'html', content: '<p>Just followed a few of my Year 9s on <b>TikTok</b> &amp; they followed back!</p>' },
    };
    const { form, sent, reference } = await reportMessage('ben-hughes', message, 'staff_conduct', { description: 'A colleague follows pupils on TikTok.', involvesPupils: 'true' });
    // The form was prefilled from the message: the author picked from the staff list, the date and time it was posted.
    expect(inputs(form)).toMatchObject({ 'staffMember.personId': 'chris-doyle', 'occurred.date': '2026-11-23', 'occurred.time': '08:30' });
    expect(cardText(form)).toContain('Reporting the message from Chris Doyle');
    expect(cardText(sent)).toContain('Nothing was posted in this conversation');

    await h.deliver();
    expect(textTo(h, h.personalChat('alex-morgan'))).toContain(`Decision needed: ${reference}`);
    expect(dslThreads(h)).toEqual([]);
    // G1: the author is a subject: never contacted, and refused the report.
    expect(textTo(h, h.personalChat('chris-doyle'))).toBe('');
    expect(report(reference).routing.subjects).toContain('chris-doyle');
    expect(() => h.app.workflow.view({ reportId: report(reference).id, actorId: 'chris-doyle' })).toThrow();
    // Nothing is ever posted in the conversation the message came from.
    expect(h.connector.calls.filter((c) => c.conversationId?.startsWith(classChannel))).toEqual([]);
    expect(textTo(h, h.personalChat('ben-hughes'))).toContain(`Report received: ${reference}`);

    // The message is evidence (a sealed file, hashed) and its report is audited with the hash.
    const evidence = h.app.store.listEvidence(report(reference).id);
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ mediaType: messageMediaType, postedAt: '2026-11-23T08:30' });
    const entry = auditOf(reference, 'message.reported');
    expect(entry?.actor).toBe('ben-hughes');
    expect(entry?.details).toMatchObject({ platform: 'teams', messageId: '1763900000200', kept: 'message', messageSha256: evidence[0]?.sha256 });
    // The audit log keeps ids and hashes, never the text or the author's name.
    expect(JSON.stringify(h.app.store.listAudit(report(reference).id))).not.toMatch(/TikTok|Chris Doyle|Year 9/);
    const kept = JSON.parse((await new DiskEvidenceFiles(h.app.config.evidenceDir, h.app.store.keys).read(evidence[0]?.sha256 ?? '')).toString('utf8')) as Json;
    expect(kept).toMatchObject({ platform: 'teams', author: { personId: 'chris-doyle', name: 'Chris Doyle' }, contentType: 'html' });
    expect(kept.plainText).toBe('Just followed a few of my Year 9s on TikTok & they followed back!');
  });

  it("a pupil's bullying message in a class team, with a pasted image → the DSL owns it; the image is fetched from the Bot Connector and kept", async () => {
    h = await installedBot(['amy-clarke', 'jo-patel']);
    h.connector.files.set('pasted-1', { bytes: tinyPng, contentType: 'image/png' });
    const message = {
      id: '1763900000300',
      createdDateTime: '2026-11-23T09:15:00.000Z',
      from: { user: { id: '00000000-0000-4000-8000-0000000000c9', displayName: 'Harry Brown', userIdentityType: 'aadUser' } },
      body: { contentType: 'html', content: '<p>nobody wants you in this class, just leave</p>' },
      attachments: [{ id: 'pasted-1', contentType: 'image/*', contentUrl: `${h.connector.url}files/pasted-1`, name: 'image.png' }],
    };
    const { form, reference } = await reportMessage('amy-clarke', message, 'cyberbullying', {
      'target.type': 'pupil',
      'target.name': 'Mia Jones',
      'responsible.type': 'pupil',
      description: 'Posted in the class team under Mia\'s homework.',
    });
    expect(inputs(form)).toMatchObject({ 'responsible.name': 'Harry Brown', platform: 'Microsoft Teams', 'occurred.date': '2026-11-23', 'occurred.time': '09:15' });
    await h.deliver();
    expect(dslThreads(h).map((c) => cardText(c.body)).join('\n')).toContain(reference);
    expect(report(reference).routing.rules).toContain('R1');
    const evidence = h.app.store.listEvidence(report(reference).id);
    expect(evidence.map((e) => e.mediaType).sort()).toEqual([messageMediaType, 'image/png'].sort());
    // Fetched from the Bot Connector that sent the invoke (with the bot's token when it has one: see teams-token.test.ts).
    expect(h.connector.downloads().filter((c) => c.path === '/files/pasted-1')).toHaveLength(1);
    expect(auditOf(reference, 'message.reported')?.details).toMatchObject({ kept: 'message', evidenceSha256: [evidence.find((e) => e.mediaType === 'image/png')?.sha256] });
    expect(h.connector.calls.filter((c) => c.conversationId?.startsWith(classChannel))).toEqual([]);
    expect(cardText(lastSent(h, h.personalChat('amy-clarke')).body)).toContain(reference);
    // The DSL reads the message itself in the report's details (View details, sent to their own chat).
    const thread = dslThread(h, reference);
    await h.post(h.execute('jo-patel', 'view', buttonData(thread.card, 'view'), { conversationId: thread.conversationId, replyToId: thread.rootId }));
    const details = textTo(h, h.personalChat('jo-patel'));
    expect(details).toContain('Teams message from Harry Brown, posted Mon, 23 Nov 2026, 09:15, with 1 attachment');
    expect(details).toContain('nobody wants you in this class, just leave');
  });

  it('nude images: nothing of the message is fetched or stored, only its link and time; the guidance is shown; the DSL is alerted as urgent', async () => {
    h = await installedBot(['amy-clarke', 'jo-patel']);
    h.connector.files.set('pasted-2', { bytes: tinyPng, contentType: 'image/png', needsToken: true });
    const message = {
      id: '1763900000400',
      createdDateTime: '2026-11-23T09:40:00.000Z',
      from: { user: { id: '00000000-0000-4000-8000-0000000000d1', displayName: 'Harry Brown', userIdentityType: 'aadUser' } },
      body: { contentType: 'html', content: '<p>look at this</p><img src="' + `${h.connector.url}files/pasted-2` + '">' },
      attachments: [{ id: 'pasted-2', contentType: 'image/*', contentUrl: `${h.connector.url}files/pasted-2`, name: 'image.png' }],
    };
    const { form, sent, reference } = await reportMessage('amy-clarke', message, 'nude_images', {
      'pupil.name': 'Mia Jones',
      'pupil.yearGroup': 'Year 10',
      description: 'Shared in the class team chat.',
    });
    expect(cardText(form)).toContain('Do not view, copy, screenshot');
    expect(cardText(form)).toContain('nothing of the message is kept or fetched');
    expect(inputs(form)).not.toHaveProperty('evidence');
    expect(cardText(sent)).toContain('Tell the DSL in person now');
    expect(h.connector.downloads()).toEqual([]);
    expect(h.app.store.listEvidence(report(reference).id)).toEqual([]);
    expect(report(reference).urgent).toBe(true);
    const details = auditOf(reference, 'message.reported')?.details ?? {};
    expect(details).toMatchObject({ kept: 'reference_only', postedAt: '2026-11-23T09:40:00.000Z', link: expect.stringContaining('teams.microsoft.com') });
    expect(details).not.toHaveProperty('messageSha256');
    expect(JSON.stringify(report(reference).form)).not.toMatch(/look at this/);
    await h.deliver();
    expect(dslThreads(h).map((c) => cardText(c.body)).join('\n')).toContain(reference);
    expect(h.connector.calls.filter((c) => c.conversationId?.startsWith(classChannel))).toEqual([]);
  });

  it('the same dialog sent twice (a double click) is one report; a second report of the message is another', async () => {
    h = await installedBot(['amy-clarke', 'jo-patel']);
    const message = { id: '1763900000500', createdDateTime: '2026-11-23T09:00:00.000Z', from: { user: { id: 'aad-pupil-1', displayName: 'Harry Brown' } }, body: { contentType: 'text', content: 'go away' } };
    const kindCard = dialogCard(await h.post(invoke('fetchTask', 'amy-clarke', message)));
    const dialogId = ((kindCard.actions as { data: Json }[])[0]?.data.dialogId ?? '') as string;
    expect(dialogId).toMatch(/^[0-9a-f-]{36}$/);
    const form = dialogCard(await h.post(invoke('submitAction', 'amy-clarke', message, { verb: 'choose_kind', kind: 'something_else', dialogId })));
    const send = { verb: 'submit_report', kind: 'something_else', dialogId, ...inputs(form), description: 'Unkind message.' };
    const first = cardText(dialogCard(await h.post(invoke('submitAction', 'amy-clarke', message, send))));
    const again = cardText(dialogCard(await h.post(invoke('submitAction', 'amy-clarke', message, send))));
    expect(/SG-\d{4}-\d{4}/.exec(again)?.[0]).toBe(/SG-\d{4}-\d{4}/.exec(first)?.[0]);
    await reportMessage('amy-clarke', message, 'something_else', { description: 'Again, separately.' });
    expect(h.app.store.listReportsByReporter('amy-clarke')).toHaveLength(2);
  });

  it('a wrong command id is a 400; a dialog opened without a message asks for the message menu', async () => {
    h = await installedBot(['amy-clarke']);
    const bad = invoke('fetchTask', 'amy-clarke', {});
    (bad.value as Json).commandId = 'somethingElse';
    expect((await h.post(bad)).status).toBe(400);
    const none = invoke('fetchTask', 'amy-clarke', {});
    delete (none.value as Json).messagePayload;
    expect(cardText(dialogCard(await h.post(none)))).toContain('menu of the message');
    // A malformed message is a prompt 400, never a 5xx.
    expect((await h.post(invoke('fetchTask', 'amy-clarke', { id: '   ', createdDateTime: 'yesterday' }))).status).toBe(400);
    expect((await h.post(invoke('fetchTask', 'amy-clarke', { id: 42, body: 'x' }))).status).toBe(400);
  });
});

// The same from a group chat (bot scope groupChat, issue 13): the app may be added to a
// chat of staff, or of a class with its pupils. The bot answers in the dialog and in the
// reporter's own chat, never in the group chat; G1 and G2 hold as in a channel.
describe('Report this message from a group chat', () => {
  const groupChat = '19:a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6@thread.v2';
  const inGroupChat: Where = { conversation: { isGroup: true, conversationType: 'groupChat', tenantId, id: groupChat }, channelData: { tenant: { id: tenantId }, source: { name: 'message' } } };
  const nothingInTheGroupChat = () => expect(h.connector.calls.filter((c) => c.conversationId === groupChat || JSON.stringify(c.body).includes(groupChat))).toEqual([]);

  it("G1: a colleague's message in a staff group chat → the headteacher decides; the colleague is the subject, never told, cannot view; nothing is posted in the chat", async () => {
    h = await installedBot(['ben-hughes', 'alex-morgan', 'chris-doyle', 'jo-patel']);
    where = inGroupChat;
    const message = {
      id: '1763900000600',
      createdDateTime: '2026-11-23T08:45:00.000Z',
      linkToMessage: `https://teams.microsoft.com/l/message/${groupChat}/1763900000600`,
      from: { user: { id: teamsId('chris-doyle'), displayName: 'Chris Doyle', userIdentityType: 'aadUser' } },
      body: { contentType: 'html', content: '<p>Added some of my Year 9s on Snapchat, they are a laugh</p>' },
    };
    const { form, sent, reference } = await reportMessage('ben-hughes', message, 'staff_conduct', { description: 'A colleague adds pupils on Snapchat.', involvesPupils: 'true' });
    expect(inputs(form)).toMatchObject({ 'staffMember.personId': 'chris-doyle', 'occurred.date': '2026-11-23', 'occurred.time': '08:45' });
    expect(cardText(sent)).toContain('Nothing was posted in this conversation');
    await h.deliver();
    expect(textTo(h, h.personalChat('alex-morgan'))).toContain(`Decision needed: ${reference}`);
    expect(textTo(h, h.personalChat('ben-hughes'))).toContain(`Report received: ${reference}`);
    // G1: the author is a subject: routing skips them, they are never contacted and are refused the report.
    expect(report(reference).routing.subjects).toContain('chris-doyle');
    expect(h.connector.created().filter((c) => JSON.stringify(c.body.members ?? []).includes(teamsId('chris-doyle')))).toEqual([]);
    expect(textTo(h, h.personalChat('chris-doyle'))).toBe('');
    expect(() => h.app.workflow.view({ reportId: report(reference).id, actorId: 'chris-doyle' })).toThrow();
    expect(auditOf(reference, 'message.reported')?.details).toMatchObject({ platform: 'teams', messageId: '1763900000600', conversationId: groupChat, kept: 'message' });
    nothingInTheGroupChat();
  });

  it('G2: nude images shared in a class group chat → nothing of the message is fetched or stored, only its link and time; urgent to the DSL; nothing in the chat', async () => {
    h = await installedBot(['amy-clarke', 'jo-patel']);
    where = inGroupChat;
    h.connector.files.set('pasted-3', { bytes: tinyPng, contentType: 'image/png' });
    const message = {
      id: '1763900000700',
      createdDateTime: '2026-11-23T10:10:00.000Z',
      linkToMessage: `https://teams.microsoft.com/l/message/${groupChat}/1763900000700`,
      from: { user: { id: '00000000-0000-4000-8000-0000000000d2', displayName: 'Harry Brown', userIdentityType: 'aadUser' } },
      body: { contentType: 'html', content: `<p>send this round</p><img src="${h.connector.url}files/pasted-3">` },
      attachments: [{ id: 'pasted-3', contentType: 'image/*', contentUrl: `${h.connector.url}files/pasted-3`, name: 'image.png' }],
    };
    const { sent, reference } = await reportMessage('amy-clarke', message, 'nude_images', { 'pupil.name': 'Mia Jones', 'pupil.yearGroup': 'Year 10', description: 'Shared in the class group chat.' });
    expect(cardText(sent)).toContain('Tell the DSL in person now');
    expect(h.connector.downloads()).toEqual([]);
    expect(h.app.store.listEvidence(report(reference).id)).toEqual([]);
    expect(JSON.stringify(report(reference).form)).not.toMatch(/send this round/);
    expect(auditOf(reference, 'message.reported')?.details).toMatchObject({ kept: 'reference_only', postedAt: '2026-11-23T10:10:00.000Z', link: expect.stringContaining(groupChat) });
    expect(report(reference).urgent).toBe(true);
    await h.deliver();
    expect(dslThreads(h).map((c) => cardText(c.body)).join('\n')).toContain(reference);
    nothingInTheGroupChat();
  });

  it('added to a group chat: no welcome there; "@Safeguarding report", "whoami" and "cases" are answered in the person\'s own chat, never in the group chat', async () => {
    h = await installedBot(['amy-clarke', 'jo-patel']);
    const install = { ...h.installPersonal('amy-clarke'), ...inGroupChat };
    expect((await h.post(install)).status).toBe(200);
    const inChat = (person: string, text: string) => h.message(person, `<at>Safeguarding</at> ${text}`, { ...inGroupChat, entities: [{ type: 'mention', mentioned: { id: botId, name: 'Safeguarding' }, text: '<at>Safeguarding</at>' }] });
    for (const text of ['report', 'whoami', 'cases']) expect((await h.post(inChat('amy-clarke', text))).status).toBe(200);
    expect((await h.post(inChat('jo-patel', 'cases'))).status).toBe(200);
    const own = textTo(h, h.personalChat('amy-clarke'));
    expect(own).toContain('What is it about?');
    expect(own).toContain(`Your Teams id: ${teamsId('amy-clarke')}`);
    expect(own).not.toContain("This channel's id");
    expect(textTo(h, h.personalChat('jo-patel'))).toContain('cases');
    nothingInTheGroupChat();
  });
});
