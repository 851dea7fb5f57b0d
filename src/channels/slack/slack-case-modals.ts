import { textLimits } from '../../core/text-limits.js';
import type { ActionView, InputView, MessageView } from '../../views/view-model.js';
import type { Reply } from '../conversation.js';
import { detailsModal, type ModalView } from './slack-blocks.js';
import { slackLimits } from './slack-budget.js';

/**
 * Slack's side of the shared conversation verbs: a view with inputs (the decision, the
 * block task, close, reopen, a note) becomes a modal whose submission calls the same
 * verb Teams and the sandbox call; View details becomes the details modal, with the
 * case's buttons (Close, Reopen, Add note) under it.
 */
type Block = Record<string, unknown>;
const plain = (text: string) => ({ type: 'plain_text' as const, text: text.slice(0, slackLimits.sectionText), emoji: false });
const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** Modal titles (Slack allows 24 characters), by the verb the modal submits. */
const modalTitles: Record<string, string> = {
  decide: 'Record decision',
  complete_task: 'Mark blocked',
  close: 'Close the case',
  reopen: 'Reopen the case',
  note: 'Add a note',
};
/** The verbs a modal submits: each is its callback id. */
export const modalVerbs = Object.keys(modalTitles);

function inputBlock(i: InputView): Block {
  const element =
    i.kind === 'choice'
      ? { type: 'radio_buttons', options: (i.choices ?? []).slice(0, slackLimits.radioOptions).map((c) => ({ text: plain(cut(c.title, slackLimits.optionText)), value: c.value })) }
      : { type: 'plain_text_input', multiline: i.kind === 'multiline', max_length: Math.min(i.maxLength ?? textLimits.input, slackLimits.plainTextInput) };
  return { type: 'input', block_id: i.id, optional: !i.required, label: plain(cut(i.label, slackLimits.inputLabel)), element: { ...element, action_id: 'value' } };
}

/** A view with inputs and one submitting action as a modal; its metadata carries the action's ids. */
export function inputModal(view: MessageView, action: ActionView): ModalView {
  const title = modalTitles[action.verb] ?? 'Safeguarding';
  return {
    type: 'modal',
    callback_id: action.verb,
    private_metadata: JSON.stringify(action.data),
    title: plain(cut(title, slackLimits.modalTitle)),
    submit: plain(cut(title, slackLimits.modalTitle)),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: plain(cut(view.title, slackLimits.sectionText)) },
      ...view.paragraphs.map((p) => ({ type: 'section', text: plain(cut(p, slackLimits.sectionText)) })),
      ...view.inputs.map(inputBlock),
    ],
  };
}

/** View details as a modal, with the case's buttons (their value: the report id) under it. */
export function caseDetailsModal(view: MessageView): ModalView {
  const modal = detailsModal(view);
  const buttons = view.actions.filter((a) => a.verb === 'close_form' || a.verb === 'reopen_form' || a.verb === 'note_form');
  if (buttons.length === 0) return modal;
  const elements = buttons.map((a) => ({ type: 'button', action_id: a.verb, text: plain(cut(a.title, slackLimits.buttonText)), value: JSON.stringify(a.data) }));
  // A record too long for one window keeps its buttons: the last part before the "too long" line gives way.
  const blocks = modal.blocks.length < slackLimits.modalBlocks ? modal.blocks : [...modal.blocks.slice(0, slackLimits.modalBlocks - 2), ...modal.blocks.slice(-1)];
  return { ...modal, blocks: [...blocks, { type: 'actions', block_id: 'case', elements }] };
}

/**
 * How the shared verbs answer on Slack, for one button press: a form or the details open
 * as a modal (pushed on top when the button was in a modal); text goes to the person
 * alone, unless a modal already answered.
 */
export function slackReply(open: (view: ModalView) => Promise<void>, say: (text: string) => Promise<void>): Reply {
  let opened = false;
  const privately = async (view: MessageView) => {
    const submit = view.inputs.length > 0 ? view.actions.find((a) => modalVerbs.includes(a.verb)) : undefined;
    await open(submit ? inputModal(view, submit) : caseDetailsModal(view));
    opened = true;
  };
  return {
    form: async () => undefined, // report forms are Slack's own modals (slack-report-modals.ts)
    message: async () => undefined, // the cards are updated by the outbox
    text: async (text) => {
      if (!opened) await say(text);
    },
    privately,
  };
}

/** A modal's submission as the shared verb: its metadata's ids and its answers. */
export function submissionAction(verb: string, meta: { reportId: string; dutyId?: string | undefined }, answers: Record<string, unknown>): Record<string, unknown> {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const values = Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, text(v)]));
  return { ...values, verb, reportId: meta.reportId, ...(meta.dutyId ? { dutyId: meta.dutyId } : {}) };
}
