import { afterEach, describe, expect, it } from 'vitest';
import { formValues } from '../../src/views/report-forms.js';
import { example } from '../support/harness.js';
import { sandboxHarness, type SandboxHarness } from '../support/sandbox-harness.js';

// The sandbox's HTTP API, as the page uses it: bad requests get a 4xx and change nothing.
let h: SandboxHarness;
afterEach(async () => h?.close());

const call = async (path: string, body?: unknown) => {
  const res = await fetch(`${h.url}sandbox/api/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
type State = { clock: string; conversations: { id: string; messages: { id: number; text?: string; card?: unknown }[] }[] };

describe('the sandbox API', () => {
  it('serves the page, the card renderer and the people; refuses unknown people and bad bodies with 400', async () => {
    h = await sandboxHarness();
    const page = await fetch(h.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/sandbox/adaptivecards/adaptivecards.min.js');
    expect((await fetch(`${h.url}sandbox/adaptivecards/adaptivecards.min.js`)).status).toBe(200);
    const people = await call('people');
    expect((people.body.people as { id: string; roles: string[] }[]).find((p) => p.id === 'jo-patel')?.roles).toEqual(['DSL']);
    expect((await call('state?as=nobody')).status).toBe(400);
    expect((await call('say', { as: 'nobody', text: 'report' })).status).toBe(400);
    expect((await call('say', { as: 'amy-clarke' })).status).toBe(400);
    expect((await call('action', { as: 'amy-clarke', conversation: 'chat', messageId: 'x', data: {} })).status).toBe(400);
    expect((await call('clock', { minutes: -5 })).status).toBe(400);
    const bad = await fetch(`${h.url}sandbox/api/say`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"as":' });
    expect(bad.status).toBe(400);
    expect(h.app.store.listReportsNotClosed()).toEqual([]);
  });

  it('a card can only be clicked in its own conversation, and the DSL channel only by its members', async () => {
    h = await sandboxHarness();
    await call('say', { as: 'amy-clarke', text: 'report' });
    const amy = (await call('state?as=amy-clarke')).body as unknown as State;
    const kindCard = amy.conversations[0]?.messages.find((m) => m.card)?.id ?? 0;
    // Ben clicking Amy's card, or anyone using the DSL channel without being in it: 404.
    expect((await call('action', { as: 'ben-hughes', conversation: 'chat', messageId: kindCard, data: { verb: 'choose_kind', kind: 'something_else' } })).status).toBe(404);
    expect((await call('action', { as: 'ben-hughes', conversation: 'dsl', messageId: kindCard, data: {} })).status).toBe(404);
    const ok = await call('action', { as: 'amy-clarke', conversation: 'chat', messageId: kindCard, data: { verb: 'choose_kind', kind: 'something_else' } });
    expect(ok.status).toBe(200);
    const ben = (await call('state?as=ben-hughes')).body as unknown as State;
    expect(ben.conversations.map((c) => c.id)).toEqual(['chat']);
    const jo = (await call('state?as=jo-patel')).body as unknown as State;
    expect(jo.conversations.map((c) => c.id)).toEqual(['chat', 'dsl']);
  });

  it('refusals in words for the page, beside what caused them: a long message (400, field text), a file over the limit (413, field file, before anything is said), a non-image (no "Added 0")', async () => {
    h = await sandboxHarness();
    const long = await call('say', { as: 'amy-clarke', text: 'x'.repeat(2001) });
    expect(long).toEqual({ status: 400, body: { ok: false, field: 'text', problems: [expect.stringContaining('2,001 characters long; the bot takes up to 2,000')] } });
    const upload = (name: string, body: Uint8Array) =>
      fetch(`${h.url}sandbox/api/upload?as=amy-clarke&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
    const big = await upload('huge.png', new Uint8Array(h.app.config.evidenceMaxBytes + 2));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ ok: false, field: 'file', problems: ['huge.png: That file is too large to keep (each file can be up to 10 MB).'] });
    const chat = async () => ((await call('state?as=amy-clarke')).body as unknown as State).conversations[0]?.messages ?? [];
    expect(await chat()).toEqual([]);

    // A cyberbullying report, then a text file: refused, with only the reason.
    await call('say', { as: 'amy-clarke', text: 'report' });
    const kindCard = (await chat()).find((m) => m.card)?.id ?? 0;
    await call('action', { as: 'amy-clarke', conversation: 'chat', messageId: kindCard, data: { verb: 'choose_kind', kind: 'cyberbullying' } });
    const form = (await chat()).filter((m) => m.card).at(-1)?.id ?? 0;
    const sent = await call('action', {
      as: 'amy-clarke',
      conversation: 'chat',
      messageId: form,
      data: { verb: 'submit_report', kind: 'cyberbullying', ...formValues('cyberbullying', example(5).report) },
    });
    expect(sent.status).toBe(200);
    expect(JSON.stringify(await chat())).toContain('Report sent');
    const text = await upload('notes.txt', new TextEncoder().encode('not a screenshot'));
    expect(await text.json()).toEqual({ ok: true, added: 0, notices: ['notes.txt: I can only keep screenshots and documents as PNG, JPEG, GIF, WebP or PDF files.'] });
    expect(JSON.stringify(await chat())).not.toContain('Added 0');
  });

  it('the clock only skips forward, runs what falls due, and keeps its time across a restart', async () => {
    h = await sandboxHarness();
    expect(((await call('state?as=amy-clarke')).body as unknown as State).clock).toBe('Mon, 23 Nov 2026, 10:00');
    expect((await call('clock', { minutes: 30, working: true })).body.clock).toBe('Mon, 23 Nov 2026, 10:30');
    // From 15:30, two working hours run into Tuesday morning (working day 08:00–17:00).
    await call('clock', { minutes: 300 });
    expect((await call('clock', { minutes: 120, working: true })).body.clock).toBe('Tue, 24 Nov 2026, 08:30');
    await h.restart();
    expect(((await call('state?as=amy-clarke')).body as unknown as State).clock).toBe('Tue, 24 Nov 2026, 08:30');
  });
});
