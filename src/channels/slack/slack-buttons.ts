import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { wordsForError } from '../../views/error-words.js';
import { reportDetailsView } from '../../views/message-views.js';
import { decisionModal, detailsModal, taskModal, type ButtonValue } from './slack-blocks.js';
import { answers, modalErrors, type SlackContext } from './slack-context.js';
import { jsonOrUndefined } from '../wire-body.js';

const buttonValueSchema = z.object({
  reportId: z.string().min(1).max(100),
  dutyId: z.string().min(1).max(100).optional(),
  choices: z.array(z.object({ title: z.string(), value: z.string() })).max(20).optional(),
});
const metaSchema = z.object({ reportId: z.string().min(1), dutyId: z.string().optional() });

/** The buttons on report messages (Acknowledge, View details, Decide, Mark blocked) and the decision and task modals. */
export function registerButtons(s: SlackContext): void {
  const { app, client, d, ephemeral } = s;
  const dir = d.directory;
  const actor = s.actor;
  const buttonValue = (raw: unknown): ButtonValue | undefined => {
    const parsed = buttonValueSchema.safeParse(jsonOrUndefined(raw));
    return parsed.success ? (parsed.data as ButtonValue) : undefined;
  };
  type ActionBody = { user: { id: string }; channel?: { id: string }; trigger_id: string; actions: { value?: string }[] };
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

  onButton('acknowledge', async (b, value) => {
    const r = d.workflow.acknowledge({ reportId: value.reportId, actorId: actor(b.user.id) });
    d.dispatcher.kick();
    if (!r.changed) await ephemeral(b.channel?.id, b.user.id, `${r.reference} was already acknowledged.`);
  });
  onButton('view', async (b, value) => {
    const v = await d.workflow.viewDetails({ reportId: value.reportId, actorId: actor(b.user.id) });
    await client.views.open({ trigger_id: b.trigger_id, view: detailsModal(reportDetailsView(v, dir, dir.timeZone)) as never });
  });
  onButton('decide', async (b, value) => {
    await client.views.open({ trigger_id: b.trigger_id, view: decisionModal(value) as never });
  });
  onButton('complete_task', async (b, value) => {
    await client.views.open({ trigger_id: b.trigger_id, view: taskModal(value) as never });
  });

  const stepModal = (callback: 'decide' | 'complete_task') =>
    app.view(callback, async ({ ack, body, view }) => {
      const meta = metaSchema.safeParse(jsonOrUndefined(view.private_metadata));
      const flat = answers(view.state.values);
      const firstBlock = callback === 'decide' ? 'choice' : 'action';
      if (!meta.success) return void (await ack({ response_action: 'errors', errors: { [firstBlock]: 'This form is out of date.' } }));
      const actorId = actor(body.user.id);
      const ids = { reportId: meta.data.reportId, actorId, ...(meta.data.dutyId ? { dutyId: meta.data.dutyId } : {}) };
      try {
        if (callback === 'decide') d.workflow.recordDecision({ ...ids, choice: String(flat.choice ?? ''), reason: String(flat.reason ?? '') });
        else d.workflow.completeTask({ ...ids, action: String(flat.action ?? '') });
        await ack();
        d.dispatcher.kick();
      } catch (err) {
        if (!(err instanceof DomainError)) d.log.error({ err, reportId: meta.data.reportId }, 'Slack: step failed');
        const errors = err instanceof DomainError && err.issues.length > 0 ? modalErrors(err.issues, undefined, firstBlock) : { [firstBlock]: wordsForError(err) };
        await ack({ response_action: 'errors', errors });
      }
    });
  stepModal('decide');
  stepModal('complete_task');
}
