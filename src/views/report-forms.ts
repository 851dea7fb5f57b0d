import type { FieldIssue } from '../core/errors.js';
import { contentCategories, contentCategoryLabels, kindLabels, nudeImageGuidance, reportKinds, type ReportKind } from '../core/report-schemas.js';
import type { Directory } from '../core/school.js';
import { checkChoiceValue, type SubjectCandidate } from '../core/subject-check.js';
import { answerLabel, formatDay, formatLocalString } from './answer-labels.js';
import { fieldMaxLength } from './form-limits.js';

/**
 * The report forms as data: one list of fields per kind, shared by Teams' Adaptive
 * Cards, the sandbox and Slack's modals. A field's id is its path in core's form
 * ("occurred.date", "accessedBy.type"); submitted values come back flat, keyed by id.
 */
export type FieldKind = 'text' | 'multiline' | 'date' | 'time' | 'choice' | 'yesno' | 'urls' | 'person';

export interface FormField {
  id: string;
  kind: FieldKind;
  label: string;
  required: boolean;
  placeholder?: string;
  choices?: { title: string; value: string }[];
}

export interface FieldView extends FormField {
  value: string;
  /** The most characters a text answer takes (core's limit; see form-limits.ts). */
  maxLength: number;
  error: string;
  errorMessage: string;
}

export interface FormView {
  title: string;
  kind: ReportKind;
  paragraphs: string[];
  fields: FieldView[];
  formError: string;
}

const opts = (pairs: [string, string][]) => pairs.map(([value, title]) => ({ title, value }));
const when = (required: boolean, what = 'it happened'): FormField[] => [
  { id: 'occurred.date', kind: 'date', label: `Date ${what}`, required },
  { id: 'occurred.time', kind: 'time', label: 'Time (if known)', required: false },
];
/** A pupil's date of birth: optional (a member of staff often does not know it); it sets the case's review date. */
const dateOfBirth = (id: string, label = "If a pupil: their date of birth (if known)"): FormField => ({ id, kind: 'date', label, required: false });
const who = (prefix: string, label: string, types: [string, string][], required = true, askDateOfBirth = false): FormField[] => [
  { id: `${prefix}.type`, kind: 'choice', label, required, choices: opts(types) },
  { id: `${prefix}.personId`, kind: 'person', label: 'If a member of staff: who', required: false },
  { id: `${prefix}.name`, kind: 'text', label: 'Name (if known)', required: false },
  ...(askDateOfBirth ? [dateOfBirth(`${prefix}.dateOfBirth`)] : []),
];
const staff = (prefix: string, label: string): FormField[] => [
  { id: `${prefix}.personId`, kind: 'person', label, required: false },
  { id: `${prefix}.name`, kind: 'text', label: 'Or type their name', required: false },
];
const text = (id: string, label: string, required = true, placeholder?: string): FormField => ({
  id,
  kind: 'text',
  label,
  required,
  ...(placeholder ? { placeholder } : {}),
});
const long = (id: string, label: string, required = true): FormField => ({ id, kind: 'multiline', label, required });
/** Form 2's evidence times, asked once for the screenshots sent with or after the report (Slack asks with its own pickers). */
export const screenshotFieldPrefix = 'screenshots.';
const screenshotTimes: FormField[] = [
  { id: 'screenshots.takenDate', kind: 'date', label: 'If you will send screenshots: the date they were taken', required: false },
  { id: 'screenshots.takenTime', kind: 'time', label: 'The time they were taken', required: false },
  { id: 'screenshots.postedDate', kind: 'date', label: 'The date the post they show was made', required: false },
  { id: 'screenshots.postedTime', kind: 'time', label: 'The time the post was made', required: false },
];

