import type { ActionView, MessageView } from './view-model.js';

/**
 * Every message must fit its platform (Teams: the whole activity within 80 KB of
 * UTF-16; Slack: 10,000 characters of block text and every Block Kit limit). Each
 * renderer measures its own output; this module shortens a chat message, step by step,
 * until the renderer says it fits: long texts end "… (the rest in View details)", long
 * lists end "… and N more". The details of a report are never shortened: they are split
 * (see splitText), so nothing is cut silently.
 */
export interface Trim {
  /** The most characters one fact value, paragraph or status line keeps. */
  text: number;
  /** The most facts, and the most paragraphs, a message keeps. */
  items: number;
}

/**
 * The steps tried in order, from the message as it is to the barest one. Lists are
 * shortened before texts are cut, so that what is shown of a list (web addresses to
 * block) is shown whole.
 */
export const trims: readonly Trim[] = [
  { text: Infinity, items: Infinity },
  { text: Infinity, items: 40 },
  { text: Infinity, items: 20 },
  { text: 2000, items: 20 },
  { text: 2000, items: 12 },
  { text: 2000, items: 8 },
  { text: 2000, items: 6 },
  { text: 2000, items: 4 },
  { text: 1000, items: 4 },
  { text: 500, items: 4 },
  { text: 200, items: 4 },
  { text: 100, items: 3 },
];

const hasDetails = (view: MessageView) => view.actions.some((a) => a.verb === 'view');
/** The report a message is about, if its buttons say. */
const reportIdOf = (view: MessageView) => view.actions.find((a) => a.data.reportId)?.data.reportId;

/** Where to cut `text` at `end` or one before it, so a surrogate pair is never split. */
export function pairSafeEnd(text: string, end: number): number {
  return end > 0 && /[\uD800-\uDBFF]/.test(text.charAt(end - 1)) ? end - 1 : end;
}

/** Cuts text to at most `max` characters at a word boundary where there is one, ending with `tail`. */
export function cutText(text: string, max: number, tail: string): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - tail.length);
  let end = room;
  const space = text.lastIndexOf(' ', room);
  if (space > room * 0.8) end = space;
  end = pairSafeEnd(text, end);
  return `${text.slice(0, end).trimEnd()}${tail}`;
}

/** The view with every text and list shortened to `trim`, saying where the rest is. */
export function shortenView(view: MessageView, trim: Trim): MessageView {
  if (trim.text === Infinity && trim.items === Infinity) return view;
  const details = hasDetails(view) || reportIdOf(view) !== undefined;
  const where = details ? ' (the rest in View details)' : '';
  const tail = `…${where}`;
  const cut = (t: string) => cutText(t, trim.text, tail);
  let changed = false;
  const mark = <T>(before: T, after: T): T => {
    if (before !== after) changed = true;
    return after;
  };
  const more = (n: number) => `…and ${n} more${details ? ': the rest in View details' : ''}`;
  let facts = view.facts.map((f) => ({ title: f.title, value: mark(f.value, cut(f.value)) }));
  if (facts.length > trim.items) {
    const hidden = facts.length - (trim.items - 1);
    facts = [...facts.slice(0, trim.items - 1), { title: 'More', value: more(hidden) }];
    changed = true;
  }
  let paragraphs = view.paragraphs.map((p) => mark(p, cut(p)));
  if (paragraphs.length > trim.items) {
    const hidden = paragraphs.length - (trim.items - 1);
    paragraphs = [...paragraphs.slice(0, trim.items - 1), more(hidden)];
    changed = true;
  }
  const status = view.status === undefined ? undefined : mark(view.status, cut(view.status));
  const title = cutText(view.title, Math.max(trim.text, 150), '…');
  const shortened: MessageView = { ...view, title, facts, paragraphs, ...(status === undefined ? {} : { status }) };
  // Whoever gets a shortened message can open the whole report.
  const reportId = reportIdOf(view);
  if (changed && reportId && !hasDetails(view)) {
    const viewAction: ActionView = { verb: 'view', title: 'View details', style: 'default', data: { reportId } };
    shortened.actions = [...view.actions, viewAction];
  }
  return shortened;
}

/**
 * The first shortening of `view` that `fits` (the renderer's budget check). If even the
 * barest does not fit, the barest is returned: the renderer's own hard limits then hold,
 * and the caller's check (and the Sizes test) says so.
 */
export function fitView(view: MessageView, fits: (v: MessageView) => boolean): MessageView {
  let last = view;
  for (const trim of trims) {
    last = shortenView(view, trim);
    if (fits(last)) return last;
  }
  return last;
}

/**
 * Splits text into pieces for which `fits` holds, each as long as it can be, breaking
 * after a space, comma or line end near the end of a piece when there is one. Nothing
 * is dropped: the pieces joined are the text.
 */
export function splitText(text: string, fits: (piece: string) => boolean): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    if (fits(rest)) {
      pieces.push(rest);
      break;
    }
    // The longest prefix that fits (binary search: fits is monotone in length).
    let lo = 1;
    let hi = rest.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(rest.slice(0, mid))) lo = mid;
      else hi = mid - 1;
    }
    let end = lo;
    const window = rest.slice(Math.floor(end * 0.8), end);
    const brk = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\n'), window.lastIndexOf(','));
    if (brk >= 0) end = Math.floor(end * 0.8) + brk + 1;
    if (end > 1) end = pairSafeEnd(rest, end);
    pieces.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  return pieces;
}
