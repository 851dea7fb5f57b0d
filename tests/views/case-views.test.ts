import { afterEach, describe, expect, it } from 'vitest';
import type { ChronologyEntry } from '../../src/core/chronology.js';
import { caseDetailsView, chronologyWords, closeFormView, noteFormView } from '../../src/views/case-views.js';
import { messageCard, messageCards } from '../../src/views/adaptive-cards.js';
import { reportDetailsView } from '../../src/views/message-views.js';
import { caseDetailsModal, inputModal } from '../../src/channels/slack/slack-case-modals.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { modalProblems } from '../support/slack-limits.js';
import { example, harness, type Harness } from '../support/harness.js';

// Issue 12's views: the chronology in words, the forms as valid cards and modals, and a
// long case's record still carrying its buttons.
let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

describe('case views', () => {
  it('words every chronology event, with no ids', () => {
    const events: ChronologyEntry['event'][] = ['submitted', 'asked', 'told', 'acknowledged', 'reminded', 'escalated', 'decision_overdue', 'decided', 'task_done', 'evidence', 'note', 'action', 'closed', 'reopened'];
    for (const event of events) {
      const words = chronologyWords({ at: '2026-11-23T10:00:00.000Z', event, by: 'Jo Patel', people: ['Alex Morgan (the headteacher)'], what: 'Refer to the LADO', text: 'A reason.' });
      expect(words.length).toBeGreaterThan(5);
      expect(words).not.toMatch(/undefined|_/);
    }
    expect(chronologyWords({ at: '', event: 'acknowledged', by: 'Jo Patel', via: 'decision' })).toBe('Acknowledged by Jo Patel (by deciding)');
  });

  it('the close and note forms are valid Adaptive Cards and Slack modals', () => {
    for (const view of [closeFormView('SG-2026-0001', 'r1'), noteFormView('SG-2026-0001', 'r1')]) {
      expect(cardProblems(messageCard(view))).toEqual([]);
      expect(modalProblems(inputModal(view, view.actions[0]!))).toEqual([]);
    }
  });

  it('a case with 120 notes: every card is valid, and the Slack window keeps Close and Add note', async () => {
    h = harness();
    const ex = example(1);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    for (let i = 0; i < 120; i += 1) {
      h.clock.advanceMinutes(1);
      h.workflow.addNote({ reportId: r.reportId, actorId: 'jo-patel', what: 'note', text: `Note ${i} ${'x'.repeat(1500)}`, externalRef: `REF-${i}` });
    }
    const v = h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' });
    const view = caseDetailsView(v, reportDetailsView(v, h.workflow.directory, h.workflow.directory.timeZone), h.workflow.directory.timeZone);
    expect(view.actions.map((a) => a.verb)).toEqual(['close_form', 'note_form']);
    const cards = messageCards(view);
    expect(cards.length).toBeGreaterThan(1);
    for (const card of cards) expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(cards.at(-1))).toContain('"verb":"close_form"');
    const modal = caseDetailsModal(view);
    expect(modalProblems(modal)).toEqual([]);
    expect(JSON.stringify(modal.blocks.at(-1))).toContain('close_form');
  });
});
