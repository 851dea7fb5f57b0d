import type { DecisionChoice, OwnerRole, Policy, PolicyRule } from './policy-schema.js';
import { deriveFacts } from './report-facts.js';
import type { ReportForm } from './report-schemas.js';
import type { Directory, Role } from './school.js';
import type { SubjectCheck } from './subject-check.js';
import { deadlineAfter, isWorkingTime, workingDayMinutes } from './working-time.js';

export type ChainRole = Exclude<Role, 'staff'> | 'vice_chair';
export interface ChainLevel {
  role: ChainRole;
  people: string[];
}
export type DutyType = 'acknowledge' | 'decision' | 'task';
export type TimerKind = 'ack_remind' | 'ack_escalate' | 'decision_due';

/** One thing someone must do about a report: acknowledge it, decide, or block URLs. */
export interface PlannedDuty {
  type: DutyType;
  rules: string[];
  /** The role the rule names (before G1 moved it, if it did). */
  nominalRole: ChainRole;
  /** The chain of people, after G1 removed the report's subjects. levels[0] is asked first. */
  levels: ChainLevel[];
  /** levels[0..reach] may act now (the DSL's deputies are in reach from the start). */
  reach: number;
  via: 'dsl_channel' | 'direct_message';
  question?: string;
  choices?: DecisionChoice[];
  urls?: string[];
  timers: { kind: TimerKind; dueAt: string }[];
}

export interface Routing {
  /** Every rule that matched, in policy order; "triage" when none did. */
  rules: string[];
  urgent: boolean;
  subjects: string[];
  /** Subjects only because a typed name could be theirs (not picked, not confirmed). Absent in older records. */
  possibleSubjects?: string[];
  /** G1 left out someone who is only possibly the subject: the recipients' cards say so (not who). */
  possibleSubjectSkipped?: boolean;
  duties: PlannedDuty[];
  /** People told for information (each once), beyond those who must act. */
  told: { personId: string; rules: string[] }[];
  /** What appears in the private DSL channel: the report to acknowledge, a notice, or nothing. */
  dslChannel: 'acknowledge' | 'inform' | 'none';
  notes: string[];
}

/**
 * The order in which a role's work moves on (G1 when someone is the subject, G3/G4 when
 * nobody acts in time): DSL → deputies → headteacher → chair → vice-chair. For the
 * chair, the headteacher is last: "told that the chair is conflicted".
 */
const chains: Record<ChainRole, ChainRole[]> = {
  dsl: ['dsl', 'deputy_dsl', 'headteacher', 'chair_of_governors', 'vice_chair'],
  deputy_dsl: ['deputy_dsl', 'dsl', 'headteacher', 'chair_of_governors', 'vice_chair'],
  headteacher: ['headteacher', 'chair_of_governors', 'vice_chair'],
  chair_of_governors: ['chair_of_governors', 'vice_chair', 'headteacher'],
  vice_chair: ['vice_chair', 'headteacher'],
  ict_technician: ['ict_technician', 'headteacher', 'chair_of_governors'],
  reputation_lead: ['reputation_lead', 'headteacher', 'chair_of_governors'],
};
const lastResort: ChainRole[] = ['dsl', 'deputy_dsl', 'headteacher', 'chair_of_governors', 'vice_chair'];

/** Roles in words for people ("the DSL"). */
export const roleWords: Record<ChainRole, string> = {
  dsl: 'the DSL',
  deputy_dsl: 'the deputy DSLs',
  headteacher: 'the headteacher',
  chair_of_governors: 'the chair of governors',
  vice_chair: 'the vice-chair of governors',
  ict_technician: 'the ICT technician',
  reputation_lead: 'the reputation lead',
};

export interface RouteInput {
  form: ReportForm;
  reporterId: string;
  /** The reporter's answer to "Is this about one of these people?", if they were asked. */
  subjectCheck?: SubjectCheck | undefined;
  /** G1: the author of a reported message, when they are in the school file (message-evidence.ts). */
  messageAuthor?: { certain: string[]; possible: string[] } | undefined;
}

/** G1: a reported message's author is a subject too (certain by platform id, possible by name). */
function withMessageAuthor<T extends { subjects: string[]; possibleSubjects: string[] }>(d: T, author: RouteInput['messageAuthor']): T {
  if (!author) return d;
  const certain = new Set([...d.subjects.filter((id) => !d.possibleSubjects.includes(id)), ...author.certain]);
  const subjects = [...new Set([...d.subjects, ...author.certain, ...author.possible])];
  return { ...d, subjects, possibleSubjects: subjects.filter((id) => !certain.has(id)) };
}

