import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { axeViolations } from '../support/axe.js';
import { SandboxPage, useSandboxPage } from '../support/sandbox-harness.js';

// Issue 12, items 4 and 5 in headless Chromium: the open-case list typed in the sandbox
// chat (with G1: a report about the DSL is never in the DSL's list), and a screenshot's
// times asked in the form and shown beside its hash in View details.
const t = useSandboxPage();
let s: SandboxPage;
beforeEach(() => {
  s = t.s;
});

async function say(text: string): Promise<void> {
  const box = s.chat.getByRole('textbox', { name: 'Message to the bot' });
  await box.fill(text);
  await box.press('Enter');
}

describe('the sandbox: open cases and evidence times', () => {
  it('the DSL types "cases": theirs, with the next deadline and View details; the report about them is not there (G1)', async () => {
    const ex = example(5);
    await s.as(ex.reporter);
    const form = { ...ex.report, screenshots: { takenDate: '2026-11-23', takenTime: '08:05', postedDate: '2026-11-22', postedTime: '20:15' } };
    const reference = await s.report('cyberbullying', form);
    await s.chat.locator('input[type=file]').setInputFiles({ name: 'group-chat.png', mimeType: 'image/png', buffer: readFileSync('manifests/teams/color.png') });
    await s.see(s.chat, `Added 1 screenshot to ${reference}: 1 attached in all.`);
    // One confirmation: the form became "Report sent"; no second "Report received" card.
    expect(await s.message(s.chat, 'Report received').count()).toBe(0);

    // A report about the DSL's own conduct (worked example 7), filed through the same core.
    const seven = example(7);
    const about = await t.h.app.workflow.submit({ reporterId: seven.reporter, form: seven.report });
    await t.h.app.dispatcher.deliverDue();

    await s.as('jo-patel');
    await say('cases');
    const list = await s.see(s.chat, 'Open cases: 1');
    expect(await axeViolations(s.page)).toEqual([]);
    const text = (await list.textContent()) ?? '';
    expect(text).toContain(reference);
    expect(text).toContain('Yours');
    expect(text).toContain('Next deadline: Mon, 23 Nov 2026, 10:30');
    expect(text).not.toContain(about.reference);
    await s.screenshot('issue12-open-cases-dsl');

    await list.getByRole('button', { name: 'View details' }).click();
    const details = await s.see(s.chat, `Report ${reference}`);
    expect((await details.textContent()) ?? '').toMatch(/group-chat\.png, \d+ KB, taken Mon, 23 Nov 2026, 08:05, post made Sun, 22 Nov 2026, 20:15/);

    // The deadline passes: the case is marked overdue.
    await s.skip('+30 working min');
    await say('my cases');
    const late = await s.see(s.chat, /1 yours, 1 overdue/);
    expect((await late.textContent()) ?? '').toContain('Overdue');

    await s.as('alex-morgan');
    await say('cases');
    const head = await s.see(s.chat, /Open cases: \d/);
    expect((await head.textContent()) ?? '').toContain(about.reference);
  });

  it('a report started twice: the first, unsent form is put away', async () => {
    await s.as('amy-clarke');
    await s.chat.getByRole('button', { name: 'Report a concern' }).click();
    await s.see(s.chat, 'What is it about?');
    await s.chat.getByRole('button', { name: 'Report a concern' }).click();
    await s.see(s.chat, 'Form put away');
    await expect.poll(() => s.chat.locator('.message').filter({ hasText: 'What is it about?' }).count()).toBe(1);
  });
});
