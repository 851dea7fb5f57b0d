import { z } from 'zod';
import { textLimits } from './text-limits.js';

/**
 * The report forms (escalation-rules.md, "Report kinds"), as zod schemas with messages
 * a teacher understands. The reporter is never a form field: it comes from the chat
 * identity. The ICT technician's section of the inappropriate-content form is recorded
 * by the workflow (`completeTask`), not typed by the reporter.
 */
export const reportKinds = [
  'inappropriate_content',
  'cyberbullying',
  'friend_request',
  'staff_conduct',
  'extremism',
  'nude_images',
  'reputation',
  'something_else',
] as const;
export type ReportKind = (typeof reportKinds)[number];

/** The kinds in plain words, in the order a form offers them. */
export const kindLabels: Record<ReportKind, string> = {
  inappropriate_content: 'Inappropriate content seen or accessed',
  cyberbullying: 'Cyberbullying or online abuse',
  friend_request: 'Friend or follow request between a pupil and staff',
  staff_conduct: "A staff member's online conduct",
  extremism: 'Radicalisation or extremist content',
  nude_images: 'Nude or semi-nude images of a pupil',
  reputation: 'Posts about the school',
  something_else: 'Something else',
};

export const contentCategories = ['sexual', 'violent', 'extremist', 'self_harm', 'hate', 'illegal', 'other'] as const;
export const contentCategoryLabels: Record<(typeof contentCategories)[number], string> = {
  sexual: 'Sexual',
  violent: 'Violent',
  extremist: 'Extremist',
  self_harm: 'Self-harm',
  hate: 'Hate',
  illegal: 'Possibly illegal',
  other: 'Other',
};

const text = (what: string, max: number = textLimits.description) =>
  z
    .string({ error: `Please fill in ${what}.` })
    .trim()
    .min(1, { error: `Please fill in ${what}.` })
    .max(max, { error: `Please keep ${what} under ${max} characters.` });

const optionalText = (what: string, max: number = textLimits.short) =>
  z
    .string()
    .trim()
    .max(max, { error: `Please keep ${what} under ${max} characters.` })
    .optional()
    .transform((v) => (v === '' ? undefined : v));

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
function isRealDate(value: string): boolean {
  if (!isoDate.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Please give the time as hours and minutes, e.g. 14:30.' });

const localDateTime = z
  .string({ error: 'Please give a date and time.' })
  .refine((v) => /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/.test(v) && isRealDate(v.slice(0, 10)), {
    error: 'Please give a date and time, e.g. 2026-11-23 14:30.',
  });

/** A web address: the full URL; "instagram.com/x" is read as https://instagram.com/x. */
export const webAddress = z
  .string({ error: 'Please paste the full web address.' })
  .trim()
  .min(1, { error: 'Please paste the full web address.' })
  .max(textLimits.url, { error: `That web address is too long (more than ${textLimits.url} characters).` })
  .transform((v, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(v) ? v : `https://${v}`;
    try {
      const url = new URL(withScheme);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.') && !/\s/.test(v)) {
        return url.toString();
      }
    } catch {
      // fall through to the issue below
    }
    ctx.addIssue({ code: 'custom', message: 'That is not a web address. Paste the full address, e.g. https://www.example.com/page.' });
    return z.NEVER;
  });

/**
 * The web addresses of a form: at least `min`, at most 20, and at most 3,000 characters
 * as typed, one per line (the form's input takes no more).
 */
const urlList = (min: number) =>
  z
    .array(z.string({ error: 'Please paste the full web address.' }), { error: 'Please give at least one web address.' })
    .refine((list) => list.join('\n').length <= textLimits.urlList, {
      error: `Please keep the web addresses under ${textLimits.urlList.toLocaleString('en-GB')} characters in all: give the site's address rather than every page.`,
    })
    .pipe(
      z
        .array(webAddress)
        .min(min, { error: 'Please give at least one web address.' })
        .max(textLimits.urlCount, { error: `Please give at most ${textLimits.urlCount} web addresses.` }),
    );

/** The youngest and oldest a school pupil can be, in whole years, on the day of the report. */
export const pupilAge = { min: 2, max: 25 } as const;

/** "YYYY-MM-DD" moved by whole years (29 February becomes 1 March in a year without one). */
function plusYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return `${String(y).padStart(4, '0')}${date.slice(5) === '02-29' && !leap ? '-03-01' : date.slice(4)}`;
}

/**
 * A pupil's date of birth (issue 14, item 7: the review date is their 25th birthday):
 * optional, a real date, not in the future, and an age a school pupil can have on the
 * day of the report (2 to 25 years).
 */
export function dateOfBirth(today: string) {
  return z
    .string({ error: 'Please give the date of birth, e.g. 2014-05-31.' })
    .trim()
    .refine(isRealDate, { error: 'Please give the date of birth, e.g. 2014-05-31.' })
    .refine((d) => !isRealDate(d) || d <= today, { error: 'That date of birth is in the future.', abort: true })
    .refine((d) => !isRealDate(d) || (plusYears(d, pupilAge.min) <= today && plusYears(d, pupilAge.max + 1) > today), {
      error: `That date of birth gives an age a pupil cannot have (${pupilAge.min} to ${pupilAge.max} years): please check the year.`,
    });
}

