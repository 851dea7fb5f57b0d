// Seeds the cached benchmark databases ahead of a run: npx tsx bench/seed-cli.ts 100000 1000000
import { seeded } from './seed.js';

for (const n of process.argv.slice(2).map(Number)) await seeded(n, console.log);
