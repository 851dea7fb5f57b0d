// A live bot under load, as its own process (for the backup test): the real server and
// background loop, started from the environment, submitting reports with a screenshot
// as fast as it can. Prints "ready" after the first 20, and "submitted N" when stopped.
import { buildApp, startApp } from '../../src/app/build-app.js';
import { createLogger } from '../../src/logger.js';
import { loadConfig } from '../../src/config.js';
import { example, tinyPng } from './harness.js';

const log = createLogger('silent');
// The environment the test gave, never a developer's .env in this folder.
const app = buildApp(loadConfig(process.env), log);
const running = await startApp(app, log);
let submitted = 0;
let stop = false;
process.once('SIGTERM', () => (stop = true));
for (let i = 0; !stop; i++) {
  const bytes = Buffer.concat([tinyPng, Buffer.from(`screenshot ${i}`)]);
  await app.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report, evidence: [{ bytes, meta: { fileName: `shot-${i}.png` } }] });
  submitted += 1;
  if (submitted === 20) console.log('ready');
  await new Promise((r) => setImmediate(r));
}
await running.stop();
process.stdout.write(`submitted ${submitted}\n`, () => process.exit(0));
