import { afterEach, describe, expect, it } from 'vitest';
import { sandboxHarness, type SandboxHarness } from '../support/sandbox-harness.js';

// Issue 9, from item 9: strings that are not well-formed UTF-16 are normalised at the sandbox API's edge too.
let h: SandboxHarness;
afterEach(async () => h?.close());

const post = async (path: string, body: string) => {
  const res = await fetch(`${h.url}sandbox/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('the sandbox API edge', () => {
  it('makes lone surrogates well-formed, refuses deeply nested JSON with 400, and leaves uploads alone', async () => {
    h = await sandboxHarness();
    // JSON.stringify writes a lone surrogate as the escape \ud800, as a client could.
    expect((await post('say', JSON.stringify({ as: 'amy-clarke', text: 'hello \ud800 there' }))).status).toBe(200);
    // As the page asks: a GET with the JSON content type and no body.
    const state = await fetch(`${h.url}sandbox/api/state?as=amy-clarke`, { headers: { 'content-type': 'application/json' } }).then((r) => r.json() as Promise<{ conversations: { messages: { text?: string }[] }[] }>);
    expect(state.conversations[0]?.messages.map((m) => m.text)).toContain('hello \ufffd there');
    expect((await post('say', `{"as":"amy-clarke","text":${'['.repeat(10_000)}${']'.repeat(10_000)}}`)).status).toBe(400);
    expect((await post('say', '{"as":')).status).toBe(400);
    const upload = await fetch(`${h.url}sandbox/api/upload?as=amy-clarke&name=x.png`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('abc') });
    expect(upload.status).toBe(200);
    expect(h.app.store.verifyAudit()).toMatchObject({ ok: true });
  });
});