/**
 * The escalation policy engine: a pure function of the report, the policy, the
 * school's directory and the time. Rules apply first; the guards win over them.
 */
export function route(input: RouteInput, policy: Policy, dir: Directory, now: Date): Routing {
  const derived = withMessageAuthor(deriveFacts(input.form, dir, input.subjectCheck), input.messageAuthor);
  const { facts, urls } = derived;
  const notes: string[] = [];

  const peopleFor = (role: ChainRole): string[] => {
    if (role === 'vice_chair') return dir.contacts.viceChair ? [dir.contacts.viceChair] : [];
    return dir.withRole(role).map((p) => p.id);
  };

  // Someone always owns a report: if the typed name could be everyone who might take it,
  // those only possibly named take it (never a person picked or confirmed as its subject).
  const leads = new Set(lastResort.flatMap(peopleFor));
  const certain = new Set(derived.subjects.filter((id) => !derived.possibleSubjects.includes(id)));
  const reinstated = [...leads].every((id) => derived.subjects.includes(id)) ? [...leads].filter((id) => !certain.has(id)) : [];
  if (reinstated.length > 0)
    notes.push('G1: everyone who could take this report may be the person it is about; it goes to those only possibly named, as nobody else can take it');
  const subjects = derived.subjects.filter((id) => !reinstated.includes(id));
  const possibleSubjects = derived.possibleSubjects.filter((id) => !reinstated.includes(id));
  const isSubject = new Set(subjects);
  /** Subjects G1 took out of someone's way: a chain, the DSL channel, the people told. */
  const skipped = new Set<string>();
  const skip = (id: string) => (isSubject.has(id) ? (skipped.add(id), true) : false);

  /** G1: the chain for a role without the report's subjects, empty levels dropped. */
  const chainFor = (role: ChainRole): ChainLevel[] => {
    const seen = new Set<string>();
    const build = (order: ChainRole[]) =>
      order
        .map((r) => {
          const people = peopleFor(r).filter((id) => !skip(id) && !seen.has(id));
          for (const id of people) seen.add(id);
          return { role: r, people };
        })
        .filter((l) => l.people.length > 0);
    let levels = build(chains[role]);
    if (levels.length === 0) {
      levels = build(lastResort);
      notes.push(`G1: everyone in the chain for ${roleWords[role]} is named in the report; routed to whoever is left`);
    }
    const first = levels[0];
    if (first && first.role !== role) {
      const moved = peopleFor(role).some((id) => isSubject.has(id));
      if (moved) notes.push(`G1: ${roleWords[role]} is named in the report, so it goes to ${roleWords[first.role]}`);
      else notes.push(`${roleWords[role]} is not configured, so it goes to ${roleWords[first.role]}`);
      if (role === 'chair_of_governors' && first.role === 'headteacher')
        notes.push('G1: the chair of governors is conflicted and no vice-chair is configured; the headteacher is told');
    }
    return levels;
  };

  const matched: PolicyRule[] = policy.rules.filter((r) => r.when.some((f) => facts.has(f)));
  const urgent = matched.some((r) => r.urgent);
  const ruleIds = matched.length > 0 ? matched.map((r) => r.id) : ['triage'];

  // Owners: each rule's owner role; R7 ("by_accessor") defers to the others, else the DSL.
  const ownerRules = new Map<OwnerRole, string[]>();
  for (const r of matched) {
    if (r.owner === 'by_accessor') continue;
    ownerRules.set(r.owner, [...(ownerRules.get(r.owner) ?? []), r.id]);
  }
  if (ownerRules.size === 0) {
    const deferred = matched.filter((r) => r.owner === 'by_accessor').map((r) => r.id);
    ownerRules.set(deferred.length > 0 ? 'dsl' : policy.triage.owner, deferred.length > 0 ? deferred : ['triage']);
  }

  const channelMembers = dir.dslChannelMembers();
  const channelUsable = channelMembers.filter(skip).length === 0;
  if (!channelUsable) notes.push('G1: someone in the DSL channel is named in the report, so nothing is posted there');

  const ack = policy.deadlines.acknowledge[urgent ? 'urgent' : 'normal'];
  const deadline = (minutes: number, clock: 'working_hours' | 'always'): string =>
    deadlineAfter(now, minutes, clock, dir.workingHours, dir.timeZone).toISOString();

  const duties: PlannedDuty[] = [];
  const merge = (duty: PlannedDuty, key: (d: PlannedDuty) => string) => {
    const same = duties.find((d) => d.type === duty.type && key(d) === key(duty));
    if (same) same.rules = [...new Set([...same.rules, ...duty.rules])];
    else duties.push(duty);
  };

  for (const [role, rules] of ownerRules) {
    const levels = chainFor(role);
    if (levels.length === 0) {
      notes.push(`nobody can own this report for ${rules.join(', ')}: check the school file`);
      continue;
    }
    const first = levels[0] as ChainLevel;
    const reach = first.role === 'dsl' && levels[1]?.role === 'deputy_dsl' ? 1 : 0;
    merge(
      {
        type: 'acknowledge',
        rules,
        nominalRole: role,
        levels,
        reach,
        via: first.role === 'dsl' && channelUsable ? 'dsl_channel' : 'direct_message',
        timers: [
          { kind: 'ack_remind', dueAt: deadline(ack.remindAfterMinutes, ack.clock) },
          { kind: 'ack_escalate', dueAt: deadline(ack.escalateAfterMinutes, ack.clock) },
        ],
      },
      (d) => d.levels[0]?.role ?? '',
    );
  }

  for (const r of matched) {
    if (r.decision) {
      const levels = chainFor(r.decision.from);
      if (levels.length === 0) continue;
      const due = r.decision.dueWorkingDays;
      merge(
        {
          type: 'decision',
          rules: [r.id],
          nominalRole: r.decision.from,
          levels,
          reach: 0,
          via: 'direct_message',
          question: r.decision.question,
          choices: r.decision.choices,
          timers: due
            ? [{ kind: 'decision_due', dueAt: deadline(due * workingDayMinutes(dir.workingHours), 'working_hours') }]
            : [],
        },
        (d) => `${d.levels[0]?.role}|${(d.choices ?? []).map((c) => c.id).join(',')}`,
      );
    }
    if (r.task) {
      const levels = chainFor(r.task.assignee);
      if (levels.length === 0) continue;
      if (urls.length === 0) notes.push(`${r.id}: no web address was given to block`);
      merge(
        { type: 'task', rules: [r.id], nominalRole: r.task.assignee, levels, reach: 0, via: 'direct_message', urls, timers: [] },
        (d) => d.levels[0]?.role ?? '',
      );
    }
  }

  // Who already hears about it: everyone who must act now (by direct message), and the DSL channel.
  const direct = new Set<string>();
  for (const d of duties)
    if (d.via === 'direct_message') for (const l of d.levels.slice(0, d.reach + 1)) for (const id of l.people) direct.add(id);
  const reached = new Set<string>(direct);
  let dslChannel: Routing['dslChannel'] = duties.some((d) => d.type === 'acknowledge' && d.via === 'dsl_channel')
    ? 'acknowledge'
    : 'none';
  if (dslChannel === 'acknowledge') for (const id of channelMembers) reached.add(id);

  const told = new Map<string, string[]>();
  const tell = (id: string, rule: string, heard = reached) => {
    if (skip(id) || heard.has(id)) return;
    told.set(id, [...new Set([...(told.get(id) ?? []), rule])]);
  };
  for (const r of matched) {
    for (const role of r.tell) {
      const levels = chainFor(role as ChainRole);
      const first = levels[0];
      if (!first) continue;
      if ((first.role === 'dsl' || first.role === 'deputy_dsl') && channelUsable) {
        if (dslChannel === 'none') dslChannel = 'inform';
        for (const id of channelMembers) reached.add(id);
        continue;
      }
      for (const id of first.people) tell(id, r.id);
    }
  }
  const outOfHours = dir.contacts.outOfHours;
  if (urgent && outOfHours && !isWorkingTime(now, dir.workingHours, dir.timeZone)) {
    if (skip(outOfHours)) notes.push('G1: the out-of-hours contact is named in the report and is not told');
    else tell(outOfHours, 'G3', direct); // by direct message, even if they are in the DSL channel: nobody reads it at night
  }

  return {
    rules: ruleIds,
    urgent,
    subjects,
    possibleSubjects,
    possibleSubjectSkipped: possibleSubjects.some((id) => skipped.has(id)),
    duties,
    told: [...told].map(([personId, rules]) => ({ personId, rules })),
    dslChannel,
    notes: [...new Set(notes)],
  };
}

/** Everyone the routing would notify, for checks such as G1's. */
export function everyoneReached(routing: Routing, dir: Directory): Set<string> {
  const ids = new Set<string>();
  for (const d of routing.duties) for (const l of d.levels) for (const id of l.people) ids.add(id);
  for (const t of routing.told) ids.add(t.personId);
  if (routing.dslChannel !== 'none') for (const id of dir.dslChannelMembers()) ids.add(id);
  return ids;
}
