import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, withEnvFile } from '../../src/config.js';
import { tempDir } from '../support/harness.js';
import { botFolder, freePort, startRealBot, waitForOutput, type RealBot } from '../support/real-bot.js';

// Settings from .env, as .env.example says ("Copy to .env"): the file fills in what the
// environment does not set; the start-up log names the file, never its values.

let dir: string;
let bot: RealBot | undefined;
beforeEach(() => {
  dir = tempDir('sgbot-envfile-');
});
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('withEnvFile', () => {
  it('fills in from the file what the environment does not set; a set variable wins; an empty one counts as unset', () => {
    const file = path.join(dir, '.env');
    writeFileSync(file, '# comment\nPORT=4000\nHOST=0.0.0.0\nLOG_LEVEL="debug"\nMICROSOFT_APP_ID=\n');
    const { env, file: read } = withEnvFile({ PORT: '5000', HOST: '', OTHER: 'x' }, file);
    expect(read).toBe(file);
    expect(env).toMatchObject({ PORT: '5000', HOST: '0.0.0.0', LOG_LEVEL: 'debug', OTHER: 'x' });
    expect(loadConfig(env)).toMatchObject({ port: 5000, host: '0.0.0.0', logLevel: 'debug', sandbox: true });
  });

  it('with no file, the environment as it is; a file that cannot be read stops the start, naming it', () => {
    expect(withEnvFile({ PORT: '1' }, path.join(dir, 'none.env'))).toEqual({ env: { PORT: '1' }, file: undefined });
    // A folder where the file should be: it cannot be read (EISDIR).
    const folder = path.join(dir, 'folder.env');
    mkdirSync(folder);
    expect(() => withEnvFile({}, folder)).toThrow(ConfigError);
    expect(() => withEnvFile({}, folder)).toThrow(folder);
  });

  it('loadConfig with an explicit environment (as every test uses) reads no file', () => {
    expect(loadConfig({ PORT: '1234' }).envFile).toBeUndefined();
  });
});

describe('the real process reads .env in its folder', () => {
  it('Teams credentials in .env turn Teams on (not the sandbox); a variable set in the environment wins; the log names the file and no value', { timeout: 40_000 }, async () => {
    const cwd = botFolder(dir);
    const [filePort, realPort] = [await freePort(), await freePort()];
    const secret = 'client-secret-from-the-dotenv-file';
    writeFileSync(
      path.join(cwd, '.env'),
      [
        `PORT=${filePort}`,
        `DATABASE_PATH=${path.join(dir, 'bot.db')}`,
        `EVIDENCE_DIR=${path.join(dir, 'evidence')}`,
        'LOG_LEVEL=warn',
        'MICROSOFT_APP_ID=00000000-0000-4000-8000-0000000000b0',
        `MICROSOFT_APP_PASSWORD=${secret}`,
        'MICROSOFT_APP_TENANT_ID=00000000-0000-4000-8000-000000000001',
      ].join('\n'),
    );
    bot = startRealBot(cwd, { PORT: String(realPort), LOG_LEVEL: 'info' });
    const line = await waitForOutput(bot, 'safeguarding-bot is running at');
    expect(line).toContain(`http://127.0.0.1:${realPort}/`);
    expect(await waitForOutput(bot, 'Microsoft Teams: POST')).toContain(`http://127.0.0.1:${realPort}/api/messages`);
    expect(bot.stdout()).not.toContain('Sandbox:');
    expect((await fetch(`http://127.0.0.1:${realPort}/healthz`)).status).toBe(200);
    expect(existsSync(path.join(dir, 'bot.db'))).toBe(true);
    const logged = bot
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.find((l) => l.envFile !== undefined)?.envFile).toBe(path.join(cwd, '.env'));
    expect(bot.stdout() + bot.stderr()).not.toContain(secret);
    expect((await bot.stop()).code).toBe(0);
  });

  it('with no .env, the log says the settings came from the environment only', { timeout: 40_000 }, async () => {
    const cwd = botFolder(dir);
    const port = await freePort();
    bot = startRealBot(cwd, { PORT: String(port), LOG_LEVEL: 'info', DATABASE_PATH: path.join(dir, 'bot.db'), EVIDENCE_DIR: path.join(dir, 'evidence') });
    await waitForOutput(bot, 'Sandbox: open');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(bot.stdout()).toContain('"envFile":null');
    expect((await bot.stop()).code).toBe(0);
  });
});

