import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

// What the G1 name tests send on every channel (tests/slack/g1-names.test.ts,
// tests/teams/g1-names.test.ts): reports that name someone as staff call each other, and
// a school file with people renamed.

export const occurred = { date: '2026-11-20' };

/** A staff-conduct report about the person with this typed name ("Mr Morgan"). */
export const conduct = (name: string) => ({ kind: 'staff_conduct', staffMember: { name }, occurred, description: 'Posted about a pupil.', involvesPupils: true });

/** A cyberbullying report against a Year 7 pupil by this typed name, a pupil or staff. */
export const bullying = (type: string, name: string) => ({
  kind: 'cyberbullying',
  target: { type: 'pupil', name: 'A Year 7 pupil' },
  responsible: { type, name },
  platform: 'WhatsApp',
  where: 'Class group',
  occurred,
  description: 'Unkind messages.',
});

/** The demo school file with some people renamed, in a temporary folder removed when the test is done. */
export function schoolWith(renames: Record<string, string>): string {
  let text = readFileSync('data/school.example.yaml', 'utf8');
  for (const [from, to] of Object.entries(renames)) text = text.replace(`name: ${from},`, `name: ${JSON.stringify(to)},`);
  const folder = mkdtempSync(path.join(tmpdir(), 'sgbot-school-'));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  const file = path.join(folder, 'school.yaml');
  writeFileSync(file, text);
  return file;
}
