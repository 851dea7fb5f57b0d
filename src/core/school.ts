import { z } from 'zod';
import { asRecord, type IssueSink } from './issues.js';
import { NameIndex, type NameMatch } from './name-matching.js';
import { weekdays, type WorkingHours } from './working-time.js';

export const roles = [
  'staff',
  'dsl',
  'deputy_dsl',
  'headteacher',
  'chair_of_governors',
  'ict_technician',
  'reputation_lead',
] as const;
export type Role = (typeof roles)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'use 24-hour "HH:MM", e.g. "08:00"' });

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const personSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'use lower-case letters, digits, dots and dashes, e.g. "jo-patel"' })
    .max(64, { error: 'an id has at most 64 characters' }),
  // At most 75: Slack's people picker shows no more, and every message names people whole.
  name: z.string().trim().min(1, { error: 'a name is required' }).max(75, { error: 'a name has at most 75 characters' }),
  /** Other names the person is known by (known-as, maiden name): a typed alias names them too (G1). */
  aliases: z.array(z.string().trim().min(1, { error: 'an alias cannot be empty' }).max(75, { error: 'an alias has at most 75 characters' })).max(20).optional(),
  roles: z.array(z.enum(roles, { error: `a role is one of: ${roles.join(', ')}` })).default(['staff']),
  slack: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, { error: 'a Slack user id looks like "U0DSL000001"' })
    .optional(),
  teams: z.string().trim().min(1).optional(),
});

export const schoolConfigSchema = z
  .strictObject({
    school: z.strictObject({
      name: z.string().trim().min(1),
      timezone: z.string().refine(isTimeZone, { error: 'not a known time zone (use e.g. "Europe/London")' }),
      workingHours: z
        .strictObject({
          days: z.array(z.enum(weekdays)).min(1, { error: 'list at least one working day' }),
          start: hhmm,
          end: hhmm,
        })
        .refine((wh) => wh.start < wh.end, { error: 'the working day must end after it starts', path: ['end'] }),
      /** Letters before the reference number: SG-2026-0042. */
      referencePrefix: z
        .string()
        .regex(/^[A-Z]{1,6}$/, { error: 'use 1 to 6 capital letters' })
        .default('SG'),
    }),
    people: z.array(personSchema).min(1, { error: 'list the people who hold roles' }),
    channels: z
      .strictObject({
        dsl: z
          .strictObject({
            slack: z
              .string()
              .regex(/^[CG][A-Z0-9]{2,}$/, { error: 'a Slack channel id looks like "C0DSLPRIV01"' })
              .optional(),
            teams: z.string().trim().min(1).optional(),
          })
          .default({}),
      })
      .default({ dsl: {} }),
    policy: z.string().trim().min(1).default('data/policies/default.yaml'),
    contacts: z
      .strictObject({
        /** Person told of urgent reports made outside working hours (G3). */
        outOfHours: z.string().optional(),
        /** Vice-chair of governors: takes a report when the chair is its subject (G1). */
        viceChair: z.string().optional(),
      })
      .default({}),
    /** How long a case is kept when the pupil's date of birth is not known (issue 14): years after it was submitted. */
    retention: z
      .strictObject({
        defaultYears: z
          .number({ error: 'give a number of years, e.g. 25' })
          .int({ error: 'give a whole number of years' })
          .min(1, { error: 'keep cases at least 1 year' })
          .max(100, { error: 'at most 100 years' })
          .default(25),
      })
      .default({ defaultYears: 25 }),
  })
  // Runs even when fields have problems (so that one message lists every problem): the data may be half-valid.
  .superRefine((value, ctx) => crossCheckSchool(value as unknown, ctx), { when: () => true });


