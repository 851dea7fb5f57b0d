import { afterEach, describe, expect, it } from 'vitest';
import { messageAuthors, messageMediaType, readReportedMessage } from '../../src/core/message-evidence.js';
import { prefillFromMessage, reportedMessage } from '../../src/channels/message-report.js';
import { demoSchool, harness, type Harness } from '../support/harness.js';

// Core's side of "Report this message": the message as evidence, its author a subject
// (G1), nothing of it kept for nude images (G2), on the record (G7).
let h: Harness;
afterEach(() => h?.close());

const dir = demoSchool.directory;
const message = (over: Partial<Parameters<typeof reportedMessage>[0]> = {}) =>
  reportedMessage({
    platform: 'teams',
    messageId: 'm-1',
    conversationId: '19:class@thread.tacv2',
    text: '<p>secret words</p>',
    contentType: 'html',
    plainText: 'secret words',
    author: { platformId: '29:1ChrisDoyle', name: 'Chris Doyle' },
    postedAt: new Date('2026-11-23T08:30:00Z'),
    link: 'https://teams.microsoft.com/l/message/19:class@thread.tacv2/m-1',
    attachments: 0,
    ...over,
  });

describe('a reported message in core', () => {
  it('finds the author in the school file by platform id, else by every person the name could mean', () => {
    expect(messageAuthors(message(), dir)).toEqual({ certain: ['chris-doyle'], possible: [] });
    expect(messageAuthors(message({ author: { platformId: 'aad-unknown', name: 'Jo Patel' } }), dir)).toEqual({ certain: [], possible: ['jo-patel'] });
    expect(messageAuthors(message({ author: { platformId: 'aad-unknown', name: 'Harry Brown' } }), dir)).toEqual({ certain: [], possible: [] });
  });

  it('a message by the DSL, about a pupil: routed past the DSL (G1), who cannot view it', async () => {
    h = harness();
    const m = message({ author: { platformId: '29:1JoPatel', name: 'Jo Patel' } });
    const form = { kind: 'cyberbullying', ...nested(prefillFromMessage('cyberbullying', m, dir)), target: { type: 'pupil' }, description: 'Unkind post.' };
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form, message: m });
    const report = h.store.getReport(r.reportId);
    expect(report?.routing.subjects).toContain('jo-patel');
    expect(JSON.stringify(report?.routing.duties)).not.toContain('jo-patel');
    expect(() => h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' })).toThrow();
  });

  it('keeps the message as a hashed evidence file and audits it without its text; G2 keeps only its link and time', async () => {
    h = harness();
    const staff = await h.workflow.submit({
      reporterId: 'ben-hughes',
      form: { kind: 'staff_conduct', staffMember: { personId: 'chris-doyle' }, occurred: { date: '2026-11-23' }, description: 'x', involvesPupils: true },
      message: message(),
    });
    expect(staff.evidenceCount).toBe(1);
    const [e] = h.store.listEvidence(staff.reportId);
    expect(e?.mediaType).toBe(messageMediaType);
    const entry = h.store.listAudit(staff.reportId).find((a) => a.action === 'message.reported');
    expect(entry?.details).toMatchObject({ kept: 'message', messageSha256: e?.sha256, postedAt: '2026-11-23T08:30:00.000Z' });
    expect(JSON.stringify(h.store.listAudit(staff.reportId))).not.toMatch(/secret words|Chris Doyle/);

    const nude = await h.workflow.submit({
      reporterId: 'ben-hughes',
      form: { kind: 'nude_images', pupil: { name: 'A Pupil' }, occurred: { date: '2026-11-23' }, whereShared: 'Teams', description: 'x' },
      message: message({ messageId: 'm-2' }),
    });
    expect(nude.evidenceCount).toBe(0);
    expect(h.store.listEvidence(nude.reportId)).toEqual([]);
    expect(h.store.listAudit(nude.reportId).find((a) => a.action === 'message.reported')?.details).toMatchObject({ kept: 'reference_only', link: expect.stringContaining('teams.microsoft.com') });
  });

  it('keeps a Teams link in the audit log without the team and channel names it carries', async () => {
    h = harness();
    const link = 'https://teams.microsoft.com/l/message/19:class@thread.tacv2/m-3?tenantId=t-1&groupId=g-1&parentMessageId=m-3&teamName=Year%208%20Mia&channelName=General&createdTime=1795422600000';
    const r = await h.workflow.submit({
      reporterId: 'ben-hughes',
      form: { kind: 'something_else', description: 'x' },
      message: message({ messageId: 'm-3', link }),
    });
    const details = h.store.listAudit(r.reportId).find((a) => a.action === 'message.reported')?.details;
    expect(details?.link).toBe('https://teams.microsoft.com/l/message/19:class@thread.tacv2/m-3?tenantId=t-1&groupId=g-1&parentMessageId=m-3&createdTime=1795422600000');
  });

  it('refuses a malformed message with a field error, never a crash', () => {
    expect(() => readReportedMessage({ platform: 'fax' })).toThrow(/not valid/);
    expect(readReportedMessage(undefined)).toBeUndefined();
  });
});

/** Flat form values (as a card sends them) as a nested form. */
function nested(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const [a, b] = k.split('.');
    if (!a || !v) continue;
    if (b) out[a] = { ...(out[a] as Record<string, unknown>), [b]: v };
    else out[a] = v;
  }
  return out;
}
