import { afterEach, describe, expect, it } from 'vitest';
import { cardOf, cardText, type ConnectorCall } from '../support/fake-bot-connector.js';
import { demoSchool, example, tinyPng } from '../support/harness.js';
import { dslChannel, type TeamsHarness } from '../support/teams-harness.js';
import { buttonData, checkCardsAndClose, dslThread, fileReport, installedBot, invokeText, lastSent, textTo } from './teams-flow.js';

// Issue 12, items 4, 5 and 6 over the Teams wire: the real botbuilder CloudAdapter on
// 127.0.0.1 with a fake Bot Connector, real SQLite, a fake clock.
let h: TeamsHarness;
afterEach(() => checkCardsAndClose(h));

const ready = () => installedBot(['jo-patel', 'sam-okafor', 'alex-morgan', 'priya-shah', 'amy-clarke', 'ben-hughes', 'chris-doyle', 'dana-frost']);
const chat = (person: string) => h.personalChat(person);
const activityOf = (c: ConnectorCall) => (c.path === '/v3/conversations' ? c.body.activity : c.body) as Record<string, unknown> | undefined;

/** Every activity the bot sent or updated that carries a card has a summary: a reference and a kind at most, never a name. */
function expectSummaries(t: TeamsHarness, reportTexts: string[]): void {
  const names = demoSchool.directory.people.flatMap((p) => [p.name, ...(p.aliases ?? [])]);
  const carded = t.connector.calls.filter((c) => cardOf(activityOf(c)));
  expect(carded.length).toBeGreaterThan(0);
  for (const c of carded) {
    const summary = activityOf(c)?.summary;
    expect(typeof summary, cardText(cardOf(activityOf(c))).slice(0, 120)).toBe('string');
    expect(String(summary).length).toBeGreaterThan(0);
    for (const n of names) expect(String(summary)).not.toContain(n);
    for (const text of reportTexts) expect(String(summary)).not.toContain(text);
  }
}

describe('Teams: the open-case list', () => {
  it('"cases" lists what is theirs, with View details; a report about them is never listed (G1); never posted in a channel', async () => {
    h = await ready();
    const one = await fileReport(h, example(1).reporter, example(1).report);
    const seven = await fileReport(h, example(7).reporter, example(7).report); // about the DSL's own conduct
    await h.deliver();

    expect((await h.post(h.message('jo-patel', 'cases'))).status).toBe(200);
    const list = lastSent(h, chat('jo-patel'));
    const card = cardOf(list.body);
    expect(list.body.summary).toBe('Open cases: 1');
    expect(cardText(card)).toContain(one.reference);
    expect(cardText(card)).toContain('Next deadline: Mon, 23 Nov 2026, 10:30');
    expect(cardText(card)).not.toContain(seven.reference); // G1: about Jo Patel

    // The headteacher owns the report about the DSL: "my cases" and "queue" are the same list.
    for (const words of ['my cases', 'queue']) {
      await h.post(h.message('alex-morgan', words));
      const theirs = cardText(cardOf(lastSent(h, chat('alex-morgan')).body));
      expect(theirs).toContain(seven.reference);
      expect(theirs).toContain('Yours');
    }

    // View details from the list: the details, privately; the button needs no inputs.
    const actionSet = ((card?.body as { type: string; items?: { type: string; actions?: { verb: string; data: Record<string, unknown>; associatedInputs: string }[] }[] }[]) ?? [])
      .flatMap((b) => b.items ?? [])
      .flatMap((i) => i.actions ?? []);
    expect(actionSet).toHaveLength(1);
    expect(actionSet[0]?.associatedInputs).toBe('none');
    const view = await h.post(h.execute('jo-patel', 'view', actionSet[0]?.data ?? {}, { replyToId: list.responseId ?? '' }));
    expect(invokeText(view)).toBe(`Details of ${one.reference} are below.`);
    expect(cardText(cardOf(lastSent(h, chat('jo-patel')).body))).toContain(`Report ${one.reference}`);

    // Typed in the DSL channel: the list goes to the person's own chat, nothing to the channel.
    h.connector.clear();
    const inChannel = h.channelMessage('jo-patel', 'cases');
    expect((await h.post(inChannel)).status).toBe(200);
    expect(h.connector.sent().filter((c) => c.conversationId?.startsWith(dslChannel))).toEqual([]);
    expect(cardText(cardOf(lastSent(h, chat('jo-patel')).body))).toContain(one.reference);

    // Staff with nothing to act on get an empty list that says so.
    await h.post(h.message('amy-clarke', 'cases'));
    expect(cardText(cardOf(lastSent(h, chat('amy-clarke')).body))).toContain('No open cases for you');
  });
});

