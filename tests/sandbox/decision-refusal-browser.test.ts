import { beforeEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { SandboxPage, useSandboxPage } from '../support/sandbox-harness.js';

// A refused decision in the sandbox page, as a headteacher sees it: the same card comes
// back in place with the choice and reason kept and the refusal under the Reason field
// (the path Teams takes too: Conversation.cardAction); nothing is said in the chat.
const t = useSandboxPage();
let s: SandboxPage;
beforeEach(() => {
  s = t.s;
});

describe('a refused decision in the sandbox page', () => {
  it('2: a reason of only spaces → the refusal under Reason, the choice kept; then the decision is recorded', async () => {
    const ex = example(2);
    await s.as(ex.reporter);
    const reference = await s.report('staff_conduct', ex.report);

    await s.as('alex-morgan');
    const card = await s.see(s.chat, `Decision needed: ${reference}`);
    const messages = await s.chat.locator('.message').count();
    await card.getByText('Refer to the LADO', { exact: true }).click();
    await card.locator('[id="reason"] textarea').fill('   ');
    await card.getByRole('button', { name: 'Record decision' }).click();

    const again = await s.see(s.chat, 'Please give the reason for your decision.');
    expect(await again.textContent()).toContain(`Decision needed: ${reference}`);
    expect(await s.chat.locator('.message').count()).toBe(messages);
    await expect.poll(() => again.getByRole('radio', { name: 'Refer to the LADO' }).isChecked()).toBe(true);
    await s.screenshot('decision-refused-next-to-reason');
    expect(t.h.app.store.listDuties(t.h.app.store.findReportByReference(reference)?.id ?? '').find((d) => d.type === 'decision')?.status).toBe('open');

    await again.locator('[id="reason"] textarea').fill('Following pupils on a personal account breaches the code of conduct.');
    await again.getByRole('button', { name: 'Record decision' }).click();
    await s.see(s.chat, /Refer to the LADO: decided by Alex Morgan/);
  });
});
