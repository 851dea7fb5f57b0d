import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { slackHarness, type SlackHarness } from '../support/slack-harness.js';
import { teamsHarness, type TeamsHarness } from '../support/teams-harness.js';
import { formValues } from '../../src/views/report-forms.js';
import { cardText } from '../support/fake-bot-connector.js';
import { formState, viewSubmission } from '../slack/slack-flow.js';

// Interactive calls answer in time and say plainly what happened, when the platform fails.

describe('Slack /report while Slack fails', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const mode of ['500', 'hang'] as const) {
    it(`${mode}: answers within 3 s that the form did not open and nothing was sent`, async () => {
      h = await slackHarness();
      h.api.fault = { mode };
      const started = Date.now();
      const res = await h.command('amy-clarke');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ response_type: 'ephemeral' });
      expect(String((res.body as { text?: string }).text)).toContain('nothing has been sent');
      h.api.fault = undefined;
      h.api.releaseHung();
    });
  }
});

describe('Teams: a report stored while the Bot Connector fails', () => {
  let t: TeamsHarness | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('is answered 200 (not 500), and the receipt with the reference follows when Teams answers again', async () => {
    t = await teamsHarness();
    expect((await t.post(t.installPersonal('amy-clarke'))).status).toBe(200);
    const report = example(1).report;
    t.connector.fault = { mode: '500' };
    const res = await t.post(t.submit('amy-clarke', { verb: 'submit_report', kind: report.kind, ...formValues(report.kind as never, report) }, 'card-1'));
    expect(res.status).toBe(200);
    const stored = t.app.store.listReportsByReporter('amy-clarke');
    expect(stored).toHaveLength(1);
    t.connector.fault = undefined;
    t.clock.advanceMinutes(5);
    await t.deliver();
    const chat = t.connector.sent(t.personalChat('amy-clarke')).map((c) => cardText(c.body)).join('\n');
    expect(chat).toContain(`Report received: ${stored[0]?.reference}`);
  });
});

describe('Slack: a flood from one person', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('the report past the limit gets the kind message next to the form; the ones before are stored', async () => {
    h = await slackHarness({ env: { REPORT_LIMIT_PER_PERSON: '2' } });
    const report = example(1).report;
    const send = (n: number) =>
      h!.interaction(viewSubmission('amy-clarke', { callback_id: 'report_form', private_metadata: JSON.stringify({ kind: report.kind }), state: formState(report.kind as never, report), id: `V0FLOOD${n}` }));
    expect((await send(1)).body).toBeFalsy();
    expect((await send(2)).body).toBeFalsy();
    const third = await send(3);
    expect(third.status).toBe(200);
    expect(JSON.stringify(third.body)).toContain('paused new ones from you');
    expect(h.app.store.listReportsByReporter('amy-clarke')).toHaveLength(2);
  });
});
