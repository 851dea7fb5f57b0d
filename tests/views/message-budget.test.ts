import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, detailsModal, homeView, messageBlocks } from '../../src/channels/slack/slack-blocks.js';
import { cardActivity } from '../../src/channels/teams/teams-deliverer.js';
import { escapeTeamsMarkdown, messageCard, messageCards, utf16Bytes } from '../../src/views/adaptive-cards.js';
import { splitText } from '../../src/views/message-budget.js';
import { messageView } from '../../src/views/message-views.js';
import type { MessageView } from '../../src/views/view-model.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { fill } from '../support/largest-inputs.js';
import { blockProblems, modalProblems, totalBlockText } from '../support/slack-limits.js';

/**
 * Messages bigger than the forms now accept: rows queued and reports stored before the
 * limits (issue 10: 20 URLs of ~1,900 characters, a 4,000-character description,
 * unbounded reasons). They must still reach people: shortened in chat, whole in details.
 */
const bigUrls = Array.from({ length: 20 }, (_, i) => `https://site${i}.example.org/${'a_b*c~d(e)f[g]h-'.repeat(118)}`);
const legacyTask = {
  messageType: 'task.assigned' as const,
  payload: { reportId: 'r1', reference: 'SG-2026-0001', kindLabel: 'Inappropriate content', urgent: false, submittedAt: '2026-11-23T10:00:00Z', dutyId: 'd1', urls: bigUrls },
};

function legacyDetails(): MessageView {
  return {
    title: 'Report SG-2026-0001',
    urgent: false,
    facts: [
      { title: 'Reference', value: 'SG-2026-0001' },
      { title: 'Full web address(es), one per line', value: bigUrls.join(', ') },
      { title: 'What was it? (describe, do not copy it)', value: fill(4000) },
      ...Array.from({ length: 6 }, (_, i) => ({ title: `Decision (R${i + 1})`, value: `Done by Sam Head: refer (${fill(8000)})` })),
    ],
    paragraphs: ['Web addresses to block:', ...bigUrls],
    inputs: [],
    actions: [],
  };
}

