import type { z } from 'zod';
import type { FieldIssue } from './errors.js';

/** What a cross-field check needs of zod's refinement context. */
export type IssueSink = { addIssue: (issue: { code: 'custom'; path: (string | number)[]; message: string }) => void };

/** A value as a record, or an empty one: cross-field checks read half-valid data. */
export const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** "people[2].roles[0]": a zod issue path as a person reads it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Zod issues as field issues, one per field and message. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    // A union that could not decide lists its branches' issues; the first branch's are the useful ones.
    const source = issue.code === 'invalid_union' && issue.errors?.[0]?.length ? issue.errors[0] : [issue];
    for (const i of source) {
      const path = formatPath([...issue.path, ...(i === issue ? [] : i.path)]);
      const key = `${path}|${i.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ path, message: i.message });
    }
  }
  return out;
}
