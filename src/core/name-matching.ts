/**
 * G1 with real names: who a typed name could mean. Pure and channel-free.
 *
 * A typed name counts as naming every person it could mean (G1 errs towards not
 * telling): the full name or an alias (known-as, maiden name), the surname alone or
 * with a title or an initial ("Mr Morgan", "J. Patel", "Okafor"), a title with a first
 * name ("Miss Jo"), and a first name that only one person in the school file has.
 * Case, accents, hyphens, apostrophes and other punctuation are ignored ("O'Neil" =
 * "ONeil" = "O Neil", "Smith-Jones" = "Smith Jones"), and a name may sit among other
 * words ("Mrs Patel (DSL)").
 *
 * Strength: a first name alone is `weak` (the reporter's "none of them" dismisses it:
 * a pupil may share a teacher's first name); everything else is `strong` and stays a
 * subject whatever the reporter answers.
 */

export type MatchHow = 'full_name' | 'alias' | 'surname' | 'title_first_name' | 'first_name';
export type MatchStrength = 'strong' | 'weak';

export interface NameMatch {
  personId: string;
  how: MatchHow;
  strength: MatchStrength;
  /** The match used a title ("Mr", "Dr"…): the text names an adult. */
  titled: boolean;
}

/** Titles and honorifics ignored before a name ("Mr Morgan" is the surname Morgan). */
export const titles = [
  'mr', 'mrs', 'ms', 'miss', 'mx', 'mstr', 'master', 'dr', 'doctor', 'sir', 'dame', 'lady', 'lord',
  'rev', 'revd', 'reverend', 'fr', 'father', 'prof', 'professor', 'madam', 'madame', 'mme', 'mlle',
  'sr', 'sister', 'br', 'brother', 'canon', 'pastor', 'rabbi', 'imam', 'cllr', 'councillor', 'coach',
] as const;
const titleSet = new Set<string>(titles);

/** Letters that NFKD does not take apart. */
const foldLetters: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h' };

/**
 * A name as comparable tokens: NFKD with the accents taken off, lower case,
 * apostrophes dropped (O'Neil → oneil), any other punctuation a space.
 */
export function nameTokens(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþıħ]/g, (c) => foldLetters[c] ?? c)
    .replace(/['’‘`´ʼʻ]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

interface Pattern {
  personId: string;
  how: MatchHow;
  /** The pattern without spaces: compared with runs of the typed words, also without spaces. */
  compact: string;
}

/** One way of writing a person's name: words after any leading titles. */
function nameWords(text: string): string[][] {
  const words = text.trim().split(/\s+/).map(nameTokens).filter((w) => w.length > 0);
  while (words.length > 1 && words[0]!.length === 1 && titleSet.has(words[0]![0]!)) words.shift();
  return words;
}

export interface NamedPerson {
  id: string;
  name: string;
  aliases?: readonly string[] | undefined;
}

/** The school's names, indexed once; `match` is then a scan of the typed words. */
export class NameIndex {
  private readonly strong: Pattern[] = [];
  private readonly firstNames = new Map<string, Set<string>>();

  constructor(people: readonly NamedPerson[]) {
    for (const p of people) {
      const forms: [string, MatchHow][] = [[p.name, 'full_name'], ...(p.aliases ?? []).map((a): [string, MatchHow] => [a, 'alias'])];
      for (const [form, how] of forms) {
        const words = nameWords(form);
        if (words.length === 0) continue;
        this.add(p.id, how, words.flat());
        if (words.length < 2) continue;
        // The surname: the last word, whole and (if hyphenated) each part of it.
        const last = words[words.length - 1]!;
        this.add(p.id, 'surname', last);
        if (last.length > 1) for (const part of last) this.add(p.id, 'surname', [part]);
        for (const given of words.slice(0, -1)) {
          const key = given.join('');
          this.firstNames.set(key, (this.firstNames.get(key) ?? new Set()).add(p.id));
        }
      }
    }
  }

  private add(personId: string, how: MatchHow, tokens: string[]): void {
    const compact = tokens.join('');
    if (compact.length === 0 || titleSet.has(compact)) return;
    if (!this.strong.some((x) => x.personId === personId && x.compact === compact && x.how === how)) this.strong.push({ personId, how, compact });
  }

  /** Everyone the text could name, each once with the strongest way it names them. */
  match(text: string): NameMatch[] {
    const words = nameTokens(text);
    const found = new Map<string, NameMatch>();
    const rank: Record<MatchHow, number> = { full_name: 5, alias: 4, surname: 3, title_first_name: 2, first_name: 1 };
    const put = (m: NameMatch) => {
      const had = found.get(m.personId);
      if (!had) found.set(m.personId, m);
      else
        found.set(m.personId, {
          ...(rank[m.how] > rank[had.how] ? m : had),
          titled: had.titled || m.titled,
          strength: had.strength === 'strong' || m.strength === 'strong' ? 'strong' : 'weak',
        });
    };
    // Runs of up to 6 typed words, compared without spaces ("Smith Jones" = "Smith-Jones", "O Neil" = "O'Neil").
    const anyTitle = words.some((w) => titleSet.has(w));
    for (let i = 0; i < words.length; i += 1) {
      const titled = i > 0 && titleSet.has(words[i - 1]!);
      let run = '';
      for (let j = i; j < Math.min(words.length, i + 6); j += 1) {
        run += words[j];
        for (const p of this.strong) if (p.compact === run) put({ personId: p.personId, how: p.how, strength: 'strong', titled: anyTitle });
        const owners = this.firstNames.get(run);
        if (!owners) continue;
        // "Miss Jo": a title and a first name name everyone with that first name.
        if (titled) for (const id of owners) put({ personId: id, how: 'title_first_name', strength: 'strong', titled });
        // A first name alone names its one owner; shared by several, it names nobody.
        else if (owners.size === 1) put({ personId: [...owners][0]!, how: 'first_name', strength: 'weak', titled: false });
      }
    }
    return [...found.values()];
  }
}
