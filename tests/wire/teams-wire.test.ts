import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { teamsHarness, type TeamsHarness } from '../support/teams-harness.js';
import { dslThread, fileReport, installedBot, invokeText } from '../teams/teams-flow.js';

// Issue 9, item 7 and well-formed strings, over the Teams wire: the real botbuilder
// CloudAdapter on 127.0.0.1 with a fake Bot Connector.
let h: TeamsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Json = Record<string, unknown>;

async function timedPost(t: TeamsHarness, body: string | Json, contentType = 'application/json'): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, ms: performance.now() - t0 };
}

describe('Teams: malformed input gets a prompt 4xx (item 7)', () => {
  it('a non-string locale, a non-ASCII or lone-surrogate conversation id, a serviceUrl that is not http(s): 400 before the adapter', async () => {
    const t = (h = await teamsHarness());
    const base = t.message('amy-clarke', 'report');
    const cases: Json[] = [
      { ...base, locale: 5 },
      { ...base, locale: { lang: 'en' } },
      { ...base, conversation: { ...(base.conversation as Json), id: 'a:chät-ünïcødé' } },
      { ...base, conversation: { ...(base.conversation as Json), id: 'a:\ud800' } },
      { ...base, conversation: { ...(base.conversation as Json), id: 'a:x y' } },
      { ...base, conversation: { ...(base.conversation as Json), id: '.' } },
      { ...base, conversation: { ...(base.conversation as Json), id: '..' } },
      { ...base, from: { id: '29:\udc00' } },
      { ...base, serviceUrl: 'ftp://127.0.0.1/' },
      { ...base, serviceUrl: 'javascript:alert(1)' },
      { ...base, serviceUrl: 'file:///etc/passwd' },
      { ...base, serviceUrl: 5 },
      { ...base, replyToId: { id: 1 } },
      { ...base, text: ['report'] },
      { ...base, channelData: 'x' },
      { ...base, entities: {} },
      { ...base, attachments: [null] },
      { ...base, timestamp: 12 },
    ];
    for (const activity of cases) {
      const res = await timedPost(t, activity);
      expect(res.status, JSON.stringify(activity).slice(0, 160)).toBe(400);
      expect(res.ms).toBeLessThan(1000);
    }
    expect(t.connector.calls).toEqual([]);
  });

  it('bad JSON, deeply nested JSON, a body that is not JSON: 4xx at once', async () => {
    const t = (h = await teamsHarness());
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const nestedValue = JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`) as Json;
    const bodies: [string, string][] = [
      ['{"type": "message",', 'application/json'],
      [deep, 'application/json'],
      [JSON.stringify({ ...t.message('amy-clarke', 'hi'), value: nestedValue }), 'application/json'],
      ['%E0%A4%A', 'application/json'],
      ['type=message', 'application/x-www-form-urlencoded'],
      ['', 'application/json'],
      ['null', 'application/json'],
    ];
    for (const [body, type] of bodies) {
      const res = await timedPost(t, body, type);
      expect(res.status, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.status, body.slice(0, 80)).toBeLessThan(500);
      expect(res.ms).toBeLessThan(1000);
    }
  });

  it('an unknown invoke, an unknown verb, an Action.Submit value of the wrong shape: answered at once, never a 5xx', async () => {
    const t = (h = await installedBot(['jo-patel', 'amy-clarke']));
    const ex = example(1);
    const { reference } = await fileReport(t, ex.reporter, ex.report);
    await t.deliver();
    const thread = dslThread(t, reference);
    const unknownInvoke = await timedPost(t, { ...t.execute('jo-patel', 'acknowledge', {}), name: 'composeExtension/query' });
    expect(unknownInvoke.status).toBe(400);
    expect(unknownInvoke.ms).toBeLessThan(1000);
    const unknownVerb = await timedPost(t, t.execute('jo-patel', 'no_such_verb', { reportId: 'x' }, { conversationId: thread.conversationId }));
    expect(unknownVerb.status).toBe(200);
    expect(invokeText(unknownVerb)).toMatch(/out of date or not one of mine/);
    expect(unknownVerb.ms).toBeLessThan(1000);
    for (const value of [{ verb: 5 }, { verb: 'submit_report', kind: ['x'] }, { verb: 'acknowledge', reportId: { $ne: 1 } }, { '__proto__': { verb: 'acknowledge' } }]) {
      const res = await timedPost(t, t.submit('amy-clarke', value));
      expect(res.status, JSON.stringify(value)).toBeLessThan(500);
      expect(res.ms).toBeLessThan(1000);
    }
    const badValue = await timedPost(t, { ...t.execute('jo-patel', 'acknowledge', {}), value: [1, 2] });
    expect(badValue.status).toBe(400);
    expect(t.app.store.findReportByReference(reference)?.status).toBe('open');
  });
});

describe('Teams: strings that are not well-formed UTF-16 (from item 9)', () => {
  it('a lone surrogate in typed text or a display name is made well-formed at the edge: the report is kept and the audit log verifies', async () => {
    const t = (h = await installedBot(['jo-patel', 'amy-clarke']));
    const ex = example(1);
    const { reference } = await fileReport(t, ex.reporter, { ...ex.report, platform: 'Insta\ud800gram \udc00' });
    const stored = t.app.store.findReportByReference(reference);
    expect(JSON.stringify(stored)).toContain('Insta\ufffdgram \ufffd');
    const named = t.message('amy-clarke', 'my reports');
    named.from = { ...(named.from as Json), name: 'Amy \ud83d' };
    expect((await t.post(named)).status).toBe(200);
    expect(t.app.store.verifyAudit()).toMatchObject({ ok: true });
  });
});
