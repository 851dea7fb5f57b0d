import { createRequire } from 'node:module';

/**
 * Microsoft's `adaptivecards` renderer, used here to parse and validate cards as the
 * clients do. Loaded from its dist bundle (plain Node, no DOM; its own sources do not
 * type-check under this project's settings), with just the types the checks need.
 */
interface AdaptiveCardsModule {
  Versions: { v1_5: unknown };
  SerializationContext: new (version: unknown) => { eventCount: number; getEventAt(i: number): { message: string } };
  AdaptiveCard: new () => {
    parse(json: object, context: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
  };
}

const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** Every parse and validation problem of a card, read as Adaptive Cards 1.5. */
export function cardProblems(card: object): string[] {
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i += 1) problems.push(`parse: ${ctx.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}
