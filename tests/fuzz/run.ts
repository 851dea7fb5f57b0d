// npm run fuzz [-- --count N --seed S]: the long wire fuzz run (at least 100,000 payloads by
// default) against the whole bot on 127.0.0.1. Prints the answers per status code; exits
// non-zero on any 5xx, a request with no answer, or an answer slower than 1 s.
import { parseArgs } from 'node:util';
import { runWireFuzz } from './wire-fuzz.js';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '100000' }, seed: { type: 'string', default: '20261122' }, concurrency: { type: 'string', default: '4' }, 'max-minutes': { type: 'string', default: '30' } },
});
const count = Number(values.count);
const stats = await runWireFuzz({
  count,
  seed: Number(values.seed),
  concurrency: Number(values.concurrency),
  maxMs: Number(values['max-minutes']) * 60_000,
  onProgress: (done) => {
    if (done % 10_000 === 0) console.log(`  ${done} sent`);
  },
});
console.log(`Wire fuzz: ${stats.sent} payloads in ${stats.seconds} s (seed ${values.seed})`);
for (const [target, counts] of Object.entries(stats.byStatus))
  console.log(`  ${target.padEnd(6)} ${Object.entries(counts).sort(([a], [b]) => Number(a) - Number(b)).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
console.log(`  5xx or no answer: ${stats.serverErrors.length}; slower than 1 s: ${stats.slow.length}`);
for (const f of [...stats.serverErrors.slice(0, 5), ...stats.slow.slice(0, 5)])
  console.log(`  - ${f.target} ${f.status} in ${f.ms} ms; answer ${f.answer.slice(0, 120)}; body ${f.body.slice(0, 400)}`);
if (stats.serverErrors.length + stats.slow.length > 0) {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync('.vitest', { recursive: true });
  writeFileSync('.vitest/fuzz-findings.json', JSON.stringify({ serverErrors: stats.serverErrors, slow: stats.slow }, null, 1));
  console.log('  findings: .vitest/fuzz-findings.json');
}
const bad = stats.serverErrors.length > 0 || stats.slow.length > 0 || stats.sent < count;
if (stats.sent < count) console.log(`  stopped at the time limit after ${stats.sent} of ${count}`);
process.exit(bad ? 1 : 0);
