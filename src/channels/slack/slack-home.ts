import { setImmediate as nextTurn } from 'node:timers/promises';
import { formatLocal } from '../../core/working-time.js';
import { changeCounter } from '../../store/change-counter.js';
import { homeView } from './slack-blocks.js';
import { caseRoles, queueRead, queueRows, queueView, type QueueItem } from '../../views/queue-views.js';
import type { SlackContext } from './slack-context.js';

/** App Home shows this many rows a section (then "…and more."). */
const homeRows = 40;
/** The open cases are read this many at a time, the event loop free between pages. */
const homePage = 50;
/** A drawn App Home is shown again for this long while nothing has changed (deadlines pass with time). */
const reuseMs = 30_000;

type View = ReturnType<typeof homeView>;

export interface HomeTab {
  /** Resolves once every App Home asked for so far is drawn and published (the channel's stop waits for it). */
  settled(): Promise<void>;
}

/**
 * App Home: staff see their own receipts; the DSL, deputies and headteacher the open queue.
 *
 * No request waits behind App Home: the event is answered at once (after its id is
 * stored, so a retry is not drawn twice), and the tab is drawn afterwards, one person at
 * a time, the open cases a page at a time with the event loop free between pages, so a
 * `/report` or a form sent meanwhile is answered in between. A person who opens App Home
 * again while theirs waits is drawn once; a tab drawn since the last change (and within
 * 30 s) is published again as it was, not read again.
 */
export function registerHome(s: SlackContext): HomeTab {
  const { app, client, d, refs, actor } = s;
  const dir = d.directory;
  const version = changeCounter(d.db);
  const waiting = new Set<string>();
  const drawn = new Map<string, { version: number; at: number; view: View }>();
  /** Each person's last publish: the next one goes after it, so an older tab never lands last. */
  const publishing = new Map<string, Promise<void>>();
  let drawing: Promise<void> | undefined;

  async function draw(slackUser: string): Promise<View> {
    const me = actor(slackUser);
    const roles = dir.rolesOf(me);
    const at = (iso: string) => formatLocal(new Date(iso), dir.timeZone);
    const sections = [
      {
        title: 'Your reports',
        empty: 'You have not made any reports. Type /report to make one.',
        rows: d.workflow.receipts(me, { limit: homeRows + 1 }).map((r) => ({ title: r.reference, value: `${r.kindLabel}: ${r.status} (reported ${at(r.submittedAt)})` })),
      },
    ];
    const queue: QueueItem[] = [];
    for (let after: string | undefined; queue.length < queueRead; ) {
      const limit = Math.min(homePage, queueRead - queue.length);
      const page = d.workflow.openQueue(me, { limit, ...(after ? { after } : {}) });
      queue.push(...page);
      after = page.at(-1)?.reportId;
      if (page.length < limit || !after) break;
      await nextTurn();
    }
    if (queue.length > 0 || roles.some((r) => caseRoles.includes(r))) {
      // The same open-case list as Teams and the sandbox: theirs first, overdue marked (G1 in core).
      const view = queueView(queue, dir.timeZone);
      sections.push({ title: view.cases.length > 0 ? `Open cases: ${view.summary}` : 'Open cases', empty: 'Nothing is waiting for you.', rows: queueRows(view) });
    }
    return homeView(sections);
  }

  async function viewFor(slackUser: string): Promise<View> {
    const v = version();
    const now = d.clock().getTime();
    const kept = drawn.get(slackUser);
    if (kept && kept.version === v && now >= kept.at && now - kept.at < reuseMs) return kept.view;
    const view = await draw(slackUser);
    // Kept under the counter read before drawing: a change while drawing is drawn next time.
    drawn.set(slackUser, { version: v, at: now, view });
    if (drawn.size > 500) for (const [user, k] of drawn) if (now - k.at >= reuseMs) drawn.delete(user);
    return view;
  }

  function publish(slackUser: string, view: View): void {
    const previous = publishing.get(slackUser) ?? Promise.resolve();
    const next = previous
      .then(() => client.views.publish({ user_id: slackUser, view: view as never }))
      .then(
        () => undefined,
        (err: unknown) => d.log.warn({ slackUserId: slackUser, code: (err as { code?: string }).code }, 'Slack: App Home could not be published'),
      )
      .finally(() => {
        if (publishing.get(slackUser) === next) publishing.delete(slackUser);
      });
    publishing.set(slackUser, next);
  }

  async function drawWaiting(): Promise<void> {
    try {
      await nextTurn(); // the event's answer goes first
      for (let user = first(waiting); user !== undefined; user = first(waiting)) {
        waiting.delete(user);
        try {
          publish(user, await viewFor(user));
        } catch (err) {
          d.log.warn({ slackUserId: user, code: (err as { code?: string }).code }, 'Slack: App Home could not be drawn');
        }
      }
    } finally {
      drawing = undefined;
    }
  }

  app.event('app_home_opened', async ({ event, body }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !refs.markHandled(`event:${eventId}`, d.clock())) return; // a retried delivery
    waiting.add(event.user);
    drawing ??= drawWaiting();
  });

  return {
    async settled() {
      while (drawing || publishing.size > 0) await Promise.all([drawing, ...publishing.values()]);
    },
  };
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}
