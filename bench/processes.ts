// The processes measured: started as a child (the node process itself, never npm, so its
// RSS is the server's), timed to /healthz, sampled for RSS while they run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * How to run the bot: exactly what `npm start` runs (package.json's `start` script, node's
 * own flags included, such as the young-generation cap), as the node process itself.
 */
export function botCommand(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error('the start script no longer starts with node: update bench/processes.ts');
  return words.slice(1);
}

/** The CLI, compiled (built by `npm run bench` before it starts). */
export function cliCommand(): string[] {
  return existsSync('dist/cli/main.js') ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
}

export interface Running {
  child: ChildProcess;
  url: string;
  startupMs: number;
  /** The highest RSS seen since `resetPeak` (MB), sampled every 50 ms. */
  peakRssMb(): number;
  resetPeak(): void;
  rssMb(): number;
  /** The last of what it wrote to stderr (why it exited, when it did). */
  stderr(): string;
  stop(): Promise<void>;
}

function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function startProcess(args: string[], env: Record<string, string>, port: number): Promise<Running> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 120_000) throw new Error(`${args.join(' ')} did not answer /healthz in 120 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const startupMs = Math.round(performance.now() - started);
  let peak = 0;
  const sampler = setInterval(() => void (peak = Math.max(peak, rssOf(child.pid))), 50);
  return {
    child,
    url,
    startupMs,
    peakRssMb: () => Math.round(Math.max(peak, rssOf(child.pid))),
    resetPeak: () => void (peak = rssOf(child.pid)),
    rssMb: () => Math.round(rssOf(child.pid)),
    stderr: () => stderr,
    stop: async () => {
      clearInterval(sampler);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
