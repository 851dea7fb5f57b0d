import { kindChoices, type FieldView, type FormView } from '../../views/report-forms.js';
import type { ActionView, InputView, MessageView } from '../../views/view-model.js';

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

/**
 * Escapes text for mrkdwn: the three characters Slack asks apps to escape, which also
 * takes the teeth out of <!channel>, <!here>, <@U…> and <url|label>. Formatting
 * characters are neutralised too, so typed text shows as typed.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_~`])/g, '\u200b$1\u200b')
    .replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');
}

/** The button value: which report and step, and (for a decision) the choices the modal offers. */
export interface ButtonValue {
  reportId: string;
  dutyId?: string;
  choices?: { title: string; value: string }[];
}

function button(action: ActionView, inputs: InputView[]): Block {
  const value: ButtonValue = { ...action.data, ...(action.verb === 'decide' ? { choices: inputs.find((i) => i.id === 'choice')?.choices ?? [] } : {}) };
  return {
    type: 'button',
    action_id: action.verb,
    text: plain(action.title),
    value: JSON.stringify(value),
    ...(action.style === 'positive' ? { style: 'primary' } : action.style === 'destructive' ? { style: 'danger' } : {}),
  };
}

/** A message's blocks, with its fallback text (the title). */
export function messageBlocks(view: MessageView): { text: string; blocks: Block[] } {
  const blocks: Block[] = [];
  const urgent = view.urgent && !/^urgent/i.test(view.title) ? 'URGENT: ' : '';
  blocks.push({ type: 'header', text: plain(cut(`${urgent}${view.title}`, 150)) });
  if (view.status) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: *${escapeMrkdwn(view.status)}*` } });
  for (let i = 0; i < view.facts.length; i += 10)
    blocks.push({
      type: 'section',
      fields: view.facts.slice(i, i + 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${escapeMrkdwn(f.title)}*\n${escapeMrkdwn(f.value)}`, 2000) })),
    });
  for (const p of view.paragraphs) blocks.push({ type: 'section', text: plain(cut(p, 3000)) });
  if (view.actions.length > 0) blocks.push({ type: 'actions', block_id: 'actions', elements: view.actions.map((a) => button(a, view.inputs)) });
  return { text: view.title, blocks };
}

/** A view shown in a modal (details), with no buttons. */
export function detailsModal(view: MessageView): ModalView {
  const { blocks } = messageBlocks({ ...view, actions: [] });
  return { type: 'modal', callback_id: 'details', title: plain(cut('Report details', 24)), close: plain('Close'), blocks };
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
      element = { type: 'static_select', placeholder: plain('Choose'), options: (f.choices ?? []).slice(0, 100).map(option), ...(initial ? { initial_option: option(initial) } : {}) };
      break;
    default:
      element = {
        type: 'plain_text_input',
        multiline: f.kind === 'multiline' || f.kind === 'urls',
        ...(f.placeholder ? { placeholder: plain(f.placeholder) } : {}),
        ...(f.value ? { initial_value: f.value } : {}),
      };
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
  blocks.push(...view.fields.map(fieldBlock));
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
      element: { type: 'radio_buttons', action_id: 'value', options: (value.choices ?? []).map((c) => ({ text: plain(c.title), value: c.value })) },
    },
    { type: 'input', block_id: 'reason', label: plain('Reason'), element: { type: 'plain_text_input', action_id: 'value', multiline: true } },
  ]);
}

/** The ICT technician's "Mark blocked": what was done; who and when are recorded by core. */
export function taskModal(value: ButtonValue): ModalView {
  return stepModal('complete_task', 'Mark blocked', 'Say what you did (for example, the domain blocked on the web filter). Who and when are recorded.', value, [
    { type: 'input', block_id: 'action', label: plain('Action taken'), element: { type: 'plain_text_input', action_id: 'value', multiline: true } },
  ]);
}

/** The App Home: the person's own reports (G6) and, for those who act on reports, the open queue. */
export function homeView(sections: { title: string; rows: { title: string; value: string }[]; empty: string }[]): Record<string, unknown> {
  const blocks: Block[] = [];
  for (const s of sections) {
    blocks.push({ type: 'header', text: plain(s.title) });
    if (s.rows.length === 0) blocks.push({ type: 'section', text: plain(s.empty) });
    for (const r of s.rows.slice(0, 40)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(r.title)}*\n${escapeMrkdwn(r.value)}` } });
    blocks.push({ type: 'divider' });
  }
  return { type: 'home', blocks };
}
