import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RealBot {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 10 s if it has not exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A working folder for the real bot: empty but for `data` (the demo school and the
 * policies, linked), so that no `.env` of the developer's is read by accident, and a
 * test can put its own `.env` there.
 */
export function botFolder(dir: string): string {
  const cwd = path.join(dir, 'cwd');
  mkdirSync(cwd, { recursive: true });
  symlinkSync(path.resolve('data'), path.join(cwd, 'data'));
  return cwd;
}

/**
 * The real bot as `npm run dev` runs it (`node --import tsx src/main.ts`, the code `npm start` runs compiled: one process, so a
 * SIGTERM reaches the bot itself) as a child process with this process's environment
 * less the bot's own variables, plus `env`, running in `cwd`.
 */
export function startRealBot(cwd: string, env: Record<string, string>): RealBot {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !ownVariables.test(k)));
  const tsx = pathToFileURL(path.resolve('node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.resolve('src/main.ts')], {
    cwd,
    // KEY_FILE (once the store is keyed): beside the test's folder, never the user's home.
    env: { ...base, HOST: '127.0.0.1', KEY_FILE: path.join(path.dirname(cwd), 'keys', 'keys.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/** The variables of .env.example: the test's own setting or none. */
const ownVariables =
  /^(NODE_ENV|PORT|HOST|SCHOOL_CONFIG|DATABASE_PATH|EVIDENCE_DIR|EVIDENCE_MAX_BYTES|KEY_FILE|AUDIT_\w+|LOG_LEVEL|BACKGROUND_INTERVAL_MS|MICROSOFT_APP_\w+|TEAMS_\w+|SANDBOX|SLACK_\w+)$/;

/** Resolves with the first stdout line containing `text`; rejects if the process exits first. */
export function waitForOutput(p: RealBot, text: string, timeoutMs = 25_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${JSON.stringify(text)}; stdout: ${p.stdout()} stderr: ${p.stderr()}`));
    }, timeoutMs);
    const check = () => {
      const line = p.stdout().split('\n').find((l) => l.includes(text));
      if (line !== undefined) {
        cleanup();
        resolve(line);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the bot exited (${code}) before printing ${JSON.stringify(text)}; stderr: ${p.stderr()}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      p.child.stdout?.off('data', check);
      p.child.off('exit', onExit);
    };
    p.child.stdout?.on('data', check);
    p.child.once('exit', onExit);
    check();
  });
}
