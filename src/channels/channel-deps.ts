import type { Express } from 'express';
import type { Logger } from '../app/logger.js';
import type { OutboxDispatcher } from '../app/outbox-dispatcher.js';
import type { Directory } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import type { SqliteDatabase } from '../store/database.js';

/** What every chat channel is given when it is mounted on the one server. */
export interface ChannelDeps {
  http: Express;
  db: SqliteDatabase;
  workflow: Workflow;
  directory: Directory;
  dispatcher: OutboxDispatcher;
  clock: () => Date;
  log: Logger;
  maxEvidenceBytes: number;
  /** Each outgoing platform call's deadline (DELIVERY_TIMEOUT_MS). */
  deliveryTimeoutMs?: number;
}
