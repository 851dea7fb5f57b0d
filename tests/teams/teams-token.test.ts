import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { FakeEntra } from '../support/fake-entra.js';
import { tenantId, teamsHarness, type TeamsHarness } from '../support/teams-harness.js';
import { dslThreads, fileReport } from './teams-flow.js';
import { capturingLogger } from '../support/capturing-logger.js';

// The Teams client-credentials path, for real: botbuilder and MSAL fetch the bot's token
// from a fake Entra token endpoint (HTTPS on loopback), and the fake Bot Connector
// refuses every outgoing call without a token it issued (401), as the real one does.

const secret = 'the-client-secret-of-the-app-registration';
let h: TeamsHarness | undefined;
let entra: FakeEntra | undefined;
afterEach(async () => {
  await h?.close();
  await entra?.stop();
  h = undefined;
  entra = undefined;
});


/**
 * The bot with Teams on for real (an app id, its secret, a tenant), its token from the
 * fake Entra, every incoming activity signed as the Bot Framework signs it. Each test has
 * its own app id: botbuilder keeps tokens in a process-wide cache keyed by app id.
 */
async function start(appNumber: number, log = capturingLogger(), expiresIn = 3600) {
  const appId = `00000000-0000-4000-8000-0000000001${String(appNumber).padStart(2, '0')}`;
  entra = new FakeEntra(appId, secret);
  entra.expiresIn = expiresIn;
  await entra.start();
  h = await teamsHarness({
    authenticated: true,
    entra,
    log: log.log,
    env: { MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: secret, MICROSOFT_APP_TENANT_ID: tenantId },
  });
  const harness = h;
  const post = harness.post;
  harness.post = (activity, headers = {}) =>
    post(activity, { authorization: `Bearer ${harness.connector.token({ aud: appId, serviceurl: activity.serviceUrl })}`, ...headers });
  expect((await harness.post(harness.installTeam())).status).toBe(200);
  expect((await harness.post(harness.installPersonal('amy-clarke'))).status).toBe(200);
  return { h: harness, entra, appId, lines: log.lines };
}

const bearerOf = (c: { authorization?: string }) => c.authorization?.replace(/^Bearer /, '');