export const formFields: Record<ReportKind, FormField[]> = {
  inappropriate_content: [
    ...who('accessedBy', 'Who accessed it?', [['pupil', 'A pupil'], ['staff', 'A member of staff'], ['visitor', 'A visitor'], ['unknown', 'Not known']], true, true),
    ...when(true),
    { id: 'urls', kind: 'urls', label: 'Full web address(es), one per line', required: true, placeholder: 'https://…' },
    { id: 'category', kind: 'choice', label: 'What kind of content?', required: true, choices: contentCategories.map((c) => ({ title: contentCategoryLabels[c], value: c })) },
    long('description', 'What was it? (describe, do not copy it)'),
    text('device', 'Device', true, 'e.g. school laptop 14'),
    text('location', 'Where', true, 'e.g. Year 5 classroom'),
    { id: 'schoolDeviceOrNetwork', kind: 'yesno', label: 'Was a school device or the school network used?', required: true },
    ...screenshotTimes,
  ],
  cyberbullying: [
    { id: 'target.type', kind: 'choice', label: 'Who was targeted?', required: true, choices: opts([['pupil', 'A pupil'], ['staff', 'A member of staff'], ['other', 'Someone else']]) },
    text('target.name', 'Their name (if you can give it)', false),
    dateOfBirth('target.dateOfBirth'),
    ...who('responsible', 'Who is said to be responsible?', [['pupil', 'A pupil'], ['staff', 'A member of staff'], ['parent', 'A parent'], ['unknown', 'Not known, or outside the school']]),
    text('platform', 'App or website', true, 'e.g. WhatsApp'),
    text('where', 'Where (web address, group or account name)'),
    ...when(true, 'it was posted'),
    long('description', 'What happened'),
    ...screenshotTimes,
  ],
  friend_request: [
    { id: 'direction', kind: 'choice', label: 'Who sent the request?', required: true, choices: opts([['pupil_to_staff', 'A pupil, to a member of staff'], ['staff_to_pupil', 'A member of staff, to a pupil']]) },
    text('platform', 'App or website', true, 'e.g. Instagram'),
    ...when(true),
    text('pupil.name', "The pupil's name"),
    text('pupil.yearGroup', 'Year group', false),
    dateOfBirth('pupil.dateOfBirth', "The pupil's date of birth (if known)"),
    ...staff('staffMember', 'The member of staff'),
    { id: 'accepted', kind: 'yesno', label: 'Was the request accepted?', required: true },
    { id: 'familyLink', kind: 'yesno', label: 'Is there a family link?', required: true },
    long('familyLinkDetails', 'If so, what is the family link?', false),
    ...screenshotTimes,
  ],
  staff_conduct: [
    ...staff('staffMember', 'The member of staff'),
    ...when(true),
    text('platform', 'App or website (if any)', false),
    long('description', 'What happened'),
    { id: 'involvesPupils', kind: 'yesno', label: 'Were pupils involved?', required: true },
    ...screenshotTimes,
  ],
  extremism: [
    ...who('concernAbout', 'Who is the concern about?', [['pupil', 'A pupil'], ['staff', 'A member of staff'], ['other', 'Someone else'], ['unknown', 'Not known']], true, true),
    ...when(true),
    { id: 'urls', kind: 'urls', label: 'Web address(es), one per line (if any)', required: false },
    long('description', 'What you saw or heard'),
    ...screenshotTimes,
  ],
  nude_images: [
    text('pupil.name', "The pupil's name"),
    text('pupil.yearGroup', 'Year group', false),
    dateOfBirth('pupil.dateOfBirth', "The pupil's date of birth (if known)"),
    ...when(true, 'you found out'),
    text('whereShared', 'Where are the images being shared?', true, 'e.g. a Snapchat group'),
    long('description', 'What you know (do not describe the images)'),
  ],
  reputation: [
    ...who('author', 'Who posted it?', [['parent', 'A parent'], ['pupil', 'A pupil'], ['staff', 'A member of staff'], ['other', 'Someone else'], ['unknown', 'Not known']]),
    text('platform', 'App or website', true, 'e.g. Facebook'),
    text('where', 'Where (web address, group or page)'),
    ...when(true, 'it was posted'),
    long('description', 'What was posted'),
    ...screenshotTimes,
  ],
  something_else: [
    ...who('about', 'Who is it about? (if anyone)', [['pupil', 'A pupil'], ['staff', 'A member of staff'], ['other', 'Someone else'], ['unknown', 'Not known']], false, true),
    ...when(false),
    long('description', 'What happened'),
    ...screenshotTimes,
  ],
};

/** The kinds to choose from, in plain words. */
export const kindChoices = reportKinds.map((k) => ({ title: kindLabels[k], value: k }));

const requiredMessage = (f: FormField) => (f.kind === 'choice' || f.kind === 'yesno' || f.kind === 'person' ? 'Please choose one.' : 'Please fill this in.');

/** The id of the confirm step's question in a form (not part of core's form: it is submitted beside it). */
export const subjectCheckField = 'subjectCheck';
export const subjectCheckQuestion = 'Is this about one of these people?';
export const subjectCheckIntro =
  'Before it is sent: the name you typed could be someone in the school\'s list. Choose who you mean: they are left out of the report and never told.';

/** G1's confirm step as a form field: the candidates and "None of them", first in the form. */
export function subjectCheckFormField(candidates: SubjectCandidate[]): FormField {
  return {
    id: subjectCheckField,
    kind: 'choice',
    label: subjectCheckQuestion,
    required: true,
    choices: [
      ...candidates.map((c) => ({ title: c.name, value: checkChoiceValue({ personId: c.personId }) })),
      { title: 'None of them', value: checkChoiceValue({ none: candidates }) },
    ],
  };
}