describe('Message budgets, for messages bigger than the forms now allow', () => {
  it('a block task with 20 URLs of ~1,900 characters is shortened to fit, with "and N more" and View details', () => {
    const view = messageView(legacyTask, 'Europe/London');
    const activity = cardActivity(view);
    expect(utf16Bytes(activity)).toBeLessThanOrEqual(76 * 1024);
    const card = (activity.attachments?.[0]?.content ?? {}) as Record<string, unknown>;
    expect(cardProblems(card)).toEqual([]);
    const text = JSON.stringify(card);
    expect(text).toMatch(/…and \d+ more: the rest in View details/);
    expect(text).toContain('"verb":"view"');
    expect(text).toContain('"verb":"complete_task"');
    // The addresses shown are whole: none is cut in the middle.
    expect(text).toContain(escapeTeamsMarkdown(bigUrls[0]!).replace(/\\/g, '\\\\'));

    const { blocks } = messageBlocks(view);
    expect(blockProblems(blocks, 'message')).toEqual([]);
    expect(totalBlockText(blocks)).toBeLessThanOrEqual(10_000);
    const slack = JSON.stringify(blocks);
    expect(slack).toMatch(/…and \d+ more: the rest in View details/);
    expect(slack).toContain('"action_id":"view"');
    expect(slack).toContain(bigUrls[0]);
  });

  it('a message with hundreds of facts ends "…and N more" on both platforms', () => {
    const view: MessageView = {
      title: 'Your reports',
      urgent: false,
      facts: Array.from({ length: 2500 }, (_, i) => ({ title: `SG-2026-${String(i).padStart(4, '0')}`, value: 'Something else: open' })),
      paragraphs: [],
      inputs: [],
      actions: [],
    };
    const card = messageCard(view);
    expect(utf16Bytes(card)).toBeLessThanOrEqual(76 * 1024);
    const { blocks } = messageBlocks(view);
    expect(blockProblems(blocks, 'message')).toEqual([]);
    expect(totalBlockText(blocks)).toBeLessThanOrEqual(10_000);
    expect(JSON.stringify(blocks)).toMatch(/…and \d+ more"/);
    expect(JSON.stringify(card)).toMatch(/…and \d+ more"/);
  });

  it('details too big for one Teams card come as several, each within the budget, with every character', () => {
    const view = legacyDetails();
    const cards = messageCards(view);
    expect(cards.length).toBeGreaterThan(1);
    cards.forEach((c, i) => {
      expect(utf16Bytes(c)).toBeLessThanOrEqual(76 * 1024);
      expect(cardProblems(c)).toEqual([]);
      expect(JSON.stringify(c)).toContain(i === 0 ? `(1 of ${cards.length})` : `(continued, ${i + 1} of ${cards.length})`);
    });
    const shown = cards
      .flatMap((c) => (c.body as { type: string; text?: string; facts?: { title: string; value: string }[] }[]).slice(1).flatMap((b) => (b.facts ? b.facts.map((f) => f.value) : b.text ? [b.text] : [])))
      .join('')
      .replace(/\\(.)/g, '$1');
    for (const f of view.facts) expect(shown).toContain(f.value);
    for (const p of view.paragraphs) expect(shown).toContain(p);
  });

  it('details on Slack split long answers over several sections, within 100 blocks, cutting nothing', () => {
    const view = legacyDetails();
    const modal = detailsModal(view);
    expect(modalProblems(modal)).toEqual([]);
    const shown = (modal.blocks as { text?: { text: string }; fields?: { text: string }[] }[])
      .flatMap((b) => [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)])
      .map((t) => t.replace(/^\*[^\n]*\(continued\)\*\n/, ''))
      .join('')
      .replace(/\u200b/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    for (const f of view.facts) expect(shown).toContain(f.value);
    expect(JSON.stringify(modal)).toContain('(continued)');
  });

  it('App Home lists 40 reports a section and says how many more there are, within 100 blocks', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ title: `SG-2026-${i}`, value: fill(3000) }));
    const home = homeView([
      { title: 'Your reports', rows, empty: 'None' },
      { title: 'Open reports', rows, empty: 'None' },
    ]);
    expect(modalProblems(home)).toEqual([]);
    expect(JSON.stringify(home)).toContain('…and 260 more.');
  });

  it('splitText keeps every character and prefers to break at a space', () => {
    const text = fill(10_000);
    const pieces = splitText(text, (p) => p.length <= 3000);
    expect(pieces.join('')).toBe(text);
    expect(pieces.every((p) => p.length <= 3000)).toBe(true);
    expect(pieces.slice(0, -1).every((p) => /[ ,\n]$/.test(p))).toBe(true);
  });
});

describe('Escaping touches only typed text, and only what is markup there', () => {
  it('Slack: formatting in typed words is neutralised, but a web address keeps every character', () => {
    const url = 'https://example.com/a_b_c/*x*~y~?q=`1`&r=2';
    const out = escapeMrkdwn(`see *this* _now_ ${url} @channel`);
    expect(out).toContain('https://example.com/a_b_c/*x*~y~?q=`1`&amp;r=2');
    expect(out).toContain('\u200b*\u200bthis\u200b*\u200b');
    expect(out).toContain('@\u200bchannel');
    expect(escapeMrkdwn('<!here> <https://evil.example|click>')).not.toMatch(/<[!h]/);
  });

  it("Teams: the bot's own titles and labels carry no backslash; typed values are escaped", () => {
    const card = messageCard({
      title: 'Report SG-2026-0001 (R1, R7)',
      urgent: false,
      facts: [{ title: 'Full web address(es), one per line', value: '*typed* (text)' }],
      paragraphs: [],
      inputs: [],
      actions: [],
    });
    const text = JSON.stringify(card);
    expect(text).toContain('"text":"Report SG-2026-0001 (R1, R7)"');
    expect(text).toContain('"title":"Full web address(es), one per line"');
    expect(text).toContain('"value":"\\\\*typed\\\\* (text)"');
  });
});
