import { textLimits } from '../../core/text-limits.js';
import { fitView, splitText } from '../../views/message-budget.js';
import { kindChoices, screenshotFieldPrefix, type FieldView, type FormView } from '../../views/report-forms.js';
import type { ActionView, InputView, MessageView } from '../../views/view-model.js';
import { blockTextLength, escapedWithin, slackLimits } from './slack-budget.js';

/**
 * Slack's Block Kit for the channel-neutral views: the same MessageView and FormView that
 * Teams and the sandbox render as Adaptive Cards. Text typed by people only ever goes in
 * plain_text objects or through escapeMrkdwn, so no mention, @channel or link can be
 * smuggled into a message.
 */
type Block = Record<string, unknown>;
export interface ModalView {
  type: 'modal';
  callback_id: string;
  private_metadata?: string;
  title: { type: 'plain_text'; text: string };
  submit?: { type: 'plain_text'; text: string };
  close?: { type: 'plain_text'; text: string };
  blocks: Block[];
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: text.slice(0, 3000), emoji: false });
const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

const entities = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A web address as typed: Slack links it itself, and nothing may be put inside it. */
const webAddress = /\b(?:https?:\/\/|www\.)[^\s<>]+/gi;

/**
 * Escapes text for mrkdwn: the three characters Slack asks apps to escape, which also
 * takes the teeth out of <!channel>, <!here>, <@U…> and <url|label>. Formatting
 * characters are neutralised too (a zero-width space each side), so typed text shows as
 * typed, except inside a web address, which keeps every character it had (so it can be
 * copied and blocked as it is).
 */
