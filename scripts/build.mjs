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
  console.error('npm run build: TypeScript is not installed (run `npm ci` or `npm install` first, with dev dependencies).');
  process.exit(1);
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
