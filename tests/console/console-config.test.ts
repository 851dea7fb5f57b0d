import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

// The console's settings: all three OpenID Connect values or none, https except on loopback, the idle timeout.

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

const oidc = {
  CONSOLE_OIDC_ISSUER: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  CONSOLE_OIDC_CLIENT_ID: 'client',
  CONSOLE_OIDC_CLIENT_SECRET: 'secret',
  CONSOLE_PUBLIC_URL: 'https://bot.example.org/',
};

describe('console settings', () => {
  it('defaults: no sign-in by OpenID Connect, 15 idle minutes', () => {
    expect(loadConfig({}).console).toEqual({ idleMinutes: 15 });
  });

  it('Entra ID by default, Slack for slack.com; the public URL without its trailing slash', () => {
    expect(loadConfig(oidc).console).toEqual({
      idleMinutes: 15,
      publicUrl: 'https://bot.example.org',
      oidc: { issuer: oidc.CONSOLE_OIDC_ISSUER, clientId: 'client', clientSecret: 'secret', identity: 'entra' },
    });
    expect(loadConfig({ ...oidc, CONSOLE_OIDC_ISSUER: 'https://slack.com' }).console.oidc?.identity).toBe('slack');
    expect(loadConfig({ ...oidc, CONSOLE_IDLE_MINUTES: '10' }).console.idleMinutes).toBe(10);
  });

  it('says what is missing or wrong', () => {
    expect(problems({ CONSOLE_OIDC_ISSUER: oidc.CONSOLE_OIDC_ISSUER })).toEqual([
      expect.stringMatching(/^CONSOLE_OIDC_CLIENT_ID: is required/),
      expect.stringMatching(/^CONSOLE_OIDC_CLIENT_SECRET: is required/),
    ]);
    expect(problems({ ...oidc, CONSOLE_PUBLIC_URL: '' })).toEqual([expect.stringMatching(/^CONSOLE_PUBLIC_URL: is required/)]);
    expect(problems({ ...oidc, CONSOLE_OIDC_ISSUER: 'http://idp.example.org' })).toEqual([expect.stringMatching(/^CONSOLE_OIDC_ISSUER: must be https/)]);
    expect(problems({ ...oidc, CONSOLE_PUBLIC_URL: 'http://127.0.0.1:3978' })).toEqual([]);
    expect(problems({ CONSOLE_IDLE_MINUTES: '0' })).toEqual([expect.stringMatching(/^CONSOLE_IDLE_MINUTES/)]);
  });
});
