// A worker thread of `audit verify`: checks one part of the log (audit-verify-segment.ts)
// on a read-only connection of its own, with the key file read afresh (no key material
// crosses between threads), and posts the plain result back.
import { parentPort, workerData } from 'node:worker_threads';
import { checkSegment, type SegmentTask } from './audit-verify-segment.js';
import { openExistingDatabase } from './database.js';
import { Keyring } from './keyring.js';

const { file, keyFile, task } = workerData as { file: string; keyFile: string; task: SegmentTask };
const db = openExistingDatabase(file);
try {
  parentPort?.postMessage(checkSegment(db, Keyring.load(keyFile), task));
} finally {
  db.close();
}
