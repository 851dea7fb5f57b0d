#!/usr/bin/env node
// The project's one test command: the type check, then the whole vitest suite, then a
// plain closing line "N passed, N failed". Everything that makes the run fail counts in
// "N failed" (scripts/closing-line-reporter.mjs): a failed type check, each failed test,
// each test file that failed or did not finish (it did not load, or its worker crashed),
// and each unhandled error. The line never says "0 failed" when the command exits non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

console.log(`> node ${process.version}`);
console.log('> tsc --noEmit');
const typecheck = run(bin('tsc'), ['--noEmit']);
if (typecheck !== 0) console.error('The type check failed.');

const results = '.vitest/closing-line.json';
mkdirSync('.vitest', { recursive: true });
rmSync(results, { force: true });
const vitest = run(bin('vitest'), ['run', '--reporter=default', '--reporter=./scripts/closing-line-reporter.mjs', ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let skipped = 0;
const notes = [];
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  ({ passed, failed, skipped } = r);
  notes.push(...r.notes);
} else if (vitest !== 0) {
  notes.push('vitest wrote no results (it did not start, or crashed)');
}
// Whatever else made vitest exit non-zero (a bad option, a crash of vitest itself) is one more.
if (vitest !== 0 && failed === 0) {
  failed += 1;
  if (existsSync(results)) notes.push(`vitest exited with code ${vitest} (see above)`);
}
if (typecheck !== 0) {
  failed += 1;
  notes.push('the type check failed');
}
for (const note of notes) console.error(`FAILED: ${note}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(typecheck !== 0 || vitest !== 0 || failed > 0 || passed === 0 ? 1 : 0);