type DateOfBirthSchema = ReturnType<typeof dateOfBirth>;

const person = <T extends readonly [string, ...string[]]>(types: T, what: string, dob: DateOfBirthSchema) =>
  z
    .strictObject(
      {
        type: z.enum(types, { error: `Please choose who ${what} is.` }),
        /** The school file's id, when the person was chosen from the school's list. */
        personId: z.string().trim().min(1).optional(),
        name: optionalText('the name'),
        /** A pupil's date of birth, when the reporter knows it ("YYYY-MM-DD"). */
        dateOfBirth: dob.optional(),
      },
      { error: `Please choose who ${what} is.` },
    )
    .refine((p) => p?.dateOfBirth === undefined || p.type === 'pupil', {
      error: 'A date of birth is asked only for a pupil: please leave it empty.',
      path: ['dateOfBirth'],
      when: () => true,
    });

const pupilPart = (dob: DateOfBirthSchema) =>
  z.strictObject(
    {
      name: text("the pupil's name", textLimits.short),
      yearGroup: optionalText('the year group', textLimits.yearGroup),
      /** The pupil's date of birth, when the reporter knows it ("YYYY-MM-DD"). */
      dateOfBirth: dob.optional(),
    },
    { error: "Please fill in the pupil's name." },
  );

const staffMember = z
  .strictObject(
    {
      personId: z.string().trim().min(1).optional(),
      name: optionalText('the name'),
    },
    { error: 'Please choose the member of staff, or type their name.' },
  )
  .refine((s) => s.personId !== undefined || s.name !== undefined, {
    error: 'Please choose the member of staff, or type their name.',
  });

export interface FormContext {
  /** Today's date in the school's time zone, "YYYY-MM-DD": dates after it are refused. */
  today: string;
}

/** Builds the schemas for a given day: the only thing they need to know is today's date. */
export function makeReportSchema(context: FormContext) {
  const dob = dateOfBirth(context.today);
  const pupil = pupilPart(dob);
  const occurred = z.strictObject(
    {
    date: z
      .string({ error: 'Please give the date.' })
      .refine(isRealDate, { error: 'Please give a date, e.g. 2026-11-23.' })
      .refine((d) => !isRealDate(d) || d <= context.today, { error: 'That date is in the future.' }),
    time: clockTime.optional(),
    },
    { error: 'Please give the date.' },
  );

  const urls = urlList(1);

  /**
   * Form 2's evidence times, asked once in the form for the screenshots sent with or
   * after it (as Slack asks once per batch): when they were taken and when the post was
   * made. A date without its time (or a time without its date) is sent back to be
   * completed; neither may be in the future.
   */
  const day = z
    .string()
    .refine(isRealDate, { error: 'Please give a date, e.g. 2026-11-23.' })
    .refine((d) => !isRealDate(d) || d <= context.today, { error: 'That date is in the future.' });
  const screenshots = z
    .strictObject({ takenDate: day.optional(), takenTime: clockTime.optional(), postedDate: day.optional(), postedTime: clockTime.optional() })
    .superRefine((v, ctx) => {
      for (const [what, date, time] of [['taken', v.takenDate, v.takenTime], ['posted', v.postedDate, v.postedTime]] as const) {
        if (date !== undefined && time === undefined) ctx.addIssue({ code: 'custom', path: [`${what}Time`], message: 'Please give the time too (an estimate will do).' });
        if (time !== undefined && date === undefined) ctx.addIssue({ code: 'custom', path: [`${what}Date`], message: 'Please give the date too.' });
      }
    })
    .optional();

  const inappropriateContent = z.strictObject({
    kind: z.literal('inappropriate_content'),
    accessedBy: person(['pupil', 'staff', 'visitor', 'unknown'] as const, 'accessed it', dob),
    occurred,
    urls,
    category: z.enum(contentCategories, { error: 'Please choose what kind of content it was.' }),
    description: text('what the content was'),
    device: text('the device', textLimits.short),
    location: text('where it happened', textLimits.short),
    schoolDeviceOrNetwork: z.boolean({ error: 'Please say whether a school device or the school network was used.' }),
    screenshots,
  });

  const cyberbullying = z.strictObject({
    kind: z.literal('cyberbullying'),
    target: person(['pupil', 'staff', 'other'] as const, 'was targeted', dob),
    responsible: person(['pupil', 'staff', 'parent', 'unknown'] as const, 'is responsible', dob),
    platform: text('the app or website', textLimits.short),
    where: text('where it was posted (a web address, group or account name)', textLimits.where),
    occurred,
    description: text('what happened'),
    screenshots,
  });

  const friendRequest = z
    .strictObject({
      kind: z.literal('friend_request'),
      direction: z.enum(['pupil_to_staff', 'staff_to_pupil'] as const, { error: 'Please say who sent the request.' }),
      platform: text('the app or website', textLimits.short),
      occurred,
      pupil,
      staffMember,
      accepted: z.boolean({ error: 'Please say whether the request was accepted.' }),
      familyLink: z.boolean({ error: 'Please say whether there is a family link.' }),
      familyLinkDetails: optionalText('the family link', textLimits.familyLinkDetails),
      screenshots,
    })
    .refine((r) => r?.familyLink !== true || (r.familyLinkDetails ?? '') !== '', {
      error: 'Please describe the family link.',
      path: ['familyLinkDetails'],
      when: () => true, // shown with the other mistakes, not after they are fixed
    });

  const staffConduct = z.strictObject({
    kind: z.literal('staff_conduct'),
    staffMember,
    occurred,
    platform: optionalText('the app or website'),
    description: text('what happened'),
    involvesPupils: z.boolean({ error: 'Please say whether pupils were involved.' }),
    screenshots,
  });

  const extremism = z.strictObject({
    kind: z.literal('extremism'),
    concernAbout: person(['pupil', 'staff', 'other', 'unknown'] as const, 'the concern is about', dob),
    occurred,
    urls: urlList(0).default([]),
    description: text('what you saw or heard'),
    screenshots,
  });

  const nudeImages = z.strictObject({
    kind: z.literal('nude_images'),
    pupil,
    occurred,
    whereShared: text('where the images are being shared (for example the app or group)', textLimits.where),
    description: text('what you know, without describing the images', textLimits.nudeImagesDescription),
  });

  const reputation = z.strictObject({
    kind: z.literal('reputation'),
    author: person(['parent', 'pupil', 'staff', 'other', 'unknown'] as const, 'posted it', dob),
    platform: text('the app or website', textLimits.short),
    where: text('where it was posted (a web address, group or account name)', textLimits.where),
    occurred,
    description: text('what was posted'),
    screenshots,
  });

  const somethingElse = z.strictObject({
    kind: z.literal('something_else'),
    about: person(['pupil', 'staff', 'other', 'unknown'] as const, 'the concern is about', dob).optional(),
    occurred: occurred.optional(),
    description: text('what happened'),
    screenshots,
  });

  return z.discriminatedUnion(
    'kind',
    [inappropriateContent, cyberbullying, friendRequest, staffConduct, extremism, nudeImages, reputation, somethingElse],
    { error: 'Please choose what kind of concern this is.' },
  );
}

