import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../core/issues.js';

/** A file that could not be used: every problem in it, each with its place in the file. */
export class FileProblemError extends Error {
  readonly problems: string[];
  readonly file: string;

  constructor(what: string, file: string, problems: string[]) {
    const heading = `${what} ${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:`;
    super([heading, ...problems.map((p) => `  - ${p}`)].join('\n'));
    this.name = 'FileProblemError';
    this.file = file;
    this.problems = problems;
  }
}

/** Reads a YAML file and validates it; problems name the field and its line. */
export function loadYamlFile<S extends z.ZodType>(what: string, file: string, schema: S): z.output<S> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(err);
    throw new FileProblemError(what, file, [reason]);
  }
  return parseYaml(what, file, source, schema);
}

export function parseYaml<S extends z.ZodType>(what: string, file: string, source: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw new FileProblemError(
      what,
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
      }),
    );
  }
  if (doc.contents === null) throw new FileProblemError(what, file, ['the file is empty']);
  const result = schema.safeParse(doc.toJS({ maxAliasCount: 1000 }));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    let path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      // Point at the unknown key itself, one problem line for each.
      const [first] = issue.keys;
      if (first !== undefined) path = [...path, first];
      message = `unknown setting "${issue.keys.join('", "')}" (check the spelling)`;
    } else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
      message = 'is missing';
    }
    const where = formatPath(path) || '(top level)';
    const node = keyOrNode(doc, path) ?? nearestNode(doc.getIn(path, true), doc, path);
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    return `${where}${line ? ` (line ${line})` : ''}: ${message}`;
  });
  throw new FileProblemError(what, file, problems);
}

/** The key node for a path's last key, when the parent is a mapping (its line is the key's own line). */
function keyOrNode(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
  return pair && isNode(pair.key) ? pair.key : undefined;
}

/** The node at a path, or at the nearest parent that exists (for a missing key). */
function nearestNode(found: unknown, doc: ReturnType<typeof parseDocument>, path: (string | number)[]): Node | undefined {
  if (isNode(found)) return found;
  for (let n = path.length - 1; n >= 0; n -= 1) {
    const parent = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(parent)) return parent;
  }
  return undefined;
}
