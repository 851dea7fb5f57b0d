import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Node } from 'yaml';
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
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
      }),
    );
  }
  const result = schema.safeParse(doc.toJS({ maxAliasCount: 1000 }));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const where = formatPath(path) || '(top level)';
    const node = nearestNode(doc.getIn(path, true), doc, path);
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    return `${where}${line ? ` (line ${line})` : ''}: ${issue.message}`;
  });
  throw new FileProblemError(what, file, problems);
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
