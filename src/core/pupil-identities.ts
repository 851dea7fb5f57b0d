import { DomainError } from './errors.js';
import type { ReportRecord, WorkflowStore } from './ports.js';
import type { Directory } from './school.js';
import type { CaseFacts } from './governors-report.js';
import { accessOf } from './workflow-access.js';

// Pupil identities (issue 14, item 4). A pupil is, by default, their name and year group
// as reported (trimmed, spaces collapsed, case ignored). The DSL can merge two identities
// (two spellings of one pupil) and split cases off one (two pupils with the same name and
// year group): each change is replayed here, in order, over the defaults. Channel-free
// and store-free: the store keeps the changes (sealed reasons, audited) and gives the
// default identity's id.

/** Where in a form a pupil is named: the form's pupil, or a person field whose type is "pupil". */
export const pupilSlots = ['pupil', 'target', 'responsible', 'accessedBy', 'concernAbout', 'author', 'about'] as const;
export type PupilSlot = (typeof pupilSlots)[number];

/** One pupil as one case names them. */
export interface PupilMention {
  reportId: string;
  slot: PupilSlot;
  name: string;
  yearGroup: string;
  /** name and year group, normalised: the default identity. */
  key: string;
}

const normalise = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** The default identity of a pupil: name and year group as reported, ignoring case and extra spaces. */
export function pupilKeyOf(name: string, yearGroup: string | undefined): string {
  return `${normalise(name)}|${normalise(yearGroup ?? '')}`;
}

/** A mention's address inside the case: "<report id>|<slot>". */
export const mentionRef = (m: Pick<PupilMention, 'reportId' | 'slot'>) => `${m.reportId}|${m.slot}`;

/** The pupils a case names (each slot once). */
export function pupilMentions(report: Pick<ReportRecord, 'id' | 'form'>): PupilMention[] {
  const form = report.form as unknown as Record<string, unknown>;
  const out: PupilMention[] = [];
  for (const slot of pupilSlots) {
    const v = form[slot] as { name?: unknown; yearGroup?: unknown; type?: unknown } | undefined;
    if (!v || typeof v.name !== 'string' || !v.name.trim()) continue;
    if (slot !== 'pupil' && v.type !== 'pupil') continue;
    const yearGroup = typeof v.yearGroup === 'string' ? v.yearGroup.trim() : '';
    out.push({ reportId: report.id, slot, name: v.name.trim(), yearGroup, key: pupilKeyOf(v.name, yearGroup) });
  }
  return out;
}

/** A recorded change: a merge (one identity into another) or a case split off to a new identity. */
export type IdentityChange =
  | { action: 'merge'; fromId: string; intoId: string }
  | { action: 'split'; reportId: string; slot: string; fromId: string; intoId: string };

/** The identities as the changes so far leave them. */
export class PupilIdentities {
  private readonly alias = new Map<string, string>();
  private readonly links = new Map<string, string>();

  constructor(
    changes: readonly IdentityChange[] = [],
    /** The default identity's id for a key (the store's is keyed, so no name is in an address). */
    readonly defaultId: (key: string) => string = (key) => `pupil:${key}`,
  ) {
    for (const c of changes) this.apply(c);
  }

  apply(c: IdentityChange): void {
    if (c.action === 'split') {
      this.links.set(`${c.reportId}|${c.slot}`, c.intoId);
      return;
    }
    const from = this.root(c.fromId);
    const into = this.root(c.intoId);
    if (from !== into) this.alias.set(from, into);
  }

  /** Where an identity now is (a merged one leads to the one it was merged into). */
  root(id: string): string {
    let at = id;
    for (let i = 0; i < 10_000; i++) {
      const next = this.alias.get(at);
      if (next === undefined) return at;
      at = next;
    }
    return at;
  }

  of(m: Pick<PupilMention, 'reportId' | 'slot' | 'key'>): string {
    return this.root(this.links.get(mentionRef(m)) ?? this.defaultId(m.key));
  }
}

