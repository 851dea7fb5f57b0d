import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { groupCommitFor } from '../../src/store/group-commit.js';
import { example } from '../support/harness.js';
import { slackHarness, type SlackHarness } from '../support/slack-harness.js';
import { fileReport, formState, viewSubmission } from './slack-flow.js';

// Persist, then reply, with group commit: a report sent from Slack's form is on disk (its
// request's shared fsync done) before Slack's answer; if the disk refuses, the answer is
// a 500, never the empty 200 that closes the modal as if the report were safe.

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Slack answers after the disk', () => {
  it('a report sent from the form is fsynced before the answer', async () => {
    h = await slackHarness();
    const g = groupCommitFor(h.app.store.db);
    expect(g.enabled).toBe(true);
    const before = g.fsyncs;
    await fileReport(h, 'amy-clarke', example(1).report);
    expect(g.fsyncs).toBeGreaterThan(before);
    expect(g.unsynced).toBe(0);
  });

  it('a failed fsync answers 500, and the next report is committed FULL and answered', async () => {
    h = await slackHarness();
    const g = groupCommitFor(h.app.store.db);
    rmSync(`${h.app.store.db.name}-wal`); // the WAL cannot be opened for its fsync
    const form = { callback_id: 'report_form', private_metadata: JSON.stringify({ kind: 'friend_request' }), state: formState('friend_request', example(1).report) };
    const failed = await h.interaction(viewSubmission('amy-clarke', form));
    expect(failed.status).toBe(500);
    expect(g.enabled).toBe(false);
    const next = await h.interaction(viewSubmission('amy-clarke', form));
    expect(next.status).toBe(200);
    expect(next.body).toBeFalsy();
    // The first was committed (Slack's retry of it would find it); it was never called safe.
    expect(h.app.store.listReportsByReporter('amy-clarke')).toHaveLength(2);
  });
});
