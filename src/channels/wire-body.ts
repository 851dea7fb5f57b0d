import express, { type RequestHandler } from 'express';
import { wellFormedString } from '../core/well-formed.js';

/**
 * Request bodies at the edge, shared by every channel: JSON nested no deeper than a
 * chat platform ever sends (refused before it is parsed), and strings made well-formed
 * UTF-16 (a lone surrogate becomes U+FFFD) before anything reaches core, the store or
 * the audit log.
 */

/** Slack's and Teams' deepest payloads (Adaptive Cards in an invoke) stay well under this. */
export const maxJsonDepth = 64;

/** Whether JSON text nests objects and arrays deeper than `max`, scanned without parsing it. */
export function jsonTooDeep(text: string, max = maxJsonDepth): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

/** JSON.parse that never throws: too deep or not JSON is a problem to answer with a 400. */
export function parseJson(text: string, max = maxJsonDepth): Parsed {
  if (jsonTooDeep(text, max)) return { ok: false, problem: `JSON nested deeper than ${max} levels` };
  try {
    return { ok: true, value: wellFormed(JSON.parse(text)) };
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
}

/** A JSON value from a string we once wrote (private_metadata, a button's value); undefined for anything else. */
export function jsonOrUndefined(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw === '') return undefined;
  const parsed = parseJson(raw);
  return parsed.ok ? parsed.value : undefined;
}

/** A copy of a parsed JSON value with every string (keys too) well-formed. */
export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return wellFormedString(value) as T;
  if (Array.isArray(value)) return value.map((v) => wellFormed(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a "__proto__" key stays a plain key, as JSON.parse made it.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, wellFormedString(k), { value: wellFormed(v), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return value;
}

/** Makes every string in an already-parsed value well-formed in place (for objects others hold references into). */
export function makeWellFormedInPlace(value: unknown, depth = 0): void {
  if (!value || typeof value !== 'object' || depth > maxJsonDepth) return;
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    const child = v[k];
    if (typeof child === 'string') {
      const w = wellFormedString(child);
      if (w !== child) v[k] = w;
    } else makeWellFormedInPlace(child, depth + 1);
  }
}

/**
 * A JSON body parser for a channel's endpoint: at most `limit` bytes, nested at most
 * maxJsonDepth deep, strings well-formed. Anything else is a 4xx from here (413, 415, 400).
 */
export function jsonBody(limit: string): RequestHandler[] {
  return [
    express.raw({ type: () => true, limit }),
    (req, res, next) => {
      if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
        res.status(415).json({ ok: false, error: 'the body must be JSON (content-type: application/json)' });
        return;
      }
      const raw: unknown = req.body;
      const parsed = parseJson(Buffer.isBuffer(raw) ? raw.toString('utf8') : '');
      if (!parsed.ok) {
        res.status(400).json({ ok: false, error: parsed.problem });
        return;
      }
      req.body = parsed.value;
      next();
    },
  ];
}

/**
 * For an API whose routes parse their own bodies (the sandbox's): JSON requests are
 * parsed here first (depth-limited, strings well-formed), and the routes' own parser
 * then finds the body read; other content types (uploads) go by untouched.
 */
export function wellFormedJsonBodies(limit: string): RequestHandler {
  const [read, parse] = jsonBody(limit) as [RequestHandler, RequestHandler];
  return (req, res, next) => {
    // GETs (the page sends its JSON content type on every request) and uploads go by untouched.
    if (req.method === 'GET' || req.method === 'HEAD' || !/^application\/(?:[\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '')) return next();
    read(req, res, (err?: unknown) => (err ? next(err) : parse(req, res, next)));
  };
}
