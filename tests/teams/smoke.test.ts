import { afterEach, describe, expect, it } from 'vitest';
import { teamsHarness, type TeamsHarness } from '../support/teams-harness.js';

let h: TeamsHarness;
afterEach(async () => h?.close());

describe('smoke', () => {
  it('report command', async () => {
    h = await teamsHarness();
    console.log(await h.post(h.installTeam()));
    console.log(await h.post(h.installPersonal('amy-clarke')));
    const r = await h.post(h.message('amy-clarke', 'report'));
    console.log(r, JSON.stringify(h.connector.calls, null, 1).slice(0, 3000));
    expect(r.status).toBe(200);
  });
});
