import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommitFor } from '../../src/store/group-commit.js';
import { example } from '../support/harness.js';
import { teamsHarness, type TeamsHarness } from '../support/teams-harness.js';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { formValues } from '../../src/views/report-forms.js';
import { fileReport, lastSent } from './teams-flow.js';

// Persist, then reply, with group commit on Teams: a turn's steps share one fsync of the
// WAL, and nothing the bot says in that turn (the card updated to "Report sent", a reply,
// the HTTP answer) goes before what it stored is on disk. If the disk refuses, the Bot
// Connector gets a 500, never a 200.

let h: TeamsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Teams answers after the disk', () => {
  it('a report sent from the form card is fsynced before the bot says anything about it', async () => {
    h = await teamsHarness();
    const g = groupCommitFor(h.app.store.db);
    expect(g.enabled).toBe(true);
    // Every call the bot makes to the Bot Connector: how much was committed but not yet on disk.
    const unsyncedAtCall: number[] = [];
    h.connector.checkToken = () => {
      unsyncedAtCall.push(g.unsynced);
      return true;
    };
    const before = g.fsyncs;
    await fileReport(h, 'amy-clarke', example(1).report);
    await h.deliver();
    expect(g.fsyncs).toBeGreaterThan(before);
    expect(unsyncedAtCall.length).toBeGreaterThan(2);
    expect(unsyncedAtCall.every((n) => n === 0)).toBe(true);
    expect(g.unsynced).toBe(0);
  });

  it('a failed fsync fails the turn (500), never a 200; the next report is committed FULL and answered', async () => {
    h = await teamsHarness();
    const g = groupCommitFor(h.app.store.db);
    const report = example(1).report;
    const kind = report.kind as ReportKind;
    const values = formValues(kind, report);
    expect((await h.post(h.message('amy-clarke', 'report'))).status).toBe(200);
    const cardId = lastSent(h, h.personalChat('amy-clarke')).responseId ?? '';
    expect((await h.post(h.submit('amy-clarke', { verb: 'choose_kind', kind }, cardId))).status).toBe(200);
    rmSync(`${h.app.store.db.name}-wal`); // the WAL cannot be opened for its fsync
    const failed = await h.post(h.submit('amy-clarke', { verb: 'submit_report', kind, ...values }, cardId));
    expect(failed.status).toBe(500);
    expect(g.enabled).toBe(false);
    // The report was committed (a retry finds it); it was never said to be safe: the card still asks.
    expect(h.app.store.listReportsByReporter('amy-clarke')).toHaveLength(1);
    expect(h.connector.updates().some((u) => /Report sent/.test(JSON.stringify(u.body)))).toBe(false);
    await fileReport(h, 'amy-clarke', report);
    expect(h.app.store.listReportsByReporter('amy-clarke')).toHaveLength(2);
  });
});
