import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { pickPerson, useConsolePage, type ConsoleHarness, type ConsolePage } from './console-support.js';

// The console's error edge (issue 14, item 4 point 3): a malformed form sent to any console
// POST route gets a 4xx page with words (or the form again with them), never a 5xx.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let page: Page;
let h: ConsoleHarness;
let cases: ConsolePage['cases'];
const t = useConsolePage();
beforeEach(() => {
  ({ page, h, cases } = t);
});

const form = 'application/x-www-form-urlencoded';

describe('console: malformed requests', () => {
  it('answers every POST route with a 4xx (never a 5xx) for malformed or hostile bodies', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}people?q=year`);
    const person = (await page.locator('main table a').first().getAttribute('href')) ?? '';
    expect(person).toMatch(/^\/console\/people\/pupil-/);
    const csrf = (await page.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
    const c = `cases/${cases.pupil.reportId}`;
    const routes = [
      `${c}/decide`, `${c}/task`, `${c}/close`, `${c}/note`, `${c}/reopen`,
      `${c}/retention/hold`, `${c}/retention/lift-hold`, `${c}/retention/transfer`, `${c}/retention/confirm`, `${c}/retention/dispose`,
      `${person.replace('/console/', '')}/merge`, `${person.replace('/console/', '')}/split`,
      'people/pupil-zz/merge', 'people/%E0%A4%A/split', 'cases/%00/close', `cases/${'x'.repeat(3000)}/retention/hold`,
      'sign-in/sandbox',
    ];
    const tok = encodeURIComponent(csrf);
    const bodies: { body: string; type?: string }[] = [
      { body: `_csrf=${tok}&reason=a&reason=b&choice=x&choice=y&outcome=o&outcome=p&what=a&what=b&code=1&code=2&toSchool=a&toSchool=b&other=a&other=b&text=a&text=b&dutyId=a&dutyId=b` },
      { body: `_csrf=${tok}&reason=%ZZ%E0%A4%A&code=%FF%FE&toSchool=%00&other=%00&case=%00` },
      { body: `_csrf=${tok}&reason=${'r'.repeat(30_000)}&code=${'9'.repeat(500)}&toSchool=${'s'.repeat(5_000)}&other=${'o'.repeat(1_000)}&case=${'c'.repeat(1_000)}` },
      { body: `_csrf=${tok}&${Array.from({ length: 30 }, (_, i) => `f${i}=1`).join('&')}` },
      { body: `_csrf=${tok}&reason=${'x'.repeat(70_000)}` },
      { body: `_csrf=${tok}&reason=ok`, type: `${form}; charset=klingon` },
      { body: `_csrf=${tok}&reason=ok`, type: `${form}; charset=utf-8` },
      { body: JSON.stringify({ _csrf: csrf, reason: ['a'] }), type: 'application/json' },
      { body: `_csrf=${tok}&case=a&case=b&case=${encodeURIComponent(`${cases.pupil.reportId}|pupil`)}&reason=` },
      { body: `_csrf=${tok}&reason[x]=1&__proto__=1&constructor=1` },
      { body: '\u0000\u0001\u0002', type: form },
      { body: `_csrf=${tok}&code=abc&toSchool=&reason=%20%20&other=${encodeURIComponent(person.slice(15))}&case=` },
      { body: `_csrf=${tok}&code=${'Z'.repeat(40)}&toSchool=${'s'.repeat(1_500)}&reason=${'r'.repeat(600)}&choice=&outcome=nonsense&what=nonsense&text=${'t'.repeat(19_000)}&externalRef=${'e'.repeat(1_900)}` },
      { body: `_csrf=${tok}&code=%F0%9F%98%80%F0%9F%98%80&toSchool=%F0%9F%98%80&reason=%ED%A0%80` },
    ];
    const fivexx: string[] = [];
    for (const route of routes)
      for (const [i, b] of bodies.entries()) {
        const res = await page.request.post(`${h.url}${route}`, { data: b.body, headers: { 'content-type': b.type ?? form }, maxRedirects: 0 });
        if (res.status() >= 500) fivexx.push(`${route.slice(0, 60)} body ${i}: ${res.status()}`);
        else if (res.status() >= 400 && !(res.headers()['content-type'] ?? '').includes('text/html')) fivexx.push(`${route.slice(0, 60)} body ${i}: ${res.status()} ${res.headers()['content-type']}`);
      }
    // And the pages read by address or query: malformed ones are 4xx pages too.
    for (const get of ['?kind=nope&status=x&rule=%E0', 'people?q=a&q=b', `people?q=${'q'.repeat(500)}`, 'people/%E0%A4%A', 'people/pupil-zz', 'people/staff-nobody', 'cases/%E0%A4%A/people', 'cases/nope/people', 'exports/governors-report.pdf?from=x&to=y']) {
      const res = await page.request.get(`${h.url}${get}`, { maxRedirects: 0 });
      if (res.status() >= 500 || (res.status() >= 400 && !(res.headers()['content-type'] ?? '').includes('text/html'))) fivexx.push(`GET ${get}: ${res.status()}`);
    }
    expect(fivexx).toEqual([]);
    // The words: what was wrong and that nothing changed.
    const large = await page.request.post(`${h.url}${c}/close`, { data: bodies[4]?.body ?? '', headers: { 'content-type': form }, maxRedirects: 0 });
    expect(large.status()).toBe(413);
    expect(await large.text()).toContain('The form was too large');
    const charset = await page.request.post(`${h.url}${c}/close`, { data: bodies[5]?.body ?? '', headers: { 'content-type': bodies[5]?.type ?? '' }, maxRedirects: 0 });
    expect(charset.status()).toBe(415);
    expect(await charset.text()).toContain('Nothing was changed');
    // Signing out with a malformed body still signs out (never a 5xx).
    const out = await page.request.post(`${h.url}sign-out`, { data: bodies[0]?.body ?? '', headers: { 'content-type': form }, maxRedirects: 0 });
    expect(out.status()).toBe(303);
    // The DSL's case is unchanged by all that (no hold, still open).
    expect(h.app.store.getReport(cases.pupil.reportId)?.status).toBe('open');
  });
});