/** A person in the people search: a pupil identity or a member of staff of the school file. */
export interface PersonEntry {
  id: string;
  kind: 'pupil' | 'staff';
  /** The spellings as reported (pupils), or the school file's name (staff). */
  names: string[];
  /** The cases about them this reader may see whole, oldest first. */
  cases: CaseFacts[];
  /** The pupil's mentions in those cases ("<report id>|<slot>"), for the split form. */
  mentions: PupilMention[];
}

export const staffIdentity = (personId: string) => `staff-${personId}`;
export const spelling = (m: Pick<PupilMention, 'name' | 'yearGroup'>) => (m.yearGroup ? `${m.name} (${m.yearGroup})` : `${m.name} (year group not given)`);

/**
 * Everyone who appears in a case this reader may see whole (never a case they are the
 * subject of, G1): pupils by identity, staff by their school-file id. Nothing of a case
 * the reader may not see is used, so nothing here shows such a case exists.
 */
export function peopleIndex(d: { directory: Directory }, cases: CaseFacts[], identities: PupilIdentities, actorId: string): Map<string, PersonEntry> {
  const people = new Map<string, PersonEntry>();
  const entry = (id: string, kind: PersonEntry['kind']) => {
    let e = people.get(id);
    if (!e) people.set(id, (e = { id, kind, names: [], cases: [], mentions: [] }));
    return e;
  };
  const sorted = [...cases].sort((a, b) => a.report.submittedAt.localeCompare(b.report.submittedAt));
  for (const c of sorted) {
    if (accessOf(d, c.report, c.duties, actorId) !== 'full') continue;
    for (const personId of new Set(c.report.routing.subjects.filter((id) => d.directory.has(id)))) {
      const e = entry(staffIdentity(personId), 'staff');
      if (e.names.length === 0) e.names.push(d.directory.displayName(personId));
      e.cases.push(c);
    }
    for (const m of pupilMentions(c.report)) {
      const e = entry(identities.of(m), 'pupil');
      if (!e.names.includes(spelling(m))) e.names.push(spelling(m));
      if (!e.cases.includes(c)) e.cases.push(c);
      e.mentions.push(m);
    }
  }
  return people;
}

/** The people whose name (any spelling) contains the words searched for, ignoring case; nobody for an empty search. */
export function searchPeople(people: Map<string, PersonEntry>, query: string): PersonEntry[] {
  const q = normalise(query);
  if (!q) return [];
  return [...people.values()]
    .filter((p) => p.names.some((n) => normalise(n).includes(q)))
    .sort((a, b) => (a.names[0] ?? '').localeCompare(b.names[0] ?? '', 'en-GB') || a.id.localeCompare(b.id));
}

/** Merging and splitting pupils is the DSL's (the school file's role "dsl"). */
export function requireIdentityPowers(roles: readonly string[]): void {
  if (!roles.includes('dsl')) throw new DomainError('FORBIDDEN', 'only the DSL merges or splits pupils');
}

function requireReason(reason: string | undefined): string {
  const r = (reason ?? '').trim();
  if (!r) throw new DomainError('REASON_REQUIRED', 'a reason is required', [{ path: 'reason', message: 'Please give a reason.' }]);
  if (r.length > 500) throw new DomainError('TEXT_TOO_LONG', 'the reason is too long', [{ path: 'reason', message: 'At most 500 characters.' }]);
  return r;
}

export interface IdentityCommandDeps {
  directory: Directory;
  cases: CaseFacts[];
  identities: PupilIdentities;
}

/** A pupil this reader may see (at least one case seen whole), or the same refusal as for one that does not exist. */
function visiblePupil(d: IdentityCommandDeps, actorId: string, id: string, field: string): PersonEntry {
  const p = peopleIndex(d, d.cases, d.identities, actorId).get(d.identities.root(id));
  if (!p || p.kind !== 'pupil')
    throw new DomainError('VALIDATION_FAILED', 'no such pupil', [{ path: field, message: 'Please choose a pupil from the list.' }]);
  return p;
}

