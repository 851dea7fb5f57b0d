import type { ReportKind } from '../core/report-schemas.js';
import { textLimits } from '../core/text-limits.js';

/**
 * The maxLength of each text input of the report forms: core's own limit for that
 * answer (src/core/text-limits.ts), so a chat client stops the typing where core would
 * refuse it. Every one is within Slack's 3,000 (tests/views/message-sizes.test.ts
 * checks each against the schemas).
 */
export function fieldMaxLength(kind: ReportKind, field: { id: string; kind: string }): number {
  if (field.kind === 'urls') return textLimits.urlList;
  switch (field.id) {
    case 'description':
      return kind === 'nude_images' ? textLimits.nudeImagesDescription : textLimits.description;
    case 'familyLinkDetails':
      return textLimits.familyLinkDetails;
    case 'where':
    case 'whereShared':
      return textLimits.where;
    case 'pupil.yearGroup':
      return textLimits.yearGroup;
    default:
      return textLimits.short;
  }
}
