// The markdown table of a run: each cell's figures, its ratio to the floor (the bare Bolt
// app, same request and connections) and to the empty database (same request and connections).
import type { Cell } from './run.js';

interface Run {
  cells: Cell[];
  startups: { app: string; size: number; ms: number }[];
  extras: Record<string, unknown>[];
  phases?: { phase: string; seconds: number }[];
  totalSeconds?: number;
}

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || !b ? '' : `${(a / b).toFixed(2)}×`);

export function table(run: Run): string {
  const lines = [
    '| stored | request | conn | p50 ms | p95 ms | p99 ms | req/s | p99 ÷ floor | req/s ÷ floor | p99 ÷ empty | peak RSS MB |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const floorOf = (c: Cell) => run.cells.find((f) => f.app === 'floor' && f.request === c.request && f.connections === c.connections);
  const emptyOf = (c: Cell) => run.cells.find((f) => f.app === c.app && f.size === 0 && f.request === c.request && f.connections === c.connections);
  for (const c of run.cells) {
    const f = floorOf(c);
    const e = c.app === 'bot' && c.size > 0 ? emptyOf(c) : undefined;
    const who = c.app === 'floor' ? `floor: ${c.request}` : c.request;
    lines.push(
      `| ${c.app === 'floor' ? '–' : c.size.toLocaleString('en-GB')} | ${who} | ${c.connections} | ${c.p50} | ${c.p95} | ${c.p99} | ${c.rps} | ${c.app === 'bot' ? ratio(c.p99, f?.p99) : ''} | ${c.app === 'bot' ? ratio(c.rps, f?.rps) : ''} | ${ratio(c.p99, e?.p99)} | ${c.peakRssMb} |`,
    );
  }
  lines.push('', '| app | stored | start-up to /healthz ms |', '|---|---:|---:|');
  for (const s of run.startups) lines.push(`| ${s.app} | ${s.size.toLocaleString('en-GB')} | ${s.ms} |`);
  lines.push('', '| figure | stored | conn | value |', '|---|---:|---:|---|');
  for (const x of run.extras)
    lines.push(
      x.kind === 'audit_verify'
        ? `| audit verify | ${Number(x.size).toLocaleString('en-GB')} | | ${String(x.entries)} entries in ${String(x.ms)} ms (${String(x.result)}) |`
        : `| DSL post, report stored → sent | ${Number(x.size).toLocaleString('en-GB')} | ${String(x.connections)} | p50 ${String(x.p50)} ms, p95 ${String(x.p95)} ms, max ${String(x.max)} ms (${String(x.reports)} reports: ${String(x.cards)} own cards, p50 ${String(x.cardP50)} ms, p95 ${String(x.cardP95)} ms; ${String(x.listed)} in listings, p50 ${String(x.listedP50)} ms; ${String(x.unsent)} unsent) |`,
    );
  return lines.join('\n');
}

/** How long each part of the run took. */
export function phaseTable(run: Run): string {
  const lines = ['| phase | seconds |', '|---|---:|'];
  for (const p of run.phases ?? []) lines.push(`| ${p.phase} | ${p.seconds} |`);
  if (run.totalSeconds !== undefined) lines.push(`| **whole run** (from the build to the table) | **${run.totalSeconds}** |`);
  return lines.join('\n');
}
