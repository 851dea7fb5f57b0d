import type { ChainLevel, ChainRole, Routing } from '../core/policy-engine.js';
import type { Policy } from '../core/policy-schema.js';
import { kindLabels, type ReportKind } from '../core/report-schemas.js';
import type { Directory } from '../core/school.js';
import { formatLocal } from '../core/working-time.js';

const roleNames: Record<ChainRole, string> = {
  dsl: 'DSL',
  deputy_dsl: 'deputy DSL',
  headteacher: 'headteacher',
  chair_of_governors: 'chair of governors',
  vice_chair: 'vice-chair of governors',
  ict_technician: 'ICT technician',
  reputation_lead: 'reputation lead',
};

/** The routing in words, for `policy explain`. */
export function explainText(kind: ReportKind, routing: Routing, policy: Policy, dir: Directory): string {
  const people = (ids: string[]) => ids.map((id) => dir.displayName(id)).join(', ');
  const level = (l: ChainLevel | undefined) => (l ? `${people(l.people)} (${roleNames[l.role]})` : 'nobody');
  const when = (iso: string) => formatLocal(new Date(iso), dir.timeZone);
  const title = (id: string) => policy.rules.find((r) => r.id === id)?.title ?? 'no rule matched: the DSL triages it';
  const lines: string[] = [];
  lines.push(`Report: ${kindLabels[kind]}`);
  lines.push(`Rules: ${routing.rules.map((id) => `${id} (${title(id)})`).join('; ')}`);
  lines.push(`Urgent: ${routing.urgent ? 'yes' : 'no'}`);
  const channel = {
    acknowledge: 'the report, with Acknowledge and View details',
    inform: 'a notice (for information)',
    none: 'nothing',
  }[routing.dslChannel];
  lines.push(`DSL channel: ${channel}`);
  for (const d of routing.duties) {
    const first = d.levels[0];
    const rules = d.rules.join(', ');
    if (d.type === 'acknowledge') {
      const deputies = d.reach > 0 ? `; deputies may acknowledge: ${d.levels.slice(1, d.reach + 1).map(level).join(', ')}` : '';
      lines.push(`Owner [${rules}]: ${level(first)}, ${d.via === 'dsl_channel' ? 'in the DSL channel' : 'by direct message'}${deputies}`);
      const remind = d.timers.find((t) => t.kind === 'ack_remind');
      const escalate = d.timers.find((t) => t.kind === 'ack_escalate');
      if (remind) lines.push(`  not acknowledged by ${when(remind.dueAt)}: reminder`);
      if (escalate) lines.push(`  not acknowledged by ${when(escalate.dueAt)}: escalates to ${level(d.levels[d.reach + 1])}`);
    } else if (d.type === 'decision') {
      lines.push(`Decision [${rules}] from ${level(first)}: ${d.question}`);
      lines.push(`  choices: ${(d.choices ?? []).map((c) => c.label).join(' / ')}; a reason is required`);
      const due = d.timers.find((t) => t.kind === 'decision_due');
      if (due) lines.push(`  due by ${when(due.dueAt)}; then ${level(d.levels[1])} is asked`);
    } else {
      lines.push(`Task [${rules}] for ${level(first)}: block ${(d.urls ?? []).join(', ') || '(no web address given)'}`);
    }
  }
  lines.push(`Also told: ${routing.told.length ? routing.told.map((t) => `${dir.displayName(t.personId)} [${t.rules.join(', ')}]`).join('; ') : 'nobody else'}`);
  if (routing.subjects.length) lines.push(`Never told (named in the report, G1): ${people(routing.subjects)}`);
  for (const n of routing.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
