import { beforeEach, describe, expect, it } from 'vitest';
import { kindLabels } from '../../src/core/report-schemas.js';
import { possibleSubjectWords } from '../../src/views/message-views.js';
import { fillForm, SandboxPage, useSandboxPage } from '../support/sandbox-harness.js';

// G1's confirm step in the sandbox, in headless Chromium (issue 9, item 2): a conduct
// report about "Mr Morgan" asks "Is this about one of these people?" before it is sent;
// after "None of them" the headteacher still sees nothing, and the chair is told that
// someone was left out.
const t = useSandboxPage();
let s: SandboxPage;
beforeEach(() => {
  s = t.s;
});

describe('G1 with real names, in the sandbox', () => {
  it('"Mr Morgan": the form asks first, keeps the answers; after "None of them" the headteacher sees nothing and the chair is told someone was left out', async () => {
    const report = { kind: 'staff_conduct', staffMember: { name: 'Mr Morgan' }, occurred: { date: '2026-11-20' }, description: 'Posted a photo of a pupil.', involvesPupils: true };
    await s.as('amy-clarke');
    await s.chat.getByRole('button', { name: 'Report a concern' }).click();
    const kindCard = await s.see(s.chat, 'What is it about?');
    await kindCard.getByText(kindLabels.staff_conduct, { exact: true }).click();
    await kindCard.getByRole('button', { name: 'Next' }).click();
    const form = await s.see(s.chat, 'Send report');
    await fillForm(form, 'staff_conduct', report);
    await form.getByRole('button', { name: 'Send report' }).click();

    const asked = await s.see(s.chat, 'Is this about one of these people?');
    const question = asked.locator('[id="subjectCheck"]');
    await question.getByText('Alex Morgan', { exact: true }).waitFor();
    expect(await asked.locator('[id="description"] textarea').inputValue()).toBe('Posted a photo of a pupil.');
    expect(await s.message(s.chat, /Report sent/).count()).toBe(0);
    await question.getByText('None of them', { exact: true }).click();
    await s.screenshot('g1-is-this-about-one-of-these-people');
    await asked.getByRole('button', { name: 'Send report' }).click();
    const sent = await s.see(s.chat, /Report sent: SG-\d{4}-\d{4}/);
    const reference = /SG-\d{4}-\d{4}/.exec((await sent.textContent()) ?? '')?.[0] ?? '';

    await s.as('alex-morgan');
    expect(await s.message(s.chat, reference).count()).toBe(0);
    await s.as('jo-patel');
    expect(await s.message(s.dslChannel, reference).count()).toBe(0);
    await s.as('priya-shah');
    const decision = await s.see(s.chat, `Decision needed: ${reference}`);
    expect(await decision.textContent()).toContain(possibleSubjectWords);
    expect(await decision.textContent()).not.toContain('Morgan');
  });
});