/**
 * The form for a kind, with the values already given and the errors next to their fields.
 * With `candidates`, the form is shown again before it is sent, asking "Is this about one
 * of these people?" first (G1's confirm step), the answers kept.
 */
export function formView(
  kind: ReportKind,
  dir: Directory,
  values: Record<string, string> = {},
  issues: FieldIssue[] = [],
  candidates: SubjectCandidate[] = [],
): FormView {
  const people = dir.people.map((p) => ({ title: p.name, value: p.id }));
  const errors = new Map<string, string>();
  const unplaced: string[] = [];
  const fields = [...(candidates.length > 0 ? [subjectCheckFormField(candidates)] : []), ...formFields[kind]];
  for (const issue of issues) {
    const field = fieldForIssue(fields, issue.path);
    if (field && !errors.has(field.id)) errors.set(field.id, issue.message);
    else if (!field) unplaced.push(issue.message);
  }
  return {
    title: kindLabels[kind],
    kind,
    paragraphs: [
      ...(candidates.length > 0 ? [subjectCheckIntro] : []),
      ...(kind === 'nude_images' ? [...nudeImageGuidance] : kind === 'cyberbullying' ? ['After you send this, the bot asks for the screenshots in your chat with it.'] : []),
    ],
    fields: fields.map((f) => ({
      ...f,
      ...(f.kind === 'person' ? { choices: people } : {}),
      ...(f.kind === 'yesno' ? { choices: opts([['true', 'Yes'], ['false', 'No']]) } : {}),
      placeholder: f.placeholder ?? '',
      maxLength: fieldMaxLength(kind, f),
      value: values[f.id] ?? '',
      error: errors.get(f.id) ?? '',
      errorMessage: requiredMessage(f),
    })),
    formError: unplaced.join(' '),
  };
}

/** The field a core issue belongs to: the same path, an item of it, or the first field inside it. */
export function fieldForIssue(fields: FormField[], path: string): FormField | undefined {
  return (
    fields.find((f) => f.id === path) ??
    fields.find((f) => path.startsWith(`${f.id}[`) || path.startsWith(`${f.id}.`)) ??
    fields.find((f) => f.id.startsWith(`${path}.`))
  );
}

/** Flat submitted values (keyed by field id) as core's nested form. Empty answers are left out. */
export function formFromValues(kind: ReportKind, values: Record<string, unknown>): Record<string, unknown> {
  const form: Record<string, unknown> = { kind };
  for (const f of formFields[kind]) {
    const raw = values[f.id];
    if (raw === undefined || raw === null) continue;
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === '') continue;
    let out: unknown = value;
    if (f.kind === 'yesno') out = value === true || value === 'true' ? true : value === false || value === 'false' ? false : value;
    if (f.kind === 'urls' && typeof value === 'string') out = value.split(/\s+/).filter(Boolean);
    setPath(form, f.id.split('.'), out);
  }
  return form;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
  node[path[path.length - 1] as string] = value;
}

function getPath(source: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = source;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A stored form as flat answers keyed by field id: what formFromValues reads back. */
export function formValues(kind: ReportKind, form: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of formFields[kind]) {
    const v = getPath(form, f.id.split('.'));
    if (v === undefined || v === null) continue;
    values[f.id] = Array.isArray(v) ? v.map(String).join('\n') : String(v);
  }
  return values;
}

/** The answers of a stored form, labelled for people (people by name, choices by their words). */
export function formAnswers(kind: ReportKind, form: Record<string, unknown>, dir: Directory): { title: string; value: string }[] {
  const values = formValues(kind, form);
  return formFields[kind].flatMap((f) => {
    const v = values[f.id];
    // The screenshots' times are shown beside each screenshot; the time it happened beside its date.
    if (v === undefined || f.id.startsWith(screenshotFieldPrefix) || f.id === 'occurred.time') return [];
    let shown = v;
    if (f.kind === 'person') shown = dir.displayName(v);
    else if (f.kind === 'yesno') shown = v === 'true' ? 'Yes' : 'No';
    else if (f.kind === 'choice') shown = f.choices?.find((c) => c.value === v)?.title ?? v;
    else if (f.kind === 'urls') shown = v.split('\n').join(', ');
    else if (f.kind === 'date') shown = f.id === 'occurred.date' && values['occurred.time'] ? formatLocalString(`${v}T${values['occurred.time']}`) : formatDay(v);
    return [{ title: answerLabel(f), value: shown }];
  });
}
