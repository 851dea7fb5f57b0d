import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.js';
import { checkEvidence, sniffMediaType } from '../../src/core/evidence.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { example, harness, tempDir, testKeys, tinyPng, type Harness } from '../support/harness.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const samples = {
  png: tinyPng,
  jpeg: bytesOf([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF\0'),
  gif87a: bytesOf('GIF87a', [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
  gif89a: bytesOf('GIF89a', [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
  webp: bytesOf('RIFF', [0x1a, 0x00, 0x00, 0x00], 'WEBPVP8 ', [0x0e, 0x00, 0x00, 0x00]),
  pdf: bytesOf('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'),
  text: bytesOf('Just some notes about the group chat.\n'),
  html: bytesOf('<!DOCTYPE html><html><body><img src="x.png"></body></html>'),
};

/** A different valid PNG: the signature is what is checked. */
const otherPng = (n: number) => Buffer.concat([tinyPng, Buffer.from([n])]);

/** Expects the call (or promise) to fail with a DomainError of that code; returns it. */
async function domainError(fn: () => unknown): Promise<DomainError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

describe('sniffMediaType', () => {
  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['gif87a', 'image/gif'],
    ['gif89a', 'image/gif'],
    ['webp', 'image/webp'],
    ['pdf', 'application/pdf'],
  ] as const)('recognises %s from its bytes', (name, type) => {
    expect(sniffMediaType(samples[name])).toBe(type);
  });

  it('returns undefined for text, HTML and nothing', () => {
    expect(sniffMediaType(samples.text)).toBeUndefined();
    expect(sniffMediaType(samples.html)).toBeUndefined();
    expect(sniffMediaType(new Uint8Array())).toBeUndefined();
  });

  it('goes by the bytes, not the name: text in "chat.png" is not a PNG', () => {
    const dir = tempDir('sgbot-sniff-');
    try {
      const file = path.join(dir, 'chat.png');
      writeFileSync(file, 'this is not an image');
      expect(sniffMediaType(readFileSync(file))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not accept a truncated or partial signature', () => {
    expect(sniffMediaType(tinyPng.subarray(0, 7))).toBeUndefined();
    expect(sniffMediaType(bytesOf('GIF88a'))).toBeUndefined();
    expect(sniffMediaType(bytesOf('RIFF', [0, 0, 0, 0], 'WAVE'))).toBeUndefined();
    expect(sniffMediaType(bytesOf('RIFF', [0, 0, 0, 0], 'WEB'))).toBeUndefined();
    expect(sniffMediaType(bytesOf('%PDF'))).toBeUndefined();
  });
});

describe('checkEvidence', () => {
  const limits = { maxBytes: 1024, maxFilesPerReport: 10 };

  it('returns the sha256, size and type of a valid PNG', () => {
    expect(checkEvidence(tinyPng, limits)).toEqual({ sha256: sha256(tinyPng), size: tinyPng.length, mediaType: 'image/png' });
  });

  it('accepts a file exactly at the limit', () => {
    const atLimit = Buffer.concat([tinyPng, Buffer.alloc(limits.maxBytes - tinyPng.length)]);
    expect(checkEvidence(atLimit, limits).size).toBe(limits.maxBytes);
  });

  it('refuses wrong types and empty files with EVIDENCE_TYPE', async () => {
    for (const bytes of [samples.text, samples.html, new Uint8Array()])
      expect((await domainError(() => checkEvidence(bytes, limits))).code).toBe('EVIDENCE_TYPE');
  });

  it('refuses a file over the limit with EVIDENCE_TOO_LARGE', async () => {
    const big = Buffer.concat([tinyPng, Buffer.alloc(limits.maxBytes + 1 - tinyPng.length)]);
    expect((await domainError(() => checkEvidence(big, limits))).code).toBe('EVIDENCE_TOO_LARGE');
  });
});

describe('DiskEvidenceFiles', () => {
  let root: string;
  let files: DiskEvidenceFiles;
  const listAll = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((d) => d.isFile())
      .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
      .sort();

  beforeEach(() => {
    root = path.join(tempDir('sgbot-evidence-'), 'evidence');
    files = new DiskEvidenceFiles(root, testKeys(path.dirname(root)));
  });
  afterEach(() => rmSync(path.dirname(root), { recursive: true, force: true }));

  it('reads back what it put, from <root>/<first two hex>/<sha256>', async () => {
    const hash = sha256(tinyPng);
    await files.put(hash, tinyPng);
    expect(Buffer.compare(await files.read(hash), tinyPng)).toBe(0);
    const expected = path.join(hash.slice(0, 2), hash);
    expect(listAll(root)).toEqual([expected]);
    // Encrypted at rest: the file on disk is not the picture.
    const onDisk = readFileSync(path.join(root, expected));
    expect(onDisk.subarray(0, 4).toString('latin1')).toBe('SGE1');
    expect(onDisk.includes(tinyPng.subarray(8, 24))).toBe(false);
  });

  it('keeps one file when the same bytes are put twice', async () => {
    const hash = sha256(tinyPng);
    await files.put(hash, tinyPng);
    await files.put(hash, tinyPng);
    expect(listAll(root)).toEqual([path.join(hash.slice(0, 2), hash)]);
    expect(Buffer.compare(await files.read(hash), tinyPng)).toBe(0);
  });

  it('refuses bytes that do not match the hash, and writes nothing', async () => {
    await expect(files.put(sha256(samples.pdf), tinyPng)).rejects.toThrow(/do not match their hash/);
    expect(existsSync(root) ? listAll(root) : []).toEqual([]);
  });

  it('refuses something that is not a sha256 when reading', async () => {
    await expect(files.read('../../etc/passwd')).rejects.toThrow(/not a sha256/);
    await expect(files.read(sha256(tinyPng).toUpperCase())).rejects.toThrow(/not a sha256/);
  });

  it('leaves no temporary (.incoming-*) files behind', async () => {
    await files.put(sha256(tinyPng), tinyPng);
    await files.put(sha256(tinyPng), tinyPng); // the "already there" path
    await files.put(sha256(samples.pdf), samples.pdf);
    const names = readdirSync(root, { recursive: true }).map(String);
    expect(names.filter((n) => path.basename(n).startsWith('.incoming-'))).toEqual([]);
    expect(listAll(root)).toHaveLength(2);
  });

  it('reads a file written before encryption as it is, and refuses one whose bytes no longer match its name', async () => {
    const hash = sha256(tinyPng);
    const target = path.join(root, hash.slice(0, 2), hash);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, tinyPng);
    expect(Buffer.compare(await files.read(hash), tinyPng)).toBe(0);
    writeFileSync(target, samples.pdf);
    await expect(files.read(hash)).rejects.toThrow(/does not match its hash/);
  });

  it('never overwrites a file already there', async () => {
    const hash = sha256(tinyPng);
    const target = path.join(root, hash.slice(0, 2), hash);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, 'bytes that were there first');
    await files.put(hash, tinyPng);
    expect(readFileSync(target, 'utf8')).toBe('bytes that were there first');
    expect(listAll(root)).toEqual([path.join(hash.slice(0, 2), hash)]);
  });
});

describe('evidence through the workflow', () => {
  let h: Harness;
  afterEach(() => h?.close());

  const meta = { takenAt: '2026-11-22T20:30', postedAt: '2026-11-22T20:15', fileName: 'chat.png' };
  const submit = (evidence: { bytes: Uint8Array; meta?: unknown }[]) => {
    const ex = example(5);
    return h.workflow.submit({ reporterId: ex.reporter, form: ex.report, evidence });
  };

  it('stores one evidence record with hash, size, type and times, and the file under its hash', async () => {
    h = harness();
    const r = await submit([{ bytes: tinyPng, meta }]);
    expect(r.evidenceCount).toBe(1);
    const rows = h.store.listEvidence(r.reportId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      reportId: r.reportId,
      sha256: sha256(tinyPng),
      size: tinyPng.length,
      mediaType: 'image/png',
      fileName: 'chat.png',
      takenAt: '2026-11-22T20:30',
      postedAt: '2026-11-22T20:15',
      addedBy: 'amy-clarke',
      addedAt: '2026-11-23T10:00:00.000Z',
    });
    const hash = sha256(tinyPng);
    expect(readFileSync(path.join(h.dir, 'evidence', hash.slice(0, 2), hash)).subarray(0, 4).toString('latin1')).toBe('SGE1');
    expect(Buffer.compare(await new DiskEvidenceFiles(path.join(h.dir, 'evidence'), h.keys).read(hash), tinyPng)).toBe(0);
  });

  it('refuses a text file with EVIDENCE_TYPE at evidence[0], and stores no report', async () => {
    h = harness();
    const err = await domainError(() => submit([{ bytes: samples.text, meta: { fileName: 'chat.png' } }]));
    expect(err.code).toBe('EVIDENCE_TYPE');
    expect(err.issues.map((i) => i.path)).toEqual(['evidence[0]']);
    expect(h.store.listReportsNotClosed()).toEqual([]);
    expect(existsSync(path.join(h.dir, 'evidence'))).toBe(false);
  });

  it('names the offending file by its position', async () => {
    h = harness();
    const err = await domainError(() => submit([{ bytes: tinyPng }, { bytes: samples.html }]));
    expect(err.code).toBe('EVIDENCE_TYPE');
    expect(err.issues.map((i) => i.path)).toEqual(['evidence[1]']);
    expect(h.store.listReportsNotClosed()).toEqual([]);
  });

  it('refuses a file over the limit with EVIDENCE_TOO_LARGE', async () => {
    h = harness({ maxBytes: 100 });
    const big = Buffer.concat([tinyPng, Buffer.alloc(101 - tinyPng.length)]);
    const err = await domainError(() => submit([{ bytes: big }]));
    expect(err.code).toBe('EVIDENCE_TOO_LARGE');
    expect(err.issues.map((i) => i.path)).toEqual(['evidence[0]']);
    expect(h.store.listReportsNotClosed()).toEqual([]);
  });

  it('refuses 11 files with EVIDENCE_TOO_MANY; 10 are fine', async () => {
    h = harness();
    const eleven = Array.from({ length: 11 }, (_, i) => ({ bytes: otherPng(i) }));
    expect((await domainError(() => submit(eleven))).code).toBe('EVIDENCE_TOO_MANY');
    expect(h.store.listReportsNotClosed()).toEqual([]);
    const r = await submit(eleven.slice(0, 10));
    expect(h.store.listEvidence(r.reportId)).toHaveLength(10);
  });

  it('lets the reporter attach evidence after submitting; anyone else is refused', async () => {
    h = harness();
    const r = await submit([{ bytes: tinyPng, meta }]);
    h.clock.advanceMinutes(5);
    const added = await h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: otherPng(1), meta: { fileName: 'more.png' } });
    expect(added).toEqual({ reference: r.reference, kind: 'cyberbullying', evidenceCount: 2, added: true });
    expect(h.store.listEvidence(r.reportId).map((e) => [e.sha256, e.addedAt])).toEqual([
      [sha256(tinyPng), '2026-11-23T10:00:00.000Z'],
      [sha256(otherPng(1)), '2026-11-23T10:05:00.000Z'],
    ]);
    expect(h.actions(r.reportId)).toContain('evidence.attached');

    const err = await domainError(() =>
      h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'chris-doyle', bytes: otherPng(2) }),
    );
    expect(err.code).toBe('FORBIDDEN');
    expect(h.store.listEvidence(r.reportId)).toHaveLength(2);
    expect(h.actions(r.reportId).at(-1)).toBe('action.refused');
  });

  it('attaching the same file again adds nothing', async () => {
    h = harness();
    const r = await submit([{ bytes: tinyPng, meta }]);
    const again = await h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: tinyPng });
    expect(again).toEqual({ reference: r.reference, kind: 'cyberbullying', evidenceCount: 1, added: false });
    expect(h.store.listEvidence(r.reportId)).toHaveLength(1);
  });

  it('keeps evidence records: UPDATE and DELETE are refused', async () => {
    h = harness();
    const r = await submit([{ bytes: tinyPng, meta }]);
    expect(() => h.db.prepare(`UPDATE evidence SET media_type = 'text/plain' WHERE report_id = ?`).run(r.reportId)).toThrow(
      /never changed/,
    );
    expect(() => h.db.prepare('DELETE FROM evidence WHERE report_id = ?').run(r.reportId)).toThrow(/never deleted/);
    expect(h.store.listEvidence(r.reportId)).toHaveLength(1);
    expect(h.store.listEvidence(r.reportId)[0]?.mediaType).toBe('image/png');
  });
});
