type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * A string as well-formed UTF-16: each lone surrogate replaced by U+FFFD (Node's
 * String.prototype.toWellFormed), as SQLite would store it anyway. Used at the wire edge
 * and wherever text is hashed or sealed, so what is hashed is what is stored.
 */
export function wellFormedString(s: string): string {
  const w = s as WellFormedString;
  return w.isWellFormed() ? s : w.toWellFormed();
}
