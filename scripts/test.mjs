#!/usr/bin/env node
// The project's one test command: the type check, then the whole vitest suite, then a
// plain closing line "N passed, N failed" (a failed type check counts as one failure).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

console.log('> tsc --noEmit');
const typecheck = run(bin('tsc'), ['--noEmit']);
if (typecheck !== 0) console.error('The type check failed.');

const results = '.vitest/results.json';
mkdirSync('.vitest', { recursive: true });
rmSync(results, { force: true });
const vitest = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that failed to load has no tests counted: count it as a failure.
  failed += (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
} else if (vitest !== 0) {
  failed += 1;
}
if (typecheck !== 0) failed += 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(typecheck !== 0 || vitest !== 0 || failed > 0 || passed === 0 ? 1 : 0);
