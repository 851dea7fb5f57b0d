import { killBurst } from './kill-burst.js';

/**
 * npm run test:reliability: the long version of kill -9 mid-burst (1,000 submissions over
 * HTTP, half Slack, half Teams, SIGKILL at three moments). Prints the figures the README's
 * "Reliability" section quotes; exits 1 if a promise was broken.
 */
const f = await killBurst({ slack: 500, teams: 500, kills: [0.2, 0.5, 0.8], log: (s) => console.log(s), drainLimitMs: 600_000 });
console.log(JSON.stringify(f, null, 2));
const broken = f.lostSuccess > 0 || f.notSent > 0 || !f.auditOk || f.duplicatesSlack + f.duplicatesTeams + f.duplicateDslThreads > 4 * f.kills;
console.log(broken ? 'FAILED: a promise was broken (see the figures)' : 'OK: every success stored, every message delivered, the audit chain verifies');
process.exitCode = broken ? 1 : 0;
