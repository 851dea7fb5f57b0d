import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/build-app.js';
import { createLogger } from '../../src/logger.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/core/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { monday10, tempDir, testEnv } from '../support/harness.js';

// Issue 9, item 4: the sandbox never sits beside real data; a test clock never runs in production.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('the sandbox apart from real data', () => {
  it('refuses SANDBOX=true beside any Slack or Teams credential, naming them, in one message with the other problems', () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
    expect(problemsOf({ ...slack, SANDBOX: 'true' })).toEqual([
      expect.stringMatching(/^SANDBOX: must not be true while Slack or Teams credentials are set \(SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET\): anyone who can reach the sandbox could read real reports and act as the DSL/),
    ]);
    expect(problemsOf({ MICROSOFT_APP_ID: 'a', MICROSOFT_APP_PASSWORD: 'b', SANDBOX: 'true' })[0]).toMatch(/\(MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD\)/);
    // Half a credential is still a credential; and every other problem is listed too.
    const half = problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1', SANDBOX: 'true', PORT: 'x' });
    expect(half).toHaveLength(3);
    expect(half.join('\n')).toMatch(/PORT/);
    expect(half.join('\n')).toMatch(/SANDBOX: must not be true while .*\(SLACK_BOT_TOKEN\)/);
    // The sandbox alone, and the bot alone, still start.
    expect(loadConfig({ SANDBOX: 'true' }).sandbox).toBe(true);
    expect(loadConfig(slack).sandbox).toBe(false);
    expect(loadConfig({ ...slack, SANDBOX: 'false' }).sandbox).toBe(false);
  });

  it('refuses a test clock with NODE_ENV=production (a clear error with a code); tests may use one', () => {
    const dir = tempDir();
    dirs.push(dir);
    const clock = new FakeClock(monday10);
    const prod = loadConfig({ ...testEnv(dir), NODE_ENV: 'production', MICROSOFT_APP_ID: 'a', MICROSOFT_APP_PASSWORD: 'b' });
    let refused: unknown;
    try {
      buildApp(prod, createLogger('silent'), { clock: clock.now });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/test clock .*NODE_ENV=production/) });

    const app = buildApp(loadConfig({ ...testEnv(dir), TEAMS_ALLOW_UNAUTHENTICATED: 'true', SANDBOX: 'false' }), createLogger('silent'), { clock: clock.now });
    expect(app.config.sandbox).toBe(false);
    clock.advanceMinutes(60);
    void app.close();
  });
});
