import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceFiles } from '../core/ports.js';

/**
 * Evidence files on disk, named by their SHA-256 under a folder (two-letter fan-out).
 * A file is written once, to a temporary name, synced, then linked into place; an
 * existing file is never overwritten, and nothing here deletes one.
 */
export class DiskEvidenceFiles implements EvidenceFiles {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new Error('evidence bytes do not match their hash');
    const file = this.pathOf(sha256);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = path.join(path.dirname(file), `.incoming-${randomUUID()}`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temp, file); // fails if the file exists: never overwritten
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // same hash: the same bytes are already kept
      }
      await syncDirectory(path.dirname(file));
    } finally {
      await rm(temp, { force: true }); // the temporary name only; the evidence stays under its hash
    }
  }

  async read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }
}

/** Makes a new name in a folder durable (the file's own bytes were synced before). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
