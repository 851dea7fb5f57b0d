import { afterEach, describe, expect, it } from 'vitest';
import { reportDetailsView } from '../../src/views/message-views.js';
import { example, harness, type Harness } from '../support/harness.js';

// Issue 9, item 11: View details shows a decision (and a closing outcome) in the words
// its card used, never the id ("refer_to_lado", "no_further_action").
let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

describe('View details in words', () => {
  it('shows the decision and the outcome as their cards worded them', async () => {
    h = harness();
    const ex = example(2);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'alex-morgan' });
    h.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: 'refer_to_lado', reason: 'Contact with pupils.' });
    h.workflow.close({ reportId: r.reportId, actorId: 'alex-morgan', outcome: 'no_further_action', reason: 'LADO advised no further action.' });
    const view = h.workflow.view({ reportId: r.reportId, actorId: 'alex-morgan' });
    const text = JSON.stringify(reportDetailsView(view, h.workflow.directory, h.workflow.directory.timeZone));
    expect(text).toContain('Refer to the LADO (Contact with pupils.)');
    expect(text).toContain('No further action by Alex Morgan');
    expect(text).not.toMatch(/refer_to_lado|no_further_action/);
  });
});
