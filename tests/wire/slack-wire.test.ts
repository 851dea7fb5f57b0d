import { afterEach, describe, expect, it } from 'vitest';
import { example, tinyPng } from '../support/harness.js';
import { sign, slackHarness, slackId, slackSample, type SlackHarness } from '../support/slack-harness.js';
import { buttonOf, buttonPress, fileReport, formState, viewSubmission } from '../slack/slack-flow.js';

// Issue 9, items 5, 6, 7 and well-formed strings, over the Slack wire: the real Bolt app
// on 127.0.0.1, requests signed as Slack signs them.
let h: SlackHarness;
afterEach(async () => h?.close());

type Json = Record<string, unknown>;
const form = 'application/x-www-form-urlencoded';
const reports = () => h.app.store.listReportsNotClosed().length;

/** Posts and times it. */
async function timed(run: () => Promise<{ status: number; body: unknown }>): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await run();
  return { ...res, ms: performance.now() - t0 };
}

describe('Slack signatures in both directions of time (item 5)', () => {
  it('refuses a request stamped more than 5 minutes in the future or past; accepts one within', async () => {
    h = await slackHarness();
    const body = new URLSearchParams({ ...(slackSample('slash-command.json').form_fields as Record<string, string>), command: '/report', user_id: slackId('amy-clarke') }).toString();
    const now = Math.floor(Date.now() / 1000);
    for (const skew of [600, 330, -330, -600, 10 ** 9]) expect((await h.post(body, form, sign(body, now + skew))).status, `skew ${skew}`).toBe(401);
    expect(h.api.of('views.open')).toEqual([]);
    for (const skew of [270, -270, 0]) expect((await h.post(body, form, sign(body, now + skew))).status, `skew ${skew}`).toBe(200);
    expect(h.api.of('views.open')).toHaveLength(3);
    // A timestamp that is not a number, two signatures, none: refused too.
    expect((await h.post(body, form, { ...sign(body, now), 'x-slack-request-timestamp': `${now}.5` })).status).toBe(401);
    expect((await h.post(body, form, { 'x-slack-signature': 'v0=00' })).status).toBe(401);
  });

  it('reads the wall clock for signatures, not the core clock tests move', async () => {
    h = await slackHarness({ start: '2031-01-01T09:00:00Z' });
    h.clock.advanceMinutes(60 * 24 * 365);
    expect((await h.command('amy-clarke')).status).toBe(200);
  });
});

describe('G2 before any download (item 6)', () => {
  it('a nude-images submission carrying a file is refused: nothing stored, nothing queued, nothing fetched', async () => {
    h = await slackHarness();
    h.api.files.set('photo.png', Buffer.from(tinyPng));
    const ex = example(6);
    const file = { id: 'F0NUDE0001', name: 'photo.png', mimetype: 'image/png', url_private_download: `${h.api.url}files/photo.png` };
    const res = await h.interaction(
      viewSubmission(ex.reporter, {
        callback_id: 'report_form',
        private_metadata: JSON.stringify({ kind: 'nude_images' }),
        state: formState('nude_images', ex.report, { 'evidence.files': { value: { type: 'file_input', files: [file] } } }),
      }),
    );
    expect(res.status).toBe(200);
    const body = res.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.values(body.errors).join(' ')).toMatch(/takes no files.*Do not view, copy/);
    expect(reports()).toBe(0);
    expect(h.app.store.listOutbox()).toEqual([]);
    await h.app.services[0]?.runDue?.();
    expect(h.api.downloads).toEqual([]);
    // The same form without the file is a report, as before.
    const sent = await h.interaction(viewSubmission(ex.reporter, { callback_id: 'report_form', private_metadata: JSON.stringify({ kind: 'nude_images' }), state: formState('nude_images', ex.report) }));
    expect(sent.body).toBeFalsy();
    expect(reports()).toBe(1);
  });
});

