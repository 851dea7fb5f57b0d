#!/usr/bin/env node
// npm start: runs the compiled bot (dist/main.js) in this same process. If any file in
// src/ is newer than the build (an edit since `npm ci`), it builds first, so `npm start`
// always runs the code you have. `node scripts/start.mjs` is the same, without npm (give it
// --max-semi-space-size=8 as the start script does, for the same memory).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';

// Memory (README "Performance", second follow-up). V8 lets the old generation grow to up
// to four times what is live before it collects, so a busy bot's heap climbed to 100 MB
// and more of which ~30 MB was live; 20 % keeps it near what is live (a few more major
// collections, each incremental; no cap, so a large export never runs out of memory).
// The young generation's size (--max-semi-space-size, 64 MB a half by default on this
// machine) can only be set as the process starts: `npm start` passes it (package.json).
v8.setFlagsFromString('--heap-growing-percent=20');

// Node keeps the compiled code of every module on disk after the first start (in the
// system's temporary folder): later starts skip most of the compiling.
module.enableCompileCache?.();

const newest = (dir) =>
  readdirSync(dir).reduce((t, name) => {
    const p = path.join(dir, name);
    const s = statSync(p);
    return Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }, 0);
const built = existsSync('dist/main.js') ? statSync('dist/main.js').mtimeMs : 0;
if (built === 0 || (existsSync('src') && newest('src') > built)) {
  console.log(built === 0 ? 'Building the bot (first start)…' : 'src/ changed since the last build: building…');
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(pathToFileURL(path.resolve('dist/main.js')).href);
