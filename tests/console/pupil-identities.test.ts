import { afterEach, describe, expect, it } from 'vitest';
import { relatedCases } from '../../src/core/case-console.js';
import { peopleIndex, personFor, pupilKeyOf, pupilMentions, searchPeople } from '../../src/core/pupil-identities.js';
import { PupilIdentityStore } from '../../src/store/pupil-identity-store.js';
import { allCases } from '../../src/store/report-period.js';
import { demoSchool, example, harness, type Harness } from '../support/harness.js';

// Pupil identities (issue 14, item 4): name and year group as reported, merged and split by the DSL.

let h: Harness;
afterEach(() => h?.close());

const directory = demoSchool.directory;

async function friendRequest(x: Harness, pupil: { name: string; yearGroup?: string }, staff = 'amy-clarke'): Promise<string> {
  const ex = example(1);
  const form = { ...ex.report, ...(staff === 'alex-morgan' ? { direction: 'staff_to_pupil' } : {}), pupil, staffMember: { personId: staff } };
  return (await x.workflow.submit({ reporterId: 'ben-hughes', form })).reportId;
}

describe('pupil identities', () => {
  it('names pupils by name and year group as reported, ignoring case and spaces; person fields of type pupil count too', () => {
    expect(pupilKeyOf('  Sam   JONES ', 'Y8')).toBe(pupilKeyOf('sam jones', 'y8'));
    expect(pupilKeyOf('Sam Jones', 'Y8')).not.toBe(pupilKeyOf('Samuel Jones', '8'));
    const mentions = pupilMentions({ id: 'r1', form: example(5).report as never });
    expect(mentions.map((m) => [m.slot, m.name, m.yearGroup])).toEqual([['target', 'Year 7 pupil', ''], ['responsible', 'Year 7 pupils', '']]);
  });

  it('merges two spellings (the DSL, with a sealed, audited reason), splits a case off, and each undoes the other', async () => {
    h = harness();
    const sam = await friendRequest(h, { name: 'Sam Jones', yearGroup: 'Y8' });
    const samuel = await friendRequest(h, { name: 'Samuel Jones', yearGroup: '8' });
    const other = await friendRequest(h, { name: 'Sam Jones', yearGroup: 'Y8' });
    const ids = new PupilIdentityStore(h.db, h.keys);
    const cases = () => allCases(h.db, h.store);
    const people = () => peopleIndex({ directory }, cases(), ids.identities(), 'jo-patel');
    const [samId, samuelId] = [...people().values()].filter((p) => p.kind === 'pupil').map((p) => p.id);
    expect(samId).toMatch(/^pupil-[0-9a-f]{24}$/);
    expect(relatedCases({ directory }, cases(), sam, 'jo-patel', ids.identities()).map((r) => r.reportId)).toEqual([other]);

    // Only the DSL, and only with a reason; nothing recorded when refused.
    const cmd = { directory, cases: cases(), fromId: samuelId!, intoId: samId!, reason: 'Same pupil: Samuel is the full name.' };
    expect(() => ids.merge({ ...cmd, actorId: 'sam-okafor' }, h.clock.now())).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => ids.merge({ ...cmd, actorId: 'jo-patel', reason: ' ' }, h.clock.now())).toThrow(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    expect(() => ids.merge({ ...cmd, actorId: 'jo-patel', fromId: 'pupil-000000000000000000000000' }, h.clock.now())).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(ids.history()).toEqual([]);

    expect(ids.merge({ ...cmd, actorId: 'jo-patel' }, h.clock.now())).toBe(samId);
    const merged = people().get(samId!);
    expect(merged?.names).toEqual(['Sam Jones (Y8)', 'Samuel Jones (8)']);
    expect(merged?.cases.map((c) => c.report.id).sort()).toEqual([sam, samuel, other].sort());
    expect(people().has(samuelId!)).toBe(false);
    const related = relatedCases({ directory }, cases(), samuel, 'jo-patel', ids.identities());
    expect(related.map((r) => r.reportId).sort()).toEqual([sam, other].sort());
    expect(related.map((r) => r.why)).toEqual(['the same pupil (another spelling, merged by the DSL)', 'the same pupil (another spelling, merged by the DSL)']);
    expect(() => ids.merge({ ...cmd, actorId: 'jo-patel' }, h.clock.now())).toThrow(expect.objectContaining({ code: 'ALREADY_DONE' }));

    // Two pupils called Sam Jones in Y8: the DSL splits one case off to a new pupil.
    const newId = ids.split({ directory, cases: cases(), actorId: 'jo-patel', fromId: samId!, mentions: [`${other}|pupil`], reason: 'A different pupil with the same name.' }, h.clock.now());
    expect(newId).toMatch(/^pupil-[0-9a-f]{24}$/);
    expect(people().get(newId)?.cases.map((c) => c.report.id)).toEqual([other]);
    expect(people().get(samId!)?.cases.map((c) => c.report.id).sort()).toEqual([sam, samuel].sort());
    expect(relatedCases({ directory }, cases(), sam, 'jo-patel', ids.identities()).map((r) => r.reportId)).toEqual([samuel]);
    // Not every case: one stays.
    expect(() => ids.split({ directory, cases: cases(), actorId: 'jo-patel', fromId: newId, mentions: [`${other}|pupil`], reason: 'x' }, h.clock.now())).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));

    // Undo the split by merging back; undo the merge by splitting Samuel's case off.
    ids.merge({ directory, cases: cases(), actorId: 'jo-patel', fromId: newId, intoId: samId!, reason: 'It was the same pupil after all.' }, h.clock.now());
    expect(people().get(samId!)?.cases).toHaveLength(3);
    const back = ids.split({ directory, cases: cases(), actorId: 'jo-patel', fromId: samId!, mentions: [`${samuel}|pupil`], reason: 'Merged by mistake.' }, h.clock.now());
    expect(people().get(back)?.names).toEqual(['Samuel Jones (8)']);
    // A merged identity's old address leads to where it went.
    expect(ids.identities().root(newId)).toBe(samId);

    // Audited by ids and hashes only; the reason sealed at rest; no names anywhere in the audit or the table.
    const audit = h.db.prepare("SELECT action, report_id FROM audit_log WHERE action LIKE 'pupil.%' ORDER BY seq").all();
    expect(audit).toEqual([
      { action: 'pupil.merged', report_id: null },
      { action: 'pupil.split', report_id: other },
      { action: 'pupil.merged', report_id: null },
      { action: 'pupil.split', report_id: samuel },
    ]);
    const raw = JSON.stringify([h.db.prepare('SELECT * FROM audit_log').all(), h.db.prepare('SELECT * FROM pupil_identity_changes').all()]);
    for (const secret of ['Sam Jones', 'sam jones', 'Samuel', 'same name', 'Merged by mistake']) expect(raw).not.toContain(secret);
    expect(ids.history().map((c) => c.reason)).toContain('Merged by mistake.');
    expect(() => h.db.prepare('DELETE FROM pupil_identity_changes').run()).toThrow(/never deleted/);
  });

  it('G1: a subject finds nothing of the case about them, and their pupil page is refused (audited)', async () => {
    h = harness();
    const aboutHead = await friendRequest(h, { name: 'Robin Grey', yearGroup: 'Y9' }, 'alex-morgan');
    const ids = new PupilIdentityStore(h.db, h.keys);
    const cases = allCases(h.db, h.store);
    const chair = peopleIndex({ directory }, cases, ids.identities(), 'priya-shah');
    const robin = searchPeople(chair, 'robin')[0];
    expect(robin?.kind).toBe('pupil');
    expect(searchPeople(chair, 'MORGAN').map((p) => p.id)).toEqual(['staff-alex-morgan']);
    const head = peopleIndex({ directory }, cases, ids.identities(), 'alex-morgan');
    expect(searchPeople(head, 'robin')).toEqual([]);
    expect(searchPeople(head, 'alex')).toEqual([]);
    const d = { directory, store: h.store, clock: h.clock.now };
    expect(() => personFor(d, cases, ids.identities(), 'alex-morgan', robin!.id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => personFor(d, cases, ids.identities(), 'alex-morgan', 'staff-alex-morgan')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(h.actions(aboutHead).filter((a) => a === 'action.refused')).toHaveLength(2);
    // Someone who was never sent it: the same refusal, with nothing to tell the two apart.
    expect(() => personFor(d, cases, ids.identities(), 'kim-walsh', robin!.id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});
