import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { kindLabels } from '../../src/core/report-schemas.js';
import { SandboxStore } from '../../src/store/sandbox-store.js';
import { axeViolations } from '../support/axe.js';
import { example } from '../support/harness.js';
import { SandboxPage, useSandboxPage } from '../support/sandbox-harness.js';

// The sandbox page itself, as a school first tries it: on a phone (390 px), with a
// screen reader (an axe-core audit of each main state), while the bot's messages keep
// arriving, and when a file or a message is refused. Screenshots for the README go to
// docs/screenshots/.
const t = useSandboxPage();
let s: SandboxPage;
beforeEach(() => {
  s = t.s;
});

const phone = { width: 390, height: 844 };

/** Every drawn element whose box leaves the viewport sideways, and how wide the document scrolls. */
async function overflow(page: Page): Promise<{ scrollWidth: number; outside: string[] }> {
  return page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const outside = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (r.left < -0.5 || r.right > width + 0.5)
        outside.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    return { scrollWidth: document.documentElement.scrollWidth, outside: outside.slice(0, 10) };
  })()`);
}

async function expectFitsWidth(page: Page): Promise<void> {
  expect(await overflow(page)).toEqual({ scrollWidth: page.viewportSize()?.width, outside: [] });
}

async function openForm(kind: keyof typeof kindLabels): Promise<Locator> {
  await s.chat.getByRole('button', { name: 'Report a concern' }).click();
  const kindCard = await s.see(s.chat, 'What is it about?');
  await kindCard.getByText(kindLabels[kind], { exact: true }).click();
  await kindCard.getByRole('button', { name: 'Next' }).click();
  return s.see(s.chat, 'Send report');
}

type Scroller = { scrollTop: number; scrollHeight: number; clientHeight: number };
const listState = (where: Locator) =>
  where.locator('.messages').evaluate((l: Scroller) => ({
    top: l.scrollTop,
    atBottom: l.scrollHeight - l.scrollTop - l.clientHeight < 40,
    scrollable: l.scrollHeight > l.clientHeight + 100,
  }));

describe('the sandbox page', () => {
  it('passes an axe-core audit in its main states, wide and at 390 px, where nothing is cut off and the forms work', async () => {
    await s.as('amy-clarke');
    expect(await axeViolations(s.page)).toEqual([]); // start
    await s.screenshotForDocs('sandbox-wide');

    // The "member of staff" picker: a labelled text box (axe `label`), and the whole form clean.
    const form = await openForm('staff_conduct');
    await expect.poll(() => form.getByRole('combobox', { name: /member of staff/i }).count()).toBe(1);
    expect(await axeViolations(s.page)).toEqual([]);

    await s.page.setViewportSize(phone);
    await s.page.evaluate("window.scrollTo(0, 0)");
    await expectFitsWidth(s.page);
    expect(await axeViolations(s.page)).toEqual([]);
    await s.screenshotForDocs('sandbox-390');
    // Sent empty: each missing answer is said next to its field, and the page still passes.
    await form.getByRole('button', { name: 'Send report' }).click();
    const missing = form.getByText('Please fill this in.').first();
    await missing.waitFor({ state: 'visible' });
    await expectFitsWidth(s.page);
    expect(await axeViolations(s.page)).toEqual([]);
    await missing.scrollIntoViewIfNeeded();
    await s.screenshotForDocs('sandbox-390-form-error');
    // Usable on the phone: the form is filled in and sent there.
    const ex = example(2);
    await form.getByRole('combobox', { name: /member of staff/i }).fill('Chris Doyle');
    await form.locator('[id="occurred.date"] input').fill('2026-11-20');
    await form.locator('[id="description"] textarea').fill(String(ex.report.description));
    await form.locator('[id="involvesPupils"]').getByText('Yes', { exact: true }).click();
    await form.scrollIntoViewIfNeeded();
    await s.screenshotForDocs('sandbox-390-form');
    await form.getByRole('button', { name: 'Send report' }).click();
    const sent = await s.see(s.chat, /Report sent: SG-\d{4}-\d{4}/);
    const reference = /SG-\d{4}-\d{4}/.exec((await sent.textContent()) ?? '')?.[0] ?? '';
    await expectFitsWidth(s.page);

    // A card with inputs (a decision with its choices and a reason), at 390 px and wide.
    await s.as('alex-morgan');
    const decision = await s.see(s.chat, `Decision needed: ${reference}`);
    await decision.scrollIntoViewIfNeeded();
    await expectFitsWidth(s.page);
    expect(await axeViolations(s.page)).toEqual([]);
    await s.screenshotForDocs('sandbox-390-decision');
    await s.page.setViewportSize({ width: 1400, height: 950 });
    expect(await axeViolations(s.page)).toEqual([]);

    // The DSL and the DSL channel, and the page in a dark-scheme browser (the page has one look; it must stay readable).
    await s.as('jo-patel');
    await s.dslChannel.waitFor();
    expect(await axeViolations(s.page)).toEqual([]);
    await s.page.emulateMedia({ colorScheme: 'dark' });
    await s.page.setViewportSize(phone);
    await expectFitsWidth(s.page);
    expect(await axeViolations(s.page)).toEqual([]);
  });

  it('keeps your place: new messages neither scroll away from a reason being typed nor wipe it; "New messages ↓" takes you down', async () => {
    await s.page.setViewportSize({ width: 1400, height: 560 });
    const ex = example(2);
    await s.as(ex.reporter);
    const reference = await s.report('staff_conduct', ex.report);
    await s.as('alex-morgan');
    // Enough chat below the decision card that the chat scrolls.
    const say = (text: string) =>
      fetch(`${t.h.url}sandbox/api/say`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: 'alex-morgan', text }) });
    const decision = await s.see(s.chat, `Decision needed: ${reference}`);
    for (let i = 0; i < 3; i++) await s.chat.locator('input[name=text]').fill('whoami').then(() => s.chat.getByRole('button', { name: 'Send', exact: true }).click());
    await expect.poll(() => s.chat.locator('.message', { hasText: 'In the sandbox you are' }).count()).toBe(3);
    expect((await listState(s.chat)).atBottom).toBe(true);
    expect((await listState(s.chat)).scrollable).toBe(true);

    // Alex scrolls up to the decision and starts on it.
    await decision.getByText('Refer to the LADO', { exact: true }).click();
    const reason = decision.locator('[id="reason"] textarea');
    await reason.click();
    await reason.pressSequentially('Following pupils breaches the code');
    const place = await listState(s.chat);
    expect(place.atBottom).toBe(false);

    // Messages arrive (as the page's polling finds them), and the decision card itself is drawn again.
    await say('whoami');
    await expect.poll(() => s.chat.locator('.message', { hasText: 'In the sandbox you are' }).count(), { timeout: 8000 }).toBe(4);
    const newMessages = s.chat.getByRole('button', { name: 'New messages ↓' });
    await newMessages.waitFor({ state: 'visible' });
    expect((await listState(s.chat)).top).toBe(place.top);
    await decision.evaluate((el: { dataset: Record<string, string> }) => {
      el.dataset.old = 'yes';
    });
    const messages = new SandboxStore(t.h.app.store.db);
    const id = Number(await decision.getAttribute('data-message-id'));
    messages.updateCard(id, messages.get(id)!.card!, t.h.clock.now());
    await expect.poll(() => s.chat.locator('[data-old]').count(), { timeout: 8000 }).toBe(0);
    const redrawn = s.chat.locator(`[data-message-id="${id}"]`);
    expect(await redrawn.locator('[id="reason"] textarea').inputValue()).toBe('Following pupils breaches the code');
    expect(await redrawn.getByRole('radio', { name: 'Refer to the LADO' }).isChecked()).toBe(true);
    // Still typing where they were: focus and the place in the chat are kept.
    await s.page.keyboard.type(' of conduct.');
    expect(await redrawn.locator('[id="reason"] textarea').inputValue()).toBe('Following pupils breaches the code of conduct.');
    expect((await listState(s.chat)).top).toBe(place.top);
    await s.screenshotForDocs('sandbox-new-messages-below');

    await newMessages.click();
    expect((await listState(s.chat)).atBottom).toBe(true);
    await newMessages.waitFor({ state: 'hidden' });
    await redrawn.getByRole('button', { name: 'Record decision' }).click();
    await s.see(s.chat, /Refer to the LADO: decided by Alex Morgan/);
    expect(JSON.stringify(t.h.app.store.listReportsNotClosed())).not.toContain('"reason":""');
  });

  it('a message over 2,000 characters stays in the box with the reason beside it; nothing is sent', async () => {
    await s.as('amy-clarke');
    const mine = () => s.chat.locator('.message.mine').count();
    const before = await mine();
    const box = s.chat.getByRole('textbox', { name: 'Message to the bot' });
    const long = 'The pupil said '.padEnd(2345, 'x');
    await box.fill(long);
    await s.chat.getByRole('button', { name: 'Send', exact: true }).click();
    const error = s.chat.locator('#say-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe(
      'That message is 2,345 characters long; the bot takes up to 2,000 at a time. Please shorten it: your text is still in the box.',
    );
    expect(await box.inputValue()).toBe(long);
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await mine()).toBe(before);
    expect(await axeViolations(s.page)).toEqual([]);
    await error.scrollIntoViewIfNeeded();
    await s.screenshotForDocs('sandbox-message-too-long');
    // Pasted megabytes (over the API's 1 MB body limit): the same, in words, beside the box.
    const huge = 1_100_000;
    await box.evaluate((el: { value: string }, n: number) => {
      el.value = 'y'.repeat(n); // as a paste would (typing it through the driver is slow)
    }, huge);
    await s.chat.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => error.textContent()).toContain('far too long for the bot (2,000 characters at most)');
    expect((await box.inputValue()).length).toBe(huge);
    expect(await mine()).toBe(before);
    // Shortened: the error goes, the message is sent and the box emptied.
    await box.fill('whoami');
    expect(await error.isHidden()).toBe(true);
    await s.chat.getByRole('button', { name: 'Send', exact: true }).click();
    await s.see(s.chat, 'In the sandbox you are Amy Clarke');
    expect(await box.inputValue()).toBe('');
  });

  it('a 30 MB file and a non-image are refused in words next to the file input: no "Payload Too Large", no "Added 0 screenshots"', async () => {
    const ex = example(5);
    await s.as(ex.reporter);
    const reference = await s.report('cyberbullying', ex.report);
    await s.see(s.chat, 'Now send the screenshots here');
    const files = s.chat.locator('input[type=file]');
    const error = s.chat.locator('#attach-error');
    const said = () => s.chat.locator('.message').count();
    const before = await said();

    // From a file on disk: the browser reads it itself (30 MB through the test driver would be slow).
    const big = path.join(mkdtempSync(path.join(tmpdir(), 'sgbot-upload-')), 'whole-phone-backup.png');
    writeFileSync(big, Buffer.alloc(30 * 1024 * 1024, 1));
    await files.setInputFiles(big);
    await error.waitFor({ state: 'visible' });
    rmSync(path.dirname(big), { recursive: true, force: true });
    expect(await error.textContent()).toBe('whole-phone-backup.png: That file is too large to keep (it is 30 MB; each file can be up to 10 MB).');
    expect(await files.getAttribute('aria-invalid')).toBe('true');
    expect(await s.page.locator('body').textContent()).not.toMatch(/Payload Too Large|entity\.too\.large/i);
    expect(await said()).toBe(before); // nothing said in the chat: the file was never received
    expect(await axeViolations(s.page)).toEqual([]);
    await error.scrollIntoViewIfNeeded();
    await s.screenshotForDocs('sandbox-upload-too-large');

    await files.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a screenshot') });
    await expect.poll(() => error.textContent()).toBe('notes.txt: I can only keep screenshots and documents as PNG, JPEG, GIF, WebP or PDF files.');
    await s.see(s.chat, 'notes.txt: I can only keep screenshots');
    expect(await s.chat.textContent()).not.toContain('Added 0 screenshots');

    // A good screenshot after: added, and the error next to the input is gone.
    await files.setInputFiles({ name: 'group-chat.png', mimeType: 'image/png', buffer: readFileSync('manifests/teams/color.png') });
    await s.see(s.chat, `Added 1 screenshot to ${reference}: 1 attached in all.`);
    expect(await error.isHidden()).toBe(true);
  });
});