export type ReportForm = z.output<ReturnType<typeof makeReportSchema>>;

/** The schemas for today, built once a day (building them is most of zod's cost: never once a request). */
let todays: { today: string; schema: ReturnType<typeof makeReportSchema> } | undefined;
export function reportSchemaFor(today: string): ReturnType<typeof makeReportSchema> {
  if (todays?.today !== today) todays = { today, schema: makeReportSchema({ today }) };
  return todays.schema;
}
export type ReportFormOf<K extends ReportKind> = Extract<ReportForm, { kind: K }>;

/** What the reporter says about one screenshot or file of evidence. */
export const evidenceMetaSchema = z.strictObject({
  /** When the screenshot was taken, local time "YYYY-MM-DDTHH:MM". */
  takenAt: localDateTime.optional(),
  /** When the post it shows was made, local time "YYYY-MM-DDTHH:MM". */
  postedAt: localDateTime.optional(),
  fileName: z.string().trim().max(255).optional(),
});
export type EvidenceMeta = z.output<typeof evidenceMetaSchema>;

/** The evidence times a report's form gives its screenshots ("YYYY-MM-DDTHH:MM", local), if any. */
export function formEvidenceTimes(form: unknown): Pick<EvidenceMeta, 'takenAt' | 'postedAt'> {
  const s = (form as { screenshots?: { takenDate?: string; takenTime?: string; postedDate?: string; postedTime?: string } } | undefined)?.screenshots;
  if (!s) return {};
  return {
    ...(s.takenDate && s.takenTime ? { takenAt: `${s.takenDate}T${s.takenTime}` } : {}),
    ...(s.postedDate && s.postedTime ? { postedAt: `${s.postedDate}T${s.postedTime}` } : {}),
  };
}

/** Kinds whose form accepts evidence files. G2: never the nude-images kind. */
export function acceptsEvidence(kind: ReportKind): boolean {
  return kind !== 'nude_images';
}

/** G2: what the nude-images form tells the reporter instead of offering an upload. */
export const nudeImageGuidance = [
  'Do not view, copy, screenshot, forward, print or save the images, and do not ask anyone to send them to you.',
  'Tell the DSL in person now, as well as filing this report.',
  'If the pupil is worried about an image of themselves online, Report Remove (Childline and the IWF) can help get it taken down: https://www.childline.org.uk/remove',
] as const;
