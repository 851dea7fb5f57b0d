import { expect } from 'vitest';
import { cardProblems } from '../support/adaptive-card-check.js';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { formValues } from '../../src/views/report-forms.js';
import { cardOf, cardText, type ConnectorCall } from '../support/fake-bot-connector.js';
import { teamsHarness, type TeamsHarness } from '../support/teams-harness.js';

/** The message the bot sent last to a conversation. */
export function lastSent(h: TeamsHarness, conversationId: string): ConnectorCall {
  const sent = h.connector.sent(conversationId);
  const last = sent[sent.length - 1];
  if (!last) throw new Error(`nothing was sent to ${conversationId}`);
  return last;
}

/** Everything the bot sent or updated in a conversation, as text. */
export function textTo(h: TeamsHarness, conversationId: string): string {
  return h.connector.calls
    .filter((c) => c.conversationId === conversationId)
    .map((c) => cardText(c.body))
    .join('\n');
}

/** The DSL channel threads the bot started (one per report). */
export function dslThreads(h: TeamsHarness): ConnectorCall[] {
  return h.connector.created().filter((c) => (c.body.channelData as { channel?: unknown } | undefined)?.channel);
}

/**
 * A member of staff makes a report in their chat with the bot, as in Teams: "report",
 * then the kind card's Next, then the form's Send. Returns the reference and the id of
 * the card message (which the bot updates in place).
 */
export async function fileReport(h: TeamsHarness, personId: string, report: Record<string, unknown>): Promise<{ reference: string; cardId: string }> {
  const chat = h.personalChat(personId);
  const kind = report.kind as ReportKind;
  expect((await h.post(h.message(personId, 'report'))).status).toBe(200);
  const kindCard = lastSent(h, chat);
  expect(cardText(cardOf(kindCard.body))).toContain('What is it about?');
  const cardId = kindCard.responseId ?? '';

  expect((await h.post(h.submit(personId, { verb: 'choose_kind', kind }, cardId))).status).toBe(200);
  const formUpdate = h.connector.updates().at(-1);
  expect(formUpdate?.activityId).toBe(cardId);

  const values = formValues(kind, report);
  expect((await h.post(h.submit(personId, { verb: 'submit_report', kind, ...values }, cardId))).status).toBe(200);
  const sent = h.connector.updates().at(-1);
  expect(sent?.activityId).toBe(cardId);
  const text = cardText(cardOf(sent?.body));
  const reference = /Report sent: (SG-\d{4}-\d{4})/.exec(text)?.[1];
  if (!reference) throw new Error(`the form was not accepted: ${text}`);
  return { reference, cardId };
}

/** The card of the DSL channel thread for a report, and the thread's conversation id. */
export function dslThread(h: TeamsHarness, reference: string): { conversationId: string; rootId: string; card: Record<string, unknown> } {
  const call = dslThreads(h).find((c) => cardText(c.body).includes(reference));
  if (!call) throw new Error(`no DSL channel thread for ${reference}`);
  const channel = ((call.body.channelData as { channel: { id: string } }).channel.id);
  const rootId = call.responseId ?? '';
  return { conversationId: `${channel};messageid=${rootId}`, rootId, card: cardOf(call.body.activity as Record<string, unknown>) ?? {} };
}

/** The data of a card's Action.Execute button with this verb. */
export function buttonData(card: Record<string, unknown> | undefined, verb: string): Record<string, unknown> {
  const actions = (card?.actions ?? []) as { type: string; verb?: string; data?: Record<string, unknown> }[];
  const action = actions.find((a) => a.type === 'Action.Execute' && a.verb === verb);
  if (!action?.data) throw new Error(`no ${verb} button on the card: ${cardText(card)}`);
  return action.data;
}

/** The invoke response text (an application/vnd.microsoft.activity.message answer). */
export function invokeText(res: { status: number; body: unknown }): string {
  const body = res.body as { statusCode?: number; type?: string; value?: unknown };
  expect(res.status).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.activity.message');
  return String(body.value);
}

/** A bot installed in the DSL team and for these people; the install traffic is cleared. */
export async function installedBot(people: string[]): Promise<TeamsHarness> {
  const t = await teamsHarness();
  expect((await t.post(t.installTeam())).status).toBe(200);
  for (const person of people) expect((await t.post(t.installPersonal(person))).status).toBe(200);
  t.connector.clear();
  return t;
}

/** After each test: every card the bot sent or updated is valid Adaptive Card 1.5; then stop. */
export async function checkCardsAndClose(t: TeamsHarness | undefined): Promise<void> {
  if (!t) return;
  for (const card of t.connector.cards()) expect(cardProblems(card)).toEqual([]);
  await t.close();
}