/** Checks a merge of one pupil identity into another (the DSL's, with a reason); the change to record. */
export function planMerge(
  d: IdentityCommandDeps,
  cmd: { actorId: string; fromId: string; intoId: string; reason: string | undefined },
): { change: Extract<IdentityChange, { action: 'merge' }>; reason: string; reportIds: string[] } {
  requireIdentityPowers(d.directory.rolesOf(cmd.actorId));
  const into = visiblePupil(d, cmd.actorId, cmd.intoId, 'into');
  const from = visiblePupil(d, cmd.actorId, cmd.fromId, 'other');
  if (from.id === into.id) throw new DomainError('ALREADY_DONE', 'already the same pupil', [{ path: 'other', message: 'These are already the same pupil.' }]);
  const reason = requireReason(cmd.reason);
  return { change: { action: 'merge', fromId: from.id, intoId: into.id }, reason, reportIds: from.cases.map((c) => c.report.id) };
}

/** Checks a split of some of a pupil's cases off to a new identity (the DSL's, with a reason); the changes to record. */
export function planSplit(
  d: IdentityCommandDeps,
  cmd: { actorId: string; fromId: string; mentions: string[]; reason: string | undefined; newId: string },
): { changes: Extract<IdentityChange, { action: 'split' }>[]; reason: string } {
  requireIdentityPowers(d.directory.rolesOf(cmd.actorId));
  const from = visiblePupil(d, cmd.actorId, cmd.fromId, 'case');
  const chosen = from.mentions.filter((m) => cmd.mentions.includes(mentionRef(m)));
  if (chosen.length === 0 || chosen.length !== new Set(cmd.mentions).size)
    throw new DomainError('VALIDATION_FAILED', 'no case of this pupil chosen', [{ path: 'case', message: "Please choose one or more of this pupil's cases." }]);
  if (chosen.length === from.mentions.length)
    throw new DomainError('VALIDATION_FAILED', 'every case chosen', [{ path: 'case', message: 'Leave at least one case with this pupil: the cases chosen become a new pupil.' }]);
  const reason = requireReason(cmd.reason);
  return { changes: chosen.map((m) => ({ action: 'split', reportId: m.reportId, slot: m.slot, fromId: from.id, intoId: cmd.newId })), reason };
}

/**
 * A person's page: the people index's entry for this identity (a merged one is found
 * under the identity it was merged into), or FORBIDDEN when this reader may see none of
 * their cases, whether or not such cases exist (G1: the refusal is audited, against each
 * case of theirs the reader is the subject of).
 */
export function personFor(
  d: { directory: Directory; store: Pick<WorkflowStore, 'transaction' | 'appendAudit'>; clock: () => Date },
  cases: CaseFacts[],
  identities: PupilIdentities,
  actorId: string,
  id: string,
): PersonEntry {
  const found = peopleIndex(d, cases, identities, actorId).get(id.startsWith('pupil-') ? identities.root(id) : id);
  if (found) return found;
  const mine = cases.filter(
    (c) =>
      c.report.routing.subjects.includes(actorId) &&
      (c.report.routing.subjects.some((s) => staffIdentity(s) === id) || pupilMentions(c.report).some((m) => identities.of(m) === identities.root(id))),
  );
  const at = d.clock().toISOString();
  const details = { action: 'view_person', code: 'FORBIDDEN', person: id };
  d.store.transaction(() => {
    if (mine.length === 0) d.store.appendAudit({ at, actor: actorId, action: 'action.refused', details });
    for (const c of mine) d.store.appendAudit({ at, actor: actorId, action: 'action.refused', reportId: c.report.id, details });
  });
  throw new DomainError('FORBIDDEN', 'you may see none of the cases about this person');
}
