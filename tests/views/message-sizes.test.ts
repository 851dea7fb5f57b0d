import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Directory, schoolConfigSchema } from '../../src/core/school.js';
import { DomainError } from '../../src/core/errors.js';
import { messageTypes } from '../../src/core/messages.js';
import { checkpointAudit } from '../../src/core/audit-checkpoint.js';
import { queueTombstoneCards } from '../../src/store/disposal-cards.js';
import { CaseRetentionStore } from '../../src/store/case-retention-store.js';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { textLimits } from '../../src/core/text-limits.js';
import { eligiblePeople, type ReportView } from '../../src/core/workflow.js';
import { cardActivity } from '../../src/channels/teams/teams-deliverer.js';
import { decisionModal, detailsModal, formModal, kindModal, messageBlocks, taskModal, type ButtonValue } from '../../src/channels/slack/slack-blocks.js';
import { messageCards, reportFormCard, reportKindCard, utf16Bytes } from '../../src/views/adaptive-cards.js';
import { messageView, reportDetailsView, submittedView } from '../../src/views/message-views.js';
import { formView } from '../../src/views/report-forms.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { demoSchool, tinyPng } from '../support/harness.js';
import { fill, largestForm, largestPolicy, largestValues, reportKinds, seeds, workflowWith } from '../support/largest-inputs.js';
import { blockProblems, modalProblems, totalBlockText } from '../support/slack-limits.js';

const dir = demoSchool.directory;
const tz = dir.timeZone;
/** The budgets of issue 10: Teams ≤ 80 KB of UTF-16 for the whole activity; Slack ≤ 10,000 characters of block text. */
const teamsBytes = 80 * 1024;
const slackText = 10_000;
/** What the connector adds around an activity (conversation, recipient, ids), allowed for in the bare activity. */
const envelope = 4 * 1024;

type Sizes = Map<string, { teams: number; slack: number }>;
const largest: Sizes = new Map();
const note = (key: string, teams: number, slack: number) => {
  const was = largest.get(key) ?? { teams: 0, slack: 0 };
  largest.set(key, { teams: Math.max(was.teams, teams), slack: Math.max(was.slack, slack) });
};

/** A chat message for Teams and Slack, checked against every budget and limit. */
function checkMessage(key: string, view: ReturnType<typeof messageView>): void {
  const activity = cardActivity(view);
  const card = (activity.attachments?.[0]?.content ?? {}) as Record<string, unknown>;
  expect(utf16Bytes(activity), `${key}: Teams activity`).toBeLessThanOrEqual(teamsBytes - envelope);
  expect(cardProblems(card), `${key}: Adaptive Card`).toEqual([]);
  const { text, blocks } = messageBlocks(view);
  expect(blockProblems(blocks, 'message'), `${key}: Slack blocks`).toEqual([]);
  expect(totalBlockText(blocks), `${key}: Slack block text`).toBeLessThanOrEqual(slackText);
  expect(text.length).toBeLessThanOrEqual(3000);
  note(key, utf16Bytes(activity), totalBlockText(blocks));
}