export function escapeMrkdwn(text: string): string {
  const words = (t: string) =>
    entities(t)
      .replace(/([*_~`])/g, '\u200b$1\u200b')
      .replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(webAddress)) {
    out += words(text.slice(last, m.index)) + entities(m[0]);
    last = m.index + m[0].length;
  }
  return out + words(text.slice(last));
}

/** The button value: which report and step, and (for a decision) the choices the modal offers. */
export interface ButtonValue {
  reportId: string;
  dutyId?: string;
  choices?: { title: string; value: string }[];
}

/** The button's value within Slack's 2,000 characters: a decision's choice labels are shortened if they must be (the policy keeps them short). */
function buttonValue(action: ActionView, inputs: InputView[]): string {
  const choices = action.verb === 'decide' ? (inputs.find((i) => i.id === 'choice')?.choices ?? []) : undefined;
  for (const n of [slackLimits.optionText, 50, 30, 15, 5]) {
    const value: ButtonValue = { ...action.data, ...(choices ? { choices: choices.map((c) => ({ title: cut(c.title, n), value: c.value })) } : {}) };
    const json = JSON.stringify(value);
    if (json.length <= slackLimits.buttonValue) return json;
  }
  return JSON.stringify(action.data);
}

function button(action: ActionView, inputs: InputView[]): Block {
  return {
    type: 'button',
    action_id: action.verb,
    text: plain(cut(action.title, slackLimits.buttonText)),
    value: buttonValue(action, inputs),
    ...(action.style === 'positive' ? { style: 'primary' } : action.style === 'destructive' ? { style: 'danger' } : {}),
  };
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });
const factTitle = (title: string) => `*${escapeMrkdwn(title)}*\n`;
/** One fact as a field: its title in bold, its value escaped, within a field's 2,000 characters. */
const field = (f: { title: string; value: string }) => {
  const title = factTitle(f.title);
  return mrkdwn(title + escapedWithin(f.value, slackLimits.field - title.length, escapeMrkdwn));
};

function headerAndStatus(view: MessageView): Block[] {
  const urgent = view.urgent && !/^urgent/i.test(view.title) ? 'URGENT: ' : '';
  const blocks: Block[] = [{ type: 'header', text: plain(cut(`${urgent}${view.title}`, slackLimits.header)) }];
  if (view.status) blocks.push({ type: 'section', text: mrkdwn(`:white_check_mark: *${escapedWithin(view.status, slackLimits.sectionText - 24, escapeMrkdwn)}*`) });
  return blocks;
}

/** A message's blocks as they are (messageBlocks keeps them within the budget). */
function renderMessage(view: MessageView): Block[] {
  const blocks = headerAndStatus(view);
  for (let i = 0; i < view.facts.length; i += slackLimits.fields) blocks.push({ type: 'section', fields: view.facts.slice(i, i + slackLimits.fields).map(field) });
  for (const p of view.paragraphs) blocks.push({ type: 'section', text: plain(cut(p, slackLimits.sectionText)) });
  if (view.actions.length > 0) {
    // An action id must be unique within its block: the same verb for several reports (a listing) gets a block each.
    const repeated = new Set(view.actions.map((a) => a.verb)).size < view.actions.length;
    if (!repeated) blocks.push({ type: 'actions', block_id: 'actions', elements: view.actions.map((a) => button(a, view.inputs)) });
    else view.actions.forEach((a, i) => blocks.push({ type: 'actions', block_id: `actions-${i}`, elements: [button(a, view.inputs)] }));
  }
  return blocks;
}

/** Whether a message's blocks are within the bot's budget (block count and all their text). */
export function messageFits(blocks: Block[]): boolean {
  return blocks.length <= slackLimits.messageBlocks && blockTextLength(blocks) <= slackLimits.messageText;
}

/**
 * A message's blocks, with its fallback text (the title), shortened until they fit a
 * Slack message ("… the rest in View details", "…and N more").
 */
export function messageBlocks(view: MessageView): { text: string; blocks: Block[] } {
  const fitted = fitView(view, (v) => messageFits(renderMessage(v)));
  return { text: cut(fitted.title, slackLimits.sectionText), blocks: renderMessage(fitted) };
}

/**
 * A report's details in a modal, with no buttons. Nothing is cut: a long answer is
 * split over several sections ("(continued)"), up to Slack's 100 blocks a modal, which
 * the longest report the forms accept stays well within.
 */
export function detailsModal(view: MessageView): ModalView {
  const blocks = headerAndStatus(view);
  let fields: Block[] = [];
  const flush = () => {
    if (fields.length > 0) blocks.push({ type: 'section', fields });
    fields = [];
  };
  for (const f of view.facts) {
    const title = factTitle(f.title);
    if (title.length + escapeMrkdwn(f.value).length <= slackLimits.field) {
      fields.push(mrkdwn(title + escapeMrkdwn(f.value)));
      if (fields.length === slackLimits.fields) flush();
      continue;
    }
    flush();
    const more = factTitle(`${f.title} (continued)`);
    const pieces = splitText(f.value, (piece) => more.length + escapeMrkdwn(piece).length <= slackLimits.sectionText);
    pieces.forEach((piece, i) => blocks.push({ type: 'section', text: mrkdwn((i === 0 ? title : more) + escapeMrkdwn(piece)) }));
  }
  flush();
  for (const p of view.paragraphs)
    for (const piece of splitText(p, (x) => x.length <= slackLimits.sectionText)) blocks.push({ type: 'section', text: plain(piece) });
  if (blocks.length > slackLimits.modalBlocks) {
    const hidden = blocks.length - (slackLimits.modalBlocks - 1);
    blocks.splice(slackLimits.modalBlocks - 1);
    blocks.push({ type: 'section', text: plain(`This report is too long for one Slack window: ${hidden} more part(s) are not shown here. Ask the DSL for the full record.`) });
  }
  return { type: 'modal', callback_id: 'details', title: plain(cut('Report details', slackLimits.modalTitle)), close: plain('Close'), blocks };
}

/** The first modal of /report: which kind of concern. */
export function kindModal(): ModalView {
  return {
    type: 'modal',
    callback_id: 'report_kind',
    title: plain('Report a concern'),
    submit: plain('Next'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: plain('Only the people who need to know will see it. If a child is in immediate danger, call 999 and tell the DSL in person now.') },
      {
        type: 'input',
        block_id: 'kind',
        label: plain('What is it about?'),
        element: { type: 'radio_buttons', action_id: 'value', options: kindChoices.map((c) => ({ text: plain(c.title), value: c.value })) },
      },
    ],
  };
}

const maxFiles = 10;

function fieldBlock(f: FieldView): Block {
  const option = (c: { title: string; value: string }) => ({ text: plain(cut(c.title, 75)), value: c.value });
  const initial = f.choices?.find((c) => c.value === f.value);
  let element: Block;
  switch (f.kind) {
    case 'date':
      element = { type: 'datepicker', ...(f.value ? { initial_date: f.value } : {}) };
      break;
    case 'time':
      element = { type: 'timepicker', ...(f.value ? { initial_time: f.value } : {}) };
      break;
    case 'choice':
    case 'yesno':
      element = { type: 'radio_buttons', options: (f.choices ?? []).map(option), ...(initial ? { initial_option: option(initial) } : {}) };
      break;
    case 'person':
      element = { type: 'static_select', placeholder: plain('Choose'), options: (f.choices ?? []).slice(0, slackLimits.selectOptions).map(option), ...(initial ? { initial_option: option(initial) } : {}) };
      break;
    default: {
      const maxLength = Math.min(f.maxLength, slackLimits.plainTextInput);
      element = {
        type: 'plain_text_input',
        multiline: f.kind === 'multiline' || f.kind === 'urls',
        max_length: maxLength,
        ...(f.placeholder ? { placeholder: plain(cut(f.placeholder, slackLimits.placeholder)) } : {}),
        ...(f.value ? { initial_value: f.value.slice(0, maxLength) } : {}),
      };
    }
  }
  return { type: 'input', block_id: f.id, optional: !f.required, label: plain(cut(f.label, 2000)), element: { ...element, action_id: 'value' } };
}

/**
 * A kind's report form as a modal. Cyberbullying adds a file input for up to ten
 * screenshots (images and PDF) with when they were taken and when the post was made;
 * the nude-images form has no upload and shows the guidance (G2).
 */
export function formModal(view: FormView, withFiles: boolean): ModalView {
  const blocks: Block[] = view.paragraphs.map((p) => ({ type: 'section', text: plain(p) }));
  // A select shows at most 100 people: with more, the name is typed instead (a typed name names them, G1).
  const tooMany = (f: FieldView) => f.kind === 'person' && (f.choices ?? []).length > slackLimits.selectOptions;
  if (view.fields.some(tooMany)) blocks.push({ type: 'section', text: plain('The list of staff is too long to show here: type the name instead.') });
  // Slack asks the screenshots' times with its own date-and-time pickers, beside the files.
  blocks.push(...view.fields.filter((f) => !tooMany(f) && !f.id.startsWith(screenshotFieldPrefix)).map(fieldBlock));
  if (withFiles) {
    blocks.push(
      {
        type: 'input',
        block_id: 'evidence.files',
        optional: true,
        label: plain(`Screenshots (up to ${maxFiles}: images or PDF)`),
        element: { type: 'file_input', action_id: 'value', filetypes: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'pdf'], max_files: maxFiles },
      },
      { type: 'input', block_id: 'evidence.takenAt', optional: true, label: plain('When the screenshots were taken'), element: { type: 'datetimepicker', action_id: 'value' } },
      { type: 'input', block_id: 'evidence.postedAt', optional: true, label: plain('When the post was made'), element: { type: 'datetimepicker', action_id: 'value' } },
    );
  }
  return {
    type: 'modal',
    callback_id: 'report_form',
    private_metadata: JSON.stringify({ kind: view.kind }),
    title: plain(cut(view.title, 24)),
    submit: plain('Send report'),
    close: plain('Cancel'),
    blocks,
  };
}

/** A modal that finishes one step of a report (a decision, a block task), for core to record. */
function stepModal(callback: string, title: string, intro: string, value: ButtonValue, inputs: Block[]): ModalView {
  return {
    type: 'modal',
    callback_id: callback,
    private_metadata: JSON.stringify({ reportId: value.reportId, dutyId: value.dutyId }),
    title: plain(title),
    submit: plain(title),
    close: plain('Cancel'),
    blocks: [{ type: 'section', text: plain(intro) }, ...inputs],
  };
}

/** The headteacher's or chair's decision: the rule's choices and a required reason. */
export function decisionModal(value: ButtonValue): ModalView {
  return stepModal('decide', 'Record decision', 'Choose what happens next and give the reason. The people who need to know are told.', value, [
    {
      type: 'input',
      block_id: 'choice',
      label: plain('Decision'),
      element: {
        type: 'radio_buttons',
        action_id: 'value',
        options: (value.choices ?? []).slice(0, slackLimits.radioOptions).map((c) => ({ text: plain(cut(c.title, slackLimits.optionText)), value: c.value })),
      },
    },
    { type: 'input', block_id: 'reason', label: plain('Reason'), element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: textLimits.decisionReason } },
  ]);
}

/** The ICT technician's "Mark blocked": what was done; who and when are recorded by core. */
export function taskModal(value: ButtonValue): ModalView {
  return stepModal('complete_task', 'Mark blocked', 'Say what you did (for example, the domain blocked on the web filter). Who and when are recorded.', value, [
    { type: 'input', block_id: 'action', label: plain('Action taken'), element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: textLimits.ictAction } },
  ]);
}

/** The App Home: the person's own reports (G6) and, for those who act on reports, the open queue. */
export function homeView(sections: { title: string; rows: { title: string; value: string }[]; empty: string }[]): Record<string, unknown> {
  const blocks: Block[] = [];
  for (const s of sections) {
    blocks.push({ type: 'header', text: plain(s.title) });
    if (s.rows.length === 0) blocks.push({ type: 'section', text: plain(s.empty) });
    for (const r of s.rows.slice(0, 40)) blocks.push({ type: 'section', text: mrkdwn(factTitle(r.title) + escapedWithin(r.value, 2000, escapeMrkdwn)) });
    // Sections come a page at a time (41 rows at most), so past 40 the count is not known.
    if (s.rows.length > 40) blocks.push({ type: 'section', text: plain(s.rows.length === 41 ? '…and more.' : `…and ${s.rows.length - 40} more.`) });
    blocks.push({ type: 'divider' });
  }
  return { type: 'home', blocks };
}
