import { z } from 'zod';

/**
 * The parts of a Bot Framework activity from Teams that the bot reads, checked with zod
 * before anything is done with them. Shapes follow shared/platform-samples/teams-*.json.
 * Unknown fields are allowed (Teams adds fields over time) and ignored.
 */
const account = z.looseObject({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional() });

export const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().min(1).optional(),
  name: z.string().optional(),
  serviceUrl: z.url({ error: 'serviceUrl must be a URL' }),
  channelId: z.string().min(1),
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id: z.string().min(1),
    conversationType: z.string().optional(),
    isGroup: z.boolean().optional(),
    tenantId: z.string().optional(),
  }),
  text: z.string().optional(),
  value: z.unknown().optional(),
  replyToId: z.string().optional(),
  action: z.string().optional(),
  attachments: z
    .array(z.looseObject({ contentType: z.string(), contentUrl: z.string().optional(), name: z.string().optional(), content: z.unknown().optional() }))
    .optional(),
  entities: z.array(z.looseObject({ type: z.string().optional() })).optional(),
  channelData: z
    .looseObject({
      channel: z.looseObject({ id: z.string() }).optional(),
      team: z.looseObject({ id: z.string() }).optional(),
      tenant: z.looseObject({ id: z.string() }).optional(),
      settings: z.looseObject({ selectedChannel: z.looseObject({ id: z.string() }).optional() }).optional(),
      eventType: z.string().optional(),
    })
    .optional(),
});
export type TeamsActivity = z.infer<typeof activitySchema>;

/** The value of an `adaptiveCard/action` invoke (Universal Actions). */
export const executeValueSchema = z.looseObject({
  action: z.looseObject({ type: z.literal('Action.Execute'), verb: z.string(), data: z.record(z.string(), z.unknown()).optional() }),
});

/** An attachment a person sent: a file from OneDrive (personal chat) or a pasted image. */
export const fileDownloadInfoSchema = z.looseObject({
  downloadUrl: z.url(),
  fileType: z.string().optional(),
});
