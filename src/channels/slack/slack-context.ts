import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { SlackConfig } from '../../config.js';
import type { FieldIssue } from '../../core/errors.js';
import type { ReportKind } from '../../core/report-schemas.js';
import type { ChannelStore } from '../../store/channel-store.js';
import type { SlackFileStore } from '../../store/slack-file-store.js';
import { fieldForIssue, formFields } from '../../views/report-forms.js';
import type { ChannelDeps } from '../channel-deps.js';

export interface SlackChannelDeps extends ChannelDeps {
  config: SlackConfig;
}

/** What the Slack handlers share: the Bolt app, its Web API client, stored references and a few Slack verbs. */
export interface SlackContext {
  d: SlackChannelDeps;
  app: App;
  client: WebClient;
  refs: ChannelStore;
  files: SlackFileStore;
  /** The directory id for a Slack user id. */
  actor(userId: string): string;
  /** A message only this person sees: ephemeral in a channel, else in their DM. */
  ephemeral(channel: string | undefined, user: string, text: string): Promise<void>;
  /** The DM channel with a Slack user (opened once, then remembered). */
  dmChannel(slackUserId: string): Promise<string>;
  /** Whether the school file's DSL channel is private (checked at most every 5 minutes). */
  dslChannelIsPrivate(): Promise<boolean>;
  /** Tells the DSL and deputies by DM that the DSL channel is public. */
  warnPublic(): Promise<void>;
  /** Fetches the uploads that are due; one run at a time. */
  fetchPendingFiles(): Promise<void>;
}

const stateValuesSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));

/** A view's answers, flat by block id: text, dates, times, the chosen option's value. */
export function answers(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = stateValuesSchema.catch({}).parse(raw);
  for (const [blockId, actions] of Object.entries(values)) {
    const v = actions.value;
    if (!v) continue;
    const option = v.selected_option as { value?: string } | null | undefined;
    out[blockId] = v.value ?? v.selected_date ?? v.selected_time ?? v.selected_date_time ?? option?.value ?? v.files ?? null;
  }
  return out;
}

/** Core's issues as modal errors, each on its field's block (the first block when it has none). */
export function modalErrors(issues: FieldIssue[], kind: ReportKind | undefined, firstBlock: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const block = (kind ? fieldForIssue(formFields[kind], issue.path)?.id : undefined) ?? (issue.path && !kind ? issue.path : firstBlock);
    errors[block] = errors[block] ? `${errors[block]} ${issue.message}` : issue.message;
  }
  return errors;
}

