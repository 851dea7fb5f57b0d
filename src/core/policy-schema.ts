import { z } from 'zod';
import { asRecord, type IssueSink } from './issues.js';
import { roles } from './school.js';

/**
 * What a policy file may say. The vocabulary of facts is fixed (core derives them from
 * a report); a school's policy chooses, per rule, which facts trigger it, who owns it,
 * who is told and what decision is requested. The guards G1–G7 are enforced by the
 * engine and the workflow; a policy must list all of them and cannot switch one off.
 */
export const facts = [
  'pupil_concern',
  'staff_concern',
  'headteacher_concern',
  'friend_request_from_pupil',
  'friend_request_to_pupil',
  'family_link_declared',
  'school_device_or_network',
  'staff_victim',
  'parent_responsible',
  'reputation',
  'extremism',
  'illegal_content',
  'nude_images',
] as const;
export type Fact = (typeof facts)[number];

export const guardIds = ['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7'] as const;
export const requiredRuleIds = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10', 'R11', 'R12'] as const;
/** G3: these rules are urgent in every policy. */
export const urgentRuleIds = ['R10', 'R11', 'R12'] as const;
/** G4: decisions about a staff member have a deadline in every policy. */
export const staffDecisionRuleIds = ['R2', 'R3', 'R5'] as const;

const ownerRoles = ['dsl', 'headteacher', 'chair_of_governors'] as const;
export type OwnerRole = (typeof ownerRoles)[number];
const tellRoles = roles.filter((r) => r !== 'staff') as Exclude<(typeof roles)[number], 'staff'>[];

/**
 * What a decision may offer, so that every chat shows it whole: Slack's radio buttons
 * take at most 10 options of at most 75 characters, and the choices travel in a
 * button's value (2,000 characters at most).
 */
export const decisionLimits = { choices: 10, label: 75, id: 40, question: 300 } as const;

const choiceSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, { error: 'use lower_snake_case, e.g. refer_to_lado' })
    .max(decisionLimits.id, { error: `a choice id has at most ${decisionLimits.id} characters` }),
  label: z
    .string()
    .trim()
    .min(1)
    .max(decisionLimits.label, { error: `a choice's label has at most ${decisionLimits.label} characters (Slack shows no more): shorten it` }),
});

const ackDeadlineSchema = z.strictObject({
  remindAfterMinutes: z.number().int().positive(),
  escalateAfterMinutes: z.number().int().positive(),
  clock: z.enum(['working_hours', 'always']),
});

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[A-Z][A-Za-z0-9_-]*$/, { error: 'a rule id looks like "R4"' }),
  title: z.string().trim().min(1),
  source: z.string().optional(),
  /** The rule applies when any of these facts holds. */
  when: z.array(z.enum(facts)).min(1, { error: 'a rule needs at least one fact under "when"' }),
  /** Who acknowledges. "by_accessor": the rules about who accessed it decide; the DSL when none does (R7). */
  owner: z.enum([...ownerRoles, 'by_accessor']),
  tell: z.array(z.enum(tellRoles as [string, ...string[]])).default([]),
  urgent: z.boolean().default(false),
  decision: z
    .strictObject({
      from: z.enum(ownerRoles),
      question: z
        .string()
        .trim()
        .min(1)
        .max(decisionLimits.question, { error: `a decision's question has at most ${decisionLimits.question} characters` }),
      choices: z
        .array(choiceSchema)
        .min(2, { error: 'a decision needs at least two choices' })
        .max(decisionLimits.choices, { error: `a decision offers at most ${decisionLimits.choices} choices (Slack shows no more)` }),
      /** G4: due within this many working days; the next person in the chain is then asked. */
      dueWorkingDays: z.number().int().positive().optional(),
    })
    .optional(),
  task: z
    .strictObject({
      type: z.literal('block_urls'),
      assignee: z.literal('ict_technician'),
    })
    .optional(),
});

export const policySchema = z
  .strictObject({
    version: z.literal(1, { error: 'this bot reads policy files with "version: 1"' }),
    name: z.string().trim().min(1),
    guards: z.array(z.enum(guardIds)),
    deadlines: z.strictObject({
      acknowledge: z.strictObject({ normal: ackDeadlineSchema, urgent: ackDeadlineSchema }),
    }),
    /** Who owns a report that no rule matches ("something else"). */
    triage: z.strictObject({ owner: z.enum(ownerRoles) }),
    rules: z.array(ruleSchema).min(1),
  })
  // Runs even when fields have problems (so that one message lists every problem): the data may be half-valid.
  .superRefine((value, ctx) => crossCheckPolicy(value as unknown, ctx), { when: () => true });


function crossCheckPolicy(value: unknown, ctx: IssueSink): void {
  const policy = asRecord(value);
  const guards = Array.isArray(policy.guards) ? policy.guards : [];
  for (const g of guardIds) {
    if (!guards.includes(g)) ctx.addIssue({ code: 'custom', path: ['guards'], message: `guard ${g} cannot be removed from a policy` });
  }
  const rules = Array.isArray(policy.rules) ? policy.rules.map(asRecord) : [];
  const ids = new Map<string, number>();
  rules.forEach((rule, i) => {
    if (typeof rule.id !== 'string') return;
    if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule ${rule.id} appears twice` });
    ids.set(rule.id, i);
  });
  for (const id of requiredRuleIds) {
    if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['rules'], message: `rule ${id} is missing; every policy keeps R1–R12` });
  }
  for (const id of urgentRuleIds) {
    const i = ids.get(id);
    if (i !== undefined && rules[i]?.urgent !== true)
      ctx.addIssue({ code: 'custom', path: ['rules', i, 'urgent'], message: `rule ${id} must stay urgent (G3)` });
  }
  for (const id of staffDecisionRuleIds) {
    const i = ids.get(id);
    if (i === undefined) continue;
    const due = asRecord(rules[i]?.decision).dueWorkingDays;
    if (typeof due !== 'number' || due <= 0)
      ctx.addIssue({
        code: 'custom',
        path: ['rules', i, 'decision', 'dueWorkingDays'],
        message: `rule ${id} requests a decision about a staff member, due within a set number of working days (G4)`,
      });
  }
  const ack = asRecord(asRecord(policy.deadlines).acknowledge);
  for (const key of ['normal', 'urgent'] as const) {
    const d = asRecord(ack[key]);
    if (typeof d.remindAfterMinutes === 'number' && typeof d.escalateAfterMinutes === 'number' && d.escalateAfterMinutes <= d.remindAfterMinutes)
      ctx.addIssue({
        code: 'custom',
        path: ['deadlines', 'acknowledge', key, 'escalateAfterMinutes'],
        message: 'the escalation deadline must come after the reminder (G3)',
      });
  }
  const urgentClock = asRecord(ack.urgent).clock;
  if (urgentClock !== undefined && urgentClock !== 'always')
    ctx.addIssue({ code: 'custom', path: ['deadlines', 'acknowledge', 'urgent', 'clock'], message: 'urgent deadlines run at any hour (G3)' });
}

export type Policy = z.infer<typeof policySchema>;
export type PolicyRule = Policy['rules'][number];
export type DecisionChoice = z.infer<typeof choiceSchema>;
