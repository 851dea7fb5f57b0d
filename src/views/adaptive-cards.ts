import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { kindChoices, type FormView } from './report-forms.js';
import { textLimits } from '../core/text-limits.js';
import { fitView, splitText } from './message-budget.js';
import type { MessageView } from './view-model.js';

/**
 * adaptivecards-templating, with just the type we use: its own type file imports the
 * adaptivecards package's TypeScript sources, which do not compile under this project.
 */
type Template = { expand(context: { $root: unknown }): unknown };
type Templating = { Template: new (payload: unknown) => Template };
/**
 * Loaded with the first card expanded (Teams or the sandbox), never at start: it brings
 * adaptive-expressions, antlr4ts and lodash (~30 MB) that Slack alone never uses.
 */
let templating: Templating | undefined;
const ACData = (): Templating => (templating ??= createRequire(import.meta.url)('adaptivecards-templating') as Templating);

/** cards/ at the top of the project: the Adaptive Card templates. */
export const cardsDir = fileURLToPath(new URL('../../cards/', import.meta.url));

/**
 * Each template read and prepared once: preparing parses every `${…}` of the card with
 * adaptive-expressions' ANTLR parser, which was a third of Teams' CPU when done for each
 * card. A prepared Template is made to be expanded again and again (expand is synchronous
 * and keeps nothing of one expansion for the next).
 */
const templates = new Map<string, Template>();

function template(name: string): Template {
  let t = templates.get(name);
  if (!t) {
    t = new (ACData().Template)(JSON.parse(readFileSync(`${cardsDir}${name}.json`, 'utf8')));
    templates.set(name, t);
  }
  return t;
}

/** Expands cards/<name>.json with data. Data values are never evaluated as template expressions. */
export function expandCard(name: string, data: object): Record<string, unknown> {
  return template(name).expand({ $root: data }) as Record<string, unknown>;
}

/**
 * Escapes text typed by people for the Markdown that Teams renders in TextBlocks and
 * FactSets: only what is syntax there (emphasis, code, links, mentions, and a list,
 * heading or quote marker at the start of a line), so no bold, link, list or mention
 * can be smuggled in and nothing else gains a backslash. The bot's own words (titles,
 * labels) are never passed through it.
 */
export function escapeTeamsMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>~{}]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+#>])/gm, (_m, sp: string, marker: string) => `${sp}\\${marker}`)
    .replace(/^(\s*\d+)\./gm, (_m, number: string) => `${number}\\.`);
}

/**
 * Teams refuses a message over 100 KB, counted as UTF-16; every activity the bot sends
 * is kept within 80 KB. The envelope is what the connector adds around the card
 * (conversation, recipient, ids, summary), allowed for generously.
 */
export const teamsBudget = { bytes: 80 * 1024, envelopeBytes: 4 * 1024 } as const;

/** An activity's size as Teams counts it: its JSON in UTF-16 (two bytes a code unit). */
export function utf16Bytes(value: unknown): number {
  return JSON.stringify(value).length * 2;
}

/** The message activity's own JSON around its card ({"type":"message","attachments":[…]}), counted with it. */
const wrapperBytes = utf16Bytes({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: null }] });

/** Whether a card, sent in one activity, stays within the budget. */
export function cardFits(card: object): boolean {
  return utf16Bytes(card) + wrapperBytes + teamsBudget.envelopeBytes <= teamsBudget.bytes;
}

/** The verbs whose buttons send the card's inputs (a decision and its reason, the action taken). */
/** Buttons that act without the card's answers (they open something, or need no input). */
const ignoresInputs = new Set(['acknowledge', 'view', 'close_form', 'reopen_form', 'note_form']);

