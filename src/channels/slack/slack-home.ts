import { formatLocal } from '../../core/working-time.js';
import { homeView } from './slack-blocks.js';
import { caseRoles, queueRead, queueRows, queueView } from '../../views/queue-views.js';
import type { SlackContext } from './slack-context.js';

/** App Home shows this many rows a section (then "…and more."). */
const homeRows = 40;

/** App Home: staff see their own receipts; the DSL, deputies and headteacher the open queue. */
export function registerHome(s: SlackContext): void {
  const { app, client, d, refs, actor } = s;
  const dir = d.directory;
  app.event('app_home_opened', async ({ event, body }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !refs.markHandled(`event:${eventId}`, d.clock())) return; // a retried delivery
    const me = actor(event.user);
    const roles = dir.rolesOf(me);
    const at = (iso: string) => formatLocal(new Date(iso), dir.timeZone);
    const sections = [
      {
        title: 'Your reports',
        empty: 'You have not made any reports. Type /report to make one.',
        rows: d.workflow.receipts(me, { limit: homeRows + 1 }).map((r) => ({ title: r.reference, value: `${r.kindLabel}: ${r.status} (reported ${at(r.submittedAt)})` })),
      },
    ];
    const queue = d.workflow.openQueue(me, { limit: queueRead });
    if (queue.length > 0 || roles.some((r) => caseRoles.includes(r))) {
      // The same open-case list as Teams and the sandbox: theirs first, overdue marked (G1 in core).
      const view = queueView(queue, dir.timeZone);
      sections.push({ title: view.cases.length > 0 ? `Open cases: ${view.summary}` : 'Open cases', empty: 'Nothing is waiting for you.', rows: queueRows(view) });
    }
    await client.views.publish({ user_id: event.user, view: homeView(sections) as never });
  });
}
