import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { wordsForError } from '../../views/error-words.js';
import { Conversation, type ActionContext } from '../conversation.js';
import { jsonOrUndefined } from '../wire-body.js';
import { decisionModal, taskModal, type ButtonValue, type ModalView } from './slack-blocks.js';
import { slackReply, submissionAction } from './slack-case-modals.js';
import { answers, modalErrors, type SlackContext } from './slack-context.js';

const buttonValueSchema = z.object({
  reportId: z.string().min(1).max(100),
  dutyId: z.string().min(1).max(100).optional(),
  choices: z.array(z.object({ title: z.string(), value: z.string() })).max(20).optional(),
});
const metaSchema = z.object({ reportId: z.string().min(1).max(100), dutyId: z.string().max(100).optional() });

/** Where each modal's errors go when core's refusal names no field. */
const firstBlocks: Record<string, string> = { decide: 'choice', complete_task: 'action', close: 'outcome', reopen: 'reason', note: 'what' };

/**
 * The buttons on report messages and in View details, and the modals they open. What each
 * verb does is the shared conversation's (src/channels/conversation.ts), as on Teams and
 * in the sandbox; Slack adds only its modals for the inputs (decide, mark blocked, close,
 * reopen, a note), whose submissions call the same verbs.
 */
export function registerButtons(s: SlackContext): void {
  const { app, client, d, ephemeral } = s;
  const conversation = new Conversation({ channel: 'slack', workflow: d.workflow, directory: d.directory, refs: s.refs, clock: d.clock, log: d.log, kick: () => d.dispatcher.kick() });
  const buttonValue = (raw: unknown): ButtonValue | undefined => {
    const parsed = buttonValueSchema.safeParse(jsonOrUndefined(raw));
    return parsed.success ? (parsed.data as ButtonValue) : undefined;
  };
  type ActionBody = { user: { id: string }; channel?: { id: string }; view?: { id: string }; message?: { ts?: string }; trigger_id: string; actions: { value?: string }[] };
  const context = (b: ActionBody): ActionContext => ({
    actorId: s.actor(b.user.id),
    userId: b.user.id,
    personal: !b.channel || b.channel.id.startsWith('D'),
    conversationId: b.channel?.id ?? 'modal',
    cardId: b.message?.ts,
  });
  const onButton = (verb: string, run: (b: ActionBody, value: ButtonValue) => Promise<void>) =>
    app.action(verb, async ({ ack, body }) => {
      await ack();
      const b = body as unknown as ActionBody;
      const value = buttonValue(b.actions[0]?.value);
      if (!value) return void (await ephemeral(b.channel?.id, b.user.id, 'That button is out of date or not one of mine.'));
      try {
        await run(b, value);
      } catch (err) {
        if (!(err instanceof DomainError)) d.log.error({ err, verb, reportId: value.reportId }, 'Slack: button failed');
        await ephemeral(b.channel?.id, b.user.id, wordsForError(err));
      }
    });
  // A modal opened from a button in a modal is pushed on top of it.
  const open = (b: ActionBody) => async (view: ModalView) => {
    if (b.view) await client.views.push({ trigger_id: b.trigger_id, view: view as never });
    else await client.views.open({ trigger_id: b.trigger_id, view: view as never });
  };

  // The shared verbs: acknowledge, View details, and the case's forms (close, reopen, a note).
  for (const verb of ['acknowledge', 'view', 'close_form', 'reopen_form', 'note_form'])
    onButton(verb, async (b, value) => {
      const reply = slackReply(open(b), (text) => ephemeral(b.channel?.id, b.user.id, text));
      await conversation.cardAction(context(b), { ...value, verb }, reply);
    });
  // Slack's own input modals for the decision and the block task.
  onButton('decide', async (b, value) => open(b)(decisionModal(value)));
  onButton('complete_task', async (b, value) => open(b)(taskModal(value)));

  // Every modal's submission is the shared verb, its refusal shown next to its field.
  for (const verb of Object.keys(firstBlocks))
    app.view(verb, async ({ ack, body, view }) => {
      const firstBlock = firstBlocks[verb] as string;
      const meta = metaSchema.safeParse(jsonOrUndefined(view.private_metadata));
      if (!meta.success) return void (await ack({ response_action: 'errors', errors: { [firstBlock]: 'This form is out of date.' } }));
      const ctx: ActionContext = { actorId: s.actor(body.user.id), userId: body.user.id, personal: true, conversationId: 'modal', eventId: view.id };
      const said: string[] = [];
      const reply = slackReply(async () => undefined, async (text) => void said.push(text));
      try {
        const done = await conversation.act(ctx, submissionAction(verb, meta.data, answers(view.state.values)), reply);
        if (!done) return void (await ack({ response_action: 'errors', errors: { [firstBlock]: 'This form is out of date.' } }));
        await ack();
      } catch (err) {
        const errors = err instanceof DomainError && err.issues.length > 0 ? modalErrors(err.issues, undefined, firstBlock) : { [firstBlock]: wordsForError(err) };
        await ack({ response_action: 'errors', errors });
      }
    });
}
