import { afterEach, describe, expect, it } from 'vitest';
import { demoSchool, example } from '../support/harness.js';
import { slackHarness, slackId, type SlackHarness } from '../support/slack-harness.js';
import { fileReport as slackReport, textOf } from '../slack/slack-flow.js';
import { checkCardsAndClose, fileReport as teamsReport, installedBot } from '../teams/teams-flow.js';
import { teamsId, type TeamsHarness } from '../support/teams-harness.js';
import { cardText } from '../support/fake-bot-connector.js';

// Permanent errors: each platform refusal ends with the next person told and the failure
// on the report's record (audited), and the DSL and headteacher told in chat.

const dslChannel = demoSchool.directory.channels.dsl.slack ?? '';
const dm = (personId: string) => `D${slackId(personId)}`;

/** Delivers until nothing more moves (a token error has the channel checked again first). */
async function settle(h: { deliver(): Promise<{ sent: number; failed: number }>; app: { dispatcher: { channelStates(): Record<string, { state: string }> } } }): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await h.deliver();
    const waiting = Object.values(h.app.dispatcher.channelStates()).some((s) => s.state !== 'running');
    if (waiting) await new Promise((resolve) => setTimeout(resolve, 50));
    else if (r.sent === 0 && r.failed === 0) return;
  }
}

function failures(h: { app: { store: { listAudit(id: string): { action: string; details: Record<string, unknown> }[] } } }, reportId: string) {
  return h.app.store.listAudit(reportId).filter((a) => a.action === 'delivery.failed');
}

describe('Slack: permanent errors are never silent', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const code of ['channel_not_found', 'not_in_channel', 'token_revoked', 'invalid_auth', 'account_inactive']) {
    it(`the DSL channel refuses (${code}): the DSL and deputy get the card by DM, the failure is on the record, the headteacher is told`, async () => {
      h = await slackHarness();
      h.api.errorFor.set(dslChannel, code);
      const ex = example(1);
      const { reference, reportId } = await slackReport(h, ex.reporter, ex.report);
      await settle(h);
      expect(h.api.postedTo(dslChannel)).toEqual([]);
      for (const person of ['jo-patel', 'sam-okafor']) expect(textOf(h.api.postedTo(dm(person)))).toContain(`New report: ${reference}`);
      const f = failures(h, reportId);
      expect(f.length).toBeGreaterThanOrEqual(1);
      expect(f[0]?.details).toMatchObject({ channel: 'slack', to: 'dsl_channel', code, reroutedTo: ['jo-patel', 'sam-okafor'] });
      expect(textOf(h.api.postedTo(dm('alex-morgan')))).toContain(`Not delivered: a message about ${reference}`);
      expect(textOf(h.api.postedTo(dm('alex-morgan')))).toContain(code);
      expect(h.app.dispatcher.channelStates().slack?.state).toBe('running');
      // Acknowledging from the DM works.
      expect(h.app.store.outbox.problems().filter((p) => p.state !== 'failed')).toEqual([]);
    });
  }

  for (const code of ['user_not_found', 'account_inactive']) {
    it(`the headteacher's DM refuses (${code}): the decision goes to the chair, who may decide; the DSL is told`, async () => {
      h = await slackHarness();
      h.api.errorFor.set(slackId('alex-morgan'), code);
      const ex = example(2); // a colleague follows pupils: the headteacher decides
      const { reference, reportId } = await slackReport(h, ex.reporter, ex.report);
      await settle(h);
      expect(textOf(h.api.postedTo(dm('priya-shah')))).toContain(reference);
      const f = failures(h, reportId).find((a) => a.details.to === 'alex-morgan');
      expect(f?.details).toMatchObject({ code, reroutedTo: ['priya-shah'] });
      expect(h.app.store.listAudit(reportId).map((a) => a.action)).toContain('duty.reassigned');
      expect(textOf(h.api.postedTo(dm('jo-patel')))).toContain(`Not delivered: a message about ${reference}`);
      const decision = h.app.store.listDuties(reportId).find((d) => d.type === 'decision');
      const r = h.app.workflow.recordDecision({ reportId, dutyId: decision?.id, actorId: 'priya-shah', choice: decision?.choices?.[0]?.id ?? '', reason: 'The head is away' });
      expect(r.changed).toBe(true);
    });
  }
});

describe('Teams: a 403 is never silent', () => {
  let t: TeamsHarness | undefined;
  afterEach(async () => {
    await checkCardsAndClose(t);
    t = undefined;
  });

  it("the headteacher's chat refuses (403): the chair is asked instead, the failure is on the record, the DSL is told", async () => {
    t = await installedBot(['amy-clarke', 'ben-hughes', 'jo-patel', 'alex-morgan', 'priya-shah']);
    t.connector.refuseFor.set(`a:chat-with-${teamsId('alex-morgan')}`, 403);
    const ex = example(2);
    const { reference } = await teamsReport(t, ex.reporter, ex.report);
    await settle(t);
    const report = t.app.store.findReportByReference(reference);
    const f = failures(t, report?.id ?? '').find((a) => a.details.to === 'alex-morgan');
    expect(f?.details).toMatchObject({ channel: 'teams', code: 'teams_403', reroutedTo: ['priya-shah'] });
    const chair = t.connector.sent(`a:chat-with-${teamsId('priya-shah')}`).map((c) => cardText(c.body)).join('\n');
    expect(chair).toContain(reference);
    const dsl = t.connector.sent(`a:chat-with-${teamsId('jo-patel')}`).map((c) => cardText(c.body)).join('\n');
    expect(dsl).toContain(`Not delivered: a message about ${reference}`);
  });
});
