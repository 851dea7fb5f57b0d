import type { Express } from 'express';
import type { Logger } from '../logger.js';
import type { ChannelDeliverer, ChannelState } from './delivery-errors.js';
import type { Directory } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import type { SqliteDatabase } from '../store/database.js';

/** What every chat channel is given when it is mounted on the one server. */
export interface ChannelDeps {
  http: Express;
  db: SqliteDatabase;
  workflow: Workflow;
  directory: Directory;
  dispatcher: Dispatcher;
  clock: () => Date;
  log: Logger;
  maxEvidenceBytes: number;
  /** Each outgoing platform call's deadline (DELIVERY_TIMEOUT_MS). */
  deliveryTimeoutMs?: number;
}

/** The outbox dispatcher as a channel sees it: register its deliverer, say its state, ask for a send now. */
export interface Dispatcher {
  register(deliverer: ChannelDeliverer, state?: ChannelState): void;
  setState(channel: ChannelDeliverer['channel'], state: ChannelState, detail?: string): void;
  kick(): void;
  deliverDue(): Promise<unknown>;
}
