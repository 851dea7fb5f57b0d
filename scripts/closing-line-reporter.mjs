// A vitest reporter for scripts/test.mjs: writes .vitest/closing-line.json with what the
// closing line "N passed, N failed" counts. Vitest's JSON report marks a file whose
// worker crashed as passed (its tests "pending") and leaves out unhandled errors; here
// each failed test, each file that failed or did not finish without a failed test of its
// own, and each unhandled error (a crashed worker is one) counts as a failure.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export default class ClosingLineReporter {
  onTestRunEnd(testModules, unhandledErrors, reason) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const notes = [];
    for (const m of testModules) {
      let failedHere = 0;
      let unfinished = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failedHere += 1;
        else if (state === 'skipped') skipped += 1;
        else unfinished += 1;
      }
      failed += failedHere;
      const state = m.state();
      const name = path.relative(process.cwd(), m.moduleId);
      if (failedHere === 0 && (state === 'failed' || m.errors().length > 0)) {
        failed += 1;
        notes.push(`${name}: ${(m.errors()[0]?.message ?? 'the file failed').split('\n')[0]}`);
      } else if (failedHere === 0 && (state === 'pending' || state === 'queued' || unfinished > 0)) {
        failed += 1;
        notes.push(`${name}: did not finish (${unfinished} of its tests never ran; its worker may have crashed)`);
      }
    }
    for (const e of unhandledErrors) {
      failed += 1;
      notes.push(`unhandled error: ${(e.message ?? String(e)).split('\n')[0]}`);
    }
    if (reason === 'interrupted') notes.push('the run was interrupted');
    mkdirSync('.vitest', { recursive: true });
    writeFileSync('.vitest/closing-line.json', JSON.stringify({ passed, failed, skipped, reason, notes }, null, 2));
  }
}
