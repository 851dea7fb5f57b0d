import { beforeEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { axeViolations } from '../support/axe.js';
import { SandboxPage, useSandboxPage } from '../support/sandbox-harness.js';

// Issue 12 in headless Chromium: the DSL adds a recorded action to a case and closes it
// through the sandbox page, as a person would; the chronology shows both; the teacher is
// told it is closed; the DSL reopens it with a reason.
const t = useSandboxPage();
let s: SandboxPage;
beforeEach(() => {
  s = t.s;
});

describe('closing a case and adding a note in the sandbox page', () => {
  it('1: the DSL records that they spoke to the pupil, closes with an outcome and a reason, then reopens', async () => {
    const ex = example(1);
    await s.as(ex.reporter);
    const reference = await s.report('friend_request', ex.report);

    await s.as('jo-patel');
    const card = await s.see(s.dslChannel, `New report: ${reference}`);
    await card.getByRole('button', { name: 'View details' }).click();
    const details = await s.see(s.chat, `Report ${reference}`);
    await details.getByRole('button', { name: 'Add note', exact: true }).click();

    const noteForm = await s.see(s.chat, `Add a note to ${reference}`);
    await noteForm.getByText('Spoke to the pupil', { exact: true }).click();
    await noteForm.locator('[id="text"] textarea').fill('The pupil understood why staff do not accept requests.');
    await noteForm.locator('[id="externalRef"] input').fill('TUTOR-8B');
    // The page with the note form open, and later the close form and the chronology, passes axe-core.
    expect(await axeViolations(s.page)).toEqual([]);
    await noteForm.getByRole('button', { name: 'Add to the record' }).click();
    await s.see(s.chat, `Added to ${reference}`);

    await s.skip('+10 min');
    const again = await s.see(s.chat, `Report ${reference}`);
    await again.getByRole('button', { name: 'Close', exact: true }).click();
    const closeForm = await s.see(s.chat, `Close ${reference}`);
    // G5: no reason, no closing (the card says so next to the field).
    await closeForm.getByText('Action taken in school', { exact: true }).click();
    await closeForm.getByRole('button', { name: 'Close the case' }).click();
    expect(await s.message(s.chat, `Closed: ${reference}`).count()).toBe(0);
    await closeForm.locator('[id="reason"] textarea').fill('Pupil and parents spoken to; no further requests.');
    await s.screenshot('12-dsl-closes-a-case');
    expect(await axeViolations(s.page)).toEqual([]);
    await closeForm.getByRole('button', { name: 'Close the case' }).click();
    await s.see(s.chat, `Closed: ${reference}`);
    await s.see(s.dslChannel, /Closed by Jo Patel \(Action taken in school\)/);

    await s.dslChannel.locator('.message').filter({ hasText: `Closed: ${reference}` }).last().getByRole('button', { name: 'View details' }).click();
    // The details card that follows the click (an earlier one also has a chronology, without the closing).
    await expect.poll(async () => (await s.message(s.chat, /Chronology/).textContent()) ?? '').toMatch(/Closed/);
    const chronology = s.message(s.chat, /Chronology/);
    const words = (await chronology.textContent()) ?? '';
    expect(words).toContain('Spoke to the pupil, recorded by Jo Patel: The pupil understood why staff do not accept requests. (reference TUTOR-8B)');
    expect(words).toContain('Closed by Jo Patel (Action taken in school): Pupil and parents spoken to; no further requests.');
    expect(words.indexOf('Spoke to the pupil, recorded')).toBeLessThan(words.indexOf('Closed by Jo Patel (Action'));
    await s.screenshot('12-chronology');

    await chronology.getByRole('button', { name: 'Reopen', exact: true }).click();
    const reopenForm = await s.see(s.chat, `Reopen ${reference}`);
    await reopenForm.locator('[id="reason"] textarea').fill('The pupil sent another request.');
    await reopenForm.getByRole('button', { name: 'Reopen the case' }).click();
    await s.see(s.chat, `Reopened: ${reference}`);

    await s.as(ex.reporter);
    await s.see(s.chat, `Your report ${reference} has been closed`);
    await s.see(s.chat, `Your report ${reference} has been reopened`);
    expect((await s.message(s.chat, 'has been closed').textContent()) ?? '').not.toMatch(/Jo Patel|Pupil and parents/);
  });
});