function crossCheckSchool(value: unknown, ctx: IssueSink): void {
  const cfg = asRecord(value);
  const people = Array.isArray(cfg.people) ? cfg.people.map(asRecord) : [];
  const seen = new Map<string, number>();
  const seenIds = { slack: new Map<string, number>(), teams: new Map<string, number>() };
  people.forEach((p, i) => {
    if (typeof p.id === 'string') {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['people', i, 'id'], message: `"${p.id}" is used twice` });
      seen.set(p.id, i);
    }
    for (const key of ['slack', 'teams'] as const) {
      const id = p[key];
      if (typeof id !== 'string') continue;
      if (seenIds[key].has(id))
        ctx.addIssue({ code: 'custom', path: ['people', i, key], message: `${key === 'slack' ? 'Slack' : 'Teams'} id ${id} is used twice` });
      seenIds[key].set(id, i);
    }
  });
  for (const role of ['dsl', 'headteacher', 'chair_of_governors'] as const) {
    if (!people.some((p) => Array.isArray(p.roles) && p.roles.includes(role)))
      ctx.addIssue({ code: 'custom', path: ['people'], message: `nobody has the role ${role}; every school needs one` });
  }
  const contacts = asRecord(cfg.contacts);
  for (const key of ['outOfHours', 'viceChair'] as const) {
    const id = contacts[key];
    if (typeof id === 'string' && !seen.has(id))
      ctx.addIssue({ code: 'custom', path: ['contacts', key], message: `"${id}" is not the id of anyone under people` });
  }
}

export type SchoolConfig = z.infer<typeof schoolConfigSchema>;
export type Person = SchoolConfig['people'][number];

/** Anyone who is not in the school file: a member of staff known only by a chat id. */
export interface ExternalIdentity {
  channel: 'slack' | 'teams' | 'sandbox';
  userId: string;
}

/**
 * The school's people and roles. Person ids are the school file's ids; someone who is
 * not listed is staff and is known by a channel-qualified id ("slack:U123").
 */
export class Directory {
  readonly school: SchoolConfig['school'];
  readonly people: readonly Person[];
  readonly contacts: SchoolConfig['contacts'];
  readonly channels: SchoolConfig['channels'];
  readonly retention: SchoolConfig['retention'];
  private readonly byId = new Map<string, Person>();
  private readonly names: NameIndex;

  constructor(config: SchoolConfig) {
    this.school = config.school;
    this.people = config.people;
    this.contacts = config.contacts;
    this.channels = config.channels;
    this.retention = config.retention;
    for (const p of config.people) this.byId.set(p.id, p);
    this.names = new NameIndex(config.people);
  }

  get timeZone(): string {
    return this.school.timezone;
  }

  get workingHours(): WorkingHours {
    return this.school.workingHours;
  }

  get(id: string): Person | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  rolesOf(id: string): Role[] {
    const p = this.byId.get(id);
    return p ? ['staff', ...p.roles.filter((r) => r !== 'staff')] : ['staff'];
  }

  withRole(role: Role): Person[] {
    return this.people.filter((p) => p.roles.includes(role));
  }

  displayName(id: string): string {
    return this.byId.get(id)?.name ?? 'a member of staff';
  }

  /** The directory id for a chat identity, or the channel-qualified id of someone not listed. */
  resolveIdentity(identity: ExternalIdentity): string {
    if (identity.channel === 'sandbox' && this.byId.has(identity.userId)) return identity.userId;
    const match = this.people.find((p) =>
      identity.channel === 'slack' ? p.slack === identity.userId : identity.channel === 'teams' ? p.teams === identity.userId : false,
    );
    return match ? match.id : `${identity.channel}:${identity.userId}`;
  }

  /** Everyone a typed name could mean (G1; see name-matching.ts), with how strongly. */
  matchName(name: string): NameMatch[] {
    return this.names.match(name);
  }

  /** Members of the private DSL channel: the DSL and deputies. */
  dslChannelMembers(): string[] {
    return this.people.filter((p) => p.roles.includes('dsl') || p.roles.includes('deputy_dsl')).map((p) => p.id);
  }
}