describe('Malformed input gets a prompt 4xx (item 7)', () => {
  it('block_actions with no user, or actions not an array; view_submission with no view.state: 400, nothing done', async () => {
    h = await slackHarness();
    const press = buttonPress('jo-patel', 'acknowledge', '{"reportId":"x"}', { channel: 'C0DSLPRIV01', ts: '1.000100' });
    const noUser = { ...press };
    delete noUser.user;
    const cases: Json[] = [
      noUser,
      { ...press, user: { name: 'x' } },
      { ...press, actions: { action_id: 'acknowledge' } },
      { ...press, actions: 'acknowledge' },
      { ...press, actions: [] },
      { ...viewSubmission('amy-clarke', { callback_id: 'report_form', state: {} }), view: { id: 'V1', callback_id: 'report_form', private_metadata: '{}' } },
      { ...viewSubmission('amy-clarke', { callback_id: 'report_form', state: {} }), view: null },
      { ...press, response_urls: [null] },
      { ...press, authorizations: [null] },
      { ...press, team: { id: 'constructor' } },
      { ...press, channel: null },
      { ...press, team: null, user: null },
      { ...viewSubmission('amy-clarke', { callback_id: 'report_form', state: {} }), view: { id: 'V1', callback_id: 'report_form', state: { values: {} }, app_installed_team_id: 'constructor' } },
    ];
    for (const payload of cases) {
      const res = await timed(() => h.interaction(payload));
      expect(res.status, JSON.stringify(payload).slice(0, 200)).toBe(400);
      expect(res.ms).toBeLessThan(1000);
    }
    expect(h.api.calls.filter((c) => c.method !== 'auth.test' && c.method !== 'conversations.info')).toEqual([]);
  });

  it('private_metadata or a button value that is not JSON: a form error or a private "out of date", never a 5xx', async () => {
    h = await slackHarness();
    const ex = example(1);
    for (const meta of ['{', 'not json', '{"kind":"nope"}', '[1,2', '"\\ud800"']) {
      const res = await h.interaction(viewSubmission(ex.reporter, { callback_id: 'report_form', private_metadata: meta, state: formState('friend_request', ex.report) }));
      expect(res.status).toBe(200);
      expect((res.body as { response_action: string }).response_action).toBe('errors');
      const step = await h.interaction(viewSubmission('alex-morgan', { callback_id: 'decide', private_metadata: meta, state: {} }));
      expect(step.status).toBe(200);
      expect(JSON.stringify(step.body)).toContain('out of date');
    }
    expect(reports()).toBe(0);
    for (const value of ['{', '', '{"reportId":5}', '%E0%A4%A']) {
      const res = await h.interaction(buttonPress('jo-patel', 'acknowledge', value, { channel: 'C0DSLPRIV01', ts: '1.000100' }));
      expect(res.status).toBe(200);
    }
    expect(h.api.of('chat.postEphemeral').map((c) => c.body.text)).toEqual(Array(4).fill('That button is out of date or not one of mine.'));
  });

  it('bad JSON, deeply nested JSON, a "URI malformed" body, a field given twice, a body that is not a form or JSON: 4xx', async () => {
    h = await slackHarness();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const bodies: [string, string][] = [
      ['{"type": "event_callback",', 'application/json'],
      [deep, 'application/json'],
      [`payload=${encodeURIComponent(deep)}`, form],
      [`payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', deep: JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`) }))}`, form],
      ['payload=%E0%A4%A', form],
      ['payload=%7B%22type%22%3A', form],
      ['command=%2Freport&user_id=U1&user_id=U2&trigger_id=t', form],
      ['command=%2Freport&user_id=%E0%A4%A&trigger_id=%', form],
      ['hello', 'text/plain'],
      ['', 'application/json'],
      ['[1,2,3]', 'application/json'],
    ];
    for (const [body, type] of bodies) {
      const res = await timed(() => h.post(body, type));
      expect(res.status, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.status, body.slice(0, 80)).toBeLessThan(500);
      expect(res.ms).toBeLessThan(1000);
    }
  });

  it('unknown action ids, view callbacks, shortcuts, commands and event types are answered at once', async () => {
    h = await slackHarness();
    const press = buttonPress('jo-patel', 'no_such_action', '{"reportId":"x"}', { channel: 'C0DSLPRIV01', ts: '1.000100' });
    const event = structuredClone(slackSample('app-home-opened-event.json').payload as Json);
    const requests: (() => Promise<{ status: number; body: unknown }>)[] = [
      () => h.interaction(press),
      () => h.interaction(viewSubmission('amy-clarke', { callback_id: 'no_such_view', state: {} })),
      () => h.interaction({ type: 'view_closed', user: { id: slackId('amy-clarke') }, view: { id: 'V1', callback_id: 'report_form' } }),
      () => h.interaction({ type: 'shortcut', callback_id: 'no_such_shortcut', trigger_id: 't', user: { id: slackId('amy-clarke') } }),
      () => h.interaction({ type: 'something_new', user: { id: slackId('amy-clarke') } }),
      () => h.interaction({ ...press, type: '__proto__' }),
      () => h.post('command=%ZZ&user_id=U0NEW&trigger_id=%', form),
      () => h.post(new URLSearchParams({ command: '/unknown', user_id: slackId('amy-clarke'), trigger_id: 't' }).toString(), form),
      () => h.event({ ...event, event: { type: 'reaction_added', user: slackId('amy-clarke') } }),
      () => h.event({ type: 'app_rate_limited', minute_rate_limited: 1 }),
    ];
    for (const run of requests) {
      const res = await timed(run);
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(1000);
    }
  });
});

describe('Strings that are not well-formed UTF-16 (from item 9)', () => {
  it('a lone surrogate in typed text is made well-formed, in an id refused, at the edge: the report is kept and the audit log verifies', async () => {
    h = await slackHarness();
    const ex = example(1);
    const { reference } = await fileReport(h, ex.reporter, { ...ex.report, platform: 'bad \ud800 text \udc00 here' });
    const stored = h.app.store.findReportByReference(reference);
    expect(JSON.stringify(stored)).toContain('bad \ufffd text \ufffd here');
    // Someone unknown with a lone surrogate in their id presses a button: refused and audited, well-formed.
    await h.deliver();
    const card = h.api.postedTo('C0DSLPRIV01').at(-1);
    const press = buttonPress('jo-patel', 'acknowledge', buttonOf(card, 'acknowledge'), { channel: 'C0DSLPRIV01', ts: card?.ts ?? '' });
    expect((await h.interaction({ ...press, user: { id: 'U0\ud800X', team_id: 'T0001' } })).status).toBe(400);
    expect((await h.interaction({ ...press, user: { id: 'U0STRANGER', name: '\ud83d' } })).status).toBe(200);
    expect(h.app.store.findReportByReference(reference)?.status).toBe('open');
    expect(h.app.store.verifyAudit()).toMatchObject({ ok: true });
    const actors = h.app.store.listAudit(stored?.id ?? '').map((e) => e.actor);
    for (const a of actors) expect((a as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
  });
});
