/**
 * Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit), written down
 * here on their own, from the reference, so that the fake Web API and the Sizes test
 * check the bot's blocks against Slack's rules rather than against the bot's own
 * numbers. Slack counts characters; JavaScript's length (UTF-16) never counts fewer.
 */
type Json = Record<string, unknown>;

/** Slack refuses a message whose block text passes about this many characters (msg_blocks_too_long). */
export const slackMessageTextRefused = 12_000;

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const textOf = (t: unknown) => (isObj(t) && typeof t.text === 'string' ? t.text : '');

/** All the text of the blocks: every text object's `text`. */
export function totalBlockText(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + totalBlockText(v), 0);
  if (!isObj(value)) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'text' && typeof v === 'string') n += v.length;
    else if (typeof v === 'object') n += totalBlockText(v);
  }
  return n;
}

function elementProblems(e: Json, at: string, p: string[]): void {
  const max = (what: string, len: number, limit: number) => {
    if (len > limit) p.push(`${at}: ${what} has ${len} characters (at most ${limit})`);
  };
  switch (e.type) {
    case 'button':
      max('button text', textOf(e.text).length, 75);
      if (typeof e.value === 'string') max('button value', e.value.length, 2000);
      break;
    case 'plain_text_input': {
      const ml = typeof e.max_length === 'number' ? e.max_length : 3000;
      if (ml > 3000) p.push(`${at}: max_length ${ml} (at most 3000)`);
      if (typeof e.initial_value === 'string') max('initial_value', e.initial_value.length, ml);
      if (e.placeholder) max('placeholder', textOf(e.placeholder).length, 150);
      break;
    }
    case 'radio_buttons':
    case 'checkboxes':
    case 'static_select': {
      const options = (e.options ?? []) as Json[];
      const most = e.type === 'static_select' ? 100 : 10;
      if (options.length > most) p.push(`${at}: ${options.length} options (at most ${most})`);
      for (const o of options) {
        max('option text', textOf(o.text).length, 75);
        max('option value', String(o.value ?? '').length, 150);
      }
      break;
    }
    default:
  }
}

/** Every Block Kit limit the blocks break, in words. */
export function blockProblems(blocks: unknown, surface: 'message' | 'modal' | 'home'): string[] {
  const p: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks is not a list'];
  const most = surface === 'message' ? 50 : 100;
  if (blocks.length > most) p.push(`${blocks.length} blocks (at most ${most} in a ${surface})`);
  blocks.forEach((b: Json, i) => {
    const at = `blocks[${i}] (${String(b.type)})`;
    switch (b.type) {
      case 'header':
        if (!isObj(b.text) || b.text.type !== 'plain_text') p.push(`${at}: a header's text must be plain_text`);
        if (textOf(b.text).length > 150) p.push(`${at}: header has ${textOf(b.text).length} characters (at most 150)`);
        break;
      case 'section': {
        if (b.text !== undefined && textOf(b.text).length > 3000) p.push(`${at}: text has ${textOf(b.text).length} characters (at most 3000)`);
        if (b.text !== undefined && textOf(b.text).length === 0) p.push(`${at}: empty text`);
        const fields = (b.fields ?? []) as Json[];
        if (fields.length > 10) p.push(`${at}: ${fields.length} fields (at most 10)`);
        fields.forEach((f, j) => {
          if (textOf(f).length > 2000) p.push(`${at}.fields[${j}]: ${textOf(f).length} characters (at most 2000)`);
        });
        if (b.text === undefined && fields.length === 0) p.push(`${at}: a section needs text or fields`);
        break;
      }
      case 'actions': {
        const elements = (b.elements ?? []) as Json[];
        if (elements.length > 25) p.push(`${at}: ${elements.length} elements (at most 25)`);
        elements.forEach((e, j) => elementProblems(e, `${at}.elements[${j}]`, p));
        break;
      }
      case 'input':
        if (textOf(b.label).length > 2000) p.push(`${at}: label has ${textOf(b.label).length} characters (at most 2000)`);
        if (isObj(b.element)) elementProblems(b.element, `${at}.element`, p);
        break;
      case 'context':
        if (((b.elements ?? []) as unknown[]).length > 10) p.push(`${at}: more than 10 elements`);
        break;
      default:
    }
    if (typeof b.block_id === 'string' && b.block_id.length > 255) p.push(`${at}: block_id over 255 characters`);
  });
  return p;
}

/** Every limit a modal (views.open / views.update) breaks. */
export function modalProblems(view: unknown): string[] {
  if (!isObj(view)) return ['no view'];
  const p = blockProblems(view.blocks, view.type === 'home' ? 'home' : 'modal');
  if (view.type === 'modal') {
    for (const key of ['title', 'submit', 'close'] as const)
      if (view[key] !== undefined && textOf(view[key]).length > 24) p.push(`${key} has ${textOf(view[key]).length} characters (at most 24)`);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) p.push('private_metadata over 3000 characters');
  return p;
}
