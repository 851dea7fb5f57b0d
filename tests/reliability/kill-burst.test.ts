import { describe, expect, it } from 'vitest';
import { killBurst } from './kill-burst.js';

// The fast version of kill -9 mid-burst (the long one: npm run test:reliability).
describe('kill -9 mid-burst', () => {
  it('120 submissions over HTTP (Slack and Teams), one SIGKILL: every success stored, every message delivered once, the audit chain verifies', async () => {
    const f = await killBurst({ slack: 60, teams: 60, kills: [0.5] });
    expect(f.successAnswers).toBeGreaterThan(60);
    expect(f.lostSuccess).toBe(0);
    expect(f.notSent).toBe(0);
    expect(f.auditOk).toBe(true);
    // Only a message in flight at the kill may be sent twice (at most one per sending slot).
    expect(f.duplicatesSlack + f.duplicatesTeams + f.duplicateDslThreads).toBeLessThanOrEqual(4);
  }, 120_000);
});
