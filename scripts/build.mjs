#!/usr/bin/env node
// npm run build (also run by `npm ci` / `npm install` through "prepare"): compiles src/ to
// dist/ with tsc, and copies what is not TypeScript beside it (the migrations, the
// sandbox page), so `npm start` runs plain JavaScript and starts in well under a second.
// dist/ keeps src/'s layout, so paths such as ../../cards/ resolve the same from both.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const tsc = path.join('node_modules', '.bin', 'tsc');
if (!existsSync(tsc)) {
  // `npm ci --omit=dev` runs "prepare" without TypeScript: that install still succeeds
  // (a dist/ shipped with it is used as it is); `npm start` says what to do if none is.
  const during = process.env.npm_lifecycle_event === 'prepare';
  console.error(`npm run build: TypeScript is not installed, so dist/ was not built${during ? ' (skipped)' : ''}. Run \`npm ci\` (with dev dependencies), then \`npm run build\`.`);
  process.exit(during ? 0 : 1);
}
rmSync('dist', { recursive: true, force: true });
const r = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const copy = (dir) => {
  for (const name of readdirSync(dir)) {
    const from = path.join(dir, name);
    if (statSync(from).isDirectory()) copy(from);
    else if (!name.endsWith('.ts')) cpSync(from, path.join('dist', path.relative('src', from)));
  }
};
copy('src');