describe('Teams: cards at a glance', () => {
  it('a summary on every card the bot sends or updates; reminders keep their title after acknowledgement; unsent forms are put away', async () => {
    h = await ready();
    // A form started and left: starting again puts the first away (no live inputs left behind).
    await h.post(h.message('amy-clarke', 'report'));
    const abandoned = lastSent(h, chat('amy-clarke')).responseId ?? '';
    await h.post(h.submit('amy-clarke', { verb: 'choose_kind', kind: 'cyberbullying' }, abandoned));
    const ex = example(5);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    const putAway = h.connector.updates().filter((u) => u.activityId === abandoned).at(-1);
    expect(cardText(cardOf(putAway?.body))).toContain('Form put away');
    expect(cardText(cardOf(putAway?.body))).not.toContain('Input.');

    await h.deliver();
    const thread = dslThread(h, reference);
    h.clock.advanceMinutes(30);
    h.app.workflow.tick();
    await h.deliver();
    const reminder = lastSent(h, chat('sam-okafor'));
    expect(cardText(cardOf(reminder.body))).toContain(`Reminder: ${reference} is waiting to be acknowledged`);
    expect(reminder.body.summary).toBe(`Reminder: ${reference} is waiting to be acknowledged`);

    await h.post(h.execute('jo-patel', 'acknowledge', buttonData(thread.card, 'acknowledge'), { conversationId: thread.conversationId, replyToId: thread.rootId }));
    await h.deliver();
    const updated = h.connector.updates().filter((u) => u.activityId === reminder.responseId).at(-1);
    const text = cardText(cardOf(updated?.body));
    expect(text).toContain(`Reminder: ${reference} was waiting to be acknowledged`);
    expect(text).toContain('Acknowledged by Jo Patel at Mon, 23 Nov 2026, 10:30');
    expect(text).not.toContain('New report');
    // The channel's own card is the report's card, acknowledged.
    expect(cardText(cardOf(h.connector.updates().filter((u) => u.activityId === thread.rootId).at(-1)?.body))).toContain(`New report: ${reference}`);

    expectSummaries(h, ['WhatsApp', 'Year 7', 'Unkind messages']);
  });

  it('evidence times: asked in the form, stored with each screenshot, shown beside its hash in View details', async () => {
    h = await ready();
    const ex = example(5);
    const form = { ...ex.report, screenshots: { takenDate: '2026-11-23', takenTime: '08:05', postedDate: '2026-11-22', postedTime: '20:15' } };
    const { reference } = await fileReport(h, ex.reporter, form);
    h.connector.files.set('shot-1.png', { bytes: tinyPng, contentType: 'image/png' });
    const upload = h.message(ex.reporter, '', {
      text: undefined,
      attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'shot-1.png', contentUrl: 'https://contoso.sharepoint.com/x', content: { downloadUrl: `${h.connector.url}files/shot-1.png`, fileType: 'png' } }],
    });
    expect((await h.post(upload)).status).toBe(200);
    expect(textTo(h, chat(ex.reporter))).toContain(`Added 1 screenshot to ${reference}`);
    const [report] = h.app.store.listReportsByReporter(ex.reporter);
    expect(h.app.store.listEvidence(report?.id ?? '').map((e) => [e.takenAt, e.postedAt])).toEqual([['2026-11-23T08:05', '2026-11-22T20:15']]);
    await h.deliver();
    const thread = dslThread(h, reference);
    await h.post(h.execute('jo-patel', 'view', buttonData(thread.card, 'view'), { conversationId: thread.conversationId, replyToId: thread.rootId }));
    expect(textTo(h, chat('jo-patel'))).toMatch(/shot-1\.png, 1 KB, taken Mon, 23 Nov 2026, 08:05, post made Sun, 22 Nov 2026, 20:15, added Mon, 23 Nov 2026, 10:00, SHA-256 [0-9a-f]{12}/);
  });

  it('a time without its date in the form: the form comes back with the error next to the field', async () => {
    h = await ready();
    await h.post(h.message('amy-clarke', 'report'));
    const cardId = lastSent(h, chat('amy-clarke')).responseId ?? '';
    await h.post(h.submit('amy-clarke', { verb: 'choose_kind', kind: 'cyberbullying' }, cardId));
    const ex = example(5);
    const { formValues } = await import('../../src/views/report-forms.js');
    const values = { ...formValues('cyberbullying', ex.report), 'screenshots.postedTime': '20:15' };
    expect((await h.post(h.submit('amy-clarke', { verb: 'submit_report', kind: 'cyberbullying', ...values }, cardId))).status).toBe(200);
    const form = cardText(cardOf(h.connector.updates().at(-1)?.body));
    expect(form).toMatch(/"id":"screenshots\.postedDate".*?"type":"TextBlock","text":"Please give the date too\."/);
    expect(h.app.store.listReportsNotClosed()).toEqual([]);
  });
});