/** What people see of a text once each platform's escapes are taken out. */
const unescape = {
  teams: (s: string) => s.replace(/\\(.)/g, '$1'),
  slack: (s: string) => s.replace(/\u200b/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
};

/** All the text of cards or blocks, escapes taken out, as one string (JSON decoded). */
function shownText(parts: unknown[], unescaped: (s: string) => string): string {
  const out: string[] = [];
  const walk = (v: unknown, key = '') => {
    if (typeof v === 'string') {
      if (['text', 'title', 'value'].includes(key)) out.push(unescaped(v));
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => walk(x, k));
  };
  parts.forEach((p) => walk(p));
  return out.join('\n');
}

/** Text split over pieces ("continued") is found again when the pieces are joined. */
const joined = (s: string) => s.replace(/\n[^\n]*\(continued\)\*?\n/g, '').replace(/\n/g, '');

describe.each(Object.entries(seeds))('Sizes: every message the bot can send, for the largest input each form and policy accepts (%s)', (seedName, seed) => {
  const env = workflowWith(largestPolicy());
  const reports: { kind: ReportKind; reportId: string }[] = [];

  beforeAll(async () => {
    largest.clear();
    const { workflow, store, clock } = env;
    for (const kind of reportKinds) {
      const r = await workflow.submit({ reporterId: 'amy-clarke', form: largestForm(kind, seed) });
      reports.push({ kind, reportId: r.reportId });
      if (kind !== 'nude_images')
        for (let i = 0; i < 10; i += 1)
          await workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: Buffer.concat([tinyPng, Buffer.from([i])]), meta: { fileName: fill(255, seed) } });
    }
    // Reminders and escalations for everything not yet acknowledged.
    for (let i = 0; i < 4; i += 1) {
      clock.advanceMinutes(60 * 8);
      workflow.tick();
    }
    // Every step done by someone who may, with the longest texts core accepts.
    for (const { reportId } of reports) {
      for (const duty of store.listDuties(reportId)) {
        const who = eligiblePeople(duty)[0];
        if (!who) continue;
        if (duty.type === 'acknowledge') workflow.acknowledge({ reportId, actorId: who });
        if (duty.type === 'decision') workflow.recordDecision({ reportId, actorId: who, dutyId: duty.id, choice: duty.choices?.[9]?.id ?? '', reason: fill(textLimits.decisionReason, seed) });
        if (duty.type === 'task') workflow.completeTask({ reportId, actorId: who, dutyId: duty.id, action: fill(textLimits.ictAction, seed) });
      }
      const owner = store.listDuties(reportId).find((d) => d.type === 'acknowledge');
      if (owner) workflow.close({ reportId, actorId: eligiblePeople(owner)[0] ?? '', outcome: 'no_further_action', reason: fill(textLimits.closeReason, seed) });
      if (owner) workflow.reopen({ reportId, actorId: eligiblePeople(owner)[0] ?? '', reason: fill(textLimits.closeReason, seed) });
    }
    // A message that could not be delivered: the DSL and headteacher are told.
    const card = store.listOutbox().find((o) => o.messageType === 'report.for_acknowledgement');
    if (card) workflow.deliveryFailed({ ...card, code: 'channel_not_found' });
    // The audit log's checkpoint to the DSL, a day on.
    clock.advanceMinutes(25 * 60);
    checkpointAudit({ store, directory: dir, channels: ['sandbox'], clock: clock.now, everyHours: 24 });
    // A transfer of every case at once, its receipt overdue: the DSL is reminded (retention.notice).
    const retention = new CaseRetentionStore(env.db, env.keys, dir, `${env.dir}/evidence`, ['sandbox']);
    const refs = reports.map((r) => store.getReport(r.reportId)?.reference ?? '');
    retention.recordTransfer(refs, fill(100, seed).slice(0, 100), 'jo-patel', clock.now());
    clock.advanceMinutes(60 * 24 * 10);
    retention.takeOverdueTransfers(clock.now());
    // A disposed case's card becomes its tombstone; one that cannot is told to the DSL (retention.notice).
    const first = reports[0]!.reportId;
    env.db.prepare(`INSERT INTO message_refs (channel, report_id, recipient_id, message_type, conversation_id, message_id, created_at) VALUES ('sandbox', @r, 'dsl_channel', 'report.for_acknowledgement', 'dsl', '1', @at)`).run({ r: first, at: clock.now().toISOString() });
    queueTombstoneCards(env.db, env.store, { reportId: first, reference: refs[0]!, disposedOn: '2051-11-24', disposedBy: fill(100, seed) }, clock.now());
    retention.tombstoneNotDelivered({ id: 'x', channel: 'sandbox', recipientType: 'person', recipientId: 'jo-patel', payload: { reference: refs[0]! } }, fill(40, seed), clock.now());
  });
  afterAll(() => {
    rmSync(env.dir, { recursive: true, force: true });
    // The figures for the README ("Message sizes").
    console.log([`${seedName}: largest message by type: Teams activity (UTF-16 bytes) / Slack block text (characters)`, ...[...largest].map(([k, v]) => `  ${k}: ${v.teams} / ${v.slack}`)].join('\n'));
  });

  it('every queued message, of every type, fits Teams and Slack', () => {
    const seen = new Set<string>();
    for (const item of env.store.listOutbox()) {
      seen.add(item.messageType);
      checkMessage(item.messageType, messageView(item, tz));
    }
    expect([...seen].sort()).toEqual([...messageTypes].sort());
  });

  it('the messages a person gets in answer fit too: "Report sent", my reports, help', async () => {
    for (const kind of reportKinds) checkMessage('submitted', submittedView({ reference: 'SG-2026-0001', kind, guidance: [] }, kind, 10));
    // One person's 120 reports, listed in one message.
    for (let i = 0; i < 120; i += 1) await env.workflow.submit({ reporterId: 'ben-hughes', form: largestForm('something_else', seed) });
    const receipts = env.workflow.receipts('ben-hughes');
    const mine = { title: 'Your reports', urgent: false, facts: receipts.map((r) => ({ title: r.reference, value: `${r.kindLabel}: ${r.status}` })), paragraphs: [], inputs: [], actions: [] };
    checkMessage('my reports', mine);
  });

  it('the details of every report, for everyone who may see them, fit; nothing is cut', () => {
    for (const { kind, reportId } of reports) {
      for (const person of dir.people) {
        let v: ReportView;
        try {
          v = env.workflow.view({ reportId, actorId: person.id });
        } catch (err) {
          if (err instanceof DomainError && err.code === 'FORBIDDEN') continue;
          throw err;
        }
        const view = reportDetailsView(v, dir, tz);
        const key = `details (${v.access})`;
        // Teams and the sandbox: as many cards as it takes, each within the budget.
        const cards = messageCards(view);
        for (const card of cards) {
          expect(utf16Bytes({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] })).toBeLessThanOrEqual(teamsBytes - envelope);
          expect(cardProblems(card)).toEqual([]);
        }
        // Slack: one modal, long answers over several sections.
        const modal = detailsModal(view);
        expect(modalProblems(modal), `${kind} ${key}`).toEqual([]);
        note(key, Math.max(...cards.map((c) => utf16Bytes(c))), totalBlockText(modal.blocks));
        // Every fact and paragraph is there, whole, in both.
        const teams = joined(shownText(cards, unescape.teams));
        const slack = joined(shownText([modal], unescape.slack));
        for (const text of [...view.facts.map((f) => f.value), ...view.paragraphs]) {
          expect(teams, `${kind} ${key} on Teams`).toContain(text.replace(/\n/g, ''));
          expect(slack, `${kind} ${key} on Slack`).toContain(text.replace(/\n/g, ''));
        }
        expect(slack).not.toContain('too long for one Slack window');
        // Web addresses reach the ICT technician exactly as typed: nothing inserted inside them on Slack.
        for (const url of v.urls ?? []) expect(JSON.stringify(modal.blocks)).toContain(JSON.stringify(url).slice(1, -1));
      }
    }
  });

  it('every form, filled to its limits, fits: the Teams card and the Slack modal', () => {
    expect(cardProblems(reportKindCard())).toEqual([]);
    expect(modalProblems(kindModal())).toEqual([]);
    for (const kind of reportKinds) {
      const view = formView(kind, dir, largestValues(kind, seed), [{ path: 'description', message: fill(200) }]);
      const card = reportFormCard(view);
      expect(cardProblems(card)).toEqual([]);
      expect(utf16Bytes(card), kind).toBeLessThanOrEqual(teamsBytes - envelope);
      const modal = formModal(view, kind === 'cyberbullying');
      expect(modalProblems(modal), kind).toEqual([]);
      note(`form (${kind})`, utf16Bytes(card), totalBlockText(modal.blocks));
      // Each text input stops at core's limit, never above Slack's 3,000.
      for (const f of view.fields.filter((x) => ['text', 'multiline', 'urls'].includes(x.kind))) expect(f.maxLength).toBeLessThanOrEqual(3000);
    }
  });

  it('a school with 1,000 people in its file: the form fits, and the name is typed instead of picked', () => {
    const yaml = parseYaml(readFileSync('data/school.example.yaml', 'utf8')) as { people: { id: string; name: string }[] };
    yaml.people.push(...Array.from({ length: 1000 }, (_, i) => ({ id: `person-${i}-${'x'.repeat(50)}`, name: fill(75, 'Staff Member ') })));
    const big = new Directory(schoolConfigSchema.parse(yaml));
    for (const kind of reportKinds) {
      const view = formView(kind, big, largestValues(kind, seed));
      const card = reportFormCard(view);
      expect(utf16Bytes(card), kind).toBeLessThanOrEqual(teamsBytes - envelope);
      expect(cardProblems(card)).toEqual([]);
      const modal = formModal(view, false);
      expect(modalProblems(modal)).toEqual([]);
      if (view.fields.some((f) => f.kind === 'person')) {
        expect(JSON.stringify(card)).toContain('type the name instead');
        expect(JSON.stringify(modal)).toContain('type the name instead');
      }
    }
  });

  it('the decision and task modals fit with the longest policy choices', () => {
    const item = env.store.listOutbox().find((o) => o.messageType === 'decision.requested');
    const { blocks } = messageBlocks(messageView(item!, tz));
    const actions = blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value: string }[] };
    const value = JSON.parse(actions.elements.find((e) => e.action_id === 'decide')!.value) as ButtonValue;
    expect(value.choices).toHaveLength(10);
    const modal = decisionModal(value);
    expect(modalProblems(modal)).toEqual([]);
    expect(JSON.stringify(modal)).toContain('"max_length":2000');
    expect(modalProblems(taskModal({ reportId: 'r', dutyId: 'd' }))).toEqual([]);
  });
});
