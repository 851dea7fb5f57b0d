import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { everyoneReached, type PlannedDuty, type Routing } from '../../src/core/policy-engine.js';
import { demoSchool, example, tempDir } from '../support/harness.js';

// `policy explain` prints the routing in the rules file for each worked example of the
// routing specification (data/examples), with the demo school, at the file's time
// (Monday 23 November 2026, 10:00 in London).

const school = 'data/school.example.yaml';

function exampleFile(n: number): string {
  const name = readdirSync('data/examples').find((f) => f.startsWith(`worked-example-${n}-`) && f.endsWith('.json'));
  if (!name) throw new Error(`test setup: no worked example ${n}`);
  return path.join('data/examples', name);
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The text output of `policy explain` for a worked example, as lines. */
async function explainLines(n: number): Promise<string[]> {
  const r = await cli(['policy', 'explain', exampleFile(n), '--school', school]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out.split('\n');
}

/** The routing of `policy explain --json` for a worked example. */
async function explainJson(n: number): Promise<Routing> {
  const r = await cli(['policy', 'explain', exampleFile(n), '--school', school, '--json']);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Routing;
}

/** The one line that starts with `prefix`. */
function lineStarting(lines: string[], prefix: string): string {
  const found = lines.filter((l) => l.startsWith(prefix));
  expect(found, `exactly one line starting ${JSON.stringify(prefix)} in:\n${lines.join('\n')}`).toHaveLength(1);
  return found[0] as string;
}

function linesContaining(lines: string[], text: string): string[] {
  return lines.filter((l) => l.includes(text));
}

/** "Mon, 23 Nov 2026, 10:30" as Intl writes it (the commas vary between ICU versions). */
function localTime(day: string, time: string): RegExp {
  const [weekday, date, month, year] = day.split(' ');
  return new RegExp(`${weekday},? ${date} ${month} ${year},? ${time}`);
}

function duty(routing: Routing, type: PlannedDuty['type']): PlannedDuty {
  const found = routing.duties.filter((d) => d.type === type);
  expect(found, `one ${type} duty`).toHaveLength(1);
  return found[0] as PlannedDuty;
}

const timer = (d: PlannedDuty, kind: string) => d.timers.find((t) => t.kind === kind)?.dueAt;

describe('policy explain: the worked examples', () => {
  it('every worked example has a file', () => {
    for (let n = 1; n <= 7; n += 1) expect(exampleFile(n)).toMatch(/worked-example-\d-.+\.json$/);
  });

  describe('1: a pupil sent a friend request to a member of staff', () => {
    it('text: R4; the DSL owns it in the DSL channel; the headteacher is told', async () => {
      const lines = await explainLines(1);
      expect(lineStarting(lines, 'Rules: ')).toBe('Rules: R4 (A pupil sent a friend or follow request to a staff member)');
      expect(lineStarting(lines, 'Urgent: ')).toBe('Urgent: no');
      expect(lineStarting(lines, 'DSL channel: ')).toBe('DSL channel: the report, with Acknowledge and View details');
      expect(lineStarting(lines, 'Owner [R4]: ')).toMatch(
        /^Owner \[R4\]: Jo Patel \(DSL\), in the DSL channel; deputies may acknowledge: Sam Okafor \(deputy DSL\)$/,
      );
      expect(lineStarting(lines, 'Also told: ')).toBe('Also told: Alex Morgan [R4]');
      expect(lines.some((l) => l.startsWith('Decision'))).toBe(false);
      expect(lines.some((l) => l.startsWith('Never told'))).toBe(false);
    });

    it('json: the same routing', async () => {
      const routing = await explainJson(1);
      expect(routing.rules).toEqual(['R4']);
      expect(routing.urgent).toBe(false);
      expect(routing.dslChannel).toBe('acknowledge');
      expect(routing.subjects).toEqual([]);
      const owner = duty(routing, 'acknowledge');
      expect(owner.via).toBe('dsl_channel');
      expect(owner.levels[0]).toEqual({ role: 'dsl', people: ['jo-patel'] });
      expect(owner.reach).toBe(1);
      expect(routing.told).toEqual([{ personId: 'alex-morgan', rules: ['R4'] }]);
    });
  });

  describe('2: a colleague follows pupils', () => {
    it('text: R2; the headteacher owns and decides; nothing in the DSL channel; the colleague is never told', async () => {
      const lines = await explainLines(2);
      expect(lineStarting(lines, 'Rules: ')).toBe('Rules: R2 (Concern about a staff member)');
      expect(lineStarting(lines, 'DSL channel: ')).toBe('DSL channel: nothing');
      expect(lineStarting(lines, 'Owner [R2]: ')).toBe('Owner [R2]: Alex Morgan (headteacher), by direct message');
      expect(lineStarting(lines, 'Decision [R2] ')).toBe(
        'Decision [R2] from Alex Morgan (headteacher): What happens next about this staff member?',
      );
      expect(lineStarting(lines, '  choices: ')).toContain('Refer to the LADO');
      const due = lineStarting(lines, '  due by ');
      expect(due).toMatch(localTime('Tue 24 Nov 2026', '10:00'));
      expect(due).toContain('then Priya Shah (chair of governors) is asked');
      expect(lineStarting(lines, 'Also told: ')).toBe('Also told: nobody else');
      expect(lineStarting(lines, 'Never told ')).toBe('Never told (named in the report, G1): Chris Doyle');
      expect(linesContaining(lines, 'Chris Doyle')).toHaveLength(1);
    });

    it('json: the same routing', async () => {
      const routing = await explainJson(2);
      expect(routing.rules).toEqual(['R2']);
      expect(routing.dslChannel).toBe('none');
      expect(routing.subjects).toEqual(['chris-doyle']);
      const owner = duty(routing, 'acknowledge');
      expect(owner.via).toBe('direct_message');
      expect(owner.levels[0]).toEqual({ role: 'headteacher', people: ['alex-morgan'] });
      const decision = duty(routing, 'decision');
      expect(decision.levels[0]).toEqual({ role: 'headteacher', people: ['alex-morgan'] });
      expect(decision.choices?.map((c) => c.id)).toEqual(['investigate_code_of_conduct', 'refer_to_lado', 'no_further_action']);
      expect(timer(decision, 'decision_due')).toBe('2026-11-24T10:00:00.000Z');
      expect(routing.told).toEqual([]);
      expect(everyoneReached(routing, demoSchool.directory).has('chris-doyle')).toBe(false);
    });
  });

  describe('3: the headteacher posted about a pupil', () => {
    it('text: R3; the chair owns and decides; the headteacher appears only as never told', async () => {
      const lines = await explainLines(3);
      expect(lineStarting(lines, 'Rules: ')).toBe('Rules: R3 (Concern about the headteacher)');
      expect(lineStarting(lines, 'DSL channel: ')).toBe('DSL channel: nothing');
      expect(lineStarting(lines, 'Owner [R3]: ')).toBe('Owner [R3]: Priya Shah (chair of governors), by direct message');
      expect(lineStarting(lines, 'Decision [R3] ')).toBe(
        'Decision [R3] from Priya Shah (chair of governors): What happens next about the headteacher?',
      );
      // When the chair does not act, the vice-chair is next, not the headteacher.
      expect(linesContaining(lines, 'escalates to')).toEqual([expect.stringContaining('Dana Frost (vice-chair of governors)')]);
      expect(lineStarting(lines, '  due by ')).toContain('then Dana Frost (vice-chair of governors) is asked');
      expect(lineStarting(lines, 'Also told: ')).toBe('Also told: nobody else');
      const alex = linesContaining(lines, 'Alex Morgan');
      expect(alex).toEqual(['Never told (named in the report, G1): Alex Morgan']);
    });

    it('json: the same routing; Alex Morgan is in no duty and told nothing', async () => {
      const routing = await explainJson(3);
      expect(routing.rules).toEqual(['R3']);
      expect(routing.dslChannel).toBe('none');
      expect(routing.subjects).toEqual(['alex-morgan']);
      expect(duty(routing, 'acknowledge').levels[0]).toEqual({ role: 'chair_of_governors', people: ['priya-shah'] });
      expect(duty(routing, 'decision').levels[0]).toEqual({ role: 'chair_of_governors', people: ['priya-shah'] });
      for (const d of routing.duties) for (const l of d.levels) expect(l.people).not.toContain('alex-morgan');
      expect(routing.told).toEqual([]);
      expect(everyoneReached(routing, demoSchool.directory).has('alex-morgan')).toBe(false);
    });
  });

  describe('4: a violent video on a school laptop', () => {
    it('text: R1 and R7; the DSL owns it; a task for the ICT technician with the URL', async () => {
      const lines = await explainLines(4);
      expect(lineStarting(lines, 'Rules: ')).toBe(
        "Rules: R1 (A pupil's online behaviour, or a pupil is the target); R7 (Inappropriate content reached on a school device or network)",
      );
      expect(lineStarting(lines, 'DSL channel: ')).toBe('DSL channel: the report, with Acknowledge and View details');
      expect(lineStarting(lines, 'Owner [')).toMatch(/^Owner \[R1\]: Jo Patel \(DSL\), in the DSL channel/);
      expect(lineStarting(lines, 'Task [R7] ')).toBe(
        'Task [R7] for Lee Evans (ICT technician): block https://video.example.com/watch?v=violent123',
      );
    });

    it('json: the same routing', async () => {
      const routing = await explainJson(4);
      expect(routing.rules).toEqual(['R1', 'R7']);
      expect(routing.dslChannel).toBe('acknowledge');
      const owner = duty(routing, 'acknowledge');
      expect(owner.levels[0]).toEqual({ role: 'dsl', people: ['jo-patel'] });
      const task = duty(routing, 'task');
      expect(task.rules).toEqual(['R7']);
      expect(task.levels[0]).toEqual({ role: 'ict_technician', people: ['lee-evans'] });
      expect(task.urls).toEqual(['https://video.example.com/watch?v=violent123']);
      expect(routing.notes).toEqual([]);
    });
  });

  describe('5: cyberbullying that nobody acknowledges', () => {
    it('text: R1; a reminder at 10:30 and the escalation at 12:00 to the headteacher', async () => {
      const lines = await explainLines(5);
      expect(lineStarting(lines, 'Rules: ')).toBe("Rules: R1 (A pupil's online behaviour, or a pupil is the target)");
      expect(lineStarting(lines, 'Urgent: ')).toBe('Urgent: no');
      const deadlines = linesContaining(lines, 'not acknowledged by');
      expect(deadlines).toHaveLength(2);
      expect(deadlines[0]).toMatch(localTime('Mon 23 Nov 2026', '10:30'));
      expect(deadlines[0]).toMatch(/: reminder$/);
      expect(deadlines[1]).toMatch(localTime('Mon 23 Nov 2026', '12:00'));
      expect(deadlines[1]).toMatch(/: escalates to Alex Morgan \(headteacher\)$/);
    });

    it('json: the same deadlines', async () => {
      const routing = await explainJson(5);
      expect(routing.rules).toEqual(['R1']);
      const owner = duty(routing, 'acknowledge');
      expect(timer(owner, 'ack_remind')).toBe('2026-11-23T10:30:00.000Z');
      expect(timer(owner, 'ack_escalate')).toBe('2026-11-23T12:00:00.000Z');
      expect(owner.levels[owner.reach + 1]).toEqual({ role: 'headteacher', people: ['alex-morgan'] });
    });
  });

  describe('6: nude images of a Year 10 pupil', () => {
    it('text: R12; urgent; reminder 10:10, escalation 10:20; the DSL decides', async () => {
      const lines = await explainLines(6);
      expect(lineStarting(lines, 'Rules: ')).toBe('Rules: R12 (Nude or semi-nude images of a pupil are being shared)');
      expect(lineStarting(lines, 'Urgent: ')).toBe('Urgent: yes');
      const deadlines = linesContaining(lines, 'not acknowledged by');
      expect(deadlines).toHaveLength(2);
      expect(deadlines[0]).toMatch(localTime('Mon 23 Nov 2026', '10:10'));
      expect(deadlines[0]).toMatch(/: reminder$/);
      expect(deadlines[1]).toMatch(localTime('Mon 23 Nov 2026', '10:20'));
      expect(deadlines[1]).toMatch(/: escalates to Alex Morgan \(headteacher\)$/);
      expect(lineStarting(lines, 'Decision [R12] ')).toBe(
        'Decision [R12] from Jo Patel (DSL): What does the DSL decide (UKCIS guidance)?',
      );
      // No working-day deadline on this decision.
      expect(lines.some((l) => l.startsWith('  due by '))).toBe(false);
    });

    it('json: the same routing', async () => {
      const routing = await explainJson(6);
      expect(routing.rules).toEqual(['R12']);
      expect(routing.urgent).toBe(true);
      expect(routing.dslChannel).toBe('acknowledge');
      const owner = duty(routing, 'acknowledge');
      expect(timer(owner, 'ack_remind')).toBe('2026-11-23T10:10:00.000Z');
      expect(timer(owner, 'ack_escalate')).toBe('2026-11-23T10:20:00.000Z');
      const decision = duty(routing, 'decision');
      expect(decision.levels[0]).toEqual({ role: 'dsl', people: ['jo-patel'] });
      expect(decision.timers).toEqual([]);
    });
  });

  describe('7: a concern about the DSL', () => {
    it('text: R2; the headteacher owns it; nothing in the DSL channel; the DSL is never told', async () => {
      const lines = await explainLines(7);
      expect(lineStarting(lines, 'Rules: ')).toBe('Rules: R2 (Concern about a staff member)');
      expect(lineStarting(lines, 'DSL channel: ')).toBe('DSL channel: nothing');
      expect(lineStarting(lines, 'Owner [R2]: ')).toBe('Owner [R2]: Alex Morgan (headteacher), by direct message');
      expect(lineStarting(lines, 'Decision [R2] ')).toMatch(/^Decision \[R2\] from Alex Morgan \(headteacher\): /);
      expect(lineStarting(lines, 'Never told ')).toBe('Never told (named in the report, G1): Jo Patel');
      expect(linesContaining(lines, 'Jo Patel')).toEqual(['Never told (named in the report, G1): Jo Patel']);
      expect(lineStarting(lines, 'Note: ')).toContain('nothing is posted there');
    });

    it('json: the same routing', async () => {
      const routing = await explainJson(7);
      expect(routing.rules).toEqual(['R2']);
      expect(routing.dslChannel).toBe('none');
      expect(routing.subjects).toEqual(['jo-patel']);
      expect(duty(routing, 'acknowledge').levels[0]).toEqual({ role: 'headteacher', people: ['alex-morgan'] });
      expect(everyoneReached(routing, demoSchool.directory).has('jo-patel')).toBe(false);
    });
  });
});

describe('policy explain: options and errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('sgbot-explain-');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  it('an invalid report (a friend request with no platform) exits 1 and names the field', async () => {
    const ex = example(1);
    const { platform: _platform, ...report } = ex.report;
    const r = await cli(['policy', 'explain', write('no-platform.json', { ...ex, report }), '--school', school]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('the report has problems:');
    expect(r.err.split('\n')).toContainEqual(expect.stringMatching(/^ {2}- platform: /));
  });

  it('a report file that is the form alone works, with --at for the time', async () => {
    // Friday 27 November 2026, 16:45: 15 working minutes are left that day.
    const file = write('form-only.json', example(5).report);
    const r = await cli(['policy', 'explain', file, '--school', school, '--at', '2026-11-27T16:45:00Z']);
    expect(r.code).toBe(0);
    const deadlines = linesContaining(r.out.split('\n'), 'not acknowledged by');
    expect(deadlines[0]).toMatch(localTime('Mon 30 Nov 2026', '08:15'));
    expect(deadlines[1]).toMatch(localTime('Mon 30 Nov 2026', '09:45'));
  });

  it('--at that is not a time exits 1 and says so', async () => {
    const r = await cli(['policy', 'explain', exampleFile(1), '--school', school, '--at', 'nonsense']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--at: not a time: nonsense');
  });

  it('a broken school file exits 1 and names the file', async () => {
    const broken = write('school.yaml', 'school: { name: X }\npeople: []\n');
    const r = await cli(['policy', 'explain', exampleFile(1), '--school', broken]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`The school file ${broken} has`);
    expect(r.err).toContain('school.timezone');
  });
});
