import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

/**
 * The browser the sandbox tests drive, found once per run (tests/support/browser-setup.ts):
 * `CHROMIUM_PATH` when set, else the machine's Chromium or Chrome in the usual places,
 * else the headless Chromium that comes from the npm registry as a dev dependency
 * (`@sparticuz/chromium`, Linux x64), unpacked once into node_modules/.cache. When none
 * can be had, `error` says why, and the browser tests fail with it: never skipped.
 */
export type BrowserChoice =
  | { executablePath: string; source: 'CHROMIUM_PATH' | 'this machine' | 'npm (@sparticuz/chromium)'; env?: Record<string, string> }
  | { error: string };

const names = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];
const places = [
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The machine's Chromium or Chrome: on PATH by its usual names, then the usual install places. */
export function machineBrowser(env: Record<string, string | undefined>): string | undefined {
  const onPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean).flatMap((dir) => names.map((n) => path.join(dir, n)));
  return [...onPath, ...places].find(executable);
}

export async function findBrowser(env: Record<string, string | undefined> = process.env): Promise<BrowserChoice> {
  if (env.CHROMIUM_PATH) {
    return executable(env.CHROMIUM_PATH)
      ? { executablePath: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' }
      : { error: `CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which is not an executable file` };
  }
  const mine = machineBrowser(env);
  if (mine) return { executablePath: mine, source: 'this machine' };
  try {
    return await npmChromium();
  } catch (err) {
    return {
      error:
        `No Chromium or Chrome on this machine (looked on PATH for ${names.join(', ')} and in ${places.join(', ')}), ` +
        `and the npm one (@sparticuz/chromium) could not be used: ${(err as Error).message.replace(/\.$/, '')}. ` +
        'Install Chromium (apt install chromium) or set CHROMIUM_PATH.',
    };
  }
}

/**
 * @sparticuz/chromium's headless Chromium, unpacked (brotli) once per version into
 * node_modules/.cache, with the libraries it needs beyond glibc (NSS, NSPR, expat: its
 * al2023 bundle), so that it also runs on a machine that never had a browser. Unpacked
 * into a fresh folder and renamed into place, so a half-written copy is never used.
 */
async function npmChromium(): Promise<BrowserChoice> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`it ships Linux x64 only, not ${process.platform} ${process.arch}`);
  const pkgDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..');
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const cache = path.resolve('node_modules/.cache');
  const dir = path.join(cache, `sparticuz-chromium-${version}`);
  if (!existsSync(path.join(dir, 'chromium'))) {
    mkdirSync(cache, { recursive: true });
    const staging = mkdtempSync(path.join(cache, 'sparticuz-chromium-unpacking-'));
    try {
      const { default: Chromium } = await import('@sparticuz/chromium');
      // The package unpacks into the temporary folder it is given by TMPDIR (os.tmpdir()).
      const tmp = process.env.TMPDIR;
      process.env.TMPDIR = staging;
      try {
        await Chromium.executablePath(path.join(pkgDir, 'bin'));
      } finally {
        if (tmp === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = tmp;
      }
      const tar = spawnSync('tar', ['-x', '-C', staging], { input: brotliDecompressSync(readFileSync(path.join(pkgDir, 'bin', 'al2023.tar.br'))) });
      if (tar.status !== 0) throw new Error(`unpacking its libraries failed: ${tar.stderr?.toString().trim() || tar.error?.message}`);
      try {
        renameSync(staging, dir);
      } catch (err) {
        // Another run unpacked it first: use theirs.
        if (!existsSync(path.join(dir, 'chromium'))) throw err;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const libraries = [path.join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return {
    executablePath: path.join(dir, 'chromium'),
    source: 'npm (@sparticuz/chromium)',
    env: { LD_LIBRARY_PATH: libraries, ...(existsSync('/etc/fonts/fonts.conf') ? {} : { FONTCONFIG_PATH: path.join(dir, 'fonts') }) },
  };
}
