import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { SandboxPage, useSandboxPage } from '../support/sandbox-harness.js';

// The sandbox in headless Chromium: worked examples 1, 2, 3 and 5 of the routing
// specification clicked through as people would, on the real bot (core, store, outbox,
// timers) served on 127.0.0.1. Each test saves a screenshot in test-results/screenshots.
const t = useSandboxPage();
let s: SandboxPage;
beforeEach(() => {
  s = t.s;
});

describe('the sandbox in a browser', () => {
  it('1: a teacher reports a pupil friend request; the DSL acknowledges it in the DSL channel; the teacher is told', async () => {
    const ex = example(1);
    await s.as(ex.reporter);
    const reference = await s.report('friend_request', ex.report);
    expect(reference).toBe('SG-2026-0001');
    await s.see(s.chat, `Report sent: ${reference}`);
    await s.screenshot('1-teacher-report-sent');

    await s.as('alex-morgan');
    await s.see(s.chat, `For information: report ${reference}`);
    expect(await s.dslChannel.count()).toBe(0); // the headteacher is not in the DSL channel

    await s.as('jo-patel');
    const card = await s.see(s.dslChannel, `New report: ${reference}`);
    expect(await card.textContent()).not.toMatch(/Instagram|Year 8/); // the minimum in the channel
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await s.see(s.dslChannel, /Acknowledged by Jo Patel at/);
    await s.see(s.chat, `Acknowledged ${reference}`);
    await s.screenshot('1-dsl-acknowledged');

    await s.as(ex.reporter);
    await s.see(s.chat, `Your report ${reference} has been acknowledged`);
  });

  it('2: a colleague follows pupils; the headteacher decides in a direct message, with a reason', async () => {
    const ex = example(2);
    await s.as(ex.reporter);
    const reference = await s.report('staff_conduct', ex.report);

    await s.as('chris-doyle'); // the colleague the report is about sees nothing of it
    expect(await s.message(s.chat, reference).count()).toBe(0);

    await s.as('alex-morgan');
    const card = await s.see(s.chat, `Decision needed: ${reference}`);
    await card.getByText('Refer to the LADO', { exact: true }).click();
    await card.locator('[id="reason"] textarea').fill('Following pupils on a personal account breaches the code of conduct.');
    await s.screenshot('2-headteacher-decision');
    await card.getByRole('button', { name: 'Record decision' }).click();
    await s.see(s.chat, /Refer to the LADO: decided by Alex Morgan/);
    await s.see(s.chat, `Decision recorded for ${reference}.`);
  });

  it('3: the headteacher posted about a pupil; the chair of governors decides; the headteacher sees nothing', async () => {
    const ex = example(3);
    await s.as(ex.reporter);
    const reference = await s.report('staff_conduct', ex.report);

    await s.as('alex-morgan');
    expect(await s.message(s.chat, reference).count()).toBe(0);

    await s.as('jo-patel');
    expect(await s.message(s.dslChannel, reference).count()).toBe(0);

    await s.as('priya-shah');
    const ack = await s.see(s.chat, new RegExp(`New report: ${reference}`));
    await ack.getByRole('button', { name: 'Acknowledge' }).click();
    const decision = await s.see(s.chat, `Decision needed: ${reference}`);
    await decision.getByText('Investigate under the staff code of conduct', { exact: true }).click();
    await decision.locator('[id="reason"] textarea').fill('Governors will investigate the headteacher\'s post.');
    await decision.getByRole('button', { name: 'Record decision' }).click();
    await s.see(s.chat, /decided by Priya Shah/);
    await s.screenshot('3-chair-decided');
  });

  it('5: cyberbullying with a screenshot; nobody acknowledges; skip ahead: the deputy is reminded, then the headteacher', async () => {
    const ex = example(5);
    await s.as(ex.reporter);
    const reference = await s.report('cyberbullying', ex.report);
    await s.see(s.chat, 'Now send the screenshots here');
    await s.chat.locator('input[type=file]').setInputFiles({
      name: 'group-chat.png',
      mimeType: 'image/png',
      buffer: readFileSync('manifests/teams/color.png'),
    });
    await s.see(s.chat, `Added 1 screenshot to ${reference}: 1 attached in all.`);
    await s.see(s.chat, /Screenshots attached\s*1/);
    await s.screenshot('5-screenshot-attached');

    await s.as('sam-okafor');
    await s.see(s.dslChannel, `New report: ${reference}`);
    expect(await s.message(s.chat, 'Reminder').count()).toBe(0);
    await s.skip('+30 working min');
    await s.see(s.chat, `Reminder: ${reference} is waiting to be acknowledged`);
    await s.see(s.dslChannel, `Reminder: ${reference} is waiting to be acknowledged`);

    await s.as('alex-morgan');
    expect(await s.message(s.chat, 'Escalated').count()).toBe(0);
    await s.skip('+2 working hours');
    const escalated = await s.see(s.chat, `Escalated: ${reference} has not been acknowledged`);
    await s.screenshot('5-escalated-to-headteacher');
    await escalated.getByRole('button', { name: 'Acknowledge' }).click();
    await s.see(s.chat, /Acknowledged by Alex Morgan/);

    await s.as('jo-patel');
    await s.see(s.dslChannel, /Acknowledged by Alex Morgan/);
  });
});
