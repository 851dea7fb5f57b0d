import { describe, expect, it } from 'vitest';
import { messageTypes } from '../../src/core/messages.js';
import { escapeTeamsMarkdown, messageCard } from '../../src/views/adaptive-cards.js';
import { messageView } from '../../src/views/message-views.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { checkpointAudit } from '../../src/core/audit-checkpoint.js';
import { queueTombstoneCards } from '../../src/store/disposal-cards.js';
import { CaseRetentionStore } from '../../src/store/case-retention-store.js';
import { demoSchool, example, harness } from '../support/harness.js';

describe('message cards', () => {
  it('every message the workflow queues becomes a valid Adaptive Card 1.5', async () => {
    const h = harness();
    try {
      // Walk the worked examples far enough to queue every kind of message.
      const reports = [];
      for (let n = 1; n <= 7; n += 1) reports.push(await h.workflow.submit({ reporterId: example(n).reporter, form: example(n).report }));
      h.clock.advanceMinutes(60 * 30);
      h.workflow.tick();
      h.workflow.tick();
      const [r1, r2, , r4] = reports;
      h.workflow.acknowledge({ reportId: r1!.reportId, actorId: 'jo-patel' });
      h.workflow.recordDecision({ reportId: r2!.reportId, actorId: 'alex-morgan', choice: 'refer_to_lado', reason: 'r' });
      h.workflow.completeTask({ reportId: r4!.reportId, actorId: 'lee-evans', action: 'Blocked' });
      h.workflow.close({ reportId: r1!.reportId, actorId: 'jo-patel', outcome: 'no_further_action', reason: 'r' });
      h.workflow.reopen({ reportId: r1!.reportId, actorId: 'jo-patel', reason: 'r' });
      const r5 = reports[4]!;
      await h.workflow.attachEvidence({ reportId: r5.reportId, actorId: 'amy-clarke', bytes: Buffer.from('GIF89a-not-really') });
      // The audit checkpoint to the DSL (no report): due, a day after the log started.
      checkpointAudit({ store: h.store, directory: demoSchool.directory, channels: ['sandbox'], clock: h.clock.now, everyHours: 24 });
      const card = h.store.listOutbox().find((o) => o.messageType === 'report.for_acknowledgement');
      h.workflow.deliveryFailed({ ...card!, code: 'channel_not_found' });
      // A flood: DSL-channel posts for several reports go out as one listing.
      for (let i = 0; i < 5; i += 1) await h.workflow.submit({ reporterId: example(1).reporter, form: example(1).report });
      h.clock.advanceMinutes(1);
      h.workflow.tick();
      // A transfer whose receipt is overdue: the DSL is reminded.
      const retention = new CaseRetentionStore(h.db, h.keys, demoSchool.directory, `${h.dir}/evidence`, ['sandbox']);
      retention.recordTransfer([r1!.reference, r2!.reference], 'Hillside Academy', 'jo-patel', h.clock.now());
      h.clock.advanceMinutes(60 * 24 * 10);
      retention.takeOverdueTransfers(h.clock.now());
      // A disposed case's delivered card becomes its tombstone; one that cannot is told to the DSL.
      h.db.prepare(`INSERT INTO message_refs (channel, report_id, recipient_id, message_type, conversation_id, message_id, created_at) VALUES ('sandbox', @r, 'dsl_channel', 'report.for_acknowledgement', 'dsl', '1', @at)`).run({ r: r2!.reportId, at: h.clock.now().toISOString() });
      queueTombstoneCards(h.db, h.store, { reportId: r2!.reportId, reference: r2!.reference, disposedOn: '2051-11-24', disposedBy: 'Jo Patel' }, h.clock.now());
      retention.tombstoneNotDelivered({ id: 'x', channel: 'sandbox', recipientType: 'dsl_channel', recipientId: 'dsl_channel', payload: { reference: r2!.reference } }, 'message_not_found', h.clock.now());
      const seen = new Set<string>();
      for (const item of h.store.listOutbox()) {
        seen.add(item.messageType);
        const card = messageCard(messageView(item, 'Europe/London'));
        expect(cardProblems(card), `${item.messageType}: ${JSON.stringify(card)}`).toEqual([]);
        expect(JSON.stringify(card)).not.toContain('${');
      }
      expect([...seen].sort()).toEqual([...messageTypes].sort());
    } finally {
      h.close();
    }
  });

  it('the acknowledgement card has Acknowledge and View details as Action.Execute with an Action.Submit fallback', () => {
    const card = messageCard(
      messageView(
        {
          messageType: 'report.for_acknowledgement',
          payload: { reportId: 'r1', reference: 'SG-2026-0001', kindLabel: 'Cyberbullying', urgent: true, submittedAt: '2026-11-23T10:00:00Z', dutyId: 'd1', dueAt: '2026-11-23T10:10:00Z' },
        },
        'Europe/London',
      ),
    );
    const actions = card.actions as { type: string; verb: string; data: object; fallback: { type: string; data: object } }[];
    expect(actions.map((a) => [a.type, a.verb])).toEqual([
      ['Action.Execute', 'acknowledge'],
      ['Action.Execute', 'view'],
    ]);
    expect(actions[0]?.data).toEqual({ reportId: 'r1', dutyId: 'd1' });
    expect(actions[0]?.fallback).toMatchObject({ type: 'Action.Submit', data: { verb: 'acknowledge', reportId: 'r1', dutyId: 'd1' } });
    expect(JSON.stringify(card.body)).toContain('URGENT');
  });

  it('the decision card asks for a choice and a required reason', () => {
    const card = messageCard(
      messageView(
        {
          messageType: 'decision.requested',
          payload: {
            reportId: 'r2', reference: 'SG-2026-0002', kindLabel: 'Staff', urgent: false, submittedAt: '2026-11-23T10:00:00Z', dutyId: 'd2',
            question: 'What next?', choices: [{ id: 'refer_to_lado', label: 'Refer to the LADO' }, { id: 'no_further_action', label: 'No further action' }],
          },
        },
        'Europe/London',
      ),
    );
    expect(cardProblems(card)).toEqual([]);
    const inputs = JSON.stringify(card.body);
    expect(inputs).toContain('"id":"choice"');
    expect(inputs).toMatch(/"id":"reason","label":"Reason","isMultiline":true,"isRequired":true/);
    expect(inputs).toContain('"maxLength":2000');
  });

  it('text typed by people cannot smuggle Markdown or mentions into a card', () => {
    expect(escapeTeamsMarkdown('**bold** [click](https://evil.example) <at>Jo</at> _x_')).toBe(
      '\\*\\*bold\\*\\* \\[click\\](https://evil.example) \\<at\\>Jo\\</at\\> \\_x\\_',
    );
    expect(escapeTeamsMarkdown('- not a list\n1. nor this\n# nor a heading')).toBe('\\- not a list\n1\\. nor this\n\\# nor a heading');
    // Only what is Markdown syntax: ordinary punctuation keeps no backslash.
    expect(escapeTeamsMarkdown('Year 8 (tutor group 8B) said "hi"! #1 + 2 = 3.')).toBe('Year 8 (tutor group 8B) said "hi"! #1 + 2 = 3.');
    const card = messageCard(
      messageView(
        {
          messageType: 'task.assigned',
          payload: { reportId: 'r', reference: 'SG-1', kindLabel: 'k', urgent: false, submittedAt: '2026-11-23T10:00:00Z', urls: ['https://x.example/[a](b)'] },
        },
        'Europe/London',
      ),
    );
    expect(JSON.stringify(card)).toContain('https://x.example/\\\\[a\\\\](b)');
  });
});
