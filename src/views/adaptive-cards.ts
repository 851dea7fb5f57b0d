import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { kindChoices, type FormView } from './report-forms.js';
import type { MessageView } from './view-model.js';

/**
 * adaptivecards-templating, with just the type we use: its own type file imports the
 * adaptivecards package's TypeScript sources, which do not compile under this project.
 */
const ACData = createRequire(import.meta.url)('adaptivecards-templating') as {
  Template: new (payload: unknown) => { expand(context: { $root: unknown }): unknown };
};

/** cards/ at the top of the project: the Adaptive Card templates. */
export const cardsDir = fileURLToPath(new URL('../../cards/', import.meta.url));

const templates = new Map<string, unknown>();

function template(name: string): unknown {
  let t = templates.get(name);
  if (!t) {
    t = JSON.parse(readFileSync(`${cardsDir}${name}.json`, 'utf8'));
    templates.set(name, t);
  }
  return t;
}

/** Expands cards/<name>.json with data. Data values are never evaluated as template expressions. */
export function expandCard(name: string, data: object): Record<string, unknown> {
  return new ACData.Template(template(name)).expand({ $root: data }) as Record<string, unknown>;
}

/**
 * Escapes text typed by people for the Markdown that Teams renders in TextBlocks and
 * FactSets: no bold, links, lists or mentions can be smuggled in.
 */
export function escapeTeamsMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)(-|\d+\.)(\s)/gm, (_m, sp: string, marker: string, after: string) => `${sp}\\${marker}${after}`);
}

/** The Adaptive Card (1.5) for a message view, with Action.Execute and an Action.Submit fallback. */
export function messageCard(view: MessageView): Record<string, unknown> {
  const esc = escapeTeamsMarkdown;
  return expandCard('message', {
    ...view,
    title: esc(view.title),
    status: view.status === undefined ? null : esc(view.status),
    facts: view.facts.map((f) => ({ title: esc(f.title), value: esc(f.value) })),
    paragraphs: view.paragraphs.map(esc),
    actions: view.actions.map((a) => ({ ...a, submitData: { verb: a.verb, ...a.data } })),
  });
}

/** The first card of /report: what kind of concern it is. */
export function reportKindCard(): Record<string, unknown> {
  return expandCard('report-kind', { choices: kindChoices });
}

/** A kind's report form, with the values given so far and each error next to its field. */
export function reportFormCard(view: FormView): Record<string, unknown> {
  return expandCard('report-form', view);
}