/** A message view as its card, as it is (see messageCard for the one that always fits). */
function renderMessageCard(view: MessageView): Record<string, unknown> {
  const esc = escapeTeamsMarkdown;
  return expandCard('message', {
    ...view,
    // The bot's own words (title, fact titles) as they are; typed text escaped.
    status: view.status === undefined ? null : esc(view.status),
    facts: view.facts.map((f) => ({ title: f.title, value: esc(f.value) })),
    paragraphs: view.paragraphs.map(esc),
    inputs: view.inputs.map((i) => ({ ...i, maxLength: i.maxLength ?? textLimits.input, value: i.value ?? '', issue: i.issue ?? null })),
    // Only the buttons that send the card's answers validate and submit its inputs: View
    // details and Acknowledge work whatever is (or is not) filled in.
    actions: view.actions.map((a) => ({ ...a, associatedInputs: ignoresInputs.has(a.verb) ? 'none' : 'auto', submitData: { verb: a.verb, ...a.data } })),
  });
}

/**
 * The Adaptive Card (1.5) for a message view, with Action.Execute and an Action.Submit
 * fallback, shortened until it fits a Teams message ("… the rest in View details").
 */
export function messageCard(view: MessageView): Record<string, unknown> {
  return renderMessageCard(fitView(view, (v) => cardFits(renderMessageCard(v))));
}

/**
 * A report's details as as many cards as it takes, each within the budget: nothing is
 * cut. A long answer is split over several facts ("(continued)"); the cards are titled
 * "(1 of 3)" and so on. Most reports take one card.
 */
export function messageCards(view: MessageView): Record<string, unknown>[] {
  if (cardFits(renderMessageCard(view))) return [renderMessageCard(view)];
  const longTitle = `${view.title} (continued, 99 of 99)`;
  const alone = (v: Partial<MessageView>) => cardFits(renderMessageCard({ ...view, title: longTitle, status: undefined, facts: [], paragraphs: [], inputs: [], actions: [], ...v }));
  const factFits = (title: string) => (value: string) => alone({ facts: [{ title, value }] });
  const facts = view.facts.flatMap((f) =>
    splitText(f.value, factFits(f.title)).map((value, i) => ({ title: i === 0 ? f.title : `${f.title} (continued)`, value })),
  );
  const paragraphs = view.paragraphs.flatMap((p) => splitText(p, (piece) => alone({ paragraphs: [piece] })));
  const parts: MessageView[] = [];
  let part: MessageView = { ...view, facts: [], paragraphs: [], actions: [] };
  const reserve = (v: MessageView) => ({ ...v, title: longTitle });
  const push = (next: MessageView, fresh: () => MessageView) => {
    if (cardFits(renderMessageCard(reserve(next)))) return next;
    parts.push(part);
    return fresh();
  };
  for (const f of facts) {
    part = push({ ...part, facts: [...part.facts, f] }, () => ({ ...view, status: undefined, facts: [f], paragraphs: [], inputs: [], actions: [] }));
  }
  for (const p of paragraphs) {
    part = push({ ...part, paragraphs: [...part.paragraphs, p] }, () => ({ ...view, status: undefined, facts: [], paragraphs: [p], inputs: [], actions: [] }));
  }
  parts.push(part);
  const n = parts.length;
  return parts.map((v, i) =>
    renderMessageCard({
      ...v,
      title: i === 0 ? `${view.title} (1 of ${n})` : `${view.title} (continued, ${i + 1} of ${n})`,
      ...(i === n - 1 ? { actions: view.actions } : {}),
    }),
  );
}

/** The first card's title (and its notification summary on Teams). */
export const reportKindTitle = 'Report a concern';

/** The first card of /report: what kind of concern it is. */
export function reportKindCard(): Record<string, unknown> {
  return expandCard('report-kind', { title: reportKindTitle, choices: kindChoices });
}

/**
 * A kind's report form, with the values given so far and each error next to its field.
 * A school whose staff list makes the card too big for Teams gets the form without the
 * pickers: the name is typed instead (a typed name that matches someone in the school
 * file names them, G1), and the form says so.
 */
export function reportFormCard(view: FormView): Record<string, unknown> {
  const card = expandCard('report-form', view);
  if (cardFits(card) || !view.fields.some((f) => f.kind === 'person')) return card;
  return expandCard('report-form', {
    ...view,
    paragraphs: [...view.paragraphs, 'The list of staff is too long to show here: type the name instead.'],
    fields: view.fields.filter((f) => f.kind !== 'person'),
  });
}