describe('Teams: the bot signs its outgoing calls with a client-credentials token', () => {
  it('fetches the token once for its tenant, caches it, and sends it on every outgoing call', async () => {
    const t = await start(1);
    const { reference } = await fileReport(t.h, 'amy-clarke', example(1).report);
    await t.h.deliver();
    expect(dslThreads(t.h).map((c) => JSON.stringify(c.body))).toEqual([expect.stringContaining(reference)]);

    // One token request, the client-credentials grant of this app at this tenant, for the Bot Framework.
    expect(t.entra.requests).toEqual([
      { tenant: tenantId, grantType: 'client_credentials', clientId: t.appId, scope: 'https://api.botframework.com/.default', secretOk: true, issued: expect.any(String), status: 200 },
    ]);
    const [token] = t.entra.issued();
    // Every call the bot made (replies, card updates, the DSL channel thread, the receipt) carried it.
    expect(t.h.connector.calls.length).toBeGreaterThan(4);
    expect(new Set(t.h.connector.calls.map(bearerOf))).toEqual(new Set([token]));
    expect(t.h.connector.unauthorized).toEqual([]);
  });

  it('fetches a new token when the cached one expires, and never sends the old one after', async () => {
    // botbuilder renews five minutes before the end: a 302-second token is good for 2 seconds.
    const t = await start(2, capturingLogger(), 302);
    await fileReport(t.h, 'amy-clarke', example(1).report);
    await t.h.deliver();
    const before = t.entra.issued().length;
    const firstCalls = t.h.connector.calls.length;
    await t.entra.waitUntilTokensExpire();
    // Thirty working minutes on: the DSL and deputies are reminded, proactively.
    t.h.clock.advanceMinutes(30);
    t.h.app.workflow.tick();
    await t.h.deliver();
    const issued = t.entra.issued();
    // A new token (sends that run at once share one request; a slow machine may pass the
    // 2-second life of this test's token again, and fetch another: never the old one).
    expect(issued.length).toBeGreaterThan(before);
    const fresh = new Set(issued.slice(before));
    const later = t.h.connector.calls.slice(firstCalls);
    expect(later.length).toBeGreaterThan(0);
    for (const bearer of later.map(bearerOf)) expect(fresh.has(bearer as string)).toBe(true);
    expect(t.h.connector.unauthorized).toEqual([]);
  });

  it('a failed token request fails the delivery, which is logged and retried; no message is lost or sent twice', async () => {
    const log = capturingLogger();
    // Any token fetched while the bot is installed is good for one second; and then it is not.
    const t = await start(3, log, 301);
    await t.h.deliver();
    await t.entra.waitUntilTokensExpire();
    // Entra cannot be reached: every token request fails. A report is made (through core, as any channel does).
    t.entra.failNext = { status: 0, times: 1000 };
    const ex = example(1);
    await t.h.app.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    const pending = t.h.app.store.listOutbox().filter((o) => o.status === 'pending').length;
    expect(pending).toBeGreaterThan(0);
    const callsBefore = t.h.connector.calls.length;
    const first = await t.h.deliver();
    expect(first).toEqual({ sent: 0, failed: pending });
    expect(t.h.connector.calls.length).toBe(callsBefore);
    expect(t.h.app.store.listOutbox().filter((o) => o.status === 'pending')).toHaveLength(pending);
    const warned = t.lines.filter((l) => l.msg === 'message delivery failed; will retry');
    expect(warned).toHaveLength(pending);
    expect(JSON.stringify(warned[0])).toMatch(/network|socket|ECONNRESET|hang up/i);
    expect(t.entra.requests.filter((r) => r.status === 0).length).toBeGreaterThan(0);
    // Nothing the bot logs carries the secret or a token.
    expect(JSON.stringify(t.lines)).not.toContain(secret);
    expect(JSON.stringify(t.lines)).not.toContain('fake-entra-');

    // Entra is back; at the retry time every message goes, once.
    t.entra.failNext = undefined;
    t.entra.expiresIn = 3600;
    t.h.clock.advanceMinutes(1);
    const second = await t.h.deliver();
    expect(second).toEqual({ sent: pending, failed: 0 });
    expect(t.h.app.store.listOutbox().filter((o) => o.status !== 'sent')).toEqual([]);
    expect(dslThreads(t.h)).toHaveLength(1);
    expect(t.h.connector.unauthorized).toEqual([]);
  });

  it('a wrong client secret is refused by Entra: nothing reaches the Bot Connector unsigned, and the message stays in the outbox', async () => {
    const log = capturingLogger();
    const appId = '00000000-0000-4000-8000-000000000199';
    entra = new FakeEntra(appId, 'the-right-secret');
    await entra.start();
    h = await teamsHarness({
      authenticated: true,
      entra,
      log: log.log,
      env: { MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: secret, MICROSOFT_APP_TENANT_ID: tenantId },
    });
    const install = h.installTeam();
    expect((await h.post(install, { authorization: `Bearer ${h.connector.token({ aud: appId, serviceurl: install.serviceUrl })}` })).status).toBe(200);
    // A report made through core (as any channel does), then delivered proactively.
    const ex = example(1);
    await h.app.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    const result = await h.deliver();
    expect(result.sent).toBe(0);
    expect(result.failed).toBeGreaterThan(0);
    expect(entra.requests.every((r) => r.status === 401 && !r.secretOk)).toBe(true);
    expect(h.connector.calls).toEqual([]);
    expect(h.connector.unauthorized).toEqual([]);
    expect(h.app.store.listOutbox().every((o) => o.status === 'pending')).toBe(true);
    expect(JSON.stringify(log.lines)).not.toContain(secret);
  });
});
